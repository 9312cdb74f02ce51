package explain

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// ListRowNeedsPods reports whether reading job's pods can change what
// kubectl job list shows of it, given e, its explanation without them
// (Input.PodsUnknown): the verdict's phase and reason (STATUS, REASON), the
// failure budget (FAILED), DURATION, DEADLINE and TTL. MESSAGE (-o wide) is
// not among them: it says "pods not read".
//
// It is false when the Job's spec and conditions decide all of them:
//   - Complete or Failed: the terminal condition decides, and the pods are
//     gone or going;
//   - External (spec.managedBy another controller) and Suspended
//     (spec.suspend): decide comes to them before it looks at any pod.
//
// In both FAILED must not depend on pods either: with restartPolicy OnFailure
// it adds the container restarts of the active pods, so such a live Job is
// read unless it has no backoffLimit budget (with backoffLimitPerIndex
// FAILED counts status.failedIndexes).
//
// Every other live Job needs them: Pending says why nothing runs, and
// Running needs a running pod, not status.ready, which lags: between a pod's
// end and the controller's next sync the status still counts it ready
// (test/difftest caught list saying Running there; make difftest-mutants
// keeps that bug as the mutant list-trusts-ready). test/difftest checks the
// verdicts list gives this way against its model of the controller.
func ListRowNeedsPods(job *batchv1.Job, e *JobExplanation) bool {
	if e.Verdict.Phase.Finished() {
		return false
	}
	if job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure && e.Backoff != nil {
		return true
	}
	switch e.Verdict.Phase {
	case PhaseExternal, PhaseSuspended:
		return false
	}
	return true
}
