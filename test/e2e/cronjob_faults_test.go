//go:build e2e && faults

package e2e

import (
	"testing"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// TestFaultCronJobControllerDown stops kube-controller-manager over two
// slots of a */1 CronJob and starts it again: the controller then runs only
// the most recent missed slot, late, and drops the other (superseded). It
// is a fault test (make e2e-faults) because stopping the controller manager
// would stall every other e2e test running in parallel.
func TestFaultCronJobControllerDown(t *testing.T) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	s1 := everyMinute(t, ns, "outage", SimDuration, "2s", nil)
	s2, s3 := s1.Add(time.Minute), s1.Add(2*time.Minute)
	j1 := waitJobFor(t, ns, s1, 90*time.Second)
	clusterCtl(t, dir, "stop", "kube-controller-manager")
	stopped := true
	defer func() {
		if stopped {
			clusterCtl(t, dir, "start", "kube-controller-manager")
		}
	}()
	sleepUntil(s3.Add(20 * time.Second))
	clusterCtl(t, dir, "start", "kube-controller-manager")
	stopped = false
	j3 := waitJobFor(t, ns, s3, 90*time.Second)
	if d := j3.CreationTimestamp.Sub(s3); d < cronexplain.LateAfter {
		t.Fatalf("the Job of slot 3 was created %s after it: not late, the test's premise failed", d)
	}
	if _, ok := cronJobs(t, ns)[s2.Unix()]; ok {
		t.Fatalf("the controller ran slot 2 too: the test's premise failed")
	}
	withAndWithoutEvents(t, ns, "outage", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeRan, "", j1.Name)
		expectSlot(t, e, s2, cronexplain.OutcomeSkipped, cronexplain.ReasonSuperseded, "")
		expectSlot(t, e, s3, cronexplain.OutcomeLate, cronexplain.ReasonControllerLate, j3.Name)
	})
}
