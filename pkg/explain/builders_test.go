package explain

import (
	"fmt"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// now is the fixed clock of every engine test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }

// jobBuilder builds a Job as the API server would default it.
type jobBuilder struct{ j *batchv1.Job }

func newJob(name string) *jobBuilder {
	uid := types.UID("uid-" + name)
	return &jobBuilder{j: &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: uid, CreationTimestamp: ago(30 * time.Minute),
			Labels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid)}},
		Spec: batchv1.JobSpec{
			Completions:          ptrTo[int32](1),
			Parallelism:          ptrTo[int32](1),
			BackoffLimit:         ptrTo[int32](6),
			CompletionMode:       ptrTo(batchv1.NonIndexedCompletion),
			Suspend:              ptrTo(false),
			PodReplacementPolicy: ptrTo(batchv1.TerminatingOrFailed),
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid)}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "main", Image: "busybox"}}}},
		},
		Status: batchv1.JobStatus{Terminating: ptrTo[int32](0), Ready: ptrTo[int32](0),
			UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{}},
	}}
}

func (b *jobBuilder) build() *batchv1.Job { return b.j }

func (b *jobBuilder) completions(n int32) *jobBuilder { b.j.Spec.Completions = &n; return b }
func (b *jobBuilder) noCompletions() *jobBuilder      { b.j.Spec.Completions = nil; return b }
func (b *jobBuilder) parallelism(n int32) *jobBuilder { b.j.Spec.Parallelism = &n; return b }
func (b *jobBuilder) backoffLimit(n int32) *jobBuilder {
	b.j.Spec.BackoffLimit = &n
	return b
}
func (b *jobBuilder) indexed() *jobBuilder {
	b.j.Spec.CompletionMode = ptrTo(batchv1.IndexedCompletion)
	return b
}
func (b *jobBuilder) perIndex(limit int32, maxFailed *int32) *jobBuilder {
	b.j.Spec.BackoffLimitPerIndex, b.j.Spec.MaxFailedIndexes = &limit, maxFailed
	b.j.Spec.BackoffLimit = ptrTo[int32](2147483647)
	return b.indexed()
}
func (b *jobBuilder) deadline(s int64) *jobBuilder { b.j.Spec.ActiveDeadlineSeconds = &s; return b }
func (b *jobBuilder) ttl(s int32) *jobBuilder      { b.j.Spec.TTLSecondsAfterFinished = &s; return b }
func (b *jobBuilder) onFailure() *jobBuilder {
	b.j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	return b
}
func (b *jobBuilder) suspend() *jobBuilder           { b.j.Spec.Suspend = ptrTo(true); return b }
func (b *jobBuilder) managedBy(s string) *jobBuilder { b.j.Spec.ManagedBy = &s; return b }
func (b *jobBuilder) replacement(p batchv1.PodReplacementPolicy) *jobBuilder {
	b.j.Spec.PodReplacementPolicy = &p
	return b
}
func (b *jobBuilder) podFailurePolicy(rules ...batchv1.PodFailurePolicyRule) *jobBuilder {
	b.j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: rules}
	return b.replacement(batchv1.Failed)
}
func (b *jobBuilder) successPolicy(rules ...batchv1.SuccessPolicyRule) *jobBuilder {
	b.j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: rules}
	return b
}
func (b *jobBuilder) started(d time.Duration) *jobBuilder {
	t := ago(d)
	b.j.Status.StartTime = &t
	return b
}
func (b *jobBuilder) completed(d time.Duration) *jobBuilder {
	t := ago(d)
	b.j.Status.CompletionTime = &t
	return b
}
func (b *jobBuilder) cond(t batchv1.JobConditionType, status corev1.ConditionStatus, reason, msg string, d time.Duration) *jobBuilder {
	b.j.Status.Conditions = append(b.j.Status.Conditions, batchv1.JobCondition{Type: t, Status: status, Reason: reason,
		Message: msg, LastTransitionTime: ago(d), LastProbeTime: ago(d)})
	return b
}
func (b *jobBuilder) condTrue(t batchv1.JobConditionType, reason, msg string, d time.Duration) *jobBuilder {
	return b.cond(t, corev1.ConditionTrue, reason, msg, d)
}

// failed adds FailureTarget and Failed, as the 1.31+ controller does.
func (b *jobBuilder) failed(reason, msg string, d time.Duration) *jobBuilder {
	return b.condTrue(batchv1.JobFailureTarget, reason, msg, d).condTrue(batchv1.JobFailed, reason, msg, d)
}

// complete adds SuccessCriteriaMet and Complete and sets completionTime.
func (b *jobBuilder) complete(reason, msg string, d time.Duration) *jobBuilder {
	return b.condTrue(batchv1.JobSuccessCriteriaMet, reason, msg, d).condTrue(batchv1.JobComplete, reason, msg, d).completed(d)
}
func (b *jobBuilder) counts(active, ready, succeeded, failed int32) *jobBuilder {
	b.j.Status.Active, b.j.Status.Ready, b.j.Status.Succeeded, b.j.Status.Failed = active, &ready, succeeded, failed
	return b
}
func (b *jobBuilder) terminating(n *int32) *jobBuilder { b.j.Status.Terminating = n; return b }
func (b *jobBuilder) indexes(completed, failed string) *jobBuilder {
	b.j.Status.CompletedIndexes = completed
	if failed != "" {
		b.j.Status.FailedIndexes = &failed
	}
	return b
}
func (b *jobBuilder) deleting(d time.Duration) *jobBuilder {
	t := ago(d)
	b.j.DeletionTimestamp = &t
	return b
}
func (b *jobBuilder) cronJob(name string) *jobBuilder {
	b.j.OwnerReferences = append(b.j.OwnerReferences, metav1.OwnerReference{APIVersion: "batch/v1", Kind: "CronJob", Name: name,
		UID: "uid-cj", Controller: ptrTo(true)})
	return b
}

