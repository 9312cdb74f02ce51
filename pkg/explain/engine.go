// Package explain decides what state a Job is in and why, from its
// conditions first and its counters, pods and events second. It is pure: a
// Job, its pods and events and a "now" in, a JobExplanation out; no client,
// no clock, no I/O. Every command takes its verdict from Explain, so list,
// describe, logs -f, wait and prune can never disagree.
package explain

import (
	"fmt"
	"math"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Defaults of the Job API the engine relies on when a field is unset (a Job
// read from a file may not have been defaulted by an API server).
const (
	DefaultBackoffLimit = 6
	// PodFailureBackoff and MaxPodFailureBackoff are the job controller's
	// retry delays: 10s doubled per failure since the last success, capped.
	PodFailureBackoff    = 10 * time.Second
	MaxPodFailureBackoff = 10 * time.Minute
	// maxIndexRows bounds the per-index table of huge Indexed Jobs.
	maxIndexRows = 1000
	// maxPodEvidence bounds the per-pod evidence lines of one reason.
	maxPodEvidence = 10
)

// Explain computes the verdict on in.Job from its conditions, counters, pods
// and events at in.Now. It is pure: same input, same output.
func Explain(in Input) *JobExplanation {
	e := &JobExplanation{
		ObservedAt: metav1.NewTime(in.Now),
		Evidence:   []Evidence{},
		Attempts:   []Attempt{},
		Events:     []EventSummary{},
	}
	e.APIVersion, e.Kind = APIVersion, Kind
	if in.Job == nil {
		e.Verdict = Verdict{Phase: PhaseNotStarted, Reason: ReasonNoJob, Message: "no Job to explain"}
		e.TTL = TTL{State: TTLNone, Message: "no Job"}
		return e
	}
	s := newState(in, e)
	s.summarize()
	s.decide()
	s.carriedIndexesEvidence()
	s.timeToLive()
	s.addWarnings()
	s.addNextSteps()
	return e
}

// state carries what every step derives once.
type state struct {
	in    Input
	job   *batchv1.Job
	now   time.Time
	e     *JobExplanation
	views []*podView

	restartPolicy corev1.RestartPolicy
	indexed       bool
	perIndex      bool
	backoffLimit  int32
	completed     IndexSet
	failedIdx     IndexSet

	complete, failed, failureTarget, successMet, suspended *batchv1.JobCondition
	// end is when the Job stopped running, nil while it runs.
	end *time.Time
	// pastLimit says why the failures seen already exceed backoffLimit
	// (limitReached), "" while they do not.
	pastLimit string
}

func newState(in Input, e *JobExplanation) *state {
	job := in.Job
	s := &state{in: in, job: job, now: in.Now, e: e}
	e.Name, e.Namespace, e.UID = job.Name, job.Namespace, job.UID
	s.restartPolicy = job.Spec.Template.Spec.RestartPolicy
	s.indexed = job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
	s.perIndex = job.Spec.BackoffLimitPerIndex != nil
	def := int32(DefaultBackoffLimit)
	if s.perIndex {
		def = math.MaxInt32
	}
	s.backoffLimit = derefInt32(job.Spec.BackoffLimit, def)
	s.completed, _ = ParseIndexes(job.Status.CompletedIndexes)
	s.failedIdx, _ = ParseIndexes(deref(job.Status.FailedIndexes))
	for i := range job.Status.Conditions {
		c := &job.Status.Conditions[i]
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			s.complete = c
		case batchv1.JobFailed:
			s.failed = c
		case batchv1.JobFailureTarget:
			s.failureTarget = c
		case batchv1.JobSuccessCriteriaMet:
			s.successMet = c
		case batchv1.JobSuspended:
			s.suspended = c
		}
	}
	s.views = viewPods(job, in.Pods)
	return s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// summarize fills the parts that do not depend on the verdict.
func (s *state) summarize() {
	job, e := s.job, s.e
	e.Spec = SpecSummary{
		Completions:             job.Spec.Completions,
		Parallelism:             job.Spec.Parallelism,
		CompletionMode:          string(batchv1.NonIndexedCompletion),
		BackoffLimit:            job.Spec.BackoffLimit,
		BackoffLimitPerIndex:    job.Spec.BackoffLimitPerIndex,
		MaxFailedIndexes:        job.Spec.MaxFailedIndexes,
		ActiveDeadlineSeconds:   job.Spec.ActiveDeadlineSeconds,
		TTLSecondsAfterFinished: job.Spec.TTLSecondsAfterFinished,
		RestartPolicy:           string(s.restartPolicy),
		Suspend:                 job.Spec.Suspend != nil && *job.Spec.Suspend,
		ManagedBy:               deref(job.Spec.ManagedBy),
		PodFailurePolicy:        job.Spec.PodFailurePolicy,
		SuccessPolicy:           job.Spec.SuccessPolicy,
	}
	if s.indexed {
		e.Spec.CompletionMode = string(batchv1.IndexedCompletion)
	}
	if job.Spec.PodReplacementPolicy != nil {
		e.Spec.PodReplacementPolicy = string(*job.Spec.PodReplacementPolicy)
	}
	for _, ref := range job.OwnerReferences {
		if ref.Kind == "CronJob" && ref.Controller != nil && *ref.Controller {
			e.Spec.OwnerCronJob = ref.Name
		}
	}
	st := job.Status
	p := Progress{Succeeded: st.Succeeded, Failed: st.Failed, Active: st.Active, Ready: derefInt32(st.Ready, 0),
		Completions: job.Spec.Completions, CompletedIndexes: st.CompletedIndexes, FailedIndexes: deref(st.FailedIndexes)}
	if st.UncountedTerminatedPods != nil {
		p.UncountedSucceeded = len(st.UncountedTerminatedPods.Succeeded)
		p.UncountedFailed = len(st.UncountedTerminatedPods.Failed)
	}
	terminating := int32(0)
	for _, v := range s.views {
		if v.terminating() {
			terminating++
		}
		if v.active() {
			switch v.pod.Status.Phase {
			case corev1.PodRunning:
				p.PodsRunning++
			default:
				p.PodsPending++
			}
		}
	}
	// status.terminating is nil before 1.34 (and without the feature gate).
	p.Terminating = derefInt32(st.Terminating, terminating)
	e.Progress = p
	e.Conditions = append([]batchv1.JobCondition(nil), st.Conditions...)
	e.Attempts = attempts(s.views, newCauseContext(job, s.in.Events, !s.in.EventsUnknown))
	e.Indexes = s.indexTable()
	e.Events = mergeEvents(job, s.views, s.in.Events)

	switch {
	case s.complete != nil:
		s.setEnd(st.CompletionTime, s.complete)
	case s.failed != nil:
		s.setEnd(nil, s.failed)
	case s.failureTarget != nil:
		s.setEnd(nil, s.failureTarget)
	case s.successMet != nil:
		s.setEnd(nil, s.successMet)
	}
	e.Duration = s.duration()
	e.Deadline = s.deadline()
	e.Backoff = s.backoff()
}

// setEnd records when the Job stopped: completionTime for success, else the
// deciding condition's transition.
func (s *state) setEnd(completionTime *metav1.Time, c *batchv1.JobCondition) {
	switch {
	case completionTime != nil && !completionTime.IsZero():
		t := completionTime.Time
		s.end = &t
	case !c.LastTransitionTime.IsZero():
		t := c.LastTransitionTime.Time
		s.end = &t
	}
}

// decide sets the verdict: conditions first, then the Job's own state, then
// counters and pods.
func (s *state) decide() {
	job := s.job
	switch {
	case s.complete != nil:
		s.explainSuccess(PhaseComplete, s.complete)
	case s.failed != nil:
		s.explainFailure(PhaseFailed, s.failed)
	case job.DeletionTimestamp != nil:
		s.verdict(PhaseTerminating, ReasonDeleting, fmt.Sprintf("the Job is being deleted (since %s); %s",
			formatClock(job.DeletionTimestamp.Time, s.now), s.podsGoing()), job.DeletionTimestamp)
		if len(job.Finalizers) > 0 {
			s.evidence("Job", "metadata.finalizers", "finalizers still present: "+strings.Join(job.Finalizers, ", "))
		}
	case s.failureTarget != nil:
		s.explainFailure(PhaseFailing, s.failureTarget)
	case s.successMet != nil:
		s.explainSuccess(PhaseSucceeding, s.successMet)
	case s.external():
		s.verdict(PhaseExternal, ReasonManagedExternally, fmt.Sprintf("managed by %s, not the built-in job controller: pods and status come from that controller; %s",
			s.e.Spec.ManagedBy, s.progressSummary()), nil)
		s.evidence("Spec", "spec.managedBy", "spec.managedBy is "+s.e.Spec.ManagedBy+", not "+batchv1.JobControllerName)
	case s.e.Spec.Suspend:
		s.explainSuspended()
	case s.suspended != nil:
		s.verdict(PhasePending, ReasonResuming, "spec.suspend is false but the Suspended condition is still True: the job controller has not resumed it yet", &s.suspended.LastTransitionTime)
	case (job.Status.StartTime == nil || job.Status.StartTime.IsZero()) && len(s.views) == 0 && job.Status.Active == 0:
		msg := "no startTime: the job controller has not synced this Job yet"
		if !job.CreationTimestamp.IsZero() {
			msg += fmt.Sprintf(" (created %s)", relative(job.CreationTimestamp.Time, s.now))
		}
		s.verdict(PhaseNotStarted, ReasonNotSynced, msg, &job.CreationTimestamp)
		if !job.CreationTimestamp.IsZero() && s.now.Sub(job.CreationTimestamp.Time) > time.Minute {
			s.e.Warnings = append(s.e.Warnings, "the Job was created over a minute ago and has no startTime: is kube-controller-manager running?")
		}
	default:
		s.explainLive()
	}
	if s.external() && s.e.Verdict.Phase != PhaseExternal {
		s.evidence("Spec", "spec.managedBy", "managed by "+s.e.Spec.ManagedBy+": status is mirrored from it")
	}
}

func (s *state) external() bool {
	m := s.e.Spec.ManagedBy
	return m != "" && m != batchv1.JobControllerName
}

func (s *state) verdict(phase Phase, reason Reason, message string, since *metav1.Time) {
	s.e.Verdict = Verdict{Phase: phase, Reason: reason, Message: message}
	if since != nil && !since.IsZero() {
		t := *since
		s.e.Verdict.Since = &t
	}
}

func (s *state) evidence(kind, field, message string) {
	s.e.Evidence = append(s.e.Evidence, Evidence{Kind: kind, Field: field, Message: message})
}

func (s *state) podEvidence(field, pod, container, message string) {
	s.e.Evidence = append(s.e.Evidence, Evidence{Kind: "Pod", Field: field, Pod: pod, Container: container, Message: message})
}

func (s *state) conditionEvidence(c *batchv1.JobCondition) {
	msg := fmt.Sprintf("%s=True", c.Type)
	if c.Reason != "" {
		msg += " reason " + c.Reason
	}
	if !c.LastTransitionTime.IsZero() {
		msg += " at " + formatClock(c.LastTransitionTime.Time, s.now)
	}
	if c.Message != "" {
		msg += ": " + c.Message
	}
	s.evidence("Condition", "status.conditions["+string(c.Type)+"]", msg)
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
