package trace

import (
	"math"
	"slices"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// The model: the job controller's rules as the API reference and the
// controller's behaviour state them, written for this test alone.

// Phases the plugin reports (README "Phases"); the model predicts these.
const (
	PhaseComplete    = "Complete"
	PhaseFailed      = "Failed"
	PhaseSucceeding  = "Succeeding"
	PhaseFailing     = "Failing"
	PhaseSuspended   = "Suspended"
	PhaseTerminating = "Terminating"
	PhasePending     = "Pending"
	PhaseRunning     = "Running"
	PhaseNotStarted  = "NotStarted"
)

// policyAction is the action of the first podFailurePolicy rule that matches
// a failed pod, or "" when none does (the failure counts). Per the API
// reference: onExitCodes looks at the terminated containers (only the named
// one with containerName), ignoring exit code 0; In matches a listed code,
// NotIn one not listed; onPodConditions matches a pod condition of that type
// and status.
func policyAction(spec *batchv1.JobSpec, p PodState) batchv1.PodFailurePolicyAction {
	if spec.PodFailurePolicy == nil || p.Phase != string(corev1.PodFailed) {
		return ""
	}
	for _, r := range spec.PodFailurePolicy.Rules {
		if matches(r, p) {
			return r.Action
		}
	}
	return ""
}

func matches(r batchv1.PodFailurePolicyRule, p PodState) bool {
	if req := r.OnExitCodes; req != nil {
		for name, code := range p.ExitCodes {
			if code == 0 || (req.ContainerName != nil && *req.ContainerName != name) {
				continue
			}
			in := slices.Contains(req.Values, code)
			if (req.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn) == in {
				return true
			}
		}
		return false
	}
	for _, pat := range r.OnPodConditions {
		if pat.Type == corev1.DisruptionTarget && pat.Status == corev1.ConditionTrue && p.DisruptionTarget {
			return true
		}
	}
	return false
}

// CountedFailure reports whether a pod's failure counts against the limits:
// it failed and no Ignore rule excluded it.
func CountedFailure(spec *batchv1.JobSpec, p PodState) bool {
	return p.Phase == string(corev1.PodFailed) && policyAction(spec, p) != batchv1.PodFailurePolicyActionIgnore
}

// backoffLimit is spec.backoffLimit with the API server's default: 6, or
// MaxInt32 with backoffLimitPerIndex.
func backoffLimit(spec *batchv1.JobSpec) int32 {
	switch {
	case spec.BackoffLimit != nil:
		return *spec.BackoffLimit
	case spec.BackoffLimitPerIndex != nil:
		return math.MaxInt32
	}
	return 6
}

// remaining is how many more counted failures the Job survives with
// failed counted pod failures and restarts container restarts of active
// pods: the controller fails a Job when failed > backoffLimit, and with
// restartPolicy OnFailure also when the restarts reach the limit (any
// restart when it is 0).
func remaining(spec *batchv1.JobSpec, failed, restarts int32) int64 {
	limit := int64(backoffLimit(spec))
	r := limit - int64(failed)
	if spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		if limit == 0 {
			r = min(r, -int64(restarts))
		} else {
			r = min(r, limit-int64(restarts)-1)
		}
	}
	return r
}

// failureCounts are the counted failures the harness saw up to a state:
// Lo those the controller has accounted for (finalizer removed), Hi every
// counted failure seen. The controller's own count lies between.
type failureCounts struct{ Lo, Hi int32 }

func countFailures(spec *batchv1.JobSpec, rec *Record, st State) failureCounts {
	var fc failureCounts
	for _, h := range rec.Pods {
		if h.FailedAt.IsZero() || h.FailedAt.After(st.At) {
			continue
		}
		p := h.Last
		if !CountedFailure(spec, p) {
			continue
		}
		fc.Hi++
		if !h.AccountedAt.IsZero() && !h.AccountedAt.After(st.At) {
			fc.Lo++
		}
	}
	return fc
}

// activeRestarts sums the restartCounts of the pending and running pods.
func activeRestarts(st State) int32 {
	var n int32
	for _, p := range st.Pods {
		if p.Phase == string(corev1.PodPending) || p.Phase == string(corev1.PodRunning) {
			n += p.Restarts
		}
	}
	return n
}

// liveExpectation is the phase (and, when the state shows it, the reason)
// of a Job that is neither decided nor being deleted: Running while one of
// its pods runs; else Pending, because a nodeSelector matches no node
// (Unschedulable), an image cannot be pulled (ErrImagePull or
// ImagePullBackOff), or pods cannot be created (FailedCreate: no pod, and
// the Job's last event says so).
func liveExpectation(st State) (phase string, reasons []string) {
	j := st.Job
	if j.Suspend {
		return PhaseSuspended, nil // whether or not the controller has acted on it yet
	}
	if j.Cond(batchv1.JobSuspended) != nil {
		// Resumed (spec.suspend false) before the controller turned its
		// Suspended condition False: the Job is about to start again.
		return PhasePending, []string{"Resuming"}
	}
	active := 0
	for _, p := range st.Pods {
		if p.Deleting || (p.Phase != string(corev1.PodPending) && p.Phase != string(corev1.PodRunning)) {
			continue
		}
		active++
		if p.Phase == string(corev1.PodRunning) {
			return PhaseRunning, nil
		}
	}
	if j.StartTime.IsZero() && len(st.Pods) == 0 && j.Active == 0 {
		return PhaseNotStarted, nil
	}
	for _, p := range st.Pods {
		if !p.Deleting && p.Phase == string(corev1.PodPending) && p.Unschedulable {
			return PhasePending, []string{"Unschedulable"}
		}
	}
	for _, p := range st.Pods {
		if !p.Deleting && p.Phase == string(corev1.PodPending) && (p.Waiting == "ErrImagePull" || p.Waiting == "ImagePullBackOff") {
			return PhasePending, []string{"ErrImagePull", "ImagePullBackOff"}
		}
	}
	if active == 0 && len(st.Pods) == 0 && !st.FailedCreate.IsZero() {
		return PhasePending, []string{"FailedCreate"}
	}
	return PhasePending, nil
}

func atoi(s string) (int, error) { return strconv.Atoi(s) }
