package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TestOneVerdict runs list, describe, explain, wait and prune over the same
// Jobs (the explain samples, real status shapes, and a quota-blocked Job),
// each Job alone and, for explain and wait, all at once (--all), and checks
// that all say the same phase and reason for each.
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
			"wait --all": waitVerdict(t, name, waitAll.stdout+waitAll.stderr)}
		r := runJob(t, client(), listNow, "", "explain", name, "-o", "jsonpath={.verdict.phase} {.verdict.reason}")
		got["explain"] = strings.TrimSpace(r.stdout)
		r = runJob(t, client(), listNow, "", "describe", name)
		got["describe"] = headlineVerdict(strings.SplitN(r.stdout, "\n", 2)[0])
		r = runJob(t, client(), listNow, "", "wait", name, "--timeout=50ms")
		got["wait"] = waitVerdict(t, name, r.stdout+r.stderr)
		want := got["explain"]
		if want == "" || strings.HasSuffix(want, " ") {
			t.Errorf("%s: explain said %q", name, want)
		}
		for cmd, v := range got {
			if v != want {
				t.Errorf("%s: %s says %q, explain %q", name, cmd, v, want)
			}
		}
		if name == "quota" && want != "Pending FailedCreate" {
			t.Errorf("quota: %q, want Pending FailedCreate", want)
		}
	}
	if names < 10 {
		t.Fatalf("only %d Jobs compared: the fixtures went missing", names)
	}
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
