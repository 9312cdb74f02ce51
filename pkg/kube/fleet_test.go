package kube

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestFetchJobs: the pods and events of every Job come from one list each,
// joined by UID; only a Job with manualSelector, whose pods carry no job-name
// label, costs a request of its own; a failed pods list leaves every Job's
// pods unknown and says so, and the events are still read.
func TestFetchJobs(t *testing.T) {
	a, b, manual := listTestJob("ns", "a"), listTestJob("ns", "b"), listTestJob("ns", "manual")
	manual.Spec.ManualSelector = new(true)
	manual.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "manual"}}
	manualPod := listTestPod(manual, "manual-1")
	manualPod.Labels = map[string]string{"app": "manual"}
	podA := listTestPod(a, "a-1")
	podA.UID = "pod-a-1"
	event := func(kind, name string, uid string) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name + "." + kind},
			InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: "ns", Name: name, UID: types.UID(uid)}}
	}
	objs := []runtime.Object{a, b, manual, podA, listTestPod(b, "b-1"), manualPod,
		event("Job", "a", string(a.UID)), event("Pod", "a-1", "pod-a-1"), event("Pod", "elsewhere", "pod-x"), event("Deployment", "web", string(b.UID))}

	client := fake.NewClientset(objs...)
	got, err := FetchJobs(context.Background(), client, "ns", "", 500, listTestNow)
	if err != nil || len(got.Problems) != 0 {
		t.Fatalf("err %v, problems %v", err, got.Problems)
	}
	var reqs []string
	for _, act := range client.Actions() {
		r := act.GetVerb() + " " + act.GetResource().Resource
		if l, ok := act.(k8stesting.ListAction); ok && act.GetResource().Resource == "pods" {
			r += " " + l.GetListRestrictions().Labels.String()
		}
		reqs = append(reqs, r)
	}
	want := []string{"list jobs", "list pods " + LabelJobName + " in (a,b)", "list pods app=manual", "list events"}
	if d := cmp.Diff(want, reqs); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	summary := map[string]string{}
	for _, in := range got.Inputs {
		var parts []string
		for _, p := range in.Pods {
			parts = append(parts, p.Name)
		}
		for _, e := range in.Events {
			parts = append(parts, e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name)
		}
		slices.Sort(parts)
		summary[in.Job.Name] = strings.Join(parts, ",")
	}
	if d := cmp.Diff(map[string]string{"a": "Job/a,Pod/a-1,a-1", "b": "b-1", "manual": "manual-1"}, summary); d != "" {
		t.Errorf("evidence by Job (-want +got):\n%s", d)
	}

	client = fake.NewClientset(objs...)
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(corev1.Resource("pods"), "", nil)
	})
	got, err = FetchJobs(context.Background(), client, "ns", "", 500, listTestNow)
	if err != nil || len(got.Problems) != 1 || !strings.Contains(got.Problems[0].Error(), "cannot list pods in namespace ns: forbidden") {
		t.Fatalf("err %v, problems %v", err, got.Problems)
	}
	for _, in := range got.Inputs {
		if !in.PodsUnknown || in.EventsUnknown || (in.Job.Name == "a" && len(in.Events) != 1) {
			t.Errorf("%s: podsUnknown %v eventsUnknown %v events %d; want pods unknown, the Job's events read", in.Job.Name, in.PodsUnknown, in.EventsUnknown, len(in.Events))
		}
	}
}
