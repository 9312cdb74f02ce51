//go:build e2e && faults

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// faultFailureNotYetCounted stops kube-controller-manager while the one
// pod of a backoffLimit 0 Job fails, which holds the moment, normally a few
// milliseconds, between a pod's failure and the controller's sync. The
// cluster says the controller has not counted the failure (status.failed 0,
// no condition); explain must still promise no retry, since that failure
// takes the Job past its limit. Once the controller is back, it fails the
// Job with BackoffLimitExceeded and creates no other pod, as explain said.
// Before that rule explain said "Pending: BackoffDelay — backing off 10s".
func faultFailureNotYetCounted(t *testing.T, doc *DocSection) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	job := NewJob(ns, "migrate").BackoffLimit(0).Fail(1, "6s").Create(t)
	onePod := func(phase corev1.PodPhase) func() (bool, error) {
		return func() (bool, error) {
			ps := Pods(t, job)
			return len(ps) == 1 && ps[0].Status.Phase == phase, nil
		}
	}
	WaitFor(t, time.Minute, "its pod running", onePod(corev1.PodRunning))
	clusterCtl(t, dir, "stop", "kube-controller-manager")
	stopped := true
	defer func() {
		if stopped {
			clusterCtl(t, dir, "start", "kube-controller-manager")
		}
	}()
	WaitFor(t, time.Minute, "its pod failed", onePod(corev1.PodFailed))
	seen, err := client.BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if seen.Status.Failed != 0 || len(seen.Status.Conditions) > 0 {
		t.Fatalf("the controller counted the failure while stopped (failed %d, conditions %v): the test's premise failed", seen.Status.Failed, seen.Status.Conditions)
	}
	e := decodeExplanation(t, KubectlJob(t, "explain", "migrate", "-n", ns, "-o", "json").Stdout)
	t.Logf("UNCOUNTED %s/%s: %s", e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message)
	if e.Verdict.Phase != explain.PhasePending || e.Verdict.Reason != explain.ReasonAwaitingController ||
		!strings.Contains(e.Verdict.Message, "1 counted failure > backoffLimit 0, so the job controller fails the Job at its next sync") {
		t.Errorf("verdict %s/%s %q, want Pending/AwaitingController saying the next sync fails the Job", e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message)
	}
	if e.Backoff == nil || e.Backoff.NextRetryAt != nil {
		t.Errorf("backoff %+v: want no nextRetryAt", e.Backoff)
	}
	clusterCtl(t, dir, "start", "kube-controller-manager")
	stopped = false
	done := WaitForCondition(t, ns, "migrate", batchv1.JobFailed, 2*time.Minute)
	for _, c := range done.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Reason != batchv1.JobReasonBackoffLimitExceeded {
			t.Errorf("the Job failed with reason %s, want BackoffLimitExceeded", c.Reason)
		}
	}
	pods := Pods(t, job)
	if len(pods) > 1 {
		t.Errorf("%d pods: the controller created another one", len(pods))
	}
	doc.Add(DocRow{
		Case:     "`explain migrate` while kube-controller-manager is stopped and the one pod of a `backoffLimit: 0` Job has just failed (the Job says `failed: 0`, no condition: the controller has not counted it)",
		Expected: "no retry promised: `Pending/AwaitingController`, the controller fails the Job at its next sync; once it is back, `Failed BackoffLimitExceeded` and no other pod",
		Observed: fmt.Sprintf("`%s/%s`: %s; no nextRetryAt: %t; after the restart: Failed %s, %d pod", e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message,
			e.Backoff == nil || e.Backoff.NextRetryAt == nil, Condition(done, batchv1.JobFailed).Reason, len(pods)),
	})
}
