//go:build e2e && faults

package e2e

// Fault tests: the API server and etcd of the cluster are stopped, hung and
// restarted under running commands. They need a cluster of their own (make
// e2e-faults starts one and passes its directory in KJ_E2E_CLUSTER_DIR) and
// run one at a time: no t.Parallel.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// faultClusterDir is the directory of the cluster under test, whose
// components hack/cluster-ctl.sh stops and starts. The tests skip unless it
// is the cluster KJ_E2E_KUBECONFIG points at, so they never stop a shared one.
func faultClusterDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KJ_E2E_CLUSTER_DIR")
	if dir == "" {
		t.Skip("KJ_E2E_CLUSTER_DIR is not set: run the fault tests with make e2e-faults (they stop the API server)")
	}
	a, errA := filepath.Abs(filepath.Join(dir, "kubeconfig"))
	b, errB := filepath.Abs(kubeconfig)
	if errA != nil || errB != nil || a != b {
		t.Skipf("KJ_E2E_CLUSTER_DIR %s is not the cluster of KJ_E2E_KUBECONFIG %s", dir, kubeconfig)
	}
	return dir
}

// clusterCtl runs hack/cluster-ctl.sh ACTION COMPONENT and returns when it is done.
func clusterCtl(t *testing.T, dir, action, component string) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("../../hack/cluster-ctl.sh", action, component)
	// A stopping API server drains open requests for up to a minute; 2 s is
	// enough to show the drain, then it is killed.
	cmd.Env = append(os.Environ(), "KJ_CLUSTER_DIR="+dir, "KJ_STOP_GRACE=2")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hack/cluster-ctl.sh %s %s: %v\n%s", action, component, err, out)
	}
	t.Logf("%s %s: %.1f s", action, component, time.Since(start).Seconds())
}

// outage stops component, runs during, keeps it down for at least down in
// all, starts it again (its readiness checked) and returns when it was
// stopped and when it was back. The component is started again even when
// the test fails half-way, so later tests find a whole cluster.
func outage(t *testing.T, dir, component string, down time.Duration, during func()) (stopped, up time.Time) {
	t.Helper()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			clusterCtl(t, dir, "start", component)
		}
	})
	// The port closes at once on SIGTERM; the stop then waits for the exit.
	stopped = time.Now()
	clusterCtl(t, dir, "stop", component)
	if during != nil {
		during()
	}
	time.Sleep(time.Until(stopped.Add(down)))
	clusterCtl(t, dir, "start", component)
	restarted = true
	return stopped, time.Now()
}

// conditionTime is when the Job got condition type.
func conditionTime(t *testing.T, ns, name string, condType batchv1.JobConditionType) time.Time {
	t.Helper()
	job := WaitForCondition(t, ns, name, condType, 2*time.Minute)
	return Condition(job, condType).LastTransitionTime.Time
}

// TestFaults runs the fault cases one after the other (each stops part of
// the control plane) and writes their rows into docs/reliability.md.
func TestFaults(t *testing.T) {
	faultClusterDir(t)
	doc := NewDocSection(t, "faults")
	for _, c := range []struct {
		name string
		run  func(*testing.T, *DocSection)
	}{
		{"APIServerRestart", faultAPIServerRestart},
		{"TTLDeletesWaitedJob", faultTTLDeletesWaitedJob},
		{"EtcdRestart", faultEtcdRestart},
		{"APIServerHung", faultAPIServerHung},
		{"FailureNotYetCounted", faultFailureNotYetCounted},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, doc) })
	}
}

