package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// managedBy hands the fleet's Jobs to "another controller" (this program),
// so the job controller leaves them alone and their status is what we write:
// 2,000 finished Jobs appear in a minute instead of being run for real.
const managedBy = "kubectl-job.io/bench"

// kind is one shape of Job in the fleet, with what its pods look like.
type kind struct {
	name     string
	perNS    int // Jobs of this kind in each namespace
	build    func(j *batchv1.Job)
	podsOf   func(j *batchv1.Job, at time.Time) []podFate
	statusOf func(j *batchv1.Job, pods []podFate, at time.Time) batchv1.JobStatus
	// real, when set, makes the kind's Jobs real ones, run by the job
	// controller, scheduler and KWOK (real adjusts their template), so
	// kubectl job list reads their pods as it would in any cluster: the
	// bench-written kinds are finished, External or Suspended, which their
	// spec and conditions decide.
	real func(j *batchv1.Job)
	// realPods is how many pods each real Job keeps.
	realPods int
}

// podFate is the status the bench writes for one pod.
type podFate struct {
	phase    corev1.PodPhase
	index    int // completion index, -1 for NonIndexed
	exitCode int32
	reason   string // terminated reason, or the waiting reason of a Pending pod
	started  time.Time
	finished time.Time
}

// fleetKinds is the fleet of one namespace: 500 Jobs and ~2,400 pods in every
// phase and for every reason explain knows.
func fleetKinds() []kind {
	return []kind{
		{name: "complete", perNS: 290, build: completions(3, 3), podsOf: attempts(3, 0, -1), statusOf: finished(batchv1.JobComplete, "CompletionsReached")},
		{name: "indexed", perNS: 4, build: indexed(120, 20), podsOf: attempts(120, 0, 0), statusOf: finished(batchv1.JobComplete, "CompletionsReached")},
		{name: "backoff", perNS: 40, build: completions(1, 1, withBackoff(2)), podsOf: attempts(0, 3, -1), statusOf: finished(batchv1.JobFailed, "BackoffLimitExceeded")},
		{name: "deadline", perNS: 15, build: completions(1, 1, withDeadline(600)), podsOf: attempts(0, 1, -1), statusOf: finished(batchv1.JobFailed, "DeadlineExceeded")},
		{name: "podfailure", perNS: 15, build: completions(1, 1, withExitRule(42)), podsOf: failedWith(42), statusOf: finished(batchv1.JobFailed, "PodFailurePolicy")},
		{name: "maxfailed", perNS: 6, build: indexed(100, 10, withPerIndex(1, 3)), podsOf: perIndexFailures(60, 4), statusOf: finished(batchv1.JobFailed, "MaxFailedIndexesExceeded")},
		{name: "running", perNS: 80, build: completions(10, 4, withDeadline(3600)), real: runsAnHour, realPods: 4},
		{name: "pending", perNS: 10, build: completions(1, 1), real: unschedulable, realPods: 1},
		{name: "pullerror", perNS: 10, build: completions(1, 1), real: pullError, realPods: 1},
		{name: "suspended", perNS: 30, build: completions(5, 5, suspended), podsOf: nil, statusOf: suspendedStatus},
	}
}

type option func(*batchv1.Job)

func completions(c, p int32, opts ...option) func(*batchv1.Job) {
	return func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To(c), ptr.To(p)
		for _, o := range opts {
			o(j)
		}
	}
}

func indexed(c, p int32, opts ...option) func(*batchv1.Job) {
	return completions(c, p, append([]option{func(j *batchv1.Job) {
		j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	}}, opts...)...)
}

func withBackoff(n int32) option { return func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To(n) } }

func withDeadline(s int64) option {
	return func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To(s) }
}

func withExitRule(code int32) option {
	return func(j *batchv1.Job) {
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
			Action:          batchv1.PodFailurePolicyActionFailJob,
			OnExitCodes:     &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{code}},
			OnPodConditions: nil,
		}}}
	}
}

func withPerIndex(limit, maxFailed int32) option {
	return func(j *batchv1.Job) {
		j.Spec.BackoffLimitPerIndex, j.Spec.MaxFailedIndexes = ptr.To(limit), ptr.To(maxFailed)
	}
}

