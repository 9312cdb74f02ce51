package trace

import (
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
)

var t0 = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

// failingCase is a NonIndexed Job with backoffLimit 1 whose pods fail; an
// Ignore rule excludes exit code 42. The record: pod a fails (exit 1), pod b
// fails (exit 42, ignored), pod c fails (exit 1): BackoffLimitExceeded.
func failingCase() (gen.Case, *Record) {
	c := gen.Generate(1, 0)
	c.Job = c.Job.DeepCopy()
	spec := &c.Job.Spec
	spec.CompletionMode, spec.Completions, spec.Parallelism = nil, ptr.To(int32(1)), ptr.To(int32(1))
	spec.BackoffLimit, spec.BackoffLimitPerIndex, spec.MaxFailedIndexes, spec.SuccessPolicy = ptr.To(int32(1)), nil, nil, nil
	spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	spec.ActiveDeadlineSeconds, spec.TTLSecondsAfterFinished = ptr.To(int64(60)), ptr.To(int32(5))
	spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionIgnore,
		OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}}}}

	rec := &Record{Pods: map[string]*PodHistory{}}
	job := &JobState{ResourceVersion: "1", StartTime: t0}
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	var pods []PodState
	push := func(s float64, j *JobState) {
		rec.States = append(rec.States, State{At: at(s), Job: j, Pods: append([]PodState(nil), pods...)})
	}
	pod := func(name string, created float64) {
		pods = append(pods, PodState{Name: name, Created: at(created), Phase: "Running"})
		rec.Pods[name] = &PodHistory{Name: name, Created: at(created), SeenAt: at(created)}
	}
	fail := func(name string, code int32, s float64) {
		for i := range pods {
			if pods[i].Name == name {
				pods[i].Phase, pods[i].ExitCodes, pods[i].Accounted = "Failed", map[string]int32{"main": code}, true
				rec.Pods[name].FailedAt, rec.Pods[name].AccountedAt, rec.Pods[name].Last = at(s), at(s), pods[i]
			}
		}
	}
	push(0, job)
	pod("a", 0.1)
	push(0.1, job)
	fail("a", 1, 1)
	j2 := *job
	j2.Failed = 1
	push(1, &j2)
	pod("b", 2)
	push(2, &j2)
	fail("b", 42, 3)
	push(3, &j2)
	pod("c", 4)
	push(4, &j2)
	fail("c", 1, 5)
	j3 := j2
	j3.Failed = 2
	j3.Conds = []Cond{{Type: "FailureTarget", Reason: "BackoffLimitExceeded", At: at(5)}, {Type: "Failed", Reason: "BackoffLimitExceeded", At: at(5)}}
	push(5, &j3)
	rec.DeletionRequested = at(10.5)
	rec.WatchedUntil = at(12)
	return c, rec
}

func output(phase, reason string, counted, remaining int32) *Output {
	o := &Output{}
	o.Verdict.Phase, o.Verdict.Reason = phase, reason
	o.Backoff = &struct {
		Limit       int32      `json:"limit"`
		Counted     int32      `json:"counted"`
		Remaining   *int32     `json:"remaining"`
		NextRetryAt *time.Time `json:"nextRetryAt"`
	}{Limit: 1, Counted: counted, Remaining: ptr.To(remaining)}
	o.Deadline = &struct {
		At time.Time `json:"at"`
	}{At: t0.Add(time.Minute)}
	o.TTL.State = "Waiting"
	return o
}

func sampleAt(s float64, o *Output) Sample {
	start := t0.Add(time.Duration(s * float64(time.Second)))
	return Sample{Start: start, End: start.Add(100 * time.Millisecond), Output: o}
}

func TestCheckAgrees(t *testing.T) {
	c, rec := failingCase()
	done := output("Failed", "BackoffLimitExceeded", 2, 0)
	done.Backoff.Remaining = nil
	done.TTL.State, done.TTL.DeleteAt = "Scheduled", ptr.To(t0.Add(10*time.Second))
	res := Check(c, rec, []Sample{
		sampleAt(0.5, output("Running", "Progressing", 0, 1)),
		sampleAt(1.5, output("Pending", "BackoffDelay", 1, 0)),
		sampleAt(3.5, output("Pending", "BackoffDelay", 1, 0)),
		sampleAt(6, done),
	})
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	for _, col := range []string{CheckVerdict, CheckLive, CheckBackoff, CheckDeadline, CheckTTL, CheckOutcome} {
		if res.Stats[col] == 0 {
			t.Errorf("no %s check made: %v", col, res.Stats)
		}
	}
}

