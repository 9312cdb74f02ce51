//go:build e2e

package e2e

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestWaitFinishedExitCodes: wait --for=finished returns 0, 2 and 4 for a
// complete, a failed and a suspended Job, and 3 on timeout.
func TestWaitFinishedExitCodes(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "ok").Create(t)
	NewJob(ns, "bad").Fail(1, "500ms").BackoffLimit(0).Create(t)
	NewJob(ns, "paused").With(func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }).Create(t)
	NewJob(ns, "slow").Sim(SimOutcome, "run").Create(t)

	for _, tt := range []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"ok"}, 0, "job.batch/ok complete"},
		{[]string{"bad"}, 2, "job.batch/bad failed: BackoffLimitExceeded"},
		{[]string{"paused"}, 4, "job.batch/paused suspended"},
		{[]string{"paused", "--for=suspended"}, 0, "job.batch/paused suspended"},
		{[]string{"bad", "--for=failed"}, 0, "job.batch/bad failed"},
		{[]string{"ok", "bad"}, 2, "job.batch/ok complete"},
		{[]string{"slow", "--timeout=2s"}, 3, ""},
	} {
		start := time.Now()
		r := KubectlJob(t, append([]string{"wait", "-n", ns, "--for=finished", "--timeout=2m"}, tt.args...)...)
		if r.Code != tt.code || !strings.Contains(r.Stdout, tt.stdout) {
			t.Errorf("wait %v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, r.Code, r.Stdout, r.Stderr, tt.code, tt.stdout)
		}
		if tt.code == 3 && (time.Since(start) > 20*time.Second || !strings.Contains(r.Stderr, "timed out after 2s")) {
			t.Errorf("timeout took %s, stderr %q", time.Since(start), r.Stderr)
		}
	}
	if r := KubectlJob(t, "wait", "-n", ns, "missing"); r.Code != 1 || !strings.Contains(r.Stderr, `Error from server (NotFound): jobs.batch "missing" not found`) {
		t.Errorf("missing: exit %d stderr %q", r.Code, r.Stderr)
	}
}

// TestWaitSeesDeletion: a Job deleted while waited for ends the wait with 4.
func TestWaitSeesDeletion(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "doomed").Sim(SimOutcome, "run").Create(t)
	go func() {
		// Long enough for the wait process to start and watch on a loaded
		// machine: a Job deleted before the wait starts is NotFound (exit 1).
		time.Sleep(10 * time.Second)
		_ = client.BatchV1().Jobs(ns).Delete(context.Background(), "doomed", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)})
	}()
	r := KubectlJob(t, "wait", "-n", ns, "doomed", "--timeout=1m")
	if r.Code != 4 || !strings.Contains(r.Stdout, "job.batch/doomed deleted") {
		t.Errorf("exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

// TestWaitManagedByJob: a Job whose spec.managedBy names another controller
// (as MultiKueue's do) is waited for until that controller writes its
// terminal condition; here the test plays that controller.
func TestWaitManagedByJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "elsewhere").With(func(j *batchv1.Job) { j.Spec.ManagedBy = ptr.To("example.com/batch") }).Create(t)
	written := make(chan error, 1)
	go func() {
		time.Sleep(10 * time.Second) // the wait is watching by then, even on a loaded machine
		ctx := context.Background()
		job, err := client.BatchV1().Jobs(ns).Get(ctx, "elsewhere", metav1.GetOptions{})
		if err != nil {
			written <- err
			return
		}
		now := metav1.Now()
		started := metav1.NewTime(now.Add(-5 * time.Second))
		job.Status = batchv1.JobStatus{StartTime: &started, CompletionTime: &now, Succeeded: 1, Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastTransitionTime: now},
		}}
		_, err = client.BatchV1().Jobs(ns).UpdateStatus(ctx, job, metav1.UpdateOptions{})
		written <- err
	}()
	start := time.Now()
	r := KubectlJob(t, "wait", "-n", ns, "elsewhere", "--timeout=2m")
	if err := <-written; err != nil {
		t.Fatalf("writing the Complete condition: %v", err)
	}
	if r.Code != 0 || !strings.Contains(r.Stdout, "job.batch/elsewhere complete") || time.Since(start) < 9*time.Second {
		t.Errorf("after %s: exit %d stdout %q stderr %q; want exit 0 once the condition is written", time.Since(start), r.Code, r.Stdout, r.Stderr)
	}
}

