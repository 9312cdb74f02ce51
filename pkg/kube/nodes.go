package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodesForUnschedulable reads the cluster's nodes in one request when a pod
// is unschedulable, so explain can say which of the pod's own settings
// matches no node. Nodes are cluster-scoped and many users may not list
// them: any error returns nil and is not reported (the explanation then
// quotes the scheduler alone).
func NodesForUnschedulable(ctx context.Context, client Client, pods []corev1.Pod) []corev1.Node {
	if !anyUnschedulable(pods) {
		return nil
	}
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil
	}
	if list.Items == nil {
		return []corev1.Node{}
	}
	return list.Items
}

func anyUnschedulable(pods []corev1.Pod) bool {
	for i := range pods {
		for _, c := range pods[i].Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && pods[i].DeletionTimestamp == nil {
				return true
			}
		}
	}
	return false
}
