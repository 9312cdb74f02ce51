package explain

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// byteSource turns fuzz bytes into choices; exhausted, it returns zeros.
type byteSource struct{ b []byte }

func (s *byteSource) next() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}
func (s *byteSource) bool() bool     { return s.next()&1 == 1 }
func (s *byteSource) intn(n int) int { return int(s.next()) % n }
func (s *byteSource) i32() int32 {
	switch s.next() % 8 {
	case 0:
		return math.MaxInt32
	case 1:
		return -1
	}
	return int32(s.next() % 12)
}
func (s *byteSource) optI32() *int32 {
	if s.bool() {
		return nil
	}
	v := s.i32()
	return &v
}
func (s *byteSource) when() metav1.Time {
	return metav1.NewTime(now.Add(time.Duration(int(s.next())-200) * 7 * time.Second))
}
func (s *byteSource) optTime() *metav1.Time {
	if s.bool() {
		return nil
	}
	t := s.when()
	return &t
}
func (s *byteSource) str(options ...string) string { return options[s.intn(len(options))] }

var (
	fuzzReasons  = []string{"", "BackoffLimitExceeded", "DeadlineExceeded", "PodFailurePolicy", "MaxFailedIndexesExceeded", "FailedIndexes", "SuccessPolicy", "CompletionsReached", "JobSuspended", "x"}
	fuzzMessages = []string{"", "Container main for pod ns/p-0 failed with exit code 42 matching FailJob rule at index 0",
		"Pod ns/p-1 has condition DisruptionTarget matching FailJob rule at index 7", "Matched rules at index 0", "Matched rules at index 99",
		"Container c for pod ns/p-2 failed with exit code 99999999999 matching FailJob rule at index 1", "\x1b[31mred"}
	fuzzIndexes = []string{"", "0", "1,3-5,7", "0-2147483646", "bad", "5-3", "0-1"}
)

// fuzzInput builds a random Job, pods and events; anything the API could hold
// and more (negative counters, unparsable index strings).
func fuzzInput(data []byte) Input {
	s := &byteSource{b: data}
	j := newJob("f").build()
	j.Spec.Completions, j.Spec.Parallelism, j.Spec.BackoffLimit = s.optI32(), s.optI32(), s.optI32()
	if s.bool() {
		j.Spec.CompletionMode = nil
	} else if s.bool() {
		j.Spec.CompletionMode = ptrTo(batchv1.IndexedCompletion)
	}
	if s.bool() {
		j.Spec.BackoffLimitPerIndex, j.Spec.MaxFailedIndexes = s.optI32(), s.optI32()
	}
	if s.bool() {
		v := int64(s.i32())
		j.Spec.ActiveDeadlineSeconds = &v
	}
	j.Spec.TTLSecondsAfterFinished = s.optI32()
	j.Spec.Suspend = ptrTo(s.bool())
	if s.bool() {
		j.Spec.ManagedBy = ptrTo(s.str("", batchv1.JobControllerName, "other"))
	}
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicy(s.str("Never", "OnFailure", ""))
	if s.bool() {
		j.Spec.PodReplacementPolicy = nil
	}
	if s.bool() {
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{}
		for range s.intn(3) {
			j.Spec.PodFailurePolicy.Rules = append(j.Spec.PodFailurePolicy.Rules,
				exitRule(batchv1.PodFailurePolicyAction(s.str("FailJob", "Ignore", "Count", "FailIndex")), s.str("", "main"), int32(s.intn(3)), 42),
				condRule(batchv1.PodFailurePolicyAction(s.str("FailJob", "Ignore")), corev1.DisruptionTarget))
		}
	}
	if s.bool() {
		j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededIndexes: ptrTo(s.str(fuzzIndexes...)), SucceededCount: s.optI32()}, {}}}
	}
	if s.bool() {
		j.Spec.Selector = nil
	}
	if s.bool() {
		j.DeletionTimestamp = s.optTime()
	}
	if s.bool() {
		j.OwnerReferences = []metav1.OwnerReference{{Kind: "CronJob", Name: "cj", Controller: ptrTo(s.bool())}}
	}
	st := &j.Status
	st.StartTime, st.CompletionTime = s.optTime(), s.optTime()
	st.Active, st.Succeeded, st.Failed = s.i32(), s.i32(), s.i32()
	st.Ready, st.Terminating = s.optI32(), s.optI32()
	st.CompletedIndexes = s.str(fuzzIndexes...)
	if s.bool() {
		st.FailedIndexes = ptrTo(s.str(fuzzIndexes...))
	}
	if s.bool() {
		st.UncountedTerminatedPods = nil
	} else {
		st.UncountedTerminatedPods.Failed = make([]types.UID, s.intn(3))
	}
	for range s.intn(5) {
		st.Conditions = append(st.Conditions, batchv1.JobCondition{
			Type:   batchv1.JobConditionType(s.str("Complete", "Failed", "FailureTarget", "SuccessCriteriaMet", "Suspended", "Other")),
			Status: corev1.ConditionStatus(s.str("True", "False", "Unknown")), Reason: s.str(fuzzReasons...), Message: s.str(fuzzMessages...),
			LastTransitionTime: s.when()})
	}
	in := Input{Job: j, Now: now, PodsUnknown: s.bool(), EventsUnknown: s.bool()}
	for i := range s.intn(8) {
		p := newPod(j, fmt.Sprintf("p-%d", i), time.Duration(s.intn(100))*time.Second)
		switch s.intn(7) {
		case 0:
			p.running(time.Duration(s.intn(50)) * time.Second)
		case 1:
			p.succeeded(time.Minute, time.Duration(s.intn(50))*time.Second)
		case 2:
			p.failed(int32(s.intn(3))*21, time.Minute, time.Duration(s.intn(50))*time.Second)
		case 3:
			p.unschedulable("no nodes")
		case 4:
			p.waiting(s.str("ImagePullBackOff", "CrashLoopBackOff", "ContainerCreating"), "m")
		case 5:
			p.running(time.Second).restarts(int32(s.intn(4)), 1)
		}
		if s.bool() {
			p.index(s.intn(6))
			if s.bool() {
				p.p.Annotations[batchv1.JobIndexFailureCountAnnotation] = s.str("1", "-1", "x", "99999999999")
			}
		}
		if s.bool() {
			p.condition(corev1.DisruptionTarget, corev1.ConditionTrue, "x", "y")
		}
		if s.bool() {
			p.deleting(time.Duration(s.intn(30)) * time.Second)
		}
		if s.bool() {
			p.p.Status.Phase = corev1.PodPhase(s.str("", "Unknown", "Failed"))
		}
		in.Pods = append(in.Pods, p.build())
	}
	for range s.intn(4) {
		kind, name := s.str("Job", "Pod"), s.str("f", "p-0", "p-1", "zz")
		ev := event(j, kind, name, s.str("Warning", "Normal"), s.str("FailedCreate", "BackOff"), s.str(fuzzMessages...), time.Duration(s.intn(100))*time.Second, int32(s.intn(3)))
		in.Events = append(in.Events, ev)
	}
	// Read last, so the seeds written before it keep their meaning.
	if s.bool() {
		j.Spec.PodReplacementPolicy = ptrTo(batchv1.Failed)
	}
	return in
}

