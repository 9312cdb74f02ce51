package printers

import (
	"fmt"
	"io"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// JobRow is one Job of "kubectl job list" with the engine's explanation of
// it: STATUS, REASON, DURATION, DEADLINE and TTL come from the explanation,
// so list, describe and explain never disagree.
type JobRow struct {
	Job         *batchv1.Job
	Explanation *explain.JobExplanation
	// Keep is the KEEP cell of the --cronjob view: whether the CronJob's
	// history limits keep this Job ("yes"), delete it on the controller's
	// next sync ("no"), or do not apply because it has not finished ("-").
	Keep string
	// Event is the watch event type (ADDED, MODIFIED, DELETED) for
	// --output-watch-events.
	Event string
	// Deleted marks the last row of a Job a watch saw deleted: STATUS says
	// Deleted, the other cells keep its last state.
	Deleted bool
}

// ListOptions selects the columns of a Job list.
type ListOptions struct {
	Wide          bool // -o wide
	AllNamespaces bool // -A: NAMESPACE first
	NoHeaders     bool
	CronJob       bool // --cronjob: the RUN and KEEP columns
	WatchEvents   bool // --output-watch-events: the EVENT column
	// LabelColumns (-L) adds a column per label key after AGE, headed by the
	// key's last path segment in upper case, as kubectl get does.
	LabelColumns []string
	// ShowLabels (--show-labels) adds LABELS, always the last column.
	ShowLabels bool
	// Watch reserves each column's MinWidth, so the rows printed later line
	// up under the first table when their values grow (Running → Terminating).
	Watch bool
	// Now is the clock for AGE and the countdowns.
	Now time.Time
}

// ListColumn is one column of the Job list, declared as data (like k9s's
// renderers) so the normal and wide column sets cannot drift.
type ListColumn struct {
	Header string
	// Wide columns show only with -o wide.
	Wide bool
	// Show, when set, decides whether the column appears (NAMESPACE with -A,
	// KEEP with --cronjob, EVENT with --output-watch-events).
	Show func(ListOptions) bool
	// Clock marks cells that change with the clock alone (ages and
	// countdowns): a watch ignores them when deciding whether a row changed.
	Clock bool
	// MinWidth is the room a watch reserves for the column's later values.
	MinWidth int
	Cell     func(r JobRow, now time.Time) string
}

// ListColumns are the columns of "kubectl job list", in order: NAME first,
// AGE last, NAMESPACE first under -A (EVENT before it when shown).
var ListColumns = []ListColumn{
	{Header: "EVENT", MinWidth: len("MODIFIED"), Show: func(o ListOptions) bool { return o.WatchEvents }, Cell: func(r JobRow, _ time.Time) string { return r.Event }},
	{Header: "NAMESPACE", Show: func(o ListOptions) bool { return o.AllNamespaces }, Cell: func(r JobRow, _ time.Time) string { return r.Job.Namespace }},
	{Header: "NAME", Cell: func(r JobRow, _ time.Time) string { return r.Job.Name }},
	{Header: "STATUS", MinWidth: len(explain.PhaseTerminating), Cell: statusCell},
	{Header: "REASON", MinWidth: len(explain.ReasonCompletionsReached), Cell: reasonCell},
	{Header: "COMPLETIONS", Cell: func(r JobRow, _ time.Time) string { return CompletionsCell(r.Job) }},
	{Header: "FAILED", Cell: func(r JobRow, _ time.Time) string { return FailedCell(r.Job, r.Explanation) }},
	{Header: "DURATION", Clock: true, Cell: durationCell},
	{Header: "DEADLINE", Clock: true, MinWidth: len("in 9m59s"), Cell: deadlineCell},
	{Header: "TTL", Clock: true, MinWidth: len("in 9m59s"), Cell: ttlCell},
	{Header: "PARALLELISM", Wide: true, Cell: parallelismCell},
	{Header: "MODE", Wide: true, Cell: func(r JobRow, _ time.Time) string { return completionMode(r.Job) }},
	{Header: "OWNER", Wide: true, Cell: ownerCell},
	{Header: "CONTAINERS", Wide: true, Cell: containersCell},
	{Header: "IMAGES", Wide: true, Cell: imagesCell},
	{Header: "SELECTOR", Wide: true, Cell: selectorCell},
	{Header: "RUN", MinWidth: len("scheduled"), Show: func(o ListOptions) bool { return o.CronJob }, Cell: runCell},
	{Header: "KEEP", Show: func(o ListOptions) bool { return o.CronJob }, Cell: func(r JobRow, _ time.Time) string { return placeholder(r.Keep) }},
	{Header: "MESSAGE", Wide: true, Cell: messageCell},
	{Header: "AGE", Clock: true, Cell: func(r JobRow, now time.Time) string { return Age(r.Job.CreationTimestamp, now) }},
}

// listColumns returns the columns o selects.
func listColumns(o ListOptions) []ListColumn { return selectColumns(ListColumns, o) }

// selectColumns returns the columns of all that o selects, then the label
// columns, which kubectl get puts after AGE (-L keys, then LABELS).
func selectColumns(all []ListColumn, o ListOptions) []ListColumn {
	var cols []ListColumn
	for _, c := range all {
		if c.Wide && !o.Wide || c.Show != nil && !c.Show(o) {
			continue
		}
		cols = append(cols, c)
	}
	for _, key := range o.LabelColumns {
		segments := strings.Split(key, "/")
		cols = append(cols, ListColumn{Header: strings.ToUpper(segments[len(segments)-1]),
			Cell: func(r JobRow, _ time.Time) string { return r.Job.Labels[key] }})
	}
	if o.ShowLabels {
		cols = append(cols, ListColumn{Header: "LABELS", Cell: func(r JobRow, _ time.Time) string { return labels.FormatLabels(r.Job.Labels) }})
	}
	return cols
}

// ListTable renders rows as the Job list table, cells escaped for the terminal.
func ListTable(rows []JobRow, o ListOptions) Table { return columnsTable(listColumns(o), rows, o) }

// columnsTable renders rows with cols.
func columnsTable(cols []ListColumn, rows []JobRow, o ListOptions) Table {
	t := Table{Headers: make([]string, len(cols))}
	for i, c := range cols {
		t.Headers[i] = c.Header
		if o.Watch && c.MinWidth > len(c.Header) {
			// Padding the header widens the column; PrintTable trims line ends only.
			t.Headers[i] += strings.Repeat(" ", c.MinWidth-len(c.Header))
		}
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, listRow(cols, r, o.Now))
	}
	return t
}

