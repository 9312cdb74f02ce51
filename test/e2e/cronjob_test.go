//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// TestCronJobExplain runs CronJobs with */1 schedules against the real
// CronJob controller, in parallel (the whole test takes about four
// minutes), and checks each slot's classification against what the test
// made happen, with the controller's events and again after deleting them.
// The expected slot times and Job names come from the cluster (the Jobs the
// controller created, the instants the test waited for), never from the
// explanation.
func TestCronJobExplain(t *testing.T) {
	t.Parallel()
	t.Run("runs", cronRuns)
	t.Run("suspended", cronSuspended)
	t.Run("forbid", cronForbid)
	t.Run("replace", cronReplace)
	t.Run("deadline", cronDeadline)
	t.Run("timezone", cronTimeZone)
	t.Run("quota", cronQuota)
	t.Run("list", cronList)
	t.Run("history", cronHistory)
}

// newCronJob is a CronJob whose Jobs are NewJob's, with simulation annotations.
func newCronJob(ns, name, schedule string, job *JobBuilder, f func(cj *batchv1.CronJob)) *batchv1.CronJob {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: batchv1.CronJobSpec{
			Schedule:    schedule,
			JobTemplate: batchv1.JobTemplateSpec{Spec: job.Job.Spec},
		},
	}
	if f != nil {
		f(cj)
	}
	return cj
}

func createCronJob(t *testing.T, cj *batchv1.CronJob) *batchv1.CronJob {
	t.Helper()
	out, err := client.BatchV1().CronJobs(cj.Namespace).Create(context.Background(), cj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating cronjob %s: %v", cj.Name, err)
	}
	return out
}

// everyMinute creates a */1 CronJob in ns whose pods behave as sim says
// (simulation annotation key, value), and returns its first slot.
func everyMinute(t *testing.T, ns, name, simKey, simValue string, f func(cj *batchv1.CronJob)) time.Time {
	t.Helper()
	createCronJob(t, newCronJob(ns, name, "*/1 * * * *", NewJob(ns, "x").Sim(simKey, simValue), f))
	return nextMinute(time.Now())
}

// nextMinute is the first minute boundary after t.
func nextMinute(t time.Time) time.Time { return t.Truncate(time.Minute).Add(time.Minute) }

// sleepUntil waits for the wall clock to pass at.
func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// explainCronJob runs explain cronjob/NAME -o json and decodes it; the human
// view is run too, so the log shows both.
func explainCronJob(t *testing.T, ns, name string) *cronexplain.CronJobExplanation {
	t.Helper()
	human := KubectlJob(t, "explain", "cronjob/"+name, "-n", ns)
	if human.Code != 0 {
		t.Fatalf("explain cronjob/%s: exit %d: %s", name, human.Code, human.Stderr)
	}
	res := KubectlJob(t, "explain", "cj/"+name, "-n", ns, "-o", "json")
	if res.Code != 0 {
		t.Fatalf("explain cj/%s -o json: exit %d: %s", name, res.Code, res.Stderr)
	}
	e := &cronexplain.CronJobExplanation{}
	if err := json.Unmarshal([]byte(res.Stdout), e); err != nil {
		t.Fatalf("decoding the CronJobExplanation: %v", err)
	}
	if e.Kind != cronexplain.Kind {
		t.Fatalf("kind %q, want %s", e.Kind, cronexplain.Kind)
	}
	return e
}

// slotAt is the explanation's slot at t, or fails.
func slotAt(t *testing.T, e *cronexplain.CronJobExplanation, at time.Time) cronexplain.Slot {
	t.Helper()
	for _, s := range e.Slots {
		if s.Time.Time.Equal(at) {
			return s
		}
	}
	t.Fatalf("no slot at %s in %d slots", at.UTC().Format(time.RFC3339), len(e.Slots))
	return cronexplain.Slot{}
}

