//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// completions returns the candidates of a cobra __complete answer, without
// the trailing ":DIRECTIVE" line.
func completions(t *testing.T, stdout string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Fatalf("no completion directive in %q", stdout)
	}
	var out []string
	for _, l := range lines[:len(lines)-1] {
		out = append(out, strings.SplitN(l, "\t", 2)[0])
	}
	return out
}

func wantCompletions(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s completed to %q, want %q", what, got, want)
	}
}

// TestCompletionJobNames asks the plugin what <TAB> offers, the way a shell
// does (cobra's __complete), against real Jobs and CronJobs.
func TestCompletionJobNames(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	other := Namespace(t)
	NewJob(ns, "alpha").Create(t)
	NewJob(ns, "beta").Create(t)
	NewJob(other, "gamma").Create(t)
	if r := Kubectl(t, "create", "cronjob", "nightly", "-n", ns, "--image=busybox", "--schedule=0 0 * * *"); r.Code != 0 {
		t.Fatalf("creating the CronJob: %s", r.Stderr)
	}

	r := KubectlJob(t, "__complete", "explain", "-n", ns, "")
	wantCompletions(t, "explain -n NS", completions(t, r.Stdout), "alpha", "beta")

	r = KubectlJob(t, "__complete", "describe", "-n", other, "")
	wantCompletions(t, "describe -n OTHER", completions(t, r.Stdout), "gamma")

	r = KubectlJob(t, "__complete", "delete", "-n", ns, "alpha", "")
	wantCompletions(t, "delete NAME", completions(t, r.Stdout), "beta")

	r = KubectlJob(t, "__complete", "create", "x", "-n", ns, "--from", "cronjob/")
	wantCompletions(t, "create --from=cronjob/", completions(t, r.Stdout), "cronjob/nightly")

	r = KubectlJob(t, "__complete", "wait", "alpha", "-n", ns, "--for", "")
	wantCompletions(t, "wait --for", completions(t, r.Stdout), "complete", "failed", "finished", "suspended")
}

// TestCompletionThroughKubectl proves "kubectl job <TAB>": kubectl (1.26+)
// finds the shipped kubectl_complete-job helper on PATH and relays its answer.
func TestCompletionThroughKubectl(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "delta").Create(t)

	dir := t.TempDir()
	helper, err := os.ReadFile(filepath.Join("..", "..", "cmd", "kubectl-job", "kubectl_complete-job"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kubectl_complete-job"), helper, 0o755); err != nil {
		t.Fatal(err)
	}
	complete := func(args ...string) []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "kubectl", append([]string{"__complete", "job"}, args...)...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("kubectl __complete job %v: %v\n%s", args, err, stderr.String())
		}
		return completions(t, stdout.String())
	}

	subcommands := complete("")
	for _, want := range []string{"explain", "list", "logs", "wait"} {
		if !strings.Contains(" "+strings.Join(subcommands, " ")+" ", " "+want+" ") {
			t.Errorf("kubectl job <TAB> lacks %q: %q", want, subcommands)
		}
	}
	wantCompletions(t, "kubectl job explain -n NS", complete("explain", "-n", ns, ""), "delta")
}
