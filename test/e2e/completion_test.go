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

// TestCompletionThroughKubectl proves "kubectl job <TAB>" from a dev build:
// make build puts the shipped kubectl_complete-job helper next to the binary
// in bin/ (on PATH here, as for a developer), and kubectl (1.26+) finds it
// and relays its answer.
func TestCompletionThroughKubectl(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "delta").Create(t)

	helper, err := exec.LookPath("kubectl_complete-job")
	if err != nil {
		t.Fatalf("make build did not put kubectl_complete-job on PATH next to kubectl-job: %v", err)
	}
	if want, _ := filepath.Abs(filepath.Join("..", "..", "bin", "kubectl_complete-job")); helper != want {
		t.Errorf("kubectl_complete-job found at %s, want the dev build's %s", helper, want)
	}
	complete := func(args ...string) []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "kubectl", append([]string{"__complete", "job"}, args...)...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
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

// TestVersion: the version is the VERSION file's, not a commit, and -o json
// says the same.
func TestVersion(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile(filepath.Join("..", "..", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(file))
	r := KubectlJob(t, "version")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "kubectl-job "+want+" (commit ") {
		t.Errorf("version: exit %d stdout %q, want kubectl-job %s (commit ...)", r.Code, r.Stdout, want)
	}
	r = KubectlJob(t, "version", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"version": "`+want+`"`) {
		t.Errorf("version -o json: exit %d stdout %q", r.Code, r.Stdout)
	}
}
