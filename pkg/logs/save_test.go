package logs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TestFollowSaves: every attempt's log as it streamed and its last state
// stay in the directory, also for a pod deleted before the Job ended, and
// the explanation is written over every pod seen.
func TestFollowSaves(t *testing.T) {
	job := newJob("pi", false)
	p1 := newPod(job, "pi-1", 0, corev1.PodFailed)
	p1.Status.ContainerStatuses[0].State.Terminated.Message = "disk full"
	p2 := newPod(job, "pi-2", 10, corev1.PodRunning)
	logs := &fakeLogs{blockFollow: true, text: map[string]string{"pi-1": "one: failed\n", "pi-2": "two: running\n"}}
	client := fake.NewClientset(job, &p1, &p2)
	dir := filepath.Join(t.TempDir(), "evidence")
	opts := followOptions(logs)
	opts.Explain = explain.Explain
	var err error
	if opts.Save, err = NewSaver(dir, func(e *explain.JobExplanation) ([]byte, error) { return []byte(e.Verdict.Reason + "\n"), nil }); err != nil {
		t.Fatal(err)
	}
	r := startFollow(t, client, job, opts)
	waitFor(t, "the running pod's lines", func() bool { return strings.Contains(r.out.String(), "two: running") })
	// The controller deletes the first attempt's pod, then the Job fails.
	if err := client.CoreV1().Pods("ns").Delete(context.Background(), "pi-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	setPhase(t, client, &p2, corev1.PodFailed)
	failJobAndWait(t, client, job, r, 2, "")
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return string(data)
	}
	if got := read("pi-1/main.log"); got != "one: failed\n" {
		t.Errorf("pi-1/main.log = %q", got)
	}
	if got := read("pi-2/main.log"); got != "two: running\n" {
		t.Errorf("pi-2/main.log = %q", got)
	}
	if got := read("pi-1/main.termination-message"); got != "disk full" {
		t.Errorf("termination message = %q", got)
	}
	var st attemptState
	if err := json.Unmarshal([]byte(read("pi-2/state.json")), &st); err != nil || st.Phase != corev1.PodFailed || st.Attempt != 2 {
		t.Errorf("pi-2/state.json: %+v %v", st, err)
	}
	var e explain.JobExplanation
	if err := json.Unmarshal([]byte(read("explanation.json")), &e); err != nil || len(e.Attempts) != 2 || e.Verdict.Reason != "BackoffLimitExceeded" {
		t.Errorf("explanation.json: %d attempts, %s, %v; want the 2 attempts seen", len(e.Attempts), e.Verdict.Reason, err)
	}
	if got := read("explanation.txt"); got != "BackoffLimitExceeded\n" {
		t.Errorf("explanation.txt = %q", got)
	}
	if !strings.Contains(r.errOut.String(), "evidence saved to "+dir) {
		t.Errorf("stderr %q does not say where the evidence is", r.errOut.String())
	}
}

func TestNewSaverRefusesAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSaver(file, nil); err == nil || !strings.Contains(err.Error(), "cannot create --save directory") {
		t.Errorf("NewSaver on a file: %v", err)
	}
}
