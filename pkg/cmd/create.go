package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/scheme"
	"k8s.io/kubectl/pkg/util"

	"github.com/kubectl-job/kubectl-job/pkg/jobspec"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/logs"
)

// defaultFieldManager names kubectl job in managedFields.
const defaultFieldManager = "kubectl-job"

// jobWriteOptions are what create and rerun share: the Job knobs as flags,
// how the new Job is sent (--dry-run, --field-manager) and printed (-o), and
// whether the command then waits for it (--wait, --follow, --timeout).
type jobWriteOptions struct {
	PrintFlags   *genericclioptions.PrintFlags
	DryRun       string
	FieldManager string
	Wait         bool
	Follow       bool
	Timeout      time.Duration
	Now          func() time.Time
	// Progress forces progress output on a TTY (true) or line per change
	// (false); nil decides from the terminal.
	Progress *bool

	knobs          knobFlags
	knobValues     jobspec.Knobs
	dryRunStrategy cmdutil.DryRunStrategy
	printObj       func(runtime.Object) error
}

func newJobWriteOptions() jobWriteOptions {
	return jobWriteOptions{
		PrintFlags:   genericclioptions.NewPrintFlags("created").WithTypeSetter(scheme.Scheme),
		FieldManager: defaultFieldManager,
		DryRun:       "none",
		Now:          time.Now,
	}
}

// addFlags adds -o, the knobs, --dry-run (described by dryRunHelp),
// --field-manager, --wait, --follow/--logs and --timeout.
func (w *jobWriteOptions) addFlags(cmd *cobra.Command, dryRunHelp string) {
	w.PrintFlags.AddFlags(cmd)
	fs := cmd.Flags()
	w.knobs.addFlags(fs)
	fs.StringVar(&w.DryRun, "dry-run", w.DryRun, dryRunHelp)
	fs.Lookup("dry-run").NoOptDefVal = "client"
	fs.StringVar(&w.FieldManager, "field-manager", w.FieldManager, "Name of the manager recorded in managedFields")
	fs.BoolVar(&w.Wait, "wait", false, "Wait for the Job's waitOutcome, print its verdict and exit like kubectl job wait (0 complete, 2 failed, 3 timed out, 4 ended otherwise)")
	fs.BoolVar(&w.Follow, "follow", false, "Stream the Job's logs until it ends (as kubectl job logs -f) and exit with its waitOutcome; implies --wait")
	fs.BoolVar(&w.Follow, "logs", false, "Same as --follow")
	fs.DurationVar(&w.Timeout, "timeout", 0, "With --wait or --follow: give up after this long and exit 3; 0 waits as long as it takes")
}

// complete reads the knob flags, the dry-run strategy and the printer.
func (w *jobWriteOptions) complete(fs *pflag.FlagSet, out io.Writer) error {
	var err error
	if w.knobValues, err = w.knobs.toKnobs(fs); err != nil {
		return err
	}
	if w.dryRunStrategy, err = parseDryRun(w.DryRun); err != nil {
		return err
	}
	cmdutil.PrintFlagsWithDryRunStrategy(w.PrintFlags, w.dryRunStrategy)
	printer, err := w.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	w.printObj = func(obj runtime.Object) error { return printer.PrintObj(obj, out) }
	return nil
}

// CreateOptions are the options of kubectl job create.
type CreateOptions struct {
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
	jobWriteOptions

	Name       string
	Command    []string
	From       string
	Filename   string
	SaveConfig bool

	Namespace        string
	EnforceNamespace bool
	Client           kubernetes.Interface

	flags *pflag.FlagSet
	// jobs are built before any request (from the image or the file); with
	// --from they are built in Run after the CronJob is read.
	jobs []*batchv1.Job
}

// NewCreateOptions returns CreateOptions with the defaults.
func NewCreateOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *CreateOptions {
	return &CreateOptions{configFlags: configFlags, IOStreams: streams, jobWriteOptions: newJobWriteOptions()}
}

