package explain

// Messages for Jobs that reached a terminal (or interim terminal) condition, or were suspended.

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func (s *state) explainSuspended() {
	reason, since := ReasonSuspendRequested, (*metav1.Time)(nil)
	msg := "spec.suspend is true"
	if s.suspended != nil {
		reason, since = Reason(s.suspended.Reason), &s.suspended.LastTransitionTime
		if reason == "" {
			reason = ReasonJobSuspended
		}
		msg += ": no pods run until it is resumed"
	} else {
		msg += ": the job controller has not suspended it yet"
	}
	if p := s.e.Progress; p.Succeeded > 0 || p.Failed > 0 {
		msg += "; " + s.progressSummary()
	}
	if n := s.e.Progress.Active + s.e.Progress.Terminating; n > 0 {
		msg += fmt.Sprintf("; %s still being removed", Plural(int64(n), "pod", "pods"))
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
	reason := Reason(c.Reason)
	if reason == "" && phase == PhaseComplete {
		reason = ReasonCompletionsReached
	}
	s.conditionEvidence(c)
	if c.Reason == "" {
		s.evidence("Condition", "status.conditions["+string(c.Type)+"].reason", "the condition has no reason (API servers before 1.31): treated as CompletionsReached")
	}
	var msg string
	switch reason {
	case ReasonCompletionsReached:
		msg = s.completionsMessage()
	case ReasonSuccessPolicy:
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
	return fmt.Sprintf("waiting for %s to terminate", Plural(int64(n), "pod", "pods"))
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
			Plural(int64(len(unfinished)), "index", "indexes"), FormatIndexes(unfinished)))
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
	s.verdict(phase, Reason(c.Reason), msg, &c.LastTransitionTime)
}

func (s *state) backoffLimitMessage() string {
	b := s.e.Backoff
	if b == nil { // backoffLimitPerIndex set, yet the global limit was hit
		return fmt.Sprintf("%s > backoffLimit %d", Plural(int64(s.job.Status.Failed), "failed pod", "failed pods"), s.backoffLimit)
	}
	s.evidence("Counter", "status.failed", fmt.Sprintf("status.failed %d", b.FailedPods))
	s.evidence("Limit", "spec.backoffLimit", fmt.Sprintf("spec.backoffLimit %d: the Job fails at %s", b.Limit, Plural(int64(b.Limit)+1, "counted failure", "counted failures")))
	if s.restartPolicy != corev1.RestartPolicyOnFailure || b.FailedPods > b.Limit {
		s.failedAttemptEvidence()
		s.lostFailuresEvidence("deleted with its logs", "deleted with their logs")
		return fmt.Sprintf("%s > backoffLimit %d", Plural(int64(b.FailedPods), "failed pod", "failed pods"), b.Limit)
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
		return fmt.Sprintf("%s %s backoffLimit %d (restartPolicy OnFailure)", Plural(int64(restarts), "container restart", "container restarts"), cmp, b.Limit)
	}
	if !s.in.PodsUnknown {
		s.evidence("Pod", "status.failed", fmt.Sprintf("no pod is left to show the restarts: status.failed %d counts the %s deleted when the Job failed, with %s",
			b.FailedPods, PluralWord(int64(b.FailedPods), "pod", "pods"), PluralWord(int64(b.FailedPods), "its restartCount and logs", "their restartCounts and logs")))
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
			failed, Plural(lost, "pod that no longer exists", "pods that no longer exist"), PluralWord(lost, whatOne, whatMany)))
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
			Plural(int64(byRule[i]), "failed pod", "failed pods"), i, FormatPodFailurePolicyRule(pfp.Rules[i]), limit))
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
			msg := fmt.Sprintf("%s restarted %s", containerLabel(a.Container), Plural(int64(a.Restarts), "time", "times"))
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
		s.evidence("Limit", "spec.backoffLimitPerIndex", fmt.Sprintf("spec.backoffLimitPerIndex %d: an index fails after %s", *l, Plural(int64(*l)+1, "failed pod", "failed pods")))
	}
	if m := s.job.Spec.MaxFailedIndexes; m != nil && reason == batchv1.JobReasonMaxFailedIndexesExceeded {
		s.evidence("Limit", "spec.maxFailedIndexes", fmt.Sprintf("spec.maxFailedIndexes %d: the Job fails at %s", *m, Plural(int64(*m)+1, "failed index", "failed indexes")))
	}
	listed := 0
	for _, ix := range s.e.Indexes {
		if ix.Status != "Failed" || listed >= maxPodEvidence {
			continue
		}
		listed++
		msg := fmt.Sprintf("index %d: %s", ix.Index, Plural(int64(ix.Failures), "failure", "failures"))
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
			return fmt.Sprintf("%s (%s) > maxFailedIndexes %d", Plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()), *m)
		}
		return fmt.Sprintf("%s (%s) exceeded maxFailedIndexes", Plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()))
	}
	return fmt.Sprintf("%s (%s), %d/%d completed (%s): every index finished", Plural(int64(n), "failed index", "failed indexes"), orNone(s.failedIdx.Short()),
		s.completed.Len(), completions, orNone(s.completed.Short()))
}
