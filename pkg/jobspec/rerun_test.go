package jobspec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// oldJob is a finished Job as the API server returns it: identity, status,
// generated selector and labels, server-set annotations.
func oldJob() *batchv1.Job {
	selLabels := map[string]string{
		"batch.kubernetes.io/controller-uid": "old-uid", "batch.kubernetes.io/job-name": "etl",
		"controller-uid": "old-uid", "job-name": "etl",
	}
	podLabels := map[string]string{"app": "etl"}
	jobLabels := map[string]string{"app": "etl"}
	for k, v := range selLabels {
		podLabels[k] = v
		jobLabels[k] = v
	}
	return &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "etl", Namespace: "ns", UID: "old-uid", ResourceVersion: "42", Generation: 1,
			CreationTimestamp: metav1.Now(),
			Labels:            jobLabels,
			Annotations: map[string]string{
				"owner": "data-team",
				"kubectl.kubernetes.io/last-applied-configuration": "{}",
				"batch.kubernetes.io/cronjob-scheduled-timestamp":  "2026-01-01T03:00:00Z",
			},
			OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "cj", Controller: ptr.To(true)},
			},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager"}},
		},
		Spec: batchv1.JobSpec{
			BackoffLimit:   ptr.To[int32](2),
			Suspend:        ptr.To(false),
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "old-uid"}},
			ManualSelector: nil,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: map[string]string{"sim.kubectl-job.io/outcome": "fail"}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "etl", Image: "etl:1"}},
				},
			},
		},
		Status: batchv1.JobStatus{Failed: 3, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}},
	}
}

func TestRerun(t *testing.T) {
	got, notes, err := Rerun(oldJob(), RerunOptions{GenerateName: true, Knobs: Knobs{Image: "etl:2", Env: []string{"RETRY=1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 {
		t.Errorf("notes: %v", notes)
	}
	want := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "etl-rerun-", Namespace: "ns",
			Labels: map[string]string{"app": "etl"},
			Annotations: map[string]string{
				"owner":                             "data-team",
				"kubectl-job.io/rerun-of":           "ns/etl/old-uid",
				"cronjob.kubernetes.io/instantiate": "manual",
			},
			OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "cj", Controller: ptr.To(true)},
			},
		},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To[int32](2),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "etl"}, Annotations: map[string]string{"sim.kubectl-job.io/outcome": "fail"}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "etl", Image: "etl:2", Env: []corev1.EnvVar{{Name: "RETRY", Value: "1"}}}},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rerun (-want +got):\n%s", diff)
	}
}

func TestRerunNaming(t *testing.T) {
	if got, _, _ := Rerun(oldJob(), RerunOptions{Name: "etl-2"}); got.Name != "etl-2" || got.GenerateName != "" {
		t.Errorf("--name: %q %q", got.Name, got.GenerateName)
	}
	if got, _, _ := Rerun(oldJob(), RerunOptions{}); got.Name != "etl" {
		t.Errorf("--replace keeps the name: %q", got.Name)
	}
	long := strings.Repeat("a", 63)
	if p := RerunNamePrefix(long); len(p)+5 > 63 || !strings.HasSuffix(p, "-rerun-") {
		t.Errorf("prefix %q too long", p)
	}
}

