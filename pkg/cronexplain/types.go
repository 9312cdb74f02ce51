package cronexplain

import (
	"encoding/json"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Kind identifies a CronJobExplanation in json/yaml output; its apiVersion
// is the JobExplanation's (explain.APIVersion). The field names below are a
// contract (README "CronJobExplanation"): add fields, never rename.
const Kind = "CronJobExplanation"

// Phase is the headline verdict on a CronJob.
type Phase string

// The phases, strongest first: the first that applies is the verdict.
const (
	PhaseInvalid   Phase = "Invalid"   // the schedule or time zone cannot be used: nothing runs
	PhaseSuspended Phase = "Suspended" // spec.suspend: nothing runs
	PhaseBlocked   Phase = "Blocked"   // Forbid, and an active Job made a slot skip and still runs
	PhaseFailing   Phase = "Failing"   // the newest finished run failed
	PhaseMissing   Phase = "Missing runs"
	PhaseLate      Phase = "Late" // a run in the window started late
	PhaseHealthy   Phase = "Healthy"
)

// SlotOutcome is what became of one scheduled time.
type SlotOutcome string

// The outcomes of a slot.
const (
	OutcomeRan     SlotOutcome = "Ran"     // a Job was created for it within LateAfter (or, with reason HistoryDeleted, a Job since deleted)
	OutcomeLate    SlotOutcome = "Late"    // a Job was created for it, LateAfter or more after the slot
	OutcomeSkipped SlotOutcome = "Skipped" // no Job ran for it; Reason says why
	OutcomeDue     SlotOutcome = "Due"     // just passed: the controller is about to act on it
)

// Reasons of skipped and late slots. A reason is data: Reasons holds the
// one-line doc of each, which the README and the human view reuse.
const (
	ReasonSuspended        = "Suspended"        // spec.suspend was true at the slot
	ReasonForbid           = "JobAlreadyActive" // Forbid, and the previous run was still active
	ReasonMissedDeadline   = "MissSchedule"     // past startingDeadlineSeconds when the controller looked
	ReasonSuperseded       = "Superseded"       // the controller caught up with a later slot only
	ReasonReplaced         = "Replaced"         // Replace deleted this slot's Job when the next slot came
	ReasonCreateFailed     = "FailedCreate"     // the controller could not create the Job
	ReasonHistoryDeleted   = "HistoryDeleted"   // it ran; its Job was removed by the history limits or a TTL
	ReasonUnknown          = "Unknown"          // no Job and nothing left to say why
	ReasonControllerLate   = "ControllerLate"   // late: the controller did not act at the slot (down or slow)
	ReasonForbidWaited     = "ForbidWaited"     // late: Forbid waited for the previous run to finish
	ReasonResumed          = "Resumed"          // late: suspended at the slot, run when resumed
	ReasonCreateRetried    = "CreateRetried"    // late: creates failed first
	ReasonOffSchedule      = "OffSchedule"      // a Job whose slot the current schedule does not have (schedule changed)
	ReasonTooManyMissed    = "TooManyMissedTimes"
	ReasonUnknownTimeZone  = "UnknownTimeZone"
	ReasonUnparseable      = "UnparseableSchedule"
	ReasonInvalidSchedule  = "InvalidSchedule"
	ReasonUnsupportedInput = "UnsupportedSchedule"
)

// Reasons documents every slot reason in one line (README, --help).
var Reasons = map[string]string{
	ReasonSuspended:      "spec.suspend was true at the slot: the controller creates nothing and says nothing",
	ReasonForbid:         "concurrencyPolicy Forbid and the previous run was still active",
	ReasonMissedDeadline: "the controller looked after slot + startingDeadlineSeconds",
	ReasonSuperseded:     "the controller was not there at the slot and later ran only the most recent missed slot",
	ReasonReplaced:       "concurrencyPolicy Replace deleted this slot's Job when the next slot came",
	ReasonCreateFailed:   "the controller tried and the API refused the Job (quota, admission, RBAC)",
	ReasonHistoryDeleted: "it ran; its Job was since removed by successfulJobsHistoryLimit/failedJobsHistoryLimit or ttlSecondsAfterFinished",
	ReasonUnknown:        "no Job and no event left: the controller was down or slow, or the create failed and its event expired",
	ReasonControllerLate: "the controller did not act at the slot (down, restarting or overloaded) and ran it when it came back",
	ReasonForbidWaited:   "concurrencyPolicy Forbid: it started when the previous run finished",
	ReasonResumed:        "the CronJob was suspended at the slot and ran it when resumed",
	ReasonCreateRetried:  "the first creates failed (FailedCreate) and a retry succeeded",
	ReasonOffSchedule:    "a Job for a time the current schedule does not have: the schedule changed",
}

// LateAfter is the start delay from which a run counts as late. The
// controller wakes 100 ms after a slot; a healthy one creates the Job within
// a second or two.
const LateAfter = 10 * time.Second

// Input is everything the engine looks at. It never talks to the API.
type Input struct {
	CronJob *batchv1.CronJob
	// Jobs are the CronJob's Jobs (controller owner reference with its UID);
	// others are ignored.
	Jobs []batchv1.Job
	// Pods of those Jobs, handed to the Job explain engine; may be empty.
	Pods []corev1.Pod
	// Events of the CronJob and of its Jobs; others are ignored.
	Events []corev1.Event
	// Quotas are the namespace's ResourceQuotas: a full count/jobs.batch
	// explains a missing Job once the FailedCreate event has expired.
	Quotas []corev1.ResourceQuota
	Now    time.Time
	// Since is the window: slots in [Now-Since, Now]. 0 means 24h.
	Since time.Duration
	// Next is how many upcoming runs to list: 0 means 5, negative none.
	Next int
	// PodsUnknown / EventsUnknown are set when the caller could not read them.
	PodsUnknown   bool
	EventsUnknown bool
}

// CronJobExplanation is the engine's output. Text and -o json/yaml are both
// rendered from it.
type CronJobExplanation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`

	ObservedAt metav1.Time `json:"observedAt"`
	Verdict    Verdict     `json:"verdict"`
	Schedule   Schedule    `json:"schedule"`
	Spec       Spec        `json:"spec"`
	Status     Status      `json:"status"`
	Window     Window      `json:"window"`
	NextRuns   []NextRun   `json:"nextRuns"`
	Slots      []Slot      `json:"slots"`
	// ManualRuns are Jobs created by hand from the CronJob
	// (cronjob.kubernetes.io/instantiate: manual): not slots.
	ManualRuns []Run      `json:"manualRuns,omitempty"`
	History    History    `json:"history"`
	Stats      Stats      `json:"stats"`
	NextAction NextAction `json:"nextAction"`
	Events     []Event    `json:"events"`
	Warnings   []string   `json:"warnings,omitempty"`
	NextSteps  []string   `json:"nextSteps,omitempty"`
}

// Verdict is the headline: phase, reason and a message with numbers.
type Verdict struct {
	Phase   Phase  `json:"phase"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
}

