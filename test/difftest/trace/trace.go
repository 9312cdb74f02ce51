// Package trace holds what the differential test recorded about one Job (the
// samples of `kubectl job explain -o json` and the controller's ground truth),
// the checks that compare them, and the fixture format that saves a
// disagreement so a pure regression test can replay it. It is pure: no
// client, no clock.
package trace

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
)

// Tolerance is how far a predicted time may be from what the controller did.
const Tolerance = 2 * time.Second

// Sample is one run of `kubectl job explain -o json` while the Job ran or
// after it ended, with the objects read right after it (for the fixture).
type Sample struct {
	// At is when the plugin was started: its "now" is at or just after At.
	At time.Time `json:"at"`
	// Explanation is the plugin's output; nil when it failed (Err), e.g. NotFound once the TTL deleted the Job.
	Explanation *explain.JobExplanation `json:"explanation,omitempty"`
	Err         string                  `json:"err,omitempty"`
	// Job, Pods and Events were read right after the plugin returned.
	Job    *batchv1.Job   `json:"-"`
	Pods   []corev1.Pod   `json:"-"`
	Events []corev1.Event `json:"-"`
}

// Truth is what the job controller (and the TTL controller) did, from a watch.
type Truth struct {
	// Terminal is Complete or Failed; empty if the Job did not finish in time.
	Terminal string `json:"terminal,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// TerminalAt is the terminal condition's lastTransitionTime (whole seconds).
	TerminalAt time.Time `json:"terminalAt,omitzero"`
	// Interim is FailureTarget or SuccessCriteriaMet if the controller wrote one.
	Interim   string    `json:"interim,omitempty"`
	InterimAt time.Time `json:"interimAt,omitzero"`
	// Failed, Succeeded, FailedIndexes, CompletedIndexes: the final status.
	Failed           int32  `json:"failed"`
	Succeeded        int32  `json:"succeeded"`
	FailedIndexes    string `json:"failedIndexes,omitempty"`
	CompletedIndexes string `json:"completedIndexes,omitempty"`
	// MaxActiveRestarts is the largest sum of container restartCounts over the
	// active pods seen at any time: what the controller compares to
	// backoffLimit for restartPolicy OnFailure.
	MaxActiveRestarts int32 `json:"maxActiveRestarts"`
	// DeletionRequested is when the Job was first seen with a
	// deletionTimestamp; Gone when it was first seen deleted. Zero if not seen
	// (no TTL, or the runner stopped watching).
	DeletionRequested time.Time `json:"deletionRequested,omitzero"`
	Gone              time.Time `json:"gone,omitzero"`
	// WatchedUntil is when the runner stopped watching.
	WatchedUntil time.Time `json:"watchedUntil,omitzero"`
	// Resumed is when the runner set spec.suspend=false (zero if never suspended).
	Resumed time.Time `json:"resumed,omitzero"`
	// StartTime is the final status.startTime (reset by a resume): the
	// controller's deadline is StartTime + activeDeadlineSeconds.
	StartTime time.Time `json:"startTime,omitzero"`
}

// Problem is one disagreement between the plugin and the controller.
type Problem struct {
	Check  string `json:"check"` // verdict, early, interim, backoff, deadline, ttl, indexes, sampling
	Sample int    `json:"sample"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.Sample < 0 {
		return fmt.Sprintf("[%s] %s", p.Check, p.Detail)
	}
	return fmt.Sprintf("[%s] sample %d: %s", p.Check, p.Sample, p.Detail)
}

// Stats counts the predictions checked, by kind.
type Stats map[string]int

// Check kinds, the columns of docs/accuracy.md.
const (
	CheckVerdict  = "verdict"
	CheckEarly    = "early"
	CheckInterim  = "interim"
	CheckBackoff  = "backoff"
	CheckDeadline = "deadline"
	CheckTTL      = "ttl"
	CheckIndexes  = "indexes"
	CheckSampling = "sampling"
	// CheckLate marks a prediction that matched the controller's own formula
	// (startTime+activeDeadlineSeconds, finish time+TTL) exactly but the
	// controller acted more than Tolerance later: controller lag on a
	// loaded machine, not an explain error. Counted, not failed.
	CheckLate = "late"
)

// CheckOrder is the order of the check columns.
var CheckOrder = []string{CheckVerdict, CheckEarly, CheckInterim, CheckBackoff, CheckDeadline, CheckTTL, CheckIndexes, CheckLate}

func condTrue(conds []batchv1.JobCondition, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range conds {
		if conds[i].Type == t && conds[i].Status == corev1.ConditionTrue {
			return &conds[i]
		}
	}
	return nil
}