func suspended(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }

// attempts gives succeeded and failed pods (failed ones retried earlier);
// index >= 0 numbers the succeeded pods as completion indexes.
func attempts(succeeded, failed, index int) func(*batchv1.Job, time.Time) []podFate {
	return func(_ *batchv1.Job, at time.Time) []podFate {
		var out []podFate
		t := at.Add(-30 * time.Minute)
		for i := 0; i < failed; i++ {
			out = append(out, podFate{phase: corev1.PodFailed, index: -1, exitCode: 1, reason: "Error", started: t, finished: t.Add(time.Minute)})
			t = t.Add(2 * time.Minute)
		}
		for i := 0; i < succeeded; i++ {
			idx := -1
			if index >= 0 {
				idx = i
			}
			out = append(out, podFate{phase: corev1.PodSucceeded, index: idx, reason: "Completed", started: t, finished: t.Add(time.Minute)})
		}
		return out
	}
}

func failedWith(code int32) func(*batchv1.Job, time.Time) []podFate {
	return func(_ *batchv1.Job, at time.Time) []podFate {
		return []podFate{{phase: corev1.PodFailed, index: -1, exitCode: code, reason: "Error", started: at.Add(-20 * time.Minute), finished: at.Add(-19 * time.Minute)}}
	}
}

// perIndexFailures: the first `ok` indexes succeed, then `bad` indexes fail
// twice each (backoffLimitPerIndex 1), which exceeds maxFailedIndexes 3.
func perIndexFailures(ok, bad int) func(*batchv1.Job, time.Time) []podFate {
	return func(_ *batchv1.Job, at time.Time) []podFate {
		var out []podFate
		t := at.Add(-40 * time.Minute)
		for i := 0; i < ok; i++ {
			out = append(out, podFate{phase: corev1.PodSucceeded, index: i, reason: "Completed", started: t, finished: t.Add(time.Minute)})
		}
		for i := ok; i < ok+bad; i++ {
			for try := 0; try < 2; try++ {
				out = append(out, podFate{phase: corev1.PodFailed, index: i, exitCode: 3, reason: "Error", started: t, finished: t.Add(time.Minute)})
			}
		}
		return out
	}
}

// realLabel marks the pods of the real kinds, which the bench waits for.
const realLabel = "kubectl-job.io/bench-real"

// runsAnHour: KWOK runs the pods for an hour, on a node chosen here (the
// scheduler need not place thousands of them).
func runsAnHour(j *batchv1.Job) {
	j.Spec.Template.Annotations["sim.kubectl-job.io/duration"] = "1h"
	j.Spec.Template.Spec.NodeName = fmt.Sprintf("kwok-node-%d", len(j.Namespace+j.Name)%2)
}

// unschedulable asks for a node label no node has.
func unschedulable(j *batchv1.Job) {
	j.Spec.Template.Spec.NodeSelector = map[string]string{"kubectl-job.io/no-such-node": "true"}
}

// pullError has KWOK fail the image pull (hack/cluster/kwok-stages.yaml).
func pullError(j *batchv1.Job) {
	j.Spec.Template.Annotations["sim.kubectl-job.io/outcome"] = "image-pull-error"
}

// count returns how many pods end in each phase.
func count(pods []podFate) (succeeded, failed, active int32) {
	for _, p := range pods {
		switch p.phase {
		case corev1.PodSucceeded:
			succeeded++
		case corev1.PodFailed:
			failed++
		default:
			active++
		}
	}
	return
}

// indexSets returns status.completedIndexes and status.failedIndexes.
func indexSets(j *batchv1.Job, pods []podFate) (completed, failed *string) {
	if j.Spec.CompletionMode == nil || *j.Spec.CompletionMode != batchv1.IndexedCompletion {
		return nil, nil
	}
	var ok, bad []int
	seenBad := map[int]bool{}
	for _, p := range pods {
		switch {
		case p.phase == corev1.PodSucceeded:
			ok = append(ok, p.index)
		case p.phase == corev1.PodFailed && p.index >= 0 && !seenBad[p.index]:
			seenBad[p.index] = true
			bad = append(bad, p.index)
		}
	}
	c := ranges(ok)
	completed = &c
	if j.Spec.BackoffLimitPerIndex != nil {
		f := ranges(bad)
		failed = &f
	}
	return completed, failed
}

