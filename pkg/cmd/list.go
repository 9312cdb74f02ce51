package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// ListOptions holds the flags and state of "kubectl job list".
type ListOptions struct {
	commandCore
	PrintFlags *genericclioptions.PrintFlags

	Names         []string
	LabelSelector string
	FieldSelector string
	CronJob       string
	Status        []string
	SortBy        string
	Watch         bool
	WatchEvents   bool
	NoHeaders     bool
	ChunkSize     int64

	output  string
	phases  map[explain.Phase]bool
	printer cliprinters.ResourcePrinter // nil for the human table ("" and wide)
	partial bool                        // some read failed; exit code Partial
}

// NewListOptions returns ListOptions with kubectl's defaults.
func NewListOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ListOptions {
	return &ListOptions{
		commandCore: newCommandCore(configFlags, streams),
		PrintFlags:  genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme),
		ChunkSize:   500,
	}
}

// NewCmdList returns "kubectl job list" (aliases get, ls).
func NewCmdList(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdList(NewListOptions(configFlags, streams))
}

func newCmdList(o *ListOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [NAME...] [-n NAMESPACE | -A] [-l SELECTOR] [--cronjob NAME] [--status PHASE,...] [-w] [-o FORMAT]",
		Aliases: []string{"get", "ls"},
		Short:   "List Jobs with their true status, reason, duration, deadline and TTL",
		Long: `List Jobs with the verdict of the explain engine: STATUS is Pending while no pod
runs (kubectl says Running), REASON says why a Job ended or is stuck, DURATION
stops at the Failed condition (kubectl's keeps growing), DEADLINE counts down
activeDeadlineSeconds and TTL counts down ttlSecondsAfterFinished.

FAILED is counted failures against backoffLimit ("2/6": the Job fails at 7/6;
OnFailure container restarts count too), or with backoffLimitPerIndex the failed
indexes against maxFailedIndexes ("1/3 idx").

It reads the Jobs (in pages of --chunk-size) and, only if some are still live,
their pods with one more request (in pages ten times bigger), and only if one of
those is Pending without pods, the FailedCreate events of the namespace's Jobs
with one more: never one per Job. The verdicts are those of kubectl job explain.

-o json, yaml, name and jsonpath print the Job objects themselves, so the output
pipes into kubectl delete or kubectl apply.

--sort-by: age (newest first), name, duration (longest first), status (Failed,
Failing, Terminating, Pending, Running ... Complete: what needs attention first).`,
		Example: `  # List the Jobs of the current namespace
  kubectl job list

  # List failed and failing Jobs in every namespace, with the wide columns
  kubectl job list -A --status failed,failing -o wide

  # Show a CronJob's Jobs, newest first, and which ones its history limits keep
  kubectl job list --cronjob nightly-report

  # Watch Jobs change, like kubectl get -w
  kubectl job list -w

  # Delete every failed Job of the namespace
  kubectl job list --status failed -o name | xargs kubectl delete`,
		RunE: runE(o),
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = fmt.Sprintf("Output format. One of: (wide, %s).", strings.Join(o.PrintFlags.AllowedFormats(), ", "))
	o.addAllNamespacesFlag(cmd, "List Jobs in every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Label selector to filter Jobs on, e.g. -l app=etl.")
	cmd.Flags().StringVar(&o.FieldSelector, "field-selector", o.FieldSelector, "Field selector to filter Jobs on, e.g. --field-selector status.successful=1.")
	cmd.Flags().StringVar(&o.CronJob, "cronjob", o.CronJob, "List the Jobs of this CronJob, newest first, with what its history limits keep.")
	cmd.Flags().StringSliceVar(&o.Status, "status", o.Status, "Only Jobs in these phases (comma-separated, any case): "+phaseList()+".")
	cmd.Flags().StringVar(&o.SortBy, "sort-by", o.SortBy, "Sort by age (newest first), name, duration (longest first) or status (needs attention first).")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "After listing, print a row each time a Job changes, until interrupted.")
	cmd.Flags().BoolVar(&o.WatchEvents, "output-watch-events", o.WatchEvents, "With --watch, add an EVENT column (ADDED, MODIFIED, DELETED).")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Do not print the header line (and the --cronjob summary line).")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Read Jobs in pages of this many, and pods in pages of ten times as many; 0 reads each in one request.")
	return cmd
}