// FuzzExplain: random spec, status, pods and events never panic, the phase is
// always one of Phases, and the numbers are consistent with the input.
func FuzzExplain(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("seed-complete-\x01\x02\x03"))
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{255, 7, 3, 0, 2, 9, 200, 17, 4, 4, 4, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInput(data)
		e := Explain(in)
		if !slices.Contains(Phases, e.Verdict.Phase) {
			t.Fatalf("phase %q is not one of Phases", e.Verdict.Phase)
		}
		if e.Verdict.Message == "" && e.Verdict.Phase != PhaseComplete && e.Verdict.Phase != PhaseFailed {
			t.Errorf("empty message for %s/%s", e.Verdict.Phase, e.Verdict.Reason)
		}
		if len(e.Attempts) != len(in.Pods) {
			t.Errorf("%d attempts for %d pods", len(e.Attempts), len(in.Pods))
		}
		checkNumbers(t, in, e)
		if b := e.Backoff; b != nil {
			// A negative budget is only right once the controller's own rule
			// says the limit is reached: failed > limit, or for OnFailure
			// restarts >= limit (any restart when the limit is 0).
			onFailure := in.Job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure
			reached := b.FailedPods > b.Limit || onFailure && (b.Limit == 0 && b.Restarts > 0 || b.Limit != 0 && b.Restarts >= b.Limit)
			if b.Remaining != nil && *b.Remaining < 0 && !reached {
				t.Errorf("negative remaining budget below the limit: %+v", b)
			}
			if b.Remaining != nil && e.Verdict.Phase.Finished() {
				t.Errorf("finished Job with a remaining budget: %+v", b)
			}
		}
		if d := e.Duration; d != nil && d.Seconds < 0 {
			t.Errorf("negative duration: %+v", d)
		}
		switch e.TTL.State {
		case TTLNone, TTLWaiting:
		case TTLScheduled, TTLDue:
			if e.TTL.DeleteAt == nil || !e.Verdict.Phase.Finished() {
				t.Errorf("ttl %+v for phase %s", e.TTL, e.Verdict.Phase)
			}
		default:
			t.Errorf("ttl state %q", e.TTL.State)
		}
		if len(e.Indexes) > maxIndexRows+len(in.Pods) {
			t.Errorf("%d index rows", len(e.Indexes))
		}
		if _, err := json.Marshal(e); err != nil {
			t.Errorf("marshal: %v", err)
		}
		if strings.Contains(string(e.Verdict.Reason), "\n") {
			t.Errorf("reason with newline: %q", e.Verdict.Reason)
		}
	})
}

