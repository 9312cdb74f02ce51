package explain

// Counters: how long the Job ran, its deadline and its failure budget.

import (
	"fmt"
	"math"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func (s *state) duration() *DurationInfo {
	start := s.job.Status.StartTime
	if start == nil || start.IsZero() {
		return nil
	}
	d := &DurationInfo{Start: *start, End: metav1.NewTime(s.now), EndedBy: "now"}
	if s.end != nil {
		d.End = metav1.NewTime(*s.end)
		switch {
		case s.complete != nil && s.job.Status.CompletionTime != nil:
			d.EndedBy = "completionTime"
		case s.complete != nil:
			d.EndedBy = string(batchv1.JobComplete)
		case s.failed != nil:
			d.EndedBy = string(batchv1.JobFailed)
		case s.failureTarget != nil:
			d.EndedBy = string(batchv1.JobFailureTarget)
		case s.successMet != nil:
			d.EndedBy = string(batchv1.JobSuccessCriteriaMet)
		}
	}
	d.Seconds = max(0, wholeSeconds(d.End.Sub(d.Start.Time)))
	return d
}

func (s *state) deadline() *Deadline {
	ads := s.job.Spec.ActiveDeadlineSeconds
	start := s.job.Status.StartTime
	if ads == nil || start == nil || start.IsZero() {
		return nil
	}
	at := start.Add(time.Duration(*ads) * time.Second)
	ref := s.now
	if s.end != nil {
		ref = *s.end
	}
	d := &Deadline{Seconds: *ads, Start: *start, At: metav1.NewTime(at), RemainingSeconds: wholeSeconds(at.Sub(ref))}
	d.Exceeded = !at.After(ref) || s.finishReason() == batchv1.JobReasonDeadlineExceeded
	return d
}

// wholeSeconds is d in seconds, truncated: every duration of the JSON is a
// whole number of seconds, as the server's timestamps are.
func wholeSeconds(d time.Duration) float64 {
	return d.Truncate(time.Second).Seconds()
}

func (s *state) finishReason() string {
	for _, c := range []*batchv1.JobCondition{s.failed, s.failureTarget, s.complete, s.successMet} {
		if c != nil {
			return c.Reason
		}
	}
	return ""
}

// addCapped adds counts without wrapping around: counters come from the
// cluster (or a file) and may be anything up to MaxInt32.
func addCapped(a int32, b int) int32 {
	return int32(max(math.MinInt32, min(int64(a)+int64(b), math.MaxInt32)))
}

// backoff is the failure budget against backoffLimit; nil with
// backoffLimitPerIndex, whose budget is per index (see Indexes).
func (s *state) backoff() *Backoff {
	if s.perIndex {
		return nil
	}
	b := &Backoff{Limit: s.backoffLimit, FailedPods: addCapped(s.job.Status.Failed, s.e.Progress.UncountedFailed)}
	for _, v := range s.views {
		if v.failed && !v.counted {
			b.Ignored++
		}
		if s.restartPolicy == corev1.RestartPolicyOnFailure && (v.pod.Status.Phase == corev1.PodRunning || v.pod.Status.Phase == corev1.PodPending) {
			for _, cs := range v.pod.Status.InitContainerStatuses {
				b.Restarts = addCapped(b.Restarts, int(cs.RestartCount))
			}
			for _, cs := range v.pod.Status.ContainerStatuses {
				b.Restarts = addCapped(b.Restarts, int(cs.RestartCount))
			}
		}
	}
	b.Counted = addCapped(b.FailedPods, int(b.Restarts))
	if s.end == nil {
		// Never: the controller fails the Job when failed > backoffLimit.
		// OnFailure also when the restarts of active pods reach the limit
		// (any restart when the limit is 0). A negative value means the
		// limit is already reached and the next sync fails the Job: it is
		// not clamped, or the prediction would promise one more try.
		rem := int64(b.Limit) - int64(b.FailedPods)
		if s.restartPolicy == corev1.RestartPolicyOnFailure {
			if b.Limit == 0 {
				rem = min(rem, -int64(b.Restarts))
			} else {
				rem = min(rem, int64(b.Limit)-int64(b.Restarts)-1)
			}
		}
		r := int32(max(math.MinInt32, min(rem, math.MaxInt32)))
		b.Remaining = &r
		// Past the limit the next sync fails the Job: no retry comes.
		if s.pastLimit = s.limitReached(b); s.pastLimit == "" {
			s.retryClock(b)
		}
	}
	return b
}

// limitReached says why the failures already take the Job past its
// backoffLimit, so the controller's next sync fails it (BackoffLimitExceeded)
// instead of creating another pod; "" while they do not. Failed pods the
// controller has yet to count (not in status.failed nor
// uncountedTerminatedPods) count: between a pod's failure and that sync the
// status still shows room.
func (s *state) limitReached(b *Backoff) string {
	var seen int64
	for _, v := range s.views {
		if v.failed && v.counted {
			seen++
		}
	}
	counted := max(int64(b.Counted), seen+int64(b.Restarts))
	switch {
	case counted > int64(b.Limit):
		return fmt.Sprintf("%s > backoffLimit %d", Plural(counted, "counted failure", "counted failures"), b.Limit)
	case *b.Remaining < 0:
		return fmt.Sprintf("%s of active pods reach backoffLimit %d (restartPolicy OnFailure)", Plural(int64(b.Restarts), "container restart", "container restarts"), b.Limit)
	}
	return ""
}

// podsGoing says what happens to the pods of a Job being deleted or failed.
func (s *state) podsGoing() string {
	if s.in.PodsUnknown {
		return "its pods go with it"
	}
	return Plural(int64(len(s.views)), "pod goes", "pods go") + " with it"
}

// progressSummary is the counters in one phrase: "2/5 completions, 3 active (2 ready), 1 failed".
func (s *state) progressSummary() string {
	p := s.e.Progress
	var parts []string
	if c := s.job.Spec.Completions; c != nil {
		word := "completions"
		if s.indexed {
			word = "indexes completed"
		}
		parts = append(parts, fmt.Sprintf("%d/%d %s", p.Succeeded, *c, word))
	} else {
		parts = append(parts, fmt.Sprintf("%d succeeded (completions unset: the first success completes it)", p.Succeeded))
	}
	active := fmt.Sprintf("%d active", p.Active)
	if p.Active > 0 && s.job.Status.Ready != nil {
		// Absent (older servers, or a trimmed manifest) is unknown, not 0.
		active += fmt.Sprintf(" (%d ready)", p.Ready)
	}
	parts = append(parts, active)
	if p.Failed > 0 || s.failedIdx.Len() > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.Failed))
	}
	if p.Terminating > 0 {
		parts = append(parts, fmt.Sprintf("%d terminating", p.Terminating))
	}
	return strings.Join(parts, ", ")
}

