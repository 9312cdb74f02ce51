package printers

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// listNow is the clock of the list and describe goldens: the explain samples'.
var listNow = explainNow

// checkListGolden compares got with testdata/PATH, or rewrites it with -update.
func checkListGolden(t *testing.T, path string, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", path), got)
}

// sampleObjects are the Jobs, pods and events of the explain samples: real
// status shapes captured from the local cluster, shared with the engine tests.
func sampleObjects(t *testing.T) map[string]*explain.Objects {
	t.Helper()
	files := testutil.Files(t, "samples/*.yaml")
	out := map[string]*explain.Objects{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := explain.DecodeObjects(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = objs
	}
	return out
}

// sampleRows are the samples as list rows, explained the way list does it:
// with pods, without events.
func sampleRows(t *testing.T) []JobRow {
	var rows []JobRow
	for _, objs := range sampleObjects(t) {
		for i := range objs.Jobs {
			in := objs.InputFor(&objs.Jobs[i], listNow)
			in.Events, in.EventsUnknown = nil, true
			rows = append(rows, JobRow{Job: &objs.Jobs[i], Explanation: explain.Explain(in)})
		}
	}
	// A Job in another namespace, for -A.
	other := newTestJob("batch", "report", 3*time.Hour).started(3 * time.Hour).completed(3*time.Hour - 47*time.Second).ttl(86400).job
	rows = append(rows, JobRow{Job: other, Explanation: explain.Explain(explain.Input{Job: other, Now: listNow, EventsUnknown: true})})
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Job.Namespace+"/"+rows[i].Job.Name < rows[j].Job.Namespace+"/"+rows[j].Job.Name
	})
	return rows
}

// testJob builds Jobs the way the API server stores them (defaults filled).
type testJob struct{ job *batchv1.Job }

func ago(d time.Duration) *metav1.Time { t := metav1.NewTime(listNow.Add(-d)); return &t }

func newTestJob(ns, name string, age time.Duration) *testJob {
	uid := types.UID("uid-" + name)
	return &testJob{job: &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, CreationTimestamp: *ago(age),
			Labels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid), "batch.kubernetes.io/job-name": name}},
		Spec: batchv1.JobSpec{
			Parallelism: new(int32(1)), Completions: new(int32(1)), BackoffLimit: new(int32(6)),
			CompletionMode: new(batchv1.NonIndexedCompletion), Suspend: new(false),
			PodReplacementPolicy: new(batchv1.TerminatingOrFailed),
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid)}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "main", Image: "busybox"}}}},
		},
		Status: batchv1.JobStatus{Terminating: new(int32(0)), Ready: new(int32(0)), UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{}},
	}}
}

func (b *testJob) started(d time.Duration) *testJob { b.job.Status.StartTime = ago(d); return b }

func (b *testJob) ttl(s int32) *testJob { b.job.Spec.TTLSecondsAfterFinished = new(s); return b }

func (b *testJob) ownedBy(cj *batchv1.CronJob) *testJob {
	b.job.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: cj.Name, UID: cj.UID, Controller: new(true)}}
	return b
}

func (b *testJob) conditions(reason, msg string, d time.Duration, types ...batchv1.JobConditionType) *testJob {
	for _, ty := range types {
		b.job.Status.Conditions = append(b.job.Status.Conditions, batchv1.JobCondition{
			Type: ty, Status: corev1.ConditionTrue, Reason: reason, Message: msg, LastTransitionTime: *ago(d), LastProbeTime: *ago(d)})
	}
	return b
}

func (b *testJob) completed(d time.Duration) *testJob {
	b.job.Status.Succeeded, b.job.Status.CompletionTime = 1, ago(d)
	return b.conditions(batchv1.JobReasonCompletionsReached, "Reached expected number of succeeded pods", d, batchv1.JobSuccessCriteriaMet, batchv1.JobComplete)
}

func (b *testJob) failed(n int32, d time.Duration) *testJob {
	b.job.Status.Failed = n
	return b.conditions(batchv1.JobReasonBackoffLimitExceeded, "Job has reached the specified backoff limit", d, batchv1.JobFailureTarget, batchv1.JobFailed)
}

func (b *testJob) running() *testJob {
	b.job.Status.Active, b.job.Status.Ready = 1, new(int32(1))
	return b
}

