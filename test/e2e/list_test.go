//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// listRows runs `kubectl job list ARGS` and returns its rows by NAME, each a
// map from header to cell (cells never contain blanks except the header
// "LAST SEEN", which list does not have).
func listRows(t *testing.T, args ...string) map[string]map[string]string {
	t.Helper()
	res := KubectlJob(t, append([]string{"list"}, args...)...)
	if res.Code != 0 {
		t.Fatalf("kubectl job list %v: exit %d: %s", args, res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	headers := strings.Fields(lines[0])
	rows := map[string]map[string]string{}
	for _, l := range lines[1:] {
		cells := splitCells(l)
		row := map[string]string{}
		for i, h := range headers {
			if i < len(cells) {
				row[h] = cells[i]
			}
		}
		rows[row["NAME"]] = row
	}
	return rows
}

// splitCells splits a table line on runs of 2+ spaces, keeping "in 3m" whole.
func splitCells(line string) []string {
	var cells []string
	for _, c := range strings.Split(line, "   ") {
		if c = strings.TrimSpace(c); c != "" {
			cells = append(cells, c)
		}
	}
	return cells
}

func TestListPhases(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "ok").With(func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](300) }).Create(t)
	NewJob(ns, "bad").Fail(3, "1s").BackoffLimit(0).Create(t)
	NewJob(ns, "long").Sim(SimOutcome, "run").With(func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To[int64](600) }).Create(t)
	NewJob(ns, "stuck").With(func(j *batchv1.Job) {
		j.Spec.Template.Spec.NodeSelector = map[string]string{"kubectl-job.io/no-such-node": "true"}
	}).Create(t)
	NewJob(ns, "held").With(func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }).Create(t)

	WaitForCondition(t, ns, "ok", batchv1.JobComplete, time.Minute)
	WaitForCondition(t, ns, "bad", batchv1.JobFailed, time.Minute)
	WaitForCondition(t, ns, "held", batchv1.JobSuspended, time.Minute)
	WaitFor(t, time.Minute, "a running pod of long", func() (bool, error) {
		j, err := client.BatchV1().Jobs(ns).Get(context.Background(), "long", metav1.GetOptions{})
		return err == nil && j.Status.Ready != nil && *j.Status.Ready > 0, err
	})
	WaitFor(t, time.Minute, "an unschedulable pod of stuck", func() (bool, error) {
		j, err := client.BatchV1().Jobs(ns).Get(context.Background(), "stuck", metav1.GetOptions{})
		if err != nil || j.Status.Active == 0 {
			return false, err
		}
		for _, p := range Pods(t, j) {
			if podCondition(&p, corev1.PodScheduled, "Unschedulable") {
				return true, nil
			}
		}
		return false, nil
	})

	rows := listRows(t, "-n", ns)
	for name, want := range map[string]map[string]string{
		"ok":    {"STATUS": "Complete", "REASON": "CompletionsReached", "COMPLETIONS": "1/1", "DEADLINE": "<none>"},
		"bad":   {"STATUS": "Failed", "REASON": "BackoffLimitExceeded", "FAILED": "1/0", "TTL": "<none>"},
		"long":  {"STATUS": "Running", "REASON": "Progressing", "COMPLETIONS": "0/1"},
		"stuck": {"STATUS": "Pending", "REASON": "Unschedulable"},
		"held":  {"STATUS": "Suspended", "REASON": "JobSuspended", "DURATION": "<none>"},
	} {
		for col, v := range want {
			if got := rows[name][col]; got != v {
				t.Errorf("%s %s: got %q, want %q (row %v)", name, col, got, v, rows[name])
			}
		}
	}
	if ttl := rows["ok"]["TTL"]; !strings.HasPrefix(ttl, "in 4m") && !strings.HasPrefix(ttl, "in 5m") {
		t.Errorf("ok TTL %q, want about in 5m", ttl)
	}
	if d := rows["long"]["DEADLINE"]; !strings.HasPrefix(d, "in ") {
		t.Errorf("long DEADLINE %q, want a countdown", d)
	}
	// A failed Job's duration stops at its Failed condition; kubectl's grows.
	time.Sleep(2 * time.Second)
	if again := listRows(t, "-n", ns)["bad"]["DURATION"]; again != rows["bad"]["DURATION"] {
		t.Errorf("the failed Job's DURATION moved from %q to %q", rows["bad"]["DURATION"], again)
	}
	// --status filters by the same verdict, case-insensitively.
	if got := listRows(t, "-n", ns, "--status", "failed,PENDING"); len(got) != 2 || got["bad"] == nil || got["stuck"] == nil {
		t.Errorf("--status failed,PENDING listed %v", got)
	}
}

func TestListOutputPipesIntoKubectl(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "done-1").Create(t)
	NewJob(ns, "done-2").Create(t)
	NewJob(ns, "keeps-running").Sim(SimOutcome, "run").Create(t)
	WaitForCondition(t, ns, "done-1", batchv1.JobComplete, time.Minute)
	WaitForCondition(t, ns, "done-2", batchv1.JobComplete, time.Minute)

	// -o yaml reads back into kubectl.
	yaml := KubectlJob(t, "list", "-n", ns, "-o", "yaml")
	if apply := run(t, strings.NewReader(yaml.Stdout), "kubectl", "apply", "--dry-run=client", "-f", "-"); apply.Code != 0 || strings.Count(apply.Stdout, "job.batch/") != 3 {
		t.Errorf("kubectl apply -f - of list -o yaml: exit %d\n%s%s", apply.Code, apply.Stdout, apply.Stderr)
	}

	// kubectl job list --status complete -o name | xargs kubectl delete
	names := KubectlJob(t, "list", "-n", ns, "--status", "complete", "-o", "name")
	if got := strings.Fields(names.Stdout); len(got) != 2 || got[0] != "job.batch/done-1" || got[1] != "job.batch/done-2" {
		t.Fatalf("-o name printed %q", names.Stdout)
	}
	if del := Kubectl(t, append([]string{"delete", "-n", ns}, strings.Fields(names.Stdout)...)...); del.Code != 0 {
		t.Fatalf("kubectl delete: exit %d: %s", del.Code, del.Stderr)
	}
	left := listRows(t, "-n", ns)
	if len(left) != 1 || left["keeps-running"] == nil {
		t.Errorf("after deleting the complete Jobs: %v", left)
	}
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchList runs `kubectl job list ARGS` in the background (a watch) and
// returns its stdout as it grows, and stop, which interrupts it and returns
// the whole output.
func watchList(t *testing.T, args ...string) (out *syncBuffer, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"job", "list"}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "NO_COLOR=1")
	out, errOut := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() string {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
			cancel()
			t.Logf("list %v printed:\n%s\nstderr:\n%s", args, out.String(), errOut.String())
		})
		return out.String()
	}
	t.Cleanup(func() { stop() })
	return out, stop
}

func TestListWatchRunningToComplete(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	out, stop := watchList(t, "-n", ns, "-w")

	// Created after the watch started: it appears, runs for 5s, completes.
	time.Sleep(time.Second)
	NewJob(ns, "w").Sim(SimDuration, "5s").Create(t)
	WaitFor(t, time.Minute, "the Complete row", func() (bool, error) {
		return strings.Contains(out.String(), "Complete"), nil
	})
	text := stop()
	running, complete := strings.Index(text, "Running"), strings.Index(text, "Complete")
	if running < 0 || complete < running {
		t.Errorf("want a Running row of w before its Complete row:\n%s", text)
	}
	if n := strings.Count(text, "\nw "); n > 6 {
		t.Errorf("%d rows for a few changes: rows should print only when they change", n)
	}
}
