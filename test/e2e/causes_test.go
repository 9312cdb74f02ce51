//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

type causeCase struct {
	name string
	job  func(b *JobBuilder)
	// act runs once the Job's first pod is Running (nil: nothing to do).
	act func(t *testing.T, pod *corev1.Pod)
	// settle waits, on the API alone, until the evidence is complete
	// (events are written a moment after what they record).
	settle  func(t *testing.T, job *batchv1.Job)
	class   explain.CauseClass
	summary string
}

// TestAttemptCauses runs one Job per cause class on the local cluster and
// checks that explain -o json, explain, describe and the logs headers name
// the cause the Job was set up to have.
func TestAttemptCauses(t *testing.T) {
	t.Parallel()
	run := func(b *JobBuilder) { b.Sim(SimOutcome, "run") }
	// The hold finalizer keeps deleted pods, so the cause of a deletion
	// can be read.
	keep := func(b *JobBuilder) { b.Job.Spec.Template.Finalizers = []string{holdFinalizer} }
	cases := []causeCase{
		{name: "exit-code", job: func(b *JobBuilder) { b.Fail(3, "1s") }, class: explain.CauseExitCode, summary: "exit 3"},
		{name: "sigterm", job: func(b *JobBuilder) { b.Fail(143, "1s") }, class: explain.CauseSignal, summary: "SIGTERM (exit 143)"},
		{name: "sigkill", job: func(b *JobBuilder) { b.Fail(137, "1s") }, class: explain.CauseSignal, summary: "SIGKILL (exit 137)"},
		{name: "oom", job: func(b *JobBuilder) {
			b.Sim(SimOutcome, "oom").With(func(j *batchv1.Job) {
				j.Spec.Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}
			})
		}, class: explain.CauseOOMKilled, summary: "OOMKilled (exit 137, memory limit 64Mi)"},
		{name: "oom-exit-0", job: func(b *JobBuilder) { b.Sim(SimReason, "OOMKilled") }, class: explain.CauseOOMKilled, summary: "OOMKilled (exit 0)"},
		{name: "evicted", job: func(b *JobBuilder) { b.Sim(SimOutcome, "evicted").Sim("sim.kubectl-job.io/resource", "memory") },
			class: explain.CauseEvicted, summary: "Evicted: node low on memory"},
		{name: "pod-deadline", job: func(b *JobBuilder) {
			run(b)
			b.Job.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](2)
		}, class: explain.CausePodDeadline, summary: "pod activeDeadlineSeconds 2 exceeded"},
		{name: "image-pull", job: func(b *JobBuilder) { b.Sim(SimOutcome, "image-pull-error") }, class: explain.CauseImagePull, summary: "ImagePullBackOff busybox"},
		{name: "config-error", job: func(b *JobBuilder) { b.Sim(SimOutcome, "config-error") }, class: explain.CauseConfigError, summary: "CreateContainerConfigError"},
		{name: "invalid-image", job: func(b *JobBuilder) { b.Sim(SimOutcome, "invalid-image") }, class: explain.CauseInvalidImage, summary: "InvalidImageName busybox"},
		{name: "init-container", job: func(b *JobBuilder) {
			b.Sim(SimOutcome, "init-fail").Sim(SimExitCode, "3").With(func(j *batchv1.Job) {
				j.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "setup", Image: "busybox"}}
			})
		}, class: explain.CauseInitContainerFailed, summary: "init container setup exit 3"},
		{name: "eviction-api", job: func(b *JobBuilder) { run(b); keep(b) }, act: evictPod,
			class: explain.CauseDisruption, summary: "DisruptionTarget EvictionByEvictionAPI"},
		// backoffLimit 2: the user's deletion does not fail the Job, so the
		// job controller never deletes that pod itself (with backoffLimit 0
		// it did, racing the user, while the pod was still terminating).
		{name: "deleted-by-user", job: func(b *JobBuilder) { run(b); keep(b); b.BackoffLimit(2) }, act: func(t *testing.T, pod *corev1.Pod) {
			if res := Kubectl(t, "delete", "pod", pod.Name, "-n", pod.Namespace, "--wait=false"); res.Code != 0 {
				t.Fatalf("kubectl delete pod: %s", res.Stderr)
			}
		}, settle: func(t *testing.T, job *batchv1.Job) {
			WaitFor(t, time.Minute, "the job controller to count the deleted pod as failed", func() (bool, error) {
				j, err := client.BatchV1().Jobs(job.Namespace).Get(context.Background(), job.Name, metav1.GetOptions{})
				return err == nil && j.Status.Failed >= 1, err
			})
			time.Sleep(2 * time.Second) // events are written a moment after what they record
			if names := deletedByController(t, job); len(names) > 0 {
				t.Fatalf("the job controller deleted %v: the case is not a user's deletion", names)
			}
		}, class: explain.CauseDeleted, summary: "deleted, not by the job controller, exit 143 SIGTERM"},
		{name: "deleted-by-job-controller", job: func(b *JobBuilder) {
			// The Job's activeDeadlineSeconds passes while its pod runs:
			// the job controller deletes the pod.
			run(b)
			keep(b)
			b.Job.Spec.ActiveDeadlineSeconds = ptr.To[int64](3)
		}, settle: func(t *testing.T, job *batchv1.Job) {
			WaitFor(t, time.Minute, "the job controller's SuccessfulDelete event", func() (bool, error) {
				return len(deletedByController(t, job)) > 0, nil
			})
		}, class: explain.CauseDeletedByJobController, summary: "deleted by job controller (DeadlineExceeded), exit 143 SIGTERM"},
		{name: "node-deleted", job: func(b *JobBuilder) { run(b); keep(b); onOwnNode(b) }, act: func(t *testing.T, pod *corev1.Pod) {
			if err := client.CoreV1().Nodes().Delete(context.Background(), pod.Spec.NodeName, metav1.DeleteOptions{}); err != nil {
				t.Fatalf("deleting node %s: %v", pod.Spec.NodeName, err)
			}
		}, class: explain.CauseDisruption, summary: "DisruptionTarget DeletionByPodGC"},
		{name: "node-tainted", job: func(b *JobBuilder) { run(b); keep(b); onOwnNode(b) }, act: func(t *testing.T, pod *corev1.Pod) {
			patch := fmt.Sprintf(`{"spec":{"taints":[{"key":%q,"value":"x","effect":"NoSchedule"},{"key":"kubectl-job.io/evict","value":"now","effect":"NoExecute"}]}}`, ownNodeTaint)
			if _, err := client.CoreV1().Nodes().Patch(context.Background(), pod.Spec.NodeName, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				t.Fatalf("tainting node %s: %v", pod.Spec.NodeName, err)
			}
		}, class: explain.CauseDisruption, summary: "DisruptionTarget DeletionByTaintManager"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkCause(t, tc)
		})
	}
}

