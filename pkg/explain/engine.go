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

// Computed reasons for Jobs without a deciding condition.
const (
	ReasonCompletionsReached    = batchv1.JobReasonCompletionsReached
	ReasonProgressing           = "Progressing"
	ReasonUnschedulable         = "Unschedulable"
	ReasonFailedCreate          = "FailedCreate"
	ReasonPodsTerminating       = "PodsTerminating"
	ReasonWaitingForTermination = "WaitingForTerminatingPods"
	ReasonBackoffDelay          = "BackoffDelay"
	ReasonPodsStarting          = "PodsStarting"
	ReasonNoPods                = "NoPods"
	ReasonParallelismZero       = "ParallelismZero"
	ReasonAwaitingController    = "AwaitingController"
	ReasonPodsUnknown           = "PodsUnknown"
	ReasonNotSynced             = "NotSynced"
	ReasonSuspendRequested      = "SuspendRequested"
	ReasonResuming              = "Resuming"
	ReasonManagedExternally     = "ManagedExternally"
	ReasonDeleting              = "Deleting"
	ReasonNoJob                 = "NoJob"
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
	e.Attempts = attempts(s.views)
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

func (s *state) duration() *DurationInfo {
	start := s.job.Status.StartTime
	if start == nil || start.IsZero() {
		return nil
	}
	d := &DurationInfo{Start: *start, End: metav1.NewTime(s.now), EndedBy: "now"}
	if s.end != nil {
		d.End = metav1.NewTime(*s.end)
		switch {
		case s.complete != nil && s.job.Status.CompletionTime != nil:
			d.EndedBy = "completionTime"
		case s.complete != nil:
			d.EndedBy = string(batchv1.JobComplete)
		case s.failed != nil:
			d.EndedBy = string(batchv1.JobFailed)
		case s.failureTarget != nil:
			d.EndedBy = string(batchv1.JobFailureTarget)
		case s.successMet != nil:
			d.EndedBy = string(batchv1.JobSuccessCriteriaMet)
		}
	}
	d.Seconds = max(0, d.End.Sub(d.Start.Time).Seconds())
	return d
}

func (s *state) deadline() *Deadline {
	ads := s.job.Spec.ActiveDeadlineSeconds
	start := s.job.Status.StartTime
	if ads == nil || start == nil || start.IsZero() {
		return nil
	}
	at := start.Add(time.Duration(*ads) * time.Second)
	ref := s.now
	if s.end != nil {
		ref = *s.end
	}
	d := &Deadline{Seconds: *ads, Start: *start, At: metav1.NewTime(at), RemainingSeconds: at.Sub(ref).Seconds()}
	d.Exceeded = d.RemainingSeconds <= 0 || s.finishReason() == batchv1.JobReasonDeadlineExceeded
	return d
}

func (s *state) finishReason() string {
	for _, c := range []*batchv1.JobCondition{s.failed, s.failureTarget, s.complete, s.successMet} {
		if c != nil {
			return c.Reason
		}
	}
	return ""
}

// addCapped adds counts without wrapping around: counters come from the
// cluster (or a file) and may be anything up to MaxInt32.
func addCapped(a int32, b int) int32 {
	return int32(max(math.MinInt32, min(int64(a)+int64(b), math.MaxInt32)))
}

// backoff is the failure budget against backoffLimit; nil with
// backoffLimitPerIndex, whose budget is per index (see Indexes).
func (s *state) backoff() *Backoff {
	if s.perIndex {
		return nil
	}
	b := &Backoff{Limit: s.backoffLimit, FailedPods: addCapped(s.job.Status.Failed, s.e.Progress.UncountedFailed)}
	for _, v := range s.views {
		if v.failed && !v.counted {
			b.Ignored++
		}
		if s.restartPolicy == corev1.RestartPolicyOnFailure && (v.pod.Status.Phase == corev1.PodRunning || v.pod.Status.Phase == corev1.PodPending) {
			for _, cs := range v.pod.Status.InitContainerStatuses {
				b.Restarts = addCapped(b.Restarts, int(cs.RestartCount))
			}
			for _, cs := range v.pod.Status.ContainerStatuses {
				b.Restarts = addCapped(b.Restarts, int(cs.RestartCount))
			}
		}
	}
	b.Counted = addCapped(b.FailedPods, int(b.Restarts))
	if s.end == nil {
		// Never: the controller fails the Job when failed > backoffLimit.
		// OnFailure also when the restarts of active pods reach the limit
		// (any restart when the limit is 0). A negative value means the
		// limit is already reached and the next sync fails the Job: it is
		// not clamped, or the prediction would promise one more try.
		rem := int64(b.Limit) - int64(b.FailedPods)
		if s.restartPolicy == corev1.RestartPolicyOnFailure {
			if b.Limit == 0 {
				rem = min(rem, -int64(b.Restarts))
			} else {
				rem = min(rem, int64(b.Limit)-int64(b.Restarts)-1)
			}
		}
		r := int32(max(math.MinInt32, min(rem, math.MaxInt32)))
		b.Remaining = &r
		if at := s.nextRetry(); at != nil && at.After(s.now) {
			t := metav1.NewTime(*at)
			b.NextRetryAt = &t
		}
	}
	return b
}

// nextRetry follows the controller's backoff record: failures after the last
// success, 10s doubled per failure, counted from the latest failure.
func (s *state) nextRetry() *time.Time {
	var lastSuccess, lastFailure *time.Time
	for _, v := range s.views {
		if v.finished != nil && v.pod.Status.Phase == corev1.PodSucceeded && (lastSuccess == nil || v.finished.After(*lastSuccess)) {
			lastSuccess = v.finished
		}
	}
	failures := 0
	for _, v := range s.views {
		if !v.failed || !v.counted || v.finished == nil {
			continue
		}
		if lastSuccess != nil && !v.finished.After(*lastSuccess) {
			continue
		}
		failures++
		if lastFailure == nil || v.finished.After(*lastFailure) {
			lastFailure = v.finished
		}
	}
	if failures == 0 {
		return nil
	}
	at := lastFailure.Add(retryDelay(failures))
	return &at
}

func retryDelay(failures int) time.Duration {
	d := PodFailureBackoff
	for i := 1; i < failures; i++ {
		d *= 2
		if d >= MaxPodFailureBackoff {
			return MaxPodFailureBackoff
		}
	}
	return d
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

func (s *state) verdict(phase Phase, reason, message string, since *metav1.Time) {
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

// podsGoing says what happens to the pods of a Job being deleted or failed.
func (s *state) podsGoing() string {
	if s.in.PodsUnknown {
		return "its pods go with it"
	}
	return plural(int64(len(s.views)), "pod goes", "pods go") + " with it"
}

// progressSummary is the counters in one phrase: "2/5 completions, 3 active (2 ready), 1 failed".
func (s *state) progressSummary() string {
	p := s.e.Progress
	var parts []string
	if c := s.job.Spec.Completions; c != nil {
		word := "completions"
		if s.indexed {
			word = "indexes completed"
		}
		parts = append(parts, fmt.Sprintf("%d/%d %s", p.Succeeded, *c, word))
	} else {
		parts = append(parts, fmt.Sprintf("%d succeeded (completions unset: the first success completes it)", p.Succeeded))
	}
	active := fmt.Sprintf("%d active", p.Active)
	if p.Active > 0 {
		active += fmt.Sprintf(" (%d ready)", p.Ready)
	}
	parts = append(parts, active)
	if p.Failed > 0 || s.failedIdx.Len() > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.Failed))
	}
	if p.Terminating > 0 {
		parts = append(parts, fmt.Sprintf("%d terminating", p.Terminating))
	}
	return strings.Join(parts, ", ")
}

