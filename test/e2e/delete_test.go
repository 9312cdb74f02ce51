//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
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

// TestDeleteRecreatedJob: a name reused between lookup and delete is never
// deleted or changed by mistake. The real API server refuses a delete whose
// UID precondition names a Job that was deleted and re-created under the
// same name (delete, rerun --replace), one whose resourceVersion precondition
// is stale (prune), and a suspend patch naming the old UID; the command
// itself, paused at its -i prompt while the Job is re-created, refuses too.
// The cases are the "deletes" table of docs/reliability.md.
func TestDeleteRecreatedJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	ctx := context.Background()
	doc := NewDocSection(t, "deletes")
	recreate := func(name string, b *JobBuilder) *batchv1.Job {
		t.Helper()
		if err := client.BatchV1().Jobs(ns).Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationForeground)}); err != nil {
			t.Fatal(err)
		}
		WaitForGone(t, ns, name, 60*time.Second)
		return b.Create(t)
	}

	NewJob(ns, "again").Create(t)
	WaitForCondition(t, ns, "again", batchv1.JobComplete, 60*time.Second)
	listed := jobNamed(t, ns, "again")
	recreated := recreate("again", NewJob(ns, "again"))
	err := kube.DeleteJob(ctx, client, listed, kube.DeleteJobOptions{})
	if !kube.IsPreconditionFailed(err) {
		t.Fatalf("deleting with the old UID: %v, want a precondition failure", err)
	}
	if got := jobNamed(t, ns, "again"); got.UID != recreated.UID {
		t.Fatalf("the re-created Job is gone or replaced: %s", got.UID)
	}
	doc.Add(DocRow{
		Case:     "delete with the UID read before the Job was deleted and re-created under its name (what delete and rerun --replace send)",
		Expected: "409 Conflict (precondition failed); the new Job stays",
		Observed: fmt.Sprintf("%s; the new Job (new UID) is still there", apiReason(err)),
	})

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
	doc.Add(DocRow{
		Case:     "delete with the UID and a resourceVersion from before the Job changed (what prune sends)",
		Expected: "409 Conflict; the Job stays, prune says to run it again",
		Observed: fmt.Sprintf("%s; the Job is still there", apiReason(err)),
	})

	// The command: `delete -i` reads the Job and waits at its prompt; the Job
	// is re-created meanwhile; "y" must not delete the new one.
	cmd := exec.Command("kubectl", "job", "delete", "again", "-n", ns, "-i")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "NO_COLOR=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	WaitFor(t, 60*time.Second, "the delete prompt", func() (bool, error) {
		return strings.Contains(stderr.String(), "(y/N): "), nil
	})
	recreated = recreate("again", NewJob(ns, "again").Sim(SimOutcome, "run"))
	if _, err := io.WriteString(stdin, "y\n"); err != nil {
		t.Fatal(err)
	}
	_ = stdin.Close()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatal(err)
		}
		code = exitErr.ExitCode()
	}
	t.Logf("delete -i: exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	want := "error: job.batch/again was deleted and re-created since it was read (its UID changed); the new Job was not deleted"
	if code != 1 || !strings.Contains(stderr.String(), want) || stdout.String() != "" {
		t.Errorf("delete -i of a re-created Job: exit %d, stdout %q, stderr:\n%s\nwant exit 1 and %q", code, stdout.String(), stderr.String(), want)
	}
	if got := jobNamed(t, ns, "again"); got.UID != recreated.UID || got.DeletionTimestamp != nil {
		t.Errorf("the re-created Job was deleted or replaced")
	}
	doc.Add(DocRow{
		Case:     "`kubectl job delete again -i`: the Job is deleted and re-created while the prompt waits, then the user answers y",
		Expected: "exit 1, the UID change named, nothing on stdout; the new Job stays",
		Observed: fmt.Sprintf("exit %d; stderr: `%s`; the new Job (running) is still there", code, lineWith(stderr.String(), "re-created")),
	})

	// suspend/resume patch metadata.uid along with spec.suspend: a patch
	// naming the old UID is refused (uid is immutable), so suspend never
	// deletes the pods of a Job re-created under the name it read.
	err = patchJob(ctx, ns, "again", fmt.Sprintf(`{"metadata":{"uid":%q},"spec":{"suspend":true}}`, listed.UID))
	if !apierrors.IsInvalid(err) {
		t.Fatalf("suspend patch with the old UID: %v, want Invalid", err)
	}
	if got := jobNamed(t, ns, "again"); ptr.Deref(got.Spec.Suspend, false) {
		t.Errorf("the re-created Job was suspended")
	}
	doc.Add(DocRow{
		Case:     "suspend (or resume) patch naming the UID read before the Job was re-created",
		Expected: "refused (422, metadata.uid is immutable); the new Job keeps running, suspend says the UID changed",
		Observed: fmt.Sprintf("%s; the new Job is not suspended", apiReason(err)),
	})
}

// patchJob sends a merge patch to a Job.
func patchJob(ctx context.Context, ns, name, patch string) error {
	_, err := client.BatchV1().Jobs(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

// apiReason is the HTTP code and reason of an API error, for the docs.
func apiReason(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return fmt.Sprintf("error %v", err)
	}
	st := status.Status()
	return fmt.Sprintf("%d %s", st.Code, st.Reason)
}

// lineWith is the first line of s containing sub, from sub's first word
// on the line's error (a prompt may share the line).
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			if i := strings.Index(l, "error: "); i >= 0 {
				return l[i:]
			}
			return l
		}
	}
	return ""
}

// lockedBuffer is a bytes.Buffer a running command writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