func listRow(cols []ListColumn, r JobRow, now time.Time) []string {
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = Sanitize(c.Cell(r, now))
	}
	return row
}

// ListRow renders one row with the columns o selects (for --watch).
func ListRow(r JobRow, o ListOptions) []string { return listRow(listColumns(o), r, o.Now) }

// ListRowSignature is the row without its clock-driven cells: a watch prints
// a row again only when its signature changed, not because time passed.
func ListRowSignature(r JobRow, o ListOptions) string {
	var parts []string
	for _, c := range listColumns(o) {
		if !c.Clock && c.Header != "EVENT" {
			parts = append(parts, c.Cell(r, o.Now))
		}
	}
	return strings.Join(parts, "\x00")
}

// PrintJobList writes the Job list table.
func PrintJobList(w io.Writer, rows []JobRow, o ListOptions) error {
	return PrintTable(w, ListTable(rows, o), o.NoHeaders)
}

func statusCell(r JobRow, _ time.Time) string {
	if r.Deleted {
		return "Deleted"
	}
	if r.Explanation == nil || r.Explanation.Verdict.Phase == "" {
		return "<unknown>"
	}
	return string(r.Explanation.Verdict.Phase)
}

func reasonCell(r JobRow, _ time.Time) string {
	if r.Explanation == nil {
		return "<none>"
	}
	return placeholder(string(r.Explanation.Verdict.Reason))
}

func messageCell(r JobRow, _ time.Time) string {
	if r.Explanation == nil {
		return "<none>"
	}
	return placeholder(r.Explanation.Verdict.Message)
}

