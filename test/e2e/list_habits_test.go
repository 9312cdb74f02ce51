//go:build e2e

package e2e

// kubectl's list habits on kubectl job list (issue 21): -L, --show-labels,
// -o custom-columns, --watch-only, the Deleted row of -w, --cronjob -w, and
// the FAILED cell of restartPolicy OnFailure Jobs.

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestListLabelColumns(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	labelled := map[string]map[string]string{
		"etl":    {"team": "data", "example.com/tier": "batch"},
		"train":  {"team": "ml"},
		"adhoc":  nil,
		"report": {"example.com/tier": "nightly"},
	}
	for name, labels := range labelled {
		NewJob(ns, name).With(func(j *batchv1.Job) { j.Labels = labels }).Create(t)
	}
	res := KubectlJob(t, "list", "-n", ns, "-L", "team,example.com/tier", "--show-labels")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	// kubectl get's places: -L columns after AGE, LABELS last.
	if got := strings.Join(strings.Fields(lines[0]), " "); !strings.HasSuffix(got, " AGE TEAM TIER LABELS") {
		t.Errorf("header %q, want it to end with AGE TEAM TIER LABELS", lines[0])
	}
	// The oracle is the API server's copy of each Job's labels (the server
	// adds batch.kubernetes.io/controller-uid and job-name).
	teamAt, tierAt, labelsAt := strings.Index(lines[0], "TEAM"), strings.Index(lines[0], "TIER"), strings.Index(lines[0], "LABELS")
	for _, l := range lines[1:] {
		name := strings.Fields(l)[0]
		job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cell := func(from, to int) string {
			if from >= len(l) {
				return ""
			}
			return strings.TrimSpace(l[from:min(to, len(l))])
		}
		if got, want := cell(teamAt, tierAt), job.Labels["team"]; got != want {
			t.Errorf("%s TEAM %q, want %q", name, got, want)
		}
		if got, want := cell(tierAt, labelsAt), job.Labels["example.com/tier"]; got != want {
			t.Errorf("%s TIER %q, want %q", name, got, want)
		}
		var pairs []string
		for k, v := range job.Labels {
			pairs = append(pairs, k+"="+v)
		}
		sort.Strings(pairs)
		if got, want := cell(labelsAt, len(l)), strings.Join(pairs, ","); got != want {
			t.Errorf("%s LABELS %q, want %q", name, got, want)
		}
	}
	if len(lines) != 1+len(labelled) {
		t.Errorf("%d rows, want %d", len(lines)-1, len(labelled))
	}
}

// TestListCustomColumns: -o custom-columns prints what kubectl get prints
// for the same spec, byte for byte; a malformed spec is refused.
func TestListCustomColumns(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "etl").With(func(j *batchv1.Job) { j.Labels = map[string]string{"team": "data"} }).Create(t)
	NewJob(ns, "bad").Fail(3, "300ms").BackoffLimit(0).Create(t)
	WaitForCondition(t, ns, "etl", batchv1.JobComplete, time.Minute)
	WaitForCondition(t, ns, "bad", batchv1.JobFailed, time.Minute)
	for _, spec := range []string{
		"custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team,FAILED:.status.failed,START:.status.startTime,IMAGES:.spec.template.spec.containers[*].image",
		"custom-columns=NAME:metadata.name,LIMIT:{.spec.backoffLimit},COND:.status.conditions[*].type",
	} {
		for _, extra := range [][]string{nil, {"--no-headers"}} {
			args := append([]string{"-n", ns, "-o", spec}, extra...)
			ours := KubectlJob(t, append([]string{"list"}, args...)...)
			theirs := Kubectl(t, append([]string{"get", "jobs"}, args...)...)
			if ours.Code != 0 || theirs.Code != 0 || ours.Stdout != theirs.Stdout || ours.Stdout == "" {
				t.Errorf("-o %s %v: kubectl job list (exit %d):\n%s\nkubectl get jobs (exit %d):\n%s", spec, extra, ours.Code, ours.Stdout, theirs.Code, theirs.Stdout)
			}
		}
	}
	for _, bad := range []string{"custom-columns=NAME", "custom-columns="} {
		res := KubectlJob(t, "list", "-n", ns, "-o", bad)
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, "error: invalid -o custom-columns: ") || strings.Count(res.Stderr, "\n") != 1 {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q; want exit 1 and one error line", bad, res.Code, res.Stdout, res.Stderr)
		}
	}
}

