package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// The values of --cascade.
var cascadeValues = []string{"background", "foreground", "orphan"}

// DeleteOptions holds the flags and state of "kubectl job delete".
type DeleteOptions struct {
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Names         []string
	Namespace     string
	AllNamespaces bool
	LabelSelector string
	All           bool
	Cascade       string
	Wait          bool
	Timeout       time.Duration
	DryRun        string
	Interactive   bool
	GracePeriod   int
	DeleteNow     bool
	Output        string

	// Client and Now are set by Complete unless a test set them first.
	Client kubernetes.Interface
	Now    func() time.Time

	dryRun      cmdutil.DryRunStrategy
	propagation metav1.DeletionPropagation
	gracePeriod *int64 // nil: the pods' own terminationGracePeriodSeconds
	answers     *bufio.Reader
}

// NewDeleteOptions returns DeleteOptions with kubectl's defaults.
func NewDeleteOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DeleteOptions {
	return &DeleteOptions{
		configFlags: configFlags,
		IOStreams:   streams,
		Cascade:     "background",
		Wait:        true,
		DryRun:      "none",
		GracePeriod: -1,
	}
}

// NewCmdDelete returns "kubectl job delete".
func NewCmdDelete(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdDelete(NewDeleteOptions(configFlags, streams))
}

func newCmdDelete(o *DeleteOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete (NAME... | -l SELECTOR | --all) [--cascade=background|foreground|orphan] [--dry-run=client|server] [-i]",
		Aliases: []string{"rm"},
		Short:   "Delete Jobs and their pods, saying first what goes with them",
		Long: `Delete Jobs, like kubectl delete job, and say first what goes with each:
how many pods (and how many are still running), and that the logs of its
failed attempts are lost with them. A Job the TTL controller is about to delete
anyway is reported as such.

Every delete carries the UID of the Job that was read, so a Job deleted and
re-created under the same name in the meantime is never deleted by mistake.
All named Jobs are looked up before anything is deleted: a misspelt name
deletes nothing.

--cascade=background (the default) and foreground delete the pods with the
Job; orphan leaves them in place, running, with no Job to own them.
--wait (the default) returns once the Job and its pods are gone.
--grace-period and --now apply to the Job's pods that are still running.`,
		Example: `  # Delete a Job and its pods, and wait until they are gone
  kubectl job delete pi

  # Delete every Job labelled app=etl, asking for each one
  kubectl job delete -l app=etl -i

  # Delete a Job but leave its pods running
  kubectl job delete pi --cascade=orphan

  # Show what would be deleted, without deleting anything
  kubectl job delete --all --dry-run=client

  # Delete the failed Jobs that kubectl job list shows
  kubectl job list --status failed -o name | xargs kubectl job delete`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			ctx, stop := interruptibleContext(cmd)
			defer stop()
			return o.Run(ctx)
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "With -l or --all, select Jobs in every namespace.")
	fs.StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Delete the Jobs matching this label selector, e.g. -l app=etl.")
	fs.BoolVar(&o.All, "all", o.All, "Delete every Job in the namespace.")
	fs.StringVar(&o.Cascade, "cascade", o.Cascade, `What happens to the pods: "background" (deleted after the Job), "foreground" (deleted before the Job) or "orphan" (left running).`)
	fs.BoolVar(&o.Wait, "wait", o.Wait, "Return only once each Job and its pods are gone (only the Job with --cascade=orphan).")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "With --wait: give up waiting after this long and exit 3 (the deletes go on); 0 waits as long as it takes.")
	fs.StringVar(&o.DryRun, "dry-run", o.DryRun, `"none", "client" (say what would be deleted, send nothing) or "server" (the API server checks each delete, nothing is deleted).`)
	fs.Lookup("dry-run").NoOptDefVal = "client"
	fs.BoolVarP(&o.Interactive, "interactive", "i", o.Interactive, "Ask y/N before deleting each Job.")
	fs.IntVar(&o.GracePeriod, "grace-period", o.GracePeriod, "Seconds the Job's running pods get to stop; -1 keeps their own terminationGracePeriodSeconds, 0 means 1 (as in kubectl without --force).")
	fs.BoolVar(&o.DeleteNow, "now", o.DeleteNow, "Stop the Job's running pods at once (--grace-period=1).")
	fs.StringVarP(&o.Output, "output", "o", o.Output, `"name" prints job.batch/NAME for each deleted Job.`)
	return cmd
}

