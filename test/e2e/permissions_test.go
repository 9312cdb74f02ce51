//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// permCase is one command run as an impersonated user with narrow rights.
type permCase struct {
	what string   // the case, for the docs
	user string   // the user's role (its key in the users map)
	args []string // after `kubectl job`; -n A unless the args name a namespace
	code int
	// stderr must contain each of these, and hold exactly forbidden lines
	// saying "forbidden" (one per forbidden resource, never one per object).
	stderr    []string
	forbidden int
	stdout    []string // stdout must contain each
	// stdoutLine, when set, must match a line of stdout (columns are as
	// wide as the widest namespace of the cluster).
	stdoutLine *regexp.Regexp
	expected   string // the promise, for the docs
}

// TestPermissions runs explain, describe, list, logs, wait and every
// mutating command as users bound to narrow Roles (RBAC on the real API
// server, --as impersonation), and checks that what could be read is shown,
// what was forbidden is named once, the exit code says partial (5) or error
// (1), and that mutating commands change nothing they were not allowed to.
func TestPermissions(t *testing.T) {
	t.Parallel()
	nsA, nsB := Namespace(t), Namespace(t)
	doc := NewDocSection(t, "permissions")

	// The Jobs: finished ones, a running one, a suspended one, and one in B.
	NewJob(nsA, "done").Sim(SimLogs, "hello from $(POD_NAME)").Create(t)
	NewJob(nsA, "broken").Fail(3, "100ms").BackoffLimit(1).Create(t)
	NewJob(nsA, "busy").Sim(SimOutcome, "run").Sim(SimLogs, "working").Create(t)
	NewJob(nsA, "paused").With(func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }).Create(t)
	NewJob(nsB, "other").Create(t)
	WaitForCondition(t, nsA, "done", batchv1.JobComplete, 60*time.Second)
	WaitForCondition(t, nsA, "broken", batchv1.JobFailed, 60*time.Second)
	WaitForCondition(t, nsB, "other", batchv1.JobComplete, 60*time.Second)
	WaitFor(t, 60*time.Second, "busy's pod to run and be counted ready", func() (bool, error) {
		j := jobNamed(t, nsA, "busy")
		return j.Status.StartTime != nil && ptr.Deref(j.Status.Ready, 0) == 1, nil
	})
	WaitFor(t, 30*time.Second, "paused to be marked suspended", func() (bool, error) {
		return HasCondition(jobNamed(t, nsA, "paused"), batchv1.JobSuspended), nil
	})

	read := []string{"get", "list", "watch"}
	rule := func(verbs []string, group string, resources ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: []string{group}, Resources: resources}
	}
	// Each role is a Role in A bound to a user of its own name (prefixed
	// with the namespace: users are cluster-wide).
	roles := map[string][]rbacv1.PolicyRule{
		"jobs-reader":   {rule(read, "batch", "jobs")},
		"jobs-pods":     {rule(read, "batch", "jobs"), rule(read, "", "pods")},
		"no-logs":       {rule(read, "batch", "jobs"), rule(read, "", "pods", "events")},
		"one-namespace": {rule(read, "batch", "jobs", "cronjobs"), rule(read, "", "pods", "pods/log", "events")},
		"deleter":       {rule([]string{"get", "delete"}, "batch", "jobs")},
		"replacer":      {rule([]string{"get", "create", "delete"}, "batch", "jobs")},
		"creator":       {rule([]string{"get", "create"}, "batch", "jobs")},
	}
	users := map[string]string{}
	for role, rules := range roles {
		users[role] = nsA + "-" + role
		bindRole(t, nsA, role, users[role], rules)
	}
	// cluster-jobs reads Jobs in every namespace (a ClusterRole), pods nowhere.
	users["cluster-jobs"] = nsA + "-cluster-jobs"
	bindClusterRole(t, nsA+"-cluster-jobs", users["cluster-jobs"], []rbacv1.PolicyRule{rule(read, "batch", "jobs")})
	waitForRBAC(t, nsA, users)

	pods := func(verb string) string {
		return fmt.Sprintf("Warning: cannot %s pods in namespace %s: forbidden", verb, nsA)
	}
	events := fmt.Sprintf("Warning: cannot list events in namespace %s: forbidden", nsA)
	// forbiddenFrom is the API server's own refusal, as kubectl prints it;
	// name is the object's, or "" for a list or create.
	forbiddenFrom := func(user, verb, resource, group, ns string, name ...string) string {
		what := resource
		if group != "" {
			what += "." + group
		}
		if len(name) > 0 {
			what += fmt.Sprintf(" %q", name[0])
		}
		return fmt.Sprintf(`Error from server (Forbidden): %s is forbidden: User %q cannot %s resource %q in API group %q in the namespace %q`,
			what, users[user], verb, resource, group, ns)
	}
	logForbidden := fmt.Sprintf(`is forbidden: User %%q cannot get resource "pods/log" in API group "" in the namespace %q`, nsA)
	checked := func(verb, resource, group, ns, hint string) string {
		return fmt.Sprintf(`Error from server (Forbidden): %s.%s is forbidden: cannot %s resource %q in API group %q in the namespace %q; %s`,
			resource, group, verb, resource, group, ns, hint)
	}

	reads := []permCase{
		{what: "explain a failed Job", user: "jobs-reader", args: []string{"explain", "broken"}, code: 5,
			stderr: []string{pods("list"), events}, forbidden: 2, stdout: []string{"Failed: BackoffLimitExceeded"},
			expected: "verdict from the Job's status; pods and events named as forbidden; exit 5"},
		{what: "describe two Jobs", user: "jobs-reader", args: []string{"describe", "broken", "done"}, code: 5,
			stderr: []string{pods("list"), events}, forbidden: 2, stdout: []string{"Name:                        broken", "Name:                        done"},
			expected: "both described; each forbidden resource named once, not once per Job; exit 5"},
		{what: "list with a running Job", user: "jobs-reader", args: []string{"list"}, code: 5,
			stderr: []string{pods("list") + "; STATUS of live Jobs is from their counters only"}, forbidden: 1,
			stdout:   []string{"broken", "busy", "done", "paused"},
			expected: "every Job listed, live ones judged from their counters; exit 5"},
		{what: "list -A without a ClusterRole", user: "jobs-reader", args: []string{"list", "-A"}, code: 1,
			stderr: []string{fmt.Sprintf(`Error from server (Forbidden): jobs.batch is forbidden: User %q cannot list resource "jobs" in API group "batch" at the cluster scope; list the Jobs of one namespace with: kubectl job list -n NAMESPACE`, users["jobs-reader"])}, forbidden: 1,
			expected: "the main object is forbidden: kubectl's Error from server (Forbidden), exit 1"},
		{what: "logs without pods", user: "jobs-reader", args: []string{"logs", "broken"}, code: 1,
			stderr: []string{forbiddenFrom("jobs-reader", "list", "pods", "", nsA)}, forbidden: 1,
			expected: "no pod can be found: Error from server (Forbidden), exit 1"},
		{what: "logs -f without pods", user: "jobs-reader", args: []string{"logs", "-f", "busy"}, code: 1,
			stderr: []string{forbiddenFrom("jobs-reader", "list", "pods", "", nsA)}, forbidden: 1,
			expected: "fails at once, does not hang"},
		{what: "wait for a complete Job", user: "jobs-reader", args: []string{"wait", "done", "--timeout=60s"}, code: 0,
			stdout:   []string{"job.batch/done complete"},
			expected: "wait needs the Job only: exit 0"},
		{what: "wait for a failed Job", user: "jobs-reader", args: []string{"wait", "broken", "--timeout=60s"}, code: 2,
			stdout:   []string{"job.batch/broken failed"},
			expected: "exit 2 (Job failed)"},
		{what: "explain without events", user: "jobs-pods", args: []string{"explain", "broken"}, code: 5,
			stderr: []string{events}, forbidden: 1, stdout: []string{"Failed: BackoffLimitExceeded"},
			expected: "attempts from the pods; events named as forbidden; exit 5"},
		{what: "list with pods", user: "jobs-pods", args: []string{"list"}, code: 0,
			stdout:   []string{"Running"},
			expected: "list reads no events: complete, exit 0"},
		{what: "logs without pods/log", user: "jobs-pods", args: []string{"logs", "broken"}, code: 1,
			stderr: []string{fmt.Sprintf(logForbidden, users["jobs-pods"])}, forbidden: 1,
			expected: "no log readable: one Error from server (Forbidden) for all pods, exit 1"},
		{what: "logs -f without pods/log", user: "jobs-pods", args: []string{"logs", "-f", "busy"}, code: 1,
			stderr: []string{fmt.Sprintf(logForbidden, users["jobs-pods"])}, forbidden: 1,
			expected: "fails at once instead of retrying a refusal"},
		{what: "explain with everything but logs", user: "no-logs", args: []string{"explain", "broken"}, code: 0,
			stdout:   []string{"Failed: BackoffLimitExceeded"},
			expected: "complete: exit 0, no warning"},
		{what: "describe with everything but logs", user: "no-logs", args: []string{"describe", "broken"}, code: 0,
			stdout:   []string{"Events:"},
			expected: "complete: exit 0, no warning"},
		{what: "logs without pods/log", user: "no-logs", args: []string{"logs", "done"}, code: 1,
			stderr: []string{fmt.Sprintf(logForbidden, users["no-logs"])}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1"},
		{what: "prune --dry-run (a read)", user: "no-logs", args: []string{"prune", "--dry-run"}, code: 0,
			stdout:   []string{"broken", "delete"},
			expected: "the plan is shown: exit 0"},
		{what: "list in its namespace", user: "one-namespace", args: []string{"list"}, code: 0,
			stdout: []string{"broken", "done"}, expected: "exit 0"},
		{what: "logs in its namespace", user: "one-namespace", args: []string{"logs", "done"}, code: 0,
			stdout: []string{"hello from done-"}, expected: "the logs, exit 0"},
		{what: "list -A", user: "one-namespace", args: []string{"list", "-A"}, code: 1,
			stderr: []string{`cannot list resource "jobs" in API group "batch" at the cluster scope; list the Jobs of one namespace with: kubectl job list -n NAMESPACE`}, forbidden: 1,
			expected: "Error from server (Forbidden) with a hint, exit 1"},
		{what: "list in namespace B", user: "one-namespace", args: []string{"list", "-n", nsB}, code: 1,
			stderr: []string{fmt.Sprintf(`Error from server (Forbidden): jobs.batch is forbidden: User %q cannot list resource "jobs" in API group "batch" in the namespace %q`, users["one-namespace"], nsB)}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1"},
		{what: "explain in namespace B", user: "one-namespace", args: []string{"explain", "other", "-n", nsB}, code: 1,
			stderr: []string{forbiddenFrom("one-namespace", "get", "jobs", "batch", nsB, "other")}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1"},
		{what: "describe in namespace B", user: "one-namespace", args: []string{"describe", "other", "-n", nsB}, code: 1,
			stderr: []string{`cannot get resource "jobs"`}, forbidden: 1, expected: "Error from server (Forbidden), exit 1"},
		{what: "logs in namespace B", user: "one-namespace", args: []string{"logs", "other", "-n", nsB}, code: 1,
			stderr: []string{`cannot get resource "jobs"`}, forbidden: 1, expected: "Error from server (Forbidden), exit 1"},
		{what: "wait in namespace B", user: "one-namespace", args: []string{"wait", "other", "-n", nsB, "--timeout=30s"}, code: 1,
			stderr: []string{`cannot list resource "jobs"`}, forbidden: 1, expected: "Error from server (Forbidden), exit 1, no hang"},
		{what: "list -A with Jobs readable everywhere, pods nowhere", user: "cluster-jobs", args: []string{"list", "-A"}, code: 5,
			// One read per page of Jobs: in the page's namespace, or at the
			// cluster scope when its live Jobs span several.
			stderr: []string{"Warning: cannot list pods ", ": forbidden; STATUS of live Jobs is from their counters only"}, forbidden: 1,
			stdoutLine: regexp.MustCompile(`(?m)^` + nsA + ` +busy +Running`),
			expected:   "every Job of every namespace listed; pods named as forbidden once; exit 5"},
	}

	before := jobsSnapshot(t, nsA)
	mutations := []permCase{
		{what: "create", user: "no-logs", args: []string{"create", "new", "--image=busybox"}, code: 1,
			stderr: []string{forbiddenFrom("no-logs", "create", "jobs", "batch", nsA)}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1, nothing created"},
		{what: "delete one Job", user: "no-logs", args: []string{"delete", "done"}, code: 1,
			stderr: []string{checked("delete", "jobs", "batch", nsA, "nothing was deleted")}, forbidden: 1,
			expected: "refused before the delete, exit 1"},
		{what: "delete --all", user: "no-logs", args: []string{"delete", "--all"}, code: 1,
			stderr: []string{checked("delete", "jobs", "batch", nsA, "nothing was deleted")}, forbidden: 1,
			expected: "one line, not one per Job; nothing deleted"},
		{what: "prune --yes", user: "no-logs", args: []string{"prune", "--yes"}, code: 1,
			stderr: []string{checked("delete", "jobs", "batch", nsA, "nothing was deleted")}, forbidden: 1,
			stdout: []string{"delete"}, expected: "the plan, then one line; nothing deleted"},
		{what: "suspend one Job", user: "no-logs", args: []string{"suspend", "busy"}, code: 1,
			stderr: []string{forbiddenFrom("no-logs", "patch", "jobs", "batch", nsA, "busy")}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1"},
		{what: "suspend two Jobs", user: "no-logs", args: []string{"suspend", "busy", "paused"}, code: 1,
			stderr: []string{checked("patch", "jobs", "batch", nsA, "nothing was suspended")}, forbidden: 1,
			expected: "refused before the first patch"},
		{what: "resume", user: "no-logs", args: []string{"resume", "paused"}, code: 1,
			stderr: []string{forbiddenFrom("no-logs", "patch", "jobs", "batch", nsA, "paused")}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1"},
		{what: "rerun", user: "no-logs", args: []string{"rerun", "broken"}, code: 1,
			stderr: []string{forbiddenFrom("no-logs", "create", "jobs", "batch", nsA)}, forbidden: 1,
			expected: "Error from server (Forbidden), exit 1, nothing created"},
		{what: "rerun --replace", user: "no-logs", args: []string{"rerun", "broken", "--replace"}, code: 1,
			stderr: []string{forbiddenFrom("no-logs", "create", "jobs", "batch", nsA) + "; the new Job was refused, so job broken was not deleted"}, forbidden: 1,
			expected: "the create is checked (server dry run) before the delete: nothing deleted"},
		{what: "delete --all (may delete, not list)", user: "deleter", args: []string{"delete", "--all"}, code: 1,
			stderr: []string{forbiddenFrom("deleter", "list", "jobs", "batch", nsA)}, forbidden: 1,
			expected: "cannot select: Error from server (Forbidden), nothing deleted"},
		{what: "prune --yes (may delete, not list)", user: "deleter", args: []string{"prune", "--yes"}, code: 1,
			stderr: []string{forbiddenFrom("deleter", "list", "jobs", "batch", nsA)}, forbidden: 1,
			expected: "cannot plan: Error from server (Forbidden), nothing deleted"},
		{what: "rerun --replace (may create and delete, not watch)", user: "replacer", args: []string{"rerun", "broken", "--replace"}, code: 1,
			stderr: []string{checked("list", "jobs", "batch", nsA, "job broken was not deleted and no new Job was created")}, forbidden: 1,
			expected: "refused before the delete: the old Job would go and the new one never come"},
		{what: "create --wait (may create, not watch)", user: "creator", args: []string{"create", "new", "--image=busybox", "--wait"}, code: 1,
			stderr: []string{checked("list", "jobs", "batch", nsA, "nothing was created; drop --wait/--follow to create without watching")}, forbidden: 1,
			expected: "refused before the create: a created Job the command cannot wait for would run unseen"},
		{what: "rerun --follow (may create, not read pods)", user: "creator", args: []string{"rerun", "broken", "--follow"}, code: 1,
			stderr: []string{checked("list", "jobs", "batch", nsA, "nothing was created or deleted; drop --wait/--follow to rerun without watching")}, forbidden: 1,
			expected: "refused before the create"},
	}

	run := func(t *testing.T, c permCase) {
		t.Helper()
		args := append([]string{}, c.args...)
		if !slices.Contains(args, "-n") && !slices.Contains(args, "-A") {
			args = append(args, "-n", nsA)
		}
		args = append(args, "--as="+users[c.user])
		res := KubectlJob(t, args...)
		ok := res.Code == c.code
		for _, want := range c.stderr {
			ok = ok && strings.Contains(res.Stderr, want)
		}
		for _, want := range c.stdout {
			ok = ok && strings.Contains(res.Stdout, want)
		}
		if c.stdoutLine != nil && !c.stdoutLine.MatchString(res.Stdout) {
			ok = false
			t.Errorf("no line of stdout matches %s", c.stdoutLine)
		}
		if n := forbiddenLines(res.Stderr); n != c.forbidden {
			ok = false
			t.Errorf("%d stderr lines say forbidden, want %d", n, c.forbidden)
		}
		if !ok {
			t.Errorf("%s as %s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stderr to contain %q and stdout %q",
				c.what, c.user, res.Code, c.code, res.Stdout, res.Stderr, c.stderr, c.stdout)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("%s: `kubectl job %s`", c.user, strings.ReplaceAll(strings.Join(c.args, " "), nsB, "B")),
			Expected: c.expected,
			Observed: observed(res, map[string]string{nsA: "A", nsB: "B", nsA + "-": ""}),
		})
	}
	for _, c := range reads {
		run(t, c)
	}
	for _, c := range mutations {
		run(t, c)
	}
	// Nothing a mutation was refused did happened: no Job created, deleted
	// or changed (UID, generation and, for finished Jobs, resourceVersion).
	after := jobsSnapshot(t, nsA)
	if !slices.Equal(before, after) {
		t.Errorf("the refused mutations changed the Jobs:\nbefore %v\nafter  %v", before, after)
	}
	doc.Add(DocRow{
		Case:     "all the refused mutations above",
		Expected: "the Jobs of A are unchanged (admin listing before/after: names, UIDs, generations, resourceVersions of finished Jobs)",
		Observed: fmt.Sprintf("%d Jobs, identical: %v", len(after), slices.Equal(before, after)),
	})

	// Allowed to delete but not to watch: the delete is made, the wait is
	// skipped with one warning, exit 5.
	res := KubectlJob(t, "delete", "done", "-n", nsA, "--as="+users["deleter"])
	want := fmt.Sprintf("Warning: cannot watch jobs in namespace %s: forbidden; the deletes were accepted and go on without waiting", nsA)
	if res.Code != 5 || !strings.Contains(res.Stderr, want) || forbiddenLines(res.Stderr) != 2 {
		t.Errorf("delete as deleter: exit %d, stderr:\n%s\nwant exit 5 and %q", res.Code, res.Stderr, want)
	}
	WaitForGone(t, nsA, "done", 60*time.Second)
	doc.Add(DocRow{
		Case:     "deleter: `kubectl job delete done` (may get and delete, not list pods or watch Jobs)",
		Expected: "the delete is made; what goes with it and the wait are named as forbidden, once each; exit 5",
		Observed: observed(res, map[string]string{nsA: "A", nsA + "-": ""}),
	})
}

// forbiddenLines counts the stderr lines that say forbidden.
func forbiddenLines(stderr string) int {
	n := 0
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(strings.ToLower(l), "forbidden") {
			n++
		}
	}
	return n
}

var podSuffix = regexp.MustCompile(`-[a-z0-9]{5}"`)

// observed is a run's result for the docs: exit code and stderr, with the
// random namespace and user names replaced so the table is stable.
func observed(res Result, replace map[string]string) string {
	s := res.Stderr
	// Longest first: the user names start with the namespace name.
	keys := make([]string, 0, len(replace))
	for k := range replace {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, replace[k])
	}
	s = podSuffix.ReplaceAllString(s, `-xxxxx"`)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := fmt.Sprintf("exit %d", res.Code)
	if res.Stdout != "" {
		out += ", output on stdout"
	}
	if len(lines) > 0 && lines[0] != "" {
		out += "; stderr: `" + strings.Join(lines, "` `") + "`"
	}
	return out
}

// jobsSnapshot is every Job of ns as "name uid generation resourceVersion"
// (the resourceVersion of live Jobs is left out: their controller may write
// their status at any time).
func jobsSnapshot(t *testing.T, ns string) []string {
	t.Helper()
	list, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range list.Items {
		rv := j.ResourceVersion
		if !HasCondition(&j, batchv1.JobComplete) && !HasCondition(&j, batchv1.JobFailed) {
			rv = "-"
		}
		out = append(out, fmt.Sprintf("%s %s %d %s", j.Name, j.UID, j.Generation, rv))
	}
	slices.Sort(out)
	return out
}

// bindRole creates a Role in ns and binds it to user.
func bindRole(t *testing.T, ns, name, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	ctx := context.Background()
	if _, err := client.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// bindClusterRole creates a ClusterRole bound to user in every namespace,
// deleted when the test ends.
func bindClusterRole(t *testing.T, name, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	ctx := context.Background()
	if _, err := client.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

// waitForRBAC waits until the API server's RBAC cache has every binding:
// each user may get Jobs in ns.
func waitForRBAC(t *testing.T, ns string, users map[string]string) {
	t.Helper()
	for _, user := range users {
		WaitFor(t, 30*time.Second, "RBAC to let "+user+" read Jobs", func() (bool, error) {
			res := Kubectl(t, "auth", "can-i", "get", "jobs.batch", "-n", ns, "--as="+user)
			return res.Code == 0, nil
		})
	}
}
