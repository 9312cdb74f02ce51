package kube

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The names shell completion offers, each read with one request.

// JobNames lists the names of the Jobs of a namespace.
func JobNames(ctx context.Context, client Client, namespace string) ([]string, error) {
	list, err := client.BatchV1().Jobs(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return objectNames(list)
}

// CronJobNames lists the names of the CronJobs of a namespace.
func CronJobNames(ctx context.Context, client Client, namespace string) ([]string, error) {
	list, err := client.BatchV1().CronJobs(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return objectNames(list)
}

// NamespaceNames lists the cluster's namespaces.
func NamespaceNames(ctx context.Context, client Client, _ string) ([]string, error) {
	list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return objectNames(list)
}

// ContainerNames returns a function listing the containers of the named
// Job's pod template, init containers first.
func ContainerNames(job string) func(ctx context.Context, client Client, namespace string) ([]string, error) {
	return func(ctx context.Context, client Client, namespace string) ([]string, error) {
		j, err := client.BatchV1().Jobs(namespace).Get(ctx, job, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, c := range append(j.Spec.Template.Spec.InitContainers, j.Spec.Template.Spec.Containers...) {
			names = append(names, c.Name)
		}
		return names, nil
	}
}

// objectNames returns the names of a list's items.
func objectNames(list runtime.Object) ([]string, error) {
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		if m, err := meta.Accessor(item); err == nil {
			names = append(names, m.GetName())
		}
	}
	return names, nil
}
