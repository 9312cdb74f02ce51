package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// explainNow is the clock of the explain samples (pkg/explain/testdata/samples).
var explainNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func explainSample(name string) string {
	return testutil.ExplainTestdata("samples", name+".yaml")
}

// explainCluster is a fake clientset holding the objects of a sample.
func explainCluster(t *testing.T, sample string) *fake.Clientset {
	t.Helper()
	return fake.NewClientset(testutil.Objects(t, "samples/"+sample+".yaml")...)
}

type explainRun struct {
	code           int
	stdout, stderr string
}

// runExplain runs "explain ARGS" as main would: through Execute, so errors
// are printed kubectl-style and turned into an exit code.
func runExplain(t *testing.T, client *fake.Clientset, stdin string, args ...string) explainRun {
	t.Helper()
	var c kubernetes.Interface
	if client != nil {
		c = client
	}
	r := runJob(t, c, explainNow, stdin, append([]string{"explain"}, args...)...)
	return explainRun{code: r.code, stdout: r.stdout, stderr: r.stderr}
}

func checkExplainGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "explain", name), got)
}

func TestExplainOutputs(t *testing.T) {
	for _, tc := range []struct {
		golden string
		sample string
		args   []string
	}{
		{"backoff-limit.txt", "backoff-limit", []string{"bo"}},
		{"backoff-limit-wide.txt", "backoff-limit", []string{"bo", "-o", "wide"}},
		{"backoff-limit.json", "backoff-limit", []string{"bo", "-o", "json"}},
		{"max-failed-indexes.yaml", "max-failed-indexes", []string{"mf", "-o", "yaml"}},
		{"pod-failure-policy.jsonpath", "pod-failure-policy", []string{"pf", "-o", `jsonpath={.verdict.phase} {.verdict.reason} {.evidence[1].field}{"\n"}`}},
		{"running.txt", "running", []string{"run"}},
		{"unschedulable.txt", "unschedulable", []string{"pu", "--namespace", "ns"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := runExplain(t, explainCluster(t, tc.sample), "", tc.args...)
			if r.code != exitcode.OK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			checkExplainGolden(t, tc.golden, r.stdout)
		})
	}
}

func TestExplainJSONSchema(t *testing.T) {
	r := runExplain(t, explainCluster(t, "deadline"), "", "dl", "-o", "json")
	for _, want := range []string{`"apiVersion": "kubectl-job.io/v1alpha1"`, `"kind": "JobExplanation"`, `"name": "dl"`, `"namespace": "ns"`,
		`"phase": "Failed"`, `"reason": "DeadlineExceeded"`, `"message": "ran 10m05s ≥ activeDeadlineSeconds 600 (deadline 11:55:00)"`, `"at": "2026-03-01T11:55:00Z"`,
		`"observedAt": "2026-03-01T12:00:00Z"`, `"evidence": [`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("json has no %s:\n%s", want, r.stdout)
		}
	}
}

// TestExplainRequestCount: at most 4 requests whatever the number of pods.
func TestExplainRequestCount(t *testing.T) {
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: "ns", UID: "uid-big"},
		Spec: batchv1.JobSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-big"}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}}},
		Status: batchv1.JobStatus{Active: 300, StartTime: &metav1.Time{Time: explainNow.Add(-time.Minute)}},
	}
	objs := []runtime.Object{job}
	for i := range 300 {
		name := fmt.Sprintf("big-%03d", i)
		objs = append(objs, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name),
				Labels:          map[string]string{"batch.kubernetes.io/controller-uid": "uid-big"},
				OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "big", UID: "uid-big", Controller: ptrBool(true)}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		}, &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: name + ".started", Namespace: "ns"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: name, Namespace: "ns", UID: types.UID("uid-" + name)},
			Type:           "Normal", Reason: "Started", Message: "Started container", Count: 1,
		})
	}
	client := fake.NewClientset(objs...)
	r := runExplain(t, client, "", "big", "-o", "json")
	if r.code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []string
	for _, a := range client.Actions() {
		got = append(got, a.GetVerb()+" "+a.GetResource().Resource)
	}
	if len(got) > 4 {
		t.Errorf("%d requests for 300 pods, want at most 4: %v", len(got), got)
	}
	if !strings.Contains(r.stdout, `"podsRunning": 300`) {
		t.Errorf("pods not all seen")
	}
}

func ptrBool(b bool) *bool { return &b }