// NewCmdCreate creates Jobs from flags, a CronJob or a file.
func NewCmdCreate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdCreate(NewCreateOptions(configFlags, streams))
}

func newCmdCreate(o *CreateOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:                   "create NAME --image=IMAGE [flags] [-- COMMAND [ARGS...]] | create NAME --from=cronjob/NAME | create -f FILE",
		DisableFlagsInUseLine: true,
		Short:                 "Create a Job with every Job setting as a flag, and optionally wait for it",
		Long: `Create a Job from an image, from a CronJob's template or from a file.

Every setting of the Job spec that shapes its waitOutcome has a flag, and the
combination is checked before anything is sent, with the rule explained:
restartPolicy Always is refused, per-index limits need --completion-mode=Indexed,
--max-failed-indexes needs --backoff-limit-per-index and at most --completions,
a pod failure policy needs --restart=Never.

With --wait the command waits for the Job's waitOutcome, prints the verdict of
kubectl job explain and exits like kubectl job wait (0 complete, 2 failed,
3 timed out, 4 ended otherwise); with --follow it also streams the logs, so
"kubectl job create NAME --image=... --follow -- CMD" behaves like a process in CI.`,
		Example: `  # Create a Job that runs a command
  kubectl job create hello --image=busybox -- echo hello

  # A Job that may fail twice, must finish within 10 minutes and is deleted an hour after it ends
  kubectl job create migrate --image=app:1.2 --backoff-limit=2 --active-deadline=10m --ttl=1h -- ./migrate

  # An Indexed Job of 10 indexes, 3 at a time, each allowed 1 retry, failing after 2 failed indexes
  kubectl job create shard --image=app --completion-mode=Indexed --completions=10 --parallelism=3 --backoff-limit-per-index=1 --max-failed-indexes=2

  # Run a CronJob now with another command and an extra variable
  kubectl job create nightly-manual --from=cronjob/nightly --env=DRY_RUN=1 -- ./report --today

  # Create the Jobs of a file and wait for all of them
  kubectl job create -f jobs.yaml --wait

  # Run a Job like a CI step: stream its logs and exit with its waitOutcome
  kubectl job create migrate --image=app:1.2 --follow -- ./migrate

  # Show the Job that would be created, without creating it
  kubectl job create hello --image=busybox --dry-run=client -o yaml -- echo hello`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.addFlags(cmd, `"none", "client" (print the Job, send nothing) or "server" (the API server checks it, nothing is stored)`)
	fs := cmd.Flags()
	fs.StringVar(&o.From, "from", o.From, "Create the Job from a CronJob's template: cronjob/NAME (command, --image, --env and other flags override it)")
	fs.StringVarP(&o.Filename, "filename", "f", o.Filename, "Create the Jobs of a YAML or JSON file ('-' for stdin); only batch/v1 Jobs are accepted")
	fs.BoolVar(&o.SaveConfig, "save-config", o.SaveConfig, "Store the configuration in the last-applied annotation, so kubectl apply can be used on the Job later")
	return cmd
}

// Complete reads the arguments, the file and the flags into knobs, and sets
// up the client and the printer. It sends nothing.
func (o *CreateOptions) Complete(cmd *cobra.Command, args []string) error {
	o.flags = cmd.Flags()
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		o.Command = slices.Clone(args[dash:])
		args = args[:dash]
	}
	switch len(args) {
	case 0:
	case 1:
		o.Name = args[0]
	default:
		return fmt.Errorf("unexpected arguments %q: give one NAME, and put the command after --: kubectl job create NAME --image=IMAGE -- %s", args[1:], strings.Join(args[1:], " "))
	}
	if err := o.jobWriteOptions.complete(o.flags, o.Out); err != nil {
		return err
	}
	o.knobValues.Command = o.Command

	var err error
	if o.Namespace == "" {
		if o.Namespace, o.EnforceNamespace, err = o.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return err
		}
	}
	if o.Client == nil && (o.dryRunStrategy != cmdutil.DryRunClient || o.From != "") {
		if o.Client, err = clientFromFlags(o.configFlags); err != nil {
			return err
		}
	}
	return nil
}

