package cmd

// What kubectl job delete does once its flags are read: find the Jobs, say
// what goes with each (printers.DeleteImpact), delete them with their UID
// precondition (kube.DeleteJob) and wait until they are gone.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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
	pods, podsErr := kube.PodsOfJobs(ctx, o.Client, o.scope(), jobs)
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
		for _, line := range (printers.DeleteImpact{
			Job: job, Pods: jobPods, PodsKnown: known, Orphan: o.propagation == metav1.DeletePropagationOrphan,
			InNamespace: o.AllNamespaces, PodLabel: kube.LabelControllerUID, Explanation: exp, Now: now,
		}).Lines() {
			fmt.Fprintln(o.ErrOut, line)
		}
		if o.Interactive && !o.confirm(job) {
			fmt.Fprintf(o.ErrOut, "job.batch/%s skipped\n", job.Name)
			continue
		}
		if o.dryRun == dryRunClient {
			o.printDeleted(job)
			continue
		}
		err := kube.DeleteJob(ctx, o.Client, job, kube.DeleteJobOptions{
			Propagation:        o.propagation,
			GracePeriodSeconds: o.gracePeriod,
			DryRun:             o.dryRun == dryRunServer,
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
			for _, err := range kube.DeleteUnfinishedPods(ctx, o.Client, jobPods, *o.gracePeriod, o.dryRun == dryRunServer) {
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
	if o.dryRun != dryRunNone {
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
	jobs, notFound, err := kube.GetJobs(ctx, o.Client, o.Namespace, o.Names)
	if err != nil {
		return nil, err
	}
	switch {
	case len(notFound) == 1 && len(o.Names) == 1:
		return nil, o.jobNotFound(ctx, notFound[0], o.Names[0])
	case len(notFound) > 0:
		for _, err := range notFound {
			fmt.Fprintln(o.ErrOut, errorMessage(err))
		}
		return nil, fmt.Errorf("nothing was deleted: %d of %d Jobs not found; list Jobs with: kubectl job list -n %s", len(notFound), len(o.Names), o.Namespace)
	}
	return jobs, nil
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

func printDeletedJob(w io.Writer, job *batchv1.Job, output string, dryRun dryRunStrategy) {
	if output == "name" {
		fmt.Fprintf(w, "job.batch/%s\n", job.Name)
		return
	}
	suffix := ""
	switch dryRun {
	case dryRunClient:
		suffix = " (dry run)"
	case dryRunServer:
		suffix = " (server dry run)"
	}
	fmt.Fprintf(w, "job.batch %q deleted from %s namespace%s\n", job.Name, job.Namespace, suffix)
}

// waitGone waits, with --wait, until every deleted Job (and unless orphaned,
// its pods) is gone.
func (o *DeleteOptions) waitGone(ctx context.Context, jobs []*batchv1.Job) error {
	if !o.Wait || o.dryRun != dryRunNone || len(jobs) == 0 {
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
