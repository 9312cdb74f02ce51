package explain

// Live Jobs: what is running, and what holds the pods back.

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

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
		// Without the pods, status.active is all there is: the controller
		// counts pending and running pods alike, so an active pod that
		// could not be read is not evidence of Pending.
		if p.Active > 0 {
			s.verdict(PhaseRunning, ReasonProgressing, "pods not read; "+summary, start)
			return
		}
		s.verdict(PhasePending, ReasonPodsUnknown, "no active pod and the pods could not be read; "+summary, start)
		return
	}
	s.ignoredEvidence()
	stuck := s.stuckPods()
	s.e.Warnings = append(s.e.Warnings, s.longWaitWarnings(stuck)...)
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
		for _, f := range st.findings {
			s.podEvidence("spec.template.spec", st.pod, "", f)
		}
	}
}

type stuckPod struct {
	reason                         Reason
	pod, container, message, field string
	// detail is the kubelet's or scheduler's own message, or which of the
	// pod's settings matches no node.
	detail string
	// since is when the pod began to wait (its creation).
	since time.Time
	// findings are the pod's own settings that match no node.
	findings []string
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
			st := stuckPod{reason: Reason(orDefault(c.Reason, string(ReasonUnschedulable))), pod: p.Name, message: "unschedulable: " + c.Message, detail: c.Message, field: "status.conditions[PodScheduled]", since: p.CreationTimestamp.Time}
			if st.findings = unschedulableFindings(p, s.in.Nodes); len(st.findings) > 0 {
				st.detail = strings.Join(st.findings, "; ") + " (scheduler: " + c.Message + ")"
			}
			out = append(out, st)
			continue
		}
		for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
				msg := "container " + cs.Name + " waiting: " + w.Reason
				if w.Message != "" {
					msg += ": " + w.Message
				}
				out = append(out, stuckPod{reason: Reason(w.Reason), pod: p.Name, container: cs.Name, message: msg, detail: w.Message, field: "status.containerStatuses[" + cs.Name + "].state.waiting", since: p.CreationTimestamp.Time})
				break
			}
		}
	}
	return out
}

// pendingReason says why no pod of a started Job is running.
func (s *state) pendingReason(stuck []stuckPod) (Reason, string) {
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
			msg = fmt.Sprintf("%s waiting in %s (container %s)", Plural(int64(n), "pod", "pods"), first.reason, first.container)
		case first.reason == ReasonUnschedulable:
			msg = Plural(int64(n), "pod", "pods") + " unschedulable"
		default:
			msg = fmt.Sprintf("%s %s", Plural(int64(n), "pod", "pods"), first.reason)
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
		return ReasonFailedCreate, fmt.Sprintf("the job controller cannot create pods (%s, %s): %s", Plural(int64(ev.Count), "time", "times"), relative(ev.Last.Time, s.now), ev.Message)
	}
	if p.Terminating > 0 {
		if s.e.Spec.PodReplacementPolicy == string(batchv1.Failed) {
			return ReasonWaitingForTermination, fmt.Sprintf("%s terminating: podReplacementPolicy Failed creates replacements only once they have fully terminated", Plural(int64(p.Terminating), "pod", "pods"))
		}
		return ReasonPodsTerminating, fmt.Sprintf("%s terminating", Plural(int64(p.Terminating), "pod", "pods"))
	}
	if s.pastLimit != "" && p.PodsPending == 0 {
		return ReasonAwaitingController, "no pod is active: " + s.pastLimit + ", so the job controller fails the Job at its next sync (BackoffLimitExceeded) instead of creating another pod"
	}
	// The pods seen decide, not status.active, which lags behind them.
	if b := s.e.Backoff; b != nil && b.NextRetryAt != nil && p.PodsPending == 0 {
		return ReasonBackoffDelay, s.retryMessage(b)
	}
	if at := s.indexesRetryAt(); at != nil && p.PodsPending == 0 {
		return ReasonBackoffDelay, fmt.Sprintf("backing off: backoffLimitPerIndex delays each index after its failures; the next pod is created at %s (%s)",
			formatClock(at.Time, s.now), relative(at.Time, s.now))
	}
	if p.PodsPending > 0 {
		return ReasonPodsStarting, fmt.Sprintf("%s starting (scheduled, containers being created)", Plural(int64(p.PodsPending), "pod", "pods"))
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
		if ev.Reason == string(ReasonFailedCreate) && strings.HasPrefix(ev.Object, "job/") && (latest == nil || ev.Last.After(latest.Last.Time)) {
			latest = ev
		}
	}
	return latest
}
