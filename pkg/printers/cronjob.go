package printers

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// maxSlotRows is how many slots the default (not wide) view lists.
const maxSlotRows = 20

// PrintCronJobExplanation writes the human view of a CronJobExplanation:
// headline, facts, next runs, every slot of the window (newest first),
// manual runs, events, warnings and next steps. Times are shown in the
// schedule's time zone; everything comes from e.
func PrintCronJobExplanation(w io.Writer, e *cronexplain.CronJobExplanation, o ExplainOptions) error {
	var b bytes.Buffer
	loc := zoneOf(e)
	now := e.ObservedAt.Time.In(loc)
	b.WriteString(CronJobHeadline(e, o.Color) + "\n")

	zone := e.Schedule.TimeZone
	if e.Schedule.ZoneAssumed {
		zone += " (assumed: spec.timeZone is unset)"
	}
	facts := [][2]string{
		{"CronJob", fmt.Sprintf("%s/%s, created %s", e.Namespace, e.Name, Relative(e.CreationTimestamp.Time, now))},
		{"Schedule", fmt.Sprintf("%s (%s), time zone %s", e.Schedule.Expression, e.Schedule.Description, zone)},
		{"Policy", policyLine(e)},
		{"Status", statusLine(e, now)},
		{"History", e.History.Message},
	}
	if e.Schedule.Error == "" {
		facts = append(facts, [2]string{"Stats", statsLine(e)}, [2]string{"Window", windowLine(e, now)})
	}
	facts = append(facts, [2]string{"Next", nextLine(e, now)})
	width := 0
	for _, f := range facts {
		width = max(width, len(f[0]))
	}
	for _, f := range facts {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, f[0]+":", Sanitize(f[1]))
	}

	if len(e.NextRuns) > 0 {
		fmt.Fprintf(&b, "\nNext runs (%s):\n", loc)
		for _, n := range e.NextRuns {
			line := fmt.Sprintf("  %s  %s", n.Time.In(loc).Format("2006-01-02 15:04:05 MST"), Relative(n.Time.Time, now))
			if n.DST != "" {
				line += "  ! " + n.DST
			}
			b.WriteString(line + "\n")
		}
	}

	if len(e.Slots) > 0 {
		t, hidden := SlotsTable(e, o.Wide)
		fmt.Fprintf(&b, "\nSlots (%d in the window, newest first):\n", e.Window.SlotsTotal)
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "  (%d older slots not shown; -o wide lists all)\n", hidden)
		}
	} else {
		b.WriteString("\nSlots: <none>\n")
	}

	if len(e.ManualRuns) > 0 {
		b.WriteString("\nManual runs:\n")
		t := Table{Headers: []string{"JOB", "STATUS", "REASON", "CREATED"}}
		for _, r := range e.ManualRuns {
			t.Rows = append(t.Rows, []string{Sanitize(r.Job), string(r.Phase), placeholder(Sanitize(r.Reason)), Relative(r.Created.Time, now)})
		}
		if err := printIndented(&b, t); err != nil {
			return err
		}
	}

	if len(e.Events) > 0 {
		b.WriteString("\nEvents (newest first):\n")
		t := Table{Headers: []string{"LAST", "TYPE", "REASON", "COUNT", "MESSAGE"}}
		for i, ev := range e.Events {
			if !o.Wide && i == maxEventRows {
				break
			}
			t.Rows = append(t.Rows, []string{Relative(ev.Last.Time, now), ev.Type, Sanitize(ev.Reason), fmt.Sprint(ev.Count), Sanitize(ev.Message)})
		}
		if err := printIndented(&b, t); err != nil {
			return err
		}
	} else {
		b.WriteString("\nEvents: <none> (the controller's events expire after about an hour; the slots above rest on the Jobs and the status)\n")
	}
	writeNotes(&b, e.Warnings, e.NextSteps)
	_, err := w.Write(b.Bytes())
	return err
}

// writeNotes writes the Warnings and Next steps sections of an explanation.
func writeNotes(b *bytes.Buffer, warnings, nextSteps []string) {
	if len(warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, w := range warnings {
			b.WriteString("  ! " + Sanitize(w) + "\n")
		}
	}
	if len(nextSteps) > 0 {
		b.WriteString("\nNext steps:\n")
		for _, s := range nextSteps {
			b.WriteString("  " + Sanitize(s) + "\n")
		}
	}
}

// zoneOf is the schedule's time zone, UTC when it cannot be loaded.
func zoneOf(e *cronexplain.CronJobExplanation) *time.Location {
	if loc, err := time.LoadLocation(e.Schedule.TimeZone); err == nil && e.Schedule.Error == "" {
		return loc
	}
	return time.UTC
}

