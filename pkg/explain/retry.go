package explain

// The job controller's retry clock: after failed pods it waits before it
// creates replacements (pkg/controller/job backoff_utils.go, v1.37).

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podFailureBackoff is the base delay: Input.PodFailureBackoff, or the
// controller's default when unset.
func (s *state) podFailureBackoff() time.Duration {
	if s.in.PodFailureBackoff > 0 {
		return s.in.PodFailureBackoff
	}
	return PodFailureBackoff
}

// retryClock fills b's retry fields. The controller keeps, per Job, the
// failures since the last success and the finish time of the latest: every
// failed pod counts, also those a podFailurePolicy Ignore rule keeps out of
// status.failed, and with podReplacementPolicy TerminatingOrFailed every
// deleted pod that had not succeeded. It creates no pod before the last
// failure + base × 2^(failures-1) (capped).
func (s *state) retryClock(b *Backoff) {
	var lastSuccess *time.Time
	for _, v := range s.views {
		if v.pod.Status.Phase == corev1.PodSucceeded {
			if f := finishedOrCreated(v); lastSuccess == nil || f.After(*lastSuccess) {
				lastSuccess = &f
			}
		}
	}
	var failures int32
	var last time.Time
	for _, v := range s.views {
		if !s.controllerFailed(v) {
			continue
		}
		f := finishedOrCreated(v)
		if lastSuccess != nil && !f.After(*lastSuccess) {
			continue
		}
		failures++
		if f.After(last) {
			last = f
		}
	}
	if failures == 0 {
		return
	}
	delay := s.retryDelay(failures)
	b.RetryFailures = failures
	b.RetryDelaySeconds = delay.Seconds()
	if at := last.Add(delay); at.After(s.now) {
		t := metav1.NewTime(at)
		b.NextRetryAt = &t
	}
}

// controllerFailed is the controller's isPodFailed.
func (s *state) controllerFailed(v *podView) bool {
	p := v.pod
	if p.Status.Phase == corev1.PodFailed {
		return true
	}
	if s.e.Spec.PodReplacementPolicy == string(batchv1.Failed) {
		return false
	}
	return p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodSucceeded
}

// finishedOrCreated is the controller's getFinishedTime: its last resort is
// the creation time.
func finishedOrCreated(v *podView) time.Time {
	if v.finished != nil {
		return *v.finished
	}
	if f := podFinishedTime(v.pod); f != nil {
		return *f
	}
	return v.pod.CreationTimestamp.Time
}

// retryDelay is base × 2^(failures-1), capped at MaxPodFailureBackoff.
func (s *state) retryDelay(failures int32) time.Duration {
	d := s.podFailureBackoff()
	for i := int32(1); i < failures; i++ {
		d *= 2
		if d >= MaxPodFailureBackoff {
			return MaxPodFailureBackoff
		}
	}
	return d
}

// indexRetryAt is when the controller may recreate the pod of one index of
// a Job with backoffLimitPerIndex: from the index's newest failed pod, with
// its failure and ignored-failure counts plus that failure, nil when no
// wait is due.
func (s *state) indexRetryAt(last *podView) *metav1.Time {
	if last == nil || !s.controllerFailed(last) {
		return nil
	}
	n := addCapped(annotationInt(last.pod, batchv1.JobIndexFailureCountAnnotation), int(annotationInt(last.pod, batchv1.JobIndexIgnoredFailureCountAnnotation))+1)
	at := finishedOrCreated(last).Add(s.retryDelay(n))
	if !at.After(s.now) {
		return nil
	}
	t := metav1.NewTime(at)
	return &t
}

// retryMessage is the BackoffDelay verdict: the wait and how it is made up.
func (s *state) retryMessage(b *Backoff) string {
	msg := fmt.Sprintf("backing off %s after %s", FormatDuration(time.Duration(b.RetryDelaySeconds*float64(time.Second))),
		Plural(int64(b.RetryFailures), "failure", "failures"))
	if b.Ignored > 0 {
		msg += fmt.Sprintf(" (%d ignored by podFailurePolicy: the delay counts them too)", b.Ignored)
	}
	return msg + fmt.Sprintf(": the next pod is created at %s (%s)", formatClock(b.NextRetryAt.Time, s.now), relative(b.NextRetryAt.Time, s.now))
}

// indexesRetryAt is the earliest retry of the indexes still waiting, nil
// when none is.
func (s *state) indexesRetryAt() *metav1.Time {
	var at *metav1.Time
	for i := range s.e.Indexes {
		if t := s.e.Indexes[i].NextRetryAt; t != nil && (at == nil || t.Before(at)) {
			at = t
		}
	}
	return at
}
