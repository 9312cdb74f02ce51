package printers

import (
	"fmt"
	"io"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TimelineWidth is the number of characters of the timeline's time axis.
const TimelineWidth = 40

// maxTimelineRows bounds the timeline of Jobs with many pods: the newest
// attempts are the ones worth a picture.
const maxTimelineRows = 30

// Timeline glyphs: one character per TimelineWidth-th of the axis.
const (
	glyphPending   = '░'
	glyphRunning   = '█'
	glyphSucceeded = '✓'
	glyphFailed    = '✗'
	glyphJob       = '─'
)

// timelineAxis maps instants to columns 0..TimelineWidth-1.
type timelineAxis struct {
	start, end time.Time
}

func (a timelineAxis) col(t time.Time) int {
	span := a.end.Sub(a.start)
	if span <= 0 {
		return 0
	}
	c := int(float64(t.Sub(a.start)) / float64(span) * float64(TimelineWidth-1))
	return min(max(c, 0), TimelineWidth-1)
}

func (a timelineAxis) contains(t time.Time) bool { return !t.Before(a.start) && !t.After(a.end) }

// TimelineTable pictures every pod attempt of e on one time axis, from the
// Job's start (or its first pod, if earlier) to its end (or now for a live
// Job): ░ pending, █ running, ✓ succeeded, ✗ failed; the first row is the
// Job itself with |D at its activeDeadlineSeconds and |T at its TTL deletion.
// Marks that fall past the right edge are given as times in the legend. It
// returns false when there is nothing to draw (no start, no pods).
func TimelineTable(e *explain.JobExplanation, now time.Time) (Table, []string, bool) {
	axis, ok := timelineSpan(e, now)
	if !ok {
		return Table{}, nil, false
	}
	indexed := e.Spec.CompletionMode == string(batchv1.IndexedCompletion)
	t := Table{Headers: []string{"POD"}}
	if indexed {
		t.Headers = append(t.Headers, "INDEX")
	}
	t.Headers = append(t.Headers, "ATTEMPT", axisHeader(axis), "RESULT")

	// The Job's row: its active span with the deadline and TTL marks.
	job := blankBar()
	if e.Duration != nil {
		fill(job, axis.col(e.Duration.Start.Time), axis.col(e.Duration.End.Time), glyphJob)
	}
	var legend []string
	mark := func(at time.Time, letter rune, what string) {
		if axis.contains(at) {
			c := min(axis.col(at), TimelineWidth-2)
			job[c], job[c+1] = '|', letter
			legend = append(legend, fmt.Sprintf("|%c %s %s", letter, what, ClockTime(at, now)))
			return
		}
		legend = append(legend, fmt.Sprintf("|%c %s %s (%s, past the right edge)", letter, what, ClockTime(at, now), Relative(at, now)))
	}
	// A deadline the Job finished well before is no longer news.
	if d := e.Deadline; d != nil && (axis.contains(d.At.Time) || !e.Verdict.Phase.Finished()) {
		mark(d.At.Time, 'D', "deadline")
	}
	if e.TTL.DeleteAt != nil {
		mark(e.TTL.DeleteAt.Time, 'T', "TTL deletion")
	}
	jobRow := []string{"job/" + e.Name}
	if indexed {
		jobRow = append(jobRow, "")
	}
	t.Rows = append(t.Rows, append(jobRow, "", string(job), jobResult(e)))

	attempts := e.Attempts
	hidden := 0
	if len(attempts) > maxTimelineRows {
		hidden = len(attempts) - maxTimelineRows
		attempts = attempts[hidden:]
	}
	for _, a := range attempts {
		row := []string{a.Pod}
		if indexed {
			row = append(row, indexCell(a.Index))
		}
		t.Rows = append(t.Rows, append(row, fmt.Sprint(a.Number), attemptBar(a, axis), attemptResult(a)))
	}
	legend = append([]string{fmt.Sprintf("%c pending  %c running  %c succeeded  %c failed  (one column = %s)",
		glyphPending, glyphRunning, glyphSucceeded, glyphFailed, columnSpan(axis.end.Sub(axis.start)/TimelineWidth))}, legend...)
	if hidden > 0 {
		legend = append(legend, fmt.Sprintf("%d earlier attempts not shown", hidden))
	}
	return t, legend, true
}

// timelineSpan is the axis: the Job's duration span, widened to its first pod.
func timelineSpan(e *explain.JobExplanation, now time.Time) (timelineAxis, bool) {
	var a timelineAxis
	if e.Duration != nil {
		a = timelineAxis{start: e.Duration.Start.Time, end: e.Duration.End.Time}
	}
	for _, at := range e.Attempts {
		if a.start.IsZero() || at.Created.Time.Before(a.start) {
			a.start = at.Created.Time
		}
		if at.Finished != nil && at.Finished.After(a.end) {
			a.end = at.Finished.Time
		}
	}
	if a.start.IsZero() {
		return a, false
	}
	if a.end.IsZero() || e.Duration == nil && !e.Verdict.Phase.Finished() {
		a.end = now
	}
	if !a.end.After(a.start) {
		a.end = a.start.Add(time.Second)
	}
	return a, true
}

func blankBar() []rune { return []rune(strings.Repeat(" ", TimelineWidth)) }

func fill(bar []rune, from, to int, r rune) {
	for i := from; i <= to && i < len(bar); i++ {
		bar[i] = r
	}
}

// attemptBar draws one pod: pending from creation to start, running from
// start to its end (or the axis end while it runs), the outcome at its end.
func attemptBar(a explain.Attempt, axis timelineAxis) string {
	bar := blankBar()
	created := axis.col(a.Created.Time)
	end := axis.end
	if a.Finished != nil {
		end = a.Finished.Time
	}
	endCol := axis.col(end)
	if a.Started != nil {
		startCol := axis.col(a.Started.Time)
		fill(bar, created, startCol-1, glyphPending)
		fill(bar, startCol, endCol, glyphRunning)
	} else {
		fill(bar, created, endCol, glyphPending)
	}
	switch corev1.PodPhase(a.Phase) {
	case corev1.PodSucceeded:
		bar[endCol] = glyphSucceeded
	case corev1.PodFailed:
		bar[endCol] = glyphFailed
	}
	return strings.TrimRight(string(bar), " ")
}

func attemptResult(a explain.Attempt) string {
	parts := []string{placeholder(a.Phase)}
	if a.ExitCode != nil {
		parts = append(parts, fmt.Sprintf("exit %d", *a.ExitCode))
	}
	if a.Reason != "" {
		parts = append(parts, a.Reason)
	}
	if a.Terminating {
		parts = append(parts, "terminating")
	}
	if corev1.PodPhase(a.Phase) == corev1.PodFailed && !a.Counted {
		parts = append(parts, "not counted")
	}
	return strings.Join(parts, " ")
}

func jobResult(e *explain.JobExplanation) string {
	s := string(e.Verdict.Phase)
	if e.Verdict.Reason != "" {
		s += " " + string(e.Verdict.Reason)
	}
	return s
}

func indexCell(i *int) string {
	if i == nil {
		return "-"
	}
	return fmt.Sprint(*i)
}

func axisHeader(a timelineAxis) string {
	left, right := "0s", "+"+ExactDuration(a.end.Sub(a.start))
	return left + strings.Repeat(" ", max(TimelineWidth-len(left)-len(right), 1)) + right
}

// PrintTimeline writes the timeline with its legend, indented by prefix; it
// writes "<none>" when there is nothing to draw.
func PrintTimeline(w io.Writer, e *explain.JobExplanation, now time.Time, prefix string) error {
	t, legend, ok := TimelineTable(e, now)
	if !ok {
		_, err := fmt.Fprintf(w, "%s<none>\n", prefix)
		return err
	}
	var b strings.Builder
	for i := range t.Rows {
		for j := range t.Rows[i] {
			if j != len(t.Headers)-2 { // the bar column is ours: already safe
				t.Rows[i][j] = Sanitize(t.Rows[i][j])
			}
		}
	}
	if err := PrintTable(&b, t, false); err != nil {
		return err
	}
	for _, l := range legend {
		b.WriteString(l + "\n")
	}
	for line := range strings.Lines(b.String()) {
		if _, err := io.WriteString(w, prefix+line); err != nil {
			return err
		}
	}
	return nil
}

// columnSpan formats the time one column stands for; short Jobs get
// sub-second columns.
func columnSpan(d time.Duration) string {
	if d < time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return ExactDuration(d)
}
