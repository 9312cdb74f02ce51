//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestOneVerdictQuota: a Job a ResourceQuota keeps from creating pods is
// FailedCreate in list, explain, describe, wait and prune alike (list used to
// say NoPods: it read no events).
func TestOneVerdictQuota(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NoPodsQuota(t, ns)
	NewJob(ns, "blocked").Create(t)
	WaitFor(t, time.Minute, "explain to say FailedCreate", func() (bool, error) {
		return strings.HasPrefix(KubectlJob(t, "explain", "blocked", "-n", ns).Stdout, "Pending: FailedCreate"), nil
	})
	checks := []struct {
		args []string
		want string
	}{
		{[]string{"list", "-n", ns}, "blocked   Pending   FailedCreate"},
		{[]string{"describe", "blocked", "-n", ns}, "Pending: FailedCreate — the job controller cannot create pods"},
		{[]string{"wait", "blocked", "--timeout=1s", "-n", ns}, "job.batch/blocked timed out waiting for finished, still pending: FailedCreate"},
		{[]string{"prune", "--dry-run", "-n", ns}, "blocked   Pending   FailedCreate"},
	}
	for _, c := range checks {
		r := KubectlJob(t, c.args...)
		if !strings.Contains(r.Stdout+r.Stderr, c.want) {
			t.Errorf("kubectl job %s: want %q in the output", strings.Join(c.args, " "), c.want)
		}
	}
}

// TestNamesPipe: -o name output of list pipes into every verb that takes
// Job names (describe, explain, wait, logs, delete).
func TestNamesPipe(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "piped").Sim(SimLogs, "hello from the pipe").Create(t)
	WaitForCondition(t, ns, "piped", batchv1.JobComplete, time.Minute)
	names := strings.TrimSpace(KubectlJob(t, "list", "-n", ns, "-o", "name").Stdout)
	if names != "job.batch/piped" {
		t.Fatalf("list -o name printed %q", names)
	}
	for _, c := range []struct {
		verb []string
		want string
	}{
		{[]string{"describe"}, "Complete: CompletionsReached"},
		{[]string{"explain"}, "Complete: CompletionsReached"},
		{[]string{"wait"}, "job.batch/piped complete"},
		{[]string{"logs"}, "hello from the pipe"},
		{[]string{"delete"}, `job.batch "piped" deleted`},
	} {
		r := KubectlJob(t, append(append(c.verb, names), "-n", ns)...)
		if r.Code != 0 || !strings.Contains(r.Stdout, c.want) {
			t.Errorf("kubectl job %s %s: exit %d, want %q on stdout", c.verb[0], names, r.Code, c.want)
		}
	}
}

// NoPodsQuota creates a ResourceQuota of 0 pods in ns and waits until the
// quota controller counts it, so the next Job's pods are refused.
func NoPodsQuota(t *testing.T, ns string) {
	t.Helper()
	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "no-pods", Namespace: ns},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("0")}}}
	if _, err := client.CoreV1().ResourceQuotas(ns).Create(context.Background(), quota, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the quota: %v", err)
	}
	// The quota controller must have seen it before the Job's first pod.
	WaitFor(t, time.Minute, "the quota to be counted", func() (bool, error) {
		q, err := client.CoreV1().ResourceQuotas(ns).Get(context.Background(), "no-pods", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		_, ok := q.Status.Hard[corev1.ResourcePods]
		return ok, nil
	})
}