// completionsInMessage and failsAfterInMessage find the numbers the verdict
// message quotes from the counters.
var (
	completionsInMessage = regexp.MustCompile(`(-?\d+)/(-?\d+) (?:completions|indexes completed)`)
	failsAfterInMessage  = regexp.MustCompile(`fails after (-?\d+) more`)
)

// checkNumbers: every number the explanation reports is the one in its input
// (counters, completions, the backoff budget), and the verdict's message
// quotes them, not others.
func checkNumbers(t *testing.T, in Input, e *JobExplanation) {
	t.Helper()
	st, spec, p := in.Job.Status, in.Job.Spec, e.Progress
	if p.Succeeded != st.Succeeded || p.Failed != st.Failed || p.Active != st.Active || p.Ready != derefInt32(st.Ready, 0) {
		t.Errorf("progress %+v does not mirror status %+v", p, st)
	}
	if (p.Completions == nil) != (spec.Completions == nil) || p.Completions != nil && *p.Completions != *spec.Completions {
		t.Errorf("progress completions %v, spec %v", p.Completions, spec.Completions)
	}
	if p.CompletedIndexes != st.CompletedIndexes || p.FailedIndexes != deref(st.FailedIndexes) {
		t.Errorf("indexes %q/%q, status %q/%v", p.CompletedIndexes, p.FailedIndexes, st.CompletedIndexes, st.FailedIndexes)
	}
	uncountedFailed := 0
	if u := st.UncountedTerminatedPods; u != nil {
		uncountedFailed = len(u.Failed)
	}
	if p.UncountedFailed != uncountedFailed {
		t.Errorf("uncounted failed %d, status has %d", p.UncountedFailed, uncountedFailed)
	}
	if p.PodsPending < 0 || p.PodsRunning < 0 || p.PodsPending+p.PodsRunning > len(in.Pods) {
		t.Errorf("%d pending + %d running of %d pods", p.PodsPending, p.PodsRunning, len(in.Pods))
	}
	for _, m := range completionsInMessage.FindAllStringSubmatch(e.Verdict.Message, -1) {
		if m[1] != fmt.Sprint(st.Succeeded) || spec.Completions == nil || m[2] != fmt.Sprint(*spec.Completions) {
			t.Errorf("message %q quotes %s/%s, status has %d succeeded of %v", e.Verdict.Message, m[1], m[2], st.Succeeded, spec.Completions)
		}
	}

	b := e.Backoff
	if (b == nil) != (spec.BackoffLimitPerIndex != nil) {
		t.Fatalf("backoff %+v with backoffLimitPerIndex %v: the budget is per index exactly then", b, spec.BackoffLimitPerIndex)
	}
	if b == nil {
		return
	}
	if b.Limit != derefInt32(spec.BackoffLimit, DefaultBackoffLimit) {
		t.Errorf("backoff limit %d, spec %v", b.Limit, spec.BackoffLimit)
	}
	// Sums stop at MaxInt32 instead of wrapping around.
	capped := func(a, b int64) int32 { return int32(min(a+b, math.MaxInt32)) }
	if b.FailedPods != capped(int64(st.Failed), int64(uncountedFailed)) || b.Counted != capped(int64(b.FailedPods), int64(b.Restarts)) || b.Restarts < 0 {
		t.Errorf("backoff %+v does not add up from status.failed %d + %d uncounted", b, st.Failed, uncountedFailed)
	}
	ended := false
	for _, c := range st.Conditions {
		switch c.Type {
		case batchv1.JobComplete, batchv1.JobFailed, batchv1.JobFailureTarget, batchv1.JobSuccessCriteriaMet:
			ended = ended || c.Status == corev1.ConditionTrue
		}
	}
	if (b.Remaining == nil) != ended {
		t.Errorf("remaining %v for a Job that ended=%v", b.Remaining, ended)
	}
	if b.Remaining == nil {
		return
	}
	// remaining = limit - failures (clamped to int32); OnFailure also
	// counts the restarts of active pods, so it can only be smaller.
	want := int32(max(math.MinInt32, min(int64(b.Limit)-int64(b.FailedPods), math.MaxInt32)))
	if spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		if *b.Remaining > want {
			t.Errorf("remaining %d > limit %d - failed %d", *b.Remaining, b.Limit, b.FailedPods)
		}
	} else if *b.Remaining != want {
		t.Errorf("remaining %d, want limit %d - failed %d = %d", *b.Remaining, b.Limit, b.FailedPods, want)
	}
	for _, m := range failsAfterInMessage.FindAllStringSubmatch(e.Verdict.Message, -1) {
		if m[1] != fmt.Sprint(int64(*b.Remaining)+1) {
			t.Errorf("message %q says fails after %s more, remaining is %d", e.Verdict.Message, m[1], *b.Remaining)
		}
	}
}
