//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// badCase is one bad command line: it must exit with code, print exactly one
// kubectl-style line on stderr matching want, print nothing on stdout and
// change nothing in the cluster.
type badCase struct {
	args  []string
	stdin string
	code  int
	want  string // regexp the one stderr line must match
	gist  string // what the user is promised, for docs/reliability.md
}

// errorLine is the form of every error line: kubectl's "error: ...",
// "Error from server (Reason): ..." or its connection-refused sentence.
var errorLine = regexp.MustCompile(`^(error: |Error from server \([A-Za-z]+\): |The connection to the server )`)

// TestBadInput runs bad command lines of every subcommand against the real
// cluster and checks the error contract (README "Exit codes"): the exit code,
// one error line naming the problem, empty stdout, and an unchanged cluster.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	doc := NewDocSection(t, "bad-input")
	dir := t.TempDir()
	const noNS = "kj-no-such-namespace"

	// A finished Job and a two-container CronJob for the cases to aim at.
	NewJob(ns, "done").Create(t)
	done := WaitForCondition(t, ns, "done", batchv1.JobComplete, 2*time.Minute)
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "two", Namespace: ns},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: ptr.To(true), JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{
				{Name: "app", Image: "busybox"}, {Name: "sidecar", Image: "busybox"}}}}}}},
	}
	if _, err := client.BatchV1().CronJobs(ns).Create(context.Background(), cj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the CronJob: %v", err)
	}
	// The controller is done with the Job once its pods lost the tracking finalizer.
	WaitFor(t, time.Minute, "the Job's pods to be untracked", func() (bool, error) {
		for _, p := range Pods(t, done) {
			if len(p.Finalizers) > 0 {
				return false, nil
			}
		}
		return true, nil
	})

	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	job := func(name, extra string) string {
		return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: %s%s
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
`, name, extra)
	}
	malformedYAML := file("malformed.yaml", "kind: [\n")
	malformedJSON := file("malformed.json", `{"apiVersion": "batch/v1", "kind": "Job",`)
	configMap := file("configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
	wrongType := file("wrongtype.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: wt}\nspec: {completions: many}\n")
	jobThenCM := file("job-then-configmap.yaml", job("half-a", "")+"---\n"+"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n")
	jobThenAlways := file("job-then-always.yaml", job("half-b", "")+"---\n"+strings.Replace(job("half-c", ""), "Never", "Always", 1))
	otherNS := file("other-namespace.yaml", job("elsewhere", "\n  namespace: kube-system"))
	fileJob := file("job.yaml", job("from-file", ""))
	pfp := file("pfp.yaml", "rules:\n- action: FailJob\n  onExitCodes: {operator: In, values: [42]}\n")
	badPFP := file("pfp-bad.yaml", "rules:\n- action: FailJob\n  onExitCodes: 42\n")
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
	tokenKC, foreignKC := badCredentials(t, dir)

	c := func(gist, want string, args ...string) badCase {
		return badCase{args: args, code: 1, want: want, gist: gist}
	}
	in := func(args ...string) []string { return append(args, "-n", ns) }
	cases := []badCase{
		// The command line itself.
		c("unknown subcommand, with the closest one", `^error: unknown command "lgs" for "kubectl job" \(did you mean "list" or "logs"\?\); see 'kubectl job --help'$`, "lgs"),
		c("unknown subcommand", `^error: unknown command "frobnicate" for "kubectl job"; see 'kubectl job --help'$`, "frobnicate"),
		c("unknown global flag", `^error: unknown flag: --bogus; see 'kubectl job --help'$`, "--bogus"),
		c("flag without its value", `^error: flag needs an argument: 'n' in -n; see 'kubectl job list --help'$`, "list", "-n"),

		// create: arguments and knobs, all refused before any request.
		c("unknown flag names the command's help", `^error: unknown flag: --imagee; see 'kubectl job create --help'$`, in("create", "x", "--imagee=busybox")...),
		c("no name: the usage", `^error: a Job needs a name; kubectl job create NAME --image=IMAGE`, in("create", "--image=busybox")...),
		c("no image: the three sources", `^error: --image is required: .*--from=cronjob/NAME or -f FILE`, in("create", "x")...),
		c("invalid name", `^error: invalid Job name "Bad_Name": a lowercase RFC 1123 subdomain`, in("create", "Bad_Name", "--image=busybox")...),
		c("name over 63 characters", `^error: invalid Job name "a{70}": must be no more than 63 characters`, in("create", strings.Repeat("a", 70), "--image=busybox")...),
		c("command without --", `^error: unexpected arguments \["echo" "hi"\]: give one NAME, and put the command after --: kubectl job create NAME --image=IMAGE -- echo hi$`, in("create", "x", "--image=busybox", "echo", "hi")...),
		c("restartPolicy Always", `^error: --restart is Always: a Job's pods must end: use --restart=Never or --restart=OnFailure$`, in("create", "x", "--image=busybox", "--restart=Always")...),
		c("negative number", `^error: --backoff-limit must not be negative, got -1$`, in("create", "x", "--image=busybox", "--backoff-limit=-1")...),
		c("negative parallelism", `^error: --parallelism must not be negative, got -2$`, in("create", "x", "--image=busybox", "--parallelism=-2")...),
		c("non-numeric number", `^error: invalid value "abc" for --completions: want a whole number; see 'kubectl job create --help'$`, in("create", "x", "--image=busybox", "--completions=abc")...),
		c("per-index limit without Indexed", `^error: backoffLimitPerIndex \(--backoff-limit-per-index\) needs completionMode Indexed.*add --completion-mode=Indexed --completions=N$`, in("create", "x", "--image=busybox", "--backoff-limit-per-index=1")...),
		c("maxFailedIndexes > completions", `^error: maxFailedIndexes \(--max-failed-indexes\) 5 is more than completions 2`, in("create", "x", "--image=busybox", "--completion-mode=Indexed", "--completions=2", "--backoff-limit-per-index=1", "--max-failed-indexes=5")...),
		c("maxFailedIndexes without per-index limit", `^error: maxFailedIndexes \(--max-failed-indexes\) needs backoffLimitPerIndex.*add --backoff-limit-per-index=N$`, in("create", "x", "--image=busybox", "--completion-mode=Indexed", "--completions=3", "--max-failed-indexes=1")...),
		c("Indexed without completions", `^error: an Indexed Job needs completions.*add --completions=N$`, in("create", "x", "--image=busybox", "--completion-mode=Indexed")...),
		c("unknown completion mode", `^error: --completion-mode must be NonIndexed or Indexed, got "Sideways"$`, in("create", "x", "--image=busybox", "--completion-mode=Sideways")...),
		c("podFailurePolicy with OnFailure", `^error: .*pod ?[Ff]ailure ?[Pp]olicy.*--restart=Never`, in("create", "x", "--image=busybox", "--restart=OnFailure", "--pod-failure-policy="+pfp)...),
		c("malformed podFailurePolicy names the field", `^error: --pod-failure-policy .*pfp-bad.yaml: not a pod failure policy .*field rules.onExitCodes: got a number, want a PodFailurePolicyOnExitCodesRequirement$`, in("create", "x", "--image=busybox", "--pod-failure-policy="+badPFP)...),
		c("annotation with a bare line break is refused, not cut", `^error: invalid value ".*" for --annotations: .*a line break is only kept inside a double-quoted pair`, in("create", "x", "--image=busybox", "--annotations=k1=v1,note=line1\nline2")...),
		c("toleration with an unknown effect", `^error: --toleration "gpu=true:NoRun": effect "NoRun" is not NoSchedule, PreferNoSchedule or NoExecute$`, in("create", "x", "--image=busybox", "--toleration=gpu=true:NoRun")...),
		c("bad duration", `^error: invalid value "abc" for --ttl: want a duration such as 30s, 5m or 1h30m; see 'kubectl job create --help'$`, in("create", "x", "--image=busybox", "--ttl=abc")...),
		c("negative duration", `^error: --active-deadline must be at least 1s, got -5s`, in("create", "x", "--image=busybox", "--active-deadline=-5s")...),
		c("negative --timeout", `^error: --timeout must not be negative, got -1s$`, in("create", "x", "--image=busybox", "--wait", "--timeout=-1s")...),
		c("--env without =", `^error: --env "NOEQUALS": expected NAME=VALUE$`, in("create", "x", "--image=busybox", "--env=NOEQUALS")...),
		c("--labels without =", `^error: invalid value "abc" for --labels: want KEY=VALUE pairs separated by commas, got "abc"; see 'kubectl job create --help'$`, in("create", "x", "--image=busybox", "--labels=abc")...),
		c("bad quantity", `^error: --limits: invalid quantity "lots" for cpu: use a Kubernetes quantity such as 500m, 2 or 1Gi$`, in("create", "x", "--image=busybox", "--limits=cpu=lots")...),
		c("requests over limits", `^error: --requests cpu=2 exceeds --limits cpu=1: a container may not request more than its limit$`, in("create", "x", "--image=busybox", "--requests=cpu=2", "--limits=cpu=1")...),
		c("unknown --dry-run", `^error: --dry-run must be "none", "client" or "server", got "maybe"$`, in("create", "x", "--image=busybox", "--dry-run=maybe")...),
		c("--wait with --dry-run", `^error: --wait and --follow cannot be used with --dry-run: nothing is created to wait for$`, in("create", "x", "--image=busybox", "--dry-run=client", "--wait")...),
		c("-o unknown format, with the valid ones", `^error: unable to match a printer suitable for the output format "unknownformat", allowed formats are: .*json.*yaml`, in("create", "x", "--image=busybox", "-o", "unknownformat")...),

		// create -f: nothing is created unless every document is a valid Job.
		c("malformed YAML", `^error: .*malformed.yaml: document 1 is not valid YAML or JSON: `, in("create", "-f", malformedYAML)...),
		c("malformed JSON", `^error: .*malformed.json: document 1 is not valid YAML or JSON: unexpected EOF$`, in("create", "-f", malformedJSON)...),
		c("field of the wrong type", `^error: .*wrongtype.yaml: document 1 \(job "wt"\): field spec.completions: got a string, want a number$`, in("create", "-f", wrongType)...),
		c("non-Job kind, with what to use instead", `^error: .*configmap.yaml: document 1 is a ConfigMap \(v1\): kubectl job create -f takes only Jobs .*; use kubectl apply -f for other kinds$`, in("create", "-f", configMap)...),
		{args: in("create", "-f", "-"), stdin: deployment, code: 1, gist: "non-Job kind on stdin",
			want: `^error: stdin: document 1 is a Deployment \(apps/v1\): kubectl job create -f takes only Jobs`},
		c("valid Job then a ConfigMap: neither is created", `^error: .*job-then-configmap.yaml: document 2 is a ConfigMap`, in("create", "-f", jobThenCM)...),
		c("valid Job then restartPolicy Always: neither is created", `^error: job half-c in .*job-then-always.yaml: .*Always`, in("create", "-f", jobThenAlways)...),
		c("missing file", `^error: cannot read -f .*missing.yaml: open .*missing.yaml: no such file or directory$`, in("create", "-f", filepath.Join(dir, "missing.yaml"))...),
		c("file's namespace contradicts -n", `^error: job elsewhere is in namespace "kube-system" but -n says "NS": remove one of them$`, in("create", "-f", otherNS)...),
		c("conflicting flags: NAME and -f", `^error: NAME and a command cannot be used with -f: the Jobs come from the file$`, in("create", "x", "--image=busybox", "-f", fileJob)...),
		c("conflicting flags: --from and -f", `^error: --from and -f cannot be used together: create from a CronJob or from a file$`, in("create", "--from=cronjob/two", "-f", fileJob)...),
		c("conflicting flags: knobs and -f", `^error: --backoff-limit cannot be used with -f: set it in the file$`, in("create", "-f", fileJob, "--backoff-limit=2")...),

		// create --from.
		c("missing CronJob (NotFound form), with how to list them", `^Error from server \(NotFound\): cronjobs.batch "missing" not found; list CronJobs with kubectl get cronjobs -n NS$`, in("create", "x", "--from=cronjob/missing")...),
		c("--from of another kind", `^error: --from=deployment/web: only CronJobs can be used, as --from=cronjob/NAME$`, in("create", "x", "--from=deployment/web")...),
		c("--image with --from and two containers: which one", `^error: cronjob/two: the pod template has 2 containers \(app, sidecar\): use --image=CONTAINER=IMAGE to say which one$`, in("create", "x", "--from=cronjob/two", "--image=busybox:1.36")...),

		// The cluster: namespace, server, context, credentials.
		c("namespace that does not exist", `^Error from server \(NotFound\): namespaces "`+noNS+`" not found$`, "create", "x", "--image=busybox", "-n", noNS),
		c("unreachable server", `^The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port\?$`, in("create", "x", "--image=busybox", "--server", "https://127.0.0.1:1")...),
		c("unknown context, with how to list them", `^error: context "nope" does not exist in the kubeconfig; list contexts with: kubectl config get-contexts$`, in("create", "x", "--image=busybox", "--context", "nope")...),
		c("missing kubeconfig file", `^error: --kubeconfig missing-kubeconfig: no such file or directory; give the path of a kubeconfig file, or leave --kubeconfig out to use \$KUBECONFIG or ~/.kube/config$`, in("list", "--kubeconfig", filepath.Join(dir, "missing-kubeconfig"))...),
		c("invalid token", `^error: You must be logged in to the server \(Unauthorized\)$`, in("create", "x", "--image=busybox", "--kubeconfig", tokenKC)...),
		c("client certificate of another CA", `^error: You must be logged in to the server \(Unauthorized\)$`, in("create", "x", "--image=busybox", "--kubeconfig", foreignKC)...),
		c("client certificate of another CA (delete)", `^error: You must be logged in to the server \(Unauthorized\)$`, in("delete", "done", "--kubeconfig", foreignKC)...),
		c("bad --request-timeout", `^error: Invalid timeout value`, in("list", "--request-timeout=abc")...),

		// explain.
		c("no name: how to find one", `^error: a Job name is required; run kubectl job explain NAME, or list Jobs with: kubectl job list -n NS$`, in("explain")...),
		c("two names", `^error: kubectl job explain takes one Job name, got 2: a b; see 'kubectl job explain --help'$`, in("explain", "a", "b")...),
		c("Job that does not exist (kubectl's NotFound form)", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS$`, in("explain", "missing")...),
		c("Job in a namespace that does not exist", `^Error from server \(NotFound\): jobs.batch "done" not found; list Jobs with: kubectl job list -n `+noNS+`$`, "explain", "done", "-n", noNS),
		c("name with a slash", `^error: "a/b" is not a Job: give NAME or job/NAME$`, in("explain", "a/b")...),
		c("-o unknown format, with the valid ones", `^error: unable to match a printer .*"unknownformat".*; use -o json, yaml, wide, name or jsonpath=\.\.\.$`, in("explain", "done", "-o", "unknownformat")...),
		c("unknown context", `^error: context "nope" does not exist in the kubeconfig; list contexts with: kubectl config get-contexts$`, in("explain", "done", "--context", "nope")...),
		c("bad --now", `^error: invalid --now "yesterday": not an RFC 3339 time; give a time like 2026-03-01T12:00:00Z$`, in("explain", "done", "--now=yesterday")...),
		c("a name and -l", `^error: give a Job name or select Jobs with -l / --all, not both; kubectl job explain NAME, or kubectl job explain -l SELECTOR$`, in("explain", "done", "-l", "app=x")...),
		c("-A without -l or --all", `^error: -A needs -l SELECTOR or --all: a Job named alone is explained in one namespace; kubectl job explain --all -A$`, in("explain", "done", "-A")...),
		c("malformed -f", `^error: cannot decode .*wrongtype.yaml: document 1: field spec.completions: got a string, want a number; save the objects with: `, in("explain", "-f", wrongType)...),

		// describe.
		c("a name and -l", `^error: names cannot be given with a selector; use either NAME... or -l$`, in("describe", "done", "-l", "app=x")...),
		c("Job that does not exist", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS$`, in("describe", "missing")...),
		c("-o is not a describe flag", `^error: unknown shorthand flag: 'o' in -o; see 'kubectl job describe --help'$`, in("describe", "done", "-o", "json")...),

		// list.
		c("unknown --status, with the valid ones", `^error: invalid --status "Bogus": valid values are Complete, Failed, .*NotStarted$`, in("list", "--status=Bogus")...),
		c("unknown --sort-by", `^error: invalid --sort-by "nope": valid values are age, name, duration, status$`, in("list", "--sort-by=nope")...),
		c("bad selector", `^Error from server \(BadRequest\): unable to parse requirement: `, in("list", "-l", "a=(b")...),
		c("Job that does not exist: only the NotFound line", `^Error from server \(NotFound\): jobs.batch "missing" not found$`, in("list", "missing")...),
		c("missing CronJob", `^Error from server \(NotFound\): cronjobs.batch "missing" not found; list CronJobs with: kubectl get cronjobs -n NS$`, in("list", "--cronjob", "missing")...),
		c("-o unknown format", `^error: unable to match a printer suitable for the output format "unknownformat", allowed formats are: .*json.*,wide,yaml$`, in("list", "-o", "unknownformat")...),
		c("non-boolean --watch", `^error: invalid value "maybe" for --watch: want true or false; see 'kubectl job list --help'$`, in("list", "--watch=maybe")...),
		c("malformed custom-columns", `^error: invalid -o custom-columns: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>; give HEADER:JSONPATH pairs, e\.g\. -o custom-columns=NAME:\.metadata\.name,TEAM:\.metadata\.labels\.team$`, in("list", "-o", "custom-columns=NAME")...),
		c("-L with an object format", `^error: --label-columns and --show-labels add columns to the table, not to -o yaml; show a label with -o custom-columns=`, in("list", "-L", "team", "-o", "yaml")...),
		c("empty -L key", `^error: invalid --label-columns: a label key cannot be empty; e\.g\. -L team,app$`, in("list", "-L", ",team")...),

		// logs.
		c("no name", `^error: give exactly one Job name, got 0 arguments; for example: kubectl job logs NAME$`, in("logs")...),
		c("two names", `^error: give exactly one Job name, got 2 arguments; for example: kubectl job logs NAME$`, in("logs", "a", "b")...),
		c("Job that does not exist, and why it may be gone", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS; a Job deleted by its TTL takes its pods and their logs with it$`, in("logs", "missing")...),
		c("negative --tail", `^error: --tail must be -1 \(all\) or more, got -5$`, in("logs", "done", "--tail=-5")...),
		c("bad --since", `^error: invalid value "abc" for --since: want a duration such as 30s, 5m or 1h30m; see 'kubectl job logs --help'$`, in("logs", "done", "--since=abc")...),
		c("bad --index", `^error: --index "1-x" is not a list of indexes; give indexes like 2, 1,3 or 0-4$`, in("logs", "done", "--index=1-x")...),

		// wait.
		c("no name", `^error: name one or more Jobs, or select them with -l SELECTOR or --all; for example: kubectl job wait NAME$`, in("wait")...),
		c("a name and --all", `^error: give Job names or --all, not both$`, in("wait", "done", "--all")...),
		c("--all and -l", `^error: cannot set --all and --selector at the same time$`, in("wait", "--all", "-l", "app=x")...),
		c("Job that does not exist", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS$`, in("wait", "missing", "--timeout=10s")...),
		c("unknown --for", `^error: --for must be one of complete, failed, finished or suspended, got "bogus"$`, in("wait", "done", "--for=bogus")...),
		c("bad --timeout", `^error: invalid value "abc" for --timeout: want a duration such as 30s, 5m or 1h30m; see 'kubectl job wait --help'$`, in("wait", "done", "--timeout=abc")...),
		c("negative --timeout", `^error: --timeout must not be negative, got -1s$`, in("wait", "done", "--timeout=-1s")...),

		// rerun.
		c("no name", `^error: rerun takes one Job name, got 0; kubectl job rerun NAME$`, in("rerun")...),
		c("two names", `^error: rerun takes one Job name, got 2; kubectl job rerun NAME$`, in("rerun", "a", "b")...),
		c("Job that does not exist", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS$`, in("rerun", "missing")...),
		c("invalid new name", `^error: invalid Job name "Bad_Name": `, in("rerun", "done", "--name=Bad_Name")...),

		// suspend / resume.
		c("no name", `^error: name the Jobs to suspend, or give -l SELECTOR; for example: kubectl job suspend NAME$`, in("suspend")...),
		c("Job that does not exist", `^Error from server \(NotFound\): jobs.batch "missing" not found`, in("suspend", "missing")...),
		c("CronJob that does not exist", `^Error from server \(NotFound\): cronjobs.batch "missing" not found`, in("suspend", "cronjob/missing")...),
		c("another kind", `^error: "deployment/web": only Jobs and CronJobs can be suspended: give NAME, job/NAME or cronjob/NAME$`, in("suspend", "deployment/web")...),
		c("no name", `^error: name the Jobs to resume, or give -l SELECTOR; for example: kubectl job resume NAME$`, in("resume")...),
		c("Job in a namespace that does not exist", `^Error from server \(NotFound\): jobs.batch "done" not found`, "resume", "done", "-n", noNS),

		// delete.
		c("no name", `^error: name the Jobs to delete, or select them with -l SELECTOR or --all; see 'kubectl job delete --help'$`, in("delete")...),
		c("Job that does not exist", `^Error from server \(NotFound\): jobs.batch "missing" not found; list Jobs with: kubectl job list -n NS$`, in("delete", "missing")...),
		c("unknown --cascade", `^error: invalid --cascade "bogus": must be "background", "foreground" or "orphan"$`, in("delete", "done", "--cascade=bogus")...),
		c("--all with a selector", `^error: cannot set --all and --selector at the same time$`, in("delete", "--all", "-l", "a=b")...),
		c("unknown --dry-run", `^error: --dry-run must be "none", "client" or "server", got "maybe"$`, in("delete", "done", "--dry-run=maybe")...),
		c("unreachable server", `^The connection to the server 127.0.0.1:1 was refused`, in("delete", "done", "--server", "https://127.0.0.1:1")...),

		// prune.
		c("an argument", `^error: kubectl job prune takes no arguments, got \["done"\]; see 'kubectl job prune --help'$`, in("prune", "done")...),
		c("bad --older-than", `^error: invalid --older-than "abc": want a duration such as 7d, 36h or 90m$`, in("prune", "--older-than=abc")...),
		c("negative --older-than", `^error: invalid --older-than "-1h": want a duration such as 7d, 36h or 90m$`, in("prune", "--older-than=-1h")...),
		c("negative --keep-last", `^error: invalid --keep-last -1: must be 0 or more$`, in("prune", "--keep-last=-1")...),
		c("-o other than name", `^error: unexpected -o output mode: json; only -o name is supported$`, in("prune", "-o", "json")...),

		// completion and version need no cluster.
		c("no shell", `^error: kubectl job completion needs a subcommand: one of bash, fish, powershell, zsh; see 'kubectl job completion --help'$`, "completion"),
		c("unknown shell", `^error: unknown command "tcsh" for "kubectl job completion" \(did you mean "bash", "fish" or "zsh"\?\); see 'kubectl job completion --help'$`, "completion", "tcsh"),
		c("argument after the shell", `^error: kubectl job completion bash takes no arguments, got \["extra"\]; see 'kubectl job completion bash --help'$`, "completion", "bash", "extra"),
		c("an argument", `^error: kubectl job version takes no arguments, got \["extra"\]; see 'kubectl job version --help'$`, "version", "extra"),
		c("unknown flag", `^error: unknown flag: --short; see 'kubectl job version --help'$`, "version", "--short"),
	}

	clean := func(s string) string {
		return strings.NewReplacer(dir+string(filepath.Separator), "", ns, "NS").Replace(s)
	}
	observed := make([]string, len(cases))
	t.Run("cases", func(t *testing.T) {
		for i, tc := range cases {
			name := strings.ReplaceAll(clean(strings.Join(tc.args, " ")), "/", "|")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				before := clusterState(t, ns, noNS)
				var res Result
				if tc.stdin != "" {
					res = KubectlJobStdin(t, tc.stdin, tc.args...)
				} else {
					res = KubectlJob(t, tc.args...)
				}
				line := strings.TrimSuffix(res.Stderr, "\n")
				observed[i] = fmt.Sprintf("exit %d: `%s`", res.Code, clean(line))
				if res.Code != tc.code {
					t.Errorf("exit %d, want %d", res.Code, tc.code)
				}
				if res.Stdout != "" {
					t.Errorf("stdout %q, want nothing", res.Stdout)
				}
				if strings.Contains(line, "\n") || !strings.HasSuffix(res.Stderr, "\n") {
					t.Errorf("stderr is not one line: %q", res.Stderr)
				}
				if !errorLine.MatchString(line) {
					t.Errorf("stderr %q is not a kubectl-style error line", line)
				}
				if !regexp.MustCompile(tc.want).MatchString(clean(line)) {
					t.Errorf("stderr %q does not match %q", clean(line), tc.want)
				}
				for _, bad := range []string{"panic", "goroutine", "Usage:", "Flags:", "%!", "<nil>"} {
					if strings.Contains(res.Stderr, bad) {
						t.Errorf("stderr contains %q", bad)
					}
				}
				after := clusterState(t, ns, noNS)
				if d := diffState(before, after); d != "" {
					t.Errorf("the cluster changed:\n%s", d)
				}
			})
		}
	})
	for i, tc := range cases {
		display := "kubectl job " + clean(strings.Join(quoteArgs(tc.args), " "))
		if tc.stdin != "" {
			display = "(stdin: " + strings.SplitN(tc.stdin, "\n", 3)[1] + ") " + display
		}
		doc.Add(DocRow{Case: "`" + display + "`", Expected: fmt.Sprintf("exit %d: %s", tc.code, tc.gist), Observed: observed[i]})
	}
	t.Logf("%d bad inputs tried", len(cases))
}

// quoteArgs quotes the arguments a shell would split or expand.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " ()*$;&|<>'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}

// clusterState is what a bad command must not change: the Jobs, Pods and
// CronJobs of the test namespace by name and resourceVersion, the Jobs of
// default (where a command that lost -n would create them), and whether the
// namespace that must not exist exists.
func clusterState(t *testing.T, ns, noNS string) map[string]string {
	t.Helper()
	ctx := context.Background()
	state := map[string]string{}
	jobs, err := client.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing jobs: %v", err)
	}
	for _, j := range jobs.Items {
		state["job/"+j.Name] = j.ResourceVersion
	}
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing pods: %v", err)
	}
	for _, p := range pods.Items {
		state["pod/"+p.Name] = p.ResourceVersion
	}
	cjs, err := client.BatchV1().CronJobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing cronjobs: %v", err)
	}
	for _, cj := range cjs.Items {
		state["cronjob/"+cj.Name] = cj.ResourceVersion
	}
	for _, other := range []string{"default", noNS} {
		jobs, err := client.BatchV1().Jobs(other).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("listing jobs in %s: %v", other, err)
		}
		for _, j := range jobs.Items {
			state["job/"+other+"/"+j.Name] = "exists"
		}
	}
	if _, err := client.CoreV1().Namespaces().Get(ctx, noNS, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		state["namespace/"+noNS] = fmt.Sprint("exists or unknown: ", err)
	}
	return state
}

func diffState(before, after map[string]string) string {
	var lines []string
	for k, v := range before {
		if w, ok := after[k]; !ok {
			lines = append(lines, "- "+k+" "+v)
		} else if w != v {
			lines = append(lines, fmt.Sprintf("~ %s %s -> %s", k, v, w))
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			lines = append(lines, "+ "+k+" "+v)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// badCredentials writes two kubeconfigs for the test cluster that must be
// refused: one with a bogus bearer token, one with a client certificate
// (claiming system:masters) signed by a CA the cluster has never seen.
func badCredentials(t *testing.T, dir string) (token, foreign string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatalf("reading the kubeconfig: %v", err)
	}
	cluster := cfg.Clusters[cfg.Contexts[cfg.CurrentContext].Cluster]
	write := func(name string, user string) string {
		p := filepath.Join(dir, name)
		content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: u
  user:
%s
contexts:
- name: c
  context: {cluster: c, user: u, namespace: default}
current-context: c
`, cluster.Server, cluster.CertificateAuthority, user)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if cluster.CertificateAuthority == "" {
		t.Fatalf("the test kubeconfig has no certificate-authority file")
	}

	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not-the-cluster-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "intruder", Organization: []string{"system:masters"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "intruder.crt"), filepath.Join(dir, "intruder.key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	token = write("token.kubeconfig", "    token: bogus")
	foreign = write("foreign-ca.kubeconfig", fmt.Sprintf("    client-certificate: %s\n    client-key: %s", certPath, keyPath))
	return token, foreign
}