// Complete reads the arguments and flags and sets up the client. It sends
// nothing.
func (o *DeleteOptions) Complete(cmd *cobra.Command, args []string) error {
	var err error
	if o.Names, err = jobNames(args); err != nil {
		return err
	}
	if o.Namespace == "" {
		if o.Namespace, _, err = o.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return err
		}
	}
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.answers = bufio.NewReader(o.In)
	if o.Client == nil {
		var err error
		if o.Client, err = clientFromFlags(o.configFlags); err != nil {
			return err
		}
	}
	return nil
}

// jobNames accepts NAME, job/NAME, jobs/NAME and job.batch/NAME (what
// kubectl job list -o name prints), and drops repeats.
func jobNames(args []string) ([]string, error) {
	var names []string
	for _, a := range args {
		name := a
		if kind, n, ok := strings.Cut(a, "/"); ok {
			switch strings.ToLower(kind) {
			case "job", "jobs", "job.batch", "jobs.batch":
				name = n
			default:
				return nil, fmt.Errorf("%q is not a Job: kubectl job delete deletes Jobs only; use kubectl delete %s", a, a)
			}
		}
		if name == "" {
			return nil, fmt.Errorf("invalid Job name %q", a)
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names, nil
}

// Validate rejects bad flag combinations before any request.
func (o *DeleteOptions) Validate() error {
	selecting := o.LabelSelector != "" || o.All
	switch {
	case len(o.Names) == 0 && !selecting:
		return errors.New("name the Jobs to delete, or select them with -l SELECTOR or --all; see 'kubectl job delete --help'")
	case len(o.Names) > 0 && selecting:
		return errors.New("names cannot be given with -l or --all; use one or the other")
	case o.All && o.LabelSelector != "":
		return errors.New("cannot set --all and --selector at the same time")
	case o.AllNamespaces && !selecting:
		return errors.New("-A needs -l or --all: a Job name is looked up in one namespace")
	case !slices.Contains(cascadeValues, o.Cascade):
		return fmt.Errorf(`invalid --cascade %q: must be "background", "foreground" or "orphan"`, o.Cascade)
	case o.DeleteNow && o.GracePeriod != -1:
		return errors.New("--now and --grace-period cannot be specified together")
	case o.GracePeriod < -1:
		return fmt.Errorf("invalid --grace-period %d: must be -1 (the pods' own), 0 or more", o.GracePeriod)
	case o.Cascade == "orphan" && (o.DeleteNow || o.GracePeriod != -1):
		return errors.New("--grace-period and --now apply to the Job's pods, which --cascade=orphan leaves running; drop one of them")
	case o.Timeout < 0:
		return fmt.Errorf("invalid --timeout %s: must be 0 (no limit) or more", o.Timeout)
	case o.Output != "" && o.Output != "name":
		return fmt.Errorf("unexpected -o output mode: %v; only -o name is supported", o.Output)
	}
	o.propagation = map[string]metav1.DeletionPropagation{
		"background": metav1.DeletePropagationBackground,
		"foreground": metav1.DeletePropagationForeground,
		"orphan":     metav1.DeletePropagationOrphan,
	}[o.Cascade]
	switch {
	case o.DeleteNow:
		o.gracePeriod = ptrInt64(1)
	case o.GracePeriod == 0:
		// kubectl turns 0 into 1 unless --force: an immediate delete does not
		// wait for the kubelet to confirm the container stopped.
		o.gracePeriod = ptrInt64(1)
	case o.GracePeriod > 0:
		o.gracePeriod = ptrInt64(int64(o.GracePeriod))
	}
	return nil
}

func ptrInt64(v int64) *int64 { return &v }

// scope is the namespace requests go to: "" for -A.
func (o *DeleteOptions) scope() string {
	if o.AllNamespaces {
		return ""
	}
	return o.Namespace
}

// Run finds the Jobs, says what goes with each, deletes them and waits.
func (o *DeleteOptions) Run(ctx context.Context) error {
	jobs, err := o.findJobs(ctx)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		fmt.Fprintln(o.ErrOut, noJobsFound(o.scope()))
		return nil
	}
	if err := o.checkAccess(ctx, jobs); err != nil {
		return err
	}
	pods, podsErr := podsOfJobs(ctx, o.Client, o.scope(), jobs)
	if podsErr != nil {
		fmt.Fprintf(o.ErrOut, "Warning: %v; cannot say what goes with the Jobs\n", kube.NewReadError("list", "pods", o.scope(), podsErr))
	}
	now := o.Now()
	var deleted []*batchv1.Job
	failed := 0
	for _, job := range jobs {
		jobPods, known := pods[job.UID]
		known = known && podsErr == nil
		exp := explain.Explain(explain.Input{Job: job, Pods: jobPods, Now: now, PodsUnknown: !known, EventsUnknown: true})
		o.sayImpact(job, jobPods, known, exp, now)
		if o.Interactive && !o.confirm(job) {
			fmt.Fprintf(o.ErrOut, "job.batch/%s skipped\n", job.Name)
			continue
		}
		if o.dryRun == cmdutil.DryRunClient {
			o.printDeleted(job)
			continue
		}
		err := kube.DeleteJob(ctx, o.Client, job, kube.DeleteJobOptions{
			Propagation:        o.propagation,
			GracePeriodSeconds: o.gracePeriod,
			DryRun:             o.dryRun == cmdutil.DryRunServer,
		})
		switch {
		case apierrors.IsNotFound(err):
			// Gone since it was read (TTL, someone else): what was asked holds.
			fmt.Fprintf(o.ErrOut, "job.batch/%s was already deleted\n", job.Name)
			continue
		case kube.IsPreconditionFailed(err):
			failed++
			fmt.Fprintf(o.ErrOut, "error: job.batch/%s was deleted and re-created since it was read (its UID changed); the new Job was not deleted: run the command again to delete it\n", job.Name)
			continue
		case err != nil:
			failed++
			fmt.Fprintln(o.ErrOut, errorLineAbout("cannot delete job.batch/"+job.Name, err))
			if ctx.Err() != nil {
				return exitcode.New(exitcode.Error, fmt.Errorf("interrupted: %w", context.Cause(ctx)))
			}
			continue
		}
		o.printDeleted(job)
		deleted = append(deleted, job)
		if o.gracePeriod != nil && known {
			for _, err := range kube.DeleteUnfinishedPods(ctx, o.Client, jobPods, *o.gracePeriod, o.dryRun == cmdutil.DryRunServer) {
				fmt.Fprintf(o.ErrOut, "Warning: %v\n", err)
			}
		}
	}
	if err := o.waitGone(ctx, deleted); err != nil {
		return err
	}
	if failed > 0 {
		return exitcode.New(exitcode.Error, fmt.Errorf("%d of %d Jobs were not deleted; see the errors above", failed, len(jobs)))
	}
	return nil
}

// checkAccess makes sure, before the first delete, that every delete is
// allowed: a user who may delete Jobs in one namespace of -A but not in
// another gets an error and nothing deleted, not half of the Jobs gone.
func (o *DeleteOptions) checkAccess(ctx context.Context, jobs []*batchv1.Job) error {
	if o.dryRun != cmdutil.DryRunNone {
		return nil
	}
	var accesses []kube.Access
	for _, j := range jobs {
		accesses = append(accesses, kube.Access{Verb: "delete", Resource: batchv1.Resource("jobs"), Namespace: j.Namespace})
		if o.gracePeriod != nil {
			accesses = append(accesses, kube.Access{Verb: "delete", Resource: corev1.Resource("pods"), Namespace: j.Namespace})
		}
	}
	return withHint(kube.CheckAccess(ctx, o.Client, accesses...), "nothing was deleted")
}

// findJobs reads the Jobs to delete. Named Jobs are all read before anything
// is deleted, so a misspelt name deletes nothing.
func (o *DeleteOptions) findJobs(ctx context.Context) ([]*batchv1.Job, error) {
	if len(o.Names) == 0 {
		list, _, err := kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{LabelSelector: o.LabelSelector, Limit: 500})
		if err != nil {
			return nil, err
		}
		jobs := make([]*batchv1.Job, len(list))
		for i := range list {
			jobs[i] = &list[i]
		}
		return jobs, nil
	}
	var jobs []*batchv1.Job
	var notFound []error
	for _, name := range o.Names {
		job, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			notFound = append(notFound, err)
		case err != nil:
			return nil, err
		default:
			jobs = append(jobs, job)
		}
	}
	switch {
	case len(notFound) == 1 && len(o.Names) == 1:
		return nil, withHint(notFound[0], "list the Jobs with: kubectl job list -n %s", o.Namespace)
	case len(notFound) > 0:
		for _, err := range notFound {
			fmt.Fprintln(o.ErrOut, errorMessage(err))
		}
		return nil, fmt.Errorf("nothing was deleted: %d of %d Jobs not found; list the Jobs with: kubectl job list -n %s", len(notFound), len(o.Names), o.Namespace)
	}
	return jobs, nil
}