// ranges formats sorted indexes the way the controller does: "0-59,61".
func ranges(idx []int) string {
	out := ""
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if out != "" {
			out += ","
		}
		if j == i {
			out += strconv.Itoa(idx[i])
		} else {
			out += strconv.Itoa(idx[i]) + "-" + strconv.Itoa(idx[j])
		}
		i = j + 1
	}
	return out
}

func cond(t batchv1.JobConditionType, reason, msg string, at time.Time) batchv1.JobCondition {
	return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: msg,
		LastProbeTime: metav1.NewTime(at), LastTransitionTime: metav1.NewTime(at)}
}

// finished writes what the job controller writes at the end: the interim
// condition (SuccessCriteriaMet / FailureTarget) and then the terminal one.
func finished(t batchv1.JobConditionType, reason string) func(*batchv1.Job, []podFate, time.Time) batchv1.JobStatus {
	return func(j *batchv1.Job, pods []podFate, at time.Time) batchv1.JobStatus {
		s, f, _ := count(pods)
		end := at.Add(-10 * time.Minute)
		st := batchv1.JobStatus{
			StartTime: ptr.To(metav1.NewTime(at.Add(-45 * time.Minute))),
			Succeeded: s, Failed: f, Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0),
			UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
		}
		st.CompletedIndexes, st.FailedIndexes = indexSetsValue(j, pods)
		if t == batchv1.JobComplete {
			st.CompletionTime = ptr.To(metav1.NewTime(end))
			st.Conditions = []batchv1.JobCondition{
				cond(batchv1.JobSuccessCriteriaMet, reason, "Reached expected number of succeeded pods", end),
				cond(batchv1.JobComplete, reason, "Reached expected number of succeeded pods", end),
			}
			return st
		}
		msg := map[string]string{
			"BackoffLimitExceeded":     "Job has reached the specified backoff limit",
			"DeadlineExceeded":         "Job was active longer than specified deadline",
			"PodFailurePolicy":         "Container main for pod x failed with exit code 42 matching FailJob rule at index 0",
			"MaxFailedIndexesExceeded": "Job has exceeded the specified maximal number of failed indexes",
		}[reason]
		st.Conditions = []batchv1.JobCondition{
			cond(batchv1.JobFailureTarget, reason, msg, end),
			cond(batchv1.JobFailed, reason, msg, end),
		}
		return st
	}
}

func indexSetsValue(j *batchv1.Job, pods []podFate) (string, *string) {
	c, f := indexSets(j, pods)
	if c == nil {
		return "", nil
	}
	return *c, f
}

func active(j *batchv1.Job, pods []podFate, at time.Time) batchv1.JobStatus {
	s, f, a := count(pods)
	st := batchv1.JobStatus{
		StartTime: ptr.To(metav1.NewTime(at.Add(-30 * time.Minute))),
		Active:    a, Succeeded: s, Failed: f, Terminating: ptr.To[int32](0),
		UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
	}
	ready := int32(0)
	for _, p := range pods {
		if p.phase == corev1.PodRunning {
			ready++
		}
	}
	st.Ready = &ready
	st.CompletedIndexes, st.FailedIndexes = indexSetsValue(j, pods)
	return st
}

func suspendedStatus(_ *batchv1.Job, _ []podFate, at time.Time) batchv1.JobStatus {
	return batchv1.JobStatus{
		Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0),
		Conditions: []batchv1.JobCondition{cond(batchv1.JobSuspended, "JobSuspended", "Job suspended", at.Add(-time.Hour))},
	}
}

// newJob is a Job owned by the bench (managedBy) or, with managed=false, by
// the real job controller.
func newJob(namespace, name string, managed bool) *batchv1.Job {
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app": "bench"}},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "main", Image: "bench/batch:1", Command: []string{"run"}}},
				},
			},
		},
	}
	if managed {
		j.Spec.ManagedBy = ptr.To(managedBy)
		j.Spec.Template.Annotations["sim.kubectl-job.io/outcome"] = "external"
	}
	return j
}