// faultAPIServerRestart stops the API server for about 8 s under
// running wait, logs -f and list -w commands; each reconnects and ends with
// the Job's verdict; a wait whose --timeout passes while the server is down
// exits 3; explain against the down server exits 1 with kubectl's message;
// and the watches resumed after the restart are answered "too old resource
// version" (410), re-list and go on.
func faultAPIServerRestart(t *testing.T, doc *DocSection) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	NewJob(ns, "ok").Sim(SimDuration, "20s").Create(t)
	NewJob(ns, "bad").Fail(3, "20s").BackoffLimit(0).Create(t)
	// Two pods that run through the outage, each printing distinct lines.
	// (Not a pod created after the restart: the simulator's stand-in for the
	// kubelet's log files, KWOK Logs objects, reaches KWOK through an
	// informer that backs off up to 30 s after an outage, so such a pod
	// would print nothing; a kubelet needs no API server for its logs.)
	var logText strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&logText, "line %d of $(POD_NAME)\n", i)
	}
	NewJob(ns, "chatty").Completions(2, 2).Sim(SimDuration, "12s").Sim(SimLogs, logText.String()).Create(t)
	for _, name := range []string{"ok", "bad", "chatty"} {
		waitStarted(t, ns, name)
	}

	waitOK := startKubectlJob(t, "wait", "ok", "-n", ns, "--for=complete")
	waitBad := startKubectlJob(t, "wait", "bad", "-n", ns, "--for=complete")
	waitV := startKubectlJob(t, "wait", "ok", "-n", ns, "--for=complete", "-v=6")
	logs := startKubectlJob(t, "logs", "-f", "chatty", "-n", ns, "-v=6")
	watch := startKubectlJob(t, "list", "-w", "-n", ns, "-v=6")
	short := startKubectlJob(t, "wait", "ok", "-n", ns, "--timeout=6s")
	settle(t, 2*time.Second, waitOK, waitBad, waitV, logs, watch, short)
	WaitFor(t, 30*time.Second, "logs -f to print the pods' lines", func() (bool, error) {
		return strings.Count(logs.stdout.String(), "line ") >= 10, nil
	})

	var explainDown Result
	var explainTook time.Duration
	stopped, up := outage(t, dir, "kube-apiserver", 8*time.Second, func() {
		start := time.Now()
		explainDown = KubectlJob(t, "explain", "ok", "-n", ns)
		explainTook = time.Since(start)
	})
	t.Logf("API server down from %s to %s", stopped.Format("15:04:05.0"), up.Format("15:04:05.0"))

	// explain against the down server.
	refused := "The connection to the server 127.0.0.1:"
	if explainDown.Code != 1 || !strings.Contains(explainDown.Stderr, refused) || explainDown.Stdout != "" || explainTook > 10*time.Second {
		t.Errorf("explain while down: exit %d after %s, stdout %q, stderr %q; want exit 1 at once and %q", explainDown.Code, explainTook, explainDown.Stdout, explainDown.Stderr, refused)
	}
	doc.Add(DocRow{
		Case:     "`explain ok` while the API server is stopped",
		Expected: "exit 1 at once, kubectl's `The connection to the server ... was refused` line, nothing on stdout",
		Observed: fmt.Sprintf("exit %d after %s: %s", explainDown.Code, secs(explainTook), firstLineOf(explainDown.Stderr)),
	})

	// wait --timeout=6s: the timeout passes while the server is down.
	r := short.wait(t, 30*time.Second)
	took := short.exitedAt.Sub(stopped)
	if r.Code != 3 || !strings.Contains(r.Stderr, "timed out after 6s") || short.exitedAt.After(up) {
		t.Errorf("wait --timeout=6s: exit %d at %s after the stop, stderr %q; want 3 while the server is down", r.Code, took, r.Stderr)
	}
	doc.Add(DocRow{
		Case:     "`wait ok --timeout=6s` running when the API server stops (down 8 s)",
		Expected: "exit 3 when the timeout passes, while the server is still down; says what it last saw",
		Observed: fmt.Sprintf("exit %d %s after the stop (server still down): %s", r.Code, secs(took), strings.Join(strings.Split(strings.TrimSpace(r.Stderr), "\n"), " / ")),
	})

	// wait --for=complete on a Job that completes (and one that fails) after the restart.
	completeAt := conditionTime(t, ns, "ok", batchv1.JobComplete)
	failedAt := conditionTime(t, ns, "bad", batchv1.JobFailed)
	if completeAt.Before(stopped.Truncate(time.Second)) || failedAt.Before(stopped.Truncate(time.Second)) {
		t.Errorf("the Jobs ended before the outage (complete %s, failed %s, stop %s): the test proves nothing", completeAt, failedAt, stopped)
	}
	for _, c := range []struct {
		p      *proc
		name   string
		code   int
		stdout string
	}{{waitOK, "ok", 0, "job.batch/ok complete"}, {waitBad, "bad", 2, "job.batch/bad failed"}} {
		r := c.p.wait(t, 2*time.Minute)
		if r.Code != c.code || !strings.Contains(r.Stdout, c.stdout) || r.Stderr != "" {
			t.Errorf("wait %s: exit %d stdout %q stderr %q; want %d, %q and a clean stderr", c.name, r.Code, r.Stdout, r.Stderr, c.code, c.stdout)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`wait %s --for=complete` running while the API server is down 8 s; the Job %s after the restart", c.name, map[int]string{0: "completes", 2: "fails"}[c.code]),
			Expected: fmt.Sprintf("reconnects, exit %d, nothing on stderr", c.code),
			Observed: fmt.Sprintf("exit %d %s after the server was back, %s after the Job's condition (whole seconds): %s", r.Code, secs(c.p.exitedAt.Sub(up)), secs(c.p.exitedAt.Sub(map[int]time.Time{0: completeAt, 2: failedAt}[c.code])), strings.TrimSpace(r.Stdout)),
		})
	}

	// The resumed watch was answered 410 and wait listed again.
	r = waitV.wait(t, time.Minute)
	relisted := strings.Contains(r.Stderr, "listing again")
	if r.Code != 0 || !relisted {
		t.Errorf("wait -v=6: exit %d, relisted %v; want exit 0 after a re-list", r.Code, relisted)
	}
	doc.Add(DocRow{
		Case:     "`wait ok -v=6` through the restart: the resumed watch is answered 410 (resourceVersion too old: the new server's watch cache starts later)",
		Expected: "re-lists and goes on, exit 0",
		Observed: fmt.Sprintf("exit %d; -v=6 shows: %s", r.Code, grepLine(r.Stderr, "listing again")),
	})

	// logs -f: every line exactly once, the verdict, exit 0.
	r = logs.wait(t, 2*time.Minute)
	chatty, err := client.BatchV1().Jobs(ns).Get(context.Background(), "chatty", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods := Pods(t, chatty)
	var want []string
	for _, p := range pods {
		for i := 1; i <= 5; i++ {
			want = append(want, fmt.Sprintf("line %d of %s", i, p.Name))
		}
	}
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if i := strings.Index(l, "line "); i >= 0 {
			counts[l[i:]]++
		}
	}
	var wrong []string
	for _, w := range want {
		if counts[w] != 1 {
			wrong = append(wrong, fmt.Sprintf("%q ×%d", w, counts[w]))
		}
	}
	if len(pods) != 2 || len(counts) != len(want) || len(wrong) > 0 || r.Code != 0 || !strings.Contains(r.Stderr, "job/chatty Complete") {
		t.Errorf("logs -f: exit %d, %d pods, lines not exactly once: %v (got %d distinct)", r.Code, len(pods), wrong, len(counts))
	}
	doc.Add(DocRow{
		Case:     "`logs -f chatty` (2 pods, 5 distinct lines each, running through the outage) while the API server is down 8 s",
		Expected: "both broken streams are reopened from the newest log timestamp without repeating a line: every line exactly once, verdict on stderr, exit 0",
		Observed: fmt.Sprintf("exit %d %s after the server was back; %d of %d lines, each once; %s", r.Code, secs(logs.exitedAt.Sub(up)), len(counts), len(want), grepLine(r.Stderr, "job/chatty")),
	})
	resumed := grepLine(r.Stderr, "too old resource version")
	doc.Add(DocRow{
		Case:     "`logs -f -v=6` through the restart: its pod and Job informers' watches are answered 410",
		Expected: "the informers re-list; nothing lost (row above)",
		Observed: orNone(resumed, "no 410 this run"),
	})

	// list -w: the transitions after the restart, then SIGINT.
	complete := regexp.MustCompile(`^ok\s+Complete\b`)
	failed := regexp.MustCompile(`^bad\s+Failed\b`)
	WaitFor(t, time.Minute, "list -w to show ok Complete and bad Failed", func() (bool, error) {
		_, a := watch.stdout.firstLine(complete)
		_, b := watch.stdout.firstLine(failed)
		return a && b, nil
	})
	okLine, _ := watch.stdout.firstLine(complete)
	badLine, _ := watch.stdout.firstLine(failed)
	if err := watch.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	sigint := time.Now()
	r = watch.wait(t, 10*time.Second)
	if r.Code != 0 || okLine.at.Before(up) || badLine.at.Before(up) {
		t.Errorf("list -w: exit %d after SIGINT; Complete row at %s, Failed row at %s, server up at %s", r.Code, okLine.at, badLine.at, up)
	}
	doc.Add(DocRow{
		Case:     "`list -w` running while the API server is down 8 s; the Jobs end after the restart; then SIGINT",
		Expected: "resumes (re-listing after the 410), prints the Complete and Failed rows, exits 0 on SIGINT",
		Observed: fmt.Sprintf("`ok Complete` row %s and `bad Failed` row %s after the server was back; exit %d %s after SIGINT; -v=6: %s",
			secs(okLine.at.Sub(up)), secs(badLine.at.Sub(up)), r.Code, secs(watch.exitedAt.Sub(sigint)), orNone(grepLine(r.Stderr, "listing again"), "no re-list this run")),
	})
}

