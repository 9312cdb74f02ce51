package explain

// Warnings and next steps shown under the verdict.

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

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
		if d := e.Deadline; d != nil && d.Exceeded {
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