func TestRerunKeepsManualSelector(t *testing.T) {
	old := oldJob()
	old.Spec.ManualSelector = ptr.To(true)
	old.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "etl"}}
	got, _, err := Rerun(old, RerunOptions{Name: "etl-2"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Selector == nil || got.Spec.Selector.MatchLabels["app"] != "etl" {
		t.Errorf("manual selector dropped: %v", got.Spec.Selector)
	}
}

func TestRerunSuspendOverride(t *testing.T) {
	old := oldJob()
	old.Spec.Suspend = ptr.To(true)
	got, _, _ := Rerun(old, RerunOptions{Name: "x"})
	if got.Spec.Suspend != nil {
		t.Errorf("a rerun runs: suspend = %v", *got.Spec.Suspend)
	}
	got, _, _ = Rerun(old, RerunOptions{Name: "x", Knobs: Knobs{Suspend: ptr.To(true)}})
	if !ptr.Deref(got.Spec.Suspend, false) {
		t.Error("--suspend ignored")
	}
}

func indexedFailed(completed string, completions int32) *batchv1.Job {
	j := oldJob()
	j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	j.Spec.Completions = ptr.To(completions)
	j.Spec.Parallelism = ptr.To(completions)
	j.Spec.BackoffLimitPerIndex = ptr.To[int32](1)
	j.Spec.MaxFailedIndexes = ptr.To(completions)
	j.Spec.BackoffLimit = nil
	j.Status.CompletedIndexes = completed
	return j
}

func TestRerunFailedIndexesOnlyKeepsNumbers(t *testing.T) {
	old := indexedFailed("0,2,4-5", 7) // 1, 3 and 6 did not succeed
	old.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To[int32](5)}}}
	got, notes, err := Rerun(old, RerunOptions{GenerateName: true, FailedIndexesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// Same completions, parallelism and policies: index numbers mean what they meant.
	if diff := cmp.Diff(old.Spec.Completions, got.Spec.Completions); diff != "" || ptr.Deref(got.Spec.Parallelism, 0) != 7 || got.Spec.SuccessPolicy == nil {
		t.Errorf("spec changed: completions %v parallelism %v successPolicy %v", got.Spec.Completions, got.Spec.Parallelism, got.Spec.SuccessPolicy)
	}
	carried, n, err := CarriedIndexes(got)
	if carried != "0,2,4-5" || n != 4 || err != nil {
		t.Errorf("CarriedIndexes = %q, %d, %v; want the old completedIndexes", carried, n, err)
	}
	if _, ok := got.Annotations[AnnotationOriginalIndexes]; ok || len(got.Spec.Template.Spec.Containers[0].Env) != 0 {
		t.Error("renumbering annotations or env set without --renumber")
	}
	if len(notes) != 1 || notes[0] != "runs indexes 1,3,6 of 7 under their own numbers; indexes 0,2,4-5 are marked completed (status.completedIndexes) before it starts" {
		t.Errorf("notes = %q", notes)
	}
	// A rerun of the rerun carries what this one carried plus what it did.
	again := got.DeepCopy()
	again.Status.CompletedIndexes = "0-3,4-5"
	if next, _, err := Rerun(again, RerunOptions{GenerateName: true, FailedIndexesOnly: true}); err != nil || next.Annotations[AnnotationCarriedIndexes] != "0-5" {
		t.Errorf("rerun of a rerun: %v %v", next.Annotations, err)
	}
}

func TestRerunFailedIndexesOnlyRenumbered(t *testing.T) {
	old := indexedFailed("0,2,4-5", 7) // 1, 3 and 6 did not succeed
	old.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To[int32](5)}}}
	got, notes, err := Rerun(old, RerunOptions{GenerateName: true, FailedIndexesOnly: true, Renumber: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := ptr.Deref(got.Spec.Completions, 0); c != 3 {
		t.Errorf("completions = %d, want 3", c)
	}
	if p := ptr.Deref(got.Spec.Parallelism, 0); p != 3 {
		t.Errorf("parallelism = %d, want 3", p)
	}
	if m := ptr.Deref(got.Spec.MaxFailedIndexes, 0); m != 3 {
		t.Errorf("maxFailedIndexes = %d, want 3 (capped at completions)", m)
	}
	if got.Spec.SuccessPolicy != nil {
		t.Error("successPolicy naming old indexes kept")
	}
	if a := got.Annotations[AnnotationOriginalIndexes]; a != "1,3,6" {
		t.Errorf("annotation = %q", a)
	}
	if a := got.Spec.Template.Annotations[AnnotationOriginalIndexes]; a != "1,3,6" {
		t.Errorf("pod annotation = %q", a)
	}
	env := got.Spec.Template.Spec.Containers[0].Env
	if diff := cmp.Diff([]corev1.EnvVar{{Name: EnvOriginalIndexes, Value: "1,3,6"}}, env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "runs 3 of 7 indexes (1,3,6) as indexes 0-2 (old→new: 1→0, 3→1, 6→2)") {
		t.Errorf("notes = %q", notes)
	}
}

func TestRerunFailedIndexesOnlyErrors(t *testing.T) {
	if _, _, err := Rerun(oldJob(), RerunOptions{FailedIndexesOnly: true}); err == nil || !strings.Contains(err.Error(), "needs an Indexed Job") {
		t.Errorf("NonIndexed: %v", err)
	}
	if _, _, err := Rerun(indexedFailed("0-3", 4), RerunOptions{FailedIndexesOnly: true}); err == nil || !strings.Contains(err.Error(), "has no failed indexes") {
		t.Errorf("all succeeded: %v", err)
	}
	if _, _, err := Rerun(indexedFailed("0-x", 4), RerunOptions{FailedIndexesOnly: true}); err == nil || !strings.Contains(err.Error(), "completedIndexes") {
		t.Errorf("bad status: %v", err)
	}
}

func TestRerunIndexes(t *testing.T) {
	for _, tt := range []struct {
		completed string
		n         int32
		want      []int
	}{
		{"", 3, []int{0, 1, 2}},
		{"1", 3, []int{0, 2}},
		{"0-2", 3, nil},
		{"0,3-4", 6, []int{1, 2, 5}},
	} {
		got, err := RerunIndexes(indexedFailed(tt.completed, tt.n))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q of %d (-want +got):\n%s", tt.completed, tt.n, diff)
		}
	}
}
