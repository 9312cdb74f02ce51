//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// podsByCreation returns the Job's pods oldest first (name breaks ties), the
// order kubectl job logs shows attempts in.
func podsByCreation(t *testing.T, job *batchv1.Job) []corev1.Pod {
	t.Helper()
	pods := Pods(t, job)
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return pods
}

func TestLogsBackoffAttemptsInOrder(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "backoff").BackoffLimit(2).Fail(3, "300ms").Sim(SimLogs, "hello from $(POD_NAME)\nbye from $(POD_NAME)").Create(t)
	job := WaitForCondition(t, ns, "backoff", batchv1.JobFailed, 90*time.Second)
	pods := podsByCreation(t, job)
	if len(pods) != 3 {
		t.Fatalf("%d pods, want 3 attempts", len(pods))
	}

	var want strings.Builder
	for _, p := range pods {
		fmt.Fprintf(&want, "[%s] hello from %s\n[%s] bye from %s\n", p.Name, p.Name, p.Name, p.Name)
	}
	res := KubectlJob(t, "logs", "backoff", "-n", ns)
	if res.Code != 0 || res.Stdout != want.String() {
		t.Errorf("logs: exit %d, stdout:\n%s\nwant:\n%s", res.Code, res.Stdout, want.String())
	}

	last := pods[2].Name
	res = KubectlJob(t, "logs", "backoff", "-n", ns, "--last")
	if wantLast := fmt.Sprintf("[%s] hello from %s\n[%s] bye from %s\n", last, last, last, last); res.Code != 0 || res.Stdout != wantLast {
		t.Errorf("logs --last: exit %d, stdout:\n%s\nwant:\n%s", res.Code, res.Stdout, wantLast)
	}

	res = KubectlJob(t, "logs", "backoff", "-n", ns, "--prefix=false", "--attempt", "2")
	wantHeader := fmt.Sprintf("==> pod %s (attempt 2, Failed exit 3) <==\nhello from %s\nbye from %s\n", pods[1].Name, pods[1].Name, pods[1].Name)
	if res.Code != 0 || res.Stdout != wantHeader {
		t.Errorf("logs --prefix=false --attempt 2: exit %d, stdout:\n%s\nwant:\n%s", res.Code, res.Stdout, wantHeader)
	}
}

func TestLogsIndexedSelection(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "idx").Indexed().Completions(4, 4).
		With(func(j *batchv1.Job) { j.Spec.BackoffLimitPerIndex = ptr.To(int32(0)) }).
		Sim(SimFailIndexes, "1").Sim(SimDuration, "300ms").
		Sim(SimLogs, "index $(JOB_COMPLETION_INDEX) from $(POD_NAME)").Create(t)
	job := WaitForCondition(t, ns, "idx", batchv1.JobFailed, 90*time.Second)
	byIndex := map[string]string{}
	for _, p := range Pods(t, job) {
		byIndex[p.Annotations[batchv1.JobCompletionIndexAnnotation]] = p.Name
	}

	res := KubectlJob(t, "logs", "idx", "-n", ns, "--index", "2")
	if want := fmt.Sprintf("[2/1] index 2 from %s\n", byIndex["2"]); res.Code != 0 || res.Stdout != want {
		t.Errorf("logs --index 2: exit %d, stdout %q, want %q", res.Code, res.Stdout, want)
	}

	res = KubectlJob(t, "logs", "idx", "-n", ns, "--failed")
	if want := fmt.Sprintf("[1/1] index 1 from %s\n", byIndex["1"]); res.Code != 0 || res.Stdout != want {
		t.Errorf("logs --failed: exit %d, stdout %q, want %q (successes excluded)", res.Code, res.Stdout, want)
	}

	res = KubectlJob(t, "logs", "idx", "-n", ns)
	var want strings.Builder
	for i := range 4 {
		fmt.Fprintf(&want, "[%d/1] index %d from %s\n", i, i, byIndex[fmt.Sprint(i)])
	}
	if res.Code != 0 || res.Stdout != want.String() {
		t.Errorf("logs: exit %d, stdout:\n%s\nwant (index order):\n%s", res.Code, res.Stdout, want.String())
	}

	// An index the Job can never have is an error, not an empty selection.
	res = KubectlJob(t, "logs", "idx", "-n", ns, "--index", "9")
	if wantErr := "error: --index 9 is out of range: job idx has completions 4, so its indexes are 0-3\n"; res.Code != 1 || res.Stdout != "" || res.Stderr != wantErr {
		t.Errorf("logs --index 9: exit %d, stdout %q, stderr %q, want exit 1 and %q", res.Code, res.Stdout, res.Stderr, wantErr)
	}
}

