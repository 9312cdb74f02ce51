package logs

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// deletionCauses attributes deleted pods from the Job's events (whether the
// job controller's SuccessfulDelete names them): one request, made only when
// an attempt was deleted. Unreadable events leave the causes inferred from
// the Job's state.
func deletionCauses(ctx context.Context, client kube.Client, job *batchv1.Job, all []Attempt) {
	var deleted []int
	for i := range all {
		if all[i].Cause.Class.Deletion() {
			deleted = append(deleted, i)
		}
	}
	if len(deleted) == 0 {
		return
	}
	events, err := kube.ListJobEvents(ctx, client, job, nil)
	if err != nil {
		return
	}
	if events == nil {
		events = []corev1.Event{}
	}
	for _, i := range deleted {
		all[i].Cause = explain.PodCause(job, all[i].Pod, events)
	}
}
