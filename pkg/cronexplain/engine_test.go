package cronexplain

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

type wantSlot struct {
	outcome SlotOutcome
	reason  string
}

func TestExplainSlots(t *testing.T) {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	for _, tc := range []struct {
		name    string
		cj      *batchv1.CronJob
		jobs    func(cj *batchv1.CronJob) []batchv1.Job
		events  func(cj *batchv1.CronJob) []corev1.Event
		now     time.Time
		phase   Phase
		slots   []wantSlot // slots 10:01, 10:02, ... in order
		action  string
		warning string
	}{
		{
			name: "healthy", cj: newCJ("*/1 * * * *"), now: minute(3).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), false, minute(1).Add(sec(5))),
					newRun(cj, minute(2), minute(2).Add(sec(1)), false, minute(2).Add(sec(5))),
					newRun(cj, minute(3), minute(3).Add(sec(1)), false, minute(3).Add(sec(5)))}
			},
			phase: PhaseHealthy, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeRan, ""}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			// The default limits (3 succeeded, 1 failed) keep an old failed
			// run; the succeeded runs since, but the last 3, are deleted.
			// With the events expired, the slots between them are the
			// succeeded runs the limits deleted, not skips.
			name: "succeeded runs deleted between kept ones", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) {
				cj.Spec.SuccessfulJobsHistoryLimit, cj.Spec.FailedJobsHistoryLimit = ptr.To(int32(3)), ptr.To(int32(1))
			}),
			now: minute(7).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), true, minute(1).Add(sec(5))),
					newRun(cj, minute(5), minute(5).Add(sec(1)), false, minute(5).Add(sec(5))),
					newRun(cj, minute(6), minute(6).Add(sec(1)), false, minute(6).Add(sec(5))),
					newRun(cj, minute(7), minute(7).Add(sec(1)), false, minute(7).Add(sec(5)))}
			},
			phase: PhaseHealthy, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeRan, ReasonHistoryDeleted}, {OutcomeRan, ReasonHistoryDeleted},
				{OutcomeRan, ReasonHistoryDeleted}, {OutcomeRan, ""}, {OutcomeRan, ""}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			name: "last run failed", cj: newCJ("*/1 * * * *"), now: minute(2).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), false, minute(1).Add(sec(5))),
					newRun(cj, minute(2), minute(2).Add(sec(1)), true, minute(2).Add(sec(5)))}
			},
			phase: PhaseFailing, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			name: "suspended", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.Suspend = ptr.To(true) }), now: minute(2).Add(sec(30)),
			phase: PhaseSuspended, slots: []wantSlot{{OutcomeSkipped, ReasonSuspended}, {OutcomeSkipped, ReasonSuspended}}, action: ActionNothing,
		},
		{
			name: "forbid blocked then late", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ForbidConcurrent }),
			now: minute(3).Add(sec(40)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), false, minute(3).Add(sec(30))),
					newRun(cj, minute(3), minute(3).Add(sec(31)), false, time.Time{})}
			},
			phase: PhaseMissing, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeSkipped, ReasonForbid}, {OutcomeLate, ReasonForbidWaited}}, action: ActionSkip,
			warning: "no activeDeadlineSeconds",
		},
		{
			name: "forbid blocked now", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ForbidConcurrent }),
			now: minute(2).Add(sec(40)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), false, time.Time{})}
			},
			phase: PhaseBlocked, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeSkipped, ReasonForbid}}, action: ActionSkip,
		},
		{
			name: "replace with the event", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ReplaceConcurrent }),
			now: minute(2).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(2), minute(2).Add(sec(1)), false, time.Time{})}
			},
			events: func(cj *batchv1.CronJob) []corev1.Event {
				return []corev1.Event{cronEvent(cj, "Normal", "SuccessfulDelete", "Deleted job "+JobName(cj.Name, minute(1)), minute(2).Add(sec(1)), minute(2).Add(sec(1)), 1)}
			},
			phase: PhaseMissing, slots: []wantSlot{{OutcomeSkipped, ReasonReplaced}, {OutcomeRan, ""}}, action: ActionReplace,
		},
		{
			name: "replace without events", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = batchv1.ReplaceConcurrent }),
			now: minute(2).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(2), minute(2).Add(sec(1)), false, time.Time{})}
			},
			phase: PhaseMissing, slots: []wantSlot{{OutcomeSkipped, ReasonReplaced}, {OutcomeRan, ""}}, action: ActionReplace,
		},
		{
			name: "deadline too short", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.StartingDeadlineSeconds = ptr.To(int64(0)) }),
			now:   minute(2).Add(sec(30)),
			phase: PhaseMissing, slots: []wantSlot{{OutcomeSkipped, ReasonMissedDeadline}, {OutcomeSkipped, ReasonMissedDeadline}}, action: ActionSkip,
			warning: "startingDeadlineSeconds 0",
		},
		{
			name: "controller down for two slots", cj: newCJ("*/1 * * * *"), now: minute(4).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(1), minute(1).Add(sec(1)), false, minute(1).Add(sec(5))),
					newRun(cj, minute(3), minute(3).Add(sec(40)), false, minute(3).Add(sec(45))),
					newRun(cj, minute(4), minute(4).Add(sec(1)), false, minute(4).Add(sec(5)))}
			},
			phase: PhaseMissing, slots: []wantSlot{{OutcomeRan, ""}, {OutcomeSkipped, ReasonSuperseded}, {OutcomeLate, ReasonControllerLate}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			name: "history limit deleted a failed run", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.FailedJobsHistoryLimit = ptr.To(int32(1)) }),
			now: minute(3).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(2), minute(2).Add(sec(1)), true, minute(2).Add(sec(5))),
					newRun(cj, minute(3), minute(3).Add(sec(1)), false, minute(3).Add(sec(5)))}
			},
			events: func(cj *batchv1.CronJob) []corev1.Event {
				return []corev1.Event{cronEvent(cj, "Normal", "SuccessfulDelete", "Deleted job "+JobName(cj.Name, minute(1)), minute(2).Add(sec(6)), minute(2).Add(sec(6)), 1)}
			},
			phase: PhaseHealthy, slots: []wantSlot{{OutcomeRan, ReasonHistoryDeleted}, {OutcomeRan, ""}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			name: "history limit without events", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.FailedJobsHistoryLimit = ptr.To(int32(1)) }),
			now: minute(3).Add(sec(30)),
			jobs: func(cj *batchv1.CronJob) []batchv1.Job {
				return []batchv1.Job{newRun(cj, minute(2), minute(2).Add(sec(1)), true, minute(2).Add(sec(5))),
					newRun(cj, minute(3), minute(3).Add(sec(1)), false, minute(3).Add(sec(5)))}
			},
			phase: PhaseHealthy, slots: []wantSlot{{OutcomeRan, ReasonHistoryDeleted}, {OutcomeRan, ""}, {OutcomeRan, ""}}, action: ActionCreate,
		},
		{
			name: "quota with the event", cj: newCJ("*/1 * * * *"), now: minute(1).Add(sec(30)),
			events: func(cj *batchv1.CronJob) []corev1.Event {
				return []corev1.Event{cronEvent(cj, "Warning", "FailedCreate", `Error creating job: jobs.batch "`+JobName(cj.Name, minute(1))+`" is forbidden: exceeded quota: no-jobs`, minute(1), minute(1).Add(sec(20)), 9)}
			},
			phase: PhaseMissing, slots: []wantSlot{{OutcomeSkipped, ReasonCreateFailed}}, action: ActionCreate,
		},
		{
			name: "nothing known", cj: newCJ("*/1 * * * *"), now: minute(1).Add(sec(30)),
			phase: PhaseMissing, slots: []wantSlot{{OutcomeSkipped, ReasonUnknown}}, action: ActionCreate,
		},
		{
			name: "due", cj: newCJ("*/1 * * * *"), now: minute(1).Add(sec(3)),
			phase: PhaseHealthy, slots: []wantSlot{{OutcomeDue, ""}}, action: ActionCreate,
		},
		{
			name: "unknown time zone", cj: newCJ("*/1 * * * *", func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("Mars/Olympus") }), now: minute(1),
			phase: PhaseInvalid, action: ActionNothing,
		},
		{
			name: "never fires", cj: newCJ("0 0 31 2 *"), now: minute(1),
			phase: PhaseInvalid, action: ActionNothing,
		},
		{
			name: "unparseable", cj: newCJ("every day"), now: minute(1),
			phase: PhaseInvalid, action: ActionNothing,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{CronJob: tc.cj, Now: tc.now}
			if tc.jobs != nil {
				in.Jobs = tc.jobs(tc.cj)
			}
			if tc.events != nil {
				in.Events = tc.events(tc.cj)
			}
			e := Explain(in)
			if e.Verdict.Phase != tc.phase {
				t.Errorf("verdict %s (%s: %s), want %s", e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message, tc.phase)
			}
			if e.NextAction.Action != tc.action {
				t.Errorf("next action %s (%s), want %s", e.NextAction.Action, e.NextAction.Message, tc.action)
			}
			if len(e.Slots) != len(tc.slots) {
				t.Fatalf("%d slots, want %d: %+v", len(e.Slots), len(tc.slots), e.Slots)
			}
			for i, w := range tc.slots {
				if got := e.Slots[i]; got.Outcome != w.outcome || got.Reason != w.reason || !got.Time.Time.Equal(minute(i+1)) {
					t.Errorf("slot %d at %s: %s/%s (%s), want %s/%s at %s", i, got.Time.Format("15:04:05"), got.Outcome, got.Reason, got.Message, w.outcome, w.reason, minute(i+1).Format("15:04:05"))
				}
			}
			if tc.warning != "" && !strings.Contains(strings.Join(e.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q lack %q", e.Warnings, tc.warning)
			}
		})
	}
}

