package printers

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// ExplainOptions shape the human view of a JobExplanation.
type ExplainOptions struct {
	// Wide lists every attempt, index and event (-o wide); otherwise long
	// lists are cut to the most recent rows.
	Wide bool
	// Color paints the headline; only on a TTY and never with NO_COLOR (the
	// command decides).
	Color bool
	// ManualRun marks a Job created by hand from its CronJob (the command
	// reads cronexplain.ManualRun from the Job): "cronjob/NAME, manual run".
	ManualRun bool
}

// Row limits of the default (not wide) view.
const (
	maxAttemptRows = 20
	maxIndexRows   = 30
	maxEventRows   = 15
)

// PrintExplanation writes the human view of e: headline, facts, evidence,
// attempts, indexes, events, warnings and next steps. Everything comes from e
// (relative times are measured from e.ObservedAt), and every cluster string
// is sanitized.
func PrintExplanation(w io.Writer, e *explain.JobExplanation, o ExplainOptions) error {
	var b bytes.Buffer
	now := e.ObservedAt.Time
	b.WriteString(headline(e, o.Color) + "\n")

	facts := [][2]string{{"Job", jobLine(e, o.ManualRun)}}
	if v := e.Verdict.Since; v != nil {
		facts = append(facts, [2]string{"Since", ClockTime(v.Time, now) + " (" + Relative(v.Time, now) + ")"})
	}
	if d := e.Duration; d != nil {
		end := "now"
		if d.EndedBy != "now" {
			end = ClockTime(d.End.Time, now)
		}
		line := fmt.Sprintf("%s (%s → %s", ExactDuration(time.Duration(d.Seconds*float64(time.Second))), ClockTime(d.Start.Time, now), end)
		if d.EndedBy != "now" && d.EndedBy != "" {
			line += ", ended by " + d.EndedBy
		}
		facts = append(facts, [2]string{"Duration", line + ")"})
	}
	facts = append(facts, [2]string{"Progress", progressLine(e)})
	if bo := e.Backoff; bo != nil && showBackoff(e, bo) {
		facts = append(facts, [2]string{"Backoff", backoffLine(e, bo)})
	}
	if d := e.Deadline; d != nil {
		facts = append(facts, [2]string{"Deadline", deadlineLine(e, d, now)})
	}
	facts = append(facts, [2]string{"TTL", e.TTL.Message})
	width := 0
	for _, f := range facts {
		width = max(width, len(f[0]))
	}
	for _, f := range facts {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, f[0]+":", Sanitize(f[1]))
	}

	if len(e.Evidence) > 0 {
		b.WriteString("\nEvidence:\n")
		for _, ev := range e.Evidence {
			line := "  - " + Sanitize(ev.Message)
			if ev.Pod != "" && !strings.Contains(ev.Message, ev.Pod) {
				line += "  [pod/" + Sanitize(ev.Pod) + "]"
			}
			if ev.Field != "" && !strings.HasPrefix(ev.Message, ev.Field) {
				line += "  (" + Sanitize(ev.Field) + ")"
			}
			b.WriteString(line + "\n")
		}
	}

	if len(e.Attempts) > 0 {
		t, hidden := AttemptsTable(e, o.Wide)
		fmt.Fprintf(&b, "\nAttempts (%d):\n", len(e.Attempts))
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "  (%d earlier attempts not shown; -o wide lists all)\n", hidden)
		}
	} else {
		b.WriteString("\nAttempts: <none>\n")
	}

	if len(e.Indexes) > 0 {
		t, note := IndexesTable(e, o.Wide)
		b.WriteString("\nIndexes:\n")
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if note != "" {
			b.WriteString("  (" + note + ")\n")
		}
	}

	if len(e.Events) > 0 {
		t, hidden := EventsTable(e, o.Wide)
		b.WriteString("\nEvents (warnings first):\n")
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "  (%d more events not shown; -o wide lists all)\n", hidden)
		}
	} else {
		b.WriteString("\nEvents: <none>\n")
	}

	writeNotes(&b, e.Warnings, e.NextSteps)
	_, err := w.Write(b.Bytes())
	return err
}

