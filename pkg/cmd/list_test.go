package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goruntime "runtime"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// listNow is the clock of the explain samples the list tests are fed.
var listNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// checkListGolden compares got with testdata/PATH, or rewrites it with -update.
func checkListGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", path), got)
}

// sampleClusterObjects are the Jobs, pods and events of the explain samples
// (real status shapes from the local cluster), for a fake clientset.
func sampleClusterObjects(t *testing.T) []runtime.Object {
	return testutil.Objects(t, "samples/*.yaml")
}

// runList runs "kubectl job list ARGS" against client in namespace ns.
func runList(t *testing.T, client *fake.Clientset, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	r := runJob(t, client, listNow, "", append([]string{"list"}, args...)...)
	return r.stdout, r.stderr, r.code
}

func TestListOutputsGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"table", nil},
		{"wide", []string{"-o", "wide"}},
		{"no-headers", []string{"--no-headers"}},
		{"name", []string{"-o", "name"}},
		{"json", []string{"-o", "json", "--status", "failed"}},
		{"yaml-one", []string{"bo", "-o", "yaml"}},
		{"jsonpath", []string{"-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"}},
		{"status-failed-sort-duration", []string{"--status", "Failed,FAILING", "--sort-by", "duration"}},
		{"sort-status", []string{"--sort-by", "status"}},
		{"names", []string{"run", "bo"}},
		{"custom-columns", []string{"-o", "custom-columns=NAME:.metadata.name,FAILED:.status.failed,LIMIT:.spec.backoffLimit,START:.status.startTime"}},
		{"custom-columns-no-headers", []string{"-o", "custom-columns=NAME:.metadata.name,MODE:.spec.completionMode", "--no-headers", "--status", "failed"}},
		{"label-columns", []string{"-L", "batch.kubernetes.io/controller-uid,team", "--sort-by", "duration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runList(t, fake.NewClientset(sampleClusterObjects(t)...), tc.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			checkListGolden(t, filepath.Join("list", tc.name+".txt"), out)
		})
	}
}

func TestListObjectsRoundTrip(t *testing.T) {
	out, _, code := runList(t, fake.NewClientset(sampleClusterObjects(t)...), "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var list struct {
		Kind, APIVersion string
		Items            []batchv1.Job
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if list.Kind != "List" || list.APIVersion != "v1" || len(list.Items) == 0 {
		t.Fatalf("not a v1 List of Jobs: %s %s, %d items", list.APIVersion, list.Kind, len(list.Items))
	}
	for _, j := range list.Items {
		if j.Kind != "Job" || j.APIVersion != "batch/v1" {
			t.Errorf("item %s lacks its TypeMeta: %q %q", j.Name, j.APIVersion, j.Kind)
		}
	}
}

func TestListNotFound(t *testing.T) {
	out, errOut, code := runList(t, fake.NewClientset(sampleClusterObjects(t)...), "bo", "nope", "run")
	if code != exitcode.Error {
		t.Errorf("exit %d, want %d", code, exitcode.Error)
	}
	if want := `Error from server (NotFound): jobs.batch "nope" not found`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	if !strings.Contains(out, "bo ") || !strings.Contains(out, "run ") {
		t.Errorf("the Jobs found were not printed:\n%s", out)
	}
}

func TestListBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--status", "bogus"}, `invalid --status "bogus": valid values are Complete, Failed, Succeeding`},
		{[]string{"--sort-by", "size"}, `invalid --sort-by "size"`},
		{[]string{"x", "-A"}, "across all namespaces"},
		{[]string{"x", "-l", "a=b"}, "names cannot be given with a selector"},
		{[]string{"--cronjob", "c", "-A"}, "--cronjob"},
		{[]string{"--chunk-size", "-1"}, "invalid --chunk-size"},
		{[]string{"-o", "bogus"}, `unable to match a printer suitable for the output format "bogus"`},
	} {
		client := fake.NewClientset()
		out, errOut, code := runList(t, client, tc.args...)
		if code != exitcode.Error || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.args, code, out, errOut, tc.want)
		}
		if n := len(client.Actions()); n != 0 {
			t.Errorf("%v: %d requests made before rejecting the input", tc.args, n)
		}
	}
}

