package kube

import (
	"context"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// podPageFactor makes the pages of the pods list this many times the Jobs'
// chunk size. Every page of a paginated list costs the API server another
// pass over its cache: on the bench fleet, the 4,300 pods of live Jobs among
// 12,000 took 1.3-2.5 s in 9 pages of 500 and 0.5 s in one. Pods are most of
// list's time, and their pages are filtered as they arrive, so bigger ones
// cost the client little.
const podPageFactor = 10

// Evidence is how much more than the Jobs a fleet's verdicts read.
type Evidence int

const (
	// JobsOnly reads nothing more: -o name needs no verdict refined by pods.
	JobsOnly Evidence = iota
	// RowEvidence reads the pods of the live Jobs whose kubectl job list row
	// they can change (explain.ListRowNeedsPods): list's table.
	RowEvidence
	// AllEvidence reads the pods of every live Job: -o wide's MESSAGE, and
	// prune, which keeps live Jobs whatever their pods say but shows the
	// verdicts explain shows.
	AllEvidence
)

// needsPods says whether ev reads the pods of job, explained without them as e.
func (ev Evidence) needsPods(job *batchv1.Job, e *explain.JobExplanation) bool {
	switch ev {
	case RowEvidence:
		return explain.ListRowNeedsPods(job, e)
	case AllEvidence:
		return !e.Verdict.Phase.Finished()
	}
	return false
}

// ExplainJobs judges many listed Jobs with the evidence kubectl job explain
// uses, at a cost independent of their number: every Job is first judged on
// its own; only the live Jobs ev asks pods for have them read (requests by
// namespace and name, ListPodsOfJobs, pages of chunkSize*podPageFactor); and
// only if one of those is then Pending without pods are the scope's
// FailedCreate Job events read (one more request), so a quota-blocked Job
// says FailedCreate here as in explain. A read that fails leaves that
// evidence unknown to the engine and is returned as a ReadError: those
// verdicts are then from the Jobs alone.
func ExplainJobs(ctx context.Context, client Client, scope string, jobs []*batchv1.Job, chunkSize int64, ev Evidence, now time.Time) ([]*explain.JobExplanation, error) {
	f := &fleetVerdicts{now: now, evidence: ev}
	need := f.judge(jobs)
	if len(need) == 0 {
		return f.out, nil
	}
	pods, err := ListPodsOfJobs(ctx, client, scope, need, chunkSize*podPageFactor)
	if err != nil {
		return f.out, NewReadError("list", "pods", scope, err)
	}
	return f.out, f.refine(ctx, client, scope, pods)
}

// fleetVerdicts is the verdicts of many Jobs, judged first on their own,
// then refined with the pods of those that need them.
type fleetVerdicts struct {
	now      time.Time
	evidence Evidence
	jobs     []*batchv1.Job
	inputs   []explain.Input
	out      []*explain.JobExplanation
}

// judge explains jobs without pods or events and returns those whose pods
// f.evidence asks for.
func (f *fleetVerdicts) judge(jobs []*batchv1.Job) (need []*batchv1.Job) {
	for _, j := range jobs {
		in := explain.Input{Job: j, Now: f.now, PodsUnknown: true, EventsUnknown: true}
		e := explain.Explain(in)
		f.jobs, f.inputs, f.out = append(f.jobs, j), append(f.inputs, in), append(f.out, e)
		if f.evidence.needsPods(j, e) {
			need = append(need, j)
		}
	}
	return need
}

// refine explains again, with their pods, the Jobs pods has an entry for,
// and with the scope's FailedCreate events those then Pending without pods.
func (f *fleetVerdicts) refine(ctx context.Context, client Client, scope string, pods PodJoin) error {
	var podless []int
	for i, j := range f.jobs {
		p, ok := pods[j.UID]
		if !ok {
			continue
		}
		f.inputs[i].Pods, f.inputs[i].PodsUnknown = p, false
		f.out[i] = explain.Explain(f.inputs[i])
		if f.out[i].Verdict.Phase == explain.PhasePending && len(p) == 0 {
			podless = append(podless, i)
		}
	}
	if len(podless) == 0 {
		return nil
	}
	events, err := failedCreateEvents(ctx, client, scope)
	if err != nil {
		return NewReadError("list", "events", scope, err)
	}
	for _, i := range podless {
		f.inputs[i].Events, f.inputs[i].EventsUnknown = events[f.jobs[i].UID], false
		f.out[i] = explain.Explain(f.inputs[i])
	}
	return nil
}

// failedCreateEvents reads the job controller's FailedCreate events of the
// scope's Jobs in one request, by Job UID (the field selector is a server
// filter; the UID join is what decides).
func failedCreateEvents(ctx context.Context, client Client, scope string) (map[types.UID][]corev1.Event, error) {
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
func PodsOfJobs(ctx context.Context, client Client, scope string, jobs []*batchv1.Job) (PodJoin, error) {
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
