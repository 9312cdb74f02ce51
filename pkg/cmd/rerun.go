package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/jobspec"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// RerunOptions are the options of kubectl job rerun.
type RerunOptions struct {
	commandCore
	jobWriteOptions

	Name              string
	NewName           string
	GenerateName      bool
	Replace           bool
	FailedIndexesOnly bool
	Renumber          bool
	Force             bool

	flags *pflag.FlagSet
}

// NewRerunOptions returns RerunOptions with the defaults.
func NewRerunOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *RerunOptions {
	return &RerunOptions{commandCore: newCommandCore(configFlags, streams), jobWriteOptions: newJobWriteOptions()}
}

// NewCmdRerun creates a fresh Job from an old one.
func NewCmdRerun(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewRerunOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "rerun NAME [--name NEW | --generate-name | --replace] [--failed-indexes-only] [flags]",
		Short: "Run a finished Job again, as a new Job with the same spec",
		Long: `Create a fresh Job from a finished one: same spec, labels and annotations,
without its status, UID, generated selector and controller labels. The new Job
records where it came from in the annotation kubectl-job.io/rerun-of
(namespace/name/uid). Any Job setting can be overridden with the flags of
kubectl job create (--image, --env, --backoff-limit, ...).

Naming: by default the API server generates "NAME-rerun-xxxxx"; --name picks
a name; --replace deletes the old Job first (UID precondition, foreground, so
its pods go too) and reuses its name. With --replace the new Job is checked by
the API server (dry run) before the old one is deleted.

--failed-indexes-only reruns an Indexed Job for the indexes that did not
succeed, under their own numbers: the new Job keeps the old completions, is
created suspended, gets the indexes that had succeeded written into its
status.completedIndexes (listed in the annotation
kubectl-job.io/carried-indexes), and is then resumed, so the job controller
creates pods only for the failed indexes. That needs permission to patch
jobs/status; without it the rerun is refused before anything is created.
--renumber runs the failed indexes as 0..K-1 instead: the original index of
rerun index i is item i of the comma-separated list in the
KUBECTL_JOB_ORIGINAL_INDEXES environment variable (and the annotation
kubectl-job.io/original-indexes), which the workload must read itself.

A Job that has not finished is refused unless --force: running it twice at
once is rarely what anyone wants.`,
		Example: `  # Run a failed Job again under a generated name and wait for the outcome
  kubectl job rerun migrate --wait

  # Replace the old Job (same name) with a new image and stream its logs
  kubectl job rerun migrate --replace --image=app:1.3 --follow

  # Rerun only the indexes of an Indexed Job that did not succeed, under their own numbers
  kubectl job rerun shard --failed-indexes-only

  # The same without permission to write Job status: the indexes run as 0..K-1
  kubectl job rerun shard --failed-indexes-only --renumber

  # Show the Job a rerun would create
  kubectl job rerun migrate --dry-run=client -o yaml`,
		RunE: runE(o),
	}
	o.addFlags(cmd, `"none", "client" (print the new Job, send nothing) or "server" (the API server checks it, nothing is stored or deleted)`)
	fs := cmd.Flags()
	fs.StringVar(&o.NewName, "name", o.NewName, "Name of the new Job")
	fs.BoolVar(&o.GenerateName, "generate-name", o.GenerateName, "Let the API server name the new Job NAME-rerun-xxxxx (the default without --name or --replace)")
	fs.BoolVar(&o.Replace, "replace", o.Replace, "Delete the old Job and its pods first, then create the new one under the same name")
	fs.BoolVar(&o.FailedIndexesOnly, "failed-indexes-only", o.FailedIndexesOnly, "Indexed Jobs: run only the indexes that did not succeed, under their own numbers")
	fs.BoolVar(&o.Renumber, "renumber", o.Renumber, "With --failed-indexes-only: run those indexes as 0..K-1 (see KUBECTL_JOB_ORIGINAL_INDEXES) instead of writing the new Job's status")
	fs.BoolVar(&o.Force, "force", o.Force, "Rerun a Job that has not finished (with --replace, its running pods are deleted)")
	return cmd
}

