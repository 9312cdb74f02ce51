package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
)

func goldenCheck(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

// backoffJob is a NonIndexed Job that failed after 3 attempts, one of which
// (a running pod) the controller deleted.
func backoffJob() (*batchv1.Job, []runtime.Object, map[string]string) {
	job := newJob("pi", false)
	job.Status.Failed = 4
	job.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}
	p1 := newPod(job, "pi-aaaaa", 0, corev1.PodFailed)
	p2 := newPod(job, "pi-bbbbb", 12, corev1.PodFailed, withExit(137, "OOMKilled"))
	p3 := newPod(job, "pi-ccccc", 30, corev1.PodFailed, withExit(3, "Error"))
	text := map[string]string{
		"pi-aaaaa": "starting\nfirst try failed\n",
		"pi-bbbbb": "starting\nout of memory",
		"pi-ccccc": "starting\nexit 3\n",
	}
	return job, []runtime.Object{job, &p3, &p1, &p2}, text
}

func indexedJob() (*batchv1.Job, []runtime.Object, map[string]string) {
	job := newJob("r", true)
	job.Status.Failed, job.Status.Succeeded, job.Status.CompletedIndexes = 1, 3, "0-2"
	objs := []runtime.Object{job}
	text := map[string]string{}
	for i := range 3 {
		name := fmt.Sprintf("r-%d-ok", i)
		p := newPod(job, name, 10+i, corev1.PodSucceeded, withIndex(i))
		objs = append(objs, &p)
		text[name] = fmt.Sprintf("index %d done\n", i)
	}
	f := newPod(job, "r-2-bad", 1, corev1.PodFailed, withIndex(2))
	objs = append(objs, &f)
	text["r-2-bad"] = "index 2 crashed\n"
	return job, objs, text
}

func runPrint(t *testing.T, job *batchv1.Job, objs []runtime.Object, logs *fakeLogs, opts Options) (string, string, int) {
	t.Helper()
	client := fake.NewClientset(objs...)
	opts.openStream = logs.stream
	var out, errOut bytes.Buffer
	code, err := Print(context.Background(), client, job, opts, &out, &errOut)
	if err != nil {
		t.Fatalf("Print: %v", err)
	}
	return out.String(), errOut.String(), code
}

func TestPrintGolden(t *testing.T) {
	set2, _ := explain.ParseIndexes("2")
	tests := []struct {
		name string
		job  func() (*batchv1.Job, []runtime.Object, map[string]string)
		opts func(*Options)
		code int
	}{
		{"backoff", backoffJob, func(*Options) {}, exitcode.OK},
		{"backoff-noprefix", backoffJob, func(o *Options) { o.Prefix = false }, exitcode.OK},
		{"backoff-last", backoffJob, func(o *Options) { o.Selector.Last = true }, exitcode.OK},
		{"backoff-failed", backoffJob, func(o *Options) { o.Selector.Failed = true }, exitcode.OK},
		{"indexed", indexedJob, func(*Options) {}, exitcode.OK},
		{"indexed-index2-noprefix", indexedJob, func(o *Options) { o.Selector.Indexes = set2; o.Prefix = false }, exitcode.OK},
		{"indexed-succeeded", indexedJob, func(o *Options) { o.Selector.Succeeded = true }, exitcode.OK},
		{"indexed-nothing", indexedJob, func(o *Options) { o.Selector.Attempt = 5 }, exitcode.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, objs, text := tt.job()
			opts := DefaultOptions()
			tt.opts(&opts)
			out, errOut, code := runPrint(t, job, objs, &fakeLogs{text: text}, opts)
			if code != tt.code {
				t.Errorf("code %d, want %d", code, tt.code)
			}
			goldenCheck(t, "print-"+tt.name, out+"--- stderr ---\n"+errOut)
		})
	}
}