// Headline is the one-line verdict: "Failed: BackoffLimitExceeded — 7 failed
// pods > backoffLimit 6", sanitized, without colour.
func Headline(e *explain.JobExplanation) string { return headline(e, false) }

func headline(e *explain.JobExplanation, color bool) string {
	phase := string(e.Verdict.Phase)
	if color {
		phase = colorize(e.Verdict.Phase, phase)
	}
	return phase + VerdictLine("", e.Verdict)
}

func colorize(p explain.Phase, s string) string {
	code := ""
	switch p {
	case explain.PhaseComplete, explain.PhaseSucceeding:
		code = "32" // green
	case explain.PhaseFailed, explain.PhaseFailing:
		code = "31" // red
	case explain.PhasePending, explain.PhaseSuspended, explain.PhaseTerminating, explain.PhaseNotStarted:
		code = "33" // yellow
	case explain.PhaseRunning:
		code = "36" // cyan
	default:
		return s
	}
	return "\x1b[1;" + code + "m" + s + "\x1b[0m"
}

func jobLine(e *explain.JobExplanation, manual bool) string {
	s := e.Spec
	name := e.Name
	if e.Namespace != "" {
		name = e.Namespace + "/" + e.Name
	}
	parts := []string{s.CompletionMode}
	if s.Completions != nil {
		parts = append(parts, "completions "+strconv.Itoa(int(*s.Completions)))
	} else {
		parts = append(parts, "completions <unset>")
	}
	if s.Parallelism != nil {
		parts = append(parts, "parallelism "+strconv.Itoa(int(*s.Parallelism)))
	}
	if s.RestartPolicy != "" {
		parts = append(parts, "restartPolicy "+s.RestartPolicy)
	}
	if s.PodFailurePolicy != nil {
		parts = append(parts, "podFailurePolicy "+explain.Plural(len(s.PodFailurePolicy.Rules), "rule", "rules"))
	}
	if s.SuccessPolicy != nil {
		parts = append(parts, "successPolicy "+explain.Plural(len(s.SuccessPolicy.Rules), "rule", "rules"))
	}
	if s.ManagedBy != "" {
		parts = append(parts, "managedBy "+s.ManagedBy)
	}
	if s.OwnerCronJob != "" {
		owner := "cronjob/" + s.OwnerCronJob
		if manual {
			owner += " manual run"
		}
		parts = append(parts, owner)
	}
	return name + " (" + strings.Join(parts, ", ") + ")"
}

func progressLine(e *explain.JobExplanation) string {
	p := e.Progress
	var parts []string
	if p.Completions != nil {
		parts = append(parts, fmt.Sprintf("%d/%d succeeded", p.Succeeded, *p.Completions))
	} else {
		parts = append(parts, fmt.Sprintf("%d succeeded", p.Succeeded))
	}
	parts = append(parts, fmt.Sprintf("%d failed", p.Failed), fmt.Sprintf("%d active (%d ready)", p.Active, p.Ready))
	if p.Terminating > 0 {
		parts = append(parts, fmt.Sprintf("%d terminating", p.Terminating))
	}
	if n := p.UncountedSucceeded + p.UncountedFailed; n > 0 {
		parts = append(parts, fmt.Sprintf("%d not yet counted", n))
	}
	if p.CompletedIndexes != "" {
		parts = append(parts, "completed indexes "+explain.ShortIndexes(p.CompletedIndexes))
	}
	if p.FailedIndexes != "" {
		parts = append(parts, "failed indexes "+explain.ShortIndexes(p.FailedIndexes))
	}
	return strings.Join(parts, ", ")
}

