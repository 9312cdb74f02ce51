package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

func testJob(name, uid, rv string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(uid), ResourceVersion: rv},
		Spec: batchv1.JobSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelControllerUID: uid}}}}
}

func testPod(name, jobUID string, phase corev1.PodPhase) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("pod-" + name),
		Labels:          map[string]string{LabelControllerUID: jobUID},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: "j", UID: types.UID(jobUID), Controller: ptr.To(true)}}},
		Status: corev1.PodStatus{Phase: phase}}
}

// enforcePreconditions makes the fake clientset check delete preconditions
// the way the API server does (409 Conflict), which the fake tracker skips.
func enforcePreconditions(cs *fake.Clientset) {
	cs.PrependReactor("delete", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		da := a.(k8stesting.DeleteActionImpl)
		pre := da.GetDeleteOptions().Preconditions
		if pre == nil {
			return false, nil, nil
		}
		obj, err := cs.Tracker().Get(da.GetResource(), da.GetNamespace(), da.GetName())
		if err != nil {
			return false, nil, nil // the default reactor answers NotFound
		}
		m, _ := meta.Accessor(obj)
		gr := da.GetResource().GroupResource()
		if pre.UID != nil && *pre.UID != m.GetUID() {
			return true, nil, apierrors.NewConflict(gr, da.GetName(),
				fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *pre.UID, m.GetUID()))
		}
		if pre.ResourceVersion != nil && *pre.ResourceVersion != m.GetResourceVersion() {
			return true, nil, apierrors.NewConflict(gr, da.GetName(),
				fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *pre.ResourceVersion, m.GetResourceVersion()))
		}
		return false, nil, nil
	})
}

func TestJobDeleteOptions(t *testing.T) {
	job := testJob("j", "uid-1", "42")
	uid := types.UID("uid-1")
	rv := "42"
	bg, fg := metav1.DeletePropagationBackground, metav1.DeletePropagationForeground
	tests := []struct {
		name string
		opts DeleteJobOptions
		want metav1.DeleteOptions
	}{
		{name: "default: background, UID precondition",
			want: metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}, PropagationPolicy: &bg}},
		{name: "prune: resourceVersion too, foreground",
			opts: DeleteJobOptions{Propagation: fg, MatchResourceVersion: true},
			want: metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}, PropagationPolicy: &fg}},
		{name: "server dry run with a grace period",
			opts: DeleteJobOptions{DryRun: true, GracePeriodSeconds: ptr.To[int64](1)},
			want: metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}, PropagationPolicy: &bg,
				GracePeriodSeconds: ptr.To[int64](1), DryRun: []string{metav1.DryRunAll}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, JobDeleteOptions(job, tt.opts)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteJobSendsPreconditions(t *testing.T) {
	job := testJob("j", "uid-1", "7")
	cs := fake.NewClientset(job)
	if err := DeleteJob(context.Background(), cs, job, DeleteJobOptions{MatchResourceVersion: true}); err != nil {
		t.Fatal(err)
	}
	var deletes []k8stesting.DeleteActionImpl
	for _, a := range cs.Actions() {
		if da, ok := a.(k8stesting.DeleteActionImpl); ok {
			deletes = append(deletes, da)
		}
	}
	if len(deletes) != 1 {
		t.Fatalf("want 1 delete, got %d: %v", len(deletes), cs.Actions())
	}
	pre := deletes[0].GetDeleteOptions().Preconditions
	if pre == nil || pre.UID == nil || *pre.UID != "uid-1" || pre.ResourceVersion == nil || *pre.ResourceVersion != "7" {
		t.Errorf("preconditions = %+v, want UID uid-1 and resourceVersion 7", pre)
	}
}

func TestDeleteJobRefusesWithoutUID(t *testing.T) {
	cs := fake.NewClientset()
	err := DeleteJob(context.Background(), cs, testJob("j", "", ""), DeleteJobOptions{})
	if err == nil || len(cs.Actions()) != 0 {
		t.Fatalf("err = %v, actions = %v; want a refusal and no request", err, cs.Actions())
	}
}

