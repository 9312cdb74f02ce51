package cronexplain

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// t0 is the fixed clock of the table tests: CronJobs are created at t0.
var t0 = time.Date(2026, 11, 30, 10, 0, 30, 0, time.UTC)

const cjUID = types.UID("cj-uid")

func newCJ(schedule string, f ...func(*batchv1.CronJob)) *batchv1.CronJob {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "tick", Namespace: "ns", UID: cjUID, CreationTimestamp: metav1.NewTime(t0)},
		Spec:       batchv1.CronJobSpec{Schedule: schedule, ConcurrencyPolicy: batchv1.AllowConcurrent},
	}
	for _, fn := range f {
		fn(cj)
	}
	return cj
}

// newRun is the controller's Job of slot, created at created, finished
// (Complete or Failed) at end, or running when end is zero.
func newRun(cj *batchv1.CronJob, slot, created time.Time, failed bool, end time.Time) batchv1.Job {
	j := batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name: JobName(cj.Name, slot), Namespace: cj.Namespace, UID: types.UID(fmt.Sprintf("job-%d", slot.Unix())),
			CreationTimestamp: metav1.NewTime(created),
			Annotations:       map[string]string{batchv1.CronJobScheduledTimestampAnnotation: slot.Format(time.RFC3339)},
			OwnerReferences:   []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: cj.Name, UID: cj.UID, Controller: ptr.To(true)}},
		},
		Status: batchv1.JobStatus{StartTime: ptr.To(metav1.NewTime(created))},
	}
	switch {
	case end.IsZero():
		j.Status.Active = 1
	case failed:
		j.Status.Failed = 1
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", LastTransitionTime: metav1.NewTime(end)},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastTransitionTime: metav1.NewTime(end)}}
	default:
		j.Status.Succeeded = 1
		j.Status.CompletionTime = ptr.To(metav1.NewTime(end))
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastTransitionTime: metav1.NewTime(end)},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastTransitionTime: metav1.NewTime(end)}}
	}
	return j
}

// cronEvent is an event of the CronJob, as the controller records it.
func cronEvent(cj *batchv1.CronJob, typ, reason, message string, first, last time.Time, count int32) corev1.Event {
	return corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("%s.%d", cj.Name, first.UnixNano()), Namespace: cj.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "CronJob", Name: cj.Name, Namespace: cj.Namespace, UID: cj.UID},
		Type:           typ, Reason: reason, Message: message, Count: count,
		FirstTimestamp: metav1.NewTime(first), LastTimestamp: metav1.NewTime(last),
	}
}

// minute is the n-th minute slot after t0 (10:01:00 for n=1).
func minute(n int) time.Time { return t0.Truncate(time.Minute).Add(time.Duration(n) * time.Minute) }