// showBackoff leaves the failure budget out of the human view where it says
// nothing: a finished, suspended or externally managed Job that never failed.
func showBackoff(e *explain.JobExplanation, b *explain.Backoff) bool {
	if b.Counted > 0 || b.Ignored > 0 {
		return true
	}
	switch e.Verdict.Phase {
	case explain.PhaseRunning, explain.PhasePending, explain.PhaseFailing, explain.PhaseNotStarted:
		return true
	}
	return e.Verdict.Reason == explain.ReasonBackoffLimitExceeded
}

func backoffLine(e *explain.JobExplanation, b *explain.Backoff) string {
	onFailure := e.Spec.RestartPolicy == "OnFailure"
	if onFailure && e.Verdict.Reason == explain.ReasonBackoffLimitExceeded && b.FailedPods <= b.Limit && b.Restarts == 0 {
		// The restarts that reached the limit went with the deleted pods.
		pods := "pods"
		if b.FailedPods == 1 {
			pods = "pod"
		}
		return fmt.Sprintf("backoffLimit %d reached by container restarts (restartPolicy OnFailure); %d failed %s counted (deleted when the Job failed)", b.Limit, b.FailedPods, pods)
	}
	line := fmt.Sprintf("%d counted of backoffLimit %d", b.Counted, b.Limit)
	if onFailure {
		line += fmt.Sprintf(" (%d failed pods, %d container restarts)", b.FailedPods, b.Restarts)
	}
	if b.Ignored > 0 {
		line += fmt.Sprintf(", %d ignored by podFailurePolicy", b.Ignored)
	}
	if b.Remaining != nil {
		line += fmt.Sprintf("; fails after %d more", int64(*b.Remaining)+1)
	}
	if b.NextRetryAt != nil {
		line += fmt.Sprintf("; next retry at %s (%s)", ClockTime(b.NextRetryAt.Time, e.ObservedAt.Time), Relative(b.NextRetryAt.Time, e.ObservedAt.Time))
	}
	return line
}

// deadlineLine is the Deadline fact of explain and describe: a finished Job
// never shows time "left" on a deadline that no longer applies.
func deadlineLine(e *explain.JobExplanation, d *explain.Deadline, now time.Time) string {
	if e.Verdict.Phase.Finished() && !d.Exceeded {
		return ClockTime(d.At.Time, now) + ", not reached: the Job finished first"
	}
	line := fmt.Sprintf("%s (startTime %s + activeDeadlineSeconds %d)", ClockTime(d.At.Time, now), ClockTime(d.Start.Time, now), d.Seconds)
	left := time.Duration(d.RemainingSeconds * float64(time.Second))
	switch {
	case d.Exceeded:
		line += ", exceeded"
	case left > 0:
		line += ", " + ExactDuration(left) + " left"
	}
	return line
}

// AttemptsTable is the attempts of e as a table; unless wide, only the most
// recent rows, with the number of rows left out.
func AttemptsTable(e *explain.JobExplanation, wide bool) (Table, int) {
	now := e.ObservedAt.Time
	indexed := false
	for _, a := range e.Attempts {
		indexed = indexed || a.Index != nil
	}
	t := Table{Headers: []string{"POD"}}
	if indexed {
		t.Headers = append(t.Headers, "INDEX")
	}
	t.Headers = append(t.Headers, "ATTEMPT", "PHASE", "EXIT", "REASON", "CAUSE", "NODE", "STARTED", "FINISHED", "DURATION")
	attempts, hidden := e.Attempts, 0
	if !wide && len(attempts) > maxAttemptRows {
		hidden = len(attempts) - maxAttemptRows
		attempts = attempts[hidden:]
	}
	for _, a := range attempts {
		row := []string{Sanitize(a.Pod)}
		if indexed {
			row = append(row, indexText(a.Index))
		}
		exit := "<none>"
		if a.ExitCode != nil {
			exit = strconv.Itoa(int(*a.ExitCode))
		}
		reason := a.Reason
		if a.Restarts > 0 {
			reason = strings.TrimPrefix(reason+fmt.Sprintf(", %d restarts", a.Restarts), ", ")
		}
		started, finished, dur := "<none>", "<none>", "<none>"
		if a.Started != nil {
			started = ClockTime(a.Started.Time, now)
			end := now
			if a.Finished != nil {
				end = a.Finished.Time
			}
			dur = ExactDuration(end.Sub(a.Started.Time))
		}
		if a.Finished != nil {
			finished = ClockTime(a.Finished.Time, now)
		}
		row = append(row, strconv.Itoa(a.Number), Sanitize(a.Phase), exit, placeholder(Sanitize(reason)), placeholder(Sanitize(causeSummary(a.Cause))), placeholder(Sanitize(a.Node)), started, finished, dur)
		t.Rows = append(t.Rows, row)
	}
	return t, hidden
}