// cronFleet is a CronJob with three successful, two failed and one running Job.
func cronFleet() (*batchv1.CronJob, []batchv1.Job) {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "nightly", UID: "uid-nightly", CreationTimestamp: *ago(48 * time.Hour)},
		Spec:       batchv1.CronJobSpec{Schedule: "*/10 * * * *", SuccessfulJobsHistoryLimit: new(int32(2)), FailedJobsHistoryLimit: new(int32(1))},
		Status:     batchv1.CronJobStatus{LastScheduleTime: ago(0)},
	}
	var jobs []batchv1.Job
	add := func(b *testJob) { jobs = append(jobs, *b.ownedBy(cj).job) }
	add(newTestJob("ns", "nightly-29540100", 60*time.Minute).started(60 * time.Minute).completed(59 * time.Minute))
	add(newTestJob("ns", "nightly-29540110", 50*time.Minute).started(50*time.Minute).failed(7, 45*time.Minute))
	add(newTestJob("ns", "nightly-29540120", 40*time.Minute).started(40 * time.Minute).completed(39 * time.Minute))
	add(newTestJob("ns", "nightly-29540130", 30*time.Minute).started(30*time.Minute).failed(7, 25*time.Minute))
	add(newTestJob("ns", "nightly-29540140", 20*time.Minute).started(20 * time.Minute).completed(19 * time.Minute))
	add(newTestJob("ns", "nightly-29540150", 0).started(0).running())
	return cj, jobs
}

func TestListGolden(t *testing.T) {
	rows := sampleRows(t)
	var nsRows []JobRow
	for _, r := range rows {
		if r.Job.Namespace == "ns" {
			nsRows = append(nsRows, r)
		}
	}
	for _, tc := range []struct {
		name string
		rows []JobRow
		o    ListOptions
	}{
		{"default", nsRows, ListOptions{}},
		{"wide", nsRows, ListOptions{Wide: true}},
		{"all-namespaces", rows, ListOptions{AllNamespaces: true}},
		{"all-namespaces-wide", rows, ListOptions{AllNamespaces: true, Wide: true}},
		{"no-headers", nsRows, ListOptions{NoHeaders: true}},
		{"labels", labelled(nsRows), ListOptions{LabelColumns: []string{"team", "example.com/tier"}, ShowLabels: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Now = listNow
			var buf bytes.Buffer
			if err := PrintJobList(&buf, tc.rows, tc.o); err != nil {
				t.Fatal(err)
			}
			checkListGolden(t, filepath.Join("list", tc.name+".txt"), buf.String())
		})
	}
}

// labelled gives the first row's Job a team label, the second a tier and a
// team, and takes the others' labels away, for the -L and --show-labels golden.
func labelled(rows []JobRow) []JobRow {
	out := make([]JobRow, len(rows))
	for i, r := range rows {
		r.Job = r.Job.DeepCopy()
		switch i {
		case 0:
			r.Job.Labels = map[string]string{"team": "data"}
		case 1:
			r.Job.Labels = map[string]string{"team": "ml", "example.com/tier": "gpu"}
		default:
			r.Job.Labels = nil
		}
		out[i] = r
	}
	return out
}

// TestListColumnSets checks the column sets against the issue: NAME first,
// AGE last, NAMESPACE first under -A, the wide columns only with -o wide.
func TestListColumnSets(t *testing.T) {
	headers := func(o ListOptions) string { return strings.Join(ListTable(nil, o).Headers, " ") }
	for _, tc := range []struct {
		o    ListOptions
		want string
	}{
		{ListOptions{}, "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL AGE"},
		{ListOptions{AllNamespaces: true}, "NAMESPACE NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL AGE"},
		{ListOptions{Wide: true}, "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL PARALLELISM MODE OWNER CONTAINERS IMAGES SELECTOR MESSAGE AGE"},
		{ListOptions{CronJob: true}, "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL RUN KEEP AGE"},
		{ListOptions{WatchEvents: true, AllNamespaces: true}, "EVENT NAMESPACE NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL AGE"},
		// kubectl get: -L columns after AGE (the key's last segment), LABELS last.
		{ListOptions{LabelColumns: []string{"team", "app.kubernetes.io/name"}, ShowLabels: true, Wide: true},
			"NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL PARALLELISM MODE OWNER CONTAINERS IMAGES SELECTOR MESSAGE AGE TEAM NAME LABELS"},
		{ListOptions{CronJob: true, ShowLabels: true}, "NAME STATUS REASON COMPLETIONS FAILED DURATION DEADLINE TTL RUN KEEP AGE LABELS"},
	} {
		if got := headers(tc.o); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.o, got, tc.want)
		}
	}
}