func checkCause(t *testing.T, tc causeCase) {
	ns := Namespace(t)
	b := NewJob(ns, tc.name).BackoffLimit(0)
	tc.job(b)
	if sel := b.Job.Spec.Template.Spec.NodeSelector["kubernetes.io/hostname"]; strings.HasPrefix(sel, "causes-") {
		b.Job.Spec.Template.Spec.NodeSelector["kubernetes.io/hostname"] = createOwnNode(t, ns)
	}
	job := b.Create(t)
	t.Cleanup(func() { releasePods(t, ns, job.UID) })
	if tc.act != nil {
		var pod *corev1.Pod
		WaitFor(t, time.Minute, "a running pod", func() (bool, error) {
			for _, p := range Pods(t, job) {
				if p.Status.Phase == corev1.PodRunning {
					pod = &p
					return true, nil
				}
			}
			return false, nil
		})
		tc.act(t, pod)
	}
	// The oracle waits on the pods alone: a pod ended, or waits with a reason.
	WaitFor(t, 2*time.Minute, "a pod to end or wait with a reason", func() (bool, error) {
		for _, p := range Pods(t, job) {
			if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
				return true, nil
			}
			for _, cs := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
				if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" && w.Reason != "ContainerCreating" {
					return true, nil
				}
			}
		}
		return false, nil
	})
	if tc.settle != nil {
		tc.settle(t, job)
	}
	e := explainJSON(t, ns, tc.name)
	var att *explain.Attempt
	for i := range e.Attempts {
		if c := e.Attempts[i].Cause; c != nil && c.Class == tc.class {
			att = &e.Attempts[i]
		}
	}
	if att == nil {
		t.Fatalf("no attempt of class %s in attempts[].cause: %s", tc.class, attemptCauses(e))
	}
	if att.Cause.Summary != tc.summary {
		t.Errorf("attempts[].cause.summary = %q, want %q", att.Cause.Summary, tc.summary)
	}
	row := func(out string) string {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), att.Pod+" ") {
				return line
			}
		}
		return ""
	}
	if line := row(KubectlJob(t, "explain", tc.name, "-n", ns).Stdout); !strings.Contains(line, "   "+tc.summary+"   ") {
		t.Errorf("explain: the attempts row of %s has no CAUSE %q: %q", att.Pod, tc.summary, line)
	}
	if line := row(KubectlJob(t, "describe", tc.name, "-n", ns).Stdout); !strings.Contains(line, "   "+tc.summary+"   ") {
		t.Errorf("describe: the attempts row of %s has no CAUSE %q: %q", att.Pod, tc.summary, line)
	}
	args := []string{"logs", tc.name, "-n", ns, "--prefix=false"}
	if att.Phase == string(corev1.PodFailed) {
		args = append(args, "--failed")
	}
	header := fmt.Sprintf("==> pod %s (", att.Pod)
	logs := KubectlJob(t, args...)
	found := false
	for _, line := range strings.Split(logs.Stdout, "\n") {
		if strings.HasPrefix(line, header) {
			found = true
			if !strings.HasSuffix(line, ", cause: "+tc.summary+") <==") {
				t.Errorf("logs header %q does not end with the cause %q", line, tc.summary)
			}
		}
	}
	if !found {
		t.Errorf("logs %s: no header for pod %s:\n%s", strings.Join(args[2:], " "), att.Pod, logs.Stdout)
	}
	t.Logf("CAUSE %-26s %s: %s", tc.name, att.Cause.Class, att.Cause.Summary)
}

