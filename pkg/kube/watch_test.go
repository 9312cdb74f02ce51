package kube

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

func watchedJob(name, uid, rv string, conds ...batchv1.JobConditionType) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(uid), ResourceVersion: rv,
		Labels: map[string]string{"app": "x"}}}
	for _, c := range conds {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: c, Status: corev1.ConditionTrue})
	}
	return j
}

func isDone(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed {
			return true
		}
	}
	return false
}

// scriptedWatches makes the fake clientset serve the given watchers in turn
// and records the resourceVersion each watch asked for.
type scriptedWatches struct {
	mu       sync.Mutex
	watchers []*watch.FakeWatcher
	rvs      []string
	// onWatch runs before watch number n (0-based) is served.
	onWatch func(n int)
	// err, when set, is what every watch request fails with.
	err error
}

func (s *scriptedWatches) install(cs *fake.Clientset) {
	cs.PrependWatchReactor("jobs", func(a clienttesting.Action) (bool, watch.Interface, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.rvs = append(s.rvs, a.(clienttesting.WatchActionImpl).ListOptions.ResourceVersion)
		if s.onWatch != nil {
			s.onWatch(len(s.rvs) - 1)
		}
		if s.err != nil {
			return true, nil, s.err
		}
		if len(s.watchers) == 0 {
			return true, watch.NewFake(), nil // silent forever
		}
		w := s.watchers[0]
		s.watchers = s.watchers[1:]
		return true, w, nil
	})
}

func collect(t *testing.T, cs *fake.Clientset, target JobTarget, done func(JobState) bool) ([]JobState, error) {
	t.Helper()
	var mu sync.Mutex
	var states []JobState
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := WatchJobs(ctx, cs.BatchV1(), target, func(s JobState) bool {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, s)
		return done(s)
	})
	return states, err
}

func TestWatchJobsUntilDone(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5"))
	w := watch.NewFakeWithChanSize(10, false)
	(&scriptedWatches{watchers: []*watch.FakeWatcher{w}}).install(cs)
	// Another Job's events and a same-name Job with another UID are ignored.
	w.Modify(watchedJob("b", "u2", "6", batchv1.JobComplete))
	w.Modify(watchedJob("a", "u1", "7"))
	w.Modify(watchedJob("a", "u1", "8", batchv1.JobFailureTarget, batchv1.JobFailed))

	states, err := collect(t, cs, JobTarget{Namespace: "ns", Name: "a"}, func(s JobState) bool { return isDone(s.Job) })
	if err != nil {
		t.Fatal(err)
	}
	var rvs []string
	for _, s := range states {
		rvs = append(rvs, s.Job.ResourceVersion)
	}
	if len(rvs) != 3 || rvs[0] != "" && rvs[0] != "5" || rvs[2] != "8" {
		t.Errorf("states seen at resourceVersions %v, want initial, 7, 8", rvs)
	}
	// Exactly one list and one watch: no polling.
	lists, watches := 0, 0
	for _, a := range cs.Actions() {
		switch a.GetVerb() {
		case "list":
			lists++
		case "watch":
			watches++
		}
	}
	if lists != 1 || watches != 1 {
		t.Errorf("requests: %d lists, %d watches; want 1 and 1", lists, watches)
	}
}

func TestWatchJobsDecidedAtList(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5", batchv1.JobComplete))
	states, err := collect(t, cs, JobTarget{Namespace: "ns", Name: "a"}, func(s JobState) bool { return isDone(s.Job) })
	if err != nil || len(states) != 1 {
		t.Fatalf("states %d, err %v", len(states), err)
	}
	for _, a := range cs.Actions() {
		if a.GetVerb() == "watch" {
			t.Error("watched a Job that was already decided")
		}
	}
}