// expectSlot checks one slot's outcome and reason.
func expectSlot(t *testing.T, e *cronexplain.CronJobExplanation, at time.Time, outcome cronexplain.SlotOutcome, reason, job string) {
	t.Helper()
	s := slotAt(t, e, at)
	got := ""
	if s.Run != nil {
		got = s.Run.Job
	}
	if s.Outcome != outcome || s.Reason != reason || got != job {
		t.Errorf("slot %s: %s/%s job %q (%s), want %s/%s job %q", at.UTC().Format("15:04:05"), s.Outcome, s.Reason, got, s.Message, outcome, reason, job)
	}
}

// withAndWithoutEvents runs check on an explanation, deletes the
// namespace's events and runs check again: the classification must not
// depend on events, which expire after about an hour.
func withAndWithoutEvents(t *testing.T, ns, name string, check func(e *cronexplain.CronJobExplanation)) {
	t.Helper()
	e := explainCronJob(t, ns, name)
	if len(e.Events) == 0 {
		t.Logf("note: no CronJob events to begin with")
	}
	check(e)
	deleted := time.Now().Truncate(time.Second)
	if err := client.CoreV1().Events(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatalf("deleting events: %v", err)
	}
	e = explainCronJob(t, ns, name)
	for _, ev := range e.Events {
		// The controller may record a new one (SawCompletedJob) meanwhile.
		if ev.First.Before(&metav1.Time{Time: deleted}) {
			t.Errorf("event %s %q still there after deleting the events", ev.Reason, ev.Message)
		}
	}
	check(e)
}

// cronJobs lists the CronJob's Jobs the controller created, by slot.
func cronJobs(t *testing.T, ns string) map[int64]batchv1.Job {
	t.Helper()
	list, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]batchv1.Job{}
	for _, j := range list.Items {
		v, ok := j.Annotations[batchv1.CronJobScheduledTimestampAnnotation]
		if !ok {
			continue
		}
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("job %s: bad %s %q", j.Name, batchv1.CronJobScheduledTimestampAnnotation, v)
		}
		out[at.Unix()] = j
	}
	return out
}

// waitJobFor waits for the controller's Job of slot at and returns it.
func waitJobFor(t *testing.T, ns string, at time.Time, timeout time.Duration) batchv1.Job {
	t.Helper()
	var job batchv1.Job
	WaitFor(t, timeout, "the Job of slot "+at.UTC().Format(time.RFC3339), func() (bool, error) {
		j, ok := cronJobs(t, ns)[at.Unix()]
		job = j
		return ok, nil
	})
	return job
}

func cronRuns(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	s1 := everyMinute(t, ns, "tick", SimDuration, "2s", nil)
	s2 := s1.Add(time.Minute)
	j1 := waitJobFor(t, ns, s1, 90*time.Second)
	j2 := waitJobFor(t, ns, s2, 90*time.Second)
	WaitForCondition(t, ns, j2.Name, batchv1.JobComplete, time.Minute)
	withAndWithoutEvents(t, ns, "tick", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeRan, "", j1.Name)
		expectSlot(t, e, s2, cronexplain.OutcomeRan, "", j2.Name)
		if e.Verdict.Phase != cronexplain.PhaseHealthy {
			t.Errorf("verdict %s: %s, want Healthy", e.Verdict.Phase, e.Verdict.Message)
		}
		if s := slotAt(t, e, s2); s.Run.Phase != "Complete" {
			t.Errorf("slot %s run %s, want Complete", s2.Format("15:04"), s.Run.Phase)
		}
		if e.Stats.Succeeded != 2 || e.Stats.Success == nil || *e.Stats.Success != 1 {
			t.Errorf("stats %+v, want 2 succeeded, success rate 1", e.Stats)
		}
		if n := e.NextRuns[0].Time.Time; !n.Equal(nextMinute(e.ObservedAt.Time)) {
			t.Errorf("next run %s, want %s", n, nextMinute(e.ObservedAt.Time))
		}
	})
}