func TestCompletionsAndFailedCells(t *testing.T) {
	perIndex := newTestJob("ns", "ix", time.Minute).job
	perIndex.Spec.CompletionMode = new(batchv1.IndexedCompletion)
	perIndex.Spec.Completions, perIndex.Spec.BackoffLimitPerIndex, perIndex.Spec.MaxFailedIndexes = new(int32(10)), new(int32(1)), new(int32(3))
	perIndex.Status.FailedIndexes, perIndex.Status.Succeeded = new("1,4-5"), 6
	noMax := perIndex.DeepCopy()
	noMax.Spec.MaxFailedIndexes = nil
	unset := newTestJob("ns", "u", time.Minute).job
	unset.Spec.Completions, unset.Spec.Parallelism = nil, new(int32(3))
	unset.Status.Failed = 2
	for _, tc := range []struct {
		job                   *batchv1.Job
		completions, failedTo string
	}{
		{perIndex, "6/10", "3/3 idx"},
		{noMax, "6/10", "3 idx"},
		{unset, "0/1 of 3", "2/6"},
	} {
		if got := CompletionsCell(tc.job); got != tc.completions {
			t.Errorf("%s completions: got %q, want %q", tc.job.Name, got, tc.completions)
		}
		if got := FailedCell(tc.job, nil); got != tc.failedTo {
			t.Errorf("%s failed: got %q, want %q", tc.job.Name, got, tc.failedTo)
		}
	}
}

func TestCronJobViewGolden(t *testing.T) {
	cj, jobs := cronFleet()
	keep := map[string]string{
		// Successful limit 2 keeps the two newest successes; failed limit 1 the newest failure.
		"nightly-29540100": "no", "nightly-29540110": "no", "nightly-29540120": "yes",
		"nightly-29540130": "yes", "nightly-29540140": "yes", "nightly-29540150": "-",
	}
	// nightly-29540120 was created by hand: kubectl create job --from=cronjob/nightly.
	for i := range jobs {
		if jobs[i].Name == "nightly-29540120" {
			jobs[i].Annotations = map[string]string{"cronjob.kubernetes.io/instantiate": "manual"}
		}
	}
	var rows []JobRow
	for i := len(jobs) - 1; i >= 0; i-- { // newest first
		j := &jobs[i]
		rows = append(rows, JobRow{Job: j, Keep: keep[j.Name], Explanation: explain.Explain(explain.Input{Job: j, Now: listNow, PodsUnknown: true, EventsUnknown: true})})
	}
	var buf bytes.Buffer
	buf.WriteString(CronJobSummary(cj, listNow.Add(10*time.Minute), true, nil, listNow) + "\n")
	if err := PrintJobList(&buf, rows, ListOptions{CronJob: true, Now: listNow}); err != nil {
		t.Fatal(err)
	}
	checkListGolden(t, filepath.Join("list", "cronjob.txt"), buf.String())
}

func TestListRowSignatureIgnoresClock(t *testing.T) {
	j := newTestJob("ns", "r", time.Minute).started(time.Minute).running().job
	r := JobRow{Job: j, Explanation: explain.Explain(explain.Input{Job: j, Now: listNow, PodsUnknown: true})}
	later := JobRow{Job: j, Explanation: explain.Explain(explain.Input{Job: j, Now: listNow.Add(time.Minute), PodsUnknown: true})}
	if a, b := ListRowSignature(r, ListOptions{Now: listNow}), ListRowSignature(later, ListOptions{Now: listNow.Add(time.Minute)}); a != b {
		t.Errorf("the signature changed with the clock alone:\n%q\n%q", a, b)
	}
	done := j.DeepCopy()
	(&testJob{done}).completed(0)
	d := JobRow{Job: done, Explanation: explain.Explain(explain.Input{Job: done, Now: listNow})}
	if ListRowSignature(r, ListOptions{Now: listNow}) == ListRowSignature(d, ListOptions{Now: listNow}) {
		t.Error("the signature did not change when the Job completed")
	}
}