func (o *CreateOptions) readFile() ([]*batchv1.Job, error) {
	var r io.Reader
	source := o.Filename
	if o.Filename == "-" {
		r, source = o.In, "stdin"
	} else {
		data, err := os.ReadFile(o.Filename)
		if err != nil {
			return nil, fmt.Errorf("cannot read -f %s: %w", o.Filename, err)
		}
		r = bytes.NewReader(data)
	}
	return jobspec.ReadJobs(r, source)
}

// Validate checks the flags and builds every Job it can before any request:
// a bad combination never reaches the API server.
func (o *CreateOptions) Validate() error {
	if o.Filename != "" {
		if o.Name != "" || len(o.Command) > 0 {
			return errors.New("NAME and a command cannot be used with -f: the Jobs come from the file")
		}
		if o.From != "" {
			return errors.New("--from and -f cannot be used together: create from a CronJob or from a file")
		}
		if set := o.knobs.changed(o.flags); len(set) > 0 {
			return fmt.Errorf("%s cannot be used with -f: set it in the file", strings.Join(set, ", "))
		}
	} else if o.Name == "" {
		return withHint(errors.New("a Job needs a name"), "kubectl job create NAME --image=IMAGE [-- COMMAND]")
	}
	if o.dryRunStrategy == cmdutil.DryRunClient || o.dryRunStrategy == cmdutil.DryRunServer {
		if o.Wait || o.Follow {
			return errors.New("--wait and --follow cannot be used with --dry-run: nothing is created to wait for")
		}
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	if o.Name != "" {
		if err := jobspec.ValidateName(o.Name, false); err != nil {
			return err
		}
	}
	if err := o.knobValues.Check(); err != nil {
		return err
	}
	switch {
	case o.Filename != "":
		// The file is read only once the flags are known not to conflict
		// with it, so a conflict is reported as such.
		var err error
		if o.jobs, err = o.readFile(); err != nil {
			return err
		}
		for _, job := range o.jobs {
			if err := o.placeInNamespace(job); err != nil {
				return err
			}
			if err := jobspec.Validate(job); err != nil {
				return fmt.Errorf("job %s in %s: %w", job.Name, o.Filename, err)
			}
		}
	case o.From != "":
		kind, name, ok := strings.Cut(o.From, "/")
		if !ok || name == "" || !slices.Contains([]string{"cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch"}, strings.ToLower(kind)) {
			return fmt.Errorf("--from=%s: only CronJobs can be used, as --from=cronjob/NAME", o.From)
		}
	default:
		job, err := jobspec.New(o.Name, o.knobValues)
		if err != nil {
			return err
		}
		if err := o.placeInNamespace(job); err != nil {
			return err
		}
		o.jobs = []*batchv1.Job{job}
	}
	return nil
}

// placeInNamespace puts a Job into -n's namespace, refusing a file whose
// namespace contradicts an explicit -n (as kubectl does).
func (o *CreateOptions) placeInNamespace(job *batchv1.Job) error {
	switch {
	case job.Namespace == "":
		job.Namespace = o.Namespace
	case job.Namespace != o.Namespace && o.EnforceNamespace:
		return fmt.Errorf("job %s is in namespace %q but -n says %q: remove one of them", job.Name, job.Namespace, o.Namespace)
	}
	return nil
}

// Run creates the Jobs (after a server dry run of all of them when there
// are several, so none is created if the server refuses one), prints them,
// and waits or follows when asked.
func (o *CreateOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.From != "" {
		_, name, _ := strings.Cut(o.From, "/")
		cj, err := o.Client.BatchV1().CronJobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return withHint(err, "list CronJobs with kubectl get cronjobs -n %s", o.Namespace)
		}
		job, err := jobspec.FromCronJob(o.Name, cj, o.knobValues)
		if err != nil {
			return fmt.Errorf("cronjob/%s: %w", cj.Name, err)
		}
		job.Namespace = o.Namespace
		o.jobs = []*batchv1.Job{job}
	}
	for _, job := range o.jobs {
		if err := util.CreateOrUpdateAnnotation(o.SaveConfig, job, scheme.DefaultJSONEncoder()); err != nil {
			return err
		}
	}
	if o.dryRunStrategy == cmdutil.DryRunNone && (o.Wait || o.Follow) {
		if err := kube.CheckAccess(ctx, o.Client, awaitAccesses(o.jobs, o.Namespace, o.Follow)...); err != nil {
			return withHint(err, "nothing was created; drop --wait/--follow to create without watching")
		}
	}
	created, err := createJobs(ctx, o.Client, o.jobs, o.dryRunStrategy, o.FieldManager)
	if err != nil {
		return err
	}
	for _, job := range created {
		if err := o.printObj(job); err != nil {
			return err
		}
	}
	if !o.Wait && !o.Follow {
		return nil
	}
	return awaitCreated(ctx, o.Client, created, o.Follow, o.Timeout, o.Now, o.IOStreams, o.Progress)
}

