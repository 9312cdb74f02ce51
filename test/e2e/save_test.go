//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TestSaveOutlivesTheJob: a failing `create --follow --save DIR` with a TTL
// leaves, after the TTL deleted the Job and its pods, every attempt's log,
// state and termination message and the explanation. The oracle is the
// pods seen through the API while the Job ran, and the log text and
// termination message the simulation was told to produce.
func TestSaveOutlivesTheJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	dir := filepath.Join(t.TempDir(), "evidence")
	var mu sync.Mutex
	seen := map[string]bool{}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { // the oracle: every pod of the Job, read from the API server
		defer close(done)
		for ctx.Err() == nil {
			pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=migrate"})
			if err == nil {
				mu.Lock()
				for _, p := range pods.Items {
					seen[p.Name] = true
				}
				mu.Unlock()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	res := KubectlJob(t, "create", "migrate", "-n", ns, "--image=busybox", "--backoff-limit=1", "--ttl=3s",
		"--annotations=sim.kubectl-job.io/outcome=fail,sim.kubectl-job.io/exit-code=3,sim.kubectl-job.io/start-delay=1s,sim.kubectl-job.io/message=disk full,sim.kubectl-job.io/logs=migrating in $(POD_NAME)",
		"--follow", "--save", dir, "--", "./migrate")
	if res.Code != 2 {
		t.Errorf("create --follow of a failing Job exited %d, want 2", res.Code)
	}
	WaitForGone(t, ns, "migrate", time.Minute)
	WaitFor(t, time.Minute, "the pods to be gone", func() (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		return err == nil && len(pods.Items) == 0, err
	})
	stop()
	<-done
	mu.Lock()
	var pods []string
	for p := range seen {
		pods = append(pods, p)
	}
	mu.Unlock()
	sort.Strings(pods)
	if len(pods) != 2 {
		t.Fatalf("the API server showed pods %v, want 2 attempts (backoffLimit 1)", pods)
	}
	checkSaved(t, dir, "migrate", pods)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	t.Logf("after the TTL deleted the Job, %s holds %d attempt files and the explanation:\n%s", dir, len(files), strings.Join(files, "\n"))
}

// checkSaved checks a --save directory against the pods the API server
// showed: each one's log and termination message as the simulation was told
// to write them, its state, and the explanation over all of them.
func checkSaved(t *testing.T, dir, container string, pods []string) {
	t.Helper()
	for _, pod := range pods {
		logText, err := os.ReadFile(filepath.Join(dir, pod, container+".log"))
		if err != nil || string(logText) != "migrating in "+pod+"\n" {
			t.Errorf("%s/%s.log = %q, %v; want %q", pod, container, logText, err, "migrating in "+pod+"\n")
		}
		msg, err := os.ReadFile(filepath.Join(dir, pod, container+".termination-message"))
		if err != nil || string(msg) != "disk full" {
			t.Errorf("%s termination message = %q, %v; want %q", pod, msg, err, "disk full")
		}
		var st struct {
			Phase corev1.PodPhase `json:"phase"`
			Cause explain.Cause   `json:"cause"`
		}
		data, err := os.ReadFile(filepath.Join(dir, pod, "state.json"))
		if err == nil {
			err = json.Unmarshal(data, &st)
		}
		if err != nil || st.Phase != corev1.PodFailed || st.Cause.Class != explain.CauseExitCode || st.Cause.ExitCode == nil || *st.Cause.ExitCode != 3 {
			t.Errorf("%s/state.json: phase %s cause %+v (%v), want Failed, ExitCode 3", pod, st.Phase, st.Cause, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "explanation.json"))
	if err != nil {
		t.Fatalf("explanation.json: %v", err)
	}
	e := decodeExplanation(t, string(data))
	var attempted []string
	for _, a := range e.Attempts {
		attempted = append(attempted, a.Pod)
	}
	sort.Strings(attempted)
	if e.Verdict.Phase != explain.PhaseFailed || e.Verdict.Reason != "BackoffLimitExceeded" || strings.Join(attempted, ",") != strings.Join(pods, ",") {
		t.Errorf("explanation.json: %s %s with attempts %v, want Failed BackoffLimitExceeded with %v", e.Verdict.Phase, e.Verdict.Reason, attempted, pods)
	}
	text, err := os.ReadFile(filepath.Join(dir, "explanation.txt"))
	if err != nil || !strings.HasPrefix(string(text), "Failed: BackoffLimitExceeded") {
		t.Errorf("explanation.txt = %.80q, %v", text, err)
	}
}

// TestWaitSave: wait --save keeps the same evidence of a Job it did not create.
func TestWaitSave(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	dir := filepath.Join(t.TempDir(), "evidence")
	// start-delay: simlogs writes a pod's log text while it is Pending.
	job := NewJob(ns, "nightly").BackoffLimit(1).Fail(3, "2s").Sim(SimStartDelay, "1s").Sim(SimMessage, "disk full").Sim(SimLogs, "migrating in $(POD_NAME)").Create(t)
	if res := KubectlJob(t, "wait", "nightly", "-n", ns, "--save", dir); res.Code != 2 {
		t.Errorf("wait on a failing Job exited %d, want 2", res.Code)
	}
	var pods []string
	for _, p := range Pods(t, job) {
		pods = append(pods, p.Name)
	}
	sort.Strings(pods)
	if len(pods) != 2 {
		t.Fatalf("the API server shows pods %v, want 2 attempts (backoffLimit 1)", pods)
	}
	checkSaved(t, dir, "main", pods)
}

// TestStallNamesTheSetting: an unschedulable Job is explained with its own
// settings that match no node, counted against the nodes the API server
// lists; after an hour without activeDeadlineSeconds a warning says it
// never fails on its own.
func TestStallNamesTheSetting(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "gpu").Sim(SimOutcome, "run").With(func(j *batchv1.Job) {
		j.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "nvidia-h100"}
	}).Create(t)
	WaitFor(t, time.Minute, "the pod to be unschedulable", func() (bool, error) {
		res := KubectlJob(t, "explain", "gpu", "-n", ns, "-o", "jsonpath={.verdict.reason}")
		return res.Stdout == string(explain.ReasonUnschedulable), nil
	})
	nodes, err := client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := KubectlJob(t, "explain", "gpu", "-n", ns, "--now", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)).Stdout
	after, _ := client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	ok := false
	for _, n := range []int{len(nodes.Items), len(after.Items)} {
		ok = ok || strings.Contains(out, "nodeSelector accelerator=nvidia-h100 matches 0 of "+strconv.Itoa(n)+" nodes")
	}
	if !ok {
		t.Errorf("explain does not say nodeSelector accelerator=nvidia-h100 matches 0 of %d nodes:\n%s", len(nodes.Items), out)
	}
	if !strings.Contains(out, "waiting in Unschedulable for 1h") || !strings.Contains(out, "this Job never fails on its own without activeDeadlineSeconds") {
		t.Errorf("no long-wait warning an hour later:\n%s", out)
	}
}
