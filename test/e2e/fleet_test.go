//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// apiRequest is a request in a -v=6 log.
var apiRequest = regexp.MustCompile(`(?m)(verb="[A-Z]+" url="https://|\b(GET|LIST|POST|PUT|PATCH|DELETE) https://)`)

// fleetJobs creates, in ns, ok (completes), bad (fails at once) and stuck
// (a nodeSelector no node has), labelled app=fleet, and long (runs until
// the test ends), labelled app=other; it returns once ok and bad finished
// and stuck's pod is unschedulable, as the API server (not the plugin) says.
func fleetJobs(t *testing.T, ns string) {
	t.Helper()
	label := func(app string) func(*batchv1.Job) {
		return func(j *batchv1.Job) { j.Labels = map[string]string{"app": app} }
	}
	NewJob(ns, "ok").With(label("fleet")).Create(t)
	NewJob(ns, "bad").Fail(1, "500ms").BackoffLimit(0).With(label("fleet")).Create(t)
	NewJob(ns, "stuck").With(label("fleet")).With(func(j *batchv1.Job) {
		j.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "none-has-it"}
	}).Create(t)
	NewJob(ns, "long").Sim(SimOutcome, "run").With(label("other")).Create(t)
	WaitForCondition(t, ns, "ok", batchv1.JobComplete, 2*time.Minute)
	WaitForCondition(t, ns, "bad", batchv1.JobFailed, 2*time.Minute)
	WaitFor(t, time.Minute, "stuck's pod to be unschedulable", func() (bool, error) {
		for _, p := range Pods(t, getJob(t, ns, "stuck")) {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
					return true, nil
				}
			}
		}
		return false, nil
	})
	// long's pod runs for good; its status counts it ready a sync later, and
	// two reads that straddle that sync would disagree.
	WaitFor(t, time.Minute, "long's pod to be ready in its status", func() (bool, error) {
		r := getJob(t, ns, "long").Status.Ready
		return r != nil && *r == 1, nil
	})
}

// fleetTruth is the phase and reason each Job must have, from what the test
// made and the API server reports: the Jobs' conditions (reason included)
// and stuck's Unschedulable pod.
func fleetTruth(t *testing.T, ns string) map[string]string {
	t.Helper()
	return map[string]string{
		"ok":    "Complete " + Condition(getJob(t, ns, "ok"), batchv1.JobComplete).Reason,
		"bad":   "Failed " + Condition(getJob(t, ns, "bad"), batchv1.JobFailed).Reason,
		"stuck": "Pending " + corev1.PodReasonUnschedulable,
	}
}