// createJobs creates jobs; with several, a server-side dry run of each comes
// first, so a Job the server refuses does not leave the others behind.
func createJobs(ctx context.Context, client kubernetes.Interface, jobs []*batchv1.Job, dryRun cmdutil.DryRunStrategy, fieldManager string) ([]*batchv1.Job, error) {
	if dryRun == cmdutil.DryRunClient {
		return jobs, nil
	}
	opts := metav1.CreateOptions{FieldManager: fieldManager}
	if dryRun == cmdutil.DryRunServer || len(jobs) > 1 {
		dry := opts
		dry.DryRun = []string{metav1.DryRunAll}
		var checked []*batchv1.Job
		for _, job := range jobs {
			out, err := client.BatchV1().Jobs(job.Namespace).Create(ctx, job, dry)
			if err != nil {
				return nil, err
			}
			checked = append(checked, out)
		}
		if dryRun == cmdutil.DryRunServer {
			return checked, nil
		}
	}
	var created []*batchv1.Job
	for _, job := range jobs {
		out, err := client.BatchV1().Jobs(job.Namespace).Create(ctx, job, opts)
		if err != nil {
			if len(created) > 0 {
				return nil, fmt.Errorf("%w (already created: %s)", err, createdJobList(created))
			}
			return nil, err
		}
		created = append(created, out)
	}
	return created, nil
}

func createdJobList(jobs []*batchv1.Job) string {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = "job.batch/" + j.Name
	}
	return strings.Join(names, ", ")
}

// awaitAccesses is what awaitCreated will read: Jobs to wait on, and to
// follow one, its pods and their logs. A Job created and then not watchable
// would leave the command failed and the Job running, so these are checked
// before the create.
func awaitAccesses(jobs []*batchv1.Job, defaultNamespace string, follow bool) []kube.Access {
	var out []kube.Access
	jobsR, podsR := batchv1.Resource("jobs"), corev1.Resource("pods")
	for _, j := range jobs {
		ns := j.Namespace
		if ns == "" {
			ns = defaultNamespace
		}
		out = append(out, kube.Access{Verb: "list", Resource: jobsR, Namespace: ns}, kube.Access{Verb: "watch", Resource: jobsR, Namespace: ns})
		if follow && len(jobs) == 1 {
			out = append(out, kube.Access{Verb: "list", Resource: podsR, Namespace: ns}, kube.Access{Verb: "watch", Resource: podsR, Namespace: ns},
				kube.Access{Verb: "get", Resource: corev1.Resource("pods/log"), Namespace: ns})
		}
	}
	return out
}