// TestFaultTTLDeletesWaitedJob: ttlSecondsAfterFinished: 0 deletes the Job
// right after it completes, under a running wait. The wait decides on the
// Job's last state, which the watch's DELETED event carries: Complete. So
// --for=failed exits 4 ("ended otherwise": it completed) and --for=complete
// exits 0, whichever event the wait saw first; never a hang.
func faultTTLDeletesWaitedJob(t *testing.T, doc *DocSection) {
	faultClusterDir(t)
	ns := Namespace(t)
	for _, name := range []string{"for-failed", "for-complete"} {
		NewJob(ns, name).Sim(SimDuration, "5s").With(func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](0) }).Create(t)
	}
	waitStarted(t, ns, "for-failed")
	waitStarted(t, ns, "for-complete")
	started := time.Now()
	forFailed := startKubectlJob(t, "wait", "for-failed", "-n", ns, "--for=failed", "--timeout=2m")
	forComplete := startKubectlJob(t, "wait", "for-complete", "-n", ns, "--for=complete", "--timeout=2m")
	settle(t, 2*time.Second, forFailed, forComplete)
	WaitForGone(t, ns, "for-failed", time.Minute)
	for _, c := range []struct {
		p      *proc
		name   string
		code   int
		stdout string
	}{{forFailed, "for-failed --for=failed", 4, "job.batch/for-failed complete"}, {forComplete, "for-complete --for=complete", 0, "job.batch/for-complete complete"}} {
		r := c.p.wait(t, time.Minute)
		if r.Code != c.code || !strings.Contains(r.Stdout, c.stdout) {
			t.Errorf("wait %s: exit %d stdout %q stderr %q; want %d and %q", c.name, r.Code, r.Stdout, r.Stderr, c.code, c.stdout)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`wait %s` on a Job that succeeds and is deleted at once by ttlSecondsAfterFinished: 0", c.name),
			Expected: fmt.Sprintf("decides on the Job's last state (Complete, also carried by the DELETED event): exit %d, no hang", c.code),
			Observed: fmt.Sprintf("exit %d, %s after the wait started (the Job runs 5 s and is gone right after): %s", r.Code, secs(c.p.exitedAt.Sub(started)), strings.TrimSpace(r.Stdout)),
		})
	}
}

