package logs

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// twoJobs is backoffJob and indexedJob together, as -l finds them.
func twoJobs() ([]*batchv1.Job, []runtime.Object, map[string]string) {
	j1, objs1, text1 := backoffJob()
	j2, objs2, text2 := indexedJob()
	text := maps.Clone(text1)
	maps.Copy(text, text2)
	return []*batchv1.Job{j1, j2}, append(objs1, objs2...), text
}

// TestPrintJobsGolden: one Job after the other, every line (or header)
// naming its Job; the single-Job labels stay as they are after the name.
func TestPrintJobsGolden(t *testing.T) {
	for _, tt := range []struct {
		name   string
		prefix bool
	}{{"jobs", true}, {"jobs-noprefix", false}} {
		t.Run(tt.name, func(t *testing.T) {
			jobs, objs, text := twoJobs()
			opts := DefaultOptions()
			opts.Prefix = tt.prefix
			opts.openStream = (&fakeLogs{text: text}).stream
			var out, errOut bytes.Buffer
			results, err := PrintJobs(context.Background(), fake.NewClientset(objs...), jobs, opts, &out, &errOut)
			want := []Result{{Job: "pi", Code: exitcode.OK}, {Job: "r", Code: exitcode.OK}}
			if err != nil || fmt.Sprint(results) != fmt.Sprint(want) {
				t.Errorf("results %v, %v; want %v", results, err, want)
			}
			goldenCheck(t, "print-"+tt.name, out.String()+"--- stderr ---\n"+errOut.String())
		})
	}
}

// TestPrintJobsBounded: 3 Jobs of 20 pods each never have more than
// MaxRequests log requests in flight.
func TestPrintJobsBounded(t *testing.T) {
	var jobs []*batchv1.Job
	var objs []runtime.Object
	text := map[string]string{}
	for j := range 3 {
		job := newJob(fmt.Sprintf("j%d", j), false)
		jobs, objs = append(jobs, job), append(objs, job)
		for i := range 20 {
			name := fmt.Sprintf("%s-%02d", job.Name, i)
			p := newPod(job, name, i, corev1.PodSucceeded)
			objs = append(objs, &p)
			text[name] = name + "\n"
		}
	}
	logs := &fakeLogs{text: text, delay: func(string) time.Duration { return time.Millisecond }}
	opts := DefaultOptions()
	opts.MaxRequests = 3
	opts.openStream = logs.stream
	var out, errOut bytes.Buffer
	if _, err := PrintJobs(context.Background(), fake.NewClientset(objs...), jobs, opts, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "\n"); got != 60 || logs.maxOpen > 3 || logs.maxOpen < 1 {
		t.Errorf("%d lines, %d requests at once; want 60 lines, 1-3 at once", got, logs.maxOpen)
	}
	if !strings.HasPrefix(out.String(), "[j0/j0-00] j0-00\n") || !strings.HasSuffix(out.String(), "[j2/j2-19] j2-19\n") {
		t.Errorf("out not in Job then attempt order:\n%s", out.String())
	}
}

// TestFollowJobsRefuses: like kubectl logs -f -l, more streams than
// --max-log-requests is refused before any log is read.
func TestFollowJobsRefuses(t *testing.T) {
	var jobs []*batchv1.Job
	var objs []runtime.Object
	for _, name := range []string{"a", "b"} {
		job := newJob(name, false)
		job.Spec.Parallelism = ptrTo(int32(3))
		jobs, objs = append(jobs, job), append(objs, job)
	}
	logs := &fakeLogs{}
	opts := followOptions(logs)
	opts.MaxRequests = 5
	var out, errOut bytes.Buffer
	results, err := FollowJobs(context.Background(), fake.NewClientset(objs...), jobs, opts, &out, &errOut)
	want := "you are attempting to follow 6 log streams of 2 jobs, but maximum allowed concurrency is 5, use --max-log-requests to increase the limit, or narrow the selector"
	if err == nil || err.Error() != want || results != nil || len(logs.requests) > 0 || out.Len()+errOut.Len() > 0 {
		t.Errorf("FollowJobs = %v, %v, requests %v; want error %q and nothing read", results, err, logs.requests, want)
	}
	opts.MaxRequests = 6
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := FollowJobs(ctx, fake.NewClientset(objs...), jobs, opts, &out, &errOut); err != nil {
		t.Errorf("with --max-log-requests=6: %v", err)
	}
}

// TestFollowJobs follows a running pod of two Jobs at once; each line names
// its Job, each Job ends with its own verdict line and code.
func TestFollowJobs(t *testing.T) {
	a, b := newJob("a", false), newJob("b", true)
	pa := newPod(a, "a-1", 0, corev1.PodRunning)
	pb := newPod(b, "b-0-x", 0, corev1.PodRunning, withIndex(0))
	logs := &fakeLogs{blockFollow: true, text: map[string]string{"a-1": "from a\n", "b-0-x": "from b\n"}}
	client := fake.NewClientset(a, b, &pa, &pb)
	r := &followRun{done: make(chan struct{})}
	var results []Result
	go func() {
		defer close(r.done)
		results, r.err = FollowJobs(context.Background(), client, []*batchv1.Job{a, b}, followOptions(logs), &r.out, &r.errOut)
	}()
	waitFor(t, "both streams", func() bool { return strings.Count(r.out.String(), "\n") == 2 })
	setPhase(t, client, &pa, corev1.PodSucceeded)
	setPhase(t, client, &pb, corev1.PodFailed)
	setCondition(t, client, a.DeepCopy(), batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached"})
	setCondition(t, client, b.DeepCopy(), batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"})
	r.wait(t, "FollowJobs did not end with the Jobs")
	want := []Result{{Job: "a", Code: exitcode.OK}, {Job: "b", Code: exitcode.JobFailed}}
	if r.err != nil || fmt.Sprint(results) != fmt.Sprint(want) {
		t.Errorf("FollowJobs = %v, %v; want %v", results, r.err, want)
	}
	for _, line := range []string{"[a/a-1] from a\n", "[b 0/1] from b\n"} {
		if !strings.Contains(r.out.String(), line) {
			t.Errorf("stdout lacks %q:\n%s", line, r.out.String())
		}
	}
	for _, line := range []string{"job/a Complete: CompletionsReached\n", "job/b Failed: BackoffLimitExceeded\n"} {
		if !strings.Contains(r.errOut.String(), line) {
			t.Errorf("stderr lacks %q:\n%s", line, r.errOut.String())
		}
	}
}
