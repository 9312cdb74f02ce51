package printers

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubectl/pkg/cmd/get"
	"k8s.io/utils/ptr"
)

// TestCustomColumnsMatchKubectl: kubectl get's own custom-columns printer
// (test-only here) is the oracle, over a Job and a List of Jobs as
// unstructured objects, as kubectl get hands them to it.
func TestCustomColumnsMatchKubectl(t *testing.T) {
	job := func(name string, labels map[string]string, completions *int32) *batchv1.Job {
		j := TypedJob(&batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels, CreationTimestamp: metav1.Unix(1800000000, 0)},
			Spec: batchv1.JobSpec{Completions: completions, BackoffLimit: ptr.To[int32](6), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "a", Image: "busybox"}, {Name: "b", Image: "alpine"}}}}},
			Status: batchv1.JobStatus{Succeeded: 2},
		})
		return j
	}
	list := &corev1.List{TypeMeta: metav1.TypeMeta{Kind: "List", APIVersion: "v1"}}
	for _, j := range []*batchv1.Job{job("a", map[string]string{"team": "ml"}, ptr.To[int32](3)), job("a-much-longer-name", nil, nil)} {
		list.Items = append(list.Items, runtime.RawExtension{Object: j})
	}
	specs := []string{
		"NAME:.metadata.name,TEAM:.metadata.labels.team",
		"NAME:metadata.name,COMPLETIONS:{.spec.completions},OK:{status.succeeded},BACKOFF:.spec.backoffLimit",
		"IMAGES:.spec.template.spec.containers[*].image,FIRST:.spec.template.spec.containers[0].name,CREATED:.metadata.creationTimestamp",
		"LABELS:.metadata.labels,MISSING:.status.nothing,EMPTY:",
	}
	for _, spec := range specs {
		for _, noHeaders := range []bool{false, true} {
			for _, obj := range []runtime.Object{list, list.Items[0].Object} {
				ours, err := NewCustomColumns(spec, noHeaders)
				if err != nil {
					t.Fatalf("%s: %v", spec, err)
				}
				theirs, err := get.NewCustomColumnsPrinterFromSpec(spec, nil, noHeaders)
				if err != nil {
					t.Fatalf("%s: kubectl: %v", spec, err)
				}
				var got, want bytes.Buffer
				if err := ours.PrintObj(obj, &got); err != nil {
					t.Fatal(err)
				}
				u, err := toUnstructuredForKubectl(obj)
				if err != nil {
					t.Fatal(err)
				}
				if err := theirs.PrintObj(u, &want); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() || got.Len() == 0 {
					t.Errorf("%s (no headers %v):\n got %q\nwant %q", spec, noHeaders, got.String(), want.String())
				}
			}
		}
	}
	for _, bad := range []string{"", "NAME", "NAME:{.a}}", "A:.x,B"} {
		_, ours := NewCustomColumns(bad, false)
		_, theirs := get.NewCustomColumnsPrinterFromSpec(bad, nil, false)
		if ours == nil || theirs == nil || ours.Error() != theirs.Error() {
			t.Errorf("%q: error %v, kubectl's %v", bad, ours, theirs)
		}
	}
	file := "NAME   TEAM\n.metadata.name   .metadata.labels.team\n"
	ours, err := NewCustomColumnsFromFile(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := get.NewCustomColumnsPrinterFromTemplate(strings.NewReader(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got, want bytes.Buffer
	u, _ := toUnstructuredForKubectl(list)
	if err := ours.PrintObj(list, &got); err != nil {
		t.Fatal(err)
	}
	if err := theirs.PrintObj(u, &want); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("file:\n got %q\nwant %q", got.String(), want.String())
	}
}

// toUnstructuredForKubectl is what kubectl get hands its printer: the
// objects as their JSON reads.
func toUnstructuredForKubectl(obj runtime.Object) (runtime.Object, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	if u.IsList() {
		return u.ToList()
	}
	return u, nil
}