// CompletionsCell is succeeded/completions, as kubectl shows it: "3/5"
// (succeeded indexes for Indexed Jobs), "1/1" when completions is unset (one
// success suffices) and "0/1 of 3" when such a Job runs 3 pods in parallel.
func CompletionsCell(job *batchv1.Job) string {
	if job.Spec.Completions != nil {
		return fmt.Sprintf("%d/%d", job.Status.Succeeded, *job.Spec.Completions)
	}
	if p := job.Spec.Parallelism; p != nil && *p > 1 {
		return fmt.Sprintf("%d/1 of %d", job.Status.Succeeded, *p)
	}
	return fmt.Sprintf("%d/1", job.Status.Succeeded)
}

// FailedCell is the failure budget. Without backoffLimitPerIndex it is the
// counted failures against backoffLimit, "2/6" (the Job fails at 7/6). With
// restartPolicy OnFailure it counts what the controller counts, failed pods
// plus the container restarts of active pods, and the Job also fails when
// the restarts reach the limit ("2/2"); once it has, its pods are deleted
// with their restartCount, and the cell says "≥2/2" as explain says
// "container restarts ≥ backoffLimit 2". With
// backoffLimitPerIndex the per-Job limit is effectively unlimited, so it is
// the failed indexes against maxFailedIndexes, "1/3 idx", or "1 idx" when
// maxFailedIndexes is unset.
func FailedCell(job *batchv1.Job, e *explain.JobExplanation) string {
	if job.Spec.BackoffLimitPerIndex != nil {
		n := 0
		if job.Status.FailedIndexes != nil {
			if set, err := explain.ParseIndexes(*job.Status.FailedIndexes); err == nil {
				n = set.Len()
			}
		}
		if m := job.Spec.MaxFailedIndexes; m != nil {
			return fmt.Sprintf("%d/%d idx", n, *m)
		}
		return fmt.Sprintf("%d idx", n)
	}
	counted, limit := job.Status.Failed, int32(explain.DefaultBackoffLimit)
	if job.Spec.BackoffLimit != nil {
		limit = *job.Spec.BackoffLimit
	}
	if e != nil && e.Backoff != nil {
		counted, limit = e.Backoff.Counted, e.Backoff.Limit
		if reached := max(limit, 1); counted < reached && restartsReachedLimit(job, e) {
			// The controller saw at least the limit in container restarts,
			// then deleted the pods, and their restartCount with them:
			// explain says "container restarts ≥ backoffLimit N".
			return fmt.Sprintf("≥%d/%d", reached, limit)
		}
	}
	return fmt.Sprintf("%d/%d", counted, limit)
}

// restartsReachedLimit reports whether the engine found that a
// restartPolicy OnFailure Job failed because its container restarts reached
// backoffLimit, not because its failed pods exceeded it (the only other way
// to BackoffLimitExceeded).
func restartsReachedLimit(job *batchv1.Job, e *explain.JobExplanation) bool {
	return job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure &&
		e.Verdict.Reason == explain.ReasonBackoffLimitExceeded && e.Backoff.FailedPods <= e.Backoff.Limit
}

func durationCell(r JobRow, _ time.Time) string {
	if r.Explanation == nil || r.Explanation.Duration == nil {
		return "<none>"
	}
	d := r.Explanation.Duration
	return HumanDuration(d.End.Sub(d.Start.Time))
}

func deadlineCell(r JobRow, now time.Time) string { return DeadlineCell(r.Job, r.Explanation, now) }

func ttlCell(r JobRow, now time.Time) string { return TTLCell(r.Job, r.Explanation, now) }

func parallelismCell(r JobRow, _ time.Time) string {
	if p := r.Job.Spec.Parallelism; p != nil {
		return fmt.Sprint(*p)
	}
	return "<unset>"
}

func completionMode(job *batchv1.Job) string {
	if m := job.Spec.CompletionMode; m != nil && *m != "" {
		return string(*m)
	}
	return string(batchv1.NonIndexedCompletion)
}

// ownerCell is the Job's controller, as Kind/name: CronJob/nightly, with
// " (manual)" for a run created by hand from its CronJob.
func ownerCell(r JobRow, _ time.Time) string {
	if ref := metav1.GetControllerOf(r.Job); ref != nil {
		if ref.Kind == "CronJob" && cronexplain.ManualRun(r.Job) {
			return ref.Kind + "/" + ref.Name + " (manual)"
		}
		return ref.Kind + "/" + ref.Name
	}
	return "<none>"
}