// fleet returns n Jobs spread over three namespaces, every other one running
// with a pod, the rest complete.
func fleet(n int) []runtime.Object {
	var objs []runtime.Object
	for i := range n {
		ns := fmt.Sprintf("ns%d", i%3)
		name := fmt.Sprintf("job-%03d", i)
		uid := types.UID("uid-" + name)
		job := &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, CreationTimestamp: metav1.NewTime(listNow.Add(-time.Hour)), ResourceVersion: "1"},
			Spec: batchv1.JobSpec{Completions: new(int32(1)), Parallelism: new(int32(1)), BackoffLimit: new(int32(6)),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid)}}},
			Status: batchv1.JobStatus{StartTime: &metav1.Time{Time: listNow.Add(-time.Hour)}},
		}
		if i%2 == 0 {
			job.Status.Active, job.Status.Ready = 1, new(int32(1))
			objs = append(objs, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-x", UID: uid + "-x",
					Labels:          map[string]string{"batch.kubernetes.io/controller-uid": string(uid), "batch.kubernetes.io/job-name": name},
					OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: name, UID: uid, Controller: new(true)}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning},
			})
		} else {
			job.Status.Succeeded, job.Status.CompletionTime = 1, &metav1.Time{Time: listNow.Add(-50 * time.Minute)}
			for _, ty := range []batchv1.JobConditionType{batchv1.JobSuccessCriteriaMet, batchv1.JobComplete} {
				job.Status.Conditions = append(job.Status.Conditions, batchv1.JobCondition{Type: ty, Status: corev1.ConditionTrue,
					Reason: batchv1.JobReasonCompletionsReached, LastTransitionTime: *job.Status.CompletionTime})
			}
		}
		objs = append(objs, job)
	}
	return objs
}

func requests(client *fake.Clientset) []string {
	var out []string
	for _, a := range client.Actions() {
		out = append(out, a.GetVerb()+" "+a.GetResource().Resource+" "+a.GetNamespace())
	}
	return out
}

// waitingFleet is fleet(n) with every fourth Job (job-002, job-006...) live
// but waiting: its pod is Pending, so list must say why; the other live Jobs
// run a pod.
func waitingFleet(n int) []runtime.Object {
	objs := fleet(n)
	for _, obj := range objs {
		var i int
		switch o := obj.(type) {
		case *batchv1.Job:
			if _, err := fmt.Sscanf(o.Name, "job-%d", &i); err == nil && i%4 == 2 {
				o.Status.Ready = new(int32(0))
			}
		case *corev1.Pod:
			if _, err := fmt.Sscanf(o.Name, "job-%d-x", &i); err == nil && i%4 == 2 {
				o.Status.Phase = corev1.PodPending
			}
		}
	}
	return objs
}

// TestListRequestCount proves the cost: the Jobs list plus one Pods list per
// page of Jobs with live Jobs (by name, in their namespace when they share
// one: here one page, over three namespaces with -A), the same for 3 Jobs
// as for 300; no Pods list when the objects themselves are printed.
func TestListRequestCount(t *testing.T) {
	podsAll := map[int][]string{3: {"list pods "}, 300: {"list pods "}}
	podsNS0 := map[int][]string{3: {"list pods ns0"}, 300: {"list pods ns0"}}
	for _, tc := range []struct {
		name string
		args []string
		want []string // and then pods[n]
		pods map[int][]string
	}{
		{"all namespaces", []string{"-A"}, []string{"list jobs "}, podsAll},
		{"one namespace", nil, []string{"list jobs ns0"}, podsNS0},
		{"-o name needs no pods", []string{"-A", "-o", "name"}, []string{"list jobs "}, nil},
		{"-o yaml needs no pods", []string{"-A", "-o", "yaml"}, []string{"list jobs "}, nil},
		{"--status running needs pods", []string{"-A", "-o", "name", "--status", "running"}, []string{"list jobs "}, podsAll},
	} {
		for _, n := range []int{3, 300} {
			t.Run(fmt.Sprintf("%s/%d jobs", tc.name, n), func(t *testing.T) {
				client := fake.NewClientset(waitingFleet(n)...)
				streams, _, out, _ := genericiooptions.NewTestIOStreams()
				ns := "ns0"
				flags := genericclioptions.NewConfigFlags(false)
				flags.Namespace = &ns
				o := NewListOptions(flags, streams)
				o.Client, o.Now = client, func() time.Time { return listNow }
				cmd := newCmdList(o)
				cmd.SetArgs(append([]string{}, tc.args...))
				if err := cmd.Execute(); err != nil {
					t.Fatal(err)
				}
				want := append(slices.Clone(tc.want), tc.pods[n]...)
				got := requests(client)
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("requests (-want +got):\n%s", d)
				}
				if tc.name == "all namespaces" && (strings.Count(out.String(), "Running") != (n+3)/4 || strings.Count(out.String(), "Pending") != (n+1)/4) {
					t.Errorf("want %d Running and %d Pending rows:\n%s", (n+3)/4, (n+1)/4, out.String())
				}
			})
		}
	}
}

