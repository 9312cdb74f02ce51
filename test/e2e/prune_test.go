//go:build e2e

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// holdFinalizer keeps a pod object around after it is deleted, so a Job
// stays Failing (FailureTarget set, pods still terminating) for a while.
const holdFinalizer = "kubectl-job.io/e2e-hold"

// TestPrune builds a namespace with running, suspended, failing, complete and
// failed Jobs, some owned by a CronJob, and checks that each flag
// combination selects exactly the expected Jobs, that the deletes remove
// exactly those, and that no unfinished Job is ever touched.
func TestPrune(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	ctx := context.Background()

	cj := pruneCronJob(t, ns, "nightly")
	ownedBy := func(j *batchv1.Job) {
		j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: cj.Name, UID: cj.UID,
			Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}
		if j.Labels == nil {
			j.Labels = map[string]string{}
		}
		j.Labels["team"] = "nightly"
	}
	label := func(j *batchv1.Job) {
		if j.Labels == nil {
			j.Labels = map[string]string{}
		}
		j.Labels["e2e-ns"] = ns
	}
	// Finished Jobs one after the other, so their start times order them
	// for --keep-last: done-old < done-new < failed-one < nightly-1 < nightly-2 < nightly-3.
	for _, f := range []struct {
		name  string
		owned bool
		fail  bool
	}{
		{"done-old", false, false}, {"done-new", false, false}, {"failed-one", false, true},
		{"nightly-1", true, false}, {"nightly-2", true, false}, {"nightly-3", true, true},
	} {
		b := NewJob(ns, f.name).With(label)
		if f.owned {
			b.With(ownedBy)
		}
		cond := batchv1.JobComplete
		if f.fail {
			b.Fail(1, "200ms").BackoffLimit(0)
			cond = batchv1.JobFailed
		}
		b.Create(t)
		WaitForCondition(t, ns, f.name, cond, 60*time.Second)
		time.Sleep(1100 * time.Millisecond) // startTime has second precision
	}
	NewJob(ns, "run").Sim(SimOutcome, "run").With(label).Create(t)
	NewJob(ns, "paused").With(label).With(func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }).Create(t)
	// Managed by another controller, and Complete by the status it wrote:
	// still never pruned.
	ext := NewJob(ns, "external").With(label).With(func(j *batchv1.Job) { j.Spec.ManagedBy = ptr.To("example.com/batch") }).Create(t)
	now := metav1.Now()
	ext.Status = batchv1.JobStatus{StartTime: &now, CompletionTime: &now, Succeeded: 1, Conditions: []batchv1.JobCondition{
		{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "CompletionsReached"},
		{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "CompletionsReached"}}}
	if _, err := client.BatchV1().Jobs(ns).UpdateStatus(ctx, ext, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("setting the external Job's status: %v", err)
	}
	failing := pruneFailingJob(t, ns, label)
	WaitFor(t, 60*time.Second, "the Job to run", func() (bool, error) {
		pods := Pods(t, jobNamed(t, ns, "run"))
		return len(pods) == 1 && pods[0].Status.Phase == corev1.PodRunning, nil
	})

	finished := []string{"done-new", "done-old", "failed-one", "nightly-1", "nightly-2", "nightly-3"}
	live := []string{"external", "failing", "paused", "run"}

	// Every combination, as a plan: --dry-run -o name prints what would go.
	combos := []struct {
		args []string
		want []string
	}{
		{nil, finished},
		{[]string{"--succeeded"}, []string{"done-new", "done-old", "nightly-1", "nightly-2"}},
		{[]string{"--failed"}, []string{"failed-one", "nightly-3"}},
		{[]string{"--succeeded", "--failed"}, finished},
		{[]string{"--keep-last=1"}, []string{"done-new", "done-old", "nightly-1", "nightly-2"}},
		{[]string{"--keep-last=2"}, []string{"done-old", "nightly-1"}},
		{[]string{"--succeeded", "--keep-last=1"}, []string{"done-old", "nightly-1"}},
		{[]string{"--failed", "--keep-last=1"}, nil},
		{[]string{"--keep-last=10"}, nil},
		{[]string{"--older-than=1h"}, nil},
		{[]string{"--older-than=1s"}, finished},
		{[]string{"--failed", "--older-than=1s", "--keep-last=0"}, []string{"failed-one", "nightly-3"}},
		{[]string{"-l", "team=nightly"}, []string{"nightly-1", "nightly-2", "nightly-3"}},
		{[]string{"-l", "team=nightly", "--keep-last=1", "--succeeded"}, []string{"nightly-1"}},
		{[]string{"-A", "-l", "e2e-ns=" + ns}, finished},
	}
	for _, c := range combos {
		args := append([]string{"prune", "--dry-run", "-o", "name"}, c.args...)
		if !slices.Contains(c.args, "-A") {
			args = append(args, "-n", ns)
		}
		res := KubectlJob(t, args...)
		if res.Code != 0 {
			t.Errorf("prune %v: exit %d\n%s", c.args, res.Code, res.Stderr)
			continue
		}
		if got := namesOf(res.Stdout); !slices.Equal(got, sorted(c.want)) {
			t.Errorf("prune %v selects %v, want %v", c.args, got, sorted(c.want))
		}
	}
	// The plan shows every Job with its verdict, and says why it keeps each.
	plan := KubectlJob(t, "prune", "-n", ns, "--dry-run")
	for _, want := range []string{"run ", "Running: prune never deletes unfinished Jobs", "Suspended: prune never deletes unfinished Jobs",
		"Failing: prune never deletes unfinished Jobs", "managed by example.com/batch: prune leaves it to that controller", "cronjob/nightly"} {
		if !strings.Contains(plan.Stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.Stdout)
		}
	}

	// For real. Without a terminal and without --yes: the plan, exit 1, nothing deleted.
	res := KubectlJob(t, "prune", "-n", ns, "--failed")
	if res.Code != 1 || !strings.Contains(res.Stderr, "refusing to delete without --yes when stdin is not a terminal") {
		t.Errorf("prune without --yes: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	checkJobs(t, ns, append(slices.Clone(finished), live...))

	steps := []struct {
		args    []string
		deleted []string
	}{
		{[]string{"--failed", "--yes"}, []string{"failed-one", "nightly-3"}},
		{[]string{"--keep-last=1", "--yes", "--cascade=foreground"}, []string{"done-old", "nightly-1"}},
		{[]string{"--yes", "-o", "name"}, []string{"done-new", "nightly-2"}},
		{[]string{"--yes"}, nil},
	}
	left := slices.Clone(finished)
	for _, s := range steps {
		res := KubectlJob(t, append([]string{"prune", "-n", ns}, s.args...)...)
		if res.Code != 0 {
			t.Fatalf("prune %v: exit %d\n%s", s.args, res.Code, res.Stderr)
		}
		left = slices.DeleteFunc(left, func(n string) bool { return slices.Contains(s.deleted, n) })
		for _, n := range s.deleted {
			WaitForGone(t, ns, n, 30*time.Second)
		}
		checkJobs(t, ns, append(slices.Clone(left), live...))
	}
	// The pods went with their Jobs; the live Jobs' pods are still there.
	WaitFor(t, 60*time.Second, "the pruned Jobs' pods to be deleted", func() (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, p := range pods.Items {
			if owner := p.Labels["batch.kubernetes.io/job-name"]; owner != "run" && owner != "failing" {
				return false, nil
			}
		}
		return true, nil
	})
	if pods := Pods(t, jobNamed(t, ns, "run")); len(pods) != 1 || pods[0].DeletionTimestamp != nil {
		t.Errorf("the running Job's pod was touched: %+v", pods)
	}
	if j := jobNamed(t, ns, "failing"); HasCondition(j, batchv1.JobFailed) || !HasCondition(j, batchv1.JobFailureTarget) {
		t.Errorf("the failing Job is no longer Failing: %v", j.Status.Conditions)
	}
	_ = failing
}

// pruneCronJob creates a suspended CronJob with large history limits, so
// the CronJob controller neither runs nor removes the Jobs the test makes it own.
func pruneCronJob(t *testing.T, ns, name string) *batchv1.CronJob {
	t.Helper()
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.CronJobSpec{
			Schedule: "0 3 * * *", Suspend: ptr.To(true),
			SuccessfulJobsHistoryLimit: ptr.To[int32](20), FailedJobsHistoryLimit: ptr.To[int32](20),
			JobTemplate: batchv1.JobTemplateSpec{Spec: NewJob(ns, "x").Job.Spec},
		},
	}
	cj, err := client.BatchV1().CronJobs(ns).Create(context.Background(), cj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating cronjob: %v", err)
	}
	return cj
}

