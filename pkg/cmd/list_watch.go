package cmd

// list --watch: kube.JobListWatch follows the Jobs and their pods; this
// prints the rows that changed.

import (
	"context"
	"fmt"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// runWatch prints the initial table, then a row whenever a Job's row
// changes (kube.JobListWatch follows the Jobs and their pods), until ctx ends.
func (o *ListOptions) runWatch(ctx context.Context, jobs []batchv1.Job, rv string) error {
	w := &jobWatch{o: o, rows: printers.NewRowWriter(o.Out), last: map[types.UID]string{}}
	if len(o.Names) > 0 {
		w.names = map[string]bool{}
		for _, n := range o.Names {
			w.names[n] = true
		}
	}
	lw := &kube.JobListWatch{
		Client: o.Client, Namespace: o.scope(), LabelSelector: o.LabelSelector, FieldSelector: o.FieldSelector,
		WithPods: o.needsPods(),
		Relist: func(ctx context.Context) ([]batchv1.Job, string, error) {
			jobs, rv, _, _, err := o.fetchJobs(ctx)
			return jobs, rv, err
		},
	}
	if len(o.Names) == 1 {
		lw.Name = o.Names[0]
	}
	return lw.Run(ctx, jobs, rv, w.initial, w.update)
}

// jobWatch prints the rows of list --watch.
type jobWatch struct {
	o     *ListOptions
	rows  *printers.RowWriter
	names map[string]bool
	last  map[types.UID]string // signature of the row last printed
}

func (w *jobWatch) row(c kube.JobChange, now time.Time) printers.JobRow {
	r := printers.JobRow{Job: c.Job, Event: string(c.Event)}
	if w.o.needsVerdict() {
		r.Explanation = explain.Explain(explain.Input{Job: c.Job, Pods: c.Pods, Now: now, PodsUnknown: !c.PodsKnown, EventsUnknown: true})
	}
	return r
}

func (w *jobWatch) wanted(job *batchv1.Job, r printers.JobRow) bool {
	if w.names != nil && !w.names[job.Name] {
		return false
	}
	return len(w.o.phases) == 0 || w.o.phases[r.Explanation.Verdict.Phase]
}

func (w *jobWatch) initial(changes []kube.JobChange) {
	now := w.o.Now()
	var rows []printers.JobRow
	for _, c := range changes {
		r := w.row(c, now)
		w.last[c.Job.UID] = printers.ListRowSignature(r, w.o.printerOptions(now, false))
		if w.wanted(c.Job, r) {
			rows = append(rows, r)
		}
	}
	w.o.sortRows(rows, false)
	if w.o.printer != nil {
		for _, r := range rows {
			w.printObject(r.Job)
		}
		return
	}
	t := printers.ListTable(rows, w.o.printerOptions(now, false))
	if err := w.rows.PrintTable(t, w.o.NoHeaders); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

// update prints the Job's row if it changed since last printed (always for
// DELETED, and always for -o json/yaml/name, like kubectl get -w).
func (w *jobWatch) update(c kube.JobChange) {
	now := w.o.Now()
	job, event := c.Job, c.Event
	r := w.row(c, now)
	if w.o.printer == nil && event != watch.Deleted && r.Explanation != nil && r.Explanation.Verdict.Reason == explain.ReasonAwaitingController {
		// A pod ended and the job controller has yet to record it: a moment
		// of lag, not a state. Its row would flip Running → Pending → Succeeding.
		return
	}
	sig := printers.ListRowSignature(r, w.o.printerOptions(now, false))
	changed := sig != w.last[job.UID] || event == watch.Deleted
	w.last[job.UID] = sig
	if event == watch.Deleted {
		delete(w.last, job.UID)
	}
	if !w.wanted(job, r) || (!changed && w.o.printer == nil) {
		return
	}
	if w.o.printer != nil {
		w.printObject(job)
		return
	}
	if err := w.rows.PrintRow(printers.ListRow(r, w.o.printerOptions(now, false))); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

func (w *jobWatch) printObject(job *batchv1.Job) {
	if err := w.o.printer.PrintObj(printers.TypedJob(job), w.o.Out); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}