// deletedByController are the pods the Job's SuccessfulDelete events name.
func deletedByController(t *testing.T, job *batchv1.Job) []string {
	t.Helper()
	events, err := client.CoreV1().Events(job.Namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing events: %v", err)
	}
	var names []string
	for _, ev := range events.Items {
		if ev.InvolvedObject.Kind == "Job" && ev.InvolvedObject.Name == job.Name && ev.Reason == "SuccessfulDelete" {
			names = append(names, strings.TrimPrefix(ev.Message, "Deleted pod: "))
		}
	}
	return names
}

func attemptCauses(e *explain.JobExplanation) string {
	data, _ := json.Marshal(e.Attempts)
	return string(data)
}

func evictPod(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	err := client.PolicyV1().Evictions(pod.Namespace).Evict(context.Background(), &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace}})
	if err != nil {
		t.Fatalf("evicting %s: %v", pod.Name, err)
	}
}

// ownNodeTaint keeps other tests' pods off the nodes these tests delete or taint.
const ownNodeTaint = "kubectl-job.io/causes"

// onOwnNode pins the Job's pods to a node of its own (created by checkCause).
func onOwnNode(b *JobBuilder) {
	b.Job.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "causes-"}
	b.Job.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: ownNodeTaint, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
}

// createOwnNode creates a KWOK node only the test's pods tolerate and
// deletes it (if still there) at the end.
func createOwnNode(t *testing.T, ns string) string {
	t.Helper()
	name := "causes-" + ns
	if len(name) > 63 {
		name = name[:63]
	}
	name = strings.TrimRight(name, "-")
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		Labels: map[string]string{"kubernetes.io/hostname": name, "type": "kwok"}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: ownNodeTaint, Value: "x", Effect: corev1.TaintEffectNoSchedule}}}}
	if _, err := client.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating node %s: %v", name, err)
	}
	t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// TestRetryClock is issue 17's Ignore-rule Job: three indexes exit 42 under
