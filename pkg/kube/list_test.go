package kube

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

var listTestNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func listTestJob(ns, name string) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name)}}
}

func listTestPod(job *batchv1.Job, name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: job.Namespace, Name: name,
		Labels:          map[string]string{LabelJobName: job.Name, LabelControllerUID: string(job.UID)},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Job", Name: job.Name, UID: job.UID, Controller: new(true)}}}}
}

func TestJobsPodSelector(t *testing.T) {
	few := []*batchv1.Job{listTestJob("a", "y"), listTestJob("b", "x"), listTestJob("c", "y")}
	if got, want := JobsPodSelector(few).String(), LabelJobName+" in (x,y)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var many []*batchv1.Job
	for i := range maxNamesInSelector + 1 {
		many = append(many, listTestJob("a", fmt.Sprint("j", i)))
	}
	if got := JobsPodSelector(many).String(); got != LabelJobName {
		t.Errorf("many Jobs: got %q, want exists", got)
	}
	if got := JobsPodSelector(nil).String(); got != LabelJobName {
		t.Errorf("no Jobs: got %q, want exists", got)
	}
}

// TestListPodsOfJobsBatches: Jobs whose names do not fit one selector are
// read in batches, each in its namespace when it has one, every Job's pods
// exactly once; past maxPodBatches, one request for every Job pod.
func TestListPodsOfJobsBatches(t *testing.T) {
	var jobs []*batchv1.Job
	objs := []runtime.Object{}
	for i := range 400 {
		j := listTestJob(fmt.Sprintf("ns%d", i/200), fmt.Sprintf("a-job-with-a-rather-long-name-%03d", i))
		jobs = append(jobs, j)
		objs = append(objs, j, listTestPod(j, j.Name+"-0"))
	}
	client := fake.NewClientset(objs...)
	got, err := ListPodsOfJobs(context.Background(), client, "", jobs, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if pods := got[j.UID]; len(pods) != 1 || pods[0].Name != j.Name+"-0" {
			t.Fatalf("%s/%s: pods %v", j.Namespace, j.Name, pods)
		}
	}
	var namespaces []string
	for _, a := range client.Actions() {
		namespaces = append(namespaces, a.GetNamespace())
	}
	slices.Sort(namespaces)
	// 200 names of 35 bytes: two batches per namespace, none across.
	if want := []string{"ns0", "ns0", "ns1", "ns1"}; !slices.Equal(namespaces, want) {
		t.Errorf("requests in namespaces %v, want %v", namespaces, want)
	}

	many := slices.Repeat(jobs, 10) // 4,000 names: more batches than worth it
	client = fake.NewClientset(objs...)
	if _, err := ListPodsOfJobs(context.Background(), client, "", many, 500); err != nil {
		t.Fatal(err)
	}
	if a := client.Actions(); len(a) != 1 || a[0].(k8stesting.ListAction).GetListRestrictions().Labels.String() != LabelJobName {
		t.Errorf("past %d batches: %d requests, want one for every Job pod", maxPodBatches, len(a))
	}
}

// TestListPodsOfJobs: one request per namespace, joined by owner UID, so a Job
// re-created under the same name or one in another namespace never gets
// another's pods.
func TestListPodsOfJobs(t *testing.T) {
	a, b, other := listTestJob("ns1", "same"), listTestJob("ns2", "same"), listTestJob("ns1", "other")
	old := listTestPod(a, "stale")
	old.OwnerReferences[0].UID = "uid-of-a-deleted-job"
	client := fake.NewClientset(a, b, other, listTestPod(a, "a-1"), listTestPod(a, "a-2"), listTestPod(b, "b-1"), listTestPod(other, "o-1"), old)
	got, err := ListPodsOfJobs(context.Background(), client, "", []*batchv1.Job{a, b}, 500)
	if err != nil {
		t.Fatal(err)
	}
	names := map[types.UID][]string{}
	for uid, pods := range got {
		for _, p := range pods {
			names[uid] = append(names[uid], p.Name)
		}
	}
	want := map[types.UID][]string{a.UID: {"a-1", "a-2"}, b.UID: {"b-1"}}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("pods by Job (-want +got):\n%s", d)
	}
	if n := len(client.Actions()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestHistoryKept(t *testing.T) {
	cj := &batchv1.CronJob{Spec: batchv1.CronJobSpec{SuccessfulJobsHistoryLimit: new(int32(2)), FailedJobsHistoryLimit: new(int32(0))}}
	job := func(name string, started time.Duration, cond batchv1.JobConditionType) batchv1.Job {
		j := *listTestJob("ns", name)
		if started >= 0 {
			j.Status.StartTime = &metav1.Time{Time: listTestNow.Add(-started)}
		}
		if cond != "" {
			j.Status.Conditions = []batchv1.JobCondition{{Type: cond, Status: corev1.ConditionTrue}}
		}
		return j
	}
	jobs := []batchv1.Job{
		job("s-old", 3*time.Hour, batchv1.JobComplete),
		job("s-mid", 2*time.Hour, batchv1.JobComplete),
		job("s-new", time.Hour, batchv1.JobComplete),
		job("s-nostart", -1, batchv1.JobComplete), // no startTime sorts newest
		job("f-1", time.Hour, batchv1.JobFailed),
		job("running", time.Minute, ""),
	}
	got := map[string]bool{}
	for uid, keep := range HistoryKept(cj, jobs) {
		got[string(uid)] = keep
	}
	want := map[string]bool{"uid-ns-s-old": false, "uid-ns-s-mid": false, "uid-ns-s-new": true, "uid-ns-s-nostart": true, "uid-ns-f-1": false}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
}

func TestNextSchedule(t *testing.T) {
	for _, tc := range []struct {
		schedule, tz string
		want         time.Time
		utc          bool
	}{
		{"*/15 * * * *", "", listTestNow.Add(15 * time.Minute), true},
		{"0 9 * * *", "Europe/Paris", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), false},
		{"@hourly", "", listTestNow.Add(time.Hour), true},
	} {
		cj := &batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: tc.schedule}}
		if tc.tz != "" {
			cj.Spec.TimeZone = new(tc.tz)
		}
		got, utc, err := NextSchedule(cj, listTestNow)
		if err != nil || !got.Equal(tc.want) || utc != tc.utc {
			t.Errorf("%q %q: got %v utc=%v err=%v, want %v utc=%v", tc.schedule, tc.tz, got, utc, err, tc.want, tc.utc)
		}
	}
	if _, _, err := NextSchedule(&batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "61 * * * *"}}, listTestNow); err == nil {
		t.Error("a bad schedule gave no error")
	}
}

