package cmd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// answerAccessReviews makes the fake API server answer
// SelfSubjectAccessReviews like RBAC would: allowed, except for the accesses
// denied, each "verb resource namespace" (namespace "" for cluster scope).
func answerAccessReviews(cs *fake.Clientset, denied ...string) {
	deny := map[string]bool{}
	for _, d := range denied {
		deny[d] = true
	}
	cs.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		review := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SelfSubjectAccessReview).DeepCopy()
		ra := review.Spec.ResourceAttributes
		resource := ra.Resource
		if ra.Subresource != "" {
			resource += "/" + ra.Subresource
		}
		review.Status.Allowed = !deny[ra.Verb+" "+resource+" "+ra.Namespace]
		return true, review, nil
	})
}

// forbidList makes the fake API server refuse to list resource, like RBAC.
func forbidList(cs *fake.Clientset, resource string) {
	cs.PrependReactor("list", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "",
			fmt.Errorf(`User "u" cannot list resource %q in API group "" in the namespace %q`, resource, a.GetNamespace()))
	})
}

// TestMutationsCheckAccessFirst: a delete, prune or suspend of several
// objects, one of which the user may not change, changes none of them and
// says so in one line.
func TestMutationsCheckAccessFirst(t *testing.T) {
	const forbidden = `Error from server (Forbidden): jobs.batch is forbidden: cannot delete resource "jobs" in API group "batch" in the namespace "other"; nothing was deleted`
	t.Run("delete --all -A", func(t *testing.T) {
		cs := newCleanupClientset(append(deleteFleet(), cleanupJob("other", "old", "complete", time.Hour))...)
		answerAccessReviews(cs, "delete jobs other")
		got, code := runDelete(t, cs, "", "--all", "-A")
		if code != exitcode.Error || !strings.Contains(got, forbidden) || deleteRequests(cs) != "" {
			t.Errorf("exit %d, want 1, no delete, and %q:\n%s", code, forbidden, got)
		}
	})
	t.Run("prune --yes -A", func(t *testing.T) {
		cs := newCleanupClientset(pruneFleet()...)
		answerAccessReviews(cs, "delete jobs other")
		got, code := runPrune(t, cs, pruneRun{}, "--yes", "-A")
		if code != exitcode.Error || !strings.Contains(got, forbidden) || deleteRequests(cs) != "" {
			t.Errorf("exit %d, want 1, no delete, and %q:\n%s", code, forbidden, got)
		}
	})
	t.Run("delete --now needs pods too", func(t *testing.T) {
		cs := newCleanupClientset(deleteFleet()...)
		answerAccessReviews(cs, "delete pods ns")
		got, code := runDelete(t, cs, "", "busy", "--now")
		if code != exitcode.Error || !strings.Contains(got, `cannot delete resource "pods"`) || deleteRequests(cs) != "" {
			t.Errorf("exit %d, want 1 and no delete:\n%s", code, got)
		}
	})
	t.Run("suspend two Jobs", func(t *testing.T) {
		a, b := finishedJob("a"), finishedJob("b")
		a.Status.Conditions, b.Status.Conditions = nil, nil
		cs := fake.NewClientset(a, b)
		answerAccessReviews(cs, "patch jobs ns")
		r := runJob(t, cs, testNow, "", "suspend", "a", "b")
		if r.code != exitcode.Error || len(patches(cs)) != 0 || strings.Count(r.stderr, "\n") != 1 ||
			!strings.Contains(r.stderr, `cannot patch resource "jobs" in API group "batch" in the namespace "ns"; nothing was suspended`) {
			t.Errorf("exit %d, patches %v, stderr:\n%s", r.code, patches(cs), r.stderr)
		}
	})
}

// TestDescribeForbiddenOnce: events forbidden in the namespace are named
// once, however many Jobs are described; the exit code says partial.
func TestDescribeForbiddenOnce(t *testing.T) {
	client := fake.NewClientset(sampleClusterObjects(t)...)
	forbidList(client, "events")
	out, errOut, code := runDescribe(t, client, "run", "mf")
	if code != exitcode.Partial || strings.Count(out, "Name:  ") != 2 {
		t.Errorf("exit %d, want 5 (partial) with both Jobs described:\n%s", code, out)
	}
	if errOut != "Warning: cannot list events in namespace ns: forbidden\n" {
		t.Errorf("stderr %q, want one warning line", errOut)
	}
}

// TestAwaitNeedsAccessBeforeCreate: create --wait and rerun --follow that
// could not watch what they create are refused before anything is created
// (a created Job and a failed command would leave the Job running unseen).
func TestAwaitNeedsAccessBeforeCreate(t *testing.T) {
	creates := func(cs *fake.Clientset) int {
		n := 0
		for _, a := range cs.Actions() {
			if a.GetVerb() == "create" && a.GetResource().Resource == "jobs" {
				n++
			}
		}
		return n
	}
	cs := fake.NewClientset()
	answerAccessReviews(cs, "watch jobs ns")
	r := runCreate(t, cs, "", "hello", "--image=busybox", "--wait")
	if r.code != exitcode.Error || creates(cs) != 0 ||
		!strings.Contains(r.stderr, `cannot watch resource "jobs" in API group "batch" in the namespace "ns"; nothing was created`) {
		t.Errorf("create --wait: exit %d, %d creates, stderr %q", r.code, creates(cs), r.stderr)
	}

	cs = dryRunAwareClientset(failedJob())
	answerAccessReviews(cs, "get pods/log ns")
	_, stderr, code := runRerun(t, cs, "etl", "--replace", "--follow")
	if code != exitcode.Error || creates(cs) != 0 || deleteRequests(cs) != "" ||
		!strings.Contains(stderr, `cannot get resource "pods/log" in API group "" in the namespace "ns"; nothing was created or deleted`) {
		t.Errorf("rerun --replace --follow: exit %d, %d creates, deletes %q, stderr %q", code, creates(cs), deleteRequests(cs), stderr)
	}
}