// a podFailurePolicy Ignore rule; status.failed stays 0 while the job
// controller waits out its pod-failure backoff (which counts the ignored
// failures too). explain must say BackoffDelay, never AwaitingController,
// with a nextRetryAt within 2 s of the replacement pods' creation, which the
// oracle reads from the API server. The cluster's base backoff is
// KJ_POD_FAILURE_BACKOFF (hack/e2e.sh sets 1s; unset: the stock 10s).
func TestRetryClock(t *testing.T) {
	t.Parallel()
	base := 10 * time.Second
	if v := os.Getenv("KJ_POD_FAILURE_BACKOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("KJ_POD_FAILURE_BACKOFF=%q: %v", v, err)
		}
		base = d
	}
	ns := Namespace(t)
	job := NewJob(ns, "ignore42").Indexed().Completions(3, 3).BackoffLimit(0).Fail(42, "1s").With(func(j *batchv1.Job) {
		j.Spec.PodReplacementPolicy = ptr.To(batchv1.Failed)
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionIgnore,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}}}}
	}).Create(t)
	flag := "--pod-failure-backoff=" + base.String()
	// The controller waits once every pod seen has failed; with a short
	// base it may recreate early indexes before the last one fails, so the
	// moment is taken when all pods seen are failed and explain predicts a
	// retry still ahead (with the stock 10s: after the first 3 failures).
	initial := map[string]bool{}
	var e *explain.JobExplanation
	WaitFor(t, 3*time.Minute, "all pods failed and a retry predicted ahead", func() (bool, error) {
		clear(initial)
		for _, p := range Pods(t, job) {
			if p.Status.Phase != corev1.PodFailed {
				return false, nil
			}
			initial[p.Name] = true
		}
		if len(initial) < 3 {
			return false, nil
		}
		e = decodeExplanation(t, KubectlJob(t, "explain", "ignore42", "-n", ns, "-o", "json", flag).Stdout)
		if e.Backoff == nil || e.Backoff.NextRetryAt == nil || time.Until(e.Backoff.NextRetryAt.Time) < time.Second {
			return false, nil
		}
		// The pods explain read must be the ones the oracle saw.
		return len(e.Attempts) == len(initial), nil
	})
	predicted := e.Backoff.NextRetryAt.Time
	if e.Verdict.Reason != explain.ReasonBackoffDelay {
		t.Errorf("verdict %s %q, want BackoffDelay", e.Verdict.Reason, e.Verdict.Message)
	}
	text := KubectlJob(t, "explain", "ignore42", "-n", ns, flag).Stdout
	// A wrong base must predict a time the check rejects (negative control).
	wrong := decodeExplanation(t, KubectlJob(t, "explain", "ignore42", "-n", ns, "-o", "json", "--pod-failure-backoff="+(2*base).String()).Stdout)
	if wrong.Backoff == nil || wrong.Backoff.NextRetryAt == nil {
		t.Fatal("no nextRetryAt with the doubled base")
	}
	// While it waits, every reading says BackoffDelay; none AwaitingController.
	var created time.Time
	readings := 0
	for deadline := predicted.Add(30 * time.Second); time.Now().Before(deadline) && created.IsZero(); time.Sleep(time.Second) {
		for _, p := range Pods(t, job) {
			if c := p.CreationTimestamp.Time; !initial[p.Name] && (created.IsZero() || c.Before(created)) {
				created = c
			}
		}
		if created.IsZero() && time.Until(predicted) > time.Second {
			res := KubectlJob(t, "explain", "ignore42", "-n", ns, "-o", "jsonpath={.verdict.reason}", flag)
			readings++
			if res.Stdout != string(explain.ReasonBackoffDelay) {
				t.Errorf("%s before the predicted retry: verdict %q, want BackoffDelay", time.Until(predicted).Round(time.Second), res.Stdout)
			}
		}
	}
	if created.IsZero() {
		t.Fatalf("no replacement pod by %s (predicted %s)", time.Now().Format(time.TimeOnly), predicted.Format(time.TimeOnly))
	}
	diff := created.Sub(predicted)
	t.Logf("RETRY base %s: predicted nextRetryAt %s, replacement created %s, off by %s (%d readings before it, all BackoffDelay); a doubled base predicts %s\n%s",
		base, predicted.Format(time.TimeOnly), created.Format(time.TimeOnly), diff, readings, wrong.Backoff.NextRetryAt.Format(time.TimeOnly), text)
	// The controller creates no pod before nextRetryAt, and both times are
	// whole seconds, so the replacement is never early; on a loaded 2-core
	// machine its queue may be up to 3s late. The window (3s wide) is
	// narrower than the shortest shift a doubled base causes (4 × base at 3
	// failures, ≥ 4s), so that wrong model always falls outside it.
	inWindow := func(d time.Duration) bool { return d >= 0 && d <= 3*time.Second }
	if !inWindow(diff) {
		t.Errorf("replacement created %s, predicted %s: off by %s (want 0s to 3s late)", created, predicted, diff)
	}
	if wd := created.Sub(wrong.Backoff.NextRetryAt.Time); inWindow(wd) {
		t.Errorf("negative control: a doubled base (%s) also lands in the window (%s): the check cannot fail", 2*base, wd)
	}
	if readings == 0 && base >= 5*time.Second {
		t.Errorf("no reading was taken during a %s wait", base)
	}
}