func TestListJobsPages(t *testing.T) {
	var objs []runtime.Object
	for i := range 7 {
		objs = append(objs, listTestJob("ns", fmt.Sprint("j", i)))
	}
	client := fake.NewClientset(objs...)
	jobs, _, err := ListJobs(context.Background(), client, "ns", metav1.ListOptions{Limit: 3})
	if err != nil || len(jobs) != 7 {
		t.Fatalf("got %d jobs, err %v", len(jobs), err)
	}
}

// expiringPages makes the fake clientset page a list of resource (first page
// of opts.Limit items with a continue token) and answer every continue token
// with 410 Expired, as an API server does once etcd compacted the list's
// revision; an unpaginated list gets everything, at resourceVersion "full".
func expiringPages(client *fake.Clientset, resource string, full func() runtime.Object, items func(runtime.Object) int, page func(runtime.Object, int)) {
	client.PrependReactor("list", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		opts := a.(k8stesting.ListActionImpl).ListOptions
		switch {
		case opts.Continue != "":
			return true, nil, apierrors.NewResourceExpired("The provided continue parameter is too old to display a consistent list result.")
		case opts.Limit > 0 && int64(items(full())) > opts.Limit:
			obj := full()
			page(obj, int(opts.Limit))
			return true, obj, nil
		}
		return true, full(), nil
	})
}

// expiringJobPages is expiringPages for the Jobs of objs (the Jobs among
// them, in order): pages at resourceVersion "page", the full list at "full".
func expiringJobPages(objs []runtime.Object) *fake.Clientset {
	all := &batchv1.JobList{ListMeta: metav1.ListMeta{ResourceVersion: "full"}}
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok {
			all.Items = append(all.Items, *j)
		}
	}
	client := fake.NewClientset(objs...)
	expiringPages(client, "jobs", func() runtime.Object { return all.DeepCopy() },
		func(o runtime.Object) int { return len(o.(*batchv1.JobList).Items) },
		func(o runtime.Object, n int) {
			l := o.(*batchv1.JobList)
			l.Items, l.Continue, l.ResourceVersion = l.Items[:n], "token", "page"
		})
	return client
}

// TestListFallsBackToAFullListWhenAPageExpires: a 410 on a continue token
// drops the pages read and reads the whole list once; every item exactly once.
func TestListFallsBackToAFullListWhenAPageExpires(t *testing.T) {
	var objs []runtime.Object
	for i := range 5 {
		objs = append(objs, listTestJob("ns", fmt.Sprint("j", i)))
	}
	client := expiringJobPages(objs)
	jobs, rv, err := ListJobs(context.Background(), client, "ns", metav1.ListOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	if got, want := fmt.Sprint(names), "[j0 j1 j2 j3 j4]"; got != want || rv != "full" {
		t.Errorf("got %s at resourceVersion %q, want %s at the full list's", got, rv, want)
	}
	var limits []int64
	for _, a := range client.Actions() {
		if l, ok := a.(k8stesting.ListActionImpl); ok {
			limits = append(limits, l.ListOptions.Limit)
		}
	}
	if fmt.Sprint(limits) != "[2 2 0]" {
		t.Errorf("list requests with limits %v, want the first page, the expired one, one full list", limits)
	}

	// The same for the pods of many Jobs: a pod is never counted twice.
	job := listTestJob("ns", "j0")
	var pods []runtime.Object
	allPods := &corev1.PodList{}
	for i := range 5 {
		p := listTestPod(job, fmt.Sprint("p", i))
		pods = append(pods, p)
		allPods.Items = append(allPods.Items, *p)
	}
	client = fake.NewClientset(pods...)
	expiringPages(client, "pods", func() runtime.Object { return allPods.DeepCopy() },
		func(o runtime.Object) int { return len(o.(*corev1.PodList).Items) },
		func(o runtime.Object, n int) {
			l := o.(*corev1.PodList)
			l.Items, l.Continue = l.Items[:n], "token"
		})
	join, err := ListPodsOfJobs(context.Background(), client, "ns", []*batchv1.Job{job}, 2)
	if err != nil || len(join[job.UID]) != 5 {
		t.Errorf("pods: %d, %v; want 5 exactly once", len(join[job.UID]), err)
	}
}