// awaitCreated waits for (or follows the logs of) Jobs just created, prints
// the verdict and returns the wait exit code.
func awaitCreated(ctx context.Context, client kubernetes.Interface, jobs []*batchv1.Job, follow bool, timeout time.Duration, now func() time.Time, streams genericiooptions.IOStreams, progress *bool) error {
	if follow && len(jobs) == 1 {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return followJobLogs(ctx, client, jobs[0], streams)
	}
	if follow {
		fmt.Fprintln(streams.ErrOut, "note: --follow streams the logs of one Job; waiting for the waitOutcome of these Jobs instead")
	}
	w := &waiter{client: client, target: waitFinished, timeout: timeout, now: now}
	tty := printers.IsTerminal(streams.ErrOut)
	if progress != nil {
		tty = *progress
	}
	if len(jobs) == 1 {
		w.progress = newProgressLine(streams.ErrOut, tty)
	}
	var targets []kube.JobTarget
	for _, j := range jobs {
		targets = append(targets, kube.JobTarget{Namespace: j.Namespace, Name: j.Name})
	}
	outcomes, err := w.wait(ctx, targets)
	if err != nil {
		return err
	}
	// The verdict is a diagnostic here: stdout already has "job.batch/x created".
	return reportOutcomes(streams.ErrOut, streams.ErrOut, outcomes, waitFinished, timeout, true)
}

// followJobLogs streams the logs of job's pods until it ends, prints the
// verdict on stderr and returns the wait exit code: kubectl job logs -f.
func followJobLogs(ctx context.Context, client kubernetes.Interface, job *batchv1.Job, streams genericiooptions.IOStreams) error {
	opts := logs.DefaultOptions()
	opts.Color = printers.AllowsColorOutput(streams.Out)
	opts.Escape = printers.IsTerminal(streams.Out)
	return logsExitError(logs.Follow(ctx, client, job, opts, streams.Out, streams.ErrOut))
}

// knobFlags are the flags for every Job setting (create and rerun).
type knobFlags struct {
	image                string
	backoffLimit         int32
	activeDeadline       time.Duration
	ttl                  time.Duration
	parallelism          int32
	completions          int32
	completionMode       string
	backoffLimitPerIndex int32
	maxFailedIndexes     int32
	restart              string
	suspend              bool
	env                  []string
	labels               map[string]string
	annotations          map[string]string
	requests             string
	limits               string
	serviceAccount       string
	podFailurePolicy     string
	nodeSelector         map[string]string
	tolerations          []string
}

// knobFlagNames are the flags knobFlags adds, for "cannot be used with -f".
var knobFlagNames = []string{"image", "backoff-limit", "active-deadline", "ttl", "parallelism", "completions",
	"completion-mode", "backoff-limit-per-index", "max-failed-indexes", "restart", "suspend", "env", "labels",
	"annotations", "requests", "limits", "service-account", "pod-failure-policy", "node-selector", "toleration"}

