package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ReadError is a read that failed after the command's main object was read:
// the command shows what it could read and names this on stderr. Forbidden
// reads are said in one short line, the same for every command,
// "cannot list pods in namespace x: forbidden", without the server's
// restatement of the user and the API group; other errors keep their text.
type ReadError struct {
	// Verb and Resource are the RBAC verb and resource: "list" "events",
	// "get" "pods/log".
	Verb, Resource string
	// Namespace is where the read went; "" for all namespaces.
	Namespace string
	Err       error
}

// NewReadError returns a ReadError for err.
func NewReadError(verb, resource, namespace string, err error) *ReadError {
	return &ReadError{Verb: verb, Resource: resource, Namespace: namespace, Err: err}
}

func (e *ReadError) Error() string {
	where := "in namespace " + e.Namespace
	if e.Namespace == "" {
		where = "at the cluster scope"
	}
	if apierrors.IsForbidden(e.Err) {
		return fmt.Sprintf("cannot %s %s %s: forbidden", e.Verb, e.Resource, where)
	}
	return fmt.Sprintf("cannot %s %s %s: %v", e.Verb, e.Resource, where, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Access is one thing a command is about to do: a verb on a resource
// ("jobs", or with a subresource "pods/log") in a namespace.
type Access struct {
	Verb      string
	Resource  schema.GroupResource
	Namespace string
}

// CheckAccess asks the API server, with one SelfSubjectAccessReview per
// distinct access, whether the user may do every one of them, before a
// command that changes several objects changes the first: a prune or a
// delete of many Jobs either starts with every permission it needs or
// touches nothing. A denied access comes back as a Forbidden error in
// kubectl's words. A review that cannot be made (no authorization API, not
// allowed to ask) proves nothing and is not an error: the real requests will
// say.
func CheckAccess(ctx context.Context, client Client, accesses ...Access) error {
	seen := map[Access]bool{}
	var todo []Access
	for _, a := range accesses {
		if !seen[a] {
			seen[a] = true
			todo = append(todo, a)
		}
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].Namespace < todo[j].Namespace })
	for _, a := range todo {
		resource, subresource, _ := strings.Cut(a.Resource.Resource, "/") // "pods/log"
		review, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: a.Namespace, Verb: a.Verb, Group: a.Resource.Group, Resource: resource, Subresource: subresource,
			}},
		}, metav1.CreateOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			continue
		}
		if !review.Status.Allowed {
			where := fmt.Sprintf("in the namespace %q", a.Namespace)
			if a.Namespace == "" {
				where = "at the cluster scope"
			}
			return apierrors.NewForbidden(a.Resource, "", fmt.Errorf("cannot %s resource %q in API group %q %s",
				a.Verb, a.Resource.Resource, a.Resource.Group, where))
		}
	}
	return nil
}
