package explain

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// The Ignore-rule Job of issue 17: three indexes exit 42 under an Ignore
// rule; status.failed stays 0, yet the controller waits 10s × 2^2 = 40s.
func TestRetryClockCountsIgnoredFailures(t *testing.T) {
	j := newJob("ig").indexed().completions(3).parallelism(3).started(time.Minute).
		replacement(batchv1.Failed).podFailurePolicy(exitRule(batchv1.PodFailurePolicyActionIgnore, "", 42)).build()
	ps := pods(newPod(j, "ig-0", time.Minute).index(0).failed(42, 50*time.Second, 15*time.Second),
		newPod(j, "ig-1", time.Minute).index(1).failed(42, 50*time.Second, 16*time.Second),
		newPod(j, "ig-2", time.Minute).index(2).failed(42, 50*time.Second, 17*time.Second))
	for _, tc := range []struct {
		base time.Duration
		at   time.Time
	}{{0, now.Add(25 * time.Second)}, {time.Second, time.Time{}}, {5 * time.Second, now.Add(5 * time.Second)}} {
		e := Explain(Input{Job: j, Pods: ps, Now: now, PodFailureBackoff: tc.base})
		b := e.Backoff
		if tc.at.IsZero() {
			if b.NextRetryAt != nil || e.Verdict.Reason == ReasonBackoffDelay {
				t.Errorf("base %v: the wait is over, got %v %s", tc.base, b.NextRetryAt, e.Verdict.Reason)
			}
			continue
		}
		if e.Verdict.Reason != ReasonBackoffDelay || b.NextRetryAt == nil || !b.NextRetryAt.Time.Equal(tc.at) || b.RetryFailures != 3 || b.Ignored != 3 || b.FailedPods != 0 {
			t.Fatalf("base %v: verdict %s %q, backoff %+v, want next retry at %v", tc.base, e.Verdict.Reason, e.Verdict.Message, b, tc.at)
		}
		if !strings.Contains(e.Verdict.Message, "3 ignored by podFailurePolicy") {
			t.Errorf("message %q", e.Verdict.Message)
		}
	}
}

// A success resets the count: only failures after it count.
func TestRetryClockResetsOnSuccess(t *testing.T) {
	j := newJob("rs").completions(3).parallelism(1).started(5*time.Minute).counts(0, 0, 1, 3).build()
	ps := pods(newPod(j, "rs-a", 5*time.Minute).failed(1, 5*time.Minute, 4*time.Minute),
		newPod(j, "rs-b", 4*time.Minute).failed(1, 4*time.Minute, 3*time.Minute),
		newPod(j, "rs-c", 3*time.Minute).succeeded(3*time.Minute, 2*time.Minute),
		newPod(j, "rs-d", 2*time.Minute).failed(1, 2*time.Minute, 5*time.Second))
	e := Explain(Input{Job: j, Pods: ps, Now: now})
	if b := e.Backoff; b.RetryFailures != 1 || b.NextRetryAt == nil || !b.NextRetryAt.Time.Equal(now.Add(5*time.Second)) {
		t.Errorf("backoff %+v", b)
	}
}

// A deleted pod counts with podReplacementPolicy TerminatingOrFailed only.
func TestRetryClockDeletedPods(t *testing.T) {
	for _, policy := range []batchv1.PodReplacementPolicy{batchv1.TerminatingOrFailed, batchv1.Failed} {
		j := newJob("dp").started(time.Minute).replacement(policy).build()
		p := newPod(j, "dp-a", time.Minute).running(50 * time.Second).deleting(32 * time.Second)
		p.p.Status.Conditions = []corev1.PodCondition{}
		e := Explain(Input{Job: j, Pods: pods(p), Now: now})
		want := int32(0)
		if policy == batchv1.TerminatingOrFailed {
			want = 1
		}
		if e.Backoff.RetryFailures != want {
			t.Errorf("%s: retry failures %d, want %d", policy, e.Backoff.RetryFailures, want)
		}
	}
}