// runCell is the RUN cell of the --cronjob view: how the CronJob's Job came
// to be, "scheduled" by the controller or "manual" (created by hand with
// kubectl create job --from=cronjob/NAME).
func runCell(r JobRow, _ time.Time) string {
	if cronexplain.ManualRun(r.Job) {
		return "manual"
	}
	return "scheduled"
}

func containersCell(r JobRow, _ time.Time) string {
	var names []string
	for _, c := range r.Job.Spec.Template.Spec.Containers {
		names = append(names, c.Name)
	}
	return placeholder(strings.Join(names, ","))
}

func imagesCell(r JobRow, _ time.Time) string {
	var images []string
	for _, c := range r.Job.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	return placeholder(strings.Join(images, ","))
}

func selectorCell(r JobRow, _ time.Time) string {
	if r.Job.Spec.Selector == nil {
		return "<none>"
	}
	return metav1.FormatLabelSelector(r.Job.Spec.Selector)
}

// Age formats the time since t like kubectl's AGE column, <unknown> for a
// zero time.
func Age(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(now.Sub(t.Time))
}

// RowWriter prints a table whose rows arrive one at a time, as "kubectl get
// --watch" does: the first call prints a whole table through PrintTable, later
// rows are padded to the column widths it used, so they line up under it.
type RowWriter struct {
	w      io.Writer
	widths []int
}

// NewRowWriter returns a RowWriter on w.
func NewRowWriter(w io.Writer) *RowWriter { return &RowWriter{w: w} }

// PrintTable prints t and remembers its column widths.
func (p *RowWriter) PrintTable(t Table, noHeaders bool) error {
	p.widths = make([]int, len(t.Headers))
	measure := func(cells []string) {
		for i, c := range cells {
			if i < len(p.widths) {
				p.widths[i] = max(p.widths[i], displayWidth(c))
			}
		}
	}
	if !noHeaders {
		measure(t.Headers)
	}
	for _, r := range t.Rows {
		measure(r)
	}
	if len(t.Rows) == 0 && noHeaders {
		return nil
	}
	return PrintTable(p.w, t, noHeaders)
}

// PrintRow prints one more row aligned to the table printed before.
func (p *RowWriter) PrintRow(row []string) error {
	var b strings.Builder
	for i, c := range row {
		b.WriteString(c)
		if i < len(row)-1 {
			w := 0
			if i < len(p.widths) {
				w = p.widths[i]
			}
			b.WriteString(strings.Repeat(" ", max(w-displayWidth(c), 0)+3))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(p.w, b.String())
	return err
}

// CronJobSummary is the line above the --cronjob table: schedule, last and
// next run (next as computed by the caller, nextErr if it could not be), and
// the history limits that decide the KEEP column.
func CronJobSummary(cj *batchv1.CronJob, next time.Time, utcAssumed bool, nextErr error, now time.Time) string {
	schedule := fmt.Sprintf("%q", cj.Spec.Schedule)
	if tz := cj.Spec.TimeZone; tz != nil && *tz != "" {
		schedule += " " + *tz
	}
	last := "never"
	if t := cj.Status.LastScheduleTime; t != nil {
		last = ClockTime(t.Time, now) + " (" + HumanDuration(now.Sub(t.Time)) + " ago)"
	}
	var nextRun string
	switch {
	case cj.Spec.Suspend != nil && *cj.Spec.Suspend:
		nextRun = "none (suspended)"
	case nextErr != nil:
		nextRun = "<unknown> (" + nextErr.Error() + ")"
	default:
		nextRun = ClockTime(next, now) + " (in " + HumanDuration(next.Sub(now)) + ")"
		if utcAssumed {
			nextRun += " UTC assumed: timeZone unset"
		}
	}
	limit := func(p *int32) string {
		if p == nil {
			return "<unset>"
		}
		return fmt.Sprint(*p)
	}
	return Sanitize(fmt.Sprintf("CronJob %s/%s  schedule %s  last run %s  next run %s  history limits: %s succeeded, %s failed",
		cj.Namespace, cj.Name, schedule, last, nextRun,
		limit(cj.Spec.SuccessfulJobsHistoryLimit), limit(cj.Spec.FailedJobsHistoryLimit)))
}
