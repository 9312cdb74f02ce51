//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// explainExpectation is what `kubectl job explain` must say about a
// ground-truth scenario once the real job controller has reached its state.
type explainExpectation struct {
	phase  explain.Phase
	reason explain.Reason
	// check asserts the numbers, given the Job and pods as the API has them.
	check func(t *testing.T, e *explain.JobExplanation, text string, job *batchv1.Job, pods []corev1.Pod)
}

// explainExpectations covers every scenario of groundtruth_test.go.
var explainExpectations = map[string]explainExpectation{
	"complete": {explain.PhaseComplete, "CompletionsReached", func(t *testing.T, e *explain.JobExplanation, text string, _ *batchv1.Job, _ []corev1.Pod) {
		if e.Progress.Succeeded != 3 || ptr.Deref(e.Progress.Completions, 0) != 3 {
			t.Errorf("progress = %d/%v, want 3/3", e.Progress.Succeeded, e.Progress.Completions)
		}
		explainWantIn(t, text, "Complete: CompletionsReached — 3/3 completions in ")
		if e.Duration == nil || e.Duration.EndedBy != "completionTime" {
			t.Errorf("duration = %+v, want ended by completionTime", e.Duration)
		}
	}},
	"backoff-never": {explain.PhaseFailed, "BackoffLimitExceeded", func(t *testing.T, e *explain.JobExplanation, text string, _ *batchv1.Job, pods []corev1.Pod) {
		explainWantIn(t, text, "Failed: BackoffLimitExceeded — 3 failed pods > backoffLimit 2")
		if b := e.Backoff; b == nil || b.FailedPods != 3 || b.Limit != 2 || b.Counted != 3 || b.Remaining != nil {
			t.Errorf("backoff = %+v, want 3 failed pods counted against limit 2, no remaining budget", b)
		}
		if len(e.Attempts) != len(pods) || len(pods) != 3 {
			t.Fatalf("%d attempts for %d pods, want 3", len(e.Attempts), len(pods))
		}
		for _, a := range e.Attempts {
			if a.Phase != "Failed" || a.ExitCode == nil || *a.ExitCode != 3 || !a.Counted {
				t.Errorf("attempt %s: phase %s exit %v counted %v, want Failed, 3, counted", a.Pod, a.Phase, a.ExitCode, a.Counted)
			}
			// Each attempt's exit code is also evidence.
			explainWantEvidence(t, e, func(ev explain.Evidence) bool { return ev.Pod == a.Pod && strings.Contains(ev.Message, "exit code 3") })
		}
	}},
	"backoff-onfailure": {explain.PhaseFailed, "BackoffLimitExceeded", func(t *testing.T, e *explain.JobExplanation, text string, _ *batchv1.Job, _ []corev1.Pod) {
		explainWantIn(t, text, "backoffLimit 2")
		explainWantIn(t, e.Verdict.Message, "container restarts")
		explainWantWarning(t, e, "restartPolicy OnFailure")
		explainWantWarning(t, e, "no failed pod is kept")
		if b := e.Backoff; b == nil || b.Limit != 2 {
			t.Errorf("backoff = %+v, want limit 2", b)
		}
	}},
	"onfailure-restarts-then-succeed": {explain.PhaseComplete, "CompletionsReached", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		if len(e.Attempts) != 1 || e.Attempts[0].Restarts != 2 {
			t.Errorf("attempts = %+v, want one pod restarted twice", e.Attempts)
		}
		explainWantWarning(t, e, "restartPolicy OnFailure")
	}},
	"deadline": {explain.PhaseFailed, "DeadlineExceeded", func(t *testing.T, e *explain.JobExplanation, text string, job *batchv1.Job, _ []corev1.Pod) {
		d := e.Deadline
		if d == nil || job.Status.StartTime == nil {
			t.Fatalf("deadline = %+v, startTime %v", d, job.Status.StartTime)
		}
		if want := job.Status.StartTime.Add(3 * time.Second); !d.At.Time.Equal(want) || d.Seconds != 3 || !d.Exceeded {
			t.Errorf("deadline = %+v, want at %s (startTime + 3s), exceeded", d, want)
		}
		if e.Duration == nil || e.Duration.Seconds < 3 {
			t.Errorf("duration = %+v, want ≥ 3s", e.Duration)
		}
		if m := regexp.MustCompile(`ran (\d+)s ≥ activeDeadlineSeconds 3`).FindStringSubmatch(e.Verdict.Message); m == nil || explainAtoi(m[1]) < 3 {
			t.Errorf("message %q does not say it ran ≥ 3s against activeDeadlineSeconds 3", e.Verdict.Message)
		}
		explainWantIn(t, text, "Deadline:")
	}},
	"indexed-failed-indexes": {explain.PhaseFailed, "FailedIndexes", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		if e.Progress.FailedIndexes != "1" || e.Progress.CompletedIndexes != "0,2,3" {
			t.Errorf("failedIndexes %q completedIndexes %q, want 1 and 0,2,3", e.Progress.FailedIndexes, e.Progress.CompletedIndexes)
		}
		if len(e.Indexes) != 4 || e.Indexes[1].Status != "Failed" || e.Indexes[1].Failures != 2 {
			t.Errorf("indexes = %+v, want index 1 Failed after 2 failures (backoffLimitPerIndex 1)", e.Indexes)
		}
		explainWantIn(t, e.Verdict.Message, "1 failed index (1)")
	}},
	"max-failed-indexes": {explain.PhaseFailed, "MaxFailedIndexesExceeded", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		explainWantIn(t, e.Verdict.Message, "2 failed indexes (1,3) > maxFailedIndexes 1")
		if e.Progress.FailedIndexes != "1,3" {
			t.Errorf("failedIndexes %q, want 1,3", e.Progress.FailedIndexes)
		}
	}},
	"pod-failure-policy-failjob": {explain.PhaseFailed, "PodFailurePolicy", func(t *testing.T, e *explain.JobExplanation, text string, _ *batchv1.Job, pods []corev1.Pod) {
		if len(pods) != 1 {
			t.Fatalf("%d pods, want 1 (FailJob ends the Job after the first failure)", len(pods))
		}
		pod := pods[0].Name
		explainWantIn(t, e.Verdict.Message, fmt.Sprintf("container main in pod %s exited with 42", pod))
		explainWantIn(t, e.Verdict.Message, "podFailurePolicy rule 1 (FailJob")
		explainWantEvidence(t, e, func(ev explain.Evidence) bool { return ev.Field == "spec.podFailurePolicy.rules[1]" })
		explainWantEvidence(t, e, func(ev explain.Evidence) bool {
			return ev.Pod == pod && ev.Container == "main" && strings.Contains(ev.Message, "exit code 42") && strings.Contains(ev.Message, "matches")
		})
		explainWantIn(t, text, "FailJob rule 1")
	}},
	"pod-failure-policy-ignore": {explain.PhaseFailed, "DeadlineExceeded", func(t *testing.T, e *explain.JobExplanation, _ string, job *batchv1.Job, pods []corev1.Pod) {
		ignored := int32(0)
		for _, p := range pods {
			if cs := p.Status.ContainerStatuses; len(cs) > 0 && cs[0].State.Terminated != nil && cs[0].State.Terminated.ExitCode == 7 {
				ignored++
			}
		}
		b := e.Backoff
		if b == nil || b.Ignored != ignored || b.FailedPods != job.Status.Failed {
			t.Fatalf("backoff = %+v, want %d ignored and failedPods = status.failed %d", b, ignored, job.Status.Failed)
		}
		if ignored == 0 {
			// A loaded cluster may hit the 5s deadline before a pod fails;
			// TestExplainIgnoredFailures covers Ignore without a deadline.
			t.Logf("no pod failed with exit code 7 before the deadline")
			return
		}
		explainWantEvidence(t, e, func(ev explain.Evidence) bool {
			return strings.Contains(ev.Message, fmt.Sprintf("%s matched podFailurePolicy rule 0 (Ignore", explainPods(ignored)))
		})
	}},
	"success-policy": {explain.PhaseComplete, "SuccessPolicy", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		explainWantIn(t, e.Verdict.Message, "successPolicy rule 0 (succeededIndexes: 0)")
		explainWantEvidence(t, e, func(ev explain.Evidence) bool { return ev.Field == "spec.successPolicy.rules[0]" })
	}},
	"ttl": {explain.PhaseComplete, "CompletionsReached", func(t *testing.T, e *explain.JobExplanation, text string, job *batchv1.Job, _ []corev1.Pod) {
		want := Condition(job, batchv1.JobComplete).LastTransitionTime.Add(30 * time.Second)
		if e.TTL.State != explain.TTLScheduled || e.TTL.DeleteAt == nil || !e.TTL.DeleteAt.Time.Equal(want) {
			t.Errorf("ttl = %+v, want Scheduled at %s", e.TTL, want)
		}
		explainWantIn(t, text, "deleted at ")
	}},
	"suspended": {explain.PhaseSuspended, "JobSuspended", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		if len(e.Attempts) != 0 || !e.Spec.Suspend {
			t.Errorf("attempts %d suspend %v, want no pods and suspend", len(e.Attempts), e.Spec.Suspend)
		}
	}},
	"unschedulable": {explain.PhasePending, "Unschedulable", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, pods []corev1.Pod) {
		// The scheduler's own words reach the headline.
		explainWantIn(t, e.Verdict.Message, "didn't match Pod's node affinity/selector")
		if len(pods) == 0 {
			t.Fatal("no pods")
		}
		explainWantEvidence(t, e, func(ev explain.Evidence) bool {
			return ev.Pod == pods[0].Name && ev.Field == "status.conditions[PodScheduled]"
		})
	}},
	"image-pull-error": {explain.PhasePending, "ImagePullBackOff", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		explainWantIn(t, e.Verdict.Message, "busybox")
	}},
	"managed-by": {explain.PhaseExternal, "ManagedExternally", func(t *testing.T, e *explain.JobExplanation, _ string, _ *batchv1.Job, _ []corev1.Pod) {
		explainWantIn(t, e.Verdict.Message, "example.com/batch-controller")
		if len(e.Attempts) != 0 {
			t.Errorf("the built-in controller created %d pods for a managedBy Job", len(e.Attempts))
		}
	}},
}