// podsOfJobs reads the pods of jobs: one request per Job for a few, one per
// scope for many (plus one per Job whose pods carry no job-name label).
func podsOfJobs(ctx context.Context, client kubernetes.Interface, scope string, jobs []*batchv1.Job) (map[types.UID][]corev1.Pod, error) {
	out := map[types.UID][]corev1.Pod{}
	var rest []*batchv1.Job
	if len(jobs) > 3 {
		byLabel, err := kube.ListPodsOfJobs(ctx, client, scope, jobs, 500)
		if err != nil {
			return out, err
		}
		for _, j := range jobs {
			if p, ok := byLabel[j.UID]; ok {
				out[j.UID] = p
			} else {
				rest = append(rest, j)
			}
		}
	} else {
		rest = jobs
	}
	for _, j := range rest {
		p, err := kube.ListJobPods(ctx, client, j)
		if err != nil {
			return out, err
		}
		out[j.UID] = p
	}
	return out, nil
}

// sayImpact tells, on stderr, what deleting job takes with it.
func (o *DeleteOptions) sayImpact(job *batchv1.Job, pods []corev1.Pod, known bool, exp *explain.JobExplanation, now time.Time) {
	ref := "job.batch/" + job.Name
	if o.AllNamespaces {
		ref += " in " + job.Namespace
	}
	c := countPods(pods)
	switch {
	case !known:
		// The warning about the pods list already said it, once for all.
	case o.propagation == metav1.DeletePropagationOrphan:
		if len(pods) > 0 {
			what := fmt.Sprintf("the %d pods of %s%s in place with no Job to own them; delete them", len(pods), ref, c.activeText())
			if len(pods) == 1 {
				what = fmt.Sprintf("the pod of %s%s in place with no Job to own it; delete it", ref, c.activeText())
			}
			fmt.Fprintf(o.ErrOut, "Warning: --cascade=orphan leaves %s later with: kubectl delete pods -n %s -l %s=%s\n",
				what, job.Namespace, kube.LabelControllerUID, job.UID)
		} else {
			fmt.Fprintf(o.ErrOut, "%s: no pods\n", ref)
		}
	case len(pods) == 0:
		fmt.Fprintf(o.ErrOut, "%s: no pods\n", ref)
	default:
		line := fmt.Sprintf("%s: its %d pods go too%s", ref, len(pods), c.activeText())
		if len(pods) == 1 {
			line = fmt.Sprintf("%s: its pod goes too%s", ref, c.activeText())
		}
		if c.failed > 0 {
			line += fmt.Sprintf("; logs of %s will be lost (save them first: kubectl job logs %s -n %s --failed)", plural(c.failed, "failed attempt"), job.Name, job.Namespace)
		}
		fmt.Fprintln(o.ErrOut, line)
	}
	if exp != nil {
		switch exp.TTL.State {
		case explain.TTLScheduled:
			in := "soon"
			if exp.TTL.DeleteAt != nil && exp.TTL.DeleteAt.After(now) {
				in = "in " + duration.HumanDuration(exp.TTL.DeleteAt.Sub(now))
			}
			fmt.Fprintf(o.ErrOut, "%s: would be deleted by its TTL %s anyway\n", ref, in)
		case explain.TTLDue:
			fmt.Fprintf(o.ErrOut, "%s: its TTL has passed; the TTL controller is about to delete it anyway\n", ref)
		}
	}
}