// TestPrintOrderedAndBounded fetches 60 pods whose logs arrive in random
// order and checks they print in attempt order, with at most MaxRequests
// requests at once.
func TestPrintOrderedAndBounded(t *testing.T) {
	job := newJob("big", false)
	objs := []runtime.Object{job}
	text := map[string]string{}
	var want strings.Builder
	for i := range 60 {
		name := fmt.Sprintf("big-%02d", i)
		p := newPod(job, name, i, corev1.PodSucceeded)
		objs = append(objs, &p)
		text[name] = fmt.Sprintf("%s line 1\n%s line 2\n", name, name)
		fmt.Fprintf(&want, "[%s] %s line 1\n[%s] %s line 2\n", name, name, name, name)
	}
	logs := &fakeLogs{text: text, delay: func(pod string) time.Duration {
		return time.Duration(len(pod)*int(pod[len(pod)-1])%7) * time.Millisecond
	}}
	opts := DefaultOptions()
	opts.MaxRequests = 4
	out, errOut, code := runPrint(t, job, objs, logs, opts)
	if code != exitcode.OK || errOut != "" {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	if diff := cmp.Diff(want.String(), out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if logs.maxOpen > 4 {
		t.Errorf("%d requests at once, want at most 4", logs.maxOpen)
	}
	if len(logs.requests) != 60 {
		t.Errorf("%d log requests, want 60", len(logs.requests))
	}
}

// TestPrintBigLogsBoundedMemory streams logs much larger than the pipes
// through a slow reader of the first pod: fetches ahead must block instead
// of buffering everything.
func TestPrintBigLogsBoundedMemory(t *testing.T) {
	job := newJob("big", false)
	objs := []runtime.Object{job}
	text := map[string]string{}
	line := strings.Repeat("z", 1023) + "\n"
	for i := range 8 {
		name := fmt.Sprintf("big-%d", i)
		p := newPod(job, name, i, corev1.PodSucceeded)
		objs = append(objs, &p)
		text[name] = strings.Repeat(line, 2048) // 2 MiB each
	}
	opts := DefaultOptions()
	opts.MaxRequests = 3
	opts.Prefix = false
	out, _, code := runPrint(t, job, objs, &fakeLogs{text: text}, opts)
	if code != exitcode.OK {
		t.Fatalf("code %d", code)
	}
	if got, want := strings.Count(out, "\n"), 8*(2048+1)+7; got != want {
		t.Errorf("%d lines, want %d", got, want)
	}
}

func TestPrintErrors(t *testing.T) {
	job, objs, text := backoffJob()
	client := fake.NewClientset(objs...)
	opts := DefaultOptions()
	opts.openStream = func(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
		if pod == "pi-bbbbb" {
			return nil, fmt.Errorf("the server could not find the requested resource")
		}
		return (&fakeLogs{text: text}).stream(ctx, ns, pod, o)
	}
	var out, errOut bytes.Buffer
	code, err := Print(context.Background(), client, job, opts, &out, &errOut)
	if err != nil || code != exitcode.Partial {
		t.Fatalf("Print = %d, %v; want Partial", code, err)
	}
	if !strings.Contains(errOut.String(), "error: cannot get the logs of pod pi-bbbbb container main: the server could not find the requested resource") {
		t.Errorf("stderr: %s", errOut.String())
	}

	pending := newPod(job, "pi-ddddd", 40, corev1.PodPending)
	out.Reset()
	errOut.Reset()
	opts = DefaultOptions()
	opts.Prefix = false
	opts.Selector.Active = true
	code, err = Print(context.Background(), fake.NewClientset(append(objs, &pending)...), job, opts, &out, &errOut)
	if err != nil || code != exitcode.OK {
		t.Fatalf("Print = %d, %v", code, err)
	}
	if out.String() != "==> pod pi-ddddd (attempt 4, Pending) <==\n" || errOut.String() != "pod pi-ddddd: container main not started yet (ContainerCreating)\n" {
		t.Errorf("pending pod: stdout %q, stderr %q", out.String(), errOut.String())
	}

	opts = DefaultOptions()
	opts.Container = "nope"
	if _, err := Print(context.Background(), client, job, opts, &out, &errOut); err == nil || !strings.Contains(err.Error(), "container nope is not in pod") {
		t.Errorf("missing container: %v", err)
	}
	set, _ := explain.ParseIndexes("1")
	opts = DefaultOptions()
	opts.Selector.Indexes = set
	if _, err := Print(context.Background(), client, job, opts, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--index needs an Indexed Job") {
		t.Errorf("--index on NonIndexed: %v", err)
	}

	indexed, objs, _ := indexedJob()
	indexed.Spec.Completions = ptrTo(int32(8))
	opts = DefaultOptions()
	opts.Selector.Indexes, _ = explain.ParseIndexes("2,9")
	_, err = Print(context.Background(), fake.NewClientset(objs...), indexed, opts, &out, &errOut)
	if err == nil || err.Error() != "--index 9 is out of range: job r has completions 8, so its indexes are 0-7" {
		t.Errorf("--index past completions: %v", err)
	}
}

func TestPodLogOptionsPassThrough(t *testing.T) {
	job, objs, text := backoffJob()
	tail, since, limit := int64(5), int64(60), int64(100)
	opts := DefaultOptions()
	opts.TailLines, opts.SinceSeconds, opts.LimitBytes, opts.Timestamps = &tail, &since, &limit, true
	opts.Selector.Last = true
	var seen *corev1.PodLogOptions
	opts.openStream = func(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
		seen = o
		return (&fakeLogs{text: text}).stream(ctx, ns, pod, o)
	}
	var out, errOut bytes.Buffer
	if _, err := Print(context.Background(), fake.NewClientset(objs...), job, opts, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := &corev1.PodLogOptions{Container: "main", TailLines: &tail, SinceSeconds: &since, LimitBytes: &limit, Timestamps: true}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("PodLogOptions (-want +got):\n%s", diff)
	}
}

// TestPrintForbidden: pods/log is granted per namespace, so a refused log is
// said once, not once per pod; with no log readable at all it is the
// command's error (kubectl's Error from server (Forbidden), exit 1).
func TestPrintForbidden(t *testing.T) {
	job, objs, text := backoffJob()
	forbidden := func(pod string) error {
		return apierrors.NewForbidden(corev1.Resource("pods"), pod, errors.New(`User "u" cannot get resource "pods/log" in API group "" in the namespace "ns"`))
	}
	for _, tt := range []struct {
		name      string
		refuse    func(pod string) bool
		wantCode  int
		wantErr   bool
		wantLines int
	}{
		{name: "every log refused", refuse: func(string) bool { return true }, wantCode: exitcode.Error, wantErr: true},
		{name: "some logs refused", refuse: func(pod string) bool { return pod != "pi-ccccc" }, wantCode: exitcode.Partial, wantLines: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.openStream = func(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
				if tt.refuse(pod) {
					return nil, forbidden(pod)
				}
				return (&fakeLogs{text: text}).stream(ctx, ns, pod, o)
			}
			var out, errOut bytes.Buffer
			code, err := Print(context.Background(), fake.NewClientset(objs...), job, opts, &out, &errOut)
			if code != tt.wantCode || (err != nil) != tt.wantErr {
				t.Fatalf("Print = %d, %v; want %d (error %v)", code, err, tt.wantCode, tt.wantErr)
			}
			if tt.wantErr && !apierrors.IsForbidden(err) {
				t.Errorf("error %v is not the server's Forbidden", err)
			}
			if got := strings.Count(errOut.String(), "forbidden"); got != tt.wantLines {
				t.Errorf("%d lines say forbidden, want %d:\n%s", got, tt.wantLines, errOut.String())
			}
			if tt.wantLines > 0 && !strings.Contains(errOut.String(), "Warning: cannot get pods/log in namespace ns: forbidden\n") {
				t.Errorf("stderr: %s", errOut.String())
			}
		})
	}
}