func cronSuspended(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	s1 := everyMinute(t, ns, "paused", SimDuration, "2s", func(cj *batchv1.CronJob) { cj.Spec.Suspend = ptr.To(true) })
	sleepUntil(s1.Add(15 * time.Second)) // resumed later than cronexplain.LateAfter
	e := explainCronJob(t, ns, "paused")
	expectSlot(t, e, s1, cronexplain.OutcomeSkipped, cronexplain.ReasonSuspended, "")
	if e.Verdict.Phase != cronexplain.PhaseSuspended || e.NextAction.Action != cronexplain.ActionNothing {
		t.Errorf("verdict %s, next %s, want Suspended, Nothing", e.Verdict.Phase, e.NextAction.Action)
	}
	if res := Kubectl(t, "patch", "cronjob", "paused", "-n", ns, "-p", `{"spec":{"suspend":false}}`); res.Code != 0 {
		t.Fatalf("resume: %s", res.Stderr)
	}
	// On resume the controller runs the missed slot at once, late.
	j1 := waitJobFor(t, ns, s1, 30*time.Second)
	withAndWithoutEvents(t, ns, "paused", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeLate, cronexplain.ReasonResumed, j1.Name)
	})
}

func cronForbid(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	// Each run takes 150 s: slot 2 is skipped, slot 3 starts late when run 1 ends.
	s1 := everyMinute(t, ns, "serial", SimDuration, "150s", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ForbidConcurrent })
	s2, s3 := s1.Add(time.Minute), s1.Add(2*time.Minute)
	j1 := waitJobFor(t, ns, s1, 90*time.Second)
	sleepUntil(s2.Add(15 * time.Second))
	e := explainCronJob(t, ns, "serial")
	expectSlot(t, e, s2, cronexplain.OutcomeSkipped, cronexplain.ReasonForbid, "")
	if e.Verdict.Phase != cronexplain.PhaseBlocked || e.NextAction.Action != cronexplain.ActionSkip {
		t.Errorf("verdict %s (%s), next %s, want Blocked, Skip", e.Verdict.Phase, e.Verdict.Message, e.NextAction.Action)
	}
	WaitForCondition(t, ns, j1.Name, batchv1.JobComplete, 3*time.Minute)
	j3 := waitJobFor(t, ns, s3, 30*time.Second)
	if d := j3.CreationTimestamp.Sub(s3); d < cronexplain.LateAfter {
		t.Fatalf("the Job of slot 3 was created %s after it: not late, the test's premise failed", d)
	}
	withAndWithoutEvents(t, ns, "serial", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeRan, "", j1.Name)
		expectSlot(t, e, s2, cronexplain.OutcomeSkipped, cronexplain.ReasonForbid, "")
		expectSlot(t, e, s3, cronexplain.OutcomeLate, cronexplain.ReasonForbidWaited, j3.Name)
	})
}

func cronReplace(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	s1 := everyMinute(t, ns, "latest", SimOutcome, "run", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ReplaceConcurrent })
	s2 := s1.Add(time.Minute)
	j1 := waitJobFor(t, ns, s1, 90*time.Second)
	j2 := waitJobFor(t, ns, s2, 90*time.Second)
	WaitForGone(t, ns, j1.Name, time.Minute)
	withAndWithoutEvents(t, ns, "latest", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeSkipped, cronexplain.ReasonReplaced, "")
		expectSlot(t, e, s2, cronexplain.OutcomeRan, "", j2.Name)
		if e.NextAction.Action != cronexplain.ActionReplace {
			t.Errorf("next action %s, want Replace", e.NextAction.Action)
		}
	})
}

func cronDeadline(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	s1 := everyMinute(t, ns, "never", SimDuration, "2s", func(cj *batchv1.CronJob) { cj.Spec.StartingDeadlineSeconds = ptr.To(int64(0)) })
	s2 := s1.Add(time.Minute)
	sleepUntil(s2.Add(15 * time.Second))
	if jobs := cronJobs(t, ns); len(jobs) != 0 {
		t.Fatalf("the controller created %d Jobs with startingDeadlineSeconds 0: the test's premise failed", len(jobs))
	}
	withAndWithoutEvents(t, ns, "never", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeSkipped, cronexplain.ReasonMissedDeadline, "")
		expectSlot(t, e, s2, cronexplain.OutcomeSkipped, cronexplain.ReasonMissedDeadline, "")
		if e.Verdict.Phase != cronexplain.PhaseMissing || !strings.Contains(strings.Join(e.Warnings, "\n"), "startingDeadlineSeconds 0") {
			t.Errorf("verdict %s, warnings %q: want Missing runs and a startingDeadlineSeconds warning", e.Verdict.Phase, e.Warnings)
		}
	})
}

