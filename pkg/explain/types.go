package explain

import (
	"encoding/json"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// APIVersion and Kind identify a JobExplanation in json/yaml output. The field
// names below are a contract (README "JSON schema"): add fields, never rename.
const (
	APIVersion = "kubectl-job.io/v1alpha1"
	Kind       = "JobExplanation"
)

// Phase is the verdict on a Job, decided from its conditions first.
type Phase string

// The phases, in the order a reader meets them in the README.
const (
	PhaseComplete    Phase = "Complete"    // Complete=True
	PhaseFailed      Phase = "Failed"      // Failed=True
	PhaseSucceeding  Phase = "Succeeding"  // SuccessCriteriaMet=True, pods still terminating
	PhaseFailing     Phase = "Failing"     // FailureTarget=True, pods still terminating
	PhaseSuspended   Phase = "Suspended"   // spec.suspend took effect
	PhaseTerminating Phase = "Terminating" // the Job itself has a deletionTimestamp
	PhaseExternal    Phase = "External"    // spec.managedBy names another controller
	PhasePending     Phase = "Pending"     // started, but no pod is running
	PhaseRunning     Phase = "Running"     // at least one pod running
	PhaseNotStarted  Phase = "NotStarted"  // the controller has not synced it yet
)

// Phases lists every phase, for validation of --status filters and fuzzing.
var Phases = []Phase{PhaseComplete, PhaseFailed, PhaseSucceeding, PhaseFailing, PhaseSuspended,
	PhaseTerminating, PhaseExternal, PhasePending, PhaseRunning, PhaseNotStarted}

// Finished reports whether the phase is terminal (Complete or Failed).
func (p Phase) Finished() bool { return p == PhaseComplete || p == PhaseFailed }

// Input is everything the engine looks at. It never talks to the API.
type Input struct {
	Job    *batchv1.Job
	Pods   []corev1.Pod   // pods selected by the Job's selector; others are ignored
	Events []corev1.Event // events of the Job and its pods; others are ignored
	Now    time.Time
	// PodsUnknown / EventsUnknown are set when the caller could not read them
	// (forbidden, timed out); the engine then says so instead of concluding
	// "no pods".
	PodsUnknown   bool
	EventsUnknown bool
	// CronJob is the CronJob that owns Job, when the caller read it: its
	// history limits say when a finished Job without a TTL goes.
	CronJob *batchv1.CronJob
}

// JobExplanation is the engine's output: the verdict with its evidence. Text
// and -o json/yaml are both rendered from it, so they cannot drift.
type JobExplanation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`

	// ObservedAt is the "now" the explanation was computed at: relative times
	// in the human view (ages, "in 3m12s") are measured from it, so the view
	// can be rendered from the object alone.
	ObservedAt metav1.Time `json:"observedAt"`

	Verdict  Verdict     `json:"verdict"`
	Evidence []Evidence  `json:"evidence"`
	Spec     SpecSummary `json:"spec"`
	Progress Progress    `json:"progress"`
	// Duration runs from startTime to completionTime, to the terminal
	// condition for failed Jobs (kubectl's keeps growing), or to now.
	Duration *DurationInfo `json:"duration,omitempty"`
	Backoff  *Backoff      `json:"backoff,omitempty"`
	Deadline *Deadline     `json:"deadline,omitempty"`
	TTL      TTL           `json:"ttl"`
	// Conditions are the Job's conditions as the API has them.
	Conditions []batchv1.JobCondition `json:"conditions,omitempty"`
	Attempts   []Attempt              `json:"attempts"`
	Indexes    []IndexStatus          `json:"indexes,omitempty"`
	Events     []EventSummary         `json:"events"`
	Warnings   []string               `json:"warnings,omitempty"`
	NextSteps  []string               `json:"nextSteps,omitempty"`
}

// Verdict is the one-line answer: phase, reason and a message with numbers.
type Verdict struct {
	Phase Phase `json:"phase"`
	// Reason is the terminal/interim condition's reason (BackoffLimitExceeded,
	// DeadlineExceeded, PodFailurePolicy, MaxFailedIndexesExceeded,
	// FailedIndexes, SuccessPolicy, CompletionsReached) or, for live Jobs, a
	// computed one (Unschedulable, ImagePullBackOff, FailedCreate, JobSuspended,
	// Progressing, ...).
	Reason string `json:"reason"`
	// Message explains the reason with numbers: "7 failed pods > backoffLimit 6".
	Message string `json:"message"`
	// Since is when the phase began (the deciding condition's lastTransitionTime).
	Since *metav1.Time `json:"since,omitempty"`
}

// Evidence is one fact behind the verdict, tied to the field it comes from.
type Evidence struct {
	// Kind groups evidence: Condition, Counter, Limit, Pod, Rule, Event, Index, Deadline, TTL.
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Field is the API path the fact comes from, e.g. "status.failed" or
	// "spec.podFailurePolicy.rules[1]".
	Field string `json:"field,omitempty"`
	// Pod and Container name the object a pod-level fact is about.
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
}

// SpecSummary is every knob of the Job spec that shapes its outcome.
type SpecSummary struct {
	Completions             *int32                    `json:"completions,omitempty"`
	Parallelism             *int32                    `json:"parallelism,omitempty"`
	CompletionMode          string                    `json:"completionMode"`
	BackoffLimit            *int32                    `json:"backoffLimit,omitempty"`
	BackoffLimitPerIndex    *int32                    `json:"backoffLimitPerIndex,omitempty"`
	MaxFailedIndexes        *int32                    `json:"maxFailedIndexes,omitempty"`
	ActiveDeadlineSeconds   *int64                    `json:"activeDeadlineSeconds,omitempty"`
	TTLSecondsAfterFinished *int32                    `json:"ttlSecondsAfterFinished,omitempty"`
	RestartPolicy           string                    `json:"restartPolicy"`
	Suspend                 bool                      `json:"suspend"`
	PodReplacementPolicy    string                    `json:"podReplacementPolicy,omitempty"`
	ManagedBy               string                    `json:"managedBy,omitempty"`
	PodFailurePolicy        *batchv1.PodFailurePolicy `json:"podFailurePolicy,omitempty"`
	SuccessPolicy           *batchv1.SuccessPolicy    `json:"successPolicy,omitempty"`
	// OwnerCronJob is the name of the owning CronJob, if any.
	OwnerCronJob string `json:"ownerCronJob,omitempty"`
}

// Progress are the counters, from status and from the pods seen.
type Progress struct {
	Succeeded   int32 `json:"succeeded"`
	Failed      int32 `json:"failed"`
	Active      int32 `json:"active"`
	Ready       int32 `json:"ready"`
	Terminating int32 `json:"terminating"`
	// Completions is spec.completions, or nil when unset (one success suffices).
	Completions      *int32 `json:"completions,omitempty"`
	CompletedIndexes string `json:"completedIndexes,omitempty"`
	FailedIndexes    string `json:"failedIndexes,omitempty"`
	// UncountedSucceeded / UncountedFailed come from status.uncountedTerminatedPods.
	UncountedSucceeded int `json:"uncountedSucceeded,omitempty"`
	UncountedFailed    int `json:"uncountedFailed,omitempty"`
	// PodsPending / PodsRunning count the pods seen, by phase.
	PodsPending int `json:"podsPending"`
	PodsRunning int `json:"podsRunning"`
}

// DurationInfo is how long the Job ran and what the span is measured to.
type DurationInfo struct {
	Start   metav1.Time `json:"start"`
	End     metav1.Time `json:"end"`
	Seconds float64     `json:"seconds"`
	// EndedBy is completionTime, Failed, FailureTarget, SuccessCriteriaMet or now.
	EndedBy string `json:"endedBy"`
}

// Backoff is the failure budget against backoffLimit.
type Backoff struct {
	Limit int32 `json:"limit"`
	// Counted is what the controller compares to the limit: failed pods for
	// restartPolicy Never, plus container restarts of active pods for OnFailure
	// (failedPods + restarts).
	Counted int32 `json:"counted"`
	// FailedPods is status.failed; Restarts the summed restartCount of active pods.
	FailedPods int32 `json:"failedPods"`
	Restarts   int32 `json:"restarts"`
	// Ignored counts failed pods a podFailurePolicy Ignore rule excluded.
	Ignored int32 `json:"ignored"`
	// Remaining is how many more counted failures the Job survives:
	// the Job fails after Remaining+1 more (nil once finished). For Never,
	// limit - failedPods (the controller fails at failed > limit); for
	// OnFailure, where it also fails at restarts >= limit (restarts > 0 with
	// limit 0), the smaller of that and limit - restarts - 1. Negative means
	// the limit is reached and the controller fails the Job at its next sync.
	Remaining *int32 `json:"remaining,omitempty"`
	// NextRetryAt is when the controller may create the next pod while it is
	// backing off after a failure, if known.
	NextRetryAt *metav1.Time `json:"nextRetryAt,omitempty"`
}

// Deadline is activeDeadlineSeconds against the clock.
type Deadline struct {
	Seconds int64       `json:"seconds"`
	Start   metav1.Time `json:"start"`
	// At is start + seconds: when the controller fails the Job.
	At metav1.Time `json:"at"`
	// RemainingSeconds is negative once passed.
	RemainingSeconds float64 `json:"remainingSeconds"`
	Exceeded         bool    `json:"exceeded"`
}

// TTL is ttlSecondsAfterFinished against the terminal condition.
type TTL struct {
	// State is None (no TTL), Waiting (TTL set, Job not finished yet: the clock
	// starts when it finishes), Scheduled (deletion at DeleteAt), Due (past
	// DeleteAt, the ttl-after-finished controller is about to delete it).
	State            string       `json:"state"`
	Seconds          *int32       `json:"seconds,omitempty"`
	DeleteAt         *metav1.Time `json:"deleteAt,omitempty"`
	RemainingSeconds *float64     `json:"remainingSeconds,omitempty"`
	// Message is the human line: "deleted at 12:03:04 (in 3m12s) with its 4 pods".
	Message string `json:"message"`
}

// TTL states.
const (
	TTLNone      = "None"
	TTLWaiting   = "Waiting"
	TTLScheduled = "Scheduled"
	TTLDue       = "Due"
)

// Attempt is one pod of the Job, in creation order.
type Attempt struct {
	Pod string `json:"pod"`
	// Index is the completion index for Indexed Jobs, nil otherwise.
	Index *int `json:"index,omitempty"`
	// Number is the attempt number: 1-based, per index for Indexed Jobs.
	Number   int    `json:"number"`
	Phase    string `json:"phase"`
	ExitCode *int32 `json:"exitCode,omitempty"`
	// Reason is the container's termination or waiting reason (Error,
	// OOMKilled, ImagePullBackOff), or the pod's (Unschedulable, DeadlineExceeded).
	Reason    string       `json:"reason,omitempty"`
	Message   string       `json:"message,omitempty"`
	Container string       `json:"container,omitempty"`
	Restarts  int32        `json:"restarts"`
	Node      string       `json:"node,omitempty"`
	Created   metav1.Time  `json:"created"`
	Started   *metav1.Time `json:"started,omitempty"`
	Finished  *metav1.Time `json:"finished,omitempty"`
	// Terminating is true when the pod has a deletionTimestamp.
	Terminating bool `json:"terminating,omitempty"`
	// Counted is true for a failed pod whose failure counts against the
	// limits; false for pods that did not fail and for failures a
	// podFailurePolicy Ignore rule excluded.
	Counted bool `json:"counted"`
}

// IndexStatus is one completion index of an Indexed Job.
type IndexStatus struct {
	Index int `json:"index"`
	// Status is Succeeded, Failed, Running, Pending or NotStarted; also
	// Retrying (the newest pod failed, a replacement is due), Terminating,
	// Carried (marked completed before this Job started by kubectl job rerun
	// --failed-indexes-only: it never ran here; see AnnotationCarriedIndexes),
	// and Unfinished (the Job was decided, by a successPolicy or a failure
	// such as a FailJob rule or the deadline, before this index succeeded or
	// used up its backoffLimitPerIndex; any pods it had were removed).
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	// Failures counts the counted failures of the index: the
	// batch.kubernetes.io/job-index-failure-count of the newest pod (failures
	// before it), plus one if that pod failed too. Without
	// backoffLimitPerIndex (no annotation) it is the failed pods seen.
	Failures        int32  `json:"failures"`
	IgnoredFailures int32  `json:"ignoredFailures,omitempty"`
	LastPod         string `json:"lastPod,omitempty"`
	LastExitCode    *int32 `json:"lastExitCode,omitempty"`
}

// EventSummary is one deduplicated event of the Job or its pods.
type EventSummary struct {
	Type    string      `json:"type"`
	Reason  string      `json:"reason"`
	Object  string      `json:"object"` // job/NAME or pod/NAME
	Message string      `json:"message"`
	Count   int32       `json:"count"`
	Last    metav1.Time `json:"last"`
}

// GetObjectKind and DeepCopyObject make a JobExplanation a runtime.Object, so
// cli-runtime's json, yaml and jsonpath printers take it.
func (e *JobExplanation) GetObjectKind() schema.ObjectKind { return &e.TypeMeta }

// DeepCopyObject copies through JSON: explanations are small and printed once.
func (e *JobExplanation) DeepCopyObject() runtime.Object {
	data, err := json.Marshal(e)
	if err != nil {
		panic(err) // the struct has only JSON-safe fields
	}
	out := &JobExplanation{}
	if err := json.Unmarshal(data, out); err != nil {
		panic(err)
	}
	return out
}

// AnnotationRerunOf records the Job a kubectl job rerun was made from:
// "<namespace>/<name>/<uid>".
const AnnotationRerunOf = "kubectl-job.io/rerun-of"

// AnnotationCarriedIndexes lists, on a Job made by kubectl job rerun
// --failed-indexes-only, the indexes that had succeeded in the old Job and
// were marked completed in this one before it started: this Job did not run
// them.
const AnnotationCarriedIndexes = "kubectl-job.io/carried-indexes"
