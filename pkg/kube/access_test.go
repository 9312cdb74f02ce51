package kube

import (
	"context"
	"errors"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestReadError(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New(`User "u" cannot list resource "pods"`))
	tests := []struct {
		err  *ReadError
		want string
	}{
		{NewReadError("list", "pods", "x", forbidden), "cannot list pods in namespace x: forbidden"},
		{NewReadError("list", "pods", "", forbidden), "cannot list pods at the cluster scope: forbidden"},
		{NewReadError("get", "pods/log", "x", forbidden), "cannot get pods/log in namespace x: forbidden"},
		{NewReadError("list", "events", "x", errors.New("timeout")), "cannot list events in namespace x: timeout"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if !apierrors.IsForbidden(tests[0].err) {
		t.Error("a ReadError hides the Forbidden it wraps")
	}
}

func TestCheckAccess(t *testing.T) {
	jobs := schema.GroupResource{Group: "batch", Resource: "jobs"}
	cs := fake.NewClientset()
	var asked []string
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SelfSubjectAccessReview).DeepCopy()
		asked = append(asked, r.Spec.ResourceAttributes.Namespace)
		r.Status.Allowed = r.Spec.ResourceAttributes.Namespace != "b"
		return true, r, nil
	})
	err := CheckAccess(context.Background(), cs,
		Access{"delete", jobs, "c"}, Access{"delete", jobs, "a"}, Access{"delete", jobs, "a"}, Access{"delete", jobs, "b"})
	if !apierrors.IsForbidden(err) || err.Error() != `jobs.batch is forbidden: cannot delete resource "jobs" in API group "batch" in the namespace "b"` {
		t.Errorf("err = %v", err)
	}
	if len(asked) != 2 || asked[0] != "a" || asked[1] != "b" {
		t.Errorf("asked about %v, want a then b, once each, stopping at the first denial", asked)
	}

	// A review that cannot be made proves nothing: the real request will say.
	cs = fake.NewClientset()
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "selfsubjectaccessreviews"}, "")
	})
	if err := CheckAccess(context.Background(), cs, Access{"delete", jobs, "a"}); err != nil {
		t.Errorf("unanswerable review: %v", err)
	}
}
