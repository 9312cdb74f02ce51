package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// validateCronJobs rejects what the --cronjobs view does not take.
func (o *ListOptions) validateCronJobs() error {
	switch {
	case len(o.Names) > 0 || o.CronJob != "" || len(o.Status) > 0 || o.Watch || o.LabelSelector != "" || o.FieldSelector != "" || o.SortBy != "" ||
		len(o.LabelColumns) > 0 || o.ShowLabels:
		return errors.New("--cronjobs lists every CronJob of the namespace (or of all with -A); it takes no names, --cronjob, --status, --watch, selectors, label columns or --sort-by")
	case o.output != "" && o.output != "wide":
		return withHint(fmt.Errorf("--cronjobs prints a table, not -o %s", o.output), "for one CronJob as JSON run: kubectl job explain cronjob/NAME -o json")
	}
	return nil
}

// runCronJobs prints one row per CronJob from 2 requests (the CronJobs and
// the Jobs), each classified by the CronJob engine over the last 24 hours
// without events (a list reads none).
func (o *ListOptions) runCronJobs(ctx context.Context) error {
	list, err := kube.ListCronJobs(ctx, o.Client, o.scope())
	if err != nil {
		return err
	}
	jobsByOwner := map[types.UID][]batchv1.Job{}
	for _, j := range list.Jobs {
		for _, ref := range j.OwnerReferences {
			if ref.Controller != nil && *ref.Controller && ref.Kind == "CronJob" {
				jobsByOwner[ref.UID] = append(jobsByOwner[ref.UID], j)
			}
		}
	}
	now := o.Now()
	var rows []*cronexplain.CronJobExplanation
	for i := range list.CronJobs {
		cj := &list.CronJobs[i]
		rows = append(rows, cronexplain.Explain(cronexplain.Input{CronJob: cj, Jobs: jobsByOwner[cj.UID], Now: now,
			PodsUnknown: true, EventsUnknown: true}))
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Namespace != rows[j].Namespace {
			return rows[i].Namespace < rows[j].Namespace
		}
		return rows[i].Name < rows[j].Name
	})
	if len(rows) == 0 {
		fmt.Fprintln(o.ErrOut, noJobsFound(o.scope()))
	} else if err := printers.PrintCronJobList(o.Out, rows, printers.CronJobListOptions{AllNamespaces: o.AllNamespaces, NoHeaders: o.NoHeaders}); err != nil {
		return err
	}
	return warnPartial(o.ErrOut, list.Problems)
}