func phaseList() string {
	names := make([]string, len(explain.Phases))
	for i, p := range explain.Phases {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// interruptible: only a watch runs until Ctrl-C.
func (o *ListOptions) interruptible() bool { return o.Watch }

// Complete fills in the namespace, client, clock and printer.
func (o *ListOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.Names, err = parseJobArgs(args); err != nil {
		return err
	}
	if o.PrintFlags.OutputFormat != nil {
		o.output = *o.PrintFlags.OutputFormat
	}
	if len(o.Status) > 0 {
		o.phases = map[explain.Phase]bool{}
		for _, s := range o.Status {
			p, ok := parsePhase(s)
			if !ok {
				return fmt.Errorf("invalid --status %q: valid values are %s", s, phaseList())
			}
			o.phases[p] = true
		}
	}
	if o.output != "" && o.output != "wide" {
		if o.printer, err = o.PrintFlags.ToPrinter(); err != nil {
			return err
		}
	}
	return o.complete(true)
}

func parsePhase(s string) (explain.Phase, bool) {
	for _, p := range explain.Phases {
		if strings.EqualFold(strings.TrimSpace(s), string(p)) {
			return p, true
		}
	}
	return "", false
}

// Validate rejects flag combinations kubectl would reject, before any request.
func (o *ListOptions) Validate() error {
	switch {
	case len(o.Names) > 0 && o.AllNamespaces:
		return errors.New("a Job cannot be retrieved by name across all namespaces; drop -A or the names")
	case len(o.Names) > 0 && (o.LabelSelector != "" || o.FieldSelector != ""):
		return errors.New("names cannot be given with a selector; use either NAME... or -l/--field-selector")
	case o.CronJob != "" && (len(o.Names) > 0 || o.AllNamespaces):
		return errors.New("--cronjob lists one CronJob's Jobs in one namespace; drop -A and the names")
	case o.SortBy != "" && !slices.Contains(printers.ListSortOrders, o.SortBy):
		return fmt.Errorf("invalid --sort-by %q: valid values are %s", o.SortBy, strings.Join(printers.ListSortOrders, ", "))
	case o.ChunkSize < 0:
		return fmt.Errorf("invalid --chunk-size %d: must be 0 (no pages) or more", o.ChunkSize)
	case o.WatchEvents && !o.Watch:
		return errors.New("--output-watch-events needs --watch")
	}
	return nil
}

// Run lists (and with --watch, keeps listing) the Jobs.
func (o *ListOptions) Run(ctx context.Context) error {
	jobs, rv, cj, notFound, err := o.fetchJobs(ctx)
	if err != nil {
		if o.AllNamespaces && apierrors.IsForbidden(err) {
			return withHint(err, "list the Jobs of one namespace with: kubectl job list -n NAMESPACE")
		}
		return err
	}
	for _, nf := range notFound {
		fmt.Fprintln(o.ErrOut, errorMessage(nf))
	}
	if o.Watch {
		return o.runWatch(ctx, jobs, rv)
	}
	rows := o.explainRows(ctx, jobs)
	if cj != nil {
		kept := kube.HistoryKept(cj, jobs)
		for i := range rows {
			rows[i].Keep = "-"
			if k, ok := kept[rows[i].Job.UID]; ok {
				rows[i].Keep = map[bool]string{true: "yes", false: "no"}[k]
			}
		}
	}
	rows = o.filterRows(rows)
	o.sortRows(rows, cj != nil)
	// Like kubectl get NAME: when every named Job is missing, the NotFound
	// lines are the whole answer, without "No resources found" after them.
	if len(rows) > 0 || len(notFound) == 0 {
		if err := o.print(rows, cj); err != nil {
			return err
		}
	}
	switch {
	case len(notFound) > 0:
		return exitcode.New(exitcode.Error, nil)
	case o.partial:
		return exitcode.New(exitcode.Partial, nil)
	}
	return nil
}

// fetchJobs reads the Jobs: one Get per named Job (like kubectl get NAME...,
// with NotFound collected, not fatal), the CronJob and its Jobs, or one
// paginated list.
func (o *ListOptions) fetchJobs(ctx context.Context) (jobs []batchv1.Job, rv string, cj *batchv1.CronJob, notFound []error, err error) {
	switch {
	case o.CronJob != "":
		cj, jobs, rv, err = kube.CronJobJobs(ctx, o.Client, o.Namespace, o.CronJob, o.ChunkSize)
		if apierrors.IsNotFound(err) {
			err = withHint(err, "list CronJobs with: kubectl get cronjobs -n %s", o.Namespace)
		}
		return jobs, rv, cj, nil, err
	case len(o.Names) > 0 && o.Watch:
		// One list (by name when there is one name) gives the resourceVersion
		// the watch continues from.
		opts := metav1.ListOptions{Limit: o.ChunkSize}
		if len(o.Names) == 1 {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", o.Names[0]).String()
		}
		all, rv, err := kube.ListJobs(ctx, o.Client, o.Namespace, opts)
		if err != nil {
			return nil, "", nil, nil, err
		}
		for _, name := range o.Names {
			i := slices.IndexFunc(all, func(j batchv1.Job) bool { return j.Name == name })
			if i < 0 {
				notFound = append(notFound, apierrors.NewNotFound(batchv1.Resource("jobs"), name))
				continue
			}
			jobs = append(jobs, all[i])
		}
		return jobs, rv, nil, notFound, nil
	case len(o.Names) > 0:
		for _, name := range o.Names {
			job, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				notFound = append(notFound, err)
				continue
			}
			if err != nil {
				return nil, "", nil, nil, err
			}
			jobs = append(jobs, *job)
		}
		return jobs, "", nil, notFound, nil
	}
	jobs, rv, err = kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{
		LabelSelector: o.LabelSelector,
		FieldSelector: o.FieldSelector,
		Limit:         o.ChunkSize,
	})
	return jobs, rv, nil, nil, err
}

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
		Now:           now,
	}
}