// TestExplainScenarios creates every ground-truth scenario for real, waits
// for its state, and checks that explain (text and -o json) gives the right
// phase, reason and numbers; then that -f on the saved objects agrees.
func TestExplainScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range Scenarios {
		want, ok := explainExpectations[sc.Name]
		if !ok {
			t.Errorf("scenario %s has no explain expectation", sc.Name)
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ns := Namespace(t)
			job := sc.Job(ns).Create(t)
			timeout := sc.Timeout
			if timeout == 0 {
				timeout = 60 * time.Second
			}
			if sc.Condition != "" {
				WaitForCondition(t, ns, job.Name, sc.Condition, timeout)
			}
			// Stuck and external Jobs have no condition to wait for: wait
			// for explain itself to see the state.
			var e *explain.JobExplanation
			WaitFor(t, timeout, fmt.Sprintf("explain to say %s: %s", want.phase, want.reason), func() (bool, error) {
				e = explainJSON(t, ns, job.Name)
				return e.Verdict.Phase == want.phase && e.Verdict.Reason == want.reason, nil
			})
			// Save the objects first: the ttl scenario's Job is deleted 30s
			// after it completes, and a loaded machine is slow.
			saved := Kubectl(t, "get", "job,pods,events", "-n", ns, "-o", "yaml")
			if saved.Code != 0 {
				t.Fatalf("kubectl get: %s", saved.Stderr)
			}
			job = explainGetJob(t, ns, job.Name)
			pods := Pods(t, job)
			res := KubectlJob(t, "explain", job.Name, "-n", ns)
			if res.Code != 0 {
				t.Fatalf("explain exited %d: %s", res.Code, res.Stderr)
			}
			headline := fmt.Sprintf("%s: %s — ", want.phase, want.reason)
			if !strings.HasPrefix(res.Stdout, headline) {
				t.Errorf("text starts %q, want %q", explainFirstLine(res.Stdout), headline)
			}
			want.check(t, e, res.Stdout, job, pods)

			// A post-mortem from the saved objects gives the same verdict.
			path := filepath.Join(t.TempDir(), "saved.yaml")
			if err := os.WriteFile(path, []byte(saved.Stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			res = KubectlJob(t, "explain", job.Name, "-f", path, "-o", "json", "--now", e.ObservedAt.UTC().Format(time.RFC3339))
			if res.Code != 0 {
				t.Fatalf("explain -f exited %d: %s", res.Code, res.Stderr)
			}
			local := decodeExplanation(t, res.Stdout)
			if local.Verdict.Phase != e.Verdict.Phase || local.Verdict.Reason != e.Verdict.Reason {
				t.Errorf("explain -f says %s/%s, live explain %s/%s", local.Verdict.Phase, local.Verdict.Reason, e.Verdict.Phase, e.Verdict.Reason)
			}
			if len(local.Attempts) != len(e.Attempts) {
				t.Errorf("explain -f sees %d attempts, live explain %d", len(local.Attempts), len(e.Attempts))
			}
		})
	}
}

