// Package kube fetches what the explain engine needs from the API: a Job, its
// pods and their events. It is the one place that knows how to find a Job's
// pods; commands never build that selector themselves.
package kube

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// Pod labels the job controller sets; the job-name one lets one request find
// the pods of many Jobs at once (list, prune).
const (
	LabelControllerUID = "batch.kubernetes.io/controller-uid"
	LabelJobName       = "batch.kubernetes.io/job-name"
)

// PodSelector returns the selector of a Job's pods: spec.selector (which the
// API server fills with the controller-uid label), or, for a Job read from a
// file without one, its controller-uid.
func PodSelector(job *batchv1.Job) (labels.Selector, error) {
	if job.Spec.Selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
		if err != nil {
			return nil, fmt.Errorf("job %s/%s has an invalid selector: %w", job.Namespace, job.Name, err)
		}
		if !sel.Empty() {
			return sel, nil
		}
	}
	return labels.SelectorFromSet(labels.Set{LabelControllerUID: string(job.UID)}), nil
}

// OwnedBy reports whether pod belongs to the Job with uid: the selector finds
// candidates, the controller owner reference decides (a user may label an
// unrelated pod with the same labels).
func OwnedBy(pod *corev1.Pod, uid types.UID) bool {
	if ref := metav1.GetControllerOf(pod); ref != nil {
		return ref.UID == uid
	}
	return pod.Labels[LabelControllerUID] == string(uid)
}

// ListJobPods lists the pods of one Job with one request, unpaginated like
// kubectl describe's, so that explaining a Job costs the same number of
// requests whether it has 10 pods or 10,000.
func ListJobPods(ctx context.Context, client Client, job *batchv1.Job) ([]corev1.Pod, error) {
	sel, err := PodSelector(job)
	if err != nil {
		return nil, err
	}
	list, err := client.CoreV1().Pods(job.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	owned := list.Items[:0]
	for i := range list.Items {
		if OwnedBy(&list.Items[i], job.UID) {
			owned = append(owned, list.Items[i])
		}
	}
	return owned, nil
}

// ListJobEvents returns the events of the Job and of its pods in two
// requests, whatever the number of pods: the Job's by involvedObject.uid, the
// pods' by involvedObject.kind=Pod filtered here by UID.
func ListJobEvents(ctx context.Context, client Client, job *batchv1.Job, pods []corev1.Pod) ([]corev1.Event, error) {
	jobEvents, err := client.CoreV1().Events(job.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.uid", string(job.UID)).String(),
	})
	if err != nil {
		return nil, err
	}
	// The server filters by UID; so does this, so that fake clientsets
	// (which ignore field selectors) agree with real clusters.
	var events []corev1.Event
	for _, ev := range jobEvents.Items {
		if ev.InvolvedObject.UID == job.UID {
			events = append(events, ev)
		}
	}
	if len(pods) == 0 {
		return events, nil
	}
	podUIDs := make(map[types.UID]bool, len(pods))
	for i := range pods {
		podUIDs[pods[i].UID] = true
	}
	podEvents, err := client.CoreV1().Events(job.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.kind", "Pod").String(),
	})
	if err != nil {
		return events, err
	}
	for _, ev := range podEvents.Items {
		if podUIDs[ev.InvolvedObject.UID] {
			events = append(events, ev)
		}
	}
	return events, nil
}
