package logs

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// A deleted pod is attributed from the Job's SuccessfulDelete events: one
// request, and only when an attempt was deleted.
func TestDeletionCauses(t *testing.T) {
	job := newJob("pi", false)
	deleted := newPod(job, "pi-1", 0, corev1.PodFailed)
	now := metav1.Now()
	deleted.DeletionTimestamp = &now
	ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "ns"}, Reason: "SuccessfulDelete", Message: "Deleted pod: pi-1",
		InvolvedObject: corev1.ObjectReference{Kind: "Job", Name: "pi", Namespace: "ns", UID: job.UID}}
	for _, tc := range []struct {
		name   string
		events bool
		want   explain.CauseClass
	}{{"named by an event", true, explain.CauseDeletedByJobController}, {"no event", false, explain.CauseDeleted}} {
		client := fake.NewClientset()
		if tc.events {
			client = fake.NewClientset(ev)
		}
		all := Attempts(job, []corev1.Pod{deleted})
		deletionCauses(context.Background(), client, job, all)
		if all[0].Cause.Class != tc.want || len(client.Actions()) != 1 {
			t.Errorf("%s: %s after %d requests, want %s after 1", tc.name, all[0].Cause.Class, len(client.Actions()), tc.want)
		}
	}
	client := fake.NewClientset()
	deletionCauses(context.Background(), client, job, Attempts(job, []corev1.Pod{newPod(job, "pi-2", 0, corev1.PodFailed)}))
	if len(client.Actions()) != 0 {
		t.Errorf("no attempt deleted, yet %d requests", len(client.Actions()))
	}
}
