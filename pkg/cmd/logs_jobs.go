package cmd

import (
	"context"
	"errors"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/logs"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// validateLogsSelector checks -l before any request.
func validateLogsSelector(selector, save string) error {
	if selector == "" {
		return nil
	}
	if _, err := labels.Parse(selector); err != nil {
		return withHint(fmt.Errorf("-l %q is not a label selector: %w", selector, err), "for example: -l app=etl or -l 'tier in (batch,ml)'")
	}
	if save != "" {
		return errors.New("--save keeps the evidence of one Job: name it instead of giving -l")
	}
	return nil
}

// runSelector prints or follows the logs of every Job -l matches, and exits
// with the worst of their codes (the order kubectl job wait uses).
func (o *LogsOptions) runSelector(ctx context.Context) error {
	list, _, err := kube.ListJobs(ctx, o.Client, o.Namespace, metav1.ListOptions{LabelSelector: o.Selector})
	if err != nil {
		return fmt.Errorf("cannot list the jobs matching -l %s: %w", o.Selector, err)
	}
	if len(list) == 0 {
		// kubectl logs -l with nothing matching: said on stderr, exit 0.
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	jobs := make([]*batchv1.Job, len(list))
	for i := range list {
		jobs[i] = &list[i]
	}
	run := logs.PrintJobs
	if o.Follow {
		run = logs.FollowJobs
	}
	results, err := run(ctx, o.Client, jobs, o.Logs, o.Out, o.ErrOut)
	if err != nil {
		return err
	}
	worst := exitcode.OK
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(o.ErrOut, "error: job %s: %s\n", printers.Sanitize(r.Job), errorMessage(r.Err))
		}
		if waitSeverity(r.Code) > waitSeverity(worst) {
			worst = r.Code
		}
	}
	return logsExitError(worst, nil)
}
