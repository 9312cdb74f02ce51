package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// SuspendOptions are the options of kubectl job suspend and resume.
type SuspendOptions struct {
	commandCore

	// Suspend is true for suspend, false for resume.
	Suspend      bool
	Selector     string
	FieldManager string

	jobs     []string
	cronJobs []string
}

// NewSuspendOptions returns SuspendOptions for suspend (true) or resume.
func NewSuspendOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams, suspend bool) *SuspendOptions {
	return &SuspendOptions{commandCore: newCommandCore(configFlags, streams), Suspend: suspend, FieldManager: defaultFieldManager}
}

// NewCmdSuspend suspends Jobs and CronJobs.
func NewCmdSuspend(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdSuspend(NewSuspendOptions(configFlags, streams, true))
}

// NewCmdResume resumes suspended Jobs and CronJobs.
func NewCmdResume(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdSuspend(NewSuspendOptions(configFlags, streams, false))
}

func newCmdSuspend(o *SuspendOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "suspend (NAME... | cronjob/NAME... | -l SELECTOR)",
		Short: "Suspend Jobs (their active pods are deleted) or CronJobs (no new runs)",
		Long: `Suspend Jobs or CronJobs by setting spec.suspend, and say what that does.

A suspended Job's active pods are deleted (they do not count as failures),
no new pods start, and its activeDeadlineSeconds clock stops; kubectl job
resume starts pods again and restarts the deadline clock from zero.
A suspended CronJob schedules no new Jobs; Jobs it already started keep running.`,
		Example: `  # Suspend a Job: its running pods are deleted until it is resumed
  kubectl job suspend batch-1

  # Suspend every Job of a pipeline
  kubectl job suspend -l pipeline=nightly

  # Stop a CronJob from starting new Jobs
  kubectl job suspend cronjob/nightly`,
	}
	if !o.Suspend {
		cmd.Use = "resume (NAME... | cronjob/NAME... | -l SELECTOR)"
		cmd.Short = "Resume suspended Jobs (pods start, the deadline clock restarts) or CronJobs"
		cmd.Long = `Resume suspended Jobs or CronJobs by clearing spec.suspend, and say what that does.

A resumed Job starts pods again, and its status.startTime is reset, so the
activeDeadlineSeconds clock starts from zero. A resumed CronJob schedules
again; its most recent missed run starts at once unless startingDeadlineSeconds
has passed.`
		cmd.Example = `  # Resume a suspended Job
  kubectl job resume batch-1

  # Resume every suspended Job of a pipeline
  kubectl job resume -l pipeline=nightly

  # Let a CronJob schedule again
  kubectl job resume cronjob/nightly`
	}
	cmd.RunE = runE(o)
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", o.Selector, "Every Job matching this label selector")
	cmd.Flags().StringVar(&o.FieldManager, "field-manager", o.FieldManager, "Name of the manager recorded in managedFields")
	return cmd
}

// Complete sorts the arguments into Jobs and CronJobs and sets up the client.
func (o *SuspendOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.jobs, o.cronJobs, err = parseNameArgs(args, true); err != nil {
		return err
	}
	return o.complete(true)
}

// Validate checks the arguments before any request.
func (o *SuspendOptions) Validate() error {
	verb := o.verb()
	if len(o.jobs)+len(o.cronJobs) == 0 && o.Selector == "" {
		return withHint(fmt.Errorf("name the Jobs to %s, or give -l SELECTOR", verb), "for example: kubectl job %s NAME", verb)
	}
	if len(o.jobs)+len(o.cronJobs) > 0 && o.Selector != "" {
		return errors.New("give names or -l SELECTOR, not both")
	}
	return nil
}

func (o *SuspendOptions) done() string {
	if o.Suspend {
		return "suspended"
	}
	return "resumed"
}

func (o *SuspendOptions) verb() string {
	if o.Suspend {
		return "suspend"
	}
	return "resume"
}

// Run patches every Job and CronJob named, reporting each; one failing does
// not stop the others, and the exit code is 1 if any failed.
func (o *SuspendOptions) Run(ctx context.Context) error {
	var jobs []*batchv1.Job
	total, failed := len(o.jobs)+len(o.cronJobs), 0
	if o.Selector != "" {
		list, err := o.Client.BatchV1().Jobs(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: o.Selector})
		if err != nil {
			return err
		}
		if len(list.Items) == 0 {
			return fmt.Errorf("no jobs found in namespace %s matching %q", o.Namespace, o.Selector)
		}
		for i := range list.Items {
			jobs = append(jobs, &list.Items[i])
		}
		total += len(jobs)
	}
	for _, name := range o.jobs {
		job, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			o.reportError(err)
			failed++
			continue
		}
		jobs = append(jobs, job)
	}
	if err := o.checkAccess(ctx, len(jobs)+len(o.cronJobs)); err != nil {
		return err
	}
	for _, job := range jobs {
		if err := o.job(ctx, job); err != nil {
			o.reportError(err)
			failed++
		}
	}
	for _, name := range o.cronJobs {
		if err := o.cronJob(ctx, name); err != nil {
			o.reportError(err)
			failed++
		}
	}
	switch {
	case failed == 0:
		return nil
	case total == 1:
		return exitcode.New(exitcode.Error, nil) // its error is printed
	default:
		return exitcode.New(exitcode.Error, fmt.Errorf("%d of %d could not be %s", failed, total, o.done()))
	}
}

