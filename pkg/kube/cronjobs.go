package kube

import (
	"context"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// FetchedCronJob is a CronJob with its Jobs and events, ready for
// cronexplain.Explain, plus what could not be read.
type FetchedCronJob struct {
	Input    cronexplain.Input
	Problems []error
}

// FetchCronJob reads a CronJob, its Jobs, the pods of those still running,
// the events of the CronJob and its Jobs and the namespace's ResourceQuotas:
// at most 5 requests whatever the number of Jobs. Pods are not read: each run's verdict comes
// from its Job's conditions and counters. Jobs or events that cannot be read
// are Problems.
func FetchCronJob(ctx context.Context, client Client, namespace, name string, now time.Time) (*FetchedCronJob, error) {
	cj, err := client.BatchV1().CronJobs(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	out := &FetchedCronJob{Input: cronexplain.Input{CronJob: cj, Now: now, PodsUnknown: true}}
	jobs, err := client.BatchV1().Jobs(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		out.Problems = append(out.Problems, NewReadError("list", "jobs", namespace, err))
	} else {
		out.Input.Jobs = OwnedJobs(jobs.Items, cj.UID)
	}
	// The pods of the runs still going, in one request, so their verdicts
	// say Pending or Running from the pods; finished runs need none.
	var live []string
	for i := range out.Input.Jobs {
		if j := &out.Input.Jobs[i]; j.Status.CompletionTime == nil && !jobFinished(j) {
			live = append(live, string(j.UID))
		}
	}
	if len(live) > 0 {
		sel := "batch.kubernetes.io/controller-uid in (" + strings.Join(live, ",") + ")"
		if pods, err := client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel}); err == nil {
			out.Input.Pods, out.Input.PodsUnknown = pods.Items, false
		} else {
			out.Problems = append(out.Problems, NewReadError("list", "pods", namespace, err))
		}
	}
	events, err := cronJobEvents(ctx, client, namespace, cj.UID, out.Input.Jobs)
	if err != nil {
		out.Input.EventsUnknown = true
		out.Problems = append(out.Problems, NewReadError("list", "events", namespace, err))
	}
	out.Input.Events = events
	if quotas, err := client.CoreV1().ResourceQuotas(namespace).List(ctx, metav1.ListOptions{}); err == nil {
		out.Input.Quotas = quotas.Items
	} // not being allowed to read quotas only loses a hint
	return out, nil
}

func jobFinished(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// OwnedJobs keeps the Jobs whose controller is the CronJob with uid.
func OwnedJobs(jobs []batchv1.Job, uid types.UID) []batchv1.Job {
	var out []batchv1.Job
	for i := range jobs {
		if ref := metav1.GetControllerOf(&jobs[i]); ref != nil && ref.Kind == "CronJob" && ref.UID == uid {
			out = append(out, jobs[i])
		}
	}
	return out
}

// cronJobEvents lists the events of the CronJob and of its Jobs in one
// request (involvedObject.kind in the namespace would take two), filtered
// here by UID.
func cronJobEvents(ctx context.Context, client Client, namespace string, uid types.UID, jobs []batchv1.Job) ([]corev1.Event, error) {
	list, err := client.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermNotEqualSelector("involvedObject.kind", "Pod").String(),
	})
	if err != nil {
		return nil, err
	}
	keep := map[types.UID]bool{uid: true}
	for i := range jobs {
		keep[jobs[i].UID] = true
	}
	var out []corev1.Event
	for _, ev := range list.Items {
		if keep[ev.InvolvedObject.UID] {
			out = append(out, ev)
		}
	}
	return out, nil
}

// CronJobList is the CronJobs of a namespace and their Jobs.
type CronJobList struct {
	CronJobs []batchv1.CronJob
	Jobs     []batchv1.Job
	// Problems are reads that failed after the CronJobs were read.
	Problems []error
}

// ListCronJobs reads the CronJobs of a namespace ("" for all) and the Jobs:
// 2 requests whatever the count. Jobs that cannot be read are a Problem.
func ListCronJobs(ctx context.Context, client Client, namespace string) (*CronJobList, error) {
	cjs, err := client.BatchV1().CronJobs(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := &CronJobList{CronJobs: cjs.Items}
	jobs, err := client.BatchV1().Jobs(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		out.Problems = append(out.Problems, NewReadError("list", "jobs", namespace, err))
		return out, nil
	}
	out.Jobs = jobs.Items
	return out, nil
}

// CronJobExists reports whether namespace has a CronJob called name (one
// request), for the hint after a Job of that name is not found.
func CronJobExists(ctx context.Context, client Client, namespace, name string) bool {
	_, err := client.BatchV1().CronJobs(namespace).Get(ctx, name, metav1.GetOptions{})
	return err == nil
}
