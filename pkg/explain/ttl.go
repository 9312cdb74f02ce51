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
			t.Message = "no ttlSecondsAfterFinished: kept until CronJob " + cj + "'s history limit removes it (" + s.historyLimits() + ")"
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
		pods = "with its " + plural(int64(len(s.views)), "pod", "pods")
	}
	if remaining > 0 {
		t.State = TTLScheduled
		t.Message = fmt.Sprintf("deleted at %s (%s) %s", formatClock(at, s.now), relative(at, s.now), pods)
	} else {
		t.State = TTLDue
		t.Message = fmt.Sprintf("deletion due since %s (%s): the ttl-after-finished controller deletes it %s", formatClock(at, s.now), relative(at, s.now), pods)
	}
}

// historyLimits names the owning CronJob's history limit that will remove
// the Job: its own values when the CronJob was read, else the defaults.
func (s *state) historyLimits() string {
	cj := s.in.CronJob
	if cj == nil || cj.Name != s.e.Spec.OwnerCronJob {
		return "successfulJobsHistoryLimit, default 3; failedJobsHistoryLimit, default 1; the CronJob was not read"
	}
	limit := func(field string, v *int32, def int32) string {
		if v == nil {
			return fmt.Sprintf("%s, default %d", field, def)
		}
		return fmt.Sprintf("%s %d", field, *v)
	}
	succeeded := limit("successfulJobsHistoryLimit", cj.Spec.SuccessfulJobsHistoryLimit, 3)
	failed := limit("failedJobsHistoryLimit", cj.Spec.FailedJobsHistoryLimit, 1)
	switch {
	case s.complete != nil:
		return succeeded
	case s.failed != nil:
		return failed
	}
	return succeeded + "; " + failed
}