// TestRerunFailedIndexesOnly: only the indexes that failed run again, under
// their own numbers, so a workload reading JOB_COMPLETION_INDEX redoes
// exactly its failed shards; --renumber is the explicit opt-in to 0..K-1, and
// a user who may not write Job status is refused before anything is created.
func TestRerunFailedIndexesOnly(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "shard").Indexed().Completions(4, 4).Sim(SimFailIndexes, "1,3").
		Sim(SimLogs, "shard $(JOB_COMPLETION_INDEX)").
		With(func(j *batchv1.Job) { j.Spec.BackoffLimitPerIndex = ptr.To[int32](0) }).Create(t)
	WaitForCondition(t, ns, "shard", batchv1.JobFailed, 2*time.Minute)

	// Without permission to patch jobs/status: refused, nothing created.
	user := ns + "-creator"
	bindRole(t, ns, "creator", user, []rbacv1.PolicyRule{{Verbs: []string{"get", "list", "watch", "create", "patch", "delete"}, APIGroups: []string{"batch"}, Resources: []string{"jobs"}}})
	waitForRBAC(t, ns, map[string]string{"creator": user})
	r := KubectlJob(t, "rerun", "shard", "-n", ns, "--failed-indexes-only", "--name=shard-denied", "--as="+user)
	if r.Code != 1 || !strings.Contains(r.Stderr, `cannot patch resource "jobs/status"`) || strings.Contains(r.Stderr, "note:") || !strings.Contains(r.Stderr, "nothing was created or deleted; rerun with --renumber") {
		t.Errorf("rerun without jobs/status: exit %d stderr %q", r.Code, r.Stderr)
	}
	if j, err := client.BatchV1().Jobs(ns).Get(context.Background(), "shard-denied", metav1.GetOptions{}); err == nil {
		t.Errorf("a refused rerun created job %s", j.Name)
	}

	// The rerun overrides the simulated failures, so it succeeds.
	r = KubectlJob(t, "rerun", "shard", "-n", ns, "--failed-indexes-only", "--name=shard-retry",
		"--annotations="+SimFailIndexes+"=99", "--wait", "--timeout=2m")
	if r.Code != 0 || !strings.Contains(r.Stderr, "runs indexes 1,3 of 4 under their own numbers; indexes 0,2 are marked completed") {
		t.Fatalf("exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	job := getJob(t, ns, "shard-retry")
	if *job.Spec.Completions != 4 || job.Annotations["kubectl-job.io/carried-indexes"] != "0,2" ||
		job.Status.CompletedIndexes != "0-3" || !strings.HasPrefix(job.Annotations["kubectl-job.io/rerun-of"], ns+"/shard/") {
		t.Errorf("rerun job %+v %+v", job.ObjectMeta, job.Status)
	}
	var ran []string
	for _, p := range Pods(t, job) {
		ran = append(ran, p.Annotations[batchv1.JobCompletionIndexAnnotation])
	}
	slices.Sort(ran)
	if !slices.Equal(ran, []string{"1", "3"}) {
		t.Errorf("the rerun ran indexes %v, want exactly the failed 1 and 3", ran)
	}
	// Carried indexes never had a pod here: logs says nothing of them.
	if r := KubectlJob(t, "logs", "shard-retry", "-n", ns); r.Code != 0 || r.Stdout != "[1/1] shard 1\n[3/1] shard 3\n" || r.Stderr != "" {
		t.Errorf("logs of the rerun: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := KubectlJob(t, "explain", "shard-retry", "-n", ns); r.Code != 0 || !strings.Contains(r.Stdout, "Complete: CompletionsReached") ||
		!strings.Contains(r.Stdout, "indexes 0,2 were carried over as completed from job "+ns+"/shard") ||
		!regexp.MustCompile(`(?m)^  0\s+Carried\s+0\s`).MatchString(r.Stdout) || !regexp.MustCompile(`(?m)^  1\s+Succeeded\s+1\s`).MatchString(r.Stdout) {
		t.Errorf("explain of the rerun: exit %d stdout:\n%s", r.Code, r.Stdout)
	}

	// --renumber: the failed indexes run as 0..K-1, with the mapping said.
	r = KubectlJob(t, "rerun", "shard", "-n", ns, "--failed-indexes-only", "--renumber", "--name=shard-renumbered",
		"--annotations="+SimFailIndexes+"=99", "--wait", "--timeout=2m")
	if r.Code != 0 || !strings.Contains(r.Stderr, "runs 2 of 4 indexes (1,3) as indexes 0-1 (old→new: 1→0, 3→1)") {
		t.Fatalf("--renumber: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	job = getJob(t, ns, "shard-renumbered")
	if *job.Spec.Completions != 2 || job.Annotations["kubectl-job.io/original-indexes"] != "1,3" {
		t.Errorf("renumbered rerun job %+v", job.ObjectMeta)
	}
	pods := Pods(t, job)
	if len(pods) != 2 {
		t.Errorf("%d pods ran, want 2", len(pods))
	}
	for _, p := range pods {
		var env string
		for _, e := range p.Spec.Containers[0].Env {
			if e.Name == "KUBECTL_JOB_ORIGINAL_INDEXES" {
				env = e.Value
			}
		}
		if env != "1,3" {
			t.Errorf("pod %s: KUBECTL_JOB_ORIGINAL_INDEXES=%q", p.Name, env)
		}
	}
}

// TestRerunReplace: the old Job and its pods go, a new one takes the name.
func TestRerunReplace(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	old := NewJob(ns, "etl").Fail(1, "200ms").BackoffLimit(0).Create(t)
	WaitForCondition(t, ns, "etl", batchv1.JobFailed, time.Minute)
	if r := KubectlJob(t, "rerun", "etl", "-n", ns); r.Code != 0 || !strings.Contains(r.Stdout, "job.batch/etl-rerun-") {
		t.Errorf("rerun: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	r := KubectlJob(t, "rerun", "etl", "-n", ns, "--replace", "--annotations="+SimOutcome+"=succeed", "--wait", "--timeout=2m")
	if r.Code != 0 {
		t.Fatalf("exit %d stderr %q", r.Code, r.Stderr)
	}
	// Like delete, --replace says what goes with the old Job.
	if want := "job.batch/etl: its pod goes too; logs of 1 failed attempt will be lost"; !strings.Contains(r.Stderr, want) {
		t.Errorf("rerun --replace stderr %q lacks %q", r.Stderr, want)
	}
	job := getJob(t, ns, "etl")
	if job.UID == old.UID || job.Annotations["kubectl-job.io/rerun-of"] != ns+"/etl/"+string(old.UID) {
		t.Errorf("replaced job %+v", job.ObjectMeta)
	}
	if pods := Pods(t, old); len(pods) != 0 {
		t.Errorf("%d pods of the old Job remain", len(pods))
	}
}

// TestSuspendResume: suspend deletes the active pods, resume starts them again.
func TestSuspendResume(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "batch").Completions(2, 2).Sim(SimOutcome, "run").Create(t)
	running := func(n int) func() (bool, error) {
		return func() (bool, error) {
			live := 0
			for _, p := range Pods(t, job) {
				if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
					live++
				}
			}
			return live == n, nil
		}
	}
	WaitFor(t, time.Minute, "2 running pods", running(2))
	// suspend reads status.active, which follows the pods by a sync.
	WaitFor(t, time.Minute, "status.active 2", func() (bool, error) {
		j, err := client.BatchV1().Jobs(ns).Get(context.Background(), "batch", metav1.GetOptions{})
		return err == nil && j.Status.Active == 2, err
	})

	r := KubectlJob(t, "suspend", "-n", ns, "batch")
	if r.Code != 0 || r.Stdout != "job.batch/batch suspended\n" || !strings.Contains(r.Stderr, "its 2 active pods are being deleted") {
		t.Errorf("suspend: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r := KubectlJob(t, "wait", "-n", ns, "batch", "--for=suspended", "--timeout=1m"); r.Code != 0 {
		t.Errorf("wait --for=suspended: exit %d stderr %q", r.Code, r.Stderr)
	}
	WaitFor(t, time.Minute, "pods deleted", func() (bool, error) { return len(Pods(t, job)) == 0, nil })

	r = KubectlJob(t, "resume", "-n", ns, "job/batch")
	if r.Code != 0 || r.Stdout != "job.batch/batch resumed\n" {
		t.Errorf("resume: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	WaitFor(t, time.Minute, "2 running pods again", running(2))
	if r := KubectlJob(t, "resume", "-n", ns, "batch"); r.Code != 0 || r.Stdout != "job.batch/batch unchanged\n" {
		t.Errorf("second resume: exit %d stdout %q", r.Code, r.Stdout)
	}
}
