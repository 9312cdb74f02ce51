package explain

// When ttlSecondsAfterFinished deletes the Job.

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// timeToLive says when the ttl-after-finished controller deletes the Job.
func (s *state) timeToLive() {
	ttl := s.job.Spec.TTLSecondsAfterFinished
	t := TTL{State: TTLNone, Seconds: ttl}
	defer func() { s.e.TTL = t }()
	if ttl == nil {
		if cj := s.e.Spec.OwnerCronJob; cj != "" {
			t.Message = "no ttlSecondsAfterFinished: kept until CronJob " + cj + "'s history limit removes it (successfulJobsHistoryLimit, default 3; failedJobsHistoryLimit, default 1)"
		} else {
			t.Message = "no ttlSecondsAfterFinished: kept until deleted"
		}
		return
	}
	var terminal *batchv1.JobCondition
	switch {
	case s.complete != nil:
		terminal = s.complete
	case s.failed != nil:
		terminal = s.failed
	}
	if terminal == nil {
		t.State = TTLWaiting
		t.Message = fmt.Sprintf("ttlSecondsAfterFinished %d: the TTL clock starts when the Job finishes (Complete or Failed)", *ttl)
		return
	}
	finish := terminal.LastTransitionTime.Time
	if finish.IsZero() && s.job.Status.CompletionTime != nil {
		finish = s.job.Status.CompletionTime.Time
	}
	if finish.IsZero() {
		t.State = TTLWaiting
		t.Message = fmt.Sprintf("ttlSecondsAfterFinished %d: the %s condition has no lastTransitionTime, so the deletion time is unknown", *ttl, terminal.Type)
		return
	}
	at := finish.Add(time.Duration(*ttl) * time.Second)
	deleteAt := metav1.NewTime(at)
	remaining := at.Sub(s.now).Seconds()
	whole := wholeSeconds(at.Sub(s.now))
	t.DeleteAt, t.RemainingSeconds = &deleteAt, &whole
	pods := "with its pods"
	if !s.in.PodsUnknown {
		pods = "with its " + Plural(int64(len(s.views)), "pod", "pods")
	}
	if remaining > 0 {
		t.State = TTLScheduled
		t.Message = fmt.Sprintf("deleted at %s (%s) %s", formatClock(at, s.now), relative(at, s.now), pods)
	} else {
		t.State = TTLDue
		t.Message = fmt.Sprintf("deletion due since %s (%s): the ttl-after-finished controller deletes it %s", formatClock(at, s.now), relative(at, s.now), pods)
	}
}