func (f *knobFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.image, "image", "", "Container image to run (IMAGE, or CONTAINER=IMAGE to override one container of a CronJob's template)")
	fs.Int32Var(&f.backoffLimit, "backoff-limit", 0, "spec.backoffLimit: failed pods allowed before the Job fails (API default 6)")
	fs.DurationVar(&f.activeDeadline, "active-deadline", 0, "spec.activeDeadlineSeconds as a duration (whole seconds, e.g. 10m): the Job fails once it has been running this long")
	fs.DurationVar(&f.ttl, "ttl", 0, "spec.ttlSecondsAfterFinished as a duration (whole seconds, e.g. 1h): delete the Job and its pods this long after it finishes")
	fs.Int32Var(&f.parallelism, "parallelism", 0, "spec.parallelism: pods running at once (API default 1)")
	fs.Int32Var(&f.completions, "completions", 0, "spec.completions: successful pods (or indexes) needed (required with --completion-mode=Indexed)")
	fs.StringVar(&f.completionMode, "completion-mode", "NonIndexed", "spec.completionMode: NonIndexed or Indexed (pods get indexes 0..completions-1)")
	fs.Int32Var(&f.backoffLimitPerIndex, "backoff-limit-per-index", 0, "spec.backoffLimitPerIndex: failures allowed per index (Indexed only)")
	fs.Int32Var(&f.maxFailedIndexes, "max-failed-indexes", 0, "spec.maxFailedIndexes: failed indexes allowed before the Job fails (needs --backoff-limit-per-index, at most --completions)")
	fs.StringVar(&f.restart, "restart", "Never", "Pod restartPolicy: Never (a failed pod is replaced) or OnFailure (the container restarts in place)")
	fs.BoolVar(&f.suspend, "suspend", false, "Create the Job suspended (spec.suspend): no pods start until kubectl job resume")
	fs.StringArrayVar(&f.env, "env", nil, "Environment variable NAME=VALUE for the containers (repeatable)")
	fs.Var(jobspec.NewKeyValues(&f.labels), "labels", "Labels KEY=VALUE,... for the Job and its pods")
	fs.Var(jobspec.NewKeyValues(&f.annotations), "annotations", `Annotations KEY=VALUE,... for the Job and its pod template (a value with a line break or comma: "KEY=VALUE" in double quotes)`)
	fs.StringVar(&f.requests, "requests", "", "Container resource requests, e.g. cpu=500m,memory=256Mi")
	fs.StringVar(&f.limits, "limits", "", "Container resource limits, e.g. cpu=1,memory=512Mi")
	fs.StringVar(&f.serviceAccount, "service-account", "", "Service account the pods run as")
	fs.StringVar(&f.podFailurePolicy, "pod-failure-policy", "", "File with a spec.podFailurePolicy in YAML or JSON ({rules: [...]}); needs --restart=Never")
	fs.Var(jobspec.NewKeyValues(&f.nodeSelector), "node-selector", "Node labels KEY=VALUE,... the pods must run on (spec.template.spec.nodeSelector)")
	fs.StringArrayVar(&f.tolerations, "toleration", nil, "Toleration KEY[=VALUE][:EFFECT] for the pods: KEY=VALUE:NoSchedule tolerates that taint, KEY alone every taint with that key (repeatable)")
}

// changed lists the knob flags given on the command line, as --name.
func (f *knobFlags) changed(fs *pflag.FlagSet) []string {
	var set []string
	for _, n := range knobFlagNames {
		if fs.Changed(n) {
			set = append(set, "--"+n)
		}
	}
	return set
}

// toKnobs turns the flags given into jobspec.Knobs; flags not given stay
// unset, so a CronJob's or an old Job's value is kept.
func (f *knobFlags) toKnobs(fs *pflag.FlagSet) (jobspec.Knobs, error) {
	k := jobspec.Knobs{
		Image:          f.image,
		Env:            f.env,
		Labels:         f.labels,
		Annotations:    f.annotations,
		Requests:       f.requests,
		Limits:         f.limits,
		ServiceAccount: f.serviceAccount,
		NodeSelector:   f.nodeSelector,
		Tolerations:    f.tolerations,
	}
	set := fs.Changed
	if set("backoff-limit") {
		k.BackoffLimit = &f.backoffLimit
	}
	if set("active-deadline") {
		k.ActiveDeadline = &f.activeDeadline
	}
	if set("ttl") {
		k.TTL = &f.ttl
	}
	if set("parallelism") {
		k.Parallelism = &f.parallelism
	}
	if set("completions") {
		k.Completions = &f.completions
	}
	if set("completion-mode") {
		m := batchv1.CompletionMode(f.completionMode)
		k.CompletionMode = &m
	}
	if set("backoff-limit-per-index") {
		k.BackoffLimitPerIndex = &f.backoffLimitPerIndex
	}
	if set("max-failed-indexes") {
		k.MaxFailedIndexes = &f.maxFailedIndexes
	}
	if set("restart") {
		p := corev1.RestartPolicy(f.restart)
		k.RestartPolicy = &p
	}
	if set("suspend") {
		k.Suspend = &f.suspend
	}
	if f.podFailurePolicy != "" {
		data, err := os.ReadFile(f.podFailurePolicy)
		if err != nil {
			return k, fmt.Errorf("cannot read --pod-failure-policy %s: %w", f.podFailurePolicy, err)
		}
		if k.PodFailurePolicy, err = jobspec.ParsePodFailurePolicy(data, f.podFailurePolicy); err != nil {
			return k, err
		}
	}
	return k, nil
}
