package cmd

// The rows of kubectl job list: their verdicts (kube.ExplainJobs), the
// --status filter, the --sort-by order and how they are printed.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/kubectl/pkg/cmd/get"
)

// needsPods says whether the verdicts must be refined with pods: the human
// table shows Pending vs Running, and --status may ask for either; -o
// json/yaml/name print the objects and need no verdict at all.
func (o *ListOptions) needsPods() bool {
	if o.printer == nil {
		return true
	}
	return o.phases[explain.PhasePending] || o.phases[explain.PhaseRunning] || o.phases[explain.PhaseNotStarted]
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
	exps, err := kube.ExplainJobs(ctx, o.Client, o.scope(), ptrs, o.ChunkSize, !o.needsPods(), o.Now())
	for i := range rows {
		rows[i].Explanation = exps[i]
	}
	if err != nil {
		// The table still shows what the Jobs say; the user learns what is missing.
		o.partial = true
		fmt.Fprintf(o.ErrOut, "Warning: %v; %s\n", err, missingEvidence(err))
	}
	return rows
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

// listFormats are list's -o formats after wide: cli-runtime's and kubectl
// get's custom-columns.
func listFormats(pf *genericclioptions.PrintFlags) []string {
	return append(pf.AllowedFormats(), get.NewCustomColumnsPrintFlags().AllowedFormats()...)
}

// listPrinter is the printer of -o FORMAT other than wide: kubectl get's
// custom-columns=SPEC and custom-columns-file=FILE (same syntax, same
// errors), or cli-runtime's json, yaml, name, jsonpath and templates.
func listPrinter(pf *genericclioptions.PrintFlags, output string, noHeaders bool) (cliprinters.ResourcePrinter, error) {
	cc := get.NewCustomColumnsPrintFlags()
	if format, arg, _ := strings.Cut(output, "="); slices.Contains(cc.AllowedFormats(), format) {
		cc.NoHeaders, cc.TemplateArgument = noHeaders, arg
		p, err := cc.ToPrinter(format)
		if err != nil {
			return nil, withHint(fmt.Errorf("invalid -o %s: %w", format, errors.New(strings.TrimSpace(err.Error()))),
				"give HEADER:JSONPATH pairs, e.g. -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team")
		}
		return printers.AsUnstructured(p), nil
	}
	p, err := pf.ToPrinter()
	if err != nil {
		return nil, outputFormatError(pf, output, err, get.NewCustomColumnsPrintFlags().AllowedFormats()...)
	}
	return p, nil
}