// Each wrong answer must be caught by its column: the checks can fail.
func TestCheckCatches(t *testing.T) {
	for _, tc := range []struct {
		name, column string
		at           float64
		out          func() *Output
	}{
		{"off by one", CheckBackoff, 1.5, func() *Output { return output("Pending", "BackoffDelay", 1, -1) }},
		{"ignored failure counted", CheckBackoff, 3.5, func() *Output { return output("Pending", "BackoffDelay", 2, -1) }},
		{"pending while running", CheckLive, 0.5, func() *Output { return output("Pending", "PodsStarting", 0, 1) }},
		{"wrong reason", CheckVerdict, 6, func() *Output { o := output("Failed", "DeadlineExceeded", 2, 0); o.Backoff.Remaining = nil; return o }},
		{"complete too early", CheckEarly, 3.5, func() *Output { return output("Complete", "CompletionsReached", 1, 0) }},
		{"wrong deadline", CheckDeadline, 0.5, func() *Output {
			o := output("Running", "Progressing", 0, 1)
			o.Deadline.At = t0.Add(61 * time.Second)
			return o
		}},
		{"no TTL after the end", CheckTTL, 6, func() *Output {
			o := output("Failed", "BackoffLimitExceeded", 2, 0)
			o.Backoff.Remaining = nil
			return o
		}},
		{"ignored attempt counted", CheckAttempts, 3.5, func() *Output {
			o := output("Pending", "BackoffDelay", 1, 0)
			o.Attempts = append(o.Attempts, struct {
				Pod      string `json:"pod"`
				Index    *int   `json:"index"`
				Phase    string `json:"phase"`
				ExitCode *int32 `json:"exitCode"`
				Counted  bool   `json:"counted"`
			}{Pod: "b", Phase: "Failed", ExitCode: ptr.To(int32(42)), Counted: true})
			return o
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := failingCase()
			res := Check(c, rec, []Sample{sampleAt(tc.at, tc.out())})
			found := false
			for _, p := range res.Problems {
				found = found || p.Check == tc.column
			}
			if !found {
				t.Errorf("no %s problem; problems: %v", tc.column, res.Problems)
			}
		})
	}
}

// Between pod c's failure (its second counted one, past backoffLimit 1) and
// the controller's sync, a promised retry is wrong; saying the controller
// has yet to act is right.
func TestCheckRetryPastTheLimit(t *testing.T) {
	for _, tc := range []struct {
		reason  string
		retry   bool
		problem bool
	}{{"BackoffDelay", true, true}, {"AwaitingController", false, false}} {
		c, rec := failingCase()
		last := rec.States[len(rec.States)-1]
		between := rec.States[len(rec.States)-2]
		between.At = last.At.Add(-500 * time.Millisecond)
		between.Pods = last.Pods
		rec.Pods["c"].FailedAt, rec.Pods["c"].AccountedAt = between.At, last.At
		rec.States = append(rec.States[:len(rec.States)-1], between, last)
		o := output("Pending", tc.reason, 1, 0)
		if tc.retry {
			o.Backoff.NextRetryAt = ptr.To(between.At.Add(20 * time.Second))
		}
		res := Check(c, rec, []Sample{{Start: between.At.Add(100 * time.Millisecond), End: between.At.Add(200 * time.Millisecond), Output: o}})
		found := slices.ContainsFunc(res.Problems, func(p Problem) bool { return p.Check == CheckBackoff })
		if found != tc.problem {
			t.Errorf("%s (retry promised: %v): backoff problem %v, want %v; problems: %v", tc.reason, tc.retry, found, tc.problem, res.Problems)
		}
	}
}

func TestCheckFailsPluginErrorsAndUnfinishedJobs(t *testing.T) {
	c, rec := failingCase()
	res := Check(c, rec, []Sample{{Start: t0.Add(time.Second), End: t0.Add(2 * time.Second), Err: "exit 1: boom"}})
	if len(res.Problems) != 1 || res.Problems[0].Check != CheckErrors {
		t.Errorf("a plugin error must be a problem: %v", res.Problems)
	}
	rec.States = rec.States[:len(rec.States)-1]
	res = Check(c, rec, nil)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Detail, "did not finish") {
		t.Errorf("an unfinished Job must be a problem: %v", res.Problems)
	}
}

func TestJudge(t *testing.T) {
	tm := func(d time.Duration) Timing { return Timing{Kind: "ttl", Predicted: t0, Actual: t0.Add(d)} }
	controls := []Timing{{Kind: "ttl", Predicted: t0.Add(10 * time.Second), Actual: t0.Add(16 * time.Second)}}
	for _, tc := range []struct {
		d    time.Duration
		want Excuse
	}{{-3 * time.Second, Early}, {-time.Second, OnTime}, {2 * time.Second, OnTime}, {7 * time.Second, LateExcused}, {9 * time.Second, Late}} {
		if got := Judge(tm(tc.d), controls); got != tc.want {
			t.Errorf("delta %s: %v, want %v", tc.d, got, tc.want)
		}
	}
}