func cronTimeZone(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	// Kathmandu is UTC+05:45: a schedule read in UTC would be off by 5h45m.
	loc, err := time.LoadLocation("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	at := nextMinute(time.Now().Add(30 * time.Second))
	local := at.In(loc)
	schedule := fmt.Sprintf("%d %d * * *", local.Minute(), local.Hour())
	createCronJob(t, newCronJob(ns, "kathmandu", schedule, NewJob(ns, "x").Sim(SimDuration, "2s"), func(cj *batchv1.CronJob) {
		cj.Spec.TimeZone = ptr.To("Asia/Kathmandu")
	}))
	job := waitJobFor(t, ns, at, 2*time.Minute)
	if d := job.CreationTimestamp.Sub(at); d < 0 || d > 5*time.Second {
		t.Errorf("the Job of %s was created %s after it", at.UTC().Format(time.RFC3339), d)
	}
	WaitForCondition(t, ns, job.Name, batchv1.JobComplete, time.Minute)
	withAndWithoutEvents(t, ns, "kathmandu", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, at, cronexplain.OutcomeRan, "", job.Name)
		if len(e.NextRuns) == 0 || !e.NextRuns[0].Time.Time.Equal(at.Add(24*time.Hour)) {
			t.Errorf("next runs %v, want %s first", e.NextRuns, at.Add(24*time.Hour).UTC().Format(time.RFC3339))
		}
		if !strings.HasSuffix(e.NextRuns[0].Local, "+05:45") || e.Schedule.TimeZone != "Asia/Kathmandu" {
			t.Errorf("next run %s in %s, want +05:45 in Asia/Kathmandu", e.NextRuns[0].Local, e.Schedule.TimeZone)
		}
	})
}

func cronQuota(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "no-jobs", Namespace: ns},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"count/jobs.batch": resource.MustParse("0")}}}
	if _, err := client.CoreV1().ResourceQuotas(ns).Create(context.Background(), quota, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, "the quota's status", func() (bool, error) {
		q, err := client.CoreV1().ResourceQuotas(ns).Get(context.Background(), "no-jobs", metav1.GetOptions{})
		return err == nil && q.Status.Hard != nil, err
	})
	s1 := everyMinute(t, ns, "blocked", SimDuration, "2s", nil)
	sleepUntil(s1.Add(15 * time.Second))
	withAndWithoutEvents(t, ns, "blocked", func(e *cronexplain.CronJobExplanation) {
		expectSlot(t, e, s1, cronexplain.OutcomeSkipped, cronexplain.ReasonCreateFailed, "")
		if msg := slotAt(t, e, s1).Message; !strings.Contains(msg, "quota") {
			t.Errorf("slot message %q does not name the quota", msg)
		}
		if e.Verdict.Phase != cronexplain.PhaseMissing {
			t.Errorf("verdict %s, want Missing runs", e.Verdict.Phase)
		}
	})
}

// cronList checks the CronJob view of list: one row per CronJob with
// what the controller did, from 2 requests.
func cronList(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	everyMinute(t, ns, "b-paused", SimDuration, "2s", func(cj *batchv1.CronJob) { cj.Spec.Suspend = ptr.To(true) })
	s1 := everyMinute(t, ns, "a-runs", SimDuration, "2s", nil)
	j := waitJobFor(t, ns, s1, 90*time.Second)
	WaitForCondition(t, ns, j.Name, batchv1.JobComplete, time.Minute)
	res := KubectlJob(t, "list", "--cronjobs", "-n", ns)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if res.Code != 0 || len(lines) != 3 {
		t.Fatalf("list --cronjobs: exit %d, %d lines, want a header and 2 rows", res.Code, len(lines))
	}
	for _, want := range []string{"NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST RUN", "NEXT RUN", "SKIPPED", "SUCCESS"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header %q lacks %s", lines[0], want)
		}
	}
	if !strings.HasPrefix(lines[1], "a-runs") || !strings.Contains(lines[1], "Complete") || !strings.Contains(lines[1], "100%") {
		t.Errorf("row %q: want a-runs with a Complete last run and 100%% success", lines[1])
	}
	if !strings.HasPrefix(lines[2], "b-paused") || !strings.Contains(lines[2], "True") {
		t.Errorf("row %q: want b-paused suspended", lines[2])
	}
}