// TestListWatchDeletions: -w gives a Job deleted by its TTL and one deleted by
// a user a last row, STATUS Deleted; --watch-only prints the same changes
// without the first table.
func TestListWatchDeletions(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "before").Create(t) // done before the watches start, never changes
	NewJob(ns, "manual").Sim(SimOutcome, "run").Create(t)
	WaitForCondition(t, ns, "before", batchv1.JobComplete, time.Minute)
	watchOut, stopWatch := watchList(t, "-n", ns, "-w")
	onlyOut, stopOnly := watchList(t, "-n", ns, "--watch-only")
	WaitFor(t, 30*time.Second, "the first table", func() (bool, error) { return strings.Contains(watchOut.String(), "before"), nil })

	NewJob(ns, "ttl").With(func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](3) }).Create(t)
	WaitForGone(t, ns, "ttl", 2*time.Minute)
	if res := Kubectl(t, "delete", "job", "manual", "-n", ns, "--wait=true"); res.Code != 0 {
		t.Fatalf("kubectl delete: exit %d: %s", res.Code, res.Stderr)
	}
	WaitForGone(t, ns, "manual", time.Minute)
	for _, out := range []*syncBuffer{watchOut, onlyOut} {
		WaitFor(t, 30*time.Second, "both Deleted rows", func() (bool, error) {
			return strings.Count(out.String(), " Deleted ") == 2, nil
		})
	}
	for flag, text := range map[string]string{"-w": stopWatch(), "--watch-only": stopOnly()} {
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if !strings.HasPrefix(lines[0], "NAME ") {
			t.Errorf("%s: first line %q, want the header", flag, lines[0])
		}
		last := map[string][]string{}
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			last[f[0]] = f
		}
		for _, name := range []string{"ttl", "manual"} {
			if f := last[name]; len(f) < 2 || f[1] != "Deleted" {
				t.Errorf("%s: last row of %s is %v, want STATUS Deleted", flag, name, f)
			}
		}
		if hasBefore := last["before"] != nil; hasBefore != (flag == "-w") {
			t.Errorf("%s: a row of the unchanged Job before: %v (only -w lists it first)", flag, hasBefore)
		}
		if f := last["ttl"]; len(f) > 2 && f[2] != "CompletionsReached" {
			t.Errorf("%s: the TTL-deleted Job's last row %v, want it to keep its reason", flag, f)
		}
	}
}

