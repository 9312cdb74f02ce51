package printers

import (
	"io"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
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

// JobTypeSetter fills in apiVersion and kind of the Jobs a command prints
// with -o (typed clients return them empty). Its scheme holds batch/v1 only
// (kubectl's full scheme would cost every command's start-up its init) and
// is built on first use.
var JobTypeSetter = sync.OnceValue(func() *cliprinters.TypeSetterPrinter {
	s := runtime.NewScheme()
	utilruntime.Must(batchv1.AddToScheme(s))
	return cliprinters.NewTypeSetter(s)
})