func TestListFinishedJobsNeedNoPods(t *testing.T) {
	var finished []runtime.Object
	for _, obj := range fleet(10) {
		if j, ok := obj.(*batchv1.Job); ok && j.Status.CompletionTime != nil {
			finished = append(finished, j)
		}
	}
	client := fake.NewClientset(finished...)
	if _, _, code := runList(t, client, "-A"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if d := cmp.Diff([]string{"list jobs "}, requests(client)); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

// cronJobFleet is the CronJob nightly with fleet(4) as its Jobs, one a
// minute (job-000 newest), in namespace ns, and a Job of another owner last.
func cronJobFleet() []runtime.Object {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "nightly", UID: "uid-nightly"},
		Spec:       batchv1.CronJobSpec{Schedule: "0 * * * *", TimeZone: new("Europe/Paris"), SuccessfulJobsHistoryLimit: new(int32(1)), FailedJobsHistoryLimit: new(int32(1))},
		Status:     batchv1.CronJobStatus{LastScheduleTime: &metav1.Time{Time: listNow.Add(-time.Hour)}},
	}
	objs := []runtime.Object{cj}
	for i, obj := range fleet(4) {
		if j, ok := obj.(*batchv1.Job); ok {
			j.Namespace = "ns"
			j.CreationTimestamp = metav1.NewTime(listNow.Add(-time.Duration(i) * time.Minute))
			j.Status.StartTime = &j.CreationTimestamp
			if j.Status.CompletionTime != nil {
				end := metav1.NewTime(j.CreationTimestamp.Add(42 * time.Second))
				j.Status.CompletionTime = &end
				for c := range j.Status.Conditions {
					j.Status.Conditions[c].LastTransitionTime = end
				}
			}
			j.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: cj.UID, Controller: new(true)}}
		}
		if p, ok := obj.(*corev1.Pod); ok {
			p.Namespace = "ns"
		}
		objs = append(objs, obj)
	}
	other := fleet(1)[1].(*batchv1.Job)
	other.Namespace, other.Name, other.UID = "ns", "adhoc", "uid-adhoc"
	return append(objs, other)
}

func TestListCronJob(t *testing.T) {
	objs := cronJobFleet()
	out, errOut, code := runList(t, fake.NewClientset(objs...), "--cronjob", "nightly")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	checkListGolden(t, filepath.Join("list", "cronjob.txt"), out)

	_, errOut, code = runList(t, fake.NewClientset(), "--cronjob", "nope")
	if code != exitcode.Error || !strings.Contains(errOut, `cronjobs.batch "nope" not found`) {
		t.Errorf("missing CronJob: exit %d, stderr %q", code, errOut)
	}
}

// listWatch is a running "kubectl job list -w ..." against a fake clientset.
type listWatch struct {
	out    *testutil.SyncBuffer
	client *fake.Clientset
	cancel context.CancelFunc
	done   chan error
	setNow func(time.Time)
}

// startListWatch runs list with args in namespace ns until stop, and
// returns once its Jobs watch is open.
func startListWatch(t *testing.T, client *fake.Clientset, ns string, args ...string) *listWatch {
	t.Helper()
	w := &listWatch{out: &testutil.SyncBuffer{}, client: client, done: make(chan error, 1)}
	flags := genericclioptions.NewConfigFlags(false)
	flags.Namespace = &ns
	o := NewListOptions(flags, genericiooptions.IOStreams{In: strings.NewReader(""), Out: w.out, ErrOut: w.out})
	now := listNow
	var mu sync.Mutex
	o.Client, o.Now = client, func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	w.setNow = func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	cmd := newCmdList(o)
	cmd.SetArgs(args)
	var ctx context.Context
	ctx, w.cancel = context.WithCancel(context.Background())
	t.Cleanup(w.cancel)
	go func() { w.done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output:\n%s\nrequests: %v", w.out.String(), requests(client))
		}
	})
	waitUntil(t, "the jobs watch", func() bool {
		for _, a := range client.Actions() {
			if a.GetVerb() == "watch" && a.GetResource().Resource == "jobs" {
				return true
			}
		}
		return false
	})
	return w
}

