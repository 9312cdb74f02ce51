package kube

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// waitingJob is a started Job with one active pod that is not ready (its
// status cannot say why), and that pod, unschedulable.
func waitingJob(ns, name string) (*batchv1.Job, *corev1.Pod) {
	j := listTestJob(ns, name)
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	j.Status = batchv1.JobStatus{StartTime: &metav1.Time{Time: listTestNow.Add(-time.Minute)}, Active: 1, Ready: new(int32(0))}
	p := listTestPod(j, name+"-p")
	p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled,
		Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/4 nodes are available"}}}
	return j, p
}

// suspendedJob is a suspended Job: its spec decides its row, and list does
// not read its pods.
func suspendedJob(ns, name string) *batchv1.Job {
	j := listTestJob(ns, name)
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	j.Spec.Suspend = new(true)
	j.Status = batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue, Reason: "JobSuspended"}}}
	return j
}

// pagedJobs makes the fake clientset serve the Jobs list in pages of
// opts.Limit, in the order of all, with continue tokens, as an API server does.
func pagedJobs(client *fake.Clientset, all []batchv1.Job) {
	client.PrependReactor("list", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		opts := a.(k8stesting.ListActionImpl).ListOptions
		from, _ := strconv.Atoi(opts.Continue)
		to := len(all)
		if opts.Limit > 0 {
			to = min(to, from+int(opts.Limit))
		}
		list := &batchv1.JobList{ListMeta: metav1.ListMeta{ResourceVersion: "7"}}
		for i := from; i < to; i++ {
			list.Items = append(list.Items, *all[i].DeepCopy())
		}
		if to < len(all) {
			list.Continue = strconv.Itoa(to)
		}
		return true, list, nil
	})
}

func requestLines(client *fake.Clientset) []string {
	var out []string
	for _, a := range client.Actions() {
		l := a.(k8stesting.ListActionImpl)
		out = append(out, fmt.Sprintf("%s %s %s", l.GetResource().Resource, l.GetNamespace(), l.ListOptions.LabelSelector))
	}
	return out
}

// TestListExplainedJobs: one Pods request per page of Jobs that has Jobs
// whose spec and conditions do not decide their row, in the page's
// namespace when it has one, none for the last page (suspended Jobs only);
// the verdicts in list order, the waiting Jobs' from their pods.
func TestListExplainedJobs(t *testing.T) {
	var all []batchv1.Job
	var objs []runtime.Object
	add := func(j *batchv1.Job, pods ...*corev1.Pod) {
		all = append(all, *j)
		objs = append(objs, j)
		for _, p := range pods {
			objs = append(objs, p)
		}
	}
	// Pages of 3: [a/w1 a/s1 a/s2] [a/w2 b/w3 b/s3] [b/s4].
	w1, p1 := waitingJob("a", "w1")
	add(w1, p1)
	add(suspendedJob("a", "s1"))
	add(suspendedJob("a", "s2"))
	w2, p2 := waitingJob("a", "w2")
	add(w2, p2)
	w3, p3 := waitingJob("b", "w3")
	add(w3, p3)
	add(suspendedJob("b", "s3"))
	add(suspendedJob("b", "s4"))

	client := fake.NewClientset(objs...)
	pagedJobs(client, all)
	got, err := ListExplainedJobs(context.Background(), client, FleetQuery{Options: metav1.ListOptions{Limit: 3}, Evidence: RowEvidence, Now: listTestNow})
	if err != nil || got.Missing != nil {
		t.Fatalf("err %v, missing %v", err, got.Missing)
	}
	var verdicts []string
	for i, e := range got.Explanations {
		verdicts = append(verdicts, got.Jobs[i].Name+":"+string(e.Verdict.Phase)+"/"+string(e.Verdict.Reason))
	}
	want := "w1:Pending/Unschedulable s1:Suspended/JobSuspended s2:Suspended/JobSuspended w2:Pending/Unschedulable w3:Pending/Unschedulable s3:Suspended/JobSuspended s4:Suspended/JobSuspended"
	if strings.Join(verdicts, " ") != want {
		t.Errorf("verdicts\n got %s\nwant %s", strings.Join(verdicts, " "), want)
	}
	wantReqs := []string{
		"jobs  ", "jobs  ", "jobs  ",
		"pods  " + LabelJobName + " in (w2,w3)", // the second page spans a and b
		"pods a " + LabelJobName + " in (w1)",
	}
	reqs := requestLines(client)
	// The pods requests run beside the next pages: compare them as a set.
	if d := cmp.Diff(wantReqs, sortedTail(reqs, 3)); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	if got.ResourceVersion != "7" {
		t.Errorf("resourceVersion %q", got.ResourceVersion)
	}
}