// Schedule is the schedule as the controller reads it.
type Schedule struct {
	Expression string `json:"expression"`
	// Description is the schedule in words.
	Description string `json:"description"`
	// TimeZone is spec.timeZone, or the zone assumed for the controller's
	// local time (UTC) when ZoneAssumed.
	TimeZone    string `json:"timeZone"`
	ZoneAssumed bool   `json:"zoneAssumed,omitempty"`
	// Error says why the controller cannot use it (Invalid phase).
	Error string `json:"error,omitempty"`
}

// Spec are the CronJob knobs that decide what runs.
type Spec struct {
	ConcurrencyPolicy          string `json:"concurrencyPolicy"`
	Suspend                    bool   `json:"suspend"`
	StartingDeadlineSeconds    *int64 `json:"startingDeadlineSeconds,omitempty"`
	SuccessfulJobsHistoryLimit int32  `json:"successfulJobsHistoryLimit"`
	FailedJobsHistoryLimit     int32  `json:"failedJobsHistoryLimit"`
	// JobTTLSecondsAfterFinished and JobActiveDeadlineSeconds come from the
	// Job template.
	JobTTLSecondsAfterFinished *int32 `json:"jobTTLSecondsAfterFinished,omitempty"`
	JobActiveDeadlineSeconds   *int64 `json:"jobActiveDeadlineSeconds,omitempty"`
	// SuspendChangedAt is the managedFields time of the last write that
	// owns spec.suspend, when the server recorded one.
	SuspendChangedAt *metav1.Time `json:"suspendChangedAt,omitempty"`
}

// Status is the CronJob's status as the controller left it.
type Status struct {
	LastScheduleTime   *metav1.Time `json:"lastScheduleTime,omitempty"`
	LastSuccessfulTime *metav1.Time `json:"lastSuccessfulTime,omitempty"`
	Active             []string     `json:"active,omitempty"`
}

