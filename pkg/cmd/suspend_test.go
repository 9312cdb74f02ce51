package cmd

import (
	"regexp"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

func runSuspend(t *testing.T, suspend bool, objs []runtime.Object, args ...string) (string, string, int, *fake.Clientset) {
	t.Helper()
	cs := fake.NewClientset(objs...)
	answerAccessReviews(cs)
	verb := map[bool]string{true: "suspend", false: "resume"}[suspend]
	r := runJob(t, cs, testNow, "", append([]string{verb}, args...)...)
	return r.stdout, r.stderr, r.code, cs
}

func patches(cs *fake.Clientset) []string {
	var out []string
	for _, a := range cs.Actions() {
		if p, ok := a.(clienttesting.PatchActionImpl); ok {
			out = append(out, p.GetResource().Resource+"/"+p.GetName()+" "+string(p.GetPatch()))
		}
	}
	return out
}

func TestSuspendJob(t *testing.T) {
	job := finishedJob("batch")
	job.Status.Active = 3
	job.Spec.ActiveDeadlineSeconds = ptr.To[int64](600)
	stdout, stderr, code, cs := runSuspend(t, true, []runtime.Object{job}, "batch")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "job.batch/batch suspended\n" {
		t.Errorf("stdout %q", stdout)
	}
	for _, want := range []string{"its 3 active pods are being deleted", "activeDeadlineSeconds 600", "kubectl job resume batch"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if got := patches(cs); len(got) != 1 || got[0] != `jobs/batch {"metadata":{"uid":"uid-batch"},"spec":{"suspend":true}}` {
		t.Errorf("patches %v", got)
	}
}

func TestResumeJob(t *testing.T) {
	job := finishedJob("batch")
	job.Spec.Suspend = ptr.To(true)
	job.Spec.Parallelism = ptr.To[int32](4)
	job.Spec.ActiveDeadlineSeconds = ptr.To[int64](60)
	stdout, stderr, code, cs := runSuspend(t, false, []runtime.Object{job}, "job/batch")
	if code != 0 || stdout != "job.batch/batch resumed\n" {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "up to 4 pods") || !strings.Contains(stderr, "deadline clock restarts now") {
		t.Errorf("stderr %q", stderr)
	}
	if got := patches(cs); len(got) != 1 || got[0] != `jobs/batch {"metadata":{"uid":"uid-batch"},"spec":{"suspend":false}}` {
		t.Errorf("patches %v", got)
	}
}

func TestSuspendUnchanged(t *testing.T) {
	done := finishedJob("done", batchv1.JobComplete)
	paused := finishedJob("paused")
	paused.Spec.Suspend = ptr.To(true)
	stdout, stderr, code, cs := runSuspend(t, true, []runtime.Object{done, paused}, "done", "paused")
	if code != 0 || stdout != "job.batch/done unchanged\njob.batch/paused unchanged\n" {
		t.Errorf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "a finished Job cannot be suspended") || !strings.Contains(stderr, "already suspended") {
		t.Errorf("stderr %q", stderr)
	}
	if p := patches(cs); len(p) != 0 {
		t.Errorf("patched %v", p)
	}
}

func TestSuspendSelectorAndErrors(t *testing.T) {
	a, b := finishedJob("a"), finishedJob("b")
	stdout, _, code, cs := runSuspend(t, true, []runtime.Object{a, b}, "-l", "batch=b1")
	if code != 0 || stdout != "job.batch/a suspended\njob.batch/b suspended\n" || len(patches(cs)) != 2 {
		t.Errorf("selector: exit %d stdout %q patches %v", code, stdout, patches(cs))
	}
	// One missing Job does not stop the others; the exit code says it.
	stdout, stderr, code, _ := runSuspend(t, true, []runtime.Object{a}, "missing", "a")
	if code != 1 || stdout != "job.batch/a suspended\n" || !strings.Contains(stderr, `jobs.batch "missing" not found`) ||
		!strings.Contains(stderr, "1 of 2 could not be suspended") {
		t.Errorf("missing: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{{}, {"a", "-l", "x=y"}, {"deployment/a"}} {
		_, stderr, code, cs := runSuspend(t, true, nil, args...)
		if code != 1 || len(cs.Actions()) != 0 {
			t.Errorf("%v: exit %d, %d requests, stderr %q", args, code, len(cs.Actions()), stderr)
		}
	}
}

func TestSuspendCronJob(t *testing.T) {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "ns"},
		Spec:       batchv1.CronJobSpec{Schedule: "0 3 * * *"},
		Status:     batchv1.CronJobStatus{Active: []corev1.ObjectReference{{Name: "nightly-123"}}},
	}
	stdout, stderr, code, cs := runSuspend(t, true, []runtime.Object{cj}, "cronjob/nightly")
	if code != 0 || stdout != "cronjob.batch/nightly suspended\n" {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "no new Jobs will be scheduled") || !strings.Contains(stderr, "kubectl job suspend nightly-123") {
		t.Errorf("stderr %q", stderr)
	}
	if got := patches(cs); len(got) != 1 || got[0] != `cronjobs/nightly {"spec":{"suspend":true}}` {
		t.Errorf("patches %v", got)
	}
	cj.Spec.Suspend = ptr.To(true)
	stdout, stderr, code, _ = runSuspend(t, false, []runtime.Object{cj}, "cj/nightly")
	if code != 0 || stdout != "cronjob.batch/nightly resumed\n" || !strings.Contains(stderr, `schedule "0 3 * * *" applies again`) {
		t.Errorf("resume: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

// nextStep is a kubectl job command printed for the user to run, up to the
// end of its clause.
var nextStep = regexp.MustCompile(`kubectl job [a-z]+[^;,()\n]*`)

// TestHintsCarryNamespace runs every command that prints a next step in
// namespace ns and checks that each printed "kubectl job VERB ..." command
// carries -n ns, so pasting it acts on the same Job whatever the current
// namespace (issue 21: "resume it with kubectl job resume long").
func TestHintsCarryNamespace(t *testing.T) {
	running := finishedJob("long")
	running.Status.Active = 1
	done := finishedJob("done", batchv1.JobComplete)
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "ns"},
		Spec:       batchv1.CronJobSpec{Schedule: "0 3 * * *"},
		Status:     batchv1.CronJobStatus{Active: []corev1.ObjectReference{{Name: "nightly-123"}}},
	}
	objs := []runtime.Object{running, done, cj}
	for _, args := range [][]string{
		{"suspend", "long"},            // resume it with ...
		{"suspend", "done"},            // rerun it with ...
		{"suspend", "cronjob/nightly"}, // suspend its Jobs with ...
		{"rerun", "long"},              // wait for it with ...
		{"wait", "long", "--timeout=50ms"},
		{"wait", "long", "done", "--timeout=50ms"},
		{"explain", "done"},
		{"explain", "long"},
		{"explain", "missing"},
		{"explain", "nightly"},
		{"describe", "missing"},
		{"explain", "-l", "batch=b1", "-o", "wide"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cs := fake.NewClientset(objs...)
			answerAccessReviews(cs)
			r := runJob(t, cs, testNow, "", args...)
			steps := nextStep.FindAllString(r.stdout+r.stderr, -1)
			if len(steps) == 0 {
				t.Fatalf("no next step printed; stdout %q stderr %q", r.stdout, r.stderr)
			}
			for _, s := range steps {
				if !strings.Contains(s, " -n ns") {
					t.Errorf("%q lacks -n ns", s)
				}
			}
		})
	}
}
