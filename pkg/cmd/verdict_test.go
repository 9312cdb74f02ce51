package cmd

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TestOneVerdict runs list, describe, explain, wait, prune and logs -f over
// the same Jobs (the explain samples, real status shapes, and a quota-blocked
// Job) and checks that all six say the same phase and reason for each, and
// that what they say agrees with the Job's own conditions, read here
// (conditionVerdict): no command is the reference for the others.
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
	names := 0
	for _, o := range objs {
		job, ok := o.(*batchv1.Job)
		if !ok {
			continue
		}
		name := job.Name
		names++
		got := map[string]string{"list": list[name], "prune": prune[name]}
		r := runJob(t, client(), listNow, "", "explain", name, "-o", "jsonpath={.verdict.phase} {.verdict.reason}")
		got["explain"] = strings.TrimSpace(r.stdout)
		r = runJob(t, client(), listNow, "", "describe", name)
		got["describe"] = headlineVerdict(strings.SplitN(r.stdout, "\n", 2)[0])
		r = runJob(t, client(), listNow, "", "wait", name, "--timeout=50ms")
		got["wait"] = waitVerdict(t, name, r.stdout+r.stderr)
		r = runJob(t, client(), listNow, "", "logs", name, "-f", "--timeout=300ms")
		got["logs -f"] = followVerdict(t, name, r.stderr)
		for _, p := range verdictProblems(job, got) {
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
	if p := verdictProblems(failed, agree("Failed BackoffLimitExceeded")); len(p) != 0 {
		t.Fatalf("a consistent verdict was reported: %q", p)
	}
	seeded := agree("Failed BackoffLimitExceeded")
	seeded["logs -f"] = "Failing BackoffLimitExceeded"
	if p := verdictProblems(failed, seeded); len(p) != 1 || !strings.Contains(p[0], "logs -f") {
		t.Errorf("logs -f out of line: problems %q, want one naming logs -f", p)
	}
	// A wrong mapping in every command (Failed read as Complete) agrees
	// with itself: the conditions catch it.
	if p := verdictProblems(failed, agree("Complete BackoffLimitExceeded")); len(p) != 1 || !strings.Contains(p[0], "conditions") {
		t.Errorf("a shared wrong mapping: problems %q, want the conditions to contradict it", p)
	}
	if p := verdictProblems(failed, map[string]string{"list": "Failed BackoffLimitExceeded", "wait": ""}); len(p) != 1 {
		t.Errorf("a command that said nothing: problems %q, want it reported", p)
	}
}

// verdictProblems compares the "Phase Reason" each command said for job
// with each other and with conditionVerdict.
func verdictProblems(job *batchv1.Job, got map[string]string) []string {
	var problems []string
	cmds := slices.Sorted(maps.Keys(got))
	first := cmds[0]
	for _, c := range cmds {
		if v := got[c]; v == "" || strings.HasSuffix(v, " ") {
			problems = append(problems, fmt.Sprintf("%s said %q", c, v))
		} else if v != got[first] {
			problems = append(problems, fmt.Sprintf("%s says %q, %s %q", c, v, first, got[first]))
		}
	}
	if len(problems) > 0 {
		return problems
	}
	phase, reason, _ := strings.Cut(got[first], " ")
	if wantPhase, wantReason := conditionVerdict(job); wantPhase != "" && (phase != wantPhase || wantReason != "" && reason != wantReason) {
		problems = append(problems, fmt.Sprintf("all say %q, the Job's conditions say %s %s", got[first], wantPhase, wantReason))
	}
	return problems
}

// conditionVerdict is what the Job's own conditions decide, read without the
// engine: its terminal condition and reason (Complete, Failed), the interim
// one (SuccessCriteriaMet: Succeeding, FailureTarget: Failing), or "" for a
// Job its conditions do not decide (running, pending, suspended).
func conditionVerdict(job *batchv1.Job) (phase, reason string) {
	byType := map[batchv1.JobConditionType]batchv1.JobCondition{}
	for _, c := range job.Status.Conditions {
		if c.Status == corev1.ConditionTrue {
			byType[c.Type] = c
		}
	}
	for _, m := range []struct {
		cond  batchv1.JobConditionType
		phase string
	}{
		{batchv1.JobComplete, "Complete"}, {batchv1.JobFailed, "Failed"},
		{batchv1.JobSuccessCriteriaMet, "Succeeding"}, {batchv1.JobFailureTarget, "Failing"},
	} {
		if c, ok := byType[m.cond]; ok {
			return m.phase, c.Reason
		}
	}
	return "", ""
}

// followVerdict reads the verdict logs -f ends with on stderr: "job/NAME
// Phase: Reason — message", or at --timeout "job/NAME still Phase: ...".
func followVerdict(t *testing.T, name, stderr string) string {
	t.Helper()
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		rest, ok := strings.CutPrefix(lines[i], "job/"+name+" ")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "still ")
		phase, verdict, _ := strings.Cut(rest, ": ")
		reason, _, _ := strings.Cut(verdict, " — ")
		return phase + " " + reason
	}
	t.Errorf("logs -f %s printed no verdict line: %q", name, stderr)
	return ""
}

// tableVerdicts reads NAME, STATUS (or OUTCOME) and REASON, the first three
// columns of list and prune, into "Phase Reason" by name.
func tableVerdicts(t *testing.T, r cmdRun) map[string]string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		f := strings.Fields(line)
		reason := f[2]
		if reason == "<none>" {
			reason = ""
		}
		out[f[0]] = f[1] + " " + reason
	}
	return out
}

// headlineVerdict reads "Phase: Reason — message" (describe's first line).
func headlineVerdict(line string) string {
	phase, rest, _ := strings.Cut(line, ": ")
	reason, _, _ := strings.Cut(rest, " — ")
	return phase + " " + reason
}

// waitVerdict reads "job.batch/NAME WORD: Reason — message" or "job.batch/NAME
// timed out waiting for finished, still WORD: Reason — message".
func waitVerdict(t *testing.T, name, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "job.batch/"+name+" ")
		if !ok {
			continue
		}
		if _, still, ok := strings.Cut(rest, ", still "); ok {
			rest = still
		}
		word, verdict, _ := strings.Cut(rest, ": ")
		reason, _, _ := strings.Cut(verdict, " — ")
		for _, p := range explain.Phases {
			if strings.EqualFold(string(p), word) {
				return string(p) + " " + reason
			}
		}
		return word + " " + reason
	}
	t.Errorf("wait %s printed no line for it: %q", name, out)
	return ""
}
