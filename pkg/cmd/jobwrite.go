package cmd

// The flags create and rerun share: every Job setting, how the new Job is
// sent and printed, and whether the command then waits for it.

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-job/kubectl-job/pkg/jobspec"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// defaultFieldManager names kubectl job in managedFields.
const defaultFieldManager = "kubectl-job"

// jobWriteOptions are what create and rerun share: the Job knobs as flags,
// how the new Job is sent (--dry-run, --field-manager) and printed (-o), and
// whether the command then waits for it (--wait, --follow, --timeout).
type jobWriteOptions struct {
	PrintFlags   *outputFlags
	DryRun       string
	FieldManager string
	Wait         bool
	Follow       bool
	Timeout      time.Duration
	// Progress forces progress output on a TTY (true) or line per change
	// (false); nil decides from the terminal.
	Progress *bool
	// Save is --save DIR (with --follow).
	Save string

	knobs          knobFlags
	knobValues     jobspec.Knobs
	dryRunStrategy dryRunStrategy
	printObj       func(runtime.Object) error
}

func newJobWriteOptions() jobWriteOptions {
	return jobWriteOptions{
		PrintFlags:   newOutputFlags("created", printers.JobTypeSetter),
		FieldManager: defaultFieldManager,
		DryRun:       "none",
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
	fs.BoolVar(&w.Wait, "wait", false, "Wait for the Job's outcome, print its verdict and exit like kubectl job wait (0 complete, 2 failed, 3 timed out, 4 ended otherwise)")
	fs.BoolVar(&w.Follow, "follow", false, "Stream the Job's logs until it ends (as kubectl job logs -f) and exit with its outcome; implies --wait")
	fs.BoolVar(&w.Follow, "logs", false, "Same as --follow")
	fs.DurationVar(&w.Timeout, "timeout", 0, "With --wait or --follow: give up after this long and exit 3; 0 waits as long as it takes")
	fs.StringVar(&w.Save, "save", "", "With --follow: "+saveFlagUsage)
}

// completeWrite reads the knob flags, the dry-run strategy and the printer.
func (w *jobWriteOptions) completeWrite(fs *pflag.FlagSet, out io.Writer) error {
	var err error
	if w.knobValues, err = w.knobs.toKnobs(fs); err != nil {
		return err
	}
	if w.dryRunStrategy, err = parseDryRun(w.DryRun); err != nil {
		return err
	}
	w.PrintFlags.setDryRun(w.dryRunStrategy)
	printer, err := w.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	w.printObj = func(obj runtime.Object) error { return printer.PrintObj(obj, out) }
	return nil
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
	for name, v := range map[string]struct {
		dst **int32
		src *int32
	}{
		"backoff-limit": {&k.BackoffLimit, &f.backoffLimit}, "parallelism": {&k.Parallelism, &f.parallelism},
		"completions": {&k.Completions, &f.completions}, "backoff-limit-per-index": {&k.BackoffLimitPerIndex, &f.backoffLimitPerIndex},
		"max-failed-indexes": {&k.MaxFailedIndexes, &f.maxFailedIndexes},
	} {
		if set(name) {
			*v.dst = v.src
		}
	}
	if set("active-deadline") {
		k.ActiveDeadline = &f.activeDeadline
	}
	if set("ttl") {
		k.TTL = &f.ttl
	}
	if set("completion-mode") {
		m := batchv1.CompletionMode(f.completionMode)
		k.CompletionMode = &m
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

// parseDryRun reads --dry-run.
func parseDryRun(s string) (dryRunStrategy, error) {
	switch s {
	case "none", "":
		return dryRunNone, nil
	case "client":
		return dryRunClient, nil
	case "server":
		return dryRunServer, nil
	}
	return dryRunNone, fmt.Errorf(`--dry-run must be "none", "client" or "server", got %q`, s)
}
