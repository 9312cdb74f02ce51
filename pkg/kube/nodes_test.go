package kube

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestNodesForUnschedulable(t *testing.T) {
	unschedulable := []corev1.Pod{{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse}}}}}
	nodes := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}

	client := fake.NewClientset(nodes)
	if got := NodesForUnschedulable(context.Background(), client, []corev1.Pod{{}}); got != nil || len(client.Actions()) != 0 {
		t.Errorf("no unschedulable pod: got %v after %d requests", got, len(client.Actions()))
	}
	if got := NodesForUnschedulable(context.Background(), client, unschedulable); len(got) != 1 || len(client.Actions()) != 1 {
		t.Errorf("got %d nodes after %d requests, want 1 after 1", len(got), len(client.Actions()))
	}

	forbidden := fake.NewClientset(nodes)
	forbidden.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", nil)
	})
	if got := NodesForUnschedulable(context.Background(), forbidden, unschedulable); got != nil {
		t.Errorf("forbidden: got %v, want nil (skipped quietly)", got)
	}
}