// TestExplainTTLCountdown checks ttl.deleteAt against the time the
// ttl-after-finished controller really deletes the Job. The TTL is 5s; on a
// machine so loaded that explain cannot read the finished Job within 5s, it
// retries with a longer TTL (the prediction is checked the same way).
func TestExplainTTLCountdown(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	for i, ttl := range []int32{5, 15, 30} {
		name := fmt.Sprintf("ttl-countdown-%d", i)
		NewJob(ns, name).With(func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To(ttl) }).Create(t)
		// Poll explain itself (the plugin binary directly: one process
		// less), so the first Complete it sees is read within the TTL.
		var e *explain.JobExplanation
		gone := false
		WaitFor(t, 90*time.Second, "explain to say Complete", func() (bool, error) {
			res := run(t, nil, "kubectl-job", "explain", name, "-n", ns, "-o", "json")
			if res.Code != 0 {
				gone = strings.Contains(res.Stderr, "NotFound")
				return gone, nil
			}
			e = decodeExplanation(t, res.Stdout)
			return e.Verdict.Phase == explain.PhaseComplete, nil
		})
		if gone {
			t.Logf("explain did not see Job %s Complete before its %ds TTL deleted it (loaded machine); retrying with a longer TTL", name, ttl)
			continue
		}
		if e.TTL.State != explain.TTLScheduled || e.TTL.DeleteAt == nil || e.TTL.RemainingSeconds == nil || e.TTL.Seconds == nil || *e.TTL.Seconds != ttl {
			t.Fatalf("ttl = %+v, want Scheduled with deleteAt", e.TTL)
		}
		if r := *e.TTL.RemainingSeconds; r <= 0 || r > float64(ttl) {
			t.Errorf("ttl.remainingSeconds = %v, want in (0, %d]", r, ttl)
		}
		at := WaitForDeletion(t, ns, name, 90*time.Second)
		d := at.Sub(e.TTL.DeleteAt.Time)
		t.Logf("ttlSecondsAfterFinished %d: predicted deletion at %s, deletion began at %s (%s later)", ttl,
			e.TTL.DeleteAt.Time.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano), d)
		if d < -2*time.Second || d > 2*time.Second {
			t.Errorf("Job deleted %s after the predicted ttl.deleteAt, want within 2s", d)
		}
		return
	}
	t.Fatal("explain never saw the Job Complete before its TTL expired")
}