// cronHistory: the history limits (1 succeeded, 1 failed) keep the first,
// failed run and the newest succeeded one, and delete the succeeded runs in
// between. Those slots ran: list --cronjobs, which reads no events, must
// count none of them as skipped, and explain, with the SuccessfulDelete
// events, must say HistoryDeleted. The oracle is the cluster: the Jobs the
// controller created and then deleted, seen by the test.
func cronHistory(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	job := NewJob(ns, "x").Fail(1, "2s").BackoffLimit(0)
	createCronJob(t, newCronJob(ns, "kept", "*/1 * * * *", job, func(cj *batchv1.CronJob) {
		cj.Spec.SuccessfulJobsHistoryLimit, cj.Spec.FailedJobsHistoryLimit = ptr.To(int32(1)), ptr.To(int32(1))
	}))
	s1 := nextMinute(time.Now())
	failed := waitJobFor(t, ns, s1, 90*time.Second)
	WaitForCondition(t, ns, failed.Name, batchv1.JobFailed, time.Minute)
	// From the next slot on, the runs succeed.
	patch := fmt.Sprintf(`{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"annotations":{%q:"succeed",%q:"2s"}}}}}}}`, SimOutcome, SimDuration)
	if _, err := client.BatchV1().CronJobs(ns).Patch(context.Background(), "kept", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatalf("patching the cronjob to succeed: %v", err)
	}
	s2, s3 := s1.Add(time.Minute), s1.Add(2*time.Minute)
	deleted := waitJobFor(t, ns, s2, 90*time.Second)
	waitJobFor(t, ns, s3, 90*time.Second)
	WaitForGone(t, ns, deleted.Name, 2*time.Minute) // the controller's history cleanup, once s3's run succeeded
	if _, ok := cronJobs(t, ns)[s1.Unix()]; !ok {
		t.Fatalf("the failed run of %s is gone too; want it kept (failedJobsHistoryLimit 1)", s1.Format("15:04"))
	}

	res := KubectlJob(t, "list", "--cronjobs", "-n", ns)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if res.Code != 0 || len(lines) != 2 {
		t.Fatalf("list --cronjobs: exit %d, %d lines, want a header and a row", res.Code, len(lines))
	}
	if got := columnOf(t, lines, "SKIPPED"); got != "0" {
		t.Errorf("list --cronjobs SKIPPED %s, want 0: every slot ran, and %s was deleted by the history limits", got, deleted.Name)
	}
	e := explainCronJob(t, ns, "kept")
	expectSlot(t, e, s1, cronexplain.OutcomeRan, "", failed.Name)
	if sl := slotAt(t, e, s2); sl.Outcome != cronexplain.OutcomeRan || sl.Reason != cronexplain.ReasonHistoryDeleted {
		t.Errorf("slot %s: %s/%s (%s), want Ran/HistoryDeleted", s2.Format("15:04"), sl.Outcome, sl.Reason, sl.Message)
	}
	if e.Stats.Skipped != 0 {
		t.Errorf("explain counts %d skipped slots, want 0", e.Stats.Skipped)
	}
}

// columnOf is the first row's cell under header in a kubectl-style table
// (columns separated by two or more spaces).
func columnOf(t *testing.T, lines []string, header string) string {
	t.Helper()
	at := strings.Index(lines[0], header)
	if at < 0 || len(lines) < 2 || len(lines[1]) <= at {
		t.Fatalf("no %s column in %q", header, lines)
	}
	return strings.Fields(lines[1][at:])[0]
}
