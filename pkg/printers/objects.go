package printers

import (
	"io"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
)

// PrintJobObjects prints Jobs themselves through a cli-runtime printer (-o
// json, yaml, name, jsonpath), with their TypeMeta, so kubectl can read them
// back: one object per Job when each is printed alone (one name asked for,
// or -o name, whose printer takes no lists), otherwise a v1 List.
func PrintJobObjects(w io.Writer, p cliprinters.ResourcePrinter, jobs []*batchv1.Job, each bool) error {
	if each {
		for _, j := range jobs {
			if err := p.PrintObj(TypedJob(j), w); err != nil {
				return err
			}
		}
		return nil
	}
	list := &corev1.List{TypeMeta: metav1.TypeMeta{Kind: "List", APIVersion: "v1"}}
	for _, j := range jobs {
		list.Items = append(list.Items, runtime.RawExtension{Object: TypedJob(j)})
	}
	return p.PrintObj(list, w)
}

// TypedJob returns a copy of job with its apiVersion and kind, which typed
// clients leave empty.
func TypedJob(job *batchv1.Job) *batchv1.Job {
	j := job.DeepCopy()
	j.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("Job"))
	return j
}

// AsUnstructured wraps p so it gets objects as kubectl get hands them to its
// printers, unstructured (a Job, or a List of Jobs, as its JSON reads):
// kubectl's custom-columns printer reads typed objects by reflection, so it
// would show pointer addresses and Go's time format.
func AsUnstructured(p cliprinters.ResourcePrinter) cliprinters.ResourcePrinter {
	return cliprinters.ResourcePrinterFunc(func(obj runtime.Object, w io.Writer) error {
		if !meta.IsListType(obj) {
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
			if err != nil {
				return err
			}
			return p.PrintObj(&unstructured.Unstructured{Object: u}, w)
		}
		items, err := meta.ExtractList(obj)
		if err != nil {
			return err
		}
		list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List"}}
		for _, item := range items {
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(item)
			if err != nil {
				return err
			}
			list.Items = append(list.Items, unstructured.Unstructured{Object: u})
		}
		return p.PrintObj(list, w)
	})
}
