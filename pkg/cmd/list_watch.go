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

// runWatch prints the initial table (not with --watch-only), then a row
// whenever a Job's row changes (kube.JobListWatch follows the Jobs and their
// pods), until ctx ends. Under --cronjob (cj set) it keeps that view: the
// CronJob's line and header, its Jobs only, newest first, the KEEP column.
func (o *ListOptions) runWatch(ctx context.Context, jobs []batchv1.Job, rv string, cj *batchv1.CronJob) error {
	w := &jobWatch{o: o, cj: cj, rows: printers.NewRowWriter(o.Out), last: map[types.UID]string{}, shown: map[types.UID]bool{}, lastRows: map[types.UID]printers.JobRow{}}
	if len(o.Names) > 0 {
		w.names = map[string]bool{}
		for _, n := range o.Names {
			w.names[n] = true
		}
	}
	lw := &kube.JobListWatch{
		Client: o.Client, Namespace: o.scope(), LabelSelector: o.LabelSelector, FieldSelector: o.FieldSelector,
		WithPods: o.evidence() != kube.JobsOnly,
		Relist: func(ctx context.Context) ([]batchv1.Job, string, error) {
			jobs, rv, _, _, err := o.fetchJobs(ctx)
			return jobs, rv, err
		},
	}
	if cj != nil {
		lw.ControllerUID = cj.UID
		w.jobs = map[types.UID]batchv1.Job{}
	}
	if len(o.Names) == 1 {
		lw.Name = o.Names[0]
	}
	return lw.Run(ctx, jobs, rv, w.initial, w.update)
}

// jobWatch prints the rows of list --watch.
type jobWatch struct {
	o     *ListOptions
	cj    *batchv1.CronJob // --cronjob
	rows  *printers.RowWriter
	names map[string]bool
	last  map[types.UID]string // signature of the row last computed
	// shown are the Jobs whose rows are (or, with --watch-only, would have
	// been) printed: only those get a Deleted row.
	shown   map[types.UID]bool
	jobs    map[types.UID]batchv1.Job // --cronjob: the CronJob's Jobs, for KEEP
	printed bool                      // the header (or the first object) is out
	// lastRows are the rows last computed (--cronjob), so a Job whose KEEP
	// another Job changed is printed again.
	lastRows map[types.UID]printers.JobRow
}

func (w *jobWatch) options(now time.Time) printers.ListOptions {
	return w.o.printerOptions(now, w.cj != nil)
}

func (w *jobWatch) row(c kube.JobChange, now time.Time) printers.JobRow {
	r := printers.JobRow{Job: c.Job, Event: string(c.Event), Deleted: c.Event == watch.Deleted}
	if w.o.needsVerdict() {
		r.Explanation = explain.Explain(explain.Input{Job: c.Job, Pods: c.Pods, Now: now, PodsUnknown: !c.PodsKnown, EventsUnknown: true})
	}
	return r
}

// keep fills the KEEP cells of rows from the CronJob's Jobs as last seen.
func (w *jobWatch) keep(rows []printers.JobRow) {
	if w.cj == nil {
		return
	}
	jobs := make([]batchv1.Job, 0, len(w.jobs))
	for _, j := range w.jobs {
		jobs = append(jobs, j)
	}
	markKept(rows, w.cj, jobs)
}

func (w *jobWatch) wanted(job *batchv1.Job, r printers.JobRow) bool {
	if w.names != nil && !w.names[job.Name] {
		return false
	}
	return len(w.o.phases) == 0 || w.o.phases[r.Explanation.Verdict.Phase]
}