func TestResumedLate(t *testing.T) {
	resumed := minute(1).Add(15 * time.Second)
	cj := newCJ("*/1 * * * *", func(cj *batchv1.CronJob) {
		cj.ManagedFields = []metav1.ManagedFieldsEntry{
			{Manager: "e2e", Operation: metav1.ManagedFieldsOperationUpdate, Time: ptr.To(metav1.NewTime(t0)), FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:suspend":{}}}`)},
			{Manager: "kubectl-patch", Operation: metav1.ManagedFieldsOperationUpdate, Time: ptr.To(metav1.NewTime(resumed)), FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:suspend":{}}}`)},
		}
	})
	e := Explain(Input{CronJob: cj, Now: minute(1).Add(30 * time.Second), Jobs: []batchv1.Job{newRun(cj, minute(1), resumed.Add(time.Second), false, time.Time{})}})
	if s := e.Slots[0]; s.Outcome != OutcomeLate || s.Reason != ReasonResumed {
		t.Errorf("slot: %s/%s (%s), want Late/Resumed", s.Outcome, s.Reason, s.Message)
	}
}

func TestDescribe(t *testing.T) {
	for spec, want := range map[string]string{
		"*/5 * * * *":       "every 5 minutes",
		"0 9 * * 1-5":       "at 09:00, on Monday through Friday",
		"30 6-16/4 * * 1-5": "at minute 30, past every 4th hour from 6 through 16, on Monday through Friday",
		"@hourly":           "at minute 0",
		"@every 90s":        "every 90s, counted from the last scheduled run (or the CronJob's creation)",
		"0 0 1,15 * SUN":    "at 00:00, on days-of-month 1 and 15 or on Sunday",
	} {
		if got := Describe(spec); got != want {
			t.Errorf("Describe(%q) = %q, want %q", spec, got, want)
		}
	}
}

// TestManualRunIsNotASlot: a Job created by hand from the CronJob (kubectl
// create job --from=cronjob/NAME; here one that even carries a slot's name
// and scheduled-timestamp, as a copy of a scheduled run would) is listed as a
// manual run, never as the run of a slot, and is not counted in the stats.
func TestManualRunIsNotASlot(t *testing.T) {
	cj := newCJ("*/1 * * * *")
	scheduled := newRun(cj, minute(1), minute(1).Add(time.Second), false, minute(1).Add(5*time.Second))
	manual := newRun(cj, minute(2), minute(2).Add(time.Second), true, minute(2).Add(5*time.Second))
	manual.Annotations["cronjob.kubernetes.io/instantiate"] = "manual"
	e := Explain(Input{CronJob: cj, Now: minute(2).Add(30 * time.Second), Jobs: []batchv1.Job{scheduled, manual}})
	if len(e.Slots) != 2 || e.Slots[0].Outcome != OutcomeRan || e.Slots[1].Outcome == OutcomeRan || e.Slots[1].Run != nil {
		t.Errorf("slots %+v, want 10:01 Ran and 10:02 without a run", e.Slots)
	}
	if len(e.ManualRuns) != 1 || e.ManualRuns[0].Job != manual.Name {
		t.Errorf("manual runs %+v, want %s", e.ManualRuns, manual.Name)
	}
	if e.Stats.Runs != 1 || e.Stats.Failed != 0 {
		t.Errorf("stats %+v, want 1 run, 0 failed: a manual failure is not the schedule's", e.Stats)
	}
	if !ManualRun(&manual) || ManualRun(&scheduled) {
		t.Errorf("ManualRun: manual %v, scheduled %v", ManualRun(&manual), ManualRun(&scheduled))
	}
}
