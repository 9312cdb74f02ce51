//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// runningJob creates a Job whose parallel pods run until deleted and waits
// until they all run.
func runningJob(t *testing.T, ns, name string, pods int32) *batchv1.Job {
	t.Helper()
	job := NewJob(ns, name).Sim(SimOutcome, "run").Completions(pods, pods).Create(t)
	WaitFor(t, 60*time.Second, "the pods to run", func() (bool, error) {
		running := 0
		for _, p := range Pods(t, job) {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == int(pods), nil
	})
	return job
}

// TestDeleteForeground: the command returns only once the pods are gone,
// and says first what goes.
func TestDeleteForeground(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := runningJob(t, ns, "busy", 2)
	res := KubectlJob(t, "delete", "busy", "-n", ns, "--cascade=foreground")
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	if want := `job.batch "busy" deleted from ` + ns + " namespace\n"; res.Stdout != want {
		t.Errorf("stdout %q, want %q", res.Stdout, want)
	}
	if !strings.Contains(res.Stderr, "job.batch/busy: its 2 pods go too (2 still running)") {
		t.Errorf("stderr does not say what goes:\n%s", res.Stderr)
	}
	// No waiting here: the command itself waited.
	if pods := Pods(t, job); len(pods) != 0 {
		t.Errorf("%d pods left after delete returned", len(pods))
	}
	if _, err := client.BatchV1().Jobs(ns).Get(context.Background(), "busy", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("job still there after delete returned: %v", err)
	}
}

// TestDeleteBackgroundWaits: the default (background, --wait) also returns
// only once the pods are gone.
func TestDeleteBackgroundWaits(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := runningJob(t, ns, "busy", 2)
	if res := KubectlJob(t, "delete", "busy", "-n", ns); res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	if pods := Pods(t, job); len(pods) != 0 {
		t.Errorf("%d pods left after delete returned", len(pods))
	}
}

// TestDeleteOrphan: the pods stay, running, and the user is warned.
func TestDeleteOrphan(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := runningJob(t, ns, "busy", 2)
	res := KubectlJob(t, "delete", "busy", "-n", ns, "--cascade=orphan")
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "Warning: --cascade=orphan leaves the 2 pods of job.batch/busy (2 still running) in place") {
		t.Errorf("no orphan warning:\n%s", res.Stderr)
	}
	WaitForGone(t, ns, "busy", 10*time.Second)
	time.Sleep(2 * time.Second) // give the garbage collector time to (wrongly) act
	pods := Pods(t, job)
	if len(pods) != 2 {
		t.Fatalf("%d pods left, want the 2 orphans", len(pods))
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
			t.Errorf("orphaned pod %s: phase %s, deleting %v", p.Name, p.Status.Phase, p.DeletionTimestamp != nil)
		}
	}
}

// TestDeleteFailedJob: the logs of failed attempts are named before they go,
// and a typo among the names deletes nothing.
func TestDeleteFailedJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "broken").Fail(3, "100ms").BackoffLimit(1).Create(t)
	WaitForCondition(t, ns, "broken", batchv1.JobFailed, 60*time.Second)

	res := KubectlJob(t, "delete", "broken", "brokn", "-n", ns)
	if res.Code != 1 || !strings.Contains(res.Stderr, `Error from server (NotFound): jobs.batch "brokn" not found`) ||
		!strings.Contains(res.Stderr, "nothing was deleted") || res.Stdout != "" {
		t.Errorf("typo: exit %d\nstdout: %s\nstderr: %s", res.Code, res.Stdout, res.Stderr)
	}
	jobNamed(t, ns, "broken") // still there

	res = KubectlJob(t, "delete", "broken", "-n", ns)
	if res.Code != 0 || !strings.Contains(res.Stderr, "logs of 2 failed attempts will be lost") {
		t.Errorf("exit %d\nstderr: %s", res.Code, res.Stderr)
	}
}

// TestDeleteReportsTTL: a Job the TTL controller will delete anyway is
// reported as such; -i with "n" deletes nothing.
func TestDeleteReportsTTL(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	NewJob(ns, "ttl").With(func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](600) }).Create(t)
	WaitForCondition(t, ns, "ttl", batchv1.JobComplete, 60*time.Second)
	res := KubectlJobStdin(t, "n\n", "delete", "ttl", "-n", ns, "-i")
	if res.Code != 0 || !strings.Contains(res.Stderr, "job.batch/ttl: would be deleted by its TTL in 9m") ||
		!strings.Contains(res.Stderr, "job.batch/ttl skipped") || res.Stdout != "" {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", res.Code, res.Stdout, res.Stderr)
	}
	jobNamed(t, ns, "ttl") // still there
}

// TestDeleteRecreatedJob: the real API server refuses a delete whose UID
// precondition names a Job that was deleted and re-created under the same
// name, and one whose resourceVersion precondition is stale; the Jobs
// survive. This is the race between listing and deleting, made certain.
func TestDeleteRecreatedJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	ctx := context.Background()
	NewJob(ns, "again").Create(t)
	WaitForCondition(t, ns, "again", batchv1.JobComplete, 60*time.Second)
	listed := jobNamed(t, ns, "again")
	if err := client.BatchV1().Jobs(ns).Delete(ctx, "again", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
		t.Fatal(err)
	}
	WaitForGone(t, ns, "again", 30*time.Second)
	recreated := NewJob(ns, "again").Create(t)

	err := kube.DeleteJob(ctx, client, listed, kube.DeleteJobOptions{})
	if !kube.IsPreconditionFailed(err) {
		t.Fatalf("deleting with the old UID: %v, want a precondition failure", err)
	}
	if got := jobNamed(t, ns, "again"); got.UID != recreated.UID {
		t.Fatalf("the re-created Job is gone or replaced: %s", got.UID)
	}

	// resourceVersion: the Job changes after it was read (prune's case).
	read := jobNamed(t, ns, "again")
	// A patch, not an update: the job controller may write the Job meanwhile.
	if _, err := client.BatchV1().Jobs(ns).Patch(ctx, "again", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"touched":"yes"}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	err = kube.DeleteJob(ctx, client, read, kube.DeleteJobOptions{MatchResourceVersion: true})
	if !kube.IsPreconditionFailed(err) {
		t.Fatalf("deleting with a stale resourceVersion: %v, want a precondition failure", err)
	}
	jobNamed(t, ns, "again")
}
