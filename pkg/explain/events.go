package explain

import (
	"cmp"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// mergeEvents keeps the events of the Job and its pods (by involved object
// UID, so a fake clientset that ignores field selectors and a real cluster
// agree), merges repeats, and orders them warnings first, newest first.
func mergeEvents(job *batchv1.Job, pods []*podView, events []corev1.Event) []EventSummary {
	podUIDs := make(map[types.UID]string, len(pods))
	podNames := make(map[string]bool, len(pods))
	for _, v := range pods {
		if v.pod.UID != "" {
			podUIDs[v.pod.UID] = v.pod.Name
		}
		podNames[v.pod.Name] = true
	}
	type key struct{ typ, reason, object, message string }
	merged := map[key]*EventSummary{}
	var order []key
	for i := range events {
		ev := &events[i]
		object := ""
		io := ev.InvolvedObject
		switch {
		case io.Kind == "Job" && sameObject(io, job.UID, job.Name, job.Namespace):
			object = "job/" + job.Name
		case io.Kind == "Pod" && io.UID != "" && podUIDs[io.UID] != "":
			object = "pod/" + podUIDs[io.UID]
		case io.Kind == "Pod" && io.UID == "" && podNames[io.Name] && (io.Namespace == "" || io.Namespace == job.Namespace):
			object = "pod/" + io.Name
		default:
			continue
		}
		k := key{ev.Type, ev.Reason, object, ev.Message}
		count := max(ev.Count, 1)
		if ev.Series != nil && ev.Series.Count > count {
			count = ev.Series.Count
		}
		last := eventTime(ev)
		if s, ok := merged[k]; ok {
			s.Count += count
			if last.After(s.Last.Time) {
				s.Last = last
			}
			continue
		}
		merged[k] = &EventSummary{Type: ev.Type, Reason: ev.Reason, Object: object, Message: ev.Message, Count: count, Last: last}
		order = append(order, k)
	}
	out := make([]EventSummary, 0, len(order))
	for _, k := range order {
		out = append(out, *merged[k])
	}
	slices.SortStableFunc(out, func(a, b EventSummary) int {
		aw, bw := a.Type == corev1.EventTypeWarning, b.Type == corev1.EventTypeWarning
		if aw != bw {
			if aw {
				return -1
			}
			return 1
		}
		if c := b.Last.Compare(a.Last.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Object+a.Reason+a.Message, b.Object+b.Reason+b.Message)
	})
	return out
}

func sameObject(ref corev1.ObjectReference, uid types.UID, name, namespace string) bool {
	if ref.UID != "" && uid != "" {
		return ref.UID == uid
	}
	// Objects saved to a file may have lost their UIDs.
	return ref.Name == name && (ref.Namespace == "" || ref.Namespace == namespace)
}

// eventTime is the latest of the times an event may carry (core/v1 events
// written by events/v1 clients have only eventTime and series).
func eventTime(ev *corev1.Event) metav1.Time {
	t := ev.LastTimestamp
	if ev.Series != nil && ev.Series.LastObservedTime.After(t.Time) {
		t = metav1.NewTime(ev.Series.LastObservedTime.Time)
	}
	if ev.EventTime.After(t.Time) {
		t = metav1.NewTime(ev.EventTime.Time)
	}
	if t.IsZero() {
		t = ev.FirstTimestamp
	}
	if t.IsZero() {
		t = ev.CreationTimestamp
	}
	return t
}
