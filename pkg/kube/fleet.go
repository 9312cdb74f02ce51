package kube

import (
	"context"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// FetchedJobs are many Jobs, each with the evidence FetchJob reads for one,
// ready for explain.Explain, plus what could not be read.
type FetchedJobs struct {
	Inputs []explain.Input
	// Problems are reads that failed after the Jobs were read; the evidence
	// they would have given is marked unknown in every Input.
	Problems []error
}

// FetchJobs reads the Jobs of scope ("" for every namespace) matching
// selector ("" for all) with the evidence kubectl job explain NAME reads for
// one, at a cost independent of their number: one Jobs list, one pods list,
// one events list (each paged by chunkSize), and only when needed one nodes
// list (an unschedulable pod) and one CronJobs list (a Job a CronJob owns).
// The only per-Job requests are for Jobs whose pods carry no job-name label
// (spec.manualSelector), which cannot be found by label. A failed Jobs list
// is an error; the other reads are Problems.
func FetchJobs(ctx context.Context, client Client, scope, selector string, chunkSize int64, now time.Time) (*FetchedJobs, error) {
	list, _, err := ListJobs(ctx, client, scope, metav1.ListOptions{LabelSelector: selector, Limit: chunkSize})
	if err != nil {
		return nil, err
	}
	out := &FetchedJobs{Inputs: make([]explain.Input, len(list))}
	jobs := make([]*batchv1.Job, len(list))
	for i := range list {
		jobs[i] = &list[i]
		out.Inputs[i] = explain.Input{Job: jobs[i], Now: now}
	}
	if len(jobs) == 0 {
		return out, nil
	}

	pods, err := podsOfFleet(ctx, client, scope, jobs, chunkSize)
	if err != nil {
		out.Problems = append(out.Problems, NewReadError("list", "pods", scope, err))
	}
	var allPods []corev1.Pod
	podJob := map[types.UID]types.UID{}
	for i, j := range jobs {
		p, ok := pods[j.UID]
		if !ok {
			out.Inputs[i].PodsUnknown = true
			continue
		}
		out.Inputs[i].Pods = p
		for _, pod := range p {
			podJob[pod.UID] = j.UID
		}
		allPods = append(allPods, p...)
	}

	events, err := eventsOf(ctx, client, scope, podJob, chunkSize)
	if err != nil {
		out.Problems = append(out.Problems, NewReadError("list", "events", scope, err))
	}
	nodes := NodesForUnschedulable(ctx, client, allPods)
	cronJobs := ownerCronJobs(ctx, client, scope, jobs)
	for i, j := range jobs {
		in := &out.Inputs[i]
		in.Events, in.EventsUnknown = events[j.UID], err != nil
		in.Nodes = nodes
		if ref := metav1.GetControllerOf(j); ref != nil && ref.Kind == "CronJob" {
			in.CronJob = cronJobs[ref.UID]
		}
	}
	return out, nil
}

// podsOfFleet reads the pods of jobs in one (paged) list for the scope, and
// one list per Job whose pods cannot be found by label. A Job whose pods
// were not read has no entry.
func podsOfFleet(ctx context.Context, client Client, scope string, jobs []*batchv1.Job, chunkSize int64) (PodJoin, error) {
	out, err := ListPodsOfJobs(ctx, client, scope, jobs, chunkSize*podPageFactor)
	if err != nil {
		return PodJoin{}, err
	}
	for _, j := range jobs {
		if PodsFindableByLabel(j) {
			continue
		}
		p, err := ListJobPods(ctx, client, j)
		if err != nil {
			return out, err
		}
		out[j.UID] = p
	}
	return out, nil
}

// eventsOf reads the events of scope in one (paged) list and keeps, by Job
// UID, those about a Job or one of its pods (podJob maps pod UID to Job UID).
func eventsOf(ctx context.Context, client Client, scope string, podJob map[types.UID]types.UID, chunkSize int64) (map[types.UID][]corev1.Event, error) {
	out := map[types.UID][]corev1.Event{}
	err := eachListItem(ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return client.CoreV1().Events(scope).List(ctx, opts)
	}, metav1.ListOptions{Limit: chunkSize}, func() { clear(out) }, func(obj runtime.Object) error {
		ev := obj.(*corev1.Event)
		uid := ev.InvolvedObject.UID
		if ev.InvolvedObject.Kind == "Pod" {
			if uid = podJob[uid]; uid == "" {
				return nil
			}
		} else if ev.InvolvedObject.Kind != "Job" {
			return nil
		}
		ev.ManagedFields = nil
		out[uid] = append(out[uid], *ev)
		return nil
	})
	return out, err
}

// ownerCronJobs reads the CronJobs of scope, by UID, when one of jobs is
// owned by one (one request); nil otherwise or when they cannot be read, which
// the explanations then say, as with ownerCronJob.
func ownerCronJobs(ctx context.Context, client Client, scope string, jobs []*batchv1.Job) map[types.UID]*batchv1.CronJob {
	owned := false
	for _, j := range jobs {
		if ref := metav1.GetControllerOf(j); ref != nil && ref.Kind == "CronJob" {
			owned = true
			break
		}
	}
	if !owned {
		return nil
	}
	list, err := client.BatchV1().CronJobs(scope).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	out := make(map[types.UID]*batchv1.CronJob, len(list.Items))
	for i := range list.Items {
		out[list.Items[i].UID] = &list.Items[i]
	}
	return out
}