// faultEtcdRestart stops etcd for about 6 s under a running wait and
// list -w; the API server keeps their watches open and they go on once
// etcd is back.
func faultEtcdRestart(t *testing.T, doc *DocSection) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	NewJob(ns, "ok").Sim(SimDuration, "12s").Create(t)
	NewJob(ns, "bad").Fail(3, "12s").BackoffLimit(0).Create(t)
	waitStarted(t, ns, "ok")
	waitStarted(t, ns, "bad")
	waitOK := startKubectlJob(t, "wait", "ok", "-n", ns, "--for=complete", "--timeout=3m")
	waitBad := startKubectlJob(t, "wait", "bad", "-n", ns, "--timeout=3m")
	settle(t, 2*time.Second, waitOK, waitBad)
	stopped, up := outage(t, dir, "etcd", 6*time.Second, nil)
	t.Logf("etcd down from %s to %s", stopped.Format("15:04:05.0"), up.Format("15:04:05.0"))
	for _, c := range []struct {
		p      *proc
		name   string
		code   int
		stdout string
	}{{waitOK, "ok --for=complete", 0, "job.batch/ok complete"}, {waitBad, "bad", 2, "job.batch/bad failed"}} {
		r := c.p.wait(t, 2*time.Minute)
		if r.Code != c.code || !strings.Contains(r.Stdout, c.stdout) || r.Stderr != "" {
			t.Errorf("wait %s: exit %d stdout %q stderr %q; want %d, %q and a clean stderr", c.name, r.Code, r.Stdout, r.Stderr, c.code, c.stdout)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`wait %s` running while etcd is stopped %s and restarted (its data kept)", c.name, secs(up.Sub(stopped))),
			Expected: fmt.Sprintf("the Job's verdict once etcd is back: exit %d, nothing on stderr", c.code),
			Observed: fmt.Sprintf("exit %d %s after etcd was back: %s", r.Code, secs(c.p.exitedAt.Sub(up)), strings.TrimSpace(r.Stdout)),
		})
	}
}