// Check compares the samples with the truth. The rules, from the
// JobExplanation fields:
//
//   - verdict: every sample whose Job had a terminal condition has phase and
//     reason equal to the controller's terminal condition, and at least one
//     such sample exists.
//   - early: a sample says Complete/Failed only if the Job it read had that
//     condition True (never before the controller wrote it), and a finished
//     verdict never goes back to a live one.
//   - interim: a sample whose Job had FailureTarget (SuccessCriteriaMet) but
//     not yet Failed (Complete) says Failing (Succeeding), with the reason
//     the controller then put on the terminal condition; Failing/Succeeding
//     before the interim condition is a prediction that must come true.
//   - backoff: before the Job finished, Backoff.Remaining R with
//     Backoff.Counted C predicts that the Job fails at C+R+1 counted
//     failures. restartPolicy Never counts status.failed: if the Job failed
//     with BackoffLimitExceeded, its final status.failed is at least
//     FailedPods+R+1; if it completed, its final status.failed is at most
//     FailedPods+R. OnFailure counts the restarts of active pods: failed with
//     BackoffLimitExceeded needs MaxActiveRestarts ≥ Restarts+R+1 (with no
//     failed pods); a completed OnFailure Job is not checked (the controller
//     sums restarts only at its batched syncs and can miss them).
//   - deadline: before the Job finished and while not suspended,
//     Deadline.At equals the controller's own deadline (final
//     status.startTime + activeDeadlineSeconds); if the Job failed with
//     DeadlineExceeded, the Failed condition is not more than 2s before
//     Deadline.At (more than 2s after is controller lag, CheckLate); if it
//     finished otherwise, the controller decided (interim or terminal
//     condition) no later than Deadline.At+2s.
//   - ttl: after the Job finished, TTL.DeleteAt equals the TTL controller's
//     expiry (terminal condition time + ttlSecondsAfterFinished) and the
//     deletion was requested (the Job got its deletionTimestamp; else it
//     disappeared) not more than 2s before it (more than 2s after is
//     controller lag, CheckLate); while it runs, TTL.State is Waiting.
//   - indexes: an index a sample calls Failed is in the final
//     status.failedIndexes (it can no longer succeed), and after the Job
//     finished Progress.FailedIndexes equals the final status.failedIndexes.
func Check(c gen.Case, truth Truth, samples []Sample) ([]Problem, Stats) {
	var probs []Problem
	stats := Stats{}
	add := func(check string, i int, format string, args ...any) {
		probs = append(probs, Problem{Check: check, Sample: i, Detail: fmt.Sprintf(format, args...)})
	}
	spec := c.Job.Spec
	onFailure := spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure

	if truth.Terminal == "" {
		add(CheckSampling, -1, "the Job did not finish while watched (until %s)", ts(truth.WatchedUntil))
	}
	finalSeen := false
	wasFinished := -1
	for i, s := range samples {
		e := s.Explanation
		if e == nil {
			continue
		}
		phase, reason := e.Verdict.Phase, string(e.Verdict.Reason)
		conds := e.Conditions
		complete, failed := condTrue(conds, batchv1.JobComplete), condTrue(conds, batchv1.JobFailed)
		terminal := complete != nil || failed != nil

		// early
		stats[CheckEarly]++
		switch {
		case phase == explain.PhaseComplete && complete == nil:
			add(CheckEarly, i, "phase Complete but the Job read had no Complete=True condition (conditions: %s)", condString(conds))
		case phase == explain.PhaseFailed && failed == nil:
			add(CheckEarly, i, "phase Failed but the Job read had no Failed=True condition (conditions: %s)", condString(conds))
		}
		if phase.Finished() {
			if wasFinished < 0 {
				wasFinished = i
			}
		} else if wasFinished >= 0 {
			add(CheckEarly, i, "phase %s after sample %d said %s", phase, wasFinished, samples[wasFinished].Explanation.Verdict.Phase)
		}

		// verdict
		if terminal {
			finalSeen = true
			stats[CheckVerdict]++
			if string(phase) != truth.Terminal || reason != truth.Reason {
				add(CheckVerdict, i, "explain said %s/%s, the controller's terminal condition is %s/%s", phase, reason, truth.Terminal, truth.Reason)
			}
		}

		// interim
		if !terminal {
			if ft := condTrue(conds, batchv1.JobFailureTarget); ft != nil {
				stats[CheckInterim]++
				if phase != explain.PhaseFailing {
					add(CheckInterim, i, "FailureTarget=True (%s) without Failed, but phase %s", ft.Reason, phase)
				} else if truth.Terminal == "Failed" && reason != truth.Reason {
					add(CheckInterim, i, "Failing with reason %s, the Job then failed with %s", reason, truth.Reason)
				}
			} else if sc := condTrue(conds, batchv1.JobSuccessCriteriaMet); sc != nil {
				stats[CheckInterim]++
				if phase != explain.PhaseSucceeding {
					add(CheckInterim, i, "SuccessCriteriaMet=True (%s) without Complete, but phase %s", sc.Reason, phase)
				} else if truth.Terminal == "Complete" && reason != truth.Reason {
					add(CheckInterim, i, "Succeeding with reason %s, the Job then completed with %s", reason, truth.Reason)
				}
			} else if phase == explain.PhaseFailing || phase == explain.PhaseSucceeding {
				// Anticipating the interim condition is a prediction: it
				// must come true, with the same reason.
				stats[CheckInterim]++
				want := map[explain.Phase]string{explain.PhaseFailing: "Failed", explain.PhaseSucceeding: "Complete"}[phase]
				if truth.Terminal != "" && (truth.Terminal != want || truth.Reason != reason) {
					add(CheckInterim, i, "phase %s/%s before the controller wrote an interim condition, but the Job then ended %s/%s", phase, reason, truth.Terminal, truth.Reason)
				}
			}
		}

		live := !terminal && condTrue(conds, batchv1.JobFailureTarget) == nil && condTrue(conds, batchv1.JobSuccessCriteriaMet) == nil

		// backoff
		if live && e.Backoff != nil && e.Backoff.Remaining != nil && truth.Terminal != "" {
			b := e.Backoff
			r := *b.Remaining
			switch {
			case !onFailure && truth.Terminal == "Failed" && truth.Reason == "BackoffLimitExceeded":
				stats[CheckBackoff]++
				if truth.Failed < b.FailedPods+r+1 {
					add(CheckBackoff, i, "predicted the Job survives %d more failed pods (failed %d, limit %d), but it failed with BackoffLimitExceeded at status.failed %d", r, b.FailedPods, b.Limit, truth.Failed)
				}
			case !onFailure && truth.Terminal == "Complete":
				stats[CheckBackoff]++
				if truth.Failed > b.FailedPods+r {
					add(CheckBackoff, i, "predicted the Job fails after %d more failed pods (failed %d, limit %d), but it completed with status.failed %d", r+1, b.FailedPods, b.Limit, truth.Failed)
				}
			case onFailure && truth.Terminal == "Failed" && truth.Reason == "BackoffLimitExceeded" && b.FailedPods == 0:
				stats[CheckBackoff]++
				if truth.MaxActiveRestarts < b.Restarts+r+1 {
					add(CheckBackoff, i, "predicted the Job survives %d more restarts (restarts %d, limit %d), but it failed with BackoffLimitExceeded with at most %d restarts of active pods", r, b.Restarts, b.Limit, truth.MaxActiveRestarts)
				}
			}
			// OnFailure and completed is not checked: the controller sums
			// restarts only at its syncs, which batch pod updates (1s), so
			// a restart followed quickly by success can pass unseen; seen
			// on the cluster with restarts ≥ backoffLimit and Complete.
		}

		// deadline
		suspended := e.Spec.Suspend || condTrue(conds, batchv1.JobSuspended) != nil
		if live && !suspended && e.Deadline != nil && truth.Terminal != "" && spec.ActiveDeadlineSeconds != nil {
			at := e.Deadline.At.Time
			decided := truth.TerminalAt
			if !truth.InterimAt.IsZero() && truth.InterimAt.Before(decided) {
				decided = truth.InterimAt
			}
			stats[CheckDeadline]++
			own := truth.StartTime.Add(time.Duration(*spec.ActiveDeadlineSeconds) * time.Second)
			exact := !truth.StartTime.IsZero() && own.Equal(at)
			switch {
			case !truth.StartTime.IsZero() && !exact:
				add(CheckDeadline, i, "predicted the deadline at %s (start %s + %ds), the controller's is %s (status.startTime %s + %ds)", ts(at), ts(e.Deadline.Start.Time), e.Deadline.Seconds, ts(own), ts(truth.StartTime), *spec.ActiveDeadlineSeconds)
			case truth.Reason == "DeadlineExceeded" && truth.TerminalAt.Sub(at) < -Tolerance:
				add(CheckDeadline, i, "predicted the deadline at %s, the Job failed with DeadlineExceeded earlier, at %s (%+.1fs)", ts(at), ts(truth.TerminalAt), truth.TerminalAt.Sub(at).Seconds())
			case truth.Reason == "DeadlineExceeded" && truth.TerminalAt.Sub(at) > Tolerance:
				stats[CheckLate]++
				add(CheckLate, i, "deadline at %s as the controller computes it, but it failed the Job only at %s (%+.1fs late)", ts(at), ts(truth.TerminalAt), truth.TerminalAt.Sub(at).Seconds())
			case truth.Reason != "DeadlineExceeded" && decided.Sub(at) > Tolerance && exact && truth.Terminal == "Failed":
				// A late sync checks the backoff limit and the pod failure
				// policy before the deadline, so a lagging controller may
				// fail the Job for another reason.
				stats[CheckLate]++
				add(CheckLate, i, "deadline at %s as the controller computes it, but it decided only at %s, for %s (%+.1fs late)", ts(at), ts(decided), truth.Reason, decided.Sub(at).Seconds())
			case truth.Reason != "DeadlineExceeded" && decided.Sub(at) > Tolerance:
				add(CheckDeadline, i, "predicted the deadline at %s, but the Job was still running until %s and then ended with %s", ts(at), ts(decided), truth.Reason)
			}
		}

		// ttl
		if ttl := spec.TTLSecondsAfterFinished; ttl != nil {
			switch {
			case terminal && e.TTL.DeleteAt != nil:
				stats[CheckTTL]++
				at := e.TTL.DeleteAt.Time
				own := truth.TerminalAt.Add(time.Duration(*ttl) * time.Second)
				// The TTL controller acts at expiry by requesting a
				// foreground deletion; the Job disappears once the garbage
				// collector removed its pods, which lags on a busy machine.
				deleted, what := truth.DeletionRequested, "deletion was requested"
				if deleted.IsZero() {
					deleted, what = truth.Gone, "the Job disappeared"
				}
				switch {
				case !own.Equal(at):
					add(CheckTTL, i, "predicted deletion at %s, the TTL controller's expiry is %s (terminal condition %s + %ds)", ts(at), ts(own), ts(truth.TerminalAt), *ttl)
				case !deleted.IsZero() && deleted.Sub(at) < -Tolerance:
					add(CheckTTL, i, "predicted deletion at %s, but %s earlier, at %s (%+.1fs)", ts(at), what, ts(deleted), deleted.Sub(at).Seconds())
				case !deleted.IsZero() && deleted.Sub(at) > Tolerance:
					stats[CheckLate]++
					add(CheckLate, i, "deletion due at %s as the TTL controller computes it, %s at %s (%+.1fs late; gone at %s)", ts(at), what, ts(deleted), deleted.Sub(at).Seconds(), ts(truth.Gone))
				case deleted.IsZero() && truth.WatchedUntil.Sub(at) > Tolerance:
					add(CheckTTL, i, "predicted deletion at %s, the Job still existed at %s", ts(at), ts(truth.WatchedUntil))
				}
			case terminal:
				stats[CheckTTL]++
				add(CheckTTL, i, "the Job finished and has ttlSecondsAfterFinished %d but TTL.deleteAt is unset (state %s)", *ttl, e.TTL.State)
			case !terminal:
				stats[CheckTTL]++
				if e.TTL.State != explain.TTLWaiting {
					add(CheckTTL, i, "TTL state %s before the Job finished (want %s)", e.TTL.State, explain.TTLWaiting)
				}
			}
		}

		// indexes
		if spec.CompletionMode != nil && *spec.CompletionMode == batchv1.IndexedCompletion && truth.Terminal != "" {
			final := gen.ParseIndexes(truth.FailedIndexes)
			for _, ix := range e.Indexes {
				if ix.Status == "Failed" {
					stats[CheckIndexes]++
					if spec.BackoffLimitPerIndex != nil && !slices.Contains(final, ix.Index) {
						add(CheckIndexes, i, "index %d reported Failed, but the final status.failedIndexes is %q", ix.Index, truth.FailedIndexes)
					}
				}
			}
			if terminal {
				stats[CheckIndexes]++
				if e.Progress.FailedIndexes != truth.FailedIndexes {
					add(CheckIndexes, i, "progress.failedIndexes %q, the final status.failedIndexes is %q", e.Progress.FailedIndexes, truth.FailedIndexes)
				}
			}
		}
	}
	if truth.Terminal != "" && !finalSeen {
		add(CheckSampling, -1, "no sample saw the terminal condition %s/%s (the Job was gone first?)", truth.Terminal, truth.Reason)
	}
	return probs, stats
}

// Disagreements returns the problems that are explain's fault, leaving out
// sampling problems (the harness could not observe enough) and controller
// lag (CheckLate).
func Disagreements(probs []Problem) []Problem {
	var out []Problem
	for _, p := range probs {
		if p.Check != CheckSampling && p.Check != CheckLate {
			out = append(out, p)
		}
	}
	return out
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "<never>"
	}
	return t.UTC().Format("15:04:05.000")
}

func condString(conds []batchv1.JobCondition) string {
	var parts []string
	for _, c := range conds {
		parts = append(parts, fmt.Sprintf("%s=%s(%s)", c.Type, c.Status, c.Reason))
	}
	if len(parts) == 0 {
		return "<none>"
	}
	return strings.Join(parts, ",")
}

// Round keeps a ratio readable in the report.
func Round(x float64) float64 { return math.Round(x*10) / 10 }