// TestFleetExplain: explain -l / --all [-A] gives one line per Job (NAME
// first, AGE last, NAMESPACE first with -A) whose PHASE and REASON are the
// Jobs' true state, and -o json a JobExplanationList of the JobExplanations
// explain NAME gives, from one list each of Jobs, pods and events (plus nodes,
// for the unschedulable pod) whatever the number of Jobs.
func TestFleetExplain(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	fleetJobs(t, ns)
	truth := fleetTruth(t, ns)

	r := KubectlJob(t, "explain", "-l", "app=fleet", "-n", ns)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("explain -l: exit %d stderr %q", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	header := strings.Fields(lines[0])
	if header[0] != "NAME" || header[1] != "PHASE" || header[2] != "REASON" || header[len(header)-1] != "AGE" {
		t.Errorf("header %q: want NAME PHASE REASON ... AGE", lines[0])
	}
	got := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		got[f[0]] = f[1] + " " + f[2]
	}
	if len(got) != len(truth) || len(lines) != len(truth)+1 {
		t.Errorf("rows %v, want exactly the 3 Jobs labelled app=fleet", got)
	}
	for name, want := range truth {
		if got[name] != want {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}

	// --no-headers: the same rows, without the header line.
	r = KubectlJob(t, "explain", "-l", "app=fleet", "-n", ns, "--no-headers")
	bare := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if r.Code != 0 || len(bare) != len(lines)-1 {
		t.Errorf("explain -l --no-headers: exit %d, %d lines, want the %d rows: %q", r.Code, len(bare), len(lines)-1, r.Stdout)
	}
	// The same cells but AGE, which the second between the two runs may change.
	cells := func(row string) string { f := strings.Fields(row); return strings.Join(f[:len(f)-1], " ") }
	for i := 0; i < len(bare) && i+1 < len(lines); i++ {
		if got, want := cells(bare[i]), cells(lines[i+1]); got != want {
			t.Errorf("--no-headers row %d: %q, want %q (AGE aside)", i, got, want)
		}
	}

	// -A: NAMESPACE first; this namespace's rows are there with the same verdicts.
	r = KubectlJob(t, "explain", "--all", "-A")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "NAMESPACE ") {
		t.Errorf("explain --all -A: exit %d stdout %.200q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	seen := 0
	for _, l := range strings.Split(r.Stdout, "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[0] == ns {
			seen++
			if want, ok := truth[f[1]]; ok && f[2]+" "+f[3] != want {
				t.Errorf("-A %s: %q, want %q", f[1], f[2]+" "+f[3], want)
			}
		}
	}
	if seen != 4 {
		t.Errorf("-A shows %d rows of %s, want its 4 Jobs", seen, ns)
	}

	// -o json: a JobExplanationList; each item as explain NAME says it.
	r = KubectlJob(t, "explain", "--all", "-n", ns, "-o", "json", "-v=6")
	if r.Code != 0 {
		t.Fatalf("explain --all -o json: exit %d stderr %q", r.Code, r.Stderr)
	}
	var list struct {
		APIVersion, Kind string
		Items            []json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		t.Fatal(err)
	}
	if list.APIVersion != "kubectl-job.io/v1alpha1" || list.Kind != "JobExplanationList" || len(list.Items) != 4 {
		t.Errorf("apiVersion %q kind %q, %d items; want kubectl-job.io/v1alpha1 JobExplanationList with 4", list.APIVersion, list.Kind, len(list.Items))
	}
	for _, raw := range list.Items {
		item := decodeExplanation(t, string(raw))
		one := explainJSON(t, ns, item.Name)
		if item.Kind != "JobExplanation" || item.Verdict.Phase != one.Verdict.Phase || item.Verdict.Reason != one.Verdict.Reason ||
			item.Verdict.Message != one.Verdict.Message || len(item.Attempts) != len(one.Attempts) {
			t.Errorf("%s: item %s %s %q (%d attempts), explain NAME %s %s %q (%d attempts)", item.Name, item.Verdict.Phase, item.Verdict.Reason,
				item.Verdict.Message, len(item.Attempts), one.Verdict.Phase, one.Verdict.Reason, one.Verdict.Message, len(one.Attempts))
		}
		if want, ok := truth[item.Name]; ok && string(item.Verdict.Phase)+" "+string(item.Verdict.Reason) != want {
			t.Errorf("json %s: %s %s, want %s", item.Name, item.Verdict.Phase, item.Verdict.Reason, want)
		}
	}
	// Jobs, pods, events, and nodes for the unschedulable pod: 4 requests for 4 Jobs.
	if n := len(apiRequest.FindAllString(r.Stderr, -1)); n != 4 {
		t.Errorf("explain --all made %d requests, want 4 (jobs, pods, events, nodes):\n%s", n, r.Stderr)
	}

	for _, bad := range [][]string{{"ok", "-l", "app=fleet"}, {"ok", "--all"}, {"--all", "-l", "app=fleet"}, {"ok", "-A"}} {
		r := KubectlJob(t, append([]string{"explain", "-n", ns}, bad...)...)
		if r.Code != 1 || r.Stdout != "" || !strings.HasPrefix(r.Stderr, "error: ") || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("explain %v: exit %d stdout %q stderr %q; want exit 1 and one error line", bad, r.Code, r.Stdout, r.Stderr)
		}
	}
}