func TestExplainForbiddenEventsIsPartial(t *testing.T) {
	client := explainCluster(t, "backoff-limit")
	client.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", fmt.Errorf("user cannot list events"))
	})
	r := runExplain(t, client, "", "bo")
	if r.code != exitcode.Partial {
		t.Errorf("exit code %d, want %d (partial)", r.code, exitcode.Partial)
	}
	if !strings.HasPrefix(r.stdout, "Failed: BackoffLimitExceeded — 7 failed pods > backoffLimit 6") {
		t.Errorf("what could be read was not printed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "Warning: cannot list events in namespace ns: forbidden") {
		t.Errorf("stderr = %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "events could not be read") {
		t.Errorf("the explanation does not say events are missing:\n%s", r.stdout)
	}
}

func TestExplainErrors(t *testing.T) {
	two := filepath.Join(t.TempDir(), "two.yaml")
	a, _ := os.ReadFile(explainSample("complete"))
	b, _ := os.ReadFile(explainSample("running"))
	if err := os.WriteFile(two, append(append(a, []byte("\n---\n")...), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"not found", "", []string{"nope"}, exitcode.Error, `Error from server (NotFound): jobs.batch "nope" not found; list Jobs with: kubectl job list -n ns` + "\n"},
		{"no name", "", nil, exitcode.Error, "error: a Job name is required; run kubectl job explain NAME, or list Jobs with: kubectl job list -n ns\n"},
		{"two names", "", []string{"a", "b"}, exitcode.Error, "explain takes one Job name, got 2: a b"},
		{"bad output", "", []string{"bo", "-o", "xml"}, exitcode.Error, `unable to match a printer suitable for the output format "xml"`},
		{"bad now", "", []string{"bo", "--now", "yesterday"}, exitcode.Error, `error: invalid --now "yesterday"`},
		{"local without file", "", []string{"bo", "--local"}, exitcode.Error, "error: --local needs objects to explain; give them with -f FILE, or -f - for stdin\n"},
		{"missing file", "", []string{"-f", "/nonexistent.yaml"}, exitcode.Error, "error: cannot read /nonexistent.yaml"},
		{"bad yaml", "kind: [", []string{"-f", "-"}, exitcode.Error, "error: cannot decode stdin"},
		{"not a job", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", []string{"-f", "-"}, exitcode.Error, "error: no Job in stdin; save one with: kubectl get job NAME -o yaml\n"},
		{"two jobs", "", []string{"-f", two}, exitcode.Error, "has 2 Jobs (ns/done, ns/run); name one: kubectl job explain NAME -f " + two},
		{"wrong name in file", "", []string{"zz", "-f", two}, exitcode.Error, `error: no Job "zz" in ` + two + "; it has: done, run\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runExplain(t, explainCluster(t, "backoff-limit"), tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit code %d, want %d", r.code, tc.code)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr = %q, want %q", r.stderr, tc.stderr)
			}
			if r.stdout != "" && tc.name != "two names" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

func TestExplainLocal(t *testing.T) {
	// No cluster: a nil client must not be touched.
	r := runExplain(t, nil, "", "-f", explainSample("failing"))
	if r.code != exitcode.OK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	checkExplainGolden(t, "local-failing.txt", r.stdout)

	// Two Jobs: the name picks one; --now moves the clock (the TTL is due).
	data, _ := os.ReadFile(explainSample("complete"))
	more, _ := os.ReadFile(explainSample("running"))
	r = runExplain(t, nil, string(data)+"\n---\n"+string(more), "done", "-f", "-", "--now", "2026-03-01T12:05:00Z", "-o", "jsonpath={.verdict.phase} {.ttl.state} {.ttl.message}")
	if want := "Complete Due deletion due since 12:02:00 (3m00s ago): the ttl-after-finished controller deletes it with its 5 pods"; r.stdout != want || r.code != 0 {
		t.Errorf("got %q (exit %d, %s), want %q", r.stdout, r.code, r.stderr, want)
	}

	// A lone Job without pods: the engine is told pods are unknown, and an
	// active pod it could not read is not evidence of Pending (issue 16).
	job := `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","namespace":"ns","uid":"u"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[]}}},"status":{"active":1,"startTime":"2026-03-01T11:59:00Z"}}`
	r = runExplain(t, nil, job, "--local", "-f", "-")
	if r.code != exitcode.OK || !strings.Contains(r.stderr, "Warning: stdin has no Pods") || !strings.HasPrefix(r.stdout, "Running: Progressing — pods not read") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestExplainEscapesClusterStrings(t *testing.T) {
	r := runExplain(t, nil, "", "-f", testutil.ExplainTestdata("samples", "escapes.json"))
	if r.code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07\r") || strings.Contains(r.stdout, "\u009b") {
		t.Errorf("terminal control characters reached the output: %q", r.stdout)
	}
	if !strings.Contains(r.stdout, "evil ^[[2J message") {
		t.Errorf("escaped message missing:\n%s", r.stdout)
	}
}
