//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
)

// TestLogsSelector: logs -l follows two Jobs at once, lines prefixed with
// the Job, each ending with its own verdict; more streams than
// --max-log-requests are refused before anything is read, as kubectl logs -f
// -l does; once done, logs -l prints the Jobs one after the other.
func TestLogsSelector(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	label := func(j *batchv1.Job) { j.Labels = map[string]string{"app": "sel"} }
	NewJob(ns, "sel-a").With(label).Sim(SimDuration, "4s").Sim(SimLogs, "a from $(POD_NAME)").Create(t)
	NewJob(ns, "sel-b").With(label).Indexed().Completions(2, 2).Sim(SimDuration, "4s").
		Sim(SimLogs, "b index $(JOB_COMPLETION_INDEX)").Create(t)
	NewJob(ns, "other").Sim(SimLogs, "not selected").Create(t)

	// sel-a needs 1 stream, sel-b 2 (parallelism 2): 3 > 2.
	res := KubectlJob(t, "logs", "-l", "app=sel", "-n", ns, "-f", "--max-log-requests", "2")
	wantErr := "error: you are attempting to follow 3 log streams of 2 jobs, but maximum allowed concurrency is 2, use --max-log-requests to increase the limit, or narrow the selector\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != wantErr {
		t.Errorf("logs -f --max-log-requests 2: exit %d, stdout %q, stderr %q; want exit 1 and %q", res.Code, res.Stdout, res.Stderr, wantErr)
	}

	res = KubectlJob(t, "logs", "-l", "app=sel", "-n", ns, "-f", "--max-log-requests", "3", "--timeout", "90s")
	a := WaitForCondition(t, ns, "sel-a", batchv1.JobComplete, 10*time.Second)
	WaitForCondition(t, ns, "sel-b", batchv1.JobComplete, 10*time.Second)
	podA := Pods(t, a)[0].Name
	want := []string{fmt.Sprintf("[sel-a/%s] a from %s", podA, podA), "[sel-b 0/1] b index 0", "[sel-b 1/1] b index 1"}
	got := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if res.Code != 0 || len(got) != len(want) {
		t.Errorf("logs -l -f: exit %d, stdout:\n%s\nwant these lines in any order: %q", res.Code, res.Stdout, want)
	}
	for _, line := range want {
		if !strings.Contains(res.Stdout, line+"\n") {
			t.Errorf("logs -l -f: stdout lacks %q:\n%s", line, res.Stdout)
		}
	}
	for _, line := range []string{"job/sel-a Complete: CompletionsReached", "job/sel-b Complete: CompletionsReached"} {
		if !strings.Contains(res.Stderr, line) {
			t.Errorf("logs -l -f: stderr lacks the verdict %q:\n%s", line, res.Stderr)
		}
	}

	res = KubectlJob(t, "logs", "-l", "app=sel", "-n", ns)
	if wantAll := strings.Join(want, "\n") + "\n"; res.Code != 0 || res.Stdout != wantAll {
		t.Errorf("logs -l: exit %d, stdout:\n%s\nwant (Job, then attempt order):\n%s", res.Code, res.Stdout, wantAll)
	}
	res = KubectlJob(t, "logs", "-l", "app=sel", "-n", ns, "--prefix=false", "--index", "1")
	if wantIdx := "error: --index needs an Indexed Job, and job sel-a is NonIndexed"; res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, wantIdx) {
		t.Errorf("logs -l --index on a NonIndexed Job: exit %d, stdout %q, stderr %q; want exit 1, nothing printed, %q", res.Code, res.Stdout, res.Stderr, wantIdx)
	}

	res = KubectlJob(t, "logs", "-l", "app=none", "-n", ns)
	if wantNone := fmt.Sprintf("No resources found in %s namespace.\n", ns); res.Code != 0 || res.Stdout != "" || res.Stderr != wantNone {
		t.Errorf("logs -l app=none: exit %d, stdout %q, stderr %q; want exit 0 and %q", res.Code, res.Stdout, res.Stderr, wantNone)
	}
	res = KubectlJob(t, "logs", "-l", "app in", "-n", ns)
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, `error: -l "app in" is not a label selector`) {
		t.Errorf("logs -l 'app in': exit %d, stderr %q; want exit 1 and a selector error", res.Code, res.Stderr)
	}
}