// TestExplainRunning checks the prediction on a running Job: the failure
// budget and when the deadline fails it.
func TestExplainRunning(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "running").BackoffLimit(4).Sim(SimOutcome, "run").
		With(func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To[int64](300) }).Create(t)
	var e *explain.JobExplanation
	// The pod can run before the controller has written startTime (the
	// deadline's start) on a loaded machine: wait for both.
	WaitFor(t, 60*time.Second, "explain to say Running with a deadline", func() (bool, error) {
		e = explainJSON(t, ns, job.Name)
		return e.Verdict.Phase == explain.PhaseRunning && e.Deadline != nil, nil
	})
	job = explainGetJob(t, ns, job.Name)
	if e.Verdict.Reason != "Progressing" {
		t.Errorf("reason %q, want Progressing", e.Verdict.Reason)
	}
	if b := e.Backoff; b == nil || b.Remaining == nil || *b.Remaining != 4 || b.Counted != 0 {
		t.Errorf("backoff = %+v, want remaining 4 (backoffLimit 4, nothing counted)", b)
	}
	d := e.Deadline
	if d == nil || !d.At.Time.Equal(job.Status.StartTime.Add(300*time.Second)) || d.Exceeded || d.RemainingSeconds <= 240 || d.RemainingSeconds > 300 {
		t.Errorf("deadline = %+v, want at startTime %s + 300s, ~5m left", d, job.Status.StartTime)
	}
	if e.TTL.State != explain.TTLNone {
		t.Errorf("ttl state %s, want None", e.TTL.State)
	}
	res := KubectlJob(t, "explain", job.Name, "-n", ns)
	explainWantIn(t, explainFirstLine(res.Stdout), "Running: Progressing — 0/1 completions, 1 active")
	explainWantIn(t, res.Stdout, "fails after 5 more")
}

// TestExplainOnFailureRestarts checks that with restartPolicy OnFailure the
// container restarts of a running pod are counted against backoffLimit, as
// the job controller counts them.
func TestExplainOnFailureRestarts(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "restarts").BackoffLimit(50).Fail(5, "300ms").
		With(func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure }).Create(t)
	var e *explain.JobExplanation
	WaitFor(t, 60*time.Second, "explain to count 2 container restarts", func() (bool, error) {
		e = explainJSON(t, ns, job.Name)
		return e.Backoff != nil && e.Backoff.Restarts >= 2 && !e.Verdict.Phase.Finished(), nil
	})
	b := e.Backoff
	if b.Counted != b.FailedPods+b.Restarts || b.Remaining == nil || *b.Remaining != 50-b.Restarts-1 {
		t.Errorf("backoff = %+v, want counted = failedPods + restarts and remaining = 50 - restarts - 1", b)
	}
	explainWantWarning(t, e, "no failed pod is kept")
}

