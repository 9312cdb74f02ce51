//go:build e2e

// Package e2e runs the built plugin as `kubectl job ...` against a local real
// control plane (hack/e2e.sh starts one and sets KJ_E2E_KUBECONFIG). Each test
// works in its own namespace, so tests run in parallel.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/test/clusterenv"
)

// Simulation annotations (README "Simulated pods"): they choose each pod's fate.
const (
	SimOutcome     = "sim.kubectl-job.io/outcome"
	SimDuration    = "sim.kubectl-job.io/duration"
	SimExitCode    = "sim.kubectl-job.io/exit-code"
	SimReason      = "sim.kubectl-job.io/reason"
	SimMessage     = "sim.kubectl-job.io/message"
	SimFailIndexes = "sim.kubectl-job.io/fail-indexes"
	SimStartDelay  = "sim.kubectl-job.io/start-delay"
	SimRestarts    = "sim.kubectl-job.io/restarts"
	SimLogs        = "sim.kubectl-job.io/logs"
	SimContainer   = "sim.kubectl-job.io/container"
)

var (
	kubeconfig string
	client     kubernetes.Interface
)

func TestMain(m *testing.M) {
	kubeconfig, client = clusterenv.Connect("e2e", "run the e2e tests with `make e2e` (it starts a local cluster)", 100)
	os.Exit(m.Run())
}

// Result is what a command printed and how it exited.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// KubectlJob runs `kubectl job ARGS...` against the test cluster.
func KubectlJob(t *testing.T, args ...string) Result {
	t.Helper()
	return run(t, nil, "kubectl", append([]string{"job"}, args...)...)
}

// KubectlJobStdin is KubectlJob with stdin.
func KubectlJobStdin(t *testing.T, stdin string, args ...string) Result {
	t.Helper()
	return run(t, strings.NewReader(stdin), "kubectl", append([]string{"job"}, args...)...)
}

// Kubectl runs plain kubectl against the test cluster.
func Kubectl(t *testing.T, args ...string) Result {
	t.Helper()
	return run(t, nil, "kubectl", args...)
}

func run(t *testing.T, stdin *strings.Reader, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "NO_COLOR=1")
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.Code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s %s: %v", name, strings.Join(args, " "), err)
	}
	t.Logf("$ %s %s -> exit %d\n%s%s", name, strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	return res
}

// Namespace creates a fresh namespace for the test and deletes it afterwards
// (kept with KJ_E2E_KEEP=1 for debugging).
func Namespace(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	name := strings.ToLower(strings.NewReplacer("_", "-", "/", "-").Replace(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	name = strings.Trim(name, "-") + "-" + hex.EncodeToString(b)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubectl-job.io/e2e": "true"}}}
	if _, err := client.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	// Pods need the default ServiceAccount, which a controller creates.
	WaitFor(t, 30*time.Second, "the default ServiceAccount", func() (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(name).Get(context.Background(), "default", metav1.GetOptions{})
		return err == nil, nil
	})
	t.Cleanup(func() {
		if os.Getenv("KJ_E2E_KEEP") == "" {
			_ = client.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
		}
	})
	return name
}

// JobBuilder builds a Job whose pods' fates are set by simulation annotations.
type JobBuilder struct{ Job *batchv1.Job }

// NewJob starts a Job with one busybox container that succeeds after 1s.
func NewJob(namespace, name string) *JobBuilder {
	return &JobBuilder{Job: &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "main", Image: "busybox", Command: []string{"sh", "-c", "echo hi"}}},
				},
			},
		},
	}}
}

// Sim sets a simulation annotation on the pod template.
func (b *JobBuilder) Sim(key, value string) *JobBuilder {
	b.Job.Spec.Template.Annotations[key] = value
	return b
}

// Fail makes every pod fail with exit code after duration.
func (b *JobBuilder) Fail(exitCode int, duration string) *JobBuilder {
	return b.Sim(SimOutcome, "fail").Sim(SimExitCode, fmt.Sprint(exitCode)).Sim(SimDuration, duration)
}

