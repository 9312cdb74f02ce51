package jobspec

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubectl/pkg/scheme"
	"k8s.io/kubectl/pkg/util"
	"k8s.io/utils/ptr"
)

// TestSetLastAppliedMatchesKubectl: the annotation is byte for byte what
// kubectl create --save-config writes (kubectl is the oracle, test-only),
// with and without --save-config and an annotation from the manifest.
func TestSetLastAppliedMatchesKubectl(t *testing.T) {
	job := func(annotations map[string]string) *batchv1.Job {
		return &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: "ns", Annotations: annotations, Labels: map[string]string{"a": "b"}},
			Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](2), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "pi", Image: "perl", Command: []string{"perl", "-e", "print 1"}}}}}},
		}
	}
	for _, save := range []bool{false, true} {
		for name, annotations := range map[string]map[string]string{
			"none":         nil,
			"other":        {"team": "ml"},
			"last-applied": {corev1.LastAppliedConfigAnnotation: `{"old":true}`, "team": "ml"},
		} {
			got, want := job(annotations), job(annotations)
			if err := SetLastApplied(got, save); err != nil {
				t.Fatal(err)
			}
			if err := util.CreateOrUpdateAnnotation(save, want, scheme.DefaultJSONEncoder()); err != nil {
				t.Fatal(err)
			}
			if g, w := got.Annotations[corev1.LastAppliedConfigAnnotation], want.Annotations[corev1.LastAppliedConfigAnnotation]; g != w || len(got.Annotations) != len(want.Annotations) {
				t.Errorf("save %v, %s:\n got %q (%d annotations)\nwant %q (%d)", save, name, g, len(got.Annotations), w, len(want.Annotations))
			}
		}
	}
}