// budgetSpent reports whether any failure was counted or ignored.
func (s *state) budgetSpent() bool {
	if b := s.e.Backoff; b != nil {
		return b.Counted > 0 || b.Ignored > 0
	}
	return s.failedIdx.Len() > 0 || s.job.Status.Failed > 0
}

// budgetSummary is the failure budget in one phrase, "" when there is none.
func (s *state) budgetSummary() string {
	if b := s.e.Backoff; b != nil && b.Remaining != nil {
		outlook := fmt.Sprintf("fails after %d more", int64(*b.Remaining)+1)
		if *b.Remaining < 0 {
			outlook = "limit reached: the job controller fails the Job at its next sync"
		}
		if s.restartPolicy == corev1.RestartPolicyOnFailure {
			return fmt.Sprintf("%s, %s counted (backoffLimit %d: %s)",
				plural(int64(b.FailedPods), "failed pod", "failed pods"), plural(int64(b.Restarts), "container restart", "container restarts"), b.Limit, outlook)
		}
		return fmt.Sprintf("%s counted (backoffLimit %d: %s)", plural(int64(b.FailedPods), "failure", "failures"), b.Limit, outlook)
	}
	if s.perIndex {
		msg := fmt.Sprintf("backoffLimitPerIndex %d", *s.job.Spec.BackoffLimitPerIndex)
		if m := s.job.Spec.MaxFailedIndexes; m != nil {
			msg += fmt.Sprintf(", %d failed indexes of maxFailedIndexes %d", s.failedIdx.Len(), *m)
		} else if s.failedIdx.Len() > 0 {
			msg += fmt.Sprintf(", failed indexes %s", s.failedIdx)
		}
		return msg
	}
	return ""
}

func (s *state) deadlineSummary() string {
	d := s.e.Deadline
	if d == nil {
		return ""
	}
	if d.RemainingSeconds > 0 {
		return fmt.Sprintf("deadline at %s (in %s)", formatClock(d.At.Time, s.now), FormatDuration(time.Duration(d.RemainingSeconds*float64(time.Second))))
	}
	return fmt.Sprintf("deadline passed at %s (%s ago)", formatClock(d.At.Time, s.now), FormatDuration(time.Duration(-d.RemainingSeconds*float64(time.Second))))
}

func (s *state) explainSuspended() {
	reason, since := ReasonSuspendRequested, (*metav1.Time)(nil)
	msg := "spec.suspend is true"
	if s.suspended != nil {
		reason, since = s.suspended.Reason, &s.suspended.LastTransitionTime
		if reason == "" {
			reason = "JobSuspended"
		}
		msg += ": no pods run until it is resumed"
	} else {
		msg += ": the job controller has not suspended it yet"
	}
	if p := s.e.Progress; p.Succeeded > 0 || p.Failed > 0 {
		msg += "; " + s.progressSummary()
	}
	if n := s.e.Progress.Active + s.e.Progress.Terminating; n > 0 {
		msg += fmt.Sprintf("; %s still being removed", plural(int64(n), "pod", "pods"))
	}
	s.verdict(PhaseSuspended, reason, msg, since)
	if s.suspended != nil {
		s.conditionEvidence(s.suspended)
	}
	if s.job.Spec.ActiveDeadlineSeconds != nil {
		s.evidence("Deadline", "spec.activeDeadlineSeconds", fmt.Sprintf("activeDeadlineSeconds %d is not enforced while suspended; the clock restarts when the Job is resumed", *s.job.Spec.ActiveDeadlineSeconds))
	}
}