func TestWatchJobsResumesAfterGone(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5"), watchedJob("b", "u2", "5"))
	first := watch.NewFakeWithChanSize(10, false)
	second := watch.NewFakeWithChanSize(10, false)
	script := &scriptedWatches{watchers: []*watch.FakeWatcher{first, second}}
	script.onWatch = func(n int) {
		if n != 0 {
			return
		}
		// While the first watch runs, b finishes and is deleted and a
		// changes, but the watch is cut before it says so.
		_ = cs.Tracker().Delete(batchv1.SchemeGroupVersion.WithResource("jobs"), "ns", "b")
		_ = cs.Tracker().Update(batchv1.SchemeGroupVersion.WithResource("jobs"), watchedJob("a", "u1", "91"), "ns")
	}
	script.install(cs)
	first.Modify(watchedJob("a", "u1", "6"))
	// The server compacted past our resourceVersion: 410 Gone.
	first.Error(&apierrors.NewResourceExpired("too old resource version: 6 (90)").ErrStatus)
	second.Modify(watchedJob("a", "u1", "92", batchv1.JobComplete))

	states, err := collect(t, cs, JobTarget{Namespace: "ns", LabelSelector: "app=x"}, func(s JobState) bool { return isDone(s.Job) })
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, s := range states {
		label := s.Job.Name + "@" + s.Job.ResourceVersion
		if s.Deleted {
			label += " deleted"
		}
		seen = append(seen, label)
	}
	want := map[string]bool{"a@5": true, "b@5": true, "a@6": true, "a@91": true, "b@5 deleted": true, "a@92": true}
	for _, s := range seen {
		delete(want, s)
	}
	if len(want) > 0 {
		t.Errorf("states %v, missing %v", seen, want)
	}
	lists := 0
	for _, a := range cs.Actions() {
		if a.GetVerb() == "list" {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("lists = %d, want 2 (start, after 410)", lists)
	}
}

func TestWatchJobsDeleted(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5"))
	w := watch.NewFakeWithChanSize(10, false)
	(&scriptedWatches{watchers: []*watch.FakeWatcher{w}}).install(cs)
	w.Delete(watchedJob("a", "u1", "9", batchv1.JobComplete))
	states, err := collect(t, cs, JobTarget{Namespace: "ns", Name: "a"}, func(JobState) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	last := states[len(states)-1]
	if !last.Deleted || !isDone(last.Job) {
		t.Errorf("last state %+v, want deleted with its final status", last)
	}
}

func TestWatchJobsNotFound(t *testing.T) {
	cs := fake.NewClientset()
	_, err := collect(t, cs, JobTarget{Namespace: "ns", Name: "nope"}, func(JobState) bool { return true })
	if !apierrors.IsNotFound(err) {
		t.Errorf("named: err = %v, want NotFound", err)
	}
	_, err = collect(t, cs, JobTarget{Namespace: "ns", LabelSelector: "app=x"}, func(JobState) bool { return true })
	if !errors.Is(err, ErrNoJobs) {
		t.Errorf("selector: err = %v, want ErrNoJobs", err)
	}
}

func TestWatchJobsForbidden(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5"))
	(&scriptedWatches{err: apierrors.NewForbidden(batchv1.Resource("jobs"), "a", errors.New("no"))}).install(cs)
	_, err := collect(t, cs, JobTarget{Namespace: "ns", Name: "a"}, func(JobState) bool { return false })
	if !apierrors.IsForbidden(err) {
		t.Errorf("err = %v, want Forbidden", err)
	}
}

func TestWatchJobsTimeout(t *testing.T) {
	cs := fake.NewClientset(watchedJob("a", "u1", "5"))
	(&scriptedWatches{}).install(cs)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := WatchJobs(ctx, cs.BatchV1(), JobTarget{Namespace: "ns", Name: "a"}, func(JobState) bool { return false })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

func TestWaitForJobDeletion(t *testing.T) {
	// Already gone, or re-created under the same name: nothing to wait for.
	cs := fake.NewClientset(watchedJob("a", "new-uid", "5"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := WaitForJobDeletion(ctx, cs.BatchV1(), "ns", "a", "old-uid"); err != nil {
		t.Errorf("recreated: %v", err)
	}
	if err := WaitForJobDeletion(ctx, cs.BatchV1(), "ns", "gone", "x"); err != nil {
		t.Errorf("gone: %v", err)
	}
	cs = fake.NewClientset(watchedJob("a", "u1", "5"))
	w := watch.NewFakeWithChanSize(10, false)
	(&scriptedWatches{watchers: []*watch.FakeWatcher{w}}).install(cs)
	w.Delete(watchedJob("a", "u1", "6"))
	if err := WaitForJobDeletion(ctx, cs.BatchV1(), "ns", "a", "u1"); err != nil {
		t.Errorf("deleted: %v", err)
	}
}

var _ runtime.Object = &batchv1.Job{}