func (o *ListOptions) print(rows []printers.JobRow, cj *batchv1.CronJob) error {
	if o.printer != nil {
		return o.printObjects(rows)
	}
	now := o.Now()
	if cj != nil && !o.NoHeaders {
		next, utc, err := kube.NextSchedule(cj, now)
		fmt.Fprintln(o.Out, printers.CronJobSummary(cj, next, utc, err, now))
	}
	if len(rows) == 0 {
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	return printers.PrintJobList(o.Out, rows, o.printerOptions(now, cj != nil))
}

// printObjects prints the Jobs themselves through cli-runtime, with their
// TypeMeta, so kubectl can read them back: one Job for one name (like kubectl
// get NAME -o yaml), otherwise a v1 List.
func (o *ListOptions) printObjects(rows []printers.JobRow) error {
	if (len(o.Names) == 1 && len(rows) == 1) || o.output == "name" {
		// The name printer takes no lists: one line per Job, like kubectl get.
		for _, r := range rows {
			if err := o.printer.PrintObj(typedJob(r.Job), o.Out); err != nil {
				return err
			}
		}
		if len(rows) == 0 {
			fmt.Fprintln(o.ErrOut, o.noResources())
		}
		return nil
	}
	list := &corev1.List{TypeMeta: metav1.TypeMeta{Kind: "List", APIVersion: "v1"}}
	for _, r := range rows {
		list.Items = append(list.Items, runtime.RawExtension{Object: typedJob(r.Job)})
	}
	return o.printer.PrintObj(list, o.Out)
}

// typedJob returns a copy of job with its apiVersion and kind, which typed
// clients leave empty.
func typedJob(job *batchv1.Job) *batchv1.Job {
	j := job.DeepCopy()
	j.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("Job"))
	return j
}

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
	if err := w.o.printer.PrintObj(typedJob(job), w.o.Out); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}
