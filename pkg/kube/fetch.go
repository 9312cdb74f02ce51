package kube

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Fetched is a Job with its pods and events, ready for explain.Explain, plus
// what could not be read. Partial reads are not errors: the commands show what
// they could read and name what was forbidden.
type Fetched struct {
	Input explain.Input
	// Problems are reads that failed after the Job itself was read, such as
	// "cannot list events in namespace x: forbidden".
	Problems []error
}

// FetchJob reads a Job, its pods and their events: at most 4 requests
// whatever the number of pods, and a fifth, for nodes, when a pod is
// unschedulable. A Job that cannot be read is an error; pods or
// events that cannot be read are Problems.
func FetchJob(ctx context.Context, client kubernetes.Interface, namespace, name string, now time.Time) (*Fetched, error) {
	job, err := client.BatchV1().Jobs(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	out := &Fetched{Input: explain.Input{Job: job, Now: now}}
	pods, err := ListJobPods(ctx, client, job)
	if err != nil {
		out.Input.PodsUnknown = true
		out.Problems = append(out.Problems, NewReadError("list", "pods", namespace, err))
	}
	out.Input.Pods = pods
	out.Input.Nodes = NodesForUnschedulable(ctx, client, pods)
	events, err := ListJobEvents(ctx, client, job, pods)
	if err != nil {
		out.Input.EventsUnknown = true
		out.Problems = append(out.Problems, NewReadError("list", "events", namespace, err))
	}
	out.Input.Events = events
	return out, nil
}
