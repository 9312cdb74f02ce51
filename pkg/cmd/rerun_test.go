package cmd

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/google/go-cmp/cmp"
	"github.com/kubectl-job/kubectl-job/pkg/jobspec"
)

func runRerun(t *testing.T, cs *fake.Clientset, args ...string) (string, string, int) {
	t.Helper()
	r := runJob(t, cs, testNow, "", append([]string{"rerun"}, args...)...)
	return r.stdout, r.stderr, r.code
}

func failedJob() *batchv1.Job {
	j := finishedJob("etl", batchv1.JobFailureTarget, batchv1.JobFailed)
	j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "etl", Image: "etl:1"}}
	j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "uid-etl"}}
	j.Spec.Template.Labels = map[string]string{"batch.kubernetes.io/controller-uid": "uid-etl", "batch.kubernetes.io/job-name": "etl"}
	return j
}

func createdJobs(cs *fake.Clientset) (real, dry []*batchv1.Job) {
	for _, a := range cs.Actions() {
		if c, ok := a.(clienttesting.CreateActionImpl); ok && c.GetResource().Resource == "jobs" {
			if len(c.GetCreateOptions().DryRun) > 0 {
				dry = append(dry, c.GetObject().(*batchv1.Job))
			} else {
				real = append(real, c.GetObject().(*batchv1.Job))
			}
		}
	}
	return real, dry
}

func TestRerunCreatesFreshJob(t *testing.T) {
	cs := dryRunAwareClientset(failedJob())
	stdout, stderr, code := runRerun(t, cs, "etl", "--image=etl:2", "--env=RETRY=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	created, _ := createdJobs(cs)
	if len(created) != 1 {
		t.Fatalf("%d Jobs created", len(created))
	}
	j := created[0]
	if j.GenerateName != "etl-rerun-" || j.Annotations[jobspec.AnnotationRerunOf] != "ns/etl/uid-etl" || j.Spec.Selector != nil ||
		j.Spec.Template.Spec.Containers[0].Image != "etl:2" || len(j.Spec.Template.Labels) != 0 {
		t.Errorf("rerun job: %+v", j)
	}
	if !strings.HasPrefix(stdout, "job.batch/") || !strings.HasSuffix(stdout, " created\n") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestRerunRefusesUnfinishedWithoutForce(t *testing.T) {
	running := failedJob()
	running.Status.Conditions = nil
	running.Status.Active = 1
	cs := dryRunAwareClientset(running)
	_, stderr, code := runRerun(t, cs, "etl")
	if code != 1 || !strings.Contains(stderr, "has not finished") || !strings.Contains(stderr, "--force") {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
	if created, dry := createdJobs(cs); len(created)+len(dry) != 0 {
		t.Error("created a Job without --force")
	}
	_, stderr, code = runRerun(t, cs, "etl", "--force", "--name=etl-2")
	if created, _ := createdJobs(cs); code != 0 || len(created) != 1 || created[0].Name != "etl-2" {
		t.Errorf("--force: exit %d stderr %q", code, stderr)
	}
}

func TestRerunReplace(t *testing.T) {
	old := failedJob()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "etl-abcde", Namespace: "ns",
		Labels:          map[string]string{"batch.kubernetes.io/controller-uid": "uid-etl"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: "etl", UID: "uid-etl", Controller: ptr.To(true)}}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed}}
	cs := dryRunAwareClientset(old, pod)
	// The fake deletes at once; the waiter sees the Job gone at its list.
	_, stderr, code := runRerun(t, cs, "etl", "--replace")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "job.batch/etl: its pod goes too; logs of 1 failed attempt will be lost (save them first: kubectl job logs etl -n ns --failed)"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
	var verbs []string
	for _, a := range cs.Actions() {
		v := a.GetVerb()
		if c, ok := a.(clienttesting.CreateActionImpl); ok && len(c.GetCreateOptions().DryRun) > 0 {
			v += "(dry-run)"
		}
		if d, ok := a.(clienttesting.DeleteActionImpl); ok {
			o := d.GetDeleteOptions()
			if o.Preconditions == nil || o.Preconditions.UID == nil || *o.Preconditions.UID != "uid-etl" || *o.PropagationPolicy != metav1.DeletePropagationForeground {
				t.Errorf("delete options %+v", o)
			}
		}
		verbs = append(verbs, v)
	}
	// The access reviews (delete, list, watch) come before the delete.
	// The old Job's pods are listed to say what goes with them.
	want := "get create(dry-run) create create create list delete list create"
	if got := strings.Join(verbs, " "); got != want {
		t.Errorf("requests %q, want %q", got, want)
	}
	created, _ := createdJobs(cs)
	if len(created) != 1 || created[0].Name != "etl" {
		t.Errorf("created %v", created)
	}
}