// CronJobHeadline is "Missing runs: MissSchedule — 3 of 3 slots ...".
func CronJobHeadline(e *cronexplain.CronJobExplanation, color bool) string {
	phase := string(e.Verdict.Phase)
	if color {
		code := "32" // green
		switch e.Verdict.Phase {
		case cronexplain.PhaseInvalid, cronexplain.PhaseFailing, cronexplain.PhaseBlocked:
			code = "31"
		case cronexplain.PhaseMissing, cronexplain.PhaseLate, cronexplain.PhaseSuspended:
			code = "33"
		}
		phase = "\x1b[" + code + "m" + phase + "\x1b[0m"
	}
	line := phase
	if e.Verdict.Reason != "" {
		line += ": " + Sanitize(e.Verdict.Reason)
	}
	return line + " — " + Sanitize(e.Verdict.Message)
}

func policyLine(e *cronexplain.CronJobExplanation) string {
	s := e.Spec
	line := "concurrencyPolicy " + s.ConcurrencyPolicy
	if s.StartingDeadlineSeconds != nil {
		line += fmt.Sprintf(", startingDeadlineSeconds %d", *s.StartingDeadlineSeconds)
	} else {
		line += ", startingDeadlineSeconds <unset>"
	}
	line += fmt.Sprintf(", suspend %t", s.Suspend)
	if s.SuspendChangedAt != nil {
		line += " (last written " + s.SuspendChangedAt.UTC().Format(time.RFC3339) + ")"
	}
	return line
}

func statusLine(e *cronexplain.CronJobExplanation, now time.Time) string {
	st := e.Status
	parts := []string{"last scheduled <none>"}
	if t := st.LastScheduleTime; t != nil {
		parts[0] = fmt.Sprintf("last scheduled %s (%s)", ClockTime(t.Time, now), Relative(t.Time, now))
	}
	if t := st.LastSuccessfulTime; t != nil {
		parts = append(parts, fmt.Sprintf("last success %s (%s)", ClockTime(t.Time, now), Relative(t.Time, now)))
	}
	if len(st.Active) > 0 {
		parts = append(parts, "active "+strings.Join(st.Active, ", "))
	}
	return strings.Join(parts, ", ")
}

func seconds(p *float64) string {
	if p == nil {
		return "<none>"
	}
	return ExactDuration(time.Duration(*p * float64(time.Second)))
}

func statsLine(e *cronexplain.CronJobExplanation) string {
	st := e.Stats
	rate := "<none>"
	if st.Success != nil {
		rate = fmt.Sprintf("%.0f%%", *st.Success*100)
	}
	runs := "runs"
	if st.Runs == 1 {
		runs = "run"
	}
	return fmt.Sprintf("%d %s visible (%d succeeded, %d failed, %d running), success rate %s; run time p50 %s p95 %s; start delay p50 %s p95 %s; %d skipped, %d late",
		st.Runs, runs, st.Succeeded, st.Failed, st.Running, rate, seconds(st.DurationP50), seconds(st.DurationP95), seconds(st.DelayP50), seconds(st.DelayP95), st.Skipped, st.Late)
}

func windowLine(e *cronexplain.CronJobExplanation, now time.Time) string {
	return fmt.Sprintf("%s → now: %d slots", ClockTime(e.Window.Start.Time, now), e.Window.SlotsTotal)
}

func nextLine(e *cronexplain.CronJobExplanation, now time.Time) string {
	n := e.NextAction
	line := n.Action
	if n.At != nil {
		line += " at " + ClockTime(n.At.Time, now) + " (" + Relative(n.At.Time, now) + ")"
	}
	return line + ": " + n.Message
}

// SlotsTable lists the slots newest first; the default view keeps the
// newest maxSlotRows and returns how many it left out.
func SlotsTable(e *cronexplain.CronJobExplanation, wide bool) (Table, int) {
	loc := zoneOf(e)
	now := e.ObservedAt.Time.In(loc)
	t := Table{Headers: []string{"SLOT", "OUTCOME", "REASON", "JOB", "STATUS", "DELAY", "DETAIL"}}
	hidden := e.Window.OmittedSlots
	for i := len(e.Slots) - 1; i >= 0; i-- {
		if !wide && len(t.Rows) == maxSlotRows {
			hidden += i + 1
			break
		}
		s := e.Slots[i]
		job, status, detail := "<none>", "", s.Message
		if r := s.Run; r != nil {
			job, status = r.Job, string(r.Phase)
			if r.Reason != "" {
				status += " (" + r.Reason + ")"
			}
			if detail == "" {
				detail = r.Message
			}
		}
		delay := ""
		if s.StartDelaySeconds != nil {
			delay = "+" + seconds(s.StartDelaySeconds)
		}
		t.Rows = append(t.Rows, []string{ClockTime(s.Time.Time, now), string(s.Outcome), s.Reason, Sanitize(job), status, delay, Sanitize(detail)})
	}
	return t, hidden
}