// explainSuccess explains Complete and SuccessCriteriaMet.
func (s *state) explainSuccess(phase Phase, c *batchv1.JobCondition) {
	reason := c.Reason
	if reason == "" && phase == PhaseComplete {
		reason = ReasonCompletionsReached
	}
	s.conditionEvidence(c)
	if c.Reason == "" {
		s.evidence("Condition", "status.conditions["+string(c.Type)+"].reason", "the condition has no reason (API servers before 1.31): treated as CompletionsReached")
	}
	var msg string
	switch reason {
	case batchv1.JobReasonCompletionsReached:
		msg = s.completionsMessage()
	case batchv1.JobReasonSuccessPolicy:
		msg = s.successPolicyMessage(c)
	default:
		msg = c.Message
		if msg == "" {
			msg = s.progressSummary()
		}
	}
	if phase == PhaseComplete && s.e.Duration != nil {
		msg += " in " + FormatDuration(time.Duration(s.e.Duration.Seconds*float64(time.Second)))
	}
	if phase == PhaseSucceeding {
		msg += "; " + s.waitingForPods()
	}
	s.verdict(phase, reason, msg, &c.LastTransitionTime)
}

func (s *state) waitingForPods() string {
	n := s.e.Progress.Terminating + s.e.Progress.Active
	if n == 0 {
		return "waiting for the job controller to add the final condition"
	}
	return fmt.Sprintf("waiting for %s to terminate", plural(int64(n), "pod", "pods"))
}

func (s *state) completionsMessage() string {
	p := s.e.Progress
	c := s.job.Spec.Completions
	if c == nil {
		s.evidence("Counter", "status.succeeded", fmt.Sprintf("%d succeeded; spec.completions is unset, so the first success completes the Job", p.Succeeded))
		return "first success"
	}
	s.evidence("Counter", "status.succeeded", fmt.Sprintf("status.succeeded %d ≥ spec.completions %d", p.Succeeded, *c))
	if s.indexed && p.CompletedIndexes != "" {
		s.evidence("Index", "status.completedIndexes", "completed indexes "+ShortIndexes(p.CompletedIndexes))
	}
	return fmt.Sprintf("%d/%d completions", p.Succeeded, *c)
}

func (s *state) successPolicyMessage(c *batchv1.JobCondition) string {
	i, ok := parseSuccessPolicyMessage(c.Message)
	sp := s.job.Spec.SuccessPolicy
	if !ok || sp == nil || i < 0 || i >= len(sp.Rules) {
		return fmt.Sprintf("%s; completed indexes %s", c.Message, orNone(s.completed.Short()))
	}
	rule := sp.Rules[i]
	field := fmt.Sprintf("spec.successPolicy.rules[%d]", i)
	msg := fmt.Sprintf("successPolicy rule %d (%s) met by completed indexes %s", i, FormatSuccessPolicyRule(rule), orNone(s.completed.Short()))
	s.evidence("Rule", field, fmt.Sprintf("rule %d: %s", i, FormatSuccessPolicyRule(rule)))
	if rule.SucceededIndexes != nil {
		want, err := ParseIndexes(*rule.SucceededIndexes)
		if err == nil {
			got := want.Intersect(s.completed)
			s.evidence("Index", "status.completedIndexes", fmt.Sprintf("the rule's succeededIndexes %s: %d of %d completed (%s)", want, got.Len(), want.Len(), orNone(got.Short())))
		}
	}
	if rule.SucceededCount != nil {
		s.evidence("Index", "status.completedIndexes", fmt.Sprintf("%d completed indexes ≥ succeededCount %d", s.completed.Len(), *rule.SucceededCount))
	}
	if unfinished := s.unfinishedIndexes(); len(unfinished) > 0 {
		s.evidence("Index", "status.completedIndexes", fmt.Sprintf("%s did not complete (%s): the rule was met, so the controller removed their pods",
			plural(int64(len(unfinished)), "index", "indexes"), FormatIndexes(unfinished)))
	}
	return msg
}

