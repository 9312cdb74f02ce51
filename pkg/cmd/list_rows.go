package cmd

// The rows of kubectl job list: their verdicts (kube.ExplainJobs), the
// --status filter, the --sort-by order and how they are printed.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
)

// evidence is what the verdicts read beyond the Jobs: the human table shows
// Pending vs Running, from the pods of the live Jobs whose spec does not decide
// it (explain.ListRowNeedsPods), and -o wide's MESSAGE from every live Job's
// pods; --status may ask for Pending or Running; -o json/yaml/name print the
// objects and need no verdict at all.
func (o *ListOptions) evidence() kube.Evidence {
	switch {
	case o.printer == nil && o.output == "wide":
		return kube.AllEvidence
	case o.printer == nil, o.phases[explain.PhasePending], o.phases[explain.PhaseRunning], o.phases[explain.PhaseNotStarted]:
		return kube.RowEvidence
	}
	return kube.JobsOnly
}

// needsVerdict says whether explain must run at all.
func (o *ListOptions) needsVerdict() bool { return o.printer == nil || len(o.phases) > 0 }

// explainRows computes each Job's verdict with kube.ExplainJobs: the
// evidence explain uses, read for the live Jobs only, in at most two more
// requests whatever their number.
func (o *ListOptions) explainRows(ctx context.Context, jobs []batchv1.Job) []printers.JobRow {
	rows := make([]printers.JobRow, len(jobs))
	ptrs := make([]*batchv1.Job, len(jobs))
	for i := range jobs {
		rows[i].Job, ptrs[i] = &jobs[i], &jobs[i]
	}
	if !o.needsVerdict() {
		return rows
	}
	exps, err := kube.ExplainJobs(ctx, o.Client, o.scope(), ptrs, o.ChunkSize, o.evidence(), o.Now())
	for i := range rows {
		rows[i].Explanation = exps[i]
	}
	o.warnMissing(err)
	return rows
}

// listExplainedRows lists and judges the Jobs in one pass
// (kube.ListExplainedJobs): the pods a page of Jobs needs are read while
// the next page is.
func (o *ListOptions) listExplainedRows(ctx context.Context) ([]printers.JobRow, error) {
	got, err := kube.ListExplainedJobs(ctx, o.Client, kube.FleetQuery{
		Scope:             o.scope(),
		Options:           metav1.ListOptions{LabelSelector: o.LabelSelector, FieldSelector: o.FieldSelector, Limit: o.ChunkSize},
		Evidence:          o.evidence(),
		TrimManagedFields: o.printer == nil,
		Now:               o.Now(),
	})
	if err != nil {
		return nil, err
	}
	rows := make([]printers.JobRow, len(got.Jobs))
	for i := range got.Jobs {
		rows[i] = printers.JobRow{Job: got.Jobs[i], Explanation: got.Explanations[i]}
	}
	o.warnMissing(got.Missing)
	return rows, nil
}

// warnMissing says on stderr what evidence could not be read: the table
// still shows what the Jobs say, and the exit code says it is partial.
func (o *ListOptions) warnMissing(err error) {
	if err != nil {
		o.partial = true
		fmt.Fprintf(o.ErrOut, "Warning: %v; %s\n", err, missingEvidence(err))
	}
}

// missingEvidence says what a failed read of kube.ExplainJobs leaves out.
func missingEvidence(err error) string {
	var re *kube.ReadError
	if errors.As(err, &re) && re.Resource == "events" {
		return "REASON of Pending Jobs without pods may miss FailedCreate"
	}
	return "STATUS of live Jobs is from their counters only"
}

func (o *ListOptions) filterRows(rows []printers.JobRow) []printers.JobRow {
	if len(o.phases) == 0 {
		return rows
	}
	return slices.DeleteFunc(rows, func(r printers.JobRow) bool { return !o.phases[r.Explanation.Verdict.Phase] })
}