// TestLogsFollowPicksUpRetry follows a Job from its first attempt: the
// retry the controller creates later is followed too, KWOK's never-ending
// streams are closed on the pods' status, and the command exits 2 with the
// verdict when the Job fails.
func TestLogsFollowPicksUpRetry(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	created := NewJob(ns, "follow").BackoffLimit(1).Fail(1, "3s").Sim(SimLogs, "working in $(POD_NAME)").Create(t)
	WaitFor(t, 60*time.Second, "the first pod to run", func() (bool, error) {
		for _, p := range Pods(t, created) {
			if p.Status.Phase == corev1.PodRunning {
				return true, nil
			}
		}
		return false, nil
	})
	started := time.Now()
	res := KubectlJob(t, "logs", "follow", "-n", ns, "-f")
	elapsed := time.Since(started)

	job := WaitForCondition(t, ns, "follow", batchv1.JobFailed, 10*time.Second)
	pods := podsByCreation(t, job)
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2 attempts", len(pods))
	}
	if !pods[1].CreationTimestamp.After(started.Truncate(time.Second).Add(-time.Second)) {
		t.Errorf("the retry %s was created at %s, before following started at %s", pods[1].Name, pods[1].CreationTimestamp, started)
	}
	var want strings.Builder
	for _, p := range pods {
		fmt.Fprintf(&want, "[%s] working in %s\n", p.Name, p.Name)
	}
	if res.Code != 2 {
		t.Errorf("exit %d, want 2 (the Job failed)", res.Code)
	}
	if res.Stdout != want.String() {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.Stdout, want.String())
	}
	// Failed, or Failing when the controller had not yet written the final
	// condition after waiting a little: the exit code is 2 either way.
	if !strings.Contains(res.Stderr, "job/follow Failed: BackoffLimitExceeded") && !strings.Contains(res.Stderr, "job/follow Failing: BackoffLimitExceeded") {
		t.Errorf("stderr %q, want the verdict line", res.Stderr)
	}
	if elapsed > 60*time.Second {
		t.Errorf("following took %s", elapsed)
	}
}

// TestLogsSaysWhichAttemptsAreGone: at DeadlineExceeded the controller
// deletes the running pods and counts them failed; their logs are gone, and
// kubectl job logs says so instead of printing nothing.
func TestLogsSaysWhichAttemptsAreGone(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "deadline").Completions(2, 2).Sim(SimOutcome, "run").Sim(SimLogs, "still running").
		With(func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To(int64(3)) }).Create(t)
	job := WaitForCondition(t, ns, "deadline", batchv1.JobFailed, 60*time.Second)
	WaitFor(t, 30*time.Second, "the running pods to be deleted", func() (bool, error) { return len(Pods(t, job)) == 0, nil })

	res := KubectlJob(t, "logs", "deadline", "-n", ns)
	want := "2 failed attempts are gone: their pods were deleted (the job controller deletes a failing Job's running pods); their logs cannot be shown"
	if res.Code != 0 || res.Stdout != "" || !strings.Contains(res.Stderr, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want stderr to say %q", res.Code, res.Stdout, res.Stderr, want)
	}
}
