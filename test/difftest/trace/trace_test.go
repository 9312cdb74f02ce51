package trace

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
)

var t0 = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)

func failedJob(at time.Time) *batchv1.Job {
	j := gen.Generate(1, 0).Job.DeepCopy()
	j.Namespace, j.UID = "ns", "uid-1"
	j.Spec.BackoffLimit = ptr.To(int32(1))
	j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-1"}}
	j.Status.StartTime = &metav1.Time{Time: t0}
	j.Status.Failed = 2
	for _, typ := range []batchv1.JobConditionType{batchv1.JobFailureTarget, batchv1.JobFailed} {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: typ, Status: corev1.ConditionTrue,
			Reason: "BackoffLimitExceeded", LastTransitionTime: metav1.Time{Time: at}})
	}
	return j
}

func TestCheck(t *testing.T) {
	c := gen.Generate(1, 0)
	c.Job.Spec.TTLSecondsAfterFinished = nil
	c.Job.Spec.CompletionMode = nil
	end := t0.Add(5 * time.Second)
	truth := Truth{Terminal: "Failed", Reason: "BackoffLimitExceeded", TerminalAt: end, Failed: 2}
	explained := func(phase explain.Phase, reason string, conds ...batchv1.JobConditionType) *explain.JobExplanation {
		e := &explain.JobExplanation{Verdict: explain.Verdict{Phase: phase, Reason: explain.Reason(reason)}}
		for _, typ := range conds {
			e.Conditions = append(e.Conditions, batchv1.JobCondition{Type: typ, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"})
		}
		return e
	}
	for _, tc := range []struct {
		name    string
		samples []Sample
		want    []string // checks that fail
	}{
		{"agrees", []Sample{
			{Explanation: explained(explain.PhaseRunning, "Progressing")},
			{Explanation: explained(explain.PhaseFailing, "BackoffLimitExceeded", batchv1.JobFailureTarget)},
			{Explanation: explained(explain.PhaseFailed, "BackoffLimitExceeded", batchv1.JobFailureTarget, batchv1.JobFailed)},
		}, nil},
		{"failed before the condition", []Sample{
			{Explanation: explained(explain.PhaseFailed, "BackoffLimitExceeded")},
			{Explanation: explained(explain.PhaseFailed, "BackoffLimitExceeded", batchv1.JobFailureTarget, batchv1.JobFailed)},
		}, []string{CheckEarly}},
		{"running during FailureTarget", []Sample{
			{Explanation: explained(explain.PhaseRunning, "Progressing", batchv1.JobFailureTarget)},
			{Explanation: explained(explain.PhaseFailed, "BackoffLimitExceeded", batchv1.JobFailureTarget, batchv1.JobFailed)},
		}, []string{CheckInterim}},
		{"wrong reason", []Sample{
			{Explanation: explained(explain.PhaseFailed, "DeadlineExceeded", batchv1.JobFailed)},
		}, []string{CheckVerdict}},
		{"budget too small", []Sample{
			{Explanation: func() *explain.JobExplanation {
				e := explained(explain.PhaseRunning, "Progressing")
				e.Backoff = &explain.Backoff{Limit: 1, Counted: 1, FailedPods: 1, Remaining: ptr.To(int32(1))}
				return e
			}()},
			{Explanation: explained(explain.PhaseFailed, "BackoffLimitExceeded", batchv1.JobFailed)},
		}, []string{CheckBackoff}},
		{"never finished in a sample", []Sample{{Explanation: explained(explain.PhaseRunning, "Progressing")}}, []string{CheckSampling}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs, _ := Check(c, truth, tc.samples)
			var got []string
			for _, p := range probs {
				got = append(got, p.Check)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s\n%v", diff, probs)
			}
		})
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	c := gen.Generate(1, 0)
	job := failedJob(t0.Add(3 * time.Second))
	pod := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-1"}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed}}
	at := t0.Add(4*time.Second + 123*time.Millisecond)
	f := Fixture{
		Case:     c,
		Truth:    Truth{Terminal: "Failed", Reason: "BackoffLimitExceeded", TerminalAt: t0.Add(3 * time.Second), Failed: 2},
		Problems: []Problem{{Check: CheckVerdict, Sample: 0, Detail: "example"}},
		Samples: []Sample{
			{At: at, Explanation: &explain.JobExplanation{Verdict: explain.Verdict{Phase: explain.PhaseRunning}}, Job: job, Pods: []corev1.Pod{pod}},
			{At: at.Add(time.Second), Err: "exit 1: not found"},
		},
	}
	var buf bytes.Buffer
	if err := WriteFixture(&buf, f, "ns"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "kind: List") || !strings.HasPrefix(buf.String(), "# Differential test disagreement 1-0") {
		t.Errorf("unexpected fixture:\n%s", buf.String())
	}
	got, err := ReadFixture(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.Name() != c.Name() || !cmp.Equal(got.Case.Features, c.Features) || got.Truth.Reason != "BackoffLimitExceeded" || len(got.Problems) != 1 {
		t.Errorf("case/truth/problems did not survive: %+v", got)
	}
	if len(got.Samples) != 2 || !got.Samples[0].At.Equal(at) || got.Samples[0].Job == nil || len(got.Samples[0].Pods) != 1 || got.Samples[1].Err == "" {
		t.Fatalf("samples did not survive: %+v", got.Samples)
	}
	replayed := Replay(got)
	if e := replayed[0].Explanation; e == nil || e.Verdict.Phase != explain.PhaseFailed || e.Verdict.Reason != "BackoffLimitExceeded" {
		t.Errorf("replayed sample 0 = %+v, want Failed/BackoffLimitExceeded from the saved Job", e)
	}
}