// TestDeleteJobRecreated is the race prune and delete guard against: the Job
// is read, then deleted and re-created under the same name by someone else,
// then our delete arrives. The new Job must survive.
func TestDeleteJobRecreated(t *testing.T) {
	listed := testJob("j", "uid-old", "10")
	cs := fake.NewClientset(listed)
	enforcePreconditions(cs)
	ctx := context.Background()
	jobs := cs.BatchV1().Jobs("ns")
	if err := jobs.Delete(ctx, "j", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Create(ctx, testJob("j", "uid-new", "11"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	err := DeleteJob(ctx, cs, listed, DeleteJobOptions{})
	if !IsPreconditionFailed(err) {
		t.Fatalf("DeleteJob of the re-created Job: err = %v, want a precondition failure", err)
	}
	got, err := jobs.Get(ctx, "j", metav1.GetOptions{})
	if err != nil || got.UID != "uid-new" {
		t.Fatalf("re-created Job: %v, %v; want it untouched", got, err)
	}
}

func TestDeleteJobChangedSinceListed(t *testing.T) {
	listed := testJob("j", "uid-1", "10")
	changed := listed.DeepCopy()
	changed.ResourceVersion = "12"
	cs := fake.NewClientset(changed)
	enforcePreconditions(cs)
	err := DeleteJob(context.Background(), cs, listed, DeleteJobOptions{MatchResourceVersion: true})
	if !IsPreconditionFailed(err) {
		t.Fatalf("err = %v, want a precondition failure", err)
	}
	// Without the resourceVersion precondition (kubectl job delete), the UID is enough.
	if err := DeleteJob(context.Background(), cs, listed, DeleteJobOptions{}); err != nil {
		t.Fatalf("delete by UID: %v", err)
	}
}

func TestDeleteJobs(t *testing.T) {
	var jobs []*batchv1.Job
	var objs []runtime.Object
	for i := range 6 {
		j := testJob(fmt.Sprintf("j%d", i), fmt.Sprintf("uid-%d", i), "1")
		jobs = append(jobs, j)
		if i != 2 { // j2 is already gone
			objs = append(objs, j)
		}
	}
	cs := fake.NewClientset(objs...)
	cs.PrependReactor("delete", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.DeleteActionImpl).GetName() == "j4" {
			return true, nil, apierrors.NewForbidden(batchv1.Resource("jobs"), "j4", errors.New("no"))
		}
		// Slow the first one down so the workers finish out of order.
		if a.(k8stesting.DeleteActionImpl).GetName() == "j0" {
			time.Sleep(50 * time.Millisecond)
		}
		return false, nil, nil
	})

	var got []string
	start := time.Now()
	DeleteJobs(context.Background(), cs, jobs, DeleteJobOptions{}, RateLimit{QPS: 50, Workers: 3}, func(j *batchv1.Job, err error) {
		switch {
		case err == nil:
			got = append(got, j.Name+" deleted")
		case apierrors.IsNotFound(err):
			got = append(got, j.Name+" not found")
		default:
			got = append(got, j.Name+" error")
		}
	})
	elapsed := time.Since(start)
	want := []string{"j0 deleted", "j1 deleted", "j2 not found", "j3 deleted", "j4 error", "j5 deleted"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reports in Job order (-want +got):\n%s", diff)
	}
	// 6 deletes at 50/s with a burst of 1: at least 5 intervals of 20ms.
	if elapsed < 90*time.Millisecond {
		t.Errorf("6 deletes at 50/s took %v: not rate limited", elapsed)
	}
}

func TestDeleteJobsStopsWithContext(t *testing.T) {
	jobs := []*batchv1.Job{testJob("a", "1", "1"), testJob("b", "2", "1")}
	cs := fake.NewClientset(jobs[0], jobs[1])
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	DeleteJobs(ctx, cs, jobs, DeleteJobOptions{}, RateLimit{QPS: 1}, func(_ *batchv1.Job, err error) { errs = append(errs, err) })
	if len(errs) != 2 || !errors.Is(errs[0], context.Canceled) || !errors.Is(errs[1], context.Canceled) {
		t.Fatalf("errs = %v, want both canceled", errs)
	}
	if n := len(cs.Actions()); n != 0 {
		t.Errorf("%d requests after cancel, want 0", n)
	}
}

func TestDeleteUnfinishedPods(t *testing.T) {
	pods := []corev1.Pod{
		*testPod("running", "u", corev1.PodRunning),
		*testPod("pending", "u", corev1.PodPending),
		*testPod("failed", "u", corev1.PodFailed),
		*testPod("gone", "u", corev1.PodRunning),
	}
	cs := fake.NewClientset(&pods[0], &pods[1], &pods[2])
	if errs := DeleteUnfinishedPods(context.Background(), cs, pods, 1, false); len(errs) != 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, a := range cs.Actions() {
		da := a.(k8stesting.DeleteActionImpl)
		o := da.GetDeleteOptions()
		got = append(got, fmt.Sprintf("%s grace=%d uid=%s", da.GetName(), *o.GracePeriodSeconds, *o.Preconditions.UID))
	}
	want := []string{"running grace=1 uid=pod-running", "pending grace=1 uid=pod-pending", "gone grace=1 uid=pod-gone"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWaitForJobAndPodsDeletion(t *testing.T) {
	job := testJob("j", "uid-1", "1")
	other := testPod("other", "uid-other", corev1.PodRunning) // another Job's pod: not waited for
	p1, p2 := testPod("p1", "uid-1", corev1.PodRunning), testPod("p2", "uid-1", corev1.PodSucceeded)
	for _, withPods := range []bool{true, false} {
		t.Run(fmt.Sprintf("withPods=%v", withPods), func(t *testing.T) {
			cs := fake.NewClientset(job, p1, p2, other)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var mu sync.Mutex
			var order []string
			note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
			go func() {
				// Foreground deletion order: pods first, then the Job.
				time.Sleep(100 * time.Millisecond)
				for _, p := range []string{"p1", "p2"} {
					_ = cs.CoreV1().Pods("ns").Delete(ctx, p, metav1.DeleteOptions{})
					note("deleted " + p)
				}
				time.Sleep(100 * time.Millisecond)
				note("deleted job")
				_ = cs.BatchV1().Jobs("ns").Delete(ctx, "j", metav1.DeleteOptions{})
			}()
			if err := WaitForJobAndPodsDeletion(ctx, cs, job, withPods); err != nil {
				t.Fatal(err)
			}
			note("returned")
			mu.Lock()
			defer mu.Unlock()
			if got := strings.Join(order, ", "); got != "deleted p1, deleted p2, deleted job, returned" {
				t.Errorf("order: %s", got)
			}
		})
	}
}

func TestWaitForJobAndPodsDeletionTimesOut(t *testing.T) {
	job := testJob("j", "uid-1", "1")
	// The Job is gone but a pod is stuck terminating.
	cs := fake.NewClientset(testPod("stuck", "uid-1", corev1.PodRunning))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := WaitForJobAndPodsDeletion(ctx, cs, job, true)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "pods of job ns/j are still there") {
		t.Fatalf("err = %v, want a deadline naming the pods", err)
	}
}