// TestFleetWaitAndDescribe: wait -l / --all waits for every matching Job and
// exits with the worst outcome; none matching is an error; describe without
// a name describes each Job of the namespace; suspend's hint, run as printed
// from another namespace, resumes the same Job.
func TestFleetWaitAndDescribe(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	fleetJobs(t, ns)

	// ok complete (0), bad failed (2), stuck never finishes (3): the worst is 2.
	r := KubectlJob(t, "wait", "-l", "app=fleet", "-n", ns, "--timeout=5s")
	if r.Code != 2 || !strings.Contains(r.Stdout, "job.batch/ok complete") || !strings.Contains(r.Stdout, "job.batch/bad failed: BackoffLimitExceeded") ||
		!strings.Contains(r.Stderr, "job.batch/stuck timed out waiting for finished, still pending: Unschedulable") ||
		!strings.Contains(r.Stderr, "see why with kubectl job explain stuck -n "+ns) || strings.Contains(r.Stdout+r.Stderr, "job.batch/long") {
		t.Errorf("wait -l: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	r = KubectlJob(t, "wait", "--all", "-n", ns, "--for=failed", "--timeout=5s")
	if r.Code != 3 || strings.Count(r.Stdout+r.Stderr, "job.batch/") != 4 {
		t.Errorf("wait --all: exit %d stdout %q stderr %q; want 3 (stuck and long time out) and 4 Jobs", r.Code, r.Stdout, r.Stderr)
	}
	empty := Namespace(t)
	r = KubectlJob(t, "wait", "--all", "-n", empty)
	if r.Code != 1 || r.Stdout != "" || r.Stderr != "error: no jobs found in namespace "+empty+"; list Jobs with: kubectl job list -n "+empty+"\n" {
		t.Errorf("wait --all in an empty namespace: exit %d stdout %q stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	for _, bad := range [][]string{{"ok", "--all"}, {"ok", "-l", "app=fleet"}, {"--all", "-l", "app=fleet"}} {
		r := KubectlJob(t, append([]string{"wait", "-n", ns}, bad...)...)
		if r.Code != 1 || r.Stdout != "" || !strings.HasPrefix(r.Stderr, "error: ") || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("wait %v: exit %d stdout %q stderr %q", bad, r.Code, r.Stdout, r.Stderr)
		}
	}

	// describe without a name: every Job of the namespace, each as describe NAME.
	r = KubectlJob(t, "describe", "-n", ns)
	if r.Code != 0 {
		t.Fatalf("describe: exit %d stderr %q", r.Code, r.Stderr)
	}
	for _, name := range []string{"bad", "long", "ok", "stuck"} {
		one := KubectlJob(t, "describe", name, "-n", ns)
		head := strings.SplitN(one.Stdout, "\n", 2)[0] // the verdict headline
		if one.Code != 0 || !strings.Contains(r.Stdout, head+"\n") {
			t.Errorf("describe -n %s lacks %s's headline %q", ns, name, head)
		}
	}
	if n := strings.Count(r.Stdout, "\nNamespace:"); n != 4 {
		t.Errorf("describe -n %s described %d Jobs, want 4", ns, n)
	}
	r = KubectlJob(t, "describe", "-n", ns, "-l", "app=other")
	if r.Code != 0 || strings.Count(r.Stdout, "\nNamespace:") != 1 || !strings.Contains(r.Stdout, "long") {
		t.Errorf("describe -l app=other: exit %d stdout %q", r.Code, r.Stdout)
	}

	// The hint carries -n: run as printed, from the default namespace, it
	// resumes this namespace's Job.
	r = KubectlJob(t, "suspend", "long", "-n", ns)
	hint := "kubectl job resume long -n " + ns
	if r.Code != 0 || !strings.Contains(r.Stderr, "resume it with "+hint+"\n") {
		t.Fatalf("suspend: exit %d stderr %q; want the hint %q", r.Code, r.Stderr, hint)
	}
	r = KubectlJob(t, strings.Fields(hint)[2:]...)
	if r.Code != 0 || r.Stdout != "job.batch/long resumed\n" {
		t.Errorf("%s: exit %d stdout %q stderr %q", hint, r.Code, r.Stdout, r.Stderr)
	}
	job, err := client.BatchV1().Jobs(ns).Get(context.Background(), "long", metav1.GetOptions{})
	if err != nil || job.Spec.Suspend == nil || *job.Spec.Suspend {
		t.Errorf("long after the hint: suspend %v, err %v; want false", job.Spec.Suspend, err)
	}
}