// TestListCronJobWatch: --cronjob NAME -w keeps the view of the table
// without -w (the CronJob line, the KEEP column, newest first) and follows
// that CronJob's Jobs only. With successfulJobsHistoryLimit 2, run-3's
// success leaves run-1 out of the history: its row comes again with KEEP
// no, before the controller deletes it.
func TestListCronJobWatch(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: ns},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: ptr.To(true), SuccessfulJobsHistoryLimit: ptr.To[int32](2),
			JobTemplate: batchv1.JobTemplateSpec{Spec: NewJob(ns, "x").Sim(SimDuration, "3s").Job.Spec}},
	}
	if _, err := client.BatchV1().CronJobs(ns).Create(context.Background(), cj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// kubectl create job --from makes Jobs the CronJob controls.
	for _, name := range []string{"run-1", "run-2"} {
		if res := Kubectl(t, "create", "job", name, "--from=cronjob/nightly", "-n", ns); res.Code != 0 {
			t.Fatalf("kubectl create job: %s", res.Stderr)
		}
		time.Sleep(1100 * time.Millisecond) // distinct creation seconds: a defined newest-first order
	}
	WaitForCondition(t, ns, "run-1", batchv1.JobComplete, time.Minute)
	WaitForCondition(t, ns, "run-2", batchv1.JobComplete, time.Minute)
	out, stop := watchList(t, "-n", ns, "--cronjob", "nightly", "-w")
	WaitFor(t, 30*time.Second, "the first table", func() (bool, error) { return strings.Contains(out.String(), "run-1"), nil })
	NewJob(ns, "adhoc").Create(t) // not the CronJob's
	if res := Kubectl(t, "create", "job", "run-3", "--from=cronjob/nightly", "-n", ns); res.Code != 0 {
		t.Fatalf("kubectl create job: %s", res.Stderr)
	}
	WaitForCondition(t, ns, "adhoc", batchv1.JobComplete, time.Minute)
	WaitForCondition(t, ns, "run-3", batchv1.JobComplete, time.Minute)
	// run-1's row again, KEEP no (the controller deletes run-1 too: a
	// Deleted row may follow).
	keptNoMore := regexp.MustCompile(`(?m)^run-1 +Complete .* no +\S+$`)
	WaitFor(t, 30*time.Second, "run-3's Complete row and run-1's with KEEP no", func() (bool, error) {
		return strings.Contains(out.String(), "run-3") && keptNoMore.MatchString(out.String()), nil
	})
	lines := strings.Split(strings.TrimSpace(stop()), "\n")
	if !strings.HasPrefix(lines[0], "CronJob "+ns+"/nightly  schedule \"0 3 * * *\"") {
		t.Errorf("line 0 %q, want the CronJob line", lines[0])
	}
	if len(lines) < 4 || !strings.Contains(lines[1], " KEEP ") || !strings.HasPrefix(lines[1], "NAME ") {
		t.Fatalf("want the header with KEEP on line 1:\n%s", strings.Join(lines, "\n"))
	}
	// The oracle for the order: the creation times the API server recorded.
	jobs, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]time.Time{}
	for _, j := range jobs.Items {
		created[j.Name] = j.CreationTimestamp.Time
	}
	if first, second := strings.Fields(lines[2])[0], strings.Fields(lines[3])[0]; !created[first].After(created[second]) || first != "run-2" {
		t.Errorf("first table %s then %s, want newest first (run-2, run-1)", first, second)
	}
	keepAt := strings.Index(lines[1], "KEEP")
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "adhoc ") {
			t.Errorf("a row of another owner's Job: %q", l)
		}
		if f := strings.Fields(l[min(keepAt, len(l)):]); len(f) == 0 || (f[0] != "yes" && f[0] != "no" && f[0] != "-") {
			t.Errorf("row without a KEEP cell under its header: %q", l)
		}
	}
	var run3 []string
	for _, l := range lines[4:] {
		if f := strings.Fields(l); f[0] == "run-3" && f[1] == "Complete" {
			run3 = f
		}
	}
	if len(run3) == 0 || run3[len(run3)-2] != "yes" {
		t.Errorf("run-3's Complete row %v, want KEEP yes (the 2 newest successes are kept)", run3)
	}
}

// TestListOnFailureFailedColumn: an OnFailure Job the controller failed for
// its container restarts reads "≥2/2" (the deleted pods took their
// restartCount), as explain says "container restarts ≥ backoffLimit 2".
func TestListOnFailureFailedColumn(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "restarts").BackoffLimit(2).Fail(5, "300ms").
		With(func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure }).Create(t)
	NewJob(ns, "never").BackoffLimit(1).Fail(5, "300ms").Create(t)
	job := WaitForCondition(t, ns, "restarts", batchv1.JobFailed, 2*time.Minute)
	WaitForCondition(t, ns, "never", batchv1.JobFailed, 2*time.Minute)
	// The API's own record: BackoffLimitExceeded with status.failed within
	// the limit happens only when the restarts reached it.
	c := Condition(job, batchv1.JobFailed)
	if c.Reason != batchv1.JobReasonBackoffLimitExceeded || job.Status.Failed > *job.Spec.BackoffLimit {
		t.Fatalf("fixture: Failed %s with status.failed %d, want BackoffLimitExceeded by restarts (failed <= 2)", c.Reason, job.Status.Failed)
	}
	rows := listRows(t, "-n", ns)
	if got := rows["restarts"]["FAILED"]; got != "≥2/2" {
		t.Errorf("restarts FAILED %q, want ≥2/2 (row %v)", got, rows["restarts"])
	}
	if got := rows["never"]["FAILED"]; got != "2/1" {
		t.Errorf("never FAILED %q, want 2/1: restartPolicy Never is unchanged", got)
	}
	if res := KubectlJob(t, "explain", "restarts", "-n", ns); !strings.Contains(res.Stdout, "container restarts ≥ backoffLimit 2") {
		t.Errorf("explain does not say the restarts reached the limit:\n%s", res.Stdout)
	}
}