// Complete reads the arguments and flags and sets up the client and printer.
func (o *RerunOptions) Complete(cmd *cobra.Command, args []string) error {
	o.flags = cmd.Flags()
	names, err := parseJobArgs(args)
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return withHint(fmt.Errorf("rerun takes one Job name, got %d", len(names)), "kubectl job rerun NAME")
	}
	o.Name = names[0]
	if err := o.completeWrite(o.flags, o.Out); err != nil {
		return err
	}
	return o.complete(true)
}

// Validate checks the flags before any request.
func (o *RerunOptions) Validate() error {
	naming := 0
	for _, set := range []bool{o.NewName != "", o.GenerateName, o.Replace} {
		if set {
			naming++
		}
	}
	if naming > 1 {
		return errors.New("--name, --generate-name and --replace each name the new Job: give one of them")
	}
	if o.NewName != "" {
		if err := jobspec.ValidateName(o.NewName, false); err != nil {
			return err
		}
		if o.NewName == o.Name {
			return withHint(fmt.Errorf("--name %s is the old Job's name", o.NewName), "use --replace to delete the old Job and reuse its name")
		}
	}
	if o.Renumber && !o.FailedIndexesOnly {
		return errors.New("--renumber only applies with --failed-indexes-only")
	}
	if o.dryRunStrategy != dryRunNone && (o.Wait || o.Follow) {
		return errors.New("--wait and --follow cannot be used with --dry-run: nothing is created to wait for")
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	if err := o.validateSave(); err != nil {
		return err
	}
	return o.knobValues.Check()
}

// Run reads the old Job, builds the new one, (with --replace) deletes the old
// one, creates the new one, and waits or follows when asked.
func (o *RerunOptions) Run(ctx context.Context) error {
	old, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return o.jobNotFound(ctx, err, o.Name)
	}
	phase := explain.Explain(explain.Input{Job: old, Now: o.Now(), PodsUnknown: true}).Verdict.Phase
	if !phase.Finished() && !o.Force {
		return withHint(fmt.Errorf("job %s has not finished (%s): a rerun now would run it twice at once", o.Name, phase),
			"wait for it with kubectl job wait %s%s, or rerun anyway with --force", o.Name, namespaceFlag(o.Namespace))
	}
	if o.FailedIndexesOnly && phase != explain.PhaseFailed {
		return fmt.Errorf("--failed-indexes-only reruns the indexes of a failed Job, but job %s is %s", o.Name, phase)
	}
	opts := jobspec.RerunOptions{
		Name:              o.NewName,
		GenerateName:      o.NewName == "" && !o.Replace,
		FailedIndexesOnly: o.FailedIndexesOnly,
		Renumber:          o.Renumber,
		Knobs:             o.knobValues,
	}
	job, notes, err := jobspec.Rerun(old, opts)
	if err != nil {
		return err
	}
	// The notes say what the new Job does: only once it is sure to be made.
	printNotes := func() {
		for _, n := range notes {
			fmt.Fprintf(o.ErrOut, "note: %s\n", n)
		}
	}
	switch o.dryRunStrategy {
	case dryRunClient:
		printNotes()
		return o.printObj(job)
	case dryRunServer:
		checked, err := o.dryRunCreate(ctx, job)
		if err != nil {
			return err
		}
		printNotes()
		return o.printObj(checked)
	}
	if o.Wait || o.Follow {
		if err := kube.CheckAccess(ctx, o.Client, awaitAccesses([]*batchv1.Job{job}, o.Namespace, o.Follow)...); err != nil {
			return withHint(err, "nothing was created or deleted; drop --wait/--follow to rerun without watching")
		}
	}
	carried, carriedCount, err := jobspec.CarriedIndexes(job)
	if err != nil {
		return err
	}
	if o.FailedIndexesOnly && !o.Renumber {
		if err := kube.CheckAccess(ctx, o.Client, kube.CarryAccesses(o.Namespace)...); err != nil {
			return withHint(err, "keeping the original index numbers writes the new Job's status; nothing was created or deleted; rerun with --renumber to run the failed indexes as 0..K-1 instead")
		}
	}
	if o.Replace {
		// The API server checks the new Job before the old one is deleted,
		// so a refused spec leaves the old Job in place.
		if _, err := o.dryRunCreate(ctx, job); err != nil {
			// A hint, not a wrap: errorMessage prints an API error in
			// kubectl's words only, and this must still be said.
			return withHint(err, "the new Job was refused, so job %s was not deleted", o.Name)
		}
		// Deleting, then waiting for the old Job to be gone (a watch), must
		// both be allowed, or the old Job could go and the new never come.
		jobsResource := batchv1.Resource("jobs")
		if err := kube.CheckAccess(ctx, o.Client,
			kube.Access{Verb: "delete", Resource: jobsResource, Namespace: old.Namespace},
			kube.Access{Verb: "list", Resource: jobsResource, Namespace: old.Namespace},
			kube.Access{Verb: "watch", Resource: jobsResource, Namespace: old.Namespace},
		); err != nil {
			return withHint(err, "job %s was not deleted and no new Job was created", o.Name)
		}
		if err := o.replace(ctx, old); err != nil {
			return err
		}
	}
	printNotes()
	var created *batchv1.Job
	if o.FailedIndexesOnly && !o.Renumber {
		created, err = kube.CreateCarryingIndexes(ctx, o.Client, job, carried, carriedCount, metav1.CreateOptions{FieldManager: o.FieldManager})
	} else {
		created, err = kube.CreateJob(ctx, o.Client, job, o.FieldManager)
	}
	if err != nil {
		if o.Replace {
			return withHint(err, "job %s was deleted but the new Job could not be created", o.Name)
		}
		return err
	}
	if err := o.printObj(created); err != nil {
		return err
	}
	if !o.Wait && !o.Follow {
		return nil
	}
	return awaitCreated(ctx, o.Client, []*batchv1.Job{created}, o.Follow, o.Timeout, o.Now, o.IOStreams, o.Progress, o.Save)
}