func TestRerunReplaceRefusedBeforeDelete(t *testing.T) {
	cs := dryRunAwareClientset(failedJob())
	cs.PrependReactor("create", "jobs", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errInvalidForTest
	})
	_, stderr, code := runRerun(t, cs, "etl", "--replace")
	if code != 1 || !strings.Contains(stderr, "was not deleted") {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "delete" {
			t.Error("deleted the old Job although the new one was refused")
		}
	}
}

func TestRerunFailedIndexesOnly(t *testing.T) {
	j := failedJob()
	j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	j.Spec.Completions = ptr.To[int32](4)
	j.Spec.BackoffLimitPerIndex = ptr.To[int32](0)
	j.Status.CompletedIndexes, j.Status.FailedIndexes = "0,2", ptr.To("1,3")
	cs := dryRunAwareClientset(j)
	_, stderr, code := runRerun(t, cs, "etl", "--failed-indexes-only", "--name=etl-retry", "--renumber")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	created, _ := createdJobs(cs)
	if c := created[0]; *c.Spec.Completions != 2 || c.Annotations[jobspec.AnnotationOriginalIndexes] != "1,3" {
		t.Errorf("rerun %+v", c.Spec)
	}
	if !strings.Contains(stderr, "runs 2 of 4 indexes (1,3) as indexes 0-1 (old→new: 1→0, 3→1)") {
		t.Errorf("stderr %q", stderr)
	}

	// The default keeps the numbers: created suspended, status written, resumed.
	cs = dryRunAwareClientset(j)
	_, stderr, code = runRerun(t, cs, "etl", "--failed-indexes-only", "--name=etl-kept")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	created, _ = createdJobs(cs)
	if c := created[0]; *c.Spec.Completions != 4 || !ptr.Deref(c.Spec.Suspend, false) || c.Annotations[jobspec.AnnotationCarriedIndexes] != "0,2" {
		t.Errorf("created %+v %v", c.Spec, c.Annotations)
	}
	var patches []string
	for _, a := range cs.Actions() {
		if p, ok := a.(clienttesting.PatchAction); ok {
			patches = append(patches, p.GetSubresource()+" "+string(p.GetPatch()))
		}
	}
	wantPatches := []string{`status {"metadata":{"uid":""},"status":{"completedIndexes":"0,2","succeeded":2}}`, ` {"metadata":{"uid":""},"spec":{"suspend":false}}`}
	if diff := cmp.Diff(wantPatches, patches); diff != "" {
		t.Errorf("patches (-want +got):\n%s", diff)
	}
	if _, stderr, code = runRerun(t, dryRunAwareClientset(j), "etl", "--renumber"); code != 1 || !strings.Contains(stderr, "--renumber only applies with --failed-indexes-only") {
		t.Errorf("--renumber alone: exit %d stderr %q", code, stderr)
	}
	// Only failed Jobs have failed indexes to rerun.
	ok := finishedJob("fine", batchv1.JobComplete)
	_, stderr, code = runRerun(t, dryRunAwareClientset(ok), "fine", "--failed-indexes-only")
	if code != 1 || !strings.Contains(stderr, "but job fine is Complete") {
		t.Errorf("complete: exit %d stderr %q", code, stderr)
	}
}

func TestRerunBadInput(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"a", "b"},
		{"etl", "--name=x", "--replace"},
		{"etl", "--name=x", "--generate-name"},
		{"etl", "--name=Bad_Name"},
		{"etl", "--name=etl"},
		{"etl", "--wait", "--dry-run=client"},
		{"etl", "--restart=Always"},
	} {
		cs := dryRunAwareClientset(failedJob())
		_, stderr, code := runRerun(t, cs, args...)
		if code != 1 || len(cs.Actions()) != 0 {
			t.Errorf("%v: exit %d, %d requests, stderr %q", args, code, len(cs.Actions()), stderr)
		}
	}
}

func TestRerunDryRunClientYAML(t *testing.T) {
	cs := dryRunAwareClientset(failedJob())
	stdout, stderr, code := runRerun(t, cs, "etl", "--dry-run=client", "-o", "yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkJobGolden(t, "rerun-dry-run-client.yaml", stdout)
	if created, dry := createdJobs(cs); len(created)+len(dry) != 0 {
		t.Error("dry run created a Job")
	}
}

var errInvalidForTest = &invalidErr{}

type invalidErr struct{}

func (*invalidErr) Error() string { return "spec.template: Invalid value" }
