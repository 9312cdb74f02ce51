package kube

import (
	"context"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// podPageFactor makes the pages of the pods list this many times the Jobs'
// chunk size. Every page of a paginated list costs the API server another
// pass over its cache: on the bench fleet, the 4,300 pods of live Jobs among
// 12,000 took 1.3-2.5 s in 9 pages of 500 and 0.5 s in one. Pods are most of
// list's time, and their pages are filtered as they arrive, so bigger ones
// cost the client little.
const podPageFactor = 10

// ExplainJobs judges many listed Jobs with the evidence kubectl job explain
// uses, at a cost independent of their number: every Job is first judged on
// its own; only if some are live are their pods read (one paginated request
// for the scope, pages of chunkSize*podPageFactor); and only if a live Job
// is then Pending without pods are the scope's FailedCreate Job events read
// (one more request), so a quota-blocked Job says FailedCreate here as in
// explain. With jobsOnly nothing more is read (-o name needs no verdict
// refined by pods). A read that fails leaves that evidence unknown to the engine and
// is returned as a ReadError: the verdicts are then from the Jobs alone.
func ExplainJobs(ctx context.Context, client kubernetes.Interface, scope string, jobs []*batchv1.Job, chunkSize int64, jobsOnly bool, now time.Time) ([]*explain.JobExplanation, error) {
	inputs := make([]explain.Input, len(jobs))
	out := make([]*explain.JobExplanation, len(jobs))
	var live []*batchv1.Job
	for i, j := range jobs {
		inputs[i] = explain.Input{Job: j, Now: now, PodsUnknown: true, EventsUnknown: true}
		out[i] = explain.Explain(inputs[i])
		if !out[i].Verdict.Phase.Finished() {
			live = append(live, j)
		}
	}
	if len(live) == 0 || jobsOnly {
		return out, nil
	}
	pods, err := ListPodsOfJobs(ctx, client, scope, live, chunkSize*podPageFactor)
	if err != nil {
		return out, NewReadError("list", "pods", scope, err)
	}
	var podless []int
	for i := range jobs {
		p, ok := pods[jobs[i].UID]
		if !ok {
			continue
		}
		inputs[i].Pods, inputs[i].PodsUnknown = p, false
		out[i] = explain.Explain(inputs[i])
		if out[i].Verdict.Phase == explain.PhasePending && len(p) == 0 {
			podless = append(podless, i)
		}
	}
	if len(podless) == 0 {
		return out, nil
	}
	events, err := failedCreateEvents(ctx, client, scope)
	if err != nil {
		return out, NewReadError("list", "events", scope, err)
	}
	for _, i := range podless {
		inputs[i].Events, inputs[i].EventsUnknown = events[jobs[i].UID], false
		out[i] = explain.Explain(inputs[i])
	}
	return out, nil
}

// failedCreateEvents reads the job controller's FailedCreate events of the
// scope's Jobs in one request, by Job UID (the field selector is a server
// filter; the UID join is what decides).
func failedCreateEvents(ctx context.Context, client kubernetes.Interface, scope string) (map[types.UID][]corev1.Event, error) {
	sel := fields.AndSelectors(
		fields.OneTermEqualSelector("involvedObject.kind", "Job"),
		fields.OneTermEqualSelector("reason", string(explain.ReasonFailedCreate)),
	)
	list, err := client.CoreV1().Events(scope).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	out := map[types.UID][]corev1.Event{}
	for _, ev := range list.Items {
		out[ev.InvolvedObject.UID] = append(out[ev.InvolvedObject.UID], ev)
	}
	return out, nil
}

// PodsOfJobs reads the pods of jobs for commands that act on each of them
// (delete): one request per Job for a few, one for the scope for many (plus
// one per Job whose pods carry no job-name label). Every Job has an entry
// unless an error stopped the reads.
func PodsOfJobs(ctx context.Context, client kubernetes.Interface, scope string, jobs []*batchv1.Job) (PodJoin, error) {
	out := PodJoin{}
	rest := jobs
	if len(jobs) > 3 {
		byLabel, err := ListPodsOfJobs(ctx, client, scope, jobs, 500)
		if err != nil {
			return out, err
		}
		rest = nil
		for _, j := range jobs {
			if p, ok := byLabel[j.UID]; ok {
				out[j.UID] = p
			} else {
				rest = append(rest, j)
			}
		}
	}
	for _, j := range rest {
		p, err := ListJobPods(ctx, client, j)
		if err != nil {
			return out, err
		}
		out[j.UID] = p
	}
	return out, nil
}