// faultAPIServerHung freezes the API server (SIGSTOP: its port still
// accepts connections, nothing answers). --request-timeout bounds a single
// command and --timeout bounds wait: both end on time with one clear error.
func faultAPIServerHung(t *testing.T, doc *DocSection) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	NewJob(ns, "slow").Sim(SimOutcome, "run").Create(t)
	waitStarted(t, ns, "slow")
	running := startKubectlJob(t, "wait", "slow", "-n", ns, "--timeout=8s")
	settle(t, 2*time.Second, running)

	resumed := false
	t.Cleanup(func() {
		if !resumed {
			clusterCtl(t, dir, "resume", "kube-apiserver")
		}
	})
	clusterCtl(t, dir, "pause", "kube-apiserver")
	paused := time.Now()
	type result struct {
		r    Result
		took time.Duration
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i, args := range [][]string{
		{"explain", "slow", "-n", ns, "--request-timeout=3s"},
		{"wait", "slow", "-n", ns, "--timeout=5s"},
	} {
		wg.Go(func() {
			start := time.Now()
			r := KubectlJob(t, args...)
			results[i] = result{r, time.Since(start)}
		})
	}
	wg.Wait()
	r := running.wait(t, 30*time.Second)
	clusterCtl(t, dir, "resume", "kube-apiserver")
	resumed = true

	explainR, waitR := results[0], results[1]
	if explainR.r.Code != 1 || explainR.took > 15*time.Second || explainR.r.Stdout != "" || strings.Count(strings.TrimSpace(explainR.r.Stderr), "\n") > 0 {
		t.Errorf("explain --request-timeout=3s against a hung server: exit %d after %s, stdout %q, stderr %q; want exit 1 after about 3 s, one line", explainR.r.Code, explainR.took, explainR.r.Stdout, explainR.r.Stderr)
	}
	doc.Add(DocRow{
		Case:     "`explain slow --request-timeout=3s` while the API server is hung (SIGSTOP)",
		Expected: "exit 1 after about 3 s, one error line, nothing on stdout",
		Observed: fmt.Sprintf("exit %d after %s: %s", explainR.r.Code, secs(explainR.took), firstLineOf(explainR.r.Stderr)),
	})
	if waitR.r.Code != 3 || waitR.took > 20*time.Second || !strings.Contains(waitR.r.Stderr, "timed out after 5s") {
		t.Errorf("wait --timeout=5s against a hung server: exit %d after %s, stderr %q; want exit 3 after about 5 s", waitR.r.Code, waitR.took, waitR.r.Stderr)
	}
	doc.Add(DocRow{
		Case:     "`wait slow --timeout=5s` started while the API server is hung",
		Expected: "exit 3 after about 5 s, saying the Job could not be read",
		Observed: fmt.Sprintf("exit %d after %s: %s", waitR.r.Code, secs(waitR.took), strings.Join(strings.Split(strings.TrimSpace(waitR.r.Stderr), "\n"), " / ")),
	})
	took := running.exitedAt.Sub(paused)
	if r.Code != 3 || !strings.Contains(r.Stderr, "timed out after 8s") {
		t.Errorf("wait --timeout=8s running when the server hangs: exit %d after %s, stderr %q; want 3", r.Code, took, r.Stderr)
	}
	doc.Add(DocRow{
		Case:     "`wait slow --timeout=8s` running when the API server hangs",
		Expected: "exit 3 when the timeout passes",
		Observed: fmt.Sprintf("exit %d %s after the hang began: %s", r.Code, secs(took), strings.Join(strings.Split(strings.TrimSpace(r.Stderr), "\n"), " / ")),
	})
}
