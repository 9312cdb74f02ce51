package cmd

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

func TestDecideWait(t *testing.T) {
	v := func(p explain.Phase) explain.Verdict { return explain.Verdict{Phase: p} }
	for _, tt := range []struct {
		verdict explain.Verdict
		deleted bool
		target  waitFor
		early   bool
		done    bool
		code    int
	}{
		{v(explain.PhaseComplete), false, waitFinished, false, true, exitcode.OK},
		{v(explain.PhaseComplete), false, waitComplete, false, true, exitcode.OK},
		{v(explain.PhaseComplete), false, waitFailed, false, true, exitcode.EndedOtherwise},
		{v(explain.PhaseComplete), false, waitSuspended, false, true, exitcode.EndedOtherwise},
		{v(explain.PhaseFailed), false, waitFinished, false, true, exitcode.JobFailed},
		{v(explain.PhaseFailed), false, waitComplete, false, true, exitcode.JobFailed},
		{v(explain.PhaseFailed), false, waitFailed, false, true, exitcode.OK},
		{v(explain.PhaseFailing), false, waitFinished, false, false, 0},
		{v(explain.PhaseFailing), false, waitFinished, true, true, exitcode.JobFailed},
		{v(explain.PhaseSucceeding), false, waitComplete, false, false, 0},
		{v(explain.PhaseSucceeding), false, waitComplete, true, true, exitcode.OK},
		{v(explain.PhaseSuspended), false, waitFinished, false, true, exitcode.EndedOtherwise},
		{v(explain.PhaseSuspended), false, waitSuspended, false, true, exitcode.OK},
		{explain.Verdict{Phase: explain.PhaseSuspended, Reason: explain.ReasonSuspendRequested}, false, waitSuspended, false, false, 0},
		{v(explain.PhaseExternal), false, waitFinished, false, false, 0},
		{v(explain.PhaseRunning), false, waitFinished, false, false, 0},
		{v(explain.PhasePending), false, waitFinished, true, false, 0},
		{v(explain.PhaseRunning), true, waitFinished, false, true, exitcode.EndedOtherwise},
		{v(explain.PhaseComplete), true, waitFinished, false, true, exitcode.OK},
	} {
		done, code, word := decideWait(tt.verdict, tt.deleted, tt.target, tt.early)
		if done != tt.done || code != tt.code {
			t.Errorf("%s deleted=%v for=%s early=%v: done=%v code=%d (%s), want done=%v code=%d",
				tt.verdict.Phase, tt.deleted, tt.target, tt.early, done, code, word, tt.done, tt.code)
		}
	}
}

func finishedJob(name string, conds ...batchv1.JobConditionType) *batchv1.Job {
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name), ResourceVersion: "3",
			Labels: map[string]string{"batch": "b1"}, CreationTimestamp: metav1.NewTime(testNow.Add(-time.Hour))},
		Spec: batchv1.JobSpec{Completions: ptr.To[int32](1), BackoffLimit: ptr.To[int32](1),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}}},
		Status: batchv1.JobStatus{StartTime: &metav1.Time{Time: testNow.Add(-time.Hour)}},
	}
	for _, c := range conds {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: c, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(testNow)})
		switch c {
		case batchv1.JobComplete:
			j.Status.Succeeded = 1
			j.Status.CompletionTime = &metav1.Time{Time: testNow}
		case batchv1.JobFailed:
			j.Status.Failed = 2
		}
	}
	return j
}

func runWait(t *testing.T, objs []runtime.Object, args ...string) (string, string, int, *fake.Clientset) {
	t.Helper()
	cs := fake.NewClientset(objs...)
	r := runJob(t, cs, testNow, "", append([]string{"wait"}, args...)...)
	return r.stdout, r.stderr, r.code, cs
}

func TestWaitExitCodes(t *testing.T) {
	complete := finishedJob("ok", batchv1.JobSuccessCriteriaMet, batchv1.JobComplete)
	failed := finishedJob("bad", batchv1.JobFailureTarget, batchv1.JobFailed)
	suspended := finishedJob("paused")
	suspended.Spec.Suspend = ptr.To(true)
	suspended.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue, Reason: "JobSuspended"}}
	objs := []runtime.Object{complete, failed, suspended}
	for _, tt := range []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"ok"}, 0, "job.batch/ok complete: "},
		{[]string{"job/ok", "--for=complete"}, 0, "job.batch/ok complete"},
		{[]string{"bad"}, 2, "job.batch/bad failed: "},
		{[]string{"bad", "--for=failed"}, 0, "job.batch/bad failed"},
		{[]string{"ok", "--for=failed"}, 4, "job.batch/ok complete"},
		{[]string{"paused"}, 4, "job.batch/paused suspended"},
		{[]string{"paused", "--for=suspended"}, 0, "job.batch/paused suspended"},
		{[]string{"ok", "bad"}, 2, "job.batch/ok complete"},
		{[]string{"ok", "paused"}, 4, "job.batch/paused suspended"},
		{[]string{"-l", "batch=b1"}, 2, "job.batch/bad failed"},
		{[]string{"--all"}, 2, "job.batch/ok complete"},
		{[]string{"--all", "-A"}, 2, "job.batch/bad failed"},
		{[]string{"-l", "batch=b1", "-A", "--for=failed"}, 4, "job.batch/bad failed"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code, _ := runWait(t, objs, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
		})
	}
}

func TestWaitErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"missing"}, 1, `Error from server (NotFound): jobs.batch "missing" not found; list Jobs with: kubectl job list -n ns` + "\n"},
		{[]string{}, 1, "name one or more Jobs, or select them with -l SELECTOR or --all"},
		{[]string{"a", "-l", "x=y"}, 1, "not both"},
		{[]string{"a", "--all"}, 1, "error: give Job names or --all, not both"},
		{[]string{"--all", "-l", "x=y"}, 1, "error: cannot set --all and --selector at the same time"},
		{[]string{"a", "-A"}, 1, "error: -A needs -l SELECTOR or --all"},
		{[]string{"--all"}, 1, "error: no jobs found in namespace ns; list Jobs with: kubectl job list -n ns"},
		{[]string{"--all", "-A"}, 1, "error: no jobs found in any namespace; list Jobs with: kubectl job list -A"},
		{[]string{"a", "--for=condition=Complete"}, 1, "use --for=complete, failed, finished or suspended"},
		{[]string{"a", "--for=done"}, 1, "--for must be one of"},
		{[]string{"pod/a"}, 1, `"pod/a" is not a Job`},
		{[]string{"a", "--timeout=-1s"}, 1, "must not be negative"},
		{[]string{"-l", "none=here"}, 1, `error: no jobs found in namespace ns matching "none=here"; list Jobs with: kubectl job list -n ns`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, code, cs := runWait(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, tt.code, tt.want)
			}
			if strings.HasPrefix(tt.want, "Error from server") || strings.Contains(tt.want, "no jobs found") {
				return
			}
			if n := len(cs.Actions()); n != 0 {
				t.Errorf("%d requests for bad input", n)
			}
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	running := finishedJob("slow")
	running.Status.Active = 1
	stdout, stderr, code, cs := runWait(t, []runtime.Object{running, finishedJob("ok", batchv1.JobComplete)}, "slow", "ok", "--timeout=150ms")
	if code != exitcode.Timeout {
		t.Fatalf("exit %d, want 3; stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "job.batch/ok complete") || !strings.Contains(stderr, "job.batch/slow timed out waiting for finished") ||
		!strings.Contains(stderr, "timed out after 150ms waiting for 1 of 2 jobs") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	// Watch-based: no Job is read more than once by a list (no polling);
	// the pods of the Job still undecided are read once, at the end, for
	// its verdict.
	lists := map[string]int{}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "list" {
			lists[a.GetResource().Resource]++
		}
	}
	if lists["jobs"] != 2 || lists["pods"] != 1 {
		t.Errorf("lists %v, want 2 of jobs for 2 Jobs and 1 of pods for the undecided one", lists)
	}
}

// TestWaitWorstOfFailedAndTimeout: a failed Job (2) outranks another's
// timeout (3): the exit code is the worst in the order 1, 2, 3, 4, 0.
func TestWaitWorstOfFailedAndTimeout(t *testing.T) {
	running := finishedJob("slow")
	running.Status.Active = 1
	_, stderr, code, _ := runWait(t, []runtime.Object{running, finishedJob("bad", batchv1.JobFailed)}, "slow", "bad", "--timeout=100ms")
	if code != exitcode.JobFailed || !strings.Contains(stderr, "timed out after 100ms waiting for 1 of 2 jobs") {
		t.Errorf("exit %d, want 2; stderr %q", code, stderr)
	}
}

func TestProgressText(t *testing.T) {
	j := finishedJob("p")
	j.Spec.Completions = ptr.To[int32](3)
	j.Spec.ActiveDeadlineSeconds = ptr.To[int64](7200)
	j.Status.Active, j.Status.Succeeded, j.Status.Failed = 2, 1, 1
	got := printers.WaitProgress(j, explain.Explain(explain.Input{Job: j, Now: testNow, PodsUnknown: true}))
	for _, want := range []string{"job/p ", "1/3 succeeded", "2 active", "1 failed", "deadline in 1h"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
