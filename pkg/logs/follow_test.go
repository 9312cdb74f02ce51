package logs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// conditionExplain stands in for the engine: the Job's terminal condition,
// Running otherwise.
func conditionExplain(in explain.Input) *explain.JobExplanation {
	e := &explain.JobExplanation{Verdict: explain.Verdict{Phase: explain.PhaseRunning}}
	for _, c := range in.Job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobFailed:
			e.Verdict = explain.Verdict{Phase: explain.PhaseFailed, Reason: explain.Reason(c.Reason), Message: c.Message}
		case batchv1.JobComplete:
			e.Verdict = explain.Verdict{Phase: explain.PhaseComplete, Reason: explain.Reason(c.Reason)}
		case batchv1.JobSuspended:
			e.Verdict = explain.Verdict{Phase: explain.PhaseSuspended}
		}
	}
	return e
}

func followOptions(logs *fakeLogs) Options {
	o := DefaultOptions()
	o.Explain = conditionExplain
	o.DrainIdle = 50 * time.Millisecond
	o.openStream = logs.stream
	return o
}

type followRun struct {
	out, errOut testutil.SyncBuffer
	code        int
	err         error
	done        chan struct{}
}

func startFollow(t *testing.T, client *fake.Clientset, job *batchv1.Job, opts Options) *followRun {
	t.Helper()
	r := &followRun{done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	go func() {
		defer close(r.done)
		r.code, r.err = Follow(ctx, client, job, opts, &r.out, &r.errOut)
	}()
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fakeLogs) requested(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if r == s {
			return true
		}
	}
	return false
}

// failJobAndWait marks the Job Failed (BackoffLimitExceeded) and waits for
// Follow to end.
func failJobAndWait(t *testing.T, client *fake.Clientset, job *batchv1.Job, r *followRun, failed int32, msg string) {
	t.Helper()
	job.Status.Failed = failed
	setCondition(t, client, job, batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: msg})
	r.wait(t, "Follow did not end with the Job")
}

// setCondition makes cond the Job's only condition.
func setCondition(t *testing.T, client *fake.Clientset, job *batchv1.Job, cond batchv1.JobCondition) {
	t.Helper()
	job.Status.Conditions = []batchv1.JobCondition{cond}
	if _, err := client.BatchV1().Jobs(job.Namespace).UpdateStatus(context.Background(), job, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the follow to end; failing says what did not happen.
func (r *followRun) wait(t *testing.T, failing string) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		t.Fatal(failing)
	}
}