// markKept fills the KEEP cells of the --cronjob view: whether cj's history
// limits keep each finished Job of jobs ("yes", "no"), "-" for the others.
func markKept(rows []printers.JobRow, cj *batchv1.CronJob, jobs []batchv1.Job) {
	kept := kube.HistoryKept(cj, jobs)
	for i := range rows {
		rows[i].Keep = "-"
		if k, ok := kept[rows[i].Job.UID]; ok {
			rows[i].Keep = map[bool]string{true: "yes", false: "no"}[k]
		}
	}
}

// sortRows orders rows by --sort-by; the CronJob view defaults to newest first.
func (o *ListOptions) sortRows(rows []printers.JobRow, cronJob bool) {
	by := o.SortBy
	if by == "" && cronJob {
		by = "age"
	}
	printers.SortJobRows(rows, by)
}

func (o *ListOptions) printerOptions(now time.Time, cronJob bool) printers.ListOptions {
	return printers.ListOptions{
		Wide:          o.output == "wide",
		AllNamespaces: o.AllNamespaces,
		NoHeaders:     o.NoHeaders,
		CronJob:       cronJob,
		WatchEvents:   o.WatchEvents,
		Watch:         o.Watch,
		LabelColumns:  o.LabelColumns,
		ShowLabels:    o.ShowLabels,
		Now:           now,
	}
}

func (o *ListOptions) print(rows []printers.JobRow, cj *batchv1.CronJob) error {
	if o.printer != nil {
		return o.printObjects(rows)
	}
	now := o.Now()
	o.printCronJobLine(cj, now)
	if len(rows) == 0 {
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	return printers.PrintJobList(o.Out, rows, o.printerOptions(now, cj != nil))
}

// printCronJobLine prints the line above the --cronjob table (with its
// header, so not with --no-headers); nothing without cj.
func (o *ListOptions) printCronJobLine(cj *batchv1.CronJob, now time.Time) {
	if cj != nil && !o.NoHeaders {
		next, utc, err := kube.NextSchedule(cj, now)
		fmt.Fprintln(o.Out, printers.CronJobSummary(cj, next, utc, err, now))
	}
}

// printObjects prints the Jobs themselves: one Job for one name (like
// kubectl get NAME -o yaml) or -o name, otherwise a v1 List.
func (o *ListOptions) printObjects(rows []printers.JobRow) error {
	jobs := make([]*batchv1.Job, len(rows))
	for i := range rows {
		jobs[i] = rows[i].Job
	}
	each := (len(o.Names) == 1 && len(rows) == 1) || o.output == "name"
	if each && len(rows) == 0 {
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	return printers.PrintJobObjects(o.Out, o.printer, jobs, each)
}

// listPrinter is the printer of -o FORMAT other than wide: custom-columns=SPEC
// and custom-columns-file=FILE (kubectl get's syntax, output and errors), or
// outputFlags' json, yaml, name and jsonpath.
func listPrinter(of *outputFlags, output string, noHeaders bool) (cliprinters.ResourcePrinter, error) {
	format, arg, _ := strings.Cut(output, "=")
	var cc *printers.CustomColumns
	var err error
	switch format {
	case "custom-columns":
		cc, err = printers.NewCustomColumns(arg, noHeaders)
	case "custom-columns-file":
		cc, err = customColumnsFile(arg)
	default:
		return of.ToPrinter()
	}
	if err != nil {
		return nil, withHint(fmt.Errorf("invalid -o %s: %w", format, err),
			"give HEADER:JSONPATH pairs, e.g. -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team")
	}
	return cc, nil
}

func customColumnsFile(path string) (*printers.CustomColumns, error) {
	if path == "" {
		return nil, errors.New("custom-columns format specified but no custom columns given")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("error reading template %s, %w", path, err)
	}
	defer func() { _ = f.Close() }()
	return printers.NewCustomColumnsFromFile(f)
}
