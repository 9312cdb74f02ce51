package kube

import (
	"context"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
// whatever the number of pods, a fifth, for nodes, when a pod is
// unschedulable, and one more for the owning CronJob of a Job that has one.
// A Job that cannot be read is an error; pods or
// events that cannot be read are Problems.
func FetchJob(ctx context.Context, client Client, namespace, name string, now time.Time) (*Fetched, error) {
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
	out.Input.CronJob = ownerCronJob(ctx, client, job)
	return out, nil
}

// ownerCronJob reads the CronJob that owns job (one request, only for such
// Jobs), for its history limits; nil when there is none or it cannot be read,
// which the explanation says without failing the command.
func ownerCronJob(ctx context.Context, client Client, job *batchv1.Job) *batchv1.CronJob {
	ref := metav1.GetControllerOf(job)
	if ref == nil || ref.Kind != "CronJob" {
		return nil
	}
	cj, err := client.BatchV1().CronJobs(job.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil || cj.UID != ref.UID {
		return nil
	}
	return cj
}