// budgetSpent reports whether any failure was counted or ignored.
func (s *state) budgetSpent() bool {
	if b := s.e.Backoff; b != nil {
		return b.Counted > 0 || b.Ignored > 0
	}
	return s.failedIdx.Len() > 0 || s.job.Status.Failed > 0
}

// budgetSummary is the failure budget in one phrase, "" when there is none.
func (s *state) budgetSummary() string {
	if b := s.e.Backoff; b != nil && b.Remaining != nil {
		outlook := fmt.Sprintf("fails after %d more", int64(*b.Remaining)+1)
		if *b.Remaining < 0 {
			outlook = "limit reached: the job controller fails the Job at its next sync"
		}
		if s.restartPolicy == corev1.RestartPolicyOnFailure {
			return fmt.Sprintf("%s, %s counted (backoffLimit %d: %s)",
				Plural(int64(b.FailedPods), "failed pod", "failed pods"), Plural(int64(b.Restarts), "container restart", "container restarts"), b.Limit, outlook)
		}
		return fmt.Sprintf("%s counted (backoffLimit %d: %s)", Plural(int64(b.FailedPods), "failure", "failures"), b.Limit, outlook)
	}
	if s.perIndex {
		msg := fmt.Sprintf("backoffLimitPerIndex %d", *s.job.Spec.BackoffLimitPerIndex)
		if m := s.job.Spec.MaxFailedIndexes; m != nil {
			msg += fmt.Sprintf(", %d failed indexes of maxFailedIndexes %d", s.failedIdx.Len(), *m)
		} else if s.failedIdx.Len() > 0 {
			msg += fmt.Sprintf(", failed indexes %s", s.failedIdx)
		}
		return msg
	}
	return ""
}

func (s *state) deadlineSummary() string {
	d := s.e.Deadline
	if d == nil {
		return ""
	}
	if !d.Exceeded {
		return fmt.Sprintf("deadline at %s (in %s)", formatClock(d.At.Time, s.now), FormatDuration(time.Duration(d.RemainingSeconds*float64(time.Second))))
	}
	return fmt.Sprintf("deadline passed at %s (%s ago)", formatClock(d.At.Time, s.now), FormatDuration(time.Duration(-d.RemainingSeconds*float64(time.Second))))
}