// With applies any change to the Job.
func (b *JobBuilder) With(f func(j *batchv1.Job)) *JobBuilder { f(b.Job); return b }

// BackoffLimit sets spec.backoffLimit.
func (b *JobBuilder) BackoffLimit(n int32) *JobBuilder {
	b.Job.Spec.BackoffLimit = ptr.To(n)
	return b
}

// Completions sets completions and parallelism.
func (b *JobBuilder) Completions(completions, parallelism int32) *JobBuilder {
	b.Job.Spec.Completions, b.Job.Spec.Parallelism = ptr.To(completions), ptr.To(parallelism)
	return b
}

// Indexed switches to completionMode Indexed.
func (b *JobBuilder) Indexed() *JobBuilder {
	b.Job.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	return b
}

// Create creates the Job and returns it as the API server stored it.
func (b *JobBuilder) Create(t *testing.T) *batchv1.Job {
	t.Helper()
	job, err := client.BatchV1().Jobs(b.Job.Namespace).Create(context.Background(), b.Job, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating job %s: %v", b.Job.Name, err)
	}
	return job
}

// WaitFor polls cond every 200ms until it is true or timeout passes.
func WaitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, timeout, true,
		func(context.Context) (bool, error) { return cond() })
	if err != nil {
		t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
	}
}

// WaitForCondition waits until the Job has condition type=True and returns the Job.
func WaitForCondition(t *testing.T, namespace, name string, condType batchv1.JobConditionType, timeout time.Duration) *batchv1.Job {
	t.Helper()
	var job *batchv1.Job
	WaitFor(t, timeout, fmt.Sprintf("job %s/%s condition %s", namespace, name, condType), func() (bool, error) {
		var err error
		job, err = client.BatchV1().Jobs(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return HasCondition(job, condType), nil
	})
	return job
}

// WaitForGone waits until the Job no longer exists and returns when that was seen.
func WaitForGone(t *testing.T, namespace, name string, timeout time.Duration) time.Time {
	t.Helper()
	WaitFor(t, timeout, fmt.Sprintf("job %s/%s to be deleted", namespace, name), func() (bool, error) {
		_, err := client.BatchV1().Jobs(namespace).Get(context.Background(), name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	return time.Now()
}

// WaitForDeletion waits until the Job is being deleted or gone and returns
// when its deletion began: the deletionTimestamp the API server recorded
// (whole seconds) when the Job was seen with one, else the time it was seen
// gone. With foreground propagation (TTL) a Job stays a few seconds after
// that, until its pods are gone.
func WaitForDeletion(t *testing.T, namespace, name string, timeout time.Duration) time.Time {
	t.Helper()
	var at time.Time
	WaitFor(t, timeout, fmt.Sprintf("job %s/%s to be deleted", namespace, name), func() (bool, error) {
		job, err := client.BatchV1().Jobs(namespace).Get(context.Background(), name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			at = time.Now()
			return true, nil
		case err != nil:
			return false, err
		case job.DeletionTimestamp != nil:
			at = job.DeletionTimestamp.Time
			return true, nil
		}
		return false, nil
	})
	return at
}

// HasCondition reports whether the Job has condition type with status True.
func HasCondition(job *batchv1.Job, condType batchv1.JobConditionType) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == condType && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// Condition returns the Job's condition of type, or nil.
func Condition(job *batchv1.Job, condType batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range job.Status.Conditions {
		if job.Status.Conditions[i].Type == condType {
			return &job.Status.Conditions[i]
		}
	}
	return nil
}

// Pods lists the Job's pods.
func Pods(t *testing.T, job *batchv1.Job) []corev1.Pod {
	t.Helper()
	pods, err := client.CoreV1().Pods(job.Namespace).List(context.Background(), metav1.ListOptions{
		LabelSelector: "batch.kubernetes.io/controller-uid=" + string(job.UID),
	})
	if err != nil {
		t.Fatalf("listing pods: %v", err)
	}
	return pods.Items
}