// Window is the span whose slots are listed.
type Window struct {
	Start metav1.Time `json:"start"`
	End   metav1.Time `json:"end"`
	// SlotsTotal counts the slots in the window; Slots holds the newest
	// MaxSlots of them, OmittedSlots says how many older ones are left out
	// of the list (they still count in Stats and the verdict).
	SlotsTotal   int `json:"slotsTotal"`
	OmittedSlots int `json:"omittedSlots,omitempty"`
}

// NextRun is one upcoming slot.
type NextRun struct {
	Time metav1.Time `json:"time"`
	// Local is the slot in the schedule's time zone, with its offset.
	Local string `json:"local"`
	// DST is set when the wall-clock time is near a daylight-saving change
	// in the zone: "repeated" (the hour happens twice) or "gap" (the hour
	// does not exist), with what the controller does.
	DST string `json:"dst,omitempty"`
}

// Run is one Job of the CronJob, summarised by the Job explain engine.
type Run struct {
	Job     string        `json:"job"`
	Phase   explain.Phase `json:"phase"`
	Reason  string        `json:"reason,omitempty"`
	Message string        `json:"message,omitempty"`
	Created metav1.Time   `json:"created"`
	// DurationSeconds is the Job explain engine's duration (to now while it runs).
	DurationSeconds *float64 `json:"durationSeconds,omitempty"`
}

// Slot is one scheduled time in the window with one classification.
type Slot struct {
	Time    metav1.Time `json:"time"`
	Outcome SlotOutcome `json:"outcome"`
	// Reason is set for Skipped and Late slots (see Reasons).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Run is the slot's Job, when it still exists.
	Run *Run `json:"run,omitempty"`
	// StartDelaySeconds is the Job's creation minus the slot.
	StartDelaySeconds *float64 `json:"startDelaySeconds,omitempty"`
}

// History is what the history limits and TTLs keep.
type History struct {
	SucceededKept int `json:"succeededKept"`
	FailedKept    int `json:"failedKept"`
	Active        int `json:"active"`
	// Message explains why a failed run may be missing from the list.
	Message string `json:"message"`
}

// Stats are computed over the runs still visible in the window.
type Stats struct {
	Runs      int      `json:"runs"`
	Succeeded int      `json:"succeeded"`
	Failed    int      `json:"failed"`
	Running   int      `json:"running"`
	Skipped   int      `json:"skipped"`
	Late      int      `json:"late"`
	Success   *float64 `json:"successRate,omitempty"`
	// Run times of finished runs and start delays of all runs, in seconds.
	DurationP50 *float64 `json:"durationP50Seconds,omitempty"`
	DurationP95 *float64 `json:"durationP95Seconds,omitempty"`
	DelayP50    *float64 `json:"startDelayP50Seconds,omitempty"`
	DelayP95    *float64 `json:"startDelayP95Seconds,omitempty"`
}

// Next actions of the controller.
const (
	ActionCreate  = "Create"
	ActionSkip    = "Skip"
	ActionReplace = "Replace"
	ActionNothing = "Nothing"
)

// NextAction is what the controller will do next, and when.
type NextAction struct {
	Action  string       `json:"action"`
	At      *metav1.Time `json:"at,omitempty"`
	Job     string       `json:"job,omitempty"`
	Message string       `json:"message"`
}

// Event is one deduplicated event of the CronJob or its Jobs.
type Event struct {
	Type    string      `json:"type"`
	Reason  string      `json:"reason"`
	Object  string      `json:"object"`
	Message string      `json:"message"`
	Count   int32       `json:"count"`
	First   metav1.Time `json:"first"`
	Last    metav1.Time `json:"last"`
}

// GetObjectKind and DeepCopyObject make a CronJobExplanation a
// runtime.Object for cli-runtime's json, yaml and jsonpath printers.
func (e *CronJobExplanation) GetObjectKind() schema.ObjectKind { return &e.TypeMeta }

// DeepCopyObject copies through JSON: explanations are printed once, and
// the struct has only JSON-safe fields, so neither step can fail.
func (e *CronJobExplanation) DeepCopyObject() runtime.Object {
	out := &CronJobExplanation{}
	data, _ := json.Marshal(e)
	_ = json.Unmarshal(data, out)
	return out
}
