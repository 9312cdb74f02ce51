//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/test/oneverdict"
)

// TestOneVerdictCluster: on real Jobs (complete, backoff-exceeded, past its
// deadline, Pending unschedulable, Pending on a quota) the verdicts of
// create --follow (which creates each Job), logs -f, list, describe, explain
// and wait agree with each other and with what this test reads from the
// cluster itself: the Job's conditions, its pod's PodScheduled condition, the
// controller's FailedCreate event. No command's output is the reference.
func TestOneVerdictCluster(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		job  func(ns string) *JobBuilder
		// oracle waits until the cluster shows the state and returns the
		// "Phase Reason" it implies, read with the test's own client.
		oracle  func(t *testing.T, ns string) string
		quota   bool
		timeout string // create --follow and logs -f give up after this
	}{
		{"complete", func(ns string) *JobBuilder { return NewJob(ns, "complete") }, terminalOracle("complete", batchv1.JobComplete), false, "60s"},
		{"backoff", func(ns string) *JobBuilder { return NewJob(ns, "backoff").BackoffLimit(1).Fail(1, "1s") }, terminalOracle("backoff", batchv1.JobFailed), false, "60s"},
		{"deadline", func(ns string) *JobBuilder {
			return NewJob(ns, "deadline").Sim(SimOutcome, "run").With(func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To(int64(4)) })
		}, terminalOracle("deadline", batchv1.JobFailed), false, "60s"},
		{"unschedulable", func(ns string) *JobBuilder {
			return NewJob(ns, "unschedulable").With(func(j *batchv1.Job) { j.Spec.Template.Spec.NodeSelector = map[string]string{"no-such-node": "x"} })
		}, unschedulableOracle, false, "20s"},
		// 20 s: under the full e2e load the job controller once recorded the
		// quota's FailedCreate event more than 6 s after the Job was created,
		// after create --follow had given up and said NoPods.
		{"quota", func(ns string) *JobBuilder { return NewJob(ns, "quota") }, failedCreateOracle, true, "20s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ns := Namespace(t)
			if tc.quota {
				NoPodsQuota(t, ns)
			}
			b := tc.job(ns)
			b.Job.TypeMeta = metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}
			manifest, err := json.Marshal(b.Job)
			if err != nil {
				t.Fatal(err)
			}
			name := b.Job.Name
			created := KubectlJobStdin(t, string(manifest), "create", "-f", "-", "--follow", "--timeout="+tc.timeout, "-n", ns)
			want := tc.oracle(t, ns)
			job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{"create --follow": oneverdict.FollowVerdict(name, created.Stderr)}
			got["list"] = oneverdict.TableVerdicts(KubectlJob(t, "list", "-n", ns).Stdout)[name]
			got["describe"] = oneverdict.HeadlineVerdict(strings.SplitN(KubectlJob(t, "describe", name, "-n", ns).Stdout, "\n", 2)[0])
			got["explain"] = strings.TrimSpace(KubectlJob(t, "explain", name, "-n", ns, "-o", "jsonpath={.verdict.phase} {.verdict.reason}").Stdout)
			r := KubectlJob(t, "wait", name, "--timeout=2s", "-n", ns)
			got["wait"] = oneverdict.WaitVerdict(name, r.Stdout+r.Stderr)
			got["logs -f"] = oneverdict.FollowVerdict(name, KubectlJob(t, "logs", name, "-f", "--timeout=4s", "-n", ns).Stderr)
			for _, p := range oneverdict.VerdictProblems(job, got) {
				t.Errorf("%s: %s", name, p)
			}
			for cmd, v := range got {
				if v != want {
					t.Errorf("%s: %s says %q, the cluster %q", name, cmd, v, want)
				}
			}
		})
	}
}

// terminalOracle waits for the Job's condition and returns it as
// "Phase Reason".
func terminalOracle(name string, cond batchv1.JobConditionType) func(t *testing.T, ns string) string {
	return func(t *testing.T, ns string) string {
		job := WaitForCondition(t, ns, name, cond, 90*time.Second)
		return string(cond) + " " + Condition(job, cond).Reason
	}
}

// unschedulableOracle waits for the scheduler to mark the pod Unschedulable.
func unschedulableOracle(t *testing.T, ns string) string {
	WaitFor(t, time.Minute, "the pod to be Unschedulable", func() (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil || len(pods.Items) == 0 {
			return false, err
		}
		return slices.ContainsFunc(pods.Items[0].Status.Conditions, func(c corev1.PodCondition) bool {
			return c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable
		}), nil
	})
	return "Pending Unschedulable"
}

// failedCreateOracle waits for the job controller's FailedCreate event.
func failedCreateOracle(t *testing.T, ns string) string {
	WaitFor(t, time.Minute, "a FailedCreate event", func() (bool, error) {
		events, err := client.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(events.Items, func(e corev1.Event) bool {
			return e.InvolvedObject.Kind == "Job" && e.Reason == "FailedCreate"
		}), nil
	})
	return "Pending FailedCreate"
}