func (w *jobWatch) initial(changes []kube.JobChange) {
	now := w.o.Now()
	all := make([]printers.JobRow, len(changes))
	for i, c := range changes {
		if w.jobs != nil {
			w.jobs[c.Job.UID] = *c.Job
		}
		all[i] = w.row(c, now)
	}
	w.keep(all)
	var rows []printers.JobRow
	for _, r := range all {
		w.last[r.Job.UID] = printers.ListRowSignature(r, w.options(now))
		if w.cj != nil {
			w.lastRows[r.Job.UID] = r
		}
		if w.wanted(r.Job, r) {
			w.shown[r.Job.UID] = true
			rows = append(rows, r)
		}
	}
	if w.o.WatchOnly {
		return // kubectl get --watch-only: changes only, the header with the first
	}
	w.o.sortRows(rows, w.cj != nil)
	w.print(rows, now)
}

// print prints rows: the first time as a table under the header (and the
// --cronjob line), later one aligned row each.
func (w *jobWatch) print(rows []printers.JobRow, now time.Time) {
	var err error
	switch {
	case w.o.printer != nil:
		for _, r := range rows {
			w.printObject(r.Job)
		}
	case w.printed:
		for _, r := range rows {
			if err = w.rows.PrintRow(printers.ListRow(r, w.options(now))); err != nil {
				break
			}
		}
	default:
		w.o.printCronJobLine(w.cj, now)
		err = w.rows.PrintTable(printers.ListTable(rows, w.options(now)), w.o.NoHeaders)
	}
	w.printed = true
	if err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

// update prints the Job's row if it changed since last computed (always for
// -o json/yaml/name, like kubectl get -w). A deleted Job whose row was shown
// gets a last row, STATUS Deleted.
func (w *jobWatch) update(c kube.JobChange) {
	now := w.o.Now()
	job, event := c.Job, c.Event
	if w.jobs != nil {
		if event == watch.Deleted {
			delete(w.jobs, job.UID)
		} else {
			w.jobs[job.UID] = *job
		}
	}
	r := w.row(c, now)
	if w.o.printer == nil && event != watch.Deleted && r.Explanation != nil && r.Explanation.Verdict.Reason == explain.ReasonAwaitingController {
		// A pod ended and the job controller has yet to record it: a moment
		// of lag, not a state. Its row would flip Running → Pending → Succeeding.
		return
	}
	rows := []printers.JobRow{r}
	w.keep(rows)
	sig := printers.ListRowSignature(rows[0], w.options(now))
	changed := sig != w.last[job.UID]
	w.last[job.UID] = sig
	var want bool
	if event == watch.Deleted {
		want = w.shown[job.UID]
		delete(w.last, job.UID)
		delete(w.shown, job.UID)
		delete(w.lastRows, job.UID)
	} else {
		want = w.wanted(job, r)
		w.shown[job.UID] = want
		if w.cj != nil {
			w.lastRows[job.UID] = rows[0]
		}
	}
	if want && (changed || event == watch.Deleted || w.o.printer != nil) {
		w.print(rows, now)
	}
	w.keepChanged(job.UID, now)
}

// keepChanged prints again, newest first, the shown rows of the CronJob's
// other Jobs whose KEEP the change of Job uid changed (a Job that finished
// or went makes the history limits keep another set). Not with -o, whose
// objects have no KEEP, nor --output-watch-events: nothing happened to
// those Jobs.
func (w *jobWatch) keepChanged(uid types.UID, now time.Time) {
	if w.cj == nil || w.o.printer != nil || w.o.WatchEvents {
		return
	}
	var others []printers.JobRow
	for id, r := range w.lastRows {
		if id != uid {
			others = append(others, r)
		}
	}
	w.keep(others)
	var changed []printers.JobRow
	for _, r := range others {
		w.lastRows[r.Job.UID] = r
		sig := printers.ListRowSignature(r, w.options(now))
		if sig != w.last[r.Job.UID] && w.shown[r.Job.UID] {
			changed = append(changed, r)
		}
		w.last[r.Job.UID] = sig
	}
	if len(changed) > 0 {
		w.o.sortRows(changed, true)
		w.print(changed, now)
	}
}

func (w *jobWatch) printObject(job *batchv1.Job) {
	if err := w.o.printer.PrintObj(printers.TypedJob(job), w.o.Out); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}
