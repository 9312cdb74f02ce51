package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/test/oneverdict"
)

// TestOneVerdict runs list, describe, explain, wait, prune and logs -f over
// the same Jobs (the explain samples, real status shapes, and a quota-blocked
// Job), each Job alone and, for explain and wait, all at once (--all), and
// checks that all say the same phase and reason for each, and that what they
// say agrees with the Job's own conditions, read here (conditionVerdict): no
// command is the reference for the others.
func TestOneVerdict(t *testing.T) {
	objs := sampleClusterObjects(t)
	data, err := os.ReadFile(filepath.Join("testdata", "verdict", "quota.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	quota, err := explain.DecodeObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range quota.Jobs {
		objs = append(objs, &quota.Jobs[i])
	}
	for i := range quota.Events {
		objs = append(objs, &quota.Events[i])
	}
	client := func() *fake.Clientset { return fake.NewClientset(objs...) }

	list := tableVerdicts(t, runJob(t, client(), listNow, "", "list", "-o", "wide"))
	prune := tableVerdicts(t, runJob(t, client(), listNow, "", "prune", "--dry-run"))
	fleet := tableVerdicts(t, runJob(t, client(), listNow, "", "explain", "--all"))
	waitAll := runJob(t, client(), listNow, "", "wait", "--all", "--timeout=50ms")
	names := 0
	for _, o := range objs {
		job, ok := o.(*batchv1.Job)
		if !ok {
			continue
		}
		name := job.Name
		names++
		got := map[string]string{"list": list[name], "prune": prune[name], "explain --all": fleet[name],
			"wait --all": oneverdict.WaitVerdict(name, waitAll.stdout+waitAll.stderr)}
		r := runJob(t, client(), listNow, "", "explain", name, "-o", "jsonpath={.verdict.phase} {.verdict.reason}")
		got["explain"] = strings.TrimSpace(r.stdout)
		r = runJob(t, client(), listNow, "", "describe", name)
		got["describe"] = oneverdict.HeadlineVerdict(strings.SplitN(r.stdout, "\n", 2)[0])
		r = runJob(t, client(), listNow, "", "wait", name, "--timeout=50ms")
		got["wait"] = oneverdict.WaitVerdict(name, r.stdout+r.stderr)
		r = runJob(t, client(), listNow, "", "logs", name, "-f", "--timeout=300ms")
		got["logs -f"] = oneverdict.FollowVerdict(name, r.stderr)
		for _, p := range oneverdict.VerdictProblems(job, got) {
			t.Errorf("%s: %s", name, p)
		}
		if name == "quota" && got["list"] != "Pending FailedCreate" {
			t.Errorf("quota: %q, want Pending FailedCreate", got["list"])
		}
	}
	if names < 10 {
		t.Fatalf("only %d Jobs compared: the fixtures went missing", names)
	}
}

// TestOneVerdictCheckCanFail is the negative control of TestOneVerdict's
// check: one command out of line, or all of them agreeing on a phase the
// Job's conditions contradict (a wrong verdict mapping shared by all), are
// both reported.
func TestOneVerdictCheckCanFail(t *testing.T) {
	failed := &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{
		{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}}
	agree := func(v string) map[string]string {
		return map[string]string{"list": v, "describe": v, "explain": v, "wait": v, "logs -f": v}
	}
	if p := oneverdict.VerdictProblems(failed, agree("Failed BackoffLimitExceeded")); len(p) != 0 {
		t.Fatalf("a consistent verdict was reported: %q", p)
	}
	seeded := agree("Failed BackoffLimitExceeded")
	seeded["logs -f"] = "Failing BackoffLimitExceeded"
	if p := oneverdict.VerdictProblems(failed, seeded); len(p) != 1 || !strings.Contains(p[0], "logs -f") {
		t.Errorf("logs -f out of line: problems %q, want one naming logs -f", p)
	}
	// A wrong mapping in every command (Failed read as Complete) agrees
	// with itself: the conditions catch it.
	if p := oneverdict.VerdictProblems(failed, agree("Complete BackoffLimitExceeded")); len(p) != 1 || !strings.Contains(p[0], "conditions") {
		t.Errorf("a shared wrong mapping: problems %q, want the conditions to contradict it", p)
	}
	if p := oneverdict.VerdictProblems(failed, map[string]string{"list": "Failed BackoffLimitExceeded", "wait": ""}); len(p) != 1 {
		t.Errorf("a command that said nothing: problems %q, want it reported", p)
	}
}

// tableVerdicts is oneverdict.TableVerdicts of a command that must succeed.
func tableVerdicts(t *testing.T, r cmdRun) map[string]string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	return oneverdict.TableVerdicts(r.stdout)
}
