package explain

import batchv1 "k8s.io/api/batch/v1"

// Reason says why a Job is in its phase: the deciding condition's reason,
// or one the engine computes for a Job without one. Every reason the engine
// decides on is an entry of Reasons: adding one is that entry, its decision
// site and its test (TestReasonRegistry checks each has an engine case and
// a fuzz seed).
type Reason string

// The reasons of the Job API's conditions.
const (
	ReasonCompletionsReached       = Reason(batchv1.JobReasonCompletionsReached)
	ReasonSuccessPolicy            = Reason(batchv1.JobReasonSuccessPolicy)
	ReasonBackoffLimitExceeded     = Reason(batchv1.JobReasonBackoffLimitExceeded)
	ReasonDeadlineExceeded         = Reason(batchv1.JobReasonDeadlineExceeded)
	ReasonPodFailurePolicy         = Reason(batchv1.JobReasonPodFailurePolicy)
	ReasonMaxFailedIndexesExceeded = Reason(batchv1.JobReasonMaxFailedIndexesExceeded)
	ReasonFailedIndexes            = Reason(batchv1.JobReasonFailedIndexes)
	// ReasonJobSuspended is the Suspended condition's reason.
	ReasonJobSuspended Reason = "JobSuspended"
)

// The reasons the engine computes for Jobs without a deciding condition.
const (
	ReasonProgressing           Reason = "Progressing"
	ReasonUnschedulable         Reason = "Unschedulable"
	ReasonImagePullBackOff      Reason = "ImagePullBackOff"
	ReasonFailedCreate          Reason = "FailedCreate"
	ReasonPodsTerminating       Reason = "PodsTerminating"
	ReasonWaitingForTermination Reason = "WaitingForTerminatingPods"
	ReasonBackoffDelay          Reason = "BackoffDelay"
	ReasonPodsStarting          Reason = "PodsStarting"
	ReasonNoPods                Reason = "NoPods"
	ReasonParallelismZero       Reason = "ParallelismZero"
	ReasonAwaitingController    Reason = "AwaitingController"
	ReasonPodsUnknown           Reason = "PodsUnknown"
	ReasonNotSynced             Reason = "NotSynced"
	ReasonSuspendRequested      Reason = "SuspendRequested"
	ReasonResuming              Reason = "Resuming"
	ReasonManagedExternally     Reason = "ManagedExternally"
	ReasonDeleting              Reason = "Deleting"
	ReasonNoJob                 Reason = "NoJob"
)

// ReasonInfo is what the registry knows of a reason.
type ReasonInfo struct {
	Reason Reason
	// Phases are the phases the engine gives with this reason.
	Phases []Phase
	// Doc says in one line when the engine gives it (README's table).
	Doc string
	// Next are the next steps when they differ from the phase's: kubectl
	// commands where {job} is the Job's name and {pod} its first pod that
	// cannot start. Every Pending reason has them.
	Next []string
}

const (
	nextDescribeJob = "kubectl job describe {job}"
	nextDescribePod = "kubectl describe pod {pod}"
)

// Reasons is the registry, in the order of the README's table.
var Reasons = []ReasonInfo{
	{ReasonCompletionsReached, []Phase{PhaseComplete}, "the Job reached spec.completions (or, Indexed, every index succeeded); also an empty reason from API servers before 1.31", nil},
	{ReasonSuccessPolicy, []Phase{PhaseComplete, PhaseSucceeding}, "a spec.successPolicy rule was met", nil},
	{ReasonBackoffLimitExceeded, []Phase{PhaseFailed, PhaseFailing}, "more failed pods (OnFailure: container restarts) than spec.backoffLimit", nil},
	{ReasonDeadlineExceeded, []Phase{PhaseFailed, PhaseFailing}, "the Job ran longer than spec.activeDeadlineSeconds", nil},
	{ReasonPodFailurePolicy, []Phase{PhaseFailed, PhaseFailing}, "a spec.podFailurePolicy FailJob rule matched a failed pod", nil},
	{ReasonMaxFailedIndexesExceeded, []Phase{PhaseFailed, PhaseFailing}, "more failed indexes than spec.maxFailedIndexes", nil},
	{ReasonFailedIndexes, []Phase{PhaseFailed, PhaseFailing}, "every index ended and some failed (spec.backoffLimitPerIndex)", nil},
	{ReasonJobSuspended, []Phase{PhaseSuspended}, "spec.suspend is true and the job controller suspended the Job", nil},
	{ReasonSuspendRequested, []Phase{PhaseSuspended}, "spec.suspend is true but the job controller has not suspended the Job yet", nil},
	{ReasonDeleting, []Phase{PhaseTerminating}, "the Job has a deletionTimestamp", nil},
	{ReasonManagedExternally, []Phase{PhaseExternal}, "spec.managedBy names another controller, which writes the status", nil},
	{ReasonNotSynced, []Phase{PhaseNotStarted}, "the job controller has not started the Job (no startTime)", nil},
	{ReasonNoJob, []Phase{PhaseNotStarted}, "there was no Job to explain", nil},
	{ReasonProgressing, []Phase{PhaseRunning}, "at least one pod runs (with unreadable pods: status.active > 0, said as pods not read)", nil},
	{ReasonResuming, []Phase{PhasePending}, "spec.suspend is false but the Suspended condition is still True", []string{nextDescribeJob}},
	{ReasonPodsUnknown, []Phase{PhasePending}, "no pod is active and the pods could not be read", []string{nextDescribeJob}},
	{ReasonUnschedulable, []Phase{PhasePending}, "a pod cannot be scheduled (its PodScheduled condition's reason)", []string{nextDescribePod}},
	{ReasonImagePullBackOff, []Phase{PhasePending}, "a container waits (its waiting reason: ImagePullBackOff, ErrImagePull, CreateContainerConfigError, ...)", []string{nextDescribePod}},
	{ReasonParallelismZero, []Phase{PhasePending}, "spec.parallelism is 0: no pods are created", []string{nextDescribeJob}},
	{ReasonFailedCreate, []Phase{PhasePending}, "the job controller cannot create pods (a FailedCreate event: quota, admission)", []string{"kubectl describe quota", nextDescribeJob}},
	{ReasonPodsTerminating, []Phase{PhasePending}, "no pod runs and some are terminating", []string{nextDescribeJob}},
	{ReasonWaitingForTermination, []Phase{PhasePending}, "podReplacementPolicy Failed: replacements wait for terminating pods", []string{nextDescribeJob}},
	{ReasonBackoffDelay, []Phase{PhasePending}, "the job controller waits before creating the next pod after failures", []string{nextDescribeJob}},
	{ReasonPodsStarting, []Phase{PhasePending}, "pods are scheduled and their containers being created", []string{nextDescribeJob}},
	{ReasonAwaitingController, []Phase{PhasePending}, "no pod is active: the job controller has yet to record the outcome or create the next pod", []string{nextDescribeJob}},
	{ReasonNoPods, []Phase{PhasePending}, "started, no pods yet", []string{nextDescribeJob}},
}

// LookupReason returns the registry's entry for r. Reasons outside it are
// those of other controllers' conditions and the open set of pod waiting
// and scheduling reasons.
func LookupReason(r Reason) (ReasonInfo, bool) {
	for _, info := range Reasons {
		if info.Reason == r {
			return info, true
		}
	}
	return ReasonInfo{}, false
}