func setPhase(t *testing.T, client *fake.Clientset, pod *corev1.Pod, phase corev1.PodPhase) {
	t.Helper()
	p := newPod(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: pod.Namespace, UID: pod.OwnerReferences[0].UID}}, pod.Name, 0, phase)
	pod.Status = p.Status
	if _, err := client.CoreV1().Pods(pod.Namespace).UpdateStatus(context.Background(), pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestFollowPicksUpRetriesAndExitsWithTheJob: a failed attempt is printed
// first, the running one is followed (its stream never ends, like KWOK's)
// until its status says it terminated, a retry created later is followed
// too, and the Job's failure ends Follow with exit code 2 and a verdict.
func TestFollowPicksUpRetriesAndExitsWithTheJob(t *testing.T) {
	job := newJob("pi", false)
	job.Spec.BackoffLimit = ptrTo(int32(2))
	p1 := newPod(job, "pi-1", 0, corev1.PodFailed)
	p2 := newPod(job, "pi-2", 10, corev1.PodRunning)
	p3 := newPod(job, "pi-3", 20, corev1.PodRunning)
	logs := &fakeLogs{blockFollow: true, text: map[string]string{
		"pi-1": "one: failed\n", "pi-2": "two: running\ntwo: failed\n", "pi-3": "three: running\n",
	}}
	client := fake.NewClientset(job, &p1, &p2)
	r := startFollow(t, client, job, followOptions(logs))

	waitFor(t, "the running pod's stream", func() bool { return logs.requested("pi-2/main follow=true") })
	waitFor(t, "its lines", func() bool { return strings.Contains(r.out.String(), "two: failed") })
	setPhase(t, client, &p2, corev1.PodFailed)
	if _, err := client.CoreV1().Pods("ns").Create(context.Background(), &p3, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retry's stream", func() bool { return logs.requested("pi-3/main follow=true") })
	waitFor(t, "its lines", func() bool { return strings.Contains(r.out.String(), "three: running") })
	setPhase(t, client, &p3, corev1.PodFailed)
	failJobAndWait(t, client, job, r, 3, "3 failed pods > backoffLimit 2")
	if r.err != nil || r.code != exitcode.JobFailed {
		t.Fatalf("Follow = %d, %v; want %d", r.code, r.err, exitcode.JobFailed)
	}
	want := "[pi-1] one: failed\n[pi-2] two: running\n[pi-2] two: failed\n[pi-3] three: running\n"
	if got := r.out.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	// Each followed attempt that failed is said once its logs are printed,
	// with what followed it: the retry, when the informer had it by then.
	wantErr := "attempt 2 (pod pi-2) failed; retried as attempt 3 (pod pi-3)\n" +
		"attempt 3 (pod pi-3) failed; no retry: the Job failed (BackoffLimitExceeded)\n" +
		"job/pi Failed: BackoffLimitExceeded — 3 failed pods > backoffLimit 2\n"
	got := strings.Replace(r.errOut.String(), "attempt 2 (pod pi-2) failed; the controller creates a replacement\n", "attempt 2 (pod pi-2) failed; retried as attempt 3 (pod pi-3)\n", 1)
	if want := wantErr; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	if logs.requested("pi-1/main follow=true") {
		t.Error("the ended attempt was followed; it should be read once")
	}
}

// TestFollowReopensAnEndedStream: a follow stream the server ends while the
// container still runs (KWOK before the log is written, a kubelet's log
// rotation) is opened again, so no line of a running attempt is lost; the
// bench once missed a whole pod's logs this way.
func TestFollowReopensAnEndedStream(t *testing.T) {
	job := newJob("pi", false)
	p1 := newPod(job, "pi-1", 0, corev1.PodRunning)
	logs := &fakeLogs{blockFollow: true, emptyFollows: 2, text: map[string]string{"pi-1": "one: running\n"}}
	client := fake.NewClientset(job, &p1)
	r := startFollow(t, client, job, followOptions(logs))
	waitFor(t, "its lines", func() bool { return strings.Contains(r.out.String(), "one: running") })
	setPhase(t, client, &p1, corev1.PodSucceeded)
	setCondition(t, client, job, batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached"})
	r.wait(t, "Follow did not end with the Job")
	if got := r.out.String(); got != "[pi-1] one: running\n" {
		t.Errorf("stdout %q", got)
	}
}

// TestFollowReadsAnEndedContainerOnce: an ended container whose follow
// requests gave none of its lines is read once more without following, so
// they are not lost. Either every follow request failed (a short-lived
// container not readable while it ran; e2e TestCreateFollowFailingExits2
// once missed its lines this way), or the follow request stayed open without
// a line (KWOK's, when it began before the pod's log was set up): that one
// is ended DrainIdle after the container. A follow request that did send the
// lines gets none twice (TestFollowPicksUpRetriesAndExitsWithTheJob).
func TestFollowReadsAnEndedContainerOnce(t *testing.T) {
	for name, logs := range map[string]*fakeLogs{
		"follow requests failed": {emptyFollows: 1000, followErr: errors.New("container not found")},
		"follow request silent":  {silentFollow: true},
	} {
		t.Run(name, func(t *testing.T) {
			logs.text = map[string]string{"pi-1": "migrating\n"}
			job := newJob("pi", false)
			p1 := newPod(job, "pi-1", 0, corev1.PodRunning)
			client := fake.NewClientset(job, &p1)
			r := startFollow(t, client, job, followOptions(logs))
			waitFor(t, "a follow request", func() bool { return logs.requested("pi-1/main follow=true") })
			setPhase(t, client, &p1, corev1.PodFailed)
			failJobAndWait(t, client, job, r, 1, "1 failed pod > backoffLimit 0")
			if got := r.out.String(); got != "[pi-1] migrating\n" {
				t.Errorf("stdout %q, want the ended container's line", got)
			}
		})
	}
}

func TestFollowEnds(t *testing.T) {
	tests := []struct {
		name   string
		change func(*testing.T, *fake.Clientset, *batchv1.Job)
		code   int
		stderr string
	}{
		{
			name: "deleted",
			change: func(t *testing.T, c *fake.Clientset, j *batchv1.Job) {
				if err := c.BatchV1().Jobs("ns").Delete(context.Background(), j.Name, metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			code: exitcode.EndedOtherwise, stderr: "job/pi was deleted\n",
		},
		{
			name: "suspended",
			change: func(t *testing.T, c *fake.Clientset, j *batchv1.Job) {
				j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue}}
				if _, err := c.BatchV1().Jobs("ns").UpdateStatus(context.Background(), j, metav1.UpdateOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			code: exitcode.EndedOtherwise, stderr: "job/pi Suspended\n",
		},
		{
			name: "complete",
			change: func(t *testing.T, c *fake.Clientset, j *batchv1.Job) {
				j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached"}}
				if _, err := c.BatchV1().Jobs("ns").UpdateStatus(context.Background(), j, metav1.UpdateOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			code: exitcode.OK, stderr: "job/pi Complete: CompletionsReached\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := newJob("pi", false)
			logs := &fakeLogs{blockFollow: true}
			client := fake.NewClientset(job)
			r := startFollow(t, client, job, followOptions(logs))
			time.Sleep(50 * time.Millisecond)
			tt.change(t, client, job.DeepCopy())
			select {
			case <-r.done:
			case <-time.After(10 * time.Second):
				t.Fatal("Follow did not end")
			}
			if r.err != nil || r.code != tt.code || r.errOut.String() != tt.stderr {
				t.Errorf("Follow = %d, %v, stderr %q; want %d, %q", r.code, r.err, r.errOut.String(), tt.code, tt.stderr)
			}
		})
	}
}

func TestFollowRefuses(t *testing.T) {
	job := newJob("pi", false)
	job.Spec.Parallelism = ptrTo(int32(12))
	objs := []runtime.Object{job}
	tests := []struct {
		name string
		opts func(*Options)
		want string
	}{
		{"too many streams", func(*Options) {}, "following job pi would open up to 12 log streams at once (parallelism 12), more than --max-log-requests=10; raise --max-log-requests, or narrow with --index or -c"},
		{"failed", func(o *Options) { o.Selector.Failed = true }, "--failed and --succeeded cannot be used with --follow"},
		{"previous", func(o *Options) { o.Previous = true }, "--previous cannot be used with --follow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := followOptions(&fakeLogs{})
			tt.opts(&opts)
			var out, errOut bytes.Buffer
			code, err := Follow(context.Background(), fake.NewClientset(objs...), job, opts, &out, &errOut)
			if code != exitcode.Error || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Follow = %d, %v; want error %q", code, err, tt.want)
			}
		})
	}
}

func TestPhaseExitCode(t *testing.T) {
	for p, want := range map[explain.Phase]int{
		explain.PhaseComplete: 0, explain.PhaseSucceeding: 0, explain.PhaseFailed: 2, explain.PhaseFailing: 2,
		explain.PhaseSuspended: 4, explain.PhaseExternal: 4, explain.PhaseTerminating: 4,
	} {
		if got := PhaseExitCode(p); got != want {
			t.Errorf("%s: %d, want %d", p, got, want)
		}
	}
}

// TestFollowForbidden: a refused log stream is not retried (a refusal does
// not heal): with no log read yet, Follow ends at once with the server's
// Forbidden error, which the command prints kubectl's way.
func TestFollowForbidden(t *testing.T) {
	job := newJob("pi", false)
	p := newPod(job, "pi-1", 0, corev1.PodRunning)
	client := fake.NewClientset(job, &p)
	opts := followOptions(&fakeLogs{})
	calls := 0
	var mu sync.Mutex
	opts.openStream = func(context.Context, string, string, *corev1.PodLogOptions) (io.ReadCloser, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return nil, apierrors.NewForbidden(corev1.Resource("pods"), "pi-1", errors.New(`User "u" cannot get resource "pods/log"`))
	}
	r := startFollow(t, client, job, opts)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		t.Fatal("Follow kept retrying a forbidden log")
	}
	if r.code != exitcode.Error || !apierrors.IsForbidden(r.err) {
		t.Errorf("Follow = %d, %v; want %d and the Forbidden error", r.code, r.err, exitcode.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("%d log requests, want 1", calls)
	}
}

// TestFollowSaysWhatItWaitsFor: a Job whose only pod cannot be scheduled is
// not followed in silence: stderr says why once, and again when the reason
// changes (the pod now pulls its image).
func TestFollowSaysWhatItWaitsFor(t *testing.T) {
	job := newJob("gpu", false)
	job.Status.StartTime = &metav1.Time{Time: t0}
	job.Status.Active = 1
	pod := newPod(job, "gpu-1", 0, corev1.PodPending)
	pod.Status.ContainerStatuses = nil
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
		Message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."}}
	client := fake.NewClientset(job, &pod)
	opts := followOptions(&fakeLogs{blockFollow: true})
	opts.Explain = explain.Explain
	opts.Now = func() time.Time { return t0.Add(time.Minute) }
	r := startFollow(t, client, job, opts)
	waitFor(t, "the waiting line", func() bool { return strings.Contains(r.errOut.String(), "waiting: job/gpu Pending: Unschedulable") })

	pod.Status.Conditions = nil
	pod.Spec.NodeName = "node-1"
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}}}
	if _, err := client.CoreV1().Pods("ns").UpdateStatus(context.Background(), &pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second waiting line", func() bool { return strings.Contains(r.errOut.String(), "waiting: job/gpu Pending: ImagePullBackOff") })
	if n := strings.Count(r.errOut.String(), "waiting: job/gpu Pending: Unschedulable"); n != 1 {
		t.Errorf("the Unschedulable stall was said %d times, want once:\n%s", n, r.errOut.String())
	}
}

// TestFollowStallReadsEvents: a Job a quota keeps from creating pods is
// stalled on FailedCreate, which only the events say: -f reads them for its
// waiting line and its --timeout line, as list, explain and wait do.
func TestFollowStallReadsEvents(t *testing.T) {
	job := newJob("quota", false)
	job.Status.StartTime = &metav1.Time{Time: t0}
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "quota.1", Namespace: "ns"},
		InvolvedObject: corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1", Name: "quota", Namespace: "ns", UID: job.UID},
		Type:           corev1.EventTypeWarning, Reason: "FailedCreate", Count: 3,
		Message:        `Error creating: pods "quota-x" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0`,
		FirstTimestamp: metav1.NewTime(t0), LastTimestamp: metav1.NewTime(t0.Add(30 * time.Second)),
	}
	opts := followOptions(&fakeLogs{})
	opts.Explain = explain.Explain
	opts.Now = func() time.Time { return t0.Add(time.Minute) }
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out, errOut bytes.Buffer
	code, err := Follow(ctx, fake.NewClientset(job, ev), job, opts, &out, &errOut)
	if code != exitcode.Timeout || err == nil {
		t.Errorf("Follow = %d, %v; want exit %d and the timeout error", code, err, exitcode.Timeout)
	}
	for _, want := range []string{"waiting: job/quota Pending: FailedCreate", "job/quota still Pending: FailedCreate"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}
