package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// completionKubeconfig has two contexts whose default namespaces differ, so a
// test can tell whether completion followed --context. It points at no real
// server: the fake clientset answers.
const completionKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: me
  user: {token: x}
contexts:
- name: ctx-a
  context: {cluster: local, user: me, namespace: team-a}
- name: ctx-b
  context: {cluster: local, user: me, namespace: team-b}
current-context: ctx-a
`

func completionObjects() []runtime.Object {
	job := func(ns, name string, containers ...string) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		for _, c := range containers {
			j.Spec.Template.Spec.Containers = append(j.Spec.Template.Spec.Containers, corev1.Container{Name: c})
		}
		return j
	}
	return []runtime.Object{
		job("team-a", "ingest-1", "main", "sidecar"),
		job("team-a", "ingest-2", "main"),
		job("team-a", "report", "main"),
		job("team-b", "train", "main"),
		&batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "nightly"}},
		&batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "weekly"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-b"}},
	}
}

// runComplete runs "kubectl job __complete ARGS..." (what a shell runs on
// <TAB>) against client and returns the completions and the directive line.
func runComplete(t *testing.T, client kubernetes.Interface, args ...string) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(completionKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := newClient
	t.Cleanup(func() { newClient = saved })
	newClient = func(*genericclioptions.ConfigFlags, ...func(*rest.Config)) (kube.Client, error) {
		return client, nil
	}

	streams, _, out, _ := genericiooptions.NewTestIOStreams()
	root := NewCmdJob(streams)
	// --kubeconfig goes right after the subcommand, so the word being
	// completed (and a flag expecting a value) stays last, as a shell passes it.
	line := []string{"__complete", "--kubeconfig=" + kubeconfig}
	if len(args) > 1 {
		line = []string{"__complete", args[0], "--kubeconfig=" + kubeconfig}
		args = args[1:]
	}
	line = append(line, args...)
	root.SetArgs(line)
	if code := Execute(root, streams); code != 0 {
		t.Fatalf("__complete %v exited %d", args, code)
	}
	return out.String()
}

// These tests swap newClient, so they do not run in parallel.
func TestCompletion(t *testing.T) {
	const noFiles = ":4\n" // ShellCompDirectiveNoFileComp
	const noSpace = ":6\n" // ... | ShellCompDirectiveNoSpace
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"subcommands", []string{""}, ""}, // checked separately below
		{"job names in the context's namespace", []string{"explain", ""}, "ingest-1\ningest-2\nreport\n" + noFiles},
		{"prefix", []string{"explain", "ing"}, "ingest-1\ningest-2\n" + noFiles},
		{"-n wins over the context", []string{"explain", "-n", "team-b", ""}, "train\n" + noFiles},
		{"--context selects the namespace", []string{"describe", "--context", "ctx-b", ""}, "train\n" + noFiles},
		{"single-name command stops after one", []string{"logs", "report", ""}, noFiles},
		{"names already given are skipped", []string{"delete", "ingest-1", ""}, "ingest-2\nreport\n" + noFiles},
		{"wait takes many", []string{"wait", "report", "ingest-2", ""}, "ingest-1\n" + noFiles},
		{"suspend offers cronjob/", []string{"suspend", ""}, "ingest-1\ningest-2\nreport\ncronjob/\n" + noSpace},
		{"suspend cronjob/", []string{"resume", "cronjob/"}, "cronjob/nightly\n" + noFiles},
		{"--from offers cronjob/", []string{"create", "x", "--from", ""}, "cronjob/\n" + noSpace},
		{"--from=cronjob/ lists CronJobs", []string{"create", "x", "--from", "cronjob/n"}, "cronjob/nightly\n" + noFiles},
		{"--cronjob", []string{"list", "--cronjob", ""}, "nightly\n" + noFiles},
		{"--for", []string{"wait", "x", "--for", ""}, "complete\nfailed\nfinished\nsuspended\n" + noFiles},
		{"--for prefix", []string{"wait", "x", "--for", "f"}, "failed\nfinished\n" + noFiles},
		{"delete --cascade", []string{"delete", "x", "--cascade", ""}, "background\nforeground\norphan\n" + noFiles},
		{"prune --cascade has no orphan", []string{"prune", "--cascade", ""}, "background\nforeground\n" + noFiles},
		{"delete -o", []string{"delete", "x", "-o", ""}, "name\n" + noFiles},
		{"explain -o", []string{"explain", "x", "-o", "j"}, "json\njsonpath-file=\njsonpath=\n" + noFiles},
		{"explain -o jsonpath", []string{"explain", "x", "-o", "jsonp"}, "jsonpath-file=\njsonpath=\n" + noSpace},
		{"list --status continues a list", []string{"list", "--status", "Complete,fail"}, "Complete,Failed\nComplete,Failing\n" + noFiles},
		{"list --sort-by", []string{"list", "--sort-by", "d"}, "duration\n" + noFiles},
		{"list -o custom-columns", []string{"list", "-o", "cust"}, "custom-columns-file=\ncustom-columns=\n" + noSpace},
		{"explain has no custom-columns", []string{"explain", "x", "-o", "cust"}, noFiles},
		{"logs -c lists the Job's containers", []string{"logs", "ingest-1", "-c", ""}, "main\nsidecar\n" + noFiles},
		{"-n lists namespaces", []string{"list", "-n", "team"}, "team-a\nteam-b\n" + noFiles},
		{"--context reads the kubeconfig", []string{"list", "--context", ""}, "ctx-a\nctx-b\n" + noFiles},
		{"create NAME is new", []string{"create", ""}, noFiles},
		{"prune takes no names", []string{"prune", ""}, noFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runComplete(t, fake.NewClientset(completionObjects()...), tt.args...)
			if tt.name == "subcommands" {
				for _, want := range []string{"completion\t", "explain\t", "list\t", "wait\t"} {
					if !strings.Contains(got, want) {
						t.Errorf("subcommands missing %q:\n%s", want, got)
					}
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("__complete %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// TestCompletionRequests proves a <TAB> costs one list request.
func TestCompletionRequests(t *testing.T) {
	client := fake.NewClientset(completionObjects()...)
	runComplete(t, client, "explain", "")
	var got []string
	for _, a := range client.Actions() {
		got = append(got, a.GetVerb()+" "+a.GetResource().Resource+" "+a.GetNamespace())
	}
	if diff := cmp.Diff([]string{"list jobs team-a"}, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestEveryCommandCompletes fails when a new subcommand is added without
// saying what its arguments complete to (registerCompletions' tables), which
// would leave the shell offering file names.
func TestEveryCommandCompletes(t *testing.T) {
	root := NewCmdJob(genericiooptions.NewTestIOStreamsDiscard())
	for _, c := range root.Commands() {
		if c.HasSubCommands() || c.Name() == "help" {
			continue
		}
		if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			t.Errorf("%q has no argument completion: add it to a table in completion.go", c.Name())
		}
	}
}

// TestCompletionHelpSaysKubectlJob checks the completion command's help is
// written for the plugin: "kubectl job completion", and how kubectl's own
// completion reaches the plugin.
func TestCompletionHelpSaysKubectlJob(t *testing.T) {
	root := NewCmdJob(genericiooptions.NewTestIOStreamsDiscard())
	var completion *cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			completion = c
		}
	}
	if completion == nil {
		t.Fatal("no completion command")
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		c, _, err := completion.Find([]string{shell})
		if err != nil || c.Name() != shell {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if strings.Contains(c.Long, "kubectl-job completion") {
			t.Errorf("completion %s help says kubectl-job completion:\n%s", shell, c.Long)
		}
		for _, want := range []string{"kubectl_complete-job", "kubectl job completion " + shell} {
			if !strings.Contains(c.Long+c.Example, want) {
				t.Errorf("completion %s help lacks %q", shell, want)
			}
		}
		if got := c.CommandPath(); got != "kubectl job completion "+shell {
			t.Errorf("command path %q", got)
		}
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text, word string
		want       bool
	}{
		{"One of: (json, yaml, name, jsonpath-as-json)", "json", true},
		{"One of: (yaml, jsonpath-as-json)", "json", false},
		{"One of: (jsonpath, go-template)", "template", false},
		{"jsonpath=..., go-template=...", "jsonpath", true},
		{`"name" prints job.batch/NAME`, "name", true},
		{"prints job.batch/NAME", "name", false},
	}
	for _, tt := range tests {
		if got := mentions(tt.text, tt.word); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.want)
		}
	}
}