// podCounts counts a Job's pods by what deleting them loses.
type podCounts struct{ running, pending, failed int }

func countPods(pods []corev1.Pod) podCounts {
	var c podCounts
	for i := range pods {
		switch pods[i].Status.Phase {
		case corev1.PodRunning:
			c.running++
		case corev1.PodPending:
			c.pending++
		case corev1.PodFailed:
			c.failed++
		}
	}
	return c
}

func (c podCounts) activeText() string {
	var parts []string
	if c.running > 0 {
		parts = append(parts, fmt.Sprintf("%d still running", c.running))
	}
	if c.pending > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", c.pending))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// confirm asks on stderr whether to delete job and reads the answer from
// stdin; anything but y or yes, or no answer, is no.
func (o *DeleteOptions) confirm(job *batchv1.Job) bool {
	fmt.Fprintf(o.ErrOut, "Delete job.batch/%s in namespace %s? (y/N): ", job.Name, job.Namespace)
	return readYes(o.answers)
}

func readYes(r *bufio.Reader) bool {
	line, err := r.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return false
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

// printDeleted prints what kubectl delete prints for a deleted Job.
func (o *DeleteOptions) printDeleted(job *batchv1.Job) {
	printDeletedJob(o.Out, job, o.Output, o.dryRun)
}

func printDeletedJob(w io.Writer, job *batchv1.Job, output string, dryRun cmdutil.DryRunStrategy) {
	if output == "name" {
		fmt.Fprintf(w, "job.batch/%s\n", job.Name)
		return
	}
	suffix := ""
	switch dryRun {
	case cmdutil.DryRunClient:
		suffix = " (dry run)"
	case cmdutil.DryRunServer:
		suffix = " (server dry run)"
	}
	fmt.Fprintf(w, "job.batch %q deleted from %s namespace%s\n", job.Name, job.Namespace, suffix)
}

// waitGone waits, with --wait, until every deleted Job (and unless orphaned,
// its pods) is gone.
func (o *DeleteOptions) waitGone(ctx context.Context, jobs []*batchv1.Job) error {
	if !o.Wait || o.dryRun != cmdutil.DryRunNone || len(jobs) == 0 {
		return nil
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	withPods := o.propagation != metav1.DeletePropagationOrphan
	for _, job := range jobs {
		err := kube.WaitForJobAndPodsDeletion(ctx, o.Client, job, withPods)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return exitcode.New(exitcode.Timeout, fmt.Errorf("%w after %s; the deletes were accepted and go on: check with kubectl job list -n %s", err, o.Timeout, job.Namespace))
		case apierrors.IsForbidden(err):
			// The deletes were allowed and made; only seeing them finish is
			// not: say so once and exit partial rather than fail.
			resource := "jobs"
			var status apierrors.APIStatus
			if errors.As(err, &status) && status.Status().Details != nil && status.Status().Details.Kind != "" {
				resource = status.Status().Details.Kind
			}
			fmt.Fprintf(o.ErrOut, "Warning: %v; the deletes were accepted and go on without waiting\n", kube.NewReadError("watch", resource, job.Namespace, err))
			return exitcode.New(exitcode.Partial, nil)
		case err != nil:
			return fmt.Errorf("waiting for the deletes to finish: %w", err)
		}
	}
	return nil
}

// noJobsFound is kubectl's message for an empty selection.
func noJobsFound(namespace string) string {
	if namespace == "" {
		return "No resources found"
	}
	return fmt.Sprintf("No resources found in %s namespace.", namespace)
}