// unfinishedIndexes are the indexes of an Indexed Job neither completed nor
// failed (at most maxIndexRows of them).
func (s *state) unfinishedIndexes() []int {
	if !s.indexed || s.job.Spec.Completions == nil {
		return nil
	}
	var out []int
	for i := 0; i < int(*s.job.Spec.Completions) && len(out) < maxIndexRows; i++ {
		if !s.completed.Has(i) && !s.failedIdx.Has(i) {
			out = append(out, i)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// explainFailure explains Failed and FailureTarget.
func (s *state) explainFailure(phase Phase, c *batchv1.JobCondition) {
	s.conditionEvidence(c)
	var msg string
	switch c.Reason {
	case batchv1.JobReasonBackoffLimitExceeded:
		msg = s.backoffLimitMessage()
	case batchv1.JobReasonDeadlineExceeded:
		msg = s.deadlineMessage(c)
	case batchv1.JobReasonPodFailurePolicy:
		msg = s.podFailurePolicyMessage(c)
	case batchv1.JobReasonMaxFailedIndexesExceeded, batchv1.JobReasonFailedIndexes:
		msg = s.failedIndexesMessage(c.Reason)
	default:
		msg = c.Message
		if msg == "" {
			msg = s.progressSummary()
		}
	}
	s.ignoredEvidence()
	if phase == PhaseFailing {
		msg += "; " + s.waitingForPods()
	}
	s.verdict(phase, c.Reason, msg, &c.LastTransitionTime)
}

func (s *state) backoffLimitMessage() string {
	b := s.e.Backoff
	if b == nil { // backoffLimitPerIndex set, yet the global limit was hit
		return fmt.Sprintf("%s > backoffLimit %d", plural(int64(s.job.Status.Failed), "failed pod", "failed pods"), s.backoffLimit)
	}
	s.evidence("Counter", "status.failed", fmt.Sprintf("status.failed %d", b.FailedPods))
	s.evidence("Limit", "spec.backoffLimit", fmt.Sprintf("spec.backoffLimit %d: the Job fails at %s", b.Limit, plural(int64(b.Limit)+1, "counted failure", "counted failures")))
	if s.restartPolicy != corev1.RestartPolicyOnFailure || b.FailedPods > b.Limit {
		s.failedAttemptEvidence()
		s.lostFailuresEvidence("deleted with its logs", "deleted with their logs")
		return fmt.Sprintf("%s > backoffLimit %d", plural(int64(b.FailedPods), "failed pod", "failed pods"), b.Limit)
	}
	// restartPolicy OnFailure: the controller fails the Job when the
	// container restarts of its running pods reach the limit
	// (pastBackoffLimitOnFailure), then deletes those pods, so their
	// restartCount is gone with them once it has failed.
	restarts := int32(0)
	for _, v := range s.views {
		_, _, _, _, r := containerOutcome(v.pod)
		restarts += r
	}
	cmp := "≥"
	if b.Limit == 0 {
		cmp = ">"
	}
	s.evidence("Limit", "spec.template.spec.restartPolicy", fmt.Sprintf("restartPolicy OnFailure: containers restart in place, and the job controller fails the Job when the restarts of its running pods reach backoffLimit %d, then deletes those pods", b.Limit))
	s.failedAttemptEvidence()
	if restarts > 0 {
		return fmt.Sprintf("%s %s backoffLimit %d (restartPolicy OnFailure)", plural(int64(restarts), "container restart", "container restarts"), cmp, b.Limit)
	}
	if !s.in.PodsUnknown {
		s.evidence("Pod", "status.failed", fmt.Sprintf("no pod is left to show the restarts: status.failed %d counts the %s deleted when the Job failed, with %s",
			b.FailedPods, pluralWord(int64(b.FailedPods), "pod", "pods"), pluralWord(int64(b.FailedPods), "its restartCount and logs", "their restartCounts and logs")))
	}
	return fmt.Sprintf("container restarts %s backoffLimit %d (restartPolicy OnFailure; the restarted pods were deleted)", cmp, b.Limit)
}

// lostFailuresEvidence says how many counted failures have no pod left:
// pods the controller deleted (active ones when the Job failed) or that
// someone removed.
func (s *state) lostFailuresEvidence(whatOne, whatMany string) {
	if s.in.PodsUnknown {
		return
	}
	seen := int32(0)
	for _, v := range s.views {
		if v.failed && v.counted {
			seen++
		}
	}
	if failed := s.job.Status.Failed; seen < failed {
		lost := int64(failed - seen)
		s.evidence("Pod", "status.failed", fmt.Sprintf("status.failed %d counts %s (%s)",
			failed, plural(lost, "pod that no longer exists", "pods that no longer exist"), pluralWord(lost, whatOne, whatMany)))
	}
}

// ignoredEvidence names the failed pods a podFailurePolicy Ignore rule
// excluded from the counters, by rule.
func (s *state) ignoredEvidence() {
	pfp := s.job.Spec.PodFailurePolicy
	if pfp == nil {
		return
	}
	byRule := map[int]int{}
	var rules []int
	for _, v := range s.views {
		if v.failed && !v.counted && v.policyAction == batchv1.PodFailurePolicyActionIgnore {
			if byRule[v.policyRule] == 0 {
				rules = append(rules, v.policyRule)
			}
			byRule[v.policyRule]++
		}
	}
	sortInts(rules)
	limit := fmt.Sprintf("backoffLimit %d", s.backoffLimit)
	if s.perIndex {
		limit = fmt.Sprintf("backoffLimitPerIndex %d", *s.job.Spec.BackoffLimitPerIndex)
	}
	for _, i := range rules {
		s.evidence("Rule", fmt.Sprintf("spec.podFailurePolicy.rules[%d]", i), fmt.Sprintf("%s matched podFailurePolicy rule %d (%s) and did not count against %s",
			plural(int64(byRule[i]), "failed pod", "failed pods"), i, FormatPodFailurePolicyRule(pfp.Rules[i]), limit))
	}
}

// failedAttemptEvidence lists the last exit code and reason of each failed
// attempt (the newest ones), and container restarts with OnFailure.
func (s *state) failedAttemptEvidence() {
	var lines []Evidence
	for i, v := range s.views {
		a := s.e.Attempts[i]
		switch {
		case v.failed:
			msg := fmt.Sprintf("attempt %d failed", a.Number)
			if a.Index != nil {
				msg = fmt.Sprintf("index %d attempt %d failed", *a.Index, a.Number)
			}
			msg += describeExit(a)
			lines = append(lines, Evidence{Kind: "Pod", Field: "status.containerStatuses", Pod: a.Pod, Container: a.Container, Message: msg})
		case a.Restarts > 0:
			msg := fmt.Sprintf("%s restarted %s", containerLabel(a.Container), plural(int64(a.Restarts), "time", "times"))
			msg += describeExit(a)
			lines = append(lines, Evidence{Kind: "Pod", Field: "status.containerStatuses[].restartCount", Pod: a.Pod, Container: a.Container, Message: msg})
		}
	}
	if len(lines) > maxPodEvidence {
		s.evidence("Pod", "", fmt.Sprintf("%d earlier failed attempts not listed", len(lines)-maxPodEvidence))
		lines = lines[len(lines)-maxPodEvidence:]
	}
	s.e.Evidence = append(s.e.Evidence, lines...)
}

func containerLabel(c string) string {
	if c == "" {
		return "container"
	}
	return "container " + c
}

func describeExit(a Attempt) string {
	var parts []string
	if a.ExitCode != nil {
		parts = append(parts, fmt.Sprintf("exit code %d", *a.ExitCode))
	}
	if a.Reason != "" {
		parts = append(parts, a.Reason)
	}
	if len(parts) == 0 {
		return ""
	}
	msg := ": " + strings.Join(parts, ", ")
	if a.Container != "" {
		msg += " (container " + a.Container + ")"
	}
	return msg
}

func (s *state) deadlineMessage(c *batchv1.JobCondition) string {
	ads := s.job.Spec.ActiveDeadlineSeconds
	start := s.job.Status.StartTime
	if ads == nil {
		return c.Message
	}
	if start == nil || start.IsZero() || c.LastTransitionTime.IsZero() {
		return fmt.Sprintf("active longer than activeDeadlineSeconds %d", *ads)
	}
	at := start.Add(time.Duration(*ads) * time.Second)
	// Since 1.31 the controller decides at FailureTarget, then deletes the
	// active pods and adds Failed once they are gone: the deadline was hit
	// at the decision, not at Failed.
	decided := c
	if ft := s.failureTarget; ft != nil && ft.Reason == c.Reason && !ft.LastTransitionTime.IsZero() {
		decided = ft
	}
	ran := decided.LastTransitionTime.Sub(start.Time)
	line := fmt.Sprintf("startTime %s + activeDeadlineSeconds %d = %s", formatClock(start.Time, s.now), *ads, formatClock(at, s.now))
	if decided != c {
		line += fmt.Sprintf("; the job controller decided at %s (FailureTarget, %s after the deadline) and set %s at %s, once its active pods were gone",
			formatClock(decided.LastTransitionTime.Time, s.now), FormatDuration(decided.LastTransitionTime.Sub(at)), c.Type, formatClock(c.LastTransitionTime.Time, s.now))
	} else {
		line += fmt.Sprintf("; %s at %s (%s after the deadline)", c.Type, formatClock(c.LastTransitionTime.Time, s.now), FormatDuration(c.LastTransitionTime.Sub(at)))
	}
	s.evidence("Deadline", "status.startTime", line)
	resumed := false
	for _, jc := range s.job.Status.Conditions {
		if jc.Type == batchv1.JobSuspended && jc.Status == corev1.ConditionFalse {
			resumed = true
			s.evidence("Deadline", "status.conditions[Suspended]", fmt.Sprintf("resumed at %s: startTime was reset then, so the deadline counts from the resume", formatClock(jc.LastTransitionTime.Time, s.now)))
		}
	}
	if !resumed {
		s.evidence("Deadline", "spec.activeDeadlineSeconds", "the deadline counts from startTime, which is reset when a suspended Job is resumed")
	}
	s.failedAttemptEvidence()
	s.lostFailuresEvidence("active at the deadline: the job controller deleted it with its logs", "active at the deadline: the job controller deleted them with their logs")
	return fmt.Sprintf("ran %s ≥ activeDeadlineSeconds %d (deadline %s)", FormatDuration(ran), *ads, formatClock(at, s.now))
}

func (s *state) podFailurePolicyMessage(c *batchv1.JobCondition) string {
	m, ok := parsePodFailurePolicyMessage(c.Message)
	pfp := s.job.Spec.PodFailurePolicy
	if !ok {
		return c.Message
	}
	var what string
	if m.ExitCode != nil {
		what = fmt.Sprintf("container %s in pod %s exited with %d", m.Container, m.Pod, *m.ExitCode)
	} else {
		what = fmt.Sprintf("pod %s has condition %s", m.Pod, m.PodCondition)
	}
	field := fmt.Sprintf("spec.podFailurePolicy.rules[%d]", m.Rule)
	rule := fmt.Sprintf("%s rule %d", m.Action, m.Rule)
	if pfp != nil && m.Rule >= 0 && m.Rule < len(pfp.Rules) {
		body := FormatPodFailurePolicyRule(pfp.Rules[m.Rule])
		rule = fmt.Sprintf("podFailurePolicy rule %d (%s)", m.Rule, body)
		s.evidence("Rule", field, fmt.Sprintf("rule %d: %s", m.Rule, body))
	} else {
		s.evidence("Rule", field, fmt.Sprintf("rule %d is not in spec.podFailurePolicy (the policy changed?)", m.Rule))
	}
	s.crossCheckPolicyPod(m)
	return what + ", matching " + rule
}

// crossCheckPolicyPod confirms the controller's message against the pod.
func (s *state) crossCheckPolicyPod(m policyMatch) {
	for i, v := range s.views {
		if v.pod.Name != m.Pod {
			continue
		}
		a := s.e.Attempts[i]
		if m.ExitCode != nil {
			for _, cs := range append(append([]corev1.ContainerStatus(nil), v.pod.Status.ContainerStatuses...), v.pod.Status.InitContainerStatuses...) {
				if cs.Name != m.Container {
					continue
				}
				if t := cs.State.Terminated; t != nil {
					verdict := "matches the condition"
					if t.ExitCode != *m.ExitCode {
						verdict = fmt.Sprintf("does not match the condition's exit code %d", *m.ExitCode)
					}
					s.podEvidence("status.containerStatuses["+cs.Name+"].state.terminated", m.Pod, cs.Name,
						fmt.Sprintf("container %s terminated with exit code %d (%s)%s: %s", cs.Name, t.ExitCode, orNone(t.Reason), finishedAt(a, s.now), verdict))
					return
				}
			}
			s.podEvidence("status.containerStatuses", m.Pod, m.Container, "container "+m.Container+" has no terminated state on the pod")
			return
		}
		if pc := podCondition(v.pod, corev1.PodConditionType(m.PodCondition)); pc != nil {
			s.podEvidence("status.conditions["+m.PodCondition+"]", m.Pod, "",
				fmt.Sprintf("pod condition %s=%s reason %s: %s", pc.Type, pc.Status, orNone(pc.Reason), pc.Message))
		} else {
			s.podEvidence("status.conditions", m.Pod, "", "the pod no longer shows condition "+m.PodCondition)
		}
		return
	}
	if !s.in.PodsUnknown {
		s.podEvidence("", m.Pod, m.Container, "pod "+m.Pod+" is no longer in the cluster: the message cannot be cross-checked")
	}
}

func finishedAt(a Attempt, now time.Time) string {
	if a.Finished == nil {
		return ""
	}
	return " at " + formatClock(a.Finished.Time, now)
}

func (s *state) failedIndexesMessage(reason string) string {
	n := s.failedIdx.Len()
	completions := derefInt32(s.job.Spec.Completions, 0)
	s.evidence("Index", "status.failedIndexes", "failed indexes "+orNone(s.failedIdx.Short()))
	s.evidence("Index", "status.completedIndexes", fmt.Sprintf("completed indexes %s (%d/%d)", orNone(s.completed.Short()), s.completed.Len(), completions))
	if l := s.job.Spec.BackoffLimitPerIndex; l != nil {
		s.evidence("Limit", "spec.backoffLimitPerIndex", fmt.Sprintf("spec.backoffLimitPerIndex %d: an index fails after %s", *l, plural(int64(*l)+1, "failed pod", "failed pods")))
	}
	if m := s.job.Spec.MaxFailedIndexes; m != nil && reason == batchv1.JobReasonMaxFailedIndexesExceeded {
		s.evidence("Limit", "spec.maxFailedIndexes", fmt.Sprintf("spec.maxFailedIndexes %d: the Job fails at %s", *m, plural(int64(*m)+1, "failed index", "failed indexes")))
	}
	listed := 0
	for _, ix := range s.e.Indexes {
		if ix.Status != "Failed" || listed >= maxPodEvidence {
			continue
		}
		listed++
		msg := fmt.Sprintf("index %d: %s", ix.Index, plural(int64(ix.Failures), "failure", "failures"))
		if ix.IgnoredFailures > 0 {
			msg += fmt.Sprintf(" (+%d ignored)", ix.IgnoredFailures)
		}
		if ix.LastExitCode != nil {
			msg += fmt.Sprintf(", last exit code %d", *ix.LastExitCode)
		}
		if ix.LastPod != "" {
			msg += " in pod " + ix.LastPod
			for _, v := range s.views {
				if v.pod.Name == ix.LastPod && v.policyAction == batchv1.PodFailurePolicyActionFailIndex {
					msg += fmt.Sprintf(", failed by spec.podFailurePolicy.rules[%d] (FailIndex)", v.policyRule)
				}
			}
		}
		s.e.Evidence = append(s.e.Evidence, Evidence{Kind: "Index", Field: "metadata.annotations[" + batchv1.JobIndexFailureCountAnnotation + "]", Pod: ix.LastPod, Message: msg})
	}
	if reason == batchv1.JobReasonMaxFailedIndexesExceeded {
		if m := s.job.Spec.MaxFailedIndexes; m != nil {
			return fmt.Sprintf("%s (%s) > maxFailedIndexes %d", plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()), *m)
		}
		return fmt.Sprintf("%s (%s) exceeded maxFailedIndexes", plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()))
	}
	return fmt.Sprintf("%s (%s), %d/%d completed (%s): every index finished", plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()),
		s.completed.Len(), completions, orNone(s.completed.Short()))
}