// dryRunCreate asks the API server to check job without storing it. Under
// --replace the old Job still holds the name, so the check uses a generated
// name.
func (o *RerunOptions) dryRunCreate(ctx context.Context, job *batchv1.Job) (*batchv1.Job, error) {
	generateName := ""
	if o.Replace {
		generateName = jobspec.RerunNamePrefix(job.Name)
	}
	return kube.DryRunCreateJob(ctx, o.Client, job, generateName, o.FieldManager)
}

// replace deletes old (UID precondition, foreground: its pods go first) and
// waits until it is gone.
func (o *RerunOptions) replace(ctx context.Context, old *batchv1.Job) error {
	// Say what goes with the old Job, as delete does: its pods, and with
	// them the logs of its failed attempts.
	pods, err := kube.ListJobPods(ctx, o.Client, old)
	if err != nil {
		fmt.Fprintf(o.ErrOut, "Warning: %v; cannot say what goes with job.batch/%s\n", kube.NewReadError("list", "pods", old.Namespace, err), old.Name)
	}
	for _, line := range (printers.DeleteImpact{Job: old, Pods: pods, PodsKnown: err == nil, Now: o.Now()}).Lines() {
		fmt.Fprintln(o.ErrOut, line)
	}
	err = kube.ReplaceJob(ctx, o.Client, old, o.Timeout, func() {
		fmt.Fprintf(o.ErrOut, "job.batch/%s deleted; waiting for it and its pods to be gone\n", o.Name)
	})
	switch {
	case kube.IsPreconditionFailed(err):
		return fmt.Errorf("job %s was re-created since it was read; not deleting the new one: %w", o.Name, err)
	case errors.Is(err, context.DeadlineExceeded):
		return exitcode.New(exitcode.Timeout, fmt.Errorf("job %s is still being deleted after %s; the new Job was not created", o.Name, o.Timeout))
	}
	return err
}