// podFor builds a pod of a bench-managed Job, the way the job controller names
// and labels them, placed on a simulated node (KWOK leaves it alone: outcome
// external).
func podFor(j *batchv1.Job, f podFate, n, nodes int) *corev1.Pod {
	labels := map[string]string{}
	for k, v := range j.Spec.Template.Labels {
		labels[k] = v
	}
	annotations := map[string]string{"sim.kubectl-job.io/outcome": "external"}
	name := fmt.Sprintf("%s-%05d", j.Name, n)
	if f.index >= 0 {
		idx := strconv.Itoa(f.index)
		labels["batch.kubernetes.io/job-completion-index"] = idx
		annotations["batch.kubernetes.io/job-completion-index"] = idx
		name = fmt.Sprintf("%s-%s-%05d", j.Name, idx, n)
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: j.Namespace, Labels: labels, Annotations: annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(j, batchv1.SchemeGroupVersion.WithKind("Job"))},
		},
		Spec: *j.Spec.Template.Spec.DeepCopy(),
	}
	p.Spec.NodeName = fmt.Sprintf("kwok-node-%d", n%nodes)
	return p
}

// podStatus is the status a kubelet would have written for the fate.
func podStatus(f podFate) corev1.PodStatus {
	st := corev1.PodStatus{Phase: f.phase, StartTime: ptr.To(metav1.NewTime(f.started))}
	cs := corev1.ContainerStatus{Name: "main", Image: "bench/batch:1"}
	switch f.phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: f.exitCode, Reason: f.reason,
			StartedAt: metav1.NewTime(f.started), FinishedAt: metav1.NewTime(f.finished)}
		st.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "PodCompleted", LastTransitionTime: metav1.NewTime(f.finished)}}
	case corev1.PodRunning:
		cs.Ready, cs.Started = true, ptr.To(true)
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(f.started)}
		st.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(f.started)}}
	}
	st.ContainerStatuses = []corev1.ContainerStatus{cs}
	return st
}

// fleetCounts is what populate made.
type fleetCounts struct {
	jobs, pods, realJobs, realPods atomic.Int64
}

// createManagedJob creates one bench-managed Job with its pods and writes
// their status and the Job's.
func createManagedJob(ctx context.Context, c kubernetes.Interface, j *batchv1.Job, k kind, nodes int, at time.Time, counts *fleetCounts) error {
	k.build(j)
	if k.real != nil {
		real := newJob(j.Namespace, j.Name, false)
		real.Spec.Completions, real.Spec.Parallelism = j.Spec.Completions, j.Spec.Parallelism
		real.Spec.ActiveDeadlineSeconds = j.Spec.ActiveDeadlineSeconds
		real.Spec.Template.Labels = map[string]string{realLabel: "true"}
		k.real(real)
		if _, err := c.BatchV1().Jobs(j.Namespace).Create(ctx, real, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating job %s/%s: %w", j.Namespace, j.Name, err)
		}
		counts.realJobs.Add(1)
		counts.realPods.Add(int64(k.realPods))
		return nil
	}
	created, err := c.BatchV1().Jobs(j.Namespace).Create(ctx, j, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating job %s/%s: %w", j.Namespace, j.Name, err)
	}
	counts.jobs.Add(1)
	var fates []podFate
	if k.podsOf != nil {
		fates = k.podsOf(created, at)
	}
	for n, f := range fates {
		p, err := c.CoreV1().Pods(j.Namespace).Create(ctx, podFor(created, f, n, nodes), metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("creating pod of job %s/%s: %w", j.Namespace, j.Name, err)
		}
		p.Status = podStatus(f)
		if _, err := c.CoreV1().Pods(j.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("writing status of pod %s/%s: %w", p.Namespace, p.Name, err)
		}
		counts.pods.Add(1)
	}
	created.Status = k.statusOf(created, fates, at)
	if _, err := c.BatchV1().Jobs(j.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("writing status of job %s/%s: %w", j.Namespace, j.Name, err)
	}
	return nil
}

// parallel runs fn on items with n workers and returns the first error.
func parallel[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan T)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := fn(ctx, it); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return firstErr
}