// explainLive explains a started Job that has no deciding condition:
// Running when a pod runs, else Pending with the reason nothing runs.
func (s *state) explainLive() {
	p := s.e.Progress
	start := s.job.Status.StartTime
	summary := s.progressSummary()
	// The budget belongs in the headline once something was spent; the
	// Backoff line always shows it.
	if b := s.budgetSummary(); b != "" && s.budgetSpent() {
		summary += "; " + b
	}
	if d := s.deadlineSummary(); d != "" {
		summary += "; " + d
	}
	if s.e.Backoff != nil && s.e.Backoff.NextRetryAt != nil {
		summary += fmt.Sprintf("; next retry at %s (%s)", formatClock(s.e.Backoff.NextRetryAt.Time, s.now), relative(s.e.Backoff.NextRetryAt.Time, s.now))
	}
	if s.in.PodsUnknown {
		if p.Ready > 0 {
			s.verdict(PhaseRunning, ReasonProgressing, summary, start)
			return
		}
		s.verdict(PhasePending, ReasonPodsUnknown, "no pod is ready and the pods could not be read; "+summary, start)
		return
	}
	s.ignoredEvidence()
	stuck := s.stuckPods()
	if p.PodsRunning > 0 {
		s.verdict(PhaseRunning, ReasonProgressing, summary, start)
	} else {
		reason, msg := s.pendingReason(stuck)
		s.verdict(PhasePending, reason, msg+"; "+summary, start)
	}
	for i, st := range stuck {
		if i == maxPodEvidence {
			s.evidence("Pod", "", fmt.Sprintf("%d more pods cannot start", len(stuck)-i))
			break
		}
		s.podEvidence(st.field, st.pod, st.container, st.message)
	}
}