// podBuilder builds a pod of a Job.
type podBuilder struct{ p *corev1.Pod }

func newPod(job *batchv1.Job, name string, created time.Duration) *podBuilder {
	return &podBuilder{p: &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: job.Namespace, UID: types.UID("uid-" + name), CreationTimestamp: ago(created),
			Labels:          map[string]string{"batch.kubernetes.io/controller-uid": string(job.UID), "batch.kubernetes.io/job-name": job.Name},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID, Controller: ptrTo(true)}}},
		Spec:   corev1.PodSpec{NodeName: "kwok-node-0", RestartPolicy: job.Spec.Template.Spec.RestartPolicy},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}}
}

func (b *podBuilder) build() corev1.Pod { return *b.p }

func (b *podBuilder) with(f func(p *corev1.Pod)) *podBuilder { f(b.p); return b }

func (b *podBuilder) index(i int) *podBuilder {
	if b.p.Annotations == nil {
		b.p.Annotations = map[string]string{}
	}
	b.p.Annotations[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(i)
	return b
}
func (b *podBuilder) failureCount(n int) *podBuilder {
	b.p.Annotations[batchv1.JobIndexFailureCountAnnotation] = strconv.Itoa(n)
	return b
}
func (b *podBuilder) running(started time.Duration) *podBuilder {
	t := ago(started)
	b.p.Status.Phase, b.p.Status.StartTime = corev1.PodRunning, &t
	b.p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t}}}}
	return b
}
func (b *podBuilder) terminated(phase corev1.PodPhase, exit int32, reason string, started, finished time.Duration) *podBuilder {
	st, ft := ago(started), ago(finished)
	b.p.Status.Phase, b.p.Status.StartTime = phase, &st
	b.p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Reason: reason, StartedAt: st, FinishedAt: ft}}}}
	return b
}
func (b *podBuilder) succeeded(started, finished time.Duration) *podBuilder {
	return b.terminated(corev1.PodSucceeded, 0, "Completed", started, finished)
}
func (b *podBuilder) failed(exit int32, started, finished time.Duration) *podBuilder {
	return b.terminated(corev1.PodFailed, exit, "Error", started, finished)
}
func (b *podBuilder) restarts(n int32, lastExit int32) *podBuilder {
	cs := &b.p.Status.ContainerStatuses[0]
	cs.RestartCount = n
	cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: lastExit, Reason: "Error"}
	return b
}
func (b *podBuilder) unschedulable(msg string) *podBuilder {
	b.p.Spec.NodeName = ""
	return b.condition(corev1.PodScheduled, corev1.ConditionFalse, "Unschedulable", msg)
}
func (b *podBuilder) waiting(reason, msg string) *podBuilder {
	b.p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	return b
}
func (b *podBuilder) condition(t corev1.PodConditionType, s corev1.ConditionStatus, reason, msg string) *podBuilder {
	b.p.Status.Conditions = append(b.p.Status.Conditions, corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: msg,
		LastTransitionTime: ago(time.Minute)})
	return b
}
func (b *podBuilder) deleting(d time.Duration) *podBuilder {
	t := ago(d)
	b.p.DeletionTimestamp, b.p.DeletionGracePeriodSeconds = &t, ptrTo[int64](30)
	return b
}

// event builds an event about obj ("job" or "pod") named name.
func event(job *batchv1.Job, kind, name, typ, reason, msg string, last time.Duration, count int32) corev1.Event {
	uid := job.UID
	if kind == "Pod" {
		uid = types.UID("uid-" + name)
	}
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("%s.%s.%d", name, reason, last), Namespace: job.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name, Namespace: job.Namespace, UID: uid},
		Type:           typ, Reason: reason, Message: msg, Count: count,
		FirstTimestamp: ago(last + time.Minute), LastTimestamp: ago(last),
	}
}

func pods(bs ...*podBuilder) []corev1.Pod {
	out := make([]corev1.Pod, len(bs))
	for i, b := range bs {
		out[i] = b.build()
	}
	return out
}

func exitRule(action batchv1.PodFailurePolicyAction, container string, codes ...int32) batchv1.PodFailurePolicyRule {
	r := batchv1.PodFailurePolicyRule{Action: action, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
		Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: codes}}
	if container != "" {
		r.OnExitCodes.ContainerName = &container
	}
	return r
}

func condRule(action batchv1.PodFailurePolicyAction, t corev1.PodConditionType) batchv1.PodFailurePolicyRule {
	return batchv1.PodFailurePolicyRule{Action: action, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: t, Status: corev1.ConditionTrue}}}
}

func ptrTo[T any](v T) *T { return &v }
