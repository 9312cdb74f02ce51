package printers

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// The deadline and TTL cells every table shows (list, prune) and the
// countdowns other commands word from them (delete, wait).

// DeadlineCell is the time left before activeDeadlineSeconds: "in 4m10s",
// "exceeded", the configured span when the clock has not started (not
// started yet), "paused" while suspended, "-" once the Job finished without
// hitting it, and <none> without a deadline.
func DeadlineCell(job *batchv1.Job, e *explain.JobExplanation, now time.Time) string {
	ads := job.Spec.ActiveDeadlineSeconds
	if ads == nil {
		return "<none>"
	}
	if e == nil {
		return "<unknown>"
	}
	switch {
	case e.Verdict.Reason == explain.ReasonDeadlineExceeded:
		return "exceeded"
	case e.Verdict.Phase == explain.PhaseSuspended:
		return "paused"
	case e.Verdict.Phase.Finished() || e.Verdict.Phase == explain.PhaseFailing || e.Verdict.Phase == explain.PhaseSucceeding:
		return "-"
	case e.Deadline == nil:
		return HumanDuration(time.Duration(*ads) * time.Second)
	case e.Deadline.Exceeded || !e.Deadline.At.After(now):
		return "exceeded"
	}
	return "in " + HumanDuration(e.Deadline.At.Sub(now))
}

// TTLCell is when the TTL controller deletes the Job: "in 3m12s", "due",
// the configured TTL while the Job runs (its clock starts at the end), or
// <none>.
func TTLCell(job *batchv1.Job, e *explain.JobExplanation, now time.Time) string {
	text := TTLText(e, now)
	if ttl := job.Spec.TTLSecondsAfterFinished; ttl != nil && e != nil && e.TTL.State == "" {
		// An explanation without TTL state (older engine): show the setting.
		return HumanDuration(time.Duration(*ttl) * time.Second)
	}
	return text
}

// TTLText is TTLCell from the explanation alone.
func TTLText(e *explain.JobExplanation, now time.Time) string {
	if e == nil {
		return "<unknown>"
	}
	switch e.TTL.State {
	case explain.TTLScheduled:
		if e.TTL.DeleteAt != nil && e.TTL.DeleteAt.After(now) {
			return "in " + HumanDuration(e.TTL.DeleteAt.Sub(now))
		}
		return "due"
	case explain.TTLDue:
		return "due"
	case explain.TTLWaiting:
		if e.TTL.Seconds != nil {
			return HumanDuration(time.Duration(*e.TTL.Seconds) * time.Second)
		}
	}
	return "<none>"
}