func TestRowWriterAligns(t *testing.T) {
	var buf bytes.Buffer
	w := NewRowWriter(&buf)
	if err := w.PrintTable(Table{Headers: []string{"NAME", "STATUS", "AGE"}, Rows: [][]string{{"a", "Running", "1s"}}}, false); err != nil {
		t.Fatal(err)
	}
	if err := w.PrintRow([]string{"a", "Complete", "2s"}); err != nil {
		t.Fatal(err)
	}
	// Complete is wider than the column: it pushes its own row only.
	want := "NAME   STATUS    AGE\na      Running   1s\na      Complete   2s\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFailedCellOnFailure checks the FAILED cell of restartPolicy OnFailure
// Jobs against what explain says of the same Job.
func TestFailedCellOnFailure(t *testing.T) {
	onFailure := func(b *testJob) *testJob {
		b.job.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		b.job.Spec.BackoffLimit = new(int32(2))
		return b
	}
	restartingPod := func(job *batchv1.Job, restarts int32) corev1.Pod {
		return corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: job.Namespace, Name: job.Name + "-abcde", CreationTimestamp: *ago(time.Minute),
				Labels:          map[string]string{"batch.kubernetes.io/controller-uid": string(job.UID), "batch.kubernetes.io/job-name": job.Name},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID, Controller: new(true)}}},
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyOnFailure, Containers: []corev1.Container{{Name: "main", Image: "busybox"}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: ago(time.Minute),
				ContainerStatuses: []corev1.ContainerStatus{{Name: "main", RestartCount: restarts, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: *ago(time.Second)}}}}},
		}
	}
	running := onFailure(newTestJob("ns", "restarting", time.Minute).started(time.Minute).running()).job
	// Failed when its restarts reached 2: the controller deleted the pod
	// (status.failed counts it) and its restartCount with it.
	byRestarts := onFailure(newTestJob("ns", "by-restarts", time.Hour).started(time.Hour).failed(1, 50*time.Minute)).job
	// Failed pods past the limit (evictions, say): the counter says it all.
	byPods := onFailure(newTestJob("ns", "by-pods", time.Hour).started(time.Hour).failed(3, 50*time.Minute)).job
	limit0 := onFailure(newTestJob("ns", "limit0", time.Hour).started(time.Hour).failed(1, 50*time.Minute)).job
	limit0.Spec.BackoffLimit = new(int32(0))
	never := newTestJob("ns", "never", time.Hour).started(time.Hour).failed(1, 50*time.Minute).job
	never.Spec.BackoffLimit = new(int32(0))
	for _, tc := range []struct {
		job          *batchv1.Job
		pods         []corev1.Pod
		want, reason string
	}{
		{running, []corev1.Pod{restartingPod(running, 1)}, "1/2", "Progressing"},
		{byRestarts, nil, "≥2/2", "BackoffLimitExceeded"},
		{byPods, nil, "3/2", "BackoffLimitExceeded"},
		{limit0, nil, "1/0", "BackoffLimitExceeded"}, // 1 failed pod > 0: explain says so too
		{never, nil, "1/0", "BackoffLimitExceeded"},
	} {
		e := explain.Explain(explain.Input{Job: tc.job, Pods: tc.pods, Now: listNow, EventsUnknown: true})
		if string(e.Verdict.Reason) != tc.reason {
			t.Fatalf("%s: the fixture is wrong: reason %s (%s), want %s", tc.job.Name, e.Verdict.Reason, e.Verdict.Message, tc.reason)
		}
		if got := FailedCell(tc.job, e); got != tc.want {
			t.Errorf("%s: FAILED %q, want %q (explain: %s)", tc.job.Name, got, tc.want, e.Verdict.Message)
		}
		// The cell agrees with explain: "≥" exactly when explain says the
		// restarts reached the limit without a pod left to count them.
		if lost := strings.Contains(e.Verdict.Message, "the restarted pods were deleted"); lost != strings.HasPrefix(tc.want, "≥") {
			t.Errorf("%s: FAILED %q beside explain's %q", tc.job.Name, tc.want, e.Verdict.Message)
		}
	}
}

func TestSortByDurationAscending(t *testing.T) {
	mk := func(name string, ran time.Duration, started bool) JobRow {
		b := newTestJob("ns", name, time.Hour)
		if started {
			b.started(ran).running()
		}
		return JobRow{Job: b.job, Explanation: explain.Explain(explain.Input{Job: b.job, Now: listNow, PodsUnknown: true, EventsUnknown: true})}
	}
	rows := []JobRow{mk("unstarted", 0, false), mk("long", time.Hour, true), mk("short", time.Minute, true), mk("mid", 10*time.Minute, true)}
	SortJobRows(rows, "duration")
	var got []string
	for _, r := range rows {
		got = append(got, r.Job.Name)
	}
	if want := "short mid long unstarted"; strings.Join(got, " ") != want {
		t.Errorf("--sort-by duration: %v, want %s (shortest first, as kubectl sorts; not started last)", got, want)
	}
}