// TestExplainIgnoredFailures checks that failures a podFailurePolicy Ignore
// rule matched are shown as ignored, not counted against backoffLimit.
func TestExplainIgnoredFailures(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "ignored").BackoffLimit(0).Fail(7, "300ms").
		With(func(j *batchv1.Job) {
			j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				{Action: batchv1.PodFailurePolicyActionIgnore, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{7}}},
			}}
		}).Create(t)
	var e *explain.JobExplanation
	WaitFor(t, 90*time.Second, "explain to show 2 ignored failures", func() (bool, error) {
		e = explainJSON(t, ns, job.Name)
		return e.Backoff != nil && e.Backoff.Ignored >= 2, nil
	})
	if e.Verdict.Phase.Finished() || e.Backoff.FailedPods != 0 || e.Backoff.Counted != 0 || e.Backoff.Remaining == nil || *e.Backoff.Remaining != 0 {
		t.Errorf("verdict %s, backoff = %+v; want a live Job with nothing counted against backoffLimit 0", e.Verdict.Phase, e.Backoff)
	}
	explainWantEvidence(t, e, func(ev explain.Evidence) bool {
		return ev.Field == "spec.podFailurePolicy.rules[0]" && strings.Contains(ev.Message, "did not count against backoffLimit 0")
	})
}

// TestExplainRequests counts the API requests of explain with -v=6: at most 4
// (the Job, its pods, its events and its pods' events), whatever the pods.
func TestExplainRequests(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "requests").Completions(6, 6).Create(t)
	WaitForCondition(t, ns, job.Name, batchv1.JobComplete, 60*time.Second)
	res := KubectlJob(t, "explain", job.Name, "-n", ns, "-v=6")
	if res.Code != 0 {
		t.Fatalf("explain exited %d", res.Code)
	}
	requests := regexp.MustCompile(`(?m)(verb="[A-Z]+" url="https://|\b(GET|LIST|POST|PUT|PATCH|DELETE) https://)`).FindAllString(res.Stderr, -1)
	t.Logf("explain of a Job with 6 pods made %d requests", len(requests))
	if len(requests) == 0 || len(requests) > 4 {
		t.Errorf("%d requests, want 1..4:\n%s", len(requests), res.Stderr)
	}
}

func explainJSON(t *testing.T, ns, name string) *explain.JobExplanation {
	t.Helper()
	res := KubectlJob(t, "explain", name, "-n", ns, "-o", "json")
	if res.Code != 0 {
		t.Fatalf("explain -o json exited %d: %s", res.Code, res.Stderr)
	}
	return decodeExplanation(t, res.Stdout)
}

func decodeExplanation(t *testing.T, out string) *explain.JobExplanation {
	t.Helper()
	e := &explain.JobExplanation{}
	if err := json.Unmarshal([]byte(out), e); err != nil {
		t.Fatalf("decoding explain -o json: %v\n%s", err, out)
	}
	if e.APIVersion != explain.APIVersion || e.Kind != explain.Kind {
		t.Errorf("apiVersion/kind = %s/%s, want %s/%s", e.APIVersion, e.Kind, explain.APIVersion, explain.Kind)
	}
	return e
}

func explainGetJob(t *testing.T, ns, name string) *batchv1.Job {
	t.Helper()
	job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting job %s: %v", name, err)
	}
	return job
}

func explainPods(n int32) string {
	if n == 1 {
		return "1 failed pod"
	}
	return fmt.Sprintf("%d failed pods", n)
}

func explainAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func explainFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func explainWantIn(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("want %q in:\n%s", sub, s)
	}
}

func explainWantWarning(t *testing.T, e *explain.JobExplanation, sub string) {
	t.Helper()
	for _, w := range e.Warnings {
		if strings.Contains(w, sub) {
			return
		}
	}
	t.Errorf("no warning contains %q: %q", sub, e.Warnings)
}

func explainWantEvidence(t *testing.T, e *explain.JobExplanation, match func(explain.Evidence) bool) {
	t.Helper()
	for _, ev := range e.Evidence {
		if match(ev) {
			return
		}
	}
	t.Errorf("no matching evidence in:\n%s", explainEvidenceText(e))
}

func explainEvidenceText(e *explain.JobExplanation) string {
	var b strings.Builder
	for _, ev := range e.Evidence {
		fmt.Fprintf(&b, "  %s [%s] pod=%s container=%s: %s\n", ev.Kind, ev.Field, ev.Pod, ev.Container, ev.Message)
	}
	return b.String()
}