type stuckPod struct {
	reason, pod, container, message, field string
	// detail is the kubelet's or scheduler's own message.
	detail string
}

// stuckPods lists active pods that cannot start, with the reason.
func (s *state) stuckPods() []stuckPod {
	var out []stuckPod
	for _, v := range s.views {
		if !v.active() || v.pod.Status.Phase == corev1.PodRunning {
			continue
		}
		p := v.pod
		if c := podCondition(p, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
			out = append(out, stuckPod{reason: orDefault(c.Reason, ReasonUnschedulable), pod: p.Name, message: "unschedulable: " + c.Message, detail: c.Message, field: "status.conditions[PodScheduled]"})
			continue
		}
		for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
				msg := "container " + cs.Name + " waiting: " + w.Reason
				if w.Message != "" {
					msg += ": " + w.Message
				}
				out = append(out, stuckPod{reason: w.Reason, pod: p.Name, container: cs.Name, message: msg, detail: w.Message, field: "status.containerStatuses[" + cs.Name + "].state.waiting"})
				break
			}
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// pendingReason says why no pod of a started Job is running.
func (s *state) pendingReason(stuck []stuckPod) (string, string) {
	p := s.e.Progress
	if len(stuck) > 0 {
		first := stuck[0]
		n := 0
		for _, st := range stuck {
			if st.reason == first.reason {
				n++
			}
		}
		var msg string
		switch {
		case first.container != "":
			msg = fmt.Sprintf("%s waiting in %s (container %s)", plural(int64(n), "pod", "pods"), first.reason, first.container)
		case first.reason == ReasonUnschedulable:
			msg = plural(int64(n), "pod", "pods") + " unschedulable"
		default:
			msg = fmt.Sprintf("%s %s", plural(int64(n), "pod", "pods"), first.reason)
		}
		if first.detail != "" {
			msg += ": " + first.detail
		}
		return first.reason, msg
	}
	if par := s.job.Spec.Parallelism; par != nil && *par == 0 {
		return ReasonParallelismZero, "spec.parallelism is 0: no pods are created"
	}
	if ev := s.latestFailedCreate(); ev != nil && p.Active == 0 {
		return ReasonFailedCreate, fmt.Sprintf("the job controller cannot create pods (%s, %s): %s", plural(int64(ev.Count), "time", "times"), relative(ev.Last.Time, s.now), ev.Message)
	}
	if p.Terminating > 0 {
		if s.e.Spec.PodReplacementPolicy == string(batchv1.Failed) {
			return ReasonWaitingForTermination, fmt.Sprintf("%s terminating: podReplacementPolicy Failed creates replacements only once they have fully terminated", plural(int64(p.Terminating), "pod", "pods"))
		}
		return ReasonPodsTerminating, fmt.Sprintf("%s terminating", plural(int64(p.Terminating), "pod", "pods"))
	}
	if b := s.e.Backoff; b != nil && b.NextRetryAt != nil && p.Active == 0 {
		return ReasonBackoffDelay, fmt.Sprintf("backing off after %s: the next pod is created at %s (%s)",
			plural(int64(b.FailedPods), "failure", "failures"), formatClock(b.NextRetryAt.Time, s.now), relative(b.NextRetryAt.Time, s.now))
	}
	if p.PodsPending > 0 {
		return ReasonPodsStarting, fmt.Sprintf("%s starting (scheduled, containers being created)", plural(int64(p.PodsPending), "pod", "pods"))
	}
	if len(s.views) > 0 || p.Succeeded > 0 || p.Failed > 0 {
		return ReasonAwaitingController, "no pod is active: waiting for the job controller to record the outcome or create the next pod"
	}
	return ReasonNoPods, "no pods yet: the job controller is creating them"
}

func (s *state) latestFailedCreate() *EventSummary {
	var latest *EventSummary
	for i := range s.e.Events {
		ev := &s.e.Events[i]
		if ev.Reason == "FailedCreate" && strings.HasPrefix(ev.Object, "job/") && (latest == nil || ev.Last.After(latest.Last.Time)) {
			latest = ev
		}
	}
	return latest
}

// indexTable builds the per-index table of an Indexed Job. Huge Jobs list
// only the indexes with pods or a failure.
func (s *state) indexTable() []IndexStatus {
	if !s.indexed || s.job.Spec.Completions == nil {
		return nil
	}
	n := int(*s.job.Spec.Completions)
	byIndex := map[int][]*podView{}
	for _, v := range s.views {
		if v.index != nil && *v.index < n {
			byIndex[*v.index] = append(byIndex[*v.index], v)
		}
	}
	var indexes []int
	if n <= maxIndexRows {
		for i := range n {
			indexes = append(indexes, i)
		}
	} else {
		seen := map[int]bool{}
		for i := range byIndex {
			seen[i] = true
		}
		for _, i := range s.failedIdx.below(n).Indexes(maxIndexRows) {
			seen[i] = true
		}
		for i := range seen {
			indexes = append(indexes, i)
		}
		sortInts(indexes)
	}
	out := make([]IndexStatus, 0, len(indexes))
	for _, i := range indexes {
		pods := byIndex[i]
		ix := IndexStatus{Index: i, Attempts: len(pods), Status: "NotStarted"}
		failedSeen := int32(0)
		for _, v := range pods {
			if v.failed && v.counted {
				failedSeen++
			}
		}
		if len(pods) > 0 {
			last := pods[len(pods)-1]
			ix.LastPod = last.pod.Name
			_, ix.LastExitCode, _, _, _ = containerOutcome(last.pod)
			ix.Failures = annotationInt(last.pod, batchv1.JobIndexFailureCountAnnotation)
			ix.IgnoredFailures = annotationInt(last.pod, batchv1.JobIndexIgnoredFailureCountAnnotation)
			if last.failed {
				if last.counted {
					ix.Failures++
				} else {
					ix.IgnoredFailures++
				}
			}
			ix.Failures = max(ix.Failures, failedSeen)
			switch {
			case last.terminating():
				ix.Status = "Terminating"
			case last.pod.Status.Phase == corev1.PodRunning:
				ix.Status = "Running"
			case last.pod.Status.Phase == corev1.PodSucceeded:
				ix.Status = "Succeeded"
			case last.failed:
				ix.Status = "Retrying"
			default:
				ix.Status = "Pending"
			}
		}
		switch {
		case s.completed.Has(i):
			ix.Status = "Succeeded"
		case s.failedIdx.Has(i):
			ix.Status = "Failed"
		case (ix.Status == "Retrying" || ix.Status == "NotStarted") && s.finishReason() != "":
			// The Job was decided (a FailJob rule, the deadline, a
			// successPolicy...) before this index finished: it is not in
			// status.failedIndexes, and any pods it had were removed.
			ix.Status = "Unfinished"
		}
		out = append(out, ix)
	}
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// timeToLive says when the ttl-after-finished controller deletes the Job.
func (s *state) timeToLive() {
	ttl := s.job.Spec.TTLSecondsAfterFinished
	t := TTL{State: TTLNone, Seconds: ttl}
	defer func() { s.e.TTL = t }()
	if ttl == nil {
		if cj := s.e.Spec.OwnerCronJob; cj != "" {
			t.Message = "no ttlSecondsAfterFinished: kept until CronJob " + cj + "'s history limit removes it (successfulJobsHistoryLimit, default 3; failedJobsHistoryLimit, default 1)"
		} else {
			t.Message = "no ttlSecondsAfterFinished: kept until deleted"
		}
		return
	}
	var terminal *batchv1.JobCondition
	switch {
	case s.complete != nil:
		terminal = s.complete
	case s.failed != nil:
		terminal = s.failed
	}
	if terminal == nil {
		t.State = TTLWaiting
		t.Message = fmt.Sprintf("ttlSecondsAfterFinished %d: the TTL clock starts when the Job finishes (Complete or Failed)", *ttl)
		return
	}
	finish := terminal.LastTransitionTime.Time
	if finish.IsZero() && s.job.Status.CompletionTime != nil {
		finish = s.job.Status.CompletionTime.Time
	}
	if finish.IsZero() {
		t.State = TTLWaiting
		t.Message = fmt.Sprintf("ttlSecondsAfterFinished %d: the %s condition has no lastTransitionTime, so the deletion time is unknown", *ttl, terminal.Type)
		return
	}
	at := finish.Add(time.Duration(*ttl) * time.Second)
	deleteAt := metav1.NewTime(at)
	remaining := at.Sub(s.now).Seconds()
	t.DeleteAt, t.RemainingSeconds = &deleteAt, &remaining
	pods := "with its pods"
	if !s.in.PodsUnknown {
		pods = "with its " + plural(int64(len(s.views)), "pod", "pods")
	}
	if remaining > 0 {
		t.State = TTLScheduled
		t.Message = fmt.Sprintf("deleted at %s (%s) %s", formatClock(at, s.now), relative(at, s.now), pods)
	} else {
		t.State = TTLDue
		t.Message = fmt.Sprintf("deletion due since %s (%s): the ttl-after-finished controller deletes it %s", formatClock(at, s.now), relative(at, s.now), pods)
	}
}

func (s *state) addWarnings() {
	e := s.e
	var w []string
	if s.restartPolicy == corev1.RestartPolicyOnFailure {
		w = append(w, "restartPolicy OnFailure: containers restart in place and the pods are deleted when the Job fails, so no failed pod is kept to inspect; restartPolicy Never keeps every failed attempt")
	}
	if ttl := s.job.Spec.TTLSecondsAfterFinished; ttl != nil && *ttl == 0 {
		w = append(w, "ttlSecondsAfterFinished 0: the Job, its pods and their logs are deleted as soon as it finishes")
	}
	switch e.Verdict.Phase {
	case PhaseFailing:
		if n := e.Progress.Active + e.Progress.Terminating; n > 0 {
			w = append(w, fmt.Sprintf("%s being deleted because the Job is failing: their logs go with them", plural(int64(n), "active pod is", "active pods are")))
		}
	case PhaseRunning, PhasePending:
		if b := e.Backoff; b != nil && b.Remaining != nil && *b.Remaining <= 0 && e.Progress.Active > 0 {
			if *b.Remaining < 0 {
				w = append(w, "backoffLimit is reached: the job controller is about to fail the Job and delete its active pods with their logs")
			} else {
				w = append(w, "one more counted failure fails the Job: its active pods will then be deleted with their logs")
			}
		}
		if d := e.Deadline; d != nil && d.RemainingSeconds <= 0 {
			w = append(w, "the active deadline has passed: the job controller is about to fail the Job and delete its active pods with their logs")
		}
	}
	if s.in.PodsUnknown {
		w = append(w, "pods could not be read: attempts, exit codes and pending reasons are missing")
	}
	if s.in.EventsUnknown {
		w = append(w, "events could not be read: FailedCreate and scheduling events are missing")
	}
	e.Warnings = append(e.Warnings, w...)
}

func (s *state) addNextSteps() {
	e := s.e
	name, ns := s.job.Name, ""
	if s.job.Namespace != "" {
		ns = " -n " + s.job.Namespace
	}
	var steps []string
	add := func(format string, args ...any) { steps = append(steps, fmt.Sprintf(format, args...)+ns) }
	hasFailed := false
	for _, v := range s.views {
		hasFailed = hasFailed || v.failed
	}
	switch e.Verdict.Phase {
	case PhaseFailed, PhaseFailing:
		if hasFailed {
			add("kubectl job logs %s --failed", name)
		} else if len(s.views) > 0 {
			add("kubectl job logs %s", name)
		}
		add("kubectl job describe %s", name)
		if s.indexed && s.failedIdx.Len() > 0 {
			add("kubectl job rerun %s --failed-indexes-only", name)
		} else {
			add("kubectl job rerun %s", name)
		}
	case PhaseComplete, PhaseSucceeding:
		add("kubectl job logs %s", name)
	case PhaseSuspended:
		add("kubectl job resume %s", name)
	case PhaseTerminating:
		add("kubectl job wait %s --for=delete", name)
	case PhaseExternal:
		add("kubectl get job %s -o yaml", name)
	case PhaseNotStarted:
		add("kubectl job describe %s", name)
	case PhasePending:
		switch e.Verdict.Reason {
		case ReasonFailedCreate:
			add("kubectl describe quota")
			add("kubectl job describe %s", name)
		case ReasonBackoffDelay, ReasonAwaitingController, ReasonNoPods, ReasonPodsStarting, ReasonPodsTerminating,
			ReasonWaitingForTermination, ReasonParallelismZero, ReasonPodsUnknown, ReasonResuming:
			add("kubectl job describe %s", name)
		default: // a stuck pod: its own description has the scheduler's / kubelet's story
			for _, v := range s.views {
				if v.active() && v.pod.Status.Phase != corev1.PodRunning {
					add("kubectl describe pod %s", v.pod.Name)
					break
				}
			}
		}
		if e.Progress.Failed > 0 {
			add("kubectl job logs %s --failed", name)
		}
	case PhaseRunning:
		add("kubectl job logs %s -f", name)
		add("kubectl job wait %s", name)
	}
	e.NextSteps = steps
}