// IndexesTable is the per-index table of an Indexed Job; unless wide, long
// tables keep the indexes that did not succeed, and the note says what was
// left out.
func IndexesTable(e *explain.JobExplanation, wide bool) (Table, string) {
	t := Table{Headers: []string{"INDEX", "STATUS", "ATTEMPTS", "FAILURES", "LAST POD", "LAST EXIT"}}
	rows, note := e.Indexes, ""
	if !wide && len(rows) > maxIndexRows {
		var kept []explain.IndexStatus
		var succeeded []int
		for _, ix := range rows {
			if ix.Status == "Succeeded" {
				succeeded = append(succeeded, ix.Index)
			} else if len(kept) < maxIndexRows {
				kept = append(kept, ix)
			}
		}
		note = fmt.Sprintf("%d of %d indexes shown", len(kept), len(rows))
		if len(succeeded) > 0 {
			note += "; succeeded: " + explain.FormatIndexes(succeeded)
		}
		note += "; -o wide lists all"
		rows = kept
	}
	for _, ix := range rows {
		failures := strconv.Itoa(int(ix.Failures))
		if ix.IgnoredFailures > 0 {
			failures += fmt.Sprintf(" (+%d ignored)", ix.IgnoredFailures)
		}
		exit := "<none>"
		if ix.LastExitCode != nil {
			exit = strconv.Itoa(int(*ix.LastExitCode))
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(ix.Index), ix.Status, strconv.Itoa(ix.Attempts), failures, placeholder(Sanitize(ix.LastPod)), exit})
	}
	return t, note
}

// EventsTable is the merged events of e, warnings first; unless wide, only
// the first rows, with the number left out.
func EventsTable(e *explain.JobExplanation, wide bool) (Table, int) {
	now := e.ObservedAt.Time
	t := Table{Headers: []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}}
	events, hidden := e.Events, 0
	if !wide && len(events) > maxEventRows {
		hidden = len(events) - maxEventRows
		events = events[:maxEventRows]
	}
	for _, ev := range events {
		seen := "<unknown>"
		if !ev.Last.IsZero() {
			seen = HumanDuration(now.Sub(ev.Last.Time))
		}
		if ev.Count > 1 {
			seen += fmt.Sprintf(" (x%d)", ev.Count)
		}
		t.Rows = append(t.Rows, []string{seen, Sanitize(ev.Type), Sanitize(ev.Reason), Sanitize(ev.Object), Sanitize(ev.Message)})
	}
	return t, hidden
}

func indexText(i *int) string {
	if i == nil {
		return "<none>"
	}
	return strconv.Itoa(*i)
}

func placeholder(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// printIndented prints t through PrintTable, two spaces in.
func printIndented(w *bytes.Buffer, t Table) error {
	var tb bytes.Buffer
	if err := PrintTable(&tb, t, false); err != nil {
		return err
	}
	for line := range strings.Lines(tb.String()) {
		w.WriteString("  " + line)
	}
	return nil
}
