package explain

import (
	"fmt"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// listCells is what kubectl job list shows of an explanation (MESSAGE
// aside): the cells ListRowNeedsPods promises pods cannot change.
func listCells(e *JobExplanation) string {
	s := fmt.Sprintf("%s %s", e.Verdict.Phase, e.Verdict.Reason)
	if b := e.Backoff; b != nil {
		s += fmt.Sprintf(" backoff %d/%d (%d pods)", b.Counted, b.Limit, b.FailedPods)
	}
	if d := e.Duration; d != nil {
		s += fmt.Sprintf(" duration %s-%s", d.Start.UTC(), d.End.UTC())
	}
	if d := e.Deadline; d != nil {
		s += fmt.Sprintf(" deadline %s", d.At.UTC())
	}
	s += " ttl " + string(e.TTL.State)
	if e.TTL.DeleteAt != nil {
		s += " " + e.TTL.DeleteAt.UTC().String()
	}
	return s
}

// listRowCases are the engine cases (Jobs with pods as the job controller
// and kubelet leave them) and two states they lack: an External Job with
// restartPolicy OnFailure whose pod restarted, and a Job whose only pod just
// succeeded while its status, not yet synced, still counts it active and
// ready.
func listRowCases() []engineCase {
	cases := engineCases()
	ext := newJob("ext-onfailure").managedBy("kueue.x-k8s.io/multikueue").onFailure().started(10*time.Minute).counts(1, 1, 0, 0).build()
	cases = append(cases, engineCase{name: "external OnFailure with restarts", in: Input{Job: ext, Now: now,
		Pods: []corev1.Pod{newPod(ext, "ext-onfailure-a", 10*time.Minute).running(9*time.Minute).restarts(2, 1).build()}}})
	lag := newJob("lagging").started(10*time.Minute).counts(1, 1, 0, 0).build()
	cases = append(cases, engineCase{name: "status not synced after the pod succeeded", in: Input{Job: lag, Now: now,
		Pods: []corev1.Pod{newPod(lag, "lagging-a", 10*time.Minute).succeeded(9*time.Minute, time.Second).build()}}})
	return cases
}

// rowDiffs explains every listRowCases case with and without its pods, and
// returns the cases where needsPods let list skip the pods but they changed
// a cell.
func rowDiffs(needsPods func(*batchv1.Job, *JobExplanation) bool) (diffs []string, skipped int) {
	for _, tc := range listRowCases() {
		if tc.in.Job == nil || tc.in.PodsUnknown || len(tc.in.Pods) == 0 {
			continue
		}
		blind := tc.in
		blind.Pods, blind.PodsUnknown, blind.Events, blind.EventsUnknown = nil, true, nil, true
		without := Explain(blind)
		if needsPods(tc.in.Job, without) {
			continue
		}
		skipped++
		with := Explain(tc.in)
		if a, b := listCells(with), listCells(without); a != b {
			diffs = append(diffs, fmt.Sprintf("%s:\n  with pods:    %s\n  without pods: %s", tc.name, a, b))
		}
	}
	return diffs, skipped
}

// TestListRowNeedsPodsKeepsRows: where ListRowNeedsPods lets list skip a
// Job's pods, the engine cases' rows are the same with them. test/difftest
// checks the same on the states a real cluster went through.
func TestListRowNeedsPodsKeepsRows(t *testing.T) {
	diffs, skipped := rowDiffs(ListRowNeedsPods)
	for _, d := range diffs {
		t.Error(d)
	}
	if skipped < 5 {
		t.Errorf("only %d engine cases skipped their pods: too few to show anything", skipped)
	}
	t.Logf("%d engine cases with pods were judged as list judges them without", skipped)
}

// TestListRowNeedsPodsCanFail is the negative control: rules that skip the
// pods of a live Job, of a restartPolicy OnFailure Job, or of a Job whose
// status says a pod is ready, must change rows of the cases.
func TestListRowNeedsPodsCanFail(t *testing.T) {
	for name, wrong := range map[string]func(*batchv1.Job, *JobExplanation) bool{
		"never read a live Job's pods": func(*batchv1.Job, *JobExplanation) bool { return false },
		"ignore restartPolicy OnFailure": func(job *batchv1.Job, e *JobExplanation) bool {
			j := job.DeepCopy()
			j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
			return ListRowNeedsPods(j, e)
		},
		"trust status.ready": func(job *batchv1.Job, e *JobExplanation) bool {
			if e.Verdict.Phase == PhaseRunning && derefInt32(job.Status.Ready, 0) > 0 {
				return false
			}
			return ListRowNeedsPods(job, e)
		},
	} {
		if diffs, _ := rowDiffs(wrong); len(diffs) == 0 {
			t.Errorf("%s: no engine case shows the difference; the check cannot fail", name)
		}
	}
}

func TestListRowNeedsPods(t *testing.T) {
	running := func() *jobBuilder { return newJob("r").started(5*time.Minute).counts(2, 1, 0, 0) }
	for _, tc := range []struct {
		name string
		job  *batchv1.Job
		want bool
	}{
		{"complete", newJob("c").started(time.Hour).complete("CompletionsReached", "", time.Minute).build(), false},
		{"running with a ready pod: status.ready lags", running().build(), true},
		{"running, nothing ready", newJob("r").started(5*time.Minute).counts(2, 0, 0, 0).build(), true},
		{"OnFailure suspended: restarts count", newJob("s").suspend().onFailure().build(), true},
		{"external", newJob("x").managedBy("kueue.x-k8s.io/multikueue").started(time.Minute).counts(1, 0, 0, 0).build(), false},
		{"suspended", newJob("s").suspend().build(), false},
		{"no pod active", newJob("p").started(time.Minute).build(), true},
		{"failing", running().condTrue(batchv1.JobFailureTarget, "BackoffLimitExceeded", "", time.Second).build(), true},
		{"deleting", running().deleting(time.Second).build(), true},
	} {
		e := Explain(Input{Job: tc.job, Now: now, PodsUnknown: true, EventsUnknown: true})
		if got := ListRowNeedsPods(tc.job, e); got != tc.want {
			t.Errorf("%s (%s %s): ListRowNeedsPods = %v, want %v", tc.name, e.Verdict.Phase, e.Verdict.Reason, got, tc.want)
		}
	}
}