// checkAccess makes sure, before the first patch of several, that every one
// is allowed, so that a user without the right is told once and nothing is
// half done. One patch needs no check: it happens or not.
func (o *SuspendOptions) checkAccess(ctx context.Context, objects int) error {
	if objects < 2 {
		return nil
	}
	var accesses []kube.Access
	if objects > len(o.cronJobs) {
		accesses = append(accesses, kube.Access{Verb: "patch", Resource: batchv1.Resource("jobs"), Namespace: o.Namespace})
	}
	if len(o.cronJobs) > 0 {
		accesses = append(accesses, kube.Access{Verb: "patch", Resource: batchv1.Resource("cronjobs"), Namespace: o.Namespace})
	}
	return withHint(kube.CheckAccess(ctx, o.Client, accesses...), "nothing was %s", o.done())
}

func (o *SuspendOptions) reportError(err error) {
	fmt.Fprintln(o.ErrOut, errorMessage(err))
}

// setSuspend sets spec.suspend of a Job or CronJob read with uid; one
// re-created since is not patched, and the error says so.
func (o *SuspendOptions) setSuspend(ctx context.Context, resource, kind, namespace, name string, uid types.UID) error {
	err := kube.SetSuspend(ctx, o.Client, resource, namespace, name, uid, o.Suspend, o.FieldManager)
	if kube.IsUIDChanged(err) {
		return fmt.Errorf("%s %s was deleted and re-created since it was read (its UID changed); the new %s was not %s: run the command again",
			strings.ToLower(kind), printers.Sanitize(name), kind, o.done())
	}
	return err
}

// job suspends or resumes one Job and says what the controller will do.
func (o *SuspendOptions) job(ctx context.Context, job *batchv1.Job) error {
	name := printers.Sanitize(job.Name)
	phase := explain.Explain(explain.Input{Job: job, PodsUnknown: true}).Verdict.Phase
	if phase.Finished() {
		fmt.Fprintf(o.Out, "job.batch/%s unchanged\n", name)
		fmt.Fprintf(o.ErrOut, "  it is %s: a finished Job cannot be %s; rerun it with kubectl job rerun %s%s\n", phase, o.done(), name, namespaceFlag(job.Namespace))
		return nil
	}
	if ptr.Deref(job.Spec.Suspend, false) == o.Suspend {
		fmt.Fprintf(o.Out, "job.batch/%s unchanged\n", name)
		fmt.Fprintf(o.ErrOut, "  it is already %s\n", map[bool]string{true: "suspended", false: "running (not suspended)"}[o.Suspend])
		return nil
	}
	if err := o.setSuspend(ctx, "jobs", "Job", job.Namespace, job.Name, job.UID); err != nil {
		return err
	}
	if o.Suspend {
		fmt.Fprintf(o.Out, "job.batch/%s suspended\n", name)
		if n := job.Status.Active; n > 0 {
			fmt.Fprintf(o.ErrOut, "  its %s being deleted; they do not count as failures\n", explain.Plural(n, "active pod is", "active pods are"))
		} else {
			fmt.Fprintln(o.ErrOut, "  it had no active pods; no new pods start until it is resumed")
		}
		if d := job.Spec.ActiveDeadlineSeconds; d != nil {
			fmt.Fprintf(o.ErrOut, "  its deadline clock (activeDeadlineSeconds %d) stops, and starts from zero on resume\n", *d)
		}
		fmt.Fprintf(o.ErrOut, "  resume it with kubectl job resume %s%s\n", name, namespaceFlag(job.Namespace))
		return nil
	}
	fmt.Fprintf(o.Out, "job.batch/%s resumed\n", name)
	parallelism := ptr.Deref(job.Spec.Parallelism, 1)
	fmt.Fprintf(o.ErrOut, "  the controller starts up to %s again\n", explain.Plural(parallelism, "pod", "pods"))
	if d := job.Spec.ActiveDeadlineSeconds; d != nil {
		fmt.Fprintf(o.ErrOut, "  the deadline clock restarts now: startTime is reset, so it fails if still running in %ds\n", *d)
	}
	return nil
}

// cronJob suspends or resumes one CronJob.
func (o *SuspendOptions) cronJob(ctx context.Context, name string) error {
	cj, err := o.Client.BatchV1().CronJobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	shown := printers.Sanitize(cj.Name)
	if ptr.Deref(cj.Spec.Suspend, false) == o.Suspend {
		fmt.Fprintf(o.Out, "cronjob.batch/%s unchanged\n", shown)
		fmt.Fprintf(o.ErrOut, "  it is already %s\n", map[bool]string{true: "suspended", false: "scheduling (not suspended)"}[o.Suspend])
		return nil
	}
	if err := o.setSuspend(ctx, "cronjobs", "CronJob", o.Namespace, cj.Name, cj.UID); err != nil {
		return err
	}
	if o.Suspend {
		fmt.Fprintf(o.Out, "cronjob.batch/%s suspended\n", shown)
		fmt.Fprintln(o.ErrOut, "  no new Jobs will be scheduled")
		if n := len(cj.Status.Active); n > 0 {
			var names []string
			for _, ref := range cj.Status.Active {
				names = append(names, printers.Sanitize(ref.Name))
			}
			fmt.Fprintf(o.ErrOut, "  its %s not affected; suspend %s with kubectl job suspend %s%s\n",
				explain.Plural(n, "running Job is", "running Jobs are"), explain.PluralWord(n, "it", "them"), strings.Join(names, " "), namespaceFlag(o.Namespace))
		}
		return nil
	}
	fmt.Fprintf(o.Out, "cronjob.batch/%s resumed\n", shown)
	deadline := "unset, so it starts whatever the delay"
	if d := cj.Spec.StartingDeadlineSeconds; d != nil {
		deadline = fmt.Sprintf("%ds", *d)
	}
	fmt.Fprintf(o.ErrOut, "  schedule %q applies again; the most recent run missed while suspended starts now if within startingDeadlineSeconds (%s)\n",
		printers.Sanitize(cj.Spec.Schedule), deadline)
	return nil
}