// backoffLimitPerIndex: each index waits from its own newest failure, with
// its failure and ignored-failure counts.
func TestRetryClockPerIndex(t *testing.T) {
	j := newJob("pi").indexed().completions(2).parallelism(2).perIndex(3, nil).started(time.Minute).build()
	p0 := newPod(j, "pi-0", time.Minute).index(0).failureCount(1).failed(1, 50*time.Second, 5*time.Second)
	p0.p.Annotations[batchv1.JobIndexIgnoredFailureCountAnnotation] = "1"
	p1 := newPod(j, "pi-1", time.Minute).index(1).failed(1, 50*time.Second, 8*time.Second)
	e := Explain(Input{Job: j, Pods: pods(p0, p1), Now: now})
	// index 0: 1 + 1 + 1 = 3 failures, 40s after 5s ago; index 1: 1, 10s after 8s ago.
	if got := e.Indexes[0].NextRetryAt; got == nil || !got.Time.Equal(now.Add(35*time.Second)) {
		t.Errorf("index 0 next retry %v", got)
	}
	if got := e.Indexes[1].NextRetryAt; got == nil || !got.Time.Equal(now.Add(2*time.Second)) {
		t.Errorf("index 1 next retry %v", got)
	}
	if e.Verdict.Reason != ReasonBackoffDelay || !strings.Contains(e.Verdict.Message, "12:00:02 (in 2s)") {
		t.Errorf("verdict %s %q", e.Verdict.Reason, e.Verdict.Message)
	}
}

// status.active lags behind the pods: the pods seen decide that nothing
// runs and the controller is backing off (seen on the local cluster).
func TestRetryClockWithStaleActive(t *testing.T) {
	j := newJob("st").started(time.Minute).counts(1, 1, 0, 1).build()
	e := Explain(Input{Job: j, Pods: pods(newPod(j, "st-a", time.Minute).failed(1, 50*time.Second, 5*time.Second)), Now: now})
	if e.Verdict.Reason != ReasonBackoffDelay {
		t.Errorf("verdict %s %q, want BackoffDelay", e.Verdict.Reason, e.Verdict.Message)
	}
}

// Between a pod's failure and the controller's next sync, status.failed
// still shows room under backoffLimit: the failed pods seen decide that the
// sync fails the Job, so no retry is promised (e2e TestCreateFollowFailingExits2
// said "backing off 10s" for a backoffLimit 0 Job about to fail). The same
// pod under backoffLimit 1 is retried.
func TestNoRetryPastTheLimit(t *testing.T) {
	for _, tc := range []struct {
		limit     int32
		failed    int32 // status.failed: the controller's count so far
		reason    Reason
		retry     bool
		inMessage string
	}{
		{limit: 0, failed: 0, reason: ReasonAwaitingController, inMessage: "1 counted failure > backoffLimit 0, so the job controller fails the Job at its next sync (BackoffLimitExceeded)"},
		{limit: 0, failed: 1, reason: ReasonAwaitingController, inMessage: "1 counted failure > backoffLimit 0"},
		{limit: 1, failed: 0, reason: ReasonBackoffDelay, retry: true, inMessage: "backing off 10s after 1 failure"},
	} {
		j := newJob("mig").backoffLimit(tc.limit).started(time.Minute).counts(1, 0, 0, tc.failed).build()
		e := Explain(Input{Job: j, Pods: pods(newPod(j, "mig-a", time.Minute).failed(1, 50*time.Second, 2*time.Second)), Now: now})
		if e.Verdict.Phase != PhasePending || e.Verdict.Reason != tc.reason || !strings.Contains(e.Verdict.Message, tc.inMessage) {
			t.Errorf("backoffLimit %d, status.failed %d: verdict %s/%s %q, want %s with %q", tc.limit, tc.failed, e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message, tc.reason, tc.inMessage)
		}
		if got := e.Backoff.NextRetryAt != nil; got != tc.retry {
			t.Errorf("backoffLimit %d, status.failed %d: nextRetryAt %v, want a retry: %v", tc.limit, tc.failed, e.Backoff.NextRetryAt, tc.retry)
		}
	}
}
