package logs

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// newJob is a Job named name in namespace ns with uid "uid-NAME".
func newJob(name string, indexed bool) *batchv1.Job {
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name)},
		Spec: batchv1.JobSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{kube.LabelControllerUID: "uid-" + name}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}}}},
		},
	}
	if indexed {
		j.Spec.CompletionMode = ptrTo(batchv1.IndexedCompletion)
	}
	return j
}

type podOpt func(*corev1.Pod)

// newPod is a pod of job created sec seconds after t0, in phase (Failed pods
// exit 1), with a "main" container.
func newPod(job *batchv1.Job, name string, sec int, phase corev1.PodPhase, opts ...podOpt) corev1.Pod {
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: job.Namespace, UID: types.UID("uid-" + name),
			CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(sec) * time.Second)),
			Labels:            map[string]string{kube.LabelControllerUID: string(job.UID)},
			OwnerReferences:   []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID, Controller: ptrTo(true)}},
		},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}}},
		Status: corev1.PodStatus{Phase: phase},
	}
	cs := corev1.ContainerStatus{Name: "main"}
	switch phase {
	case corev1.PodSucceeded:
		cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}
	case corev1.PodFailed:
		cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}
	case corev1.PodRunning:
		cs.State.Running = &corev1.ContainerStateRunning{}
	case corev1.PodPending:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func withIndex(i int) podOpt {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[batchv1.JobCompletionIndexAnnotation] = strconv.Itoa(i)
	}
}

func withFailureCount(n int) podOpt {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[batchv1.JobIndexFailureCountAnnotation] = strconv.Itoa(n)
	}
}

func withExit(code int32, reason string) podOpt {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0].State.Terminated = &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason}
	}
}

func names(as []Attempt) string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s#%d", a.Pod.Name, a.Number))
	}
	return strings.Join(out, " ")
}

// fakeLogs serves "<pod> line N" text per pod and counts concurrent opens.
type fakeLogs struct {
	mu       sync.Mutex
	text     map[string]string // pod (or pod/container) -> log
	delay    func(pod string) time.Duration
	open     int
	maxOpen  int
	requests []string
	// follow, when set, serves follow requests: the returned reader yields
	// the text and then blocks until the request's context ends (KWOK).
	blockFollow bool
	// emptyFollows, when set, makes the first that many follow requests of
	// each pod end at once without a line, as KWOK's do before a
	// simulated container's log is written.
	emptyFollows int
	follows      map[string]int
	// followErr, when set, is what those follow requests return instead
	// (a container not readable yet).
	followErr error
	// silentFollow makes follow requests send nothing and stay open, as
	// KWOK's do when they began before the pod's log was set up.
	silentFollow bool
}

// logEpoch is the runtime timestamp of line 0 of every fake log; line i is
// i seconds later.
var logEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// served is text as a server sends it: with a timestamp per line when asked
// (and then only the lines since opts.SinceTime).
func served(text string, opts *corev1.PodLogOptions) string {
	if !opts.Timestamps {
		return text
	}
	var b strings.Builder
	for i, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		ts := logEpoch.Add(time.Duration(i) * time.Second)
		if opts.SinceTime != nil && ts.Before(opts.SinceTime.Time) {
			continue
		}
		b.WriteString(ts.Format(time.RFC3339Nano) + " " + line)
	}
	return b.String()
}

func (f *fakeLogs) stream(ctx context.Context, ns, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
	f.mu.Lock()
	f.open++
	f.maxOpen = max(f.maxOpen, f.open)
	f.requests = append(f.requests, fmt.Sprintf("%s/%s follow=%v", pod, opts.Container, opts.Follow))
	text, ok := f.text[pod+"/"+opts.Container]
	if !ok {
		text = f.text[pod]
	}
	if opts.Follow && f.emptyFollows > 0 {
		if f.follows == nil {
			f.follows = map[string]int{}
		}
		if f.follows[pod]++; f.follows[pod] <= f.emptyFollows {
			f.open--
			f.mu.Unlock()
			if f.followErr != nil {
				return nil, f.followErr
			}
			return io.NopCloser(strings.NewReader("")), nil
		}
	}
	f.mu.Unlock()
	done := func() {
		f.mu.Lock()
		f.open--
		f.mu.Unlock()
	}
	if f.delay != nil {
		select {
		case <-time.After(f.delay(pod)):
		case <-ctx.Done():
			done()
			return nil, ctx.Err()
		}
	}
	var r io.Reader = strings.NewReader(served(text, opts))
	if opts.Follow && f.silentFollow {
		r = &blockReader{ctx: ctx}
	}
	if opts.Follow && f.blockFollow {
		r = io.MultiReader(r, &blockReader{ctx: ctx})
	}
	return &closer{Reader: r, close: done}, nil
}

type blockReader struct{ ctx context.Context }

func (b *blockReader) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

type closer struct {
	io.Reader
	once  sync.Once
	close func()
}

func (c *closer) Close() error {
	c.once.Do(c.close)
	return nil
}

func ptrTo[T any](v T) *T { return &v }