// sortedTail keeps the first n lines (the Jobs pages) and sorts the rest.
func sortedTail(lines []string, n int) []string {
	var head, tail []string
	for _, l := range lines {
		if strings.HasPrefix(l, "jobs") && len(head) < n {
			head = append(head, l)
		} else {
			tail = append(tail, l)
		}
	}
	slices.Sort(tail)
	return append(head, tail...)
}

// TestListExplainedJobsSharesOverflowingReads: pages whose names do not fit
// one selector share one read of every Job pod of their namespace.
func TestListExplainedJobsSharesOverflowingReads(t *testing.T) {
	var all []batchv1.Job
	var objs []runtime.Object
	long := strings.Repeat("x", 50) // 54-character names: 100 overflow a selector
	for i := range 200 {
		j, p := waitingJob("a", fmt.Sprintf("%s-%03d", long, i))
		all = append(all, *j)
		objs = append(objs, j, p)
	}
	client := fake.NewClientset(objs...)
	pagedJobs(client, all)
	got, err := ListExplainedJobs(context.Background(), client, FleetQuery{Scope: "a", Options: metav1.ListOptions{Limit: 100}, Evidence: RowEvidence, Now: listTestNow})
	if err != nil || got.Missing != nil {
		t.Fatalf("err %v, missing %v", err, got.Missing)
	}
	for i, e := range got.Explanations {
		if e.Verdict.Reason != explain.ReasonUnschedulable {
			t.Fatalf("%s: %s/%s, want Pending/Unschedulable", got.Jobs[i].Name, e.Verdict.Phase, e.Verdict.Reason)
		}
	}
	pods := 0
	for _, r := range requestLines(client) {
		if strings.HasPrefix(r, "pods") {
			pods++
			if r != "pods a "+LabelJobName {
				t.Errorf("pods request %q, want every Job pod of a", r)
			}
		}
	}
	if pods != 1 {
		t.Errorf("%d pods requests for two overflowing pages, want one shared", pods)
	}
}

// TestListExplainedJobsRestartsOnExpiredPages: a 410 on a continue token
// drops what was judged and reads the list once more, whole.
func TestListExplainedJobsRestartsOnExpiredPages(t *testing.T) {
	var objs []runtime.Object
	for i := range 5 {
		j, p := waitingJob("ns", fmt.Sprint("j", i))
		objs = append(objs, j, p)
	}
	client := expiringJobPages(objs)
	got, err := ListExplainedJobs(context.Background(), client, FleetQuery{Scope: "ns", Options: metav1.ListOptions{Limit: 2}, Evidence: RowEvidence, Now: listTestNow})
	if err != nil || got.Missing != nil {
		t.Fatalf("err %v, missing %v", err, got.Missing)
	}
	var names []string
	for i, j := range got.Jobs {
		names = append(names, j.Name)
		if r := got.Explanations[i].Verdict.Reason; r != explain.ReasonUnschedulable {
			t.Errorf("%s: %s, want Unschedulable", j.Name, r)
		}
	}
	if fmt.Sprint(names) != "[j0 j1 j2 j3 j4]" || got.ResourceVersion != "full" {
		t.Errorf("got %v at %q, want every Job once at the full list's resourceVersion", names, got.ResourceVersion)
	}
}