// stop interrupts the watch and returns its output lines.
func (w *listWatch) stop(t *testing.T) []string {
	t.Helper()
	w.cancel()
	if err := <-w.done; err != nil {
		t.Errorf("interrupted watch returned %v", err)
	}
	return strings.Split(strings.TrimSpace(w.out.String()), "\n")
}

// completeJob returns a copy of job, Complete now, with resourceVersion rv
// (the fake does not bump it; the RetryWatcher needs one).
func completeJob(job *batchv1.Job, rv string) *batchv1.Job {
	job = job.DeepCopy()
	job.ResourceVersion = rv
	job.Status.Active, job.Status.Ready, job.Status.Succeeded = 0, new(int32(0)), 1
	job.Status.CompletionTime = &metav1.Time{Time: listNow}
	for _, ty := range []batchv1.JobConditionType{batchv1.JobSuccessCriteriaMet, batchv1.JobComplete} {
		job.Status.Conditions = append(job.Status.Conditions, batchv1.JobCondition{Type: ty, Status: corev1.ConditionTrue,
			Reason: batchv1.JobReasonCompletionsReached, LastTransitionTime: metav1.Time{Time: listNow}})
	}
	return job
}

// wantLines checks each line's cells (blank runs folded) start with want's.
func wantLines(t *testing.T, lines []string, want ...string) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("want %d lines, got %d:\n%s", len(want), len(lines), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if got := strings.Join(strings.Fields(lines[i]), " "); !strings.HasPrefix(got, w) {
			t.Errorf("line %d: %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestListWatchPrintsTransitions(t *testing.T) {
	objs := fleet(1) // job-000: running, with a running pod
	w := startListWatch(t, fake.NewClientset(objs...), "ns0", "-w", "--output-watch-events")
	w.setNow(listNow.Add(time.Minute)) // time alone does not print a row
	if _, err := w.client.BatchV1().Jobs("ns0").UpdateStatus(context.Background(), completeJob(objs[1].(*batchv1.Job), "2"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Complete row", func() bool { return strings.Contains(w.out.String(), "Complete") })
	if err := w.client.BatchV1().Jobs("ns0").Delete(context.Background(), "job-000", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the DELETED row", func() bool { return strings.Contains(w.out.String(), "DELETED") })
	lines := w.stop(t)
	wantLines(t, lines, "EVENT NAME STATUS", "ADDED job-000 Running", "MODIFIED job-000 Complete", "DELETED job-000 Deleted CompletionsReached")
	// Rows after the first are aligned under the header.
	if strings.Index(lines[0], "STATUS") != strings.Index(lines[2], "Complete") || strings.Index(lines[0], "REASON") != strings.Index(lines[2], "CompletionsReached") {
		t.Errorf("watch rows are not aligned:\n%s", strings.Join(lines, "\n"))
	}
}

// TestListWatchOnly: --watch-only (which implies -w, as in kubectl get)
// prints no first table; the header comes with the first change, and a
// deleted Job gets its Deleted row without --output-watch-events.
func TestListWatchOnly(t *testing.T) {
	objs := fleet(3) // ns0: job-000 running; job-001 (ns1), job-002 (ns2)
	w := startListWatch(t, fake.NewClientset(objs...), "ns0", "--watch-only", "-L", "team")
	time.Sleep(50 * time.Millisecond)
	if out := w.out.String(); out != "" {
		t.Errorf("--watch-only printed before any change:\n%s", out)
	}
	job := completeJob(objs[1].(*batchv1.Job), "2")
	job.Labels = map[string]string{"team": "data"}
	if _, err := w.client.BatchV1().Jobs("ns0").Update(context.Background(), job, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Complete row", func() bool { return strings.Contains(w.out.String(), "Complete") })
	if err := w.client.BatchV1().Jobs("ns0").Delete(context.Background(), "job-000", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Deleted row", func() bool { return strings.Contains(w.out.String(), "Deleted") })
	wantLines(t, w.stop(t), "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL AGE TEAM",
		"job-000 Complete CompletionsReached 1/1 0/6 60m <none> <none> 60m data", "job-000 Deleted CompletionsReached 1/1 0/6 60m <none> <none> 60m data")
}

// TestListCronJobWatch: --cronjob -w keeps the non-watch view (the CronJob
// line, the header with KEEP, newest first) and shows only that CronJob's
// Jobs as they change, and a Job again when another one changed its KEEP.
func TestListCronJobWatch(t *testing.T) {
	objs := cronJobFleet()
	w := startListWatch(t, fake.NewClientset(objs...), "ns", "--cronjob", "nightly", "-w")
	waitUntil(t, "the first table", func() bool { return strings.Count(w.out.String(), "\n") >= 6 })
	// Another owner's Job changes: no row.
	other := objs[len(objs)-1].(*batchv1.Job)
	if _, err := w.client.BatchV1().Jobs("ns").UpdateStatus(context.Background(), completeJob(other, "2"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The running Job completes: with history limit 1, only it is kept now,
	// and job-001, kept before, is printed again with KEEP no.
	running := objs[2].(*batchv1.Job) // job-000, the newest
	if _, err := w.client.BatchV1().Jobs("ns").UpdateStatus(context.Background(), completeJob(running, "3"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the Complete row and the KEEP change", func() bool { return strings.Count(w.out.String(), "\n") >= 8 })
	time.Sleep(50 * time.Millisecond)
	lines := w.stop(t)
	if !strings.HasPrefix(lines[0], "CronJob ns/nightly  schedule \"0 * * * *\" Europe/Paris") {
		t.Errorf("line 0: %q, want the CronJob line", lines[0])
	}
	wantLines(t, lines[1:], "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL RUN KEEP AGE",
		"job-000 Running Progressing 0/1 0/6 60s <none> <none> scheduled - 60s",
		"job-001 Complete CompletionsReached 1/1 0/6 42s <none> <none> scheduled yes 2m",
		"job-002 Running Progressing 0/1 0/6 4m <none> <none> scheduled - 4m",
		"job-003 Complete CompletionsReached 1/1 0/6 42s <none> <none> scheduled no 5m",
		"job-000 Complete CompletionsReached 1/1 0/6 60s <none> <none> scheduled yes 60s",
		"job-001 Complete CompletionsReached 1/1 0/6 42s <none> <none> scheduled no 2m")
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for %s", what)
			goruntime.Goexit()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestListBadColumnsInput: malformed column flags get the whole
// kubectl-style line and exit 1 before any request.
func TestListBadColumnsInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "custom-columns=NAME"}, "error: invalid -o custom-columns: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>; give HEADER:JSONPATH pairs, e.g. -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team"},
		{[]string{"-o", "custom-columns="}, "error: invalid -o custom-columns: custom-columns format specified but no custom columns given; give HEADER:JSONPATH pairs, e.g. -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team"},
		{[]string{"-o", "custom-columns-file=/nonexistent"}, "error: invalid -o custom-columns-file: error reading template /nonexistent, open /nonexistent: no such file or directory; give HEADER:JSONPATH pairs, e.g. -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team"},
		{[]string{"-o", "json", "-L", "team"}, "error: --label-columns and --show-labels add columns to the table, not to -o json; show a label with -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team"},
		{[]string{"-o", "custom-columns=N:.metadata.name", "--show-labels"}, "error: --label-columns and --show-labels add columns to the table, not to -o custom-columns=N:.metadata.name; show a label with -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team"},
		{[]string{"-L", "team,"}, "error: invalid --label-columns: a label key cannot be empty; e.g. -L team,app"},
		{[]string{"--cronjobs", "--show-labels"}, "error: --cronjobs lists every CronJob of the namespace (or of all with -A); it takes no names, --cronjob, --status, --watch, selectors, label columns or --sort-by"},
		{[]string{"--cronjobs", "--watch-only"}, "error: --cronjobs lists every CronJob of the namespace (or of all with -A); it takes no names, --cronjob, --status, --watch, selectors, label columns or --sort-by"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			client := fake.NewClientset()
			out, errOut, code := runList(t, client, tc.args...)
			if code != exitcode.Error || out != "" || errOut != tc.want+"\n" {
				t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant:   %q", code, out, errOut, tc.want)
			}
			if len(client.Actions()) > 0 {
				t.Errorf("requests before the error: %v", requests(client))
			}
		})
	}
}