// pruneFailingJob creates a Job that stays Failing: it passes its deadline,
// so the controller sets FailureTarget and deletes its pod, but the pod's
// outcome is external (KWOK leaves it Pending and does not stop it when
// deleted), so it stays terminating until the test releases it. A pod on a
// node that does not exist would do too, but only for the 40 s until the pod
// garbage collector fails it: under load the test outlasted that.
func pruneFailingJob(t *testing.T, ns string, opts ...func(*batchv1.Job)) *batchv1.Job {
	t.Helper()
	b := NewJob(ns, "failing").Sim(SimOutcome, "external").With(func(j *batchv1.Job) {
		j.Spec.ActiveDeadlineSeconds = ptr.To[int64](2)
		j.Spec.Template.Spec.NodeName = "kwok-node-0"
		j.Spec.Template.Finalizers = []string{holdFinalizer}
	})
	for _, o := range opts {
		b.With(o)
	}
	job := b.Create(t)
	t.Cleanup(func() { releasePods(t, ns, job.UID) })
	return WaitForCondition(t, ns, job.Name, batchv1.JobFailureTarget, 60*time.Second)
}

// releasePods removes the test's finalizer and deletes the pods at once (no
// kubelet will), so the namespace can go.
func releasePods(t *testing.T, ns string, uid types.UID) {
	pods, err := client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "batch.kubernetes.io/controller-uid=" + string(uid)})
	if err != nil {
		t.Logf("releasing pods: %v", err)
		return
	}
	for _, p := range pods.Items {
		p.Finalizers = slices.DeleteFunc(p.Finalizers, func(f string) bool { return f == holdFinalizer })
		if _, err := client.CoreV1().Pods(ns).Update(context.Background(), &p, metav1.UpdateOptions{}); err != nil {
			t.Logf("releasing pod %s: %v", p.Name, err)
		}
		_ = client.CoreV1().Pods(ns).Delete(context.Background(), p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	}
}

func jobNamed(t *testing.T, ns, name string) *batchv1.Job {
	t.Helper()
	j, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting job %s: %v", name, err)
	}
	return j
}

// checkJobs fails the test unless the namespace holds exactly the named Jobs.
func checkJobs(t *testing.T, ns string, want []string) {
	t.Helper()
	list, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range list.Items {
		got = append(got, j.Name)
	}
	if got, want := sorted(got), sorted(want); !slices.Equal(got, want) {
		t.Errorf("jobs in %s: %v, want %v", ns, got, want)
	}
}

// namesOf parses -o name output (job.batch/NAME lines).
func namesOf(out string) []string {
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if _, n, ok := strings.Cut(l, "/"); ok {
			names = append(names, n)
		}
	}
	return sorted(names)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
