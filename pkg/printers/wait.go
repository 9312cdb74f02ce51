package printers

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// VerdictLine is the one-line verdict every command words the same way:
// subject ("job/pi Failed", "job.batch/pi failed", or a bare phase) followed
// by ": Reason — message", sanitized.
func VerdictLine(subject string, v explain.Verdict) string {
	line := subject
	if v.Reason != "" {
		line += ": " + string(v.Reason)
	}
	if v.Message != "" {
		line += " — " + v.Message
	}
	return Sanitize(line)
}

// WaitLine is what kubectl job wait prints for one Job: "job.batch/NAME
// WORD: Reason — message" once decided (WORD is complete, failed, ...), or,
// when the wait for target timed out first, "job.batch/NAME timed out
// waiting for TARGET, still WORD: ...".
func WaitLine(name, word string, e *explain.JobExplanation, timedOutFor string) string {
	subject := "job.batch/" + name + " " + word
	if timedOutFor != "" {
		subject = fmt.Sprintf("job.batch/%s timed out waiting for %s, still %s", name, timedOutFor, word)
	}
	if e != nil {
		var parts []string
		for _, p := range []string{string(e.Verdict.Reason), e.Verdict.Message} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		if len(parts) > 0 {
			subject += ": " + strings.Join(parts, " — ")
		}
	}
	return Sanitize(subject)
}

// WaitProgress is the line kubectl job wait redraws while it waits: "job/NAME
// Running: 1/3 succeeded, 2 active, 1 failed (5 more allowed of backoffLimit
// 6), deadline in 4m10s". Counts come from explain's Progress, Backoff and
// Deadline, so they match kubectl job explain.
func WaitProgress(job *batchv1.Job, e *explain.JobExplanation) string {
	pr := e.Progress
	completions := "?"
	if c := job.Spec.Completions; c != nil {
		completions = fmt.Sprint(*c)
	}
	parts := []string{
		fmt.Sprintf("%d/%s succeeded", pr.Succeeded, completions),
		fmt.Sprintf("%d active", pr.Active),
	}
	failed := fmt.Sprintf("%d failed", pr.Failed)
	if b := e.Backoff; b != nil && b.Remaining != nil {
		failed += fmt.Sprintf(" (%d more allowed of backoffLimit %d)", *b.Remaining, b.Limit)
	}
	parts = append(parts, failed)
	if d := e.Deadline; d != nil && !d.Exceeded {
		parts = append(parts, "deadline in "+ExactDuration(time.Duration(d.RemainingSeconds*float64(time.Second))))
	}
	phase := string(e.Verdict.Phase)
	if phase == "" {
		phase = "Waiting"
	}
	return Sanitize(fmt.Sprintf("job/%s %s: %s", job.Name, phase, strings.Join(parts, ", ")))
}
