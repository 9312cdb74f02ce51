package explain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	msgBackoff  = "Job has reached the specified backoff limit"
	msgDeadline = "Job was active longer than specified deadline"
)

type engineCase struct {
	name   string
	in     Input
	phase  Phase
	reason string
	// message, evidence, warnings, nextSteps hold substrings that must appear.
	message   []string
	evidence  []string
	warnings  []string
	nextSteps []string
	check     func(t *testing.T, e *JobExplanation)
}

func input(job *batchv1.Job, ps []corev1.Pod, evs ...corev1.Event) Input {
	return Input{Job: job, Pods: ps, Events: evs, Now: now}
}

func engineCases() []engineCase {
	var cases []engineCase
	add := func(c engineCase) { cases = append(cases, c) }

	// --- Complete ---
	{
		j := newJob("done").completions(5).parallelism(5).started(10*time.Minute).counts(0, 0, 5, 0).
			complete("CompletionsReached", "Reached expected number of succeeded pods", 8*time.Minute).ttl(600).deadline(3600).build()
		var ps []*podBuilder
		for i := range 5 {
			ps = append(ps, newPod(j, "done-"+string(rune('a'+i)), 10*time.Minute).succeeded(9*time.Minute, 8*time.Minute))
		}
		add(engineCase{name: "complete completions reached", in: input(j, pods(ps...)), phase: PhaseComplete, reason: "CompletionsReached",
			message: []string{"5/5 completions in 2m00s"}, evidence: []string{"status.succeeded 5 ≥ spec.completions 5"},
			nextSteps: []string{"kubectl job logs done -n ns"},
			check: func(t *testing.T, e *JobExplanation) {
				if e.TTL.State != TTLScheduled || !strings.Contains(e.TTL.Message, "deleted at 12:02:00 (in 2m00s) with its 5 pods") {
					t.Errorf("ttl = %+v", e.TTL)
				}
				if e.Duration == nil || e.Duration.Seconds != 120 || e.Duration.EndedBy != "completionTime" {
					t.Errorf("duration = %+v", e.Duration)
				}
				if e.Backoff == nil || e.Backoff.Remaining != nil {
					t.Errorf("backoff of a finished Job must have no Remaining: %+v", e.Backoff)
				}
				// The deadline is measured to the finish, in whole seconds like the TTL.
				if d := e.Deadline; d == nil || d.Exceeded || d.RemainingSeconds != 3480 {
					t.Errorf("deadline of a Job that finished first = %+v", d)
				}
				if r := e.TTL.RemainingSeconds; r == nil || *r != 120 {
					t.Errorf("ttl remaining = %v, want whole seconds", r)
				}
			}})
	}
	add(engineCase{name: "complete with empty reason (server before 1.31)",
		in:    input(newJob("old").started(5*time.Minute).counts(0, 0, 1, 0).condTrue(batchv1.JobComplete, "", "", 4*time.Minute).completed(4*time.Minute).terminating(nil).build(), nil),
		phase: PhaseComplete, reason: "CompletionsReached", message: []string{"1/1 completions in 1m00s"},
		evidence: []string{"treated as CompletionsReached"}})
	add(engineCase{name: "complete first success when completions unset",
		in:    input(newJob("ws").noCompletions().parallelism(3).started(5*time.Minute).counts(0, 0, 1, 0).complete("CompletionsReached", "", 4*time.Minute).build(), nil),
		phase: PhaseComplete, reason: "CompletionsReached", message: []string{"first success"},
		check: func(t *testing.T, e *JobExplanation) {
			if e.TTL.State != TTLNone || e.TTL.Message != "no ttlSecondsAfterFinished: kept until deleted" {
				t.Errorf("ttl = %+v", e.TTL)
			}
		}})
	add(engineCase{name: "complete by success policy",
		in: input(newJob("sp").completions(5).parallelism(5).indexed().started(5*time.Minute).counts(0, 0, 2, 0).indexes("0,2", "").
			successPolicy(batchv1.SuccessPolicyRule{SucceededIndexes: ptrTo("0-1")}, batchv1.SuccessPolicyRule{SucceededIndexes: ptrTo("0-3"), SucceededCount: ptrTo[int32](2)}).
			complete("SuccessPolicy", "Matched rules at index 1", time.Minute).build(), nil),
		phase: PhaseComplete, reason: "SuccessPolicy",
		message:  []string{"successPolicy rule 1 (succeededIndexes: 0-3, succeededCount: 2) met by completed indexes 0,2"},
		evidence: []string{"spec.successPolicy.rules[1]", "the rule's succeededIndexes 0-3: 2 of 4 completed (0,2)"}})
	add(engineCase{name: "succeeding while pods terminate",
		in: input(newJob("sg").completions(3).parallelism(3).indexed().started(5*time.Minute).counts(0, 0, 1, 0).indexes("0", "").terminating(ptrTo[int32](2)).
			successPolicy(batchv1.SuccessPolicyRule{SucceededCount: ptrTo[int32](1)}).ttl(60).
			condTrue(batchv1.JobSuccessCriteriaMet, "SuccessPolicy", "Matched rules at index 0", 10*time.Second).build(), nil),
		phase: PhaseSucceeding, reason: "SuccessPolicy", message: []string{"waiting for 2 pods to terminate"},
		check: func(t *testing.T, e *JobExplanation) {
			if e.TTL.State != TTLWaiting || !strings.Contains(e.TTL.Message, "clock starts when the Job finishes") {
				t.Errorf("ttl = %+v", e.TTL)
			}
			if e.Duration.EndedBy != "SuccessCriteriaMet" {
				t.Errorf("duration must stop at SuccessCriteriaMet: %+v", e.Duration)
			}
		}})

	// --- Failed: BackoffLimitExceeded ---
	{
		jb := newJob("bo").started(20*time.Minute).counts(0, 0, 0, 7).failed("BackoffLimitExceeded", msgBackoff, 2*time.Minute).
			podFailurePolicy(exitRule(batchv1.PodFailurePolicyActionIgnore, "", 137))
		j := jb.build()
		var ps []*podBuilder
		for i := range 7 {
			ps = append(ps, newPod(j, "bo-"+string(rune('a'+i)), time.Duration(20-2*i)*time.Minute).failed(int32(1+i%2), time.Duration(19-2*i)*time.Minute, time.Duration(18-2*i)*time.Minute))
		}
		ps = append(ps, newPod(j, "bo-ignored", 21*time.Minute).failed(137, 21*time.Minute, 20*time.Minute))
		add(engineCase{name: "failed backoff limit with Never and an ignored failure", in: input(j, pods(ps...)), phase: PhaseFailed, reason: "BackoffLimitExceeded",
			message:   []string{"7 failed pods > backoffLimit 6"},
			evidence:  []string{"status.failed 7", "spec.backoffLimit 6", "1 failed pod matched podFailurePolicy rule 0 (Ignore onExitCodes{operator: In, values: [137]}) and did not count against backoffLimit 6", "attempt 8 failed: exit code 1, Error", "attempt 1 failed: exit code 137, Error, podFailurePolicy Ignore rule 0"},
			nextSteps: []string{"kubectl job logs bo --failed -n ns", "kubectl job rerun bo -n ns", "kubectl job describe bo -n ns"},
			check: func(t *testing.T, e *JobExplanation) {
				if e.Backoff.Ignored != 1 || e.Backoff.Counted != 7 {
					t.Errorf("backoff = %+v", e.Backoff)
				}
				if e.Attempts[0].Pod != "bo-ignored" || e.Attempts[0].Counted || !e.Attempts[1].Counted {
					t.Errorf("attempts must be in creation order with Counted: %+v", e.Attempts[:2])
				}
				if e.Duration.EndedBy != "Failed" || e.Duration.Seconds != 18*60 {
					t.Errorf("duration of a failed Job must end at Failed: %+v", e.Duration)
				}
				if e.TTL.State != TTLNone {
					t.Errorf("ttl = %+v", e.TTL)
				}
			}})
	}
	add(engineCase{name: "failed backoff limit with OnFailure, pods deleted",
		in:    input(newJob("of").onFailure().backoffLimit(3).started(5*time.Minute).counts(0, 0, 0, 1).failed("BackoffLimitExceeded", msgBackoff, time.Minute).build(), nil),
		phase: PhaseFailed, reason: "BackoffLimitExceeded",
		message:  []string{"container restarts ≥ backoffLimit 3 (restartPolicy OnFailure; the restarted pods were deleted)"},
		warnings: []string{"restartPolicy OnFailure"}})
	{
		j := newJob("of2").onFailure().backoffLimit(3).started(5*time.Minute).counts(0, 0, 0, 1).failing("BackoffLimitExceeded", msgBackoff, 5*time.Second).terminating(ptrTo[int32](1)).build()
		p := newPod(j, "of2-a", 5*time.Minute).running(4*time.Minute).restarts(3, 2).deleting(5 * time.Second)
		add(engineCase{name: "failing backoff limit with OnFailure, restarts visible", in: input(j, pods(p)), phase: PhaseFailing, reason: "BackoffLimitExceeded",
			message:  []string{"3 container restarts ≥ backoffLimit 3 (restartPolicy OnFailure)", "waiting for 1 pod to terminate"},
			evidence: []string{"container main restarted 3 times: exit code 2, Restarted: Error"},
			warnings: []string{"1 active pod is being deleted because the Job is failing"}})
	}

	// --- Failed: DeadlineExceeded ---
	add(engineCase{name: "failed deadline exceeded",
		in: input(newJob("dl").deadline(600).started(15*time.Minute).counts(0, 0, 0, 1).ttl(300).
			failed("DeadlineExceeded", msgDeadline, 15*time.Minute-605*time.Second).build(), nil),
		phase: PhaseFailed, reason: "DeadlineExceeded", message: []string{"ran 10m05s ≥ activeDeadlineSeconds 600"},
		evidence: []string{"startTime 11:45:00 + activeDeadlineSeconds 600 = 11:55:00; the job controller decided at 11:55:05 (FailureTarget, 5s after the deadline)", "reset when a suspended Job is resumed"},
		check: func(t *testing.T, e *JobExplanation) {
			if e.Deadline == nil || !e.Deadline.Exceeded || e.Deadline.At.Time != now.Add(-5*time.Minute) || e.Deadline.RemainingSeconds != -5 {
				t.Errorf("deadline = %+v", e.Deadline)
			}
			if e.TTL.State != TTLDue || !strings.Contains(e.TTL.Message, "deletion due since 12:00:05") {
				// 11:55:05 + 300s = 12:00:05, 5s in the future
				if e.TTL.State != TTLScheduled {
					t.Errorf("ttl = %+v", e.TTL)
				}
			}
		}})
	add(engineCase{name: "failed deadline after resume",
		in: input(newJob("dlr").deadline(60).started(2*time.Minute).counts(0, 0, 0, 0).
			cond(batchv1.JobSuspended, corev1.ConditionFalse, "JobResumed", "Job resumed", 2*time.Minute).
			failed("DeadlineExceeded", msgDeadline, time.Minute).build(), nil),
		phase: PhaseFailed, reason: "DeadlineExceeded", message: []string{"ran 1m00s ≥ activeDeadlineSeconds 60"},
		evidence: []string{"resumed at 11:58:00: startTime was reset then"}})

	// --- Failed: PodFailurePolicy ---
	{
		j := newJob("pf").started(5*time.Minute).counts(0, 0, 0, 1).
			podFailurePolicy(exitRule(batchv1.PodFailurePolicyActionIgnore, "", 137), exitRule(batchv1.PodFailurePolicyActionFailJob, "main", 42)).
			failed("PodFailurePolicy", "Container main for pod ns/pf-a failed with exit code 42 matching FailJob rule at index 1", time.Minute).build()
		p := newPod(j, "pf-a", 5*time.Minute).failed(42, 4*time.Minute, time.Minute)
		add(engineCase{name: "failed pod failure policy exit code", in: input(j, pods(p)), phase: PhaseFailed, reason: "PodFailurePolicy",
			message:  []string{"container main in pod pf-a exited with 42, matching podFailurePolicy rule 1 (FailJob onExitCodes{container: main, operator: In, values: [42]})"},
			evidence: []string{"rule 1: FailJob", "container main terminated with exit code 42 (Error) at 11:59:00: matches the condition"},
			check: func(t *testing.T, e *JobExplanation) {
				found := false
				for _, ev := range e.Evidence {
					found = found || ev.Field == "spec.podFailurePolicy.rules[1]"
				}
				if !found {
					t.Errorf("no evidence points at spec.podFailurePolicy.rules[1]: %+v", e.Evidence)
				}
				if !strings.Contains(e.Attempts[0].Reason, "podFailurePolicy FailJob rule 1") {
					t.Errorf("attempt reason = %q", e.Attempts[0].Reason)
				}
			}})
		j2 := newJob("pfc").started(5*time.Minute).counts(0, 0, 0, 1).
			podFailurePolicy(condRule(batchv1.PodFailurePolicyActionFailJob, corev1.DisruptionTarget)).
			failed("PodFailurePolicy", "Pod ns/pfc-a has condition DisruptionTarget matching FailJob rule at index 0", time.Minute).build()
		p2 := newPod(j2, "pfc-a", 5*time.Minute).failed(137, 4*time.Minute, time.Minute).condition(corev1.DisruptionTarget, corev1.ConditionTrue, "PreemptionByScheduler", "preempted")
		add(engineCase{name: "failed pod failure policy pod condition", in: input(j2, pods(p2)), phase: PhaseFailed, reason: "PodFailurePolicy",
			message:  []string{"pod pfc-a has condition DisruptionTarget, matching podFailurePolicy rule 0 (FailJob onPodConditions[DisruptionTarget=True])"},
			evidence: []string{"pod condition DisruptionTarget=True reason PreemptionByScheduler"}})
		add(engineCase{name: "failed pod failure policy, pod gone", in: input(j, nil), phase: PhaseFailed, reason: "PodFailurePolicy",
			evidence: []string{"pod pf-a is no longer in the cluster"}})
		j3 := newJob("pfm").started(5*time.Minute).counts(0, 0, 0, 1).failed("PodFailurePolicy", "something else", time.Minute).build()
		add(engineCase{name: "failed pod failure policy unparsable message", in: input(j3, nil), phase: PhaseFailed, reason: "PodFailurePolicy",
			message: []string{"something else"}})
	}

	// --- Failed: per-index ---
	{
		j := newJob("mf").completions(5).parallelism(5).perIndex(1, ptrTo[int32](1)).started(5*time.Minute).counts(0, 0, 1, 4).indexes("0", "1,3").
			failed("MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes", time.Minute).build()
		ps := pods(
			newPod(j, "mf-0", 5*time.Minute).index(0).failureCount(0).succeeded(4*time.Minute, 3*time.Minute),
			newPod(j, "mf-1-a", 5*time.Minute).index(1).failureCount(0).failed(1, 5*time.Minute, 4*time.Minute),
			newPod(j, "mf-1-b", 4*time.Minute).index(1).failureCount(1).failed(3, 4*time.Minute, 3*time.Minute),
			newPod(j, "mf-3-a", 5*time.Minute).index(3).failureCount(0).failed(1, 5*time.Minute, 4*time.Minute),
			newPod(j, "mf-3-b", 4*time.Minute).index(3).failureCount(1).failed(1, 4*time.Minute, 2*time.Minute),
		)
		add(engineCase{name: "failed max failed indexes", in: input(j, ps), phase: PhaseFailed, reason: "MaxFailedIndexesExceeded",
			message:   []string{"2 failed indexes (1,3) > maxFailedIndexes 1"},
			evidence:  []string{"index 1: 2 failures, last exit code 3 in pod mf-1-b", "spec.backoffLimitPerIndex 1: an index fails after 2 failed pods", "completed indexes 0 (1/5)"},
			nextSteps: []string{"kubectl job rerun mf --failed-indexes-only -n ns"},
			check: func(t *testing.T, e *JobExplanation) {
				want := []IndexStatus{
					{Index: 0, Status: "Succeeded", Attempts: 1, LastPod: "mf-0", LastExitCode: ptrTo[int32](0)},
					{Index: 1, Status: "Failed", Attempts: 2, Failures: 2, LastPod: "mf-1-b", LastExitCode: ptrTo[int32](3)},
					{Index: 2, Status: "Failed", Attempts: 0},
					{Index: 3, Status: "Failed", Attempts: 2, Failures: 2, LastPod: "mf-3-b", LastExitCode: ptrTo[int32](1)},
					{Index: 4, Status: "Unfinished"},
				}
				want[2].Status = "Unfinished" // decided before these indexes finished
				if d := cmp.Diff(want, e.Indexes); d != "" {
					t.Errorf("indexes (-want +got):\n%s", d)
				}
				if e.Backoff != nil {
					t.Errorf("per-index Jobs have no global backoff: %+v", e.Backoff)
				}
				if e.Attempts[1].Number != 1 || e.Attempts[2].Number != 1 || e.Attempts[3].Number != 2 || e.Attempts[4].Number != 2 {
					t.Errorf("attempt numbers per index: %+v", e.Attempts)
				}
			}})
		j2 := newJob("fi").completions(3).parallelism(3).perIndex(0, nil).started(5*time.Minute).counts(0, 0, 2, 1).indexes("0,2", "1").
			failed("FailedIndexes", "Job has failed indexes", time.Minute).build()
		add(engineCase{name: "failed indexes", in: input(j2, nil), phase: PhaseFailed, reason: "FailedIndexes",
			message: []string{"1 failed index (1), 2/3 completed (0,2): every index finished"}})
	}
	add(engineCase{name: "failed with an unknown reason from another controller",
		in:    input(newJob("ext").managedBy("example.com/ctrl").started(time.Minute).failed("Custom", "custom failure", time.Second).build(), nil),
		phase: PhaseFailed, reason: "Custom", message: []string{"custom failure"}, evidence: []string{"managed by example.com/ctrl"}})

	{
		j := newJob("esc\x1b]0;x\x07").started(time.Minute).failed("Custom\x1b[31m", "evil \x1b[2J message\nsecond line \u009b", time.Second).build()
		ps := pods(newPod(j, "esc-a", time.Minute).failed(1, time.Minute, time.Second).waiting("Bad\x1b[1m", "x"))
		evs := []corev1.Event{event(j, "Job", j.Name, "Warning", "Evil", "\x1b]8;;http://x\x07link\x1b]8;;\x07", time.Second, 1)}
		add(engineCase{name: "escape sequences in cluster strings", in: input(j, ps, evs...), phase: PhaseFailed, reason: "Custom\x1b[31m"})
	}

	// --- Failing ---
	{
		j := newJob("fg").completions(3).parallelism(3).backoffLimit(0).started(time.Minute).counts(0, 0, 0, 1).terminating(ptrTo[int32](2)).
			condTrue(batchv1.JobFailureTarget, "BackoffLimitExceeded", msgBackoff, 3*time.Second).ttl(30).build()
		ps := pods(newPod(j, "fg-a", time.Minute).failed(1, 50*time.Second, 5*time.Second),
			newPod(j, "fg-b", time.Minute).running(50*time.Second).deleting(3*time.Second),
			newPod(j, "fg-c", time.Minute).running(50*time.Second).deleting(3*time.Second))
		add(engineCase{name: "failing while active pods terminate", in: input(j, ps), phase: PhaseFailing, reason: "BackoffLimitExceeded",
			message:  []string{"1 failed pod > backoffLimit 0", "waiting for 2 pods to terminate"},
			warnings: []string{"2 active pods are being deleted because the Job is failing"},
			check: func(t *testing.T, e *JobExplanation) {
				if e.TTL.State != TTLWaiting || e.Duration.EndedBy != "FailureTarget" {
					t.Errorf("ttl %+v duration %+v", e.TTL, e.Duration)
				}
				if e.Attempts[1].Phase != "Terminating" || !e.Attempts[1].Terminating {
					t.Errorf("attempt = %+v", e.Attempts[1])
				}
			}})
	}

	// --- Suspended / Terminating / External / NotStarted ---
	add(engineCase{name: "suspended",
		in: input(newJob("su").suspend().deadline(60).counts(0, 0, 2, 0).completions(5).
			condTrue(batchv1.JobSuspended, "JobSuspended", "Job suspended", 3*time.Minute).build(), nil),
		phase: PhaseSuspended, reason: "JobSuspended", message: []string{"spec.suspend is true: no pods run until it is resumed; 2/5 completions"},
		evidence: []string{"not enforced while suspended"}, nextSteps: []string{"kubectl job resume su -n ns"}})
	add(engineCase{name: "suspend requested, not yet taken effect",
		in:    input(newJob("sr").suspend().started(time.Minute).counts(1, 1, 0, 0).build(), nil),
		phase: PhaseSuspended, reason: ReasonSuspendRequested, message: []string{"has not suspended it yet", "1 pod still being removed"}})
	add(engineCase{name: "resuming", in: input(newJob("rs").condTrue(batchv1.JobSuspended, "JobSuspended", "", time.Minute).build(), nil),
		phase: PhasePending, reason: ReasonResuming})
	add(engineCase{name: "terminating", in: input(newJob("del").started(time.Minute).counts(1, 1, 0, 0).deleting(5*time.Second).build(),
		pods(newPod(newJob("del").build(), "del-a", time.Minute).running(time.Minute))),
		phase: PhaseTerminating, reason: ReasonDeleting, message: []string{"being deleted (since 11:59:55); 1 pod goes with it"}})
	add(engineCase{name: "complete Job being deleted stays Complete",
		in:    input(newJob("cd").started(time.Minute).counts(0, 0, 1, 0).complete("CompletionsReached", "", 30*time.Second).deleting(time.Second).build(), nil),
		phase: PhaseComplete, reason: "CompletionsReached"})
	add(engineCase{name: "external", in: input(newJob("mk").managedBy("kueue.x-k8s.io/multikueue").counts(1, 0, 0, 0).build(), nil),
		phase: PhaseExternal, reason: ReasonManagedExternally, message: []string{"managed by kueue.x-k8s.io/multikueue", "not the built-in job controller"}})
	add(engineCase{name: "managedBy the built-in controller is not external",
		in:    input(newJob("mb").managedBy(batchv1.JobControllerName).build(), nil),
		phase: PhaseNotStarted, reason: ReasonNotSynced})
	add(engineCase{name: "not started", in: input(newJob("ns").build(), nil), phase: PhaseNotStarted, reason: ReasonNotSynced,
		message: []string{"has not synced this Job yet (created 30m00s ago)"}, warnings: []string{"is kube-controller-manager running?"}})
	add(engineCase{name: "nil job", in: Input{Now: now}, phase: PhaseNotStarted, reason: ReasonNoJob})

	// --- Pending ---
	{
		j := newJob("pu").completions(2).parallelism(2).started(2*time.Minute).counts(2, 0, 0, 0).build()
		msg := "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
		ps := pods(newPod(j, "pu-a", 2*time.Minute).unschedulable(msg), newPod(j, "pu-b", 2*time.Minute).unschedulable(msg))
		add(engineCase{name: "pending unschedulable", in: input(j, ps), phase: PhasePending, reason: "Unschedulable",
			message: []string{"2 pods unschedulable: " + msg, "0/2 completions, 2 active (0 ready)"}, nextSteps: []string{"kubectl describe pod pu-a -n ns"}})
	}
	{
		j := newJob("pi").started(2*time.Minute).counts(1, 0, 0, 0).build()
		ps := pods(newPod(j, "pi-a", 2*time.Minute).waiting("ImagePullBackOff", `Back-off pulling image "nope:1"`))
		add(engineCase{name: "pending image pull", in: input(j, ps), phase: PhasePending, reason: "ImagePullBackOff",
			message: []string{`1 pod waiting in ImagePullBackOff (container main): Back-off pulling image "nope:1"`}})
		ps2 := pods(newPod(j, "pi-a", 2*time.Minute).waiting("CreateContainerConfigError", `secret "s" not found`))
		add(engineCase{name: "pending config error", in: input(j, ps2), phase: PhasePending, reason: "CreateContainerConfigError"})
	}
	{
		j := newJob("fc").started(2*time.Minute).counts(0, 0, 0, 0).build()
		evs := []corev1.Event{event(j, "Job", "fc", "Warning", "FailedCreate", `Error creating: pods "fc-x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`, 10*time.Second, 4)}
		add(engineCase{name: "pending failed create", in: input(j, nil, evs...), phase: PhasePending, reason: "FailedCreate",
			message: []string{"cannot create pods (4 times, 10s ago): Error creating: pods \"fc-x\" is forbidden: exceeded quota"}, nextSteps: []string{"kubectl describe quota -n ns"}})
	}
	{
		j := newJob("tp").podFailurePolicy(exitRule(batchv1.PodFailurePolicyActionFailJob, "", 42)).started(2*time.Minute).counts(0, 0, 0, 0).terminating(ptrTo[int32](1)).build()
		ps := pods(newPod(j, "tp-a", 2*time.Minute).running(time.Minute).deleting(5 * time.Second))
		add(engineCase{name: "pending waiting for terminating pods (podReplacementPolicy Failed)", in: input(j, ps), phase: PhasePending, reason: ReasonWaitingForTermination,
			message: []string{"1 pod terminating: podReplacementPolicy Failed creates replacements only once they have fully terminated"}})
		j2 := newJob("tp2").started(2 * time.Minute).terminating(nil).build()
		add(engineCase{name: "pending pods terminating, nil status.terminating (old server)", in: input(j2, pods(newPod(j2, "tp2-a", 2*time.Minute).running(time.Minute).deleting(5*time.Second))),
			phase: PhasePending, reason: ReasonPodsTerminating, check: func(t *testing.T, e *JobExplanation) {
				if e.Progress.Terminating != 1 {
					t.Errorf("terminating counted from pods = %d", e.Progress.Terminating)
				}
			}})
	}
	{
		j := newJob("bd").started(3*time.Minute).counts(0, 0, 0, 2).build()
		ps := pods(newPod(j, "bd-a", 3*time.Minute).failed(1, 3*time.Minute, 150*time.Second),
			newPod(j, "bd-b", 140*time.Second).failed(1, 130*time.Second, 10*time.Second))
		add(engineCase{name: "pending backing off after failures", in: input(j, ps), phase: PhasePending, reason: ReasonBackoffDelay,
			message: []string{"backing off after 2 failures: the next pod is created at 12:00:10 (in 10s)", "2 failures counted (backoffLimit 6: fails after 5 more)"},
			check: func(t *testing.T, e *JobExplanation) {
				// 2 failures since the last success: 20s after the latest failure.
				if e.Backoff.NextRetryAt == nil || !e.Backoff.NextRetryAt.Time.Equal(now.Add(10*time.Second)) || *e.Backoff.Remaining != 4 {
					t.Errorf("backoff = %+v", e.Backoff)
				}
			}})
	}
	{
		j := newJob("st").started(10*time.Second).counts(1, 0, 0, 0).build()
		add(engineCase{name: "pending pods starting", in: input(j, pods(newPod(j, "st-a", 10*time.Second))), phase: PhasePending, reason: ReasonPodsStarting})
		j2 := newJob("np").started(time.Second).build()
		add(engineCase{name: "pending no pods yet", in: input(j2, nil), phase: PhasePending, reason: ReasonNoPods})
		j3 := newJob("pz").parallelism(0).started(time.Second).build()
		add(engineCase{name: "pending parallelism zero", in: input(j3, nil), phase: PhasePending, reason: ReasonParallelismZero})
		j4 := newJob("aw").started(time.Minute).counts(0, 0, 1, 0).build()
		add(engineCase{name: "pending all done, awaiting controller", in: input(j4, pods(newPod(j4, "aw-a", time.Minute).succeeded(time.Minute, time.Second))),
			phase: PhasePending, reason: ReasonAwaitingController})
		in := input(newJob("pu").started(time.Minute).counts(1, 0, 0, 0).build(), nil)
		in.PodsUnknown = true
		add(engineCase{name: "pending pods unknown", in: in, phase: PhasePending, reason: ReasonPodsUnknown, warnings: []string{"pods could not be read"}})
		in2 := input(newJob("ru").started(time.Minute).counts(1, 1, 0, 0).build(), nil)
		in2.PodsUnknown, in2.EventsUnknown = true, true
		add(engineCase{name: "running, pods unknown but ready", in: in2, phase: PhaseRunning, reason: ReasonProgressing, warnings: []string{"events could not be read"}})
	}

	// --- Running ---
	{
		j := newJob("run").completions(5).parallelism(2).backoffLimit(3).deadline(600).started(4*time.Minute).counts(2, 1, 2, 1).build()
		ps := pods(
			newPod(j, "run-a", 4*time.Minute).succeeded(4*time.Minute, 3*time.Minute),
			newPod(j, "run-b", 4*time.Minute).succeeded(4*time.Minute, 3*time.Minute),
			newPod(j, "run-c", 3*time.Minute).failed(1, 3*time.Minute, 2*time.Minute),
			newPod(j, "run-d", 2*time.Minute).running(time.Minute),
			newPod(j, "run-e", 10*time.Second).unschedulable("0/1 nodes are available"),
		)
		add(engineCase{name: "running with progress, budget and deadline", in: input(j, ps), phase: PhaseRunning, reason: ReasonProgressing,
			message:   []string{"2/5 completions, 2 active (1 ready), 1 failed", "1 failure counted (backoffLimit 3: fails after 3 more)", "deadline at 12:06:00 (in 6m00s)"},
			evidence:  []string{"unschedulable: 0/1 nodes are available"},
			nextSteps: []string{"kubectl job logs run -f -n ns", "kubectl job wait run -n ns"},
			check: func(t *testing.T, e *JobExplanation) {
				if *e.Backoff.Remaining != 2 || e.Deadline.RemainingSeconds != 360 || e.Deadline.Exceeded {
					t.Errorf("backoff %+v deadline %+v", e.Backoff, e.Deadline)
				}
				if e.Backoff.NextRetryAt != nil {
					t.Errorf("the retry delay is over: %v", e.Backoff.NextRetryAt)
				}
				if e.Duration.EndedBy != "now" || e.Duration.Seconds != 240 {
					t.Errorf("duration = %+v", e.Duration)
				}
				if e.Progress.PodsRunning != 1 || e.Progress.PodsPending != 1 {
					t.Errorf("progress = %+v", e.Progress)
				}
			}})
		jo := newJob("ro").onFailure().backoffLimit(4).started(4*time.Minute).counts(1, 1, 0, 0).build()
		add(engineCase{name: "running OnFailure budget counts restarts", in: input(jo, pods(newPod(jo, "ro-a", 4*time.Minute).running(time.Minute).restarts(2, 1))),
			phase: PhaseRunning, reason: ReasonProgressing, message: []string{"0 failed pods, 2 container restarts counted (backoffLimit 4: fails after 2 more)"},
			check: func(t *testing.T, e *JobExplanation) {
				if e.Backoff.Restarts != 2 || e.Backoff.Counted != 2 || *e.Backoff.Remaining != 1 {
					t.Errorf("backoff = %+v", e.Backoff)
				}
			}})
		jl := newJob("rl").backoffLimit(1).started(4*time.Minute).counts(1, 1, 0, 1).deadline(60).build()
		add(engineCase{name: "running on its last failure and past its deadline", in: input(jl, pods(newPod(jl, "rl-a", 4*time.Minute).running(time.Minute))),
			phase: PhaseRunning, warnings: []string{"one more counted failure fails the Job", "the active deadline has passed"}, message: []string{"deadline passed at 11:57:00 (3m00s ago)"}})
	}
	{
		j := newJob("ix").completions(3).parallelism(3).perIndex(2, nil).started(4*time.Minute).counts(2, 2, 1, 1).indexes("2", "").build()
		ps := pods(
			newPod(j, "ix-0-a", 4*time.Minute).index(0).failureCount(0).failed(1, 4*time.Minute, 3*time.Minute),
			newPod(j, "ix-0-b", 3*time.Minute).index(0).failureCount(1).running(2*time.Minute),
			newPod(j, "ix-1", 4*time.Minute).index(1).failureCount(0).running(3*time.Minute),
			newPod(j, "ix-2", 4*time.Minute).index(2).failureCount(0).succeeded(4*time.Minute, 3*time.Minute),
		)
		add(engineCase{name: "running indexed with per-index budget", in: input(j, ps), phase: PhaseRunning,
			message: []string{"1/3 indexes completed", "backoffLimitPerIndex 2"},
			check: func(t *testing.T, e *JobExplanation) {
				if e.Indexes[0].Status != "Running" || e.Indexes[0].Failures != 1 || e.Indexes[0].Attempts != 2 || e.Indexes[2].Status != "Succeeded" {
					t.Errorf("indexes = %+v", e.Indexes)
				}
			}})
	}
	return cases
}

// failing adds only FailureTarget (pods still terminating).
func (b *jobBuilder) failing(reason, msg string, d time.Duration) *jobBuilder {
	return b.condTrue(batchv1.JobFailureTarget, reason, msg, d)
}

func TestExplain(t *testing.T) {
	seen := map[Phase]bool{}
	for _, tc := range engineCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := Explain(tc.in)
			seen[e.Verdict.Phase] = true
			if e.Verdict.Phase != tc.phase {
				t.Errorf("phase = %s, want %s (reason %s: %s)", e.Verdict.Phase, tc.phase, e.Verdict.Reason, e.Verdict.Message)
			}
			if tc.reason != "" && e.Verdict.Reason != tc.reason {
				t.Errorf("reason = %s, want %s (%s)", e.Verdict.Reason, tc.reason, e.Verdict.Message)
			}
			for _, m := range tc.message {
				if !strings.Contains(e.Verdict.Message, m) {
					t.Errorf("message %q does not contain %q", e.Verdict.Message, m)
				}
			}
			var ev []string
			for _, x := range e.Evidence {
				ev = append(ev, x.Field+" "+x.Message)
			}
			containsAll(t, "evidence", ev, tc.evidence)
			containsAll(t, "warnings", e.Warnings, tc.warnings)
			containsAll(t, "next steps", e.NextSteps, tc.nextSteps)
			if e.APIVersion != APIVersion || e.Kind != Kind {
				t.Errorf("type meta = %+v", e.TypeMeta)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
			// Same input, same output.
			if d := cmp.Diff(e, Explain(tc.in)); d != "" {
				t.Errorf("Explain is not deterministic:\n%s", d)
			}
		})
	}
	for _, p := range Phases {
		if !seen[p] {
			t.Errorf("no test case ends in phase %s", p)
		}
	}
}

func containsAll(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("%s do not contain %q:\n  %s", what, w, strings.Join(got, "\n  "))
		}
	}
}

func TestEventsMergedFilteredOrdered(t *testing.T) {
	j := newJob("ev").started(time.Minute).counts(1, 1, 0, 0).build()
	other := newJob("other").build()
	ps := pods(newPod(j, "ev-a", time.Minute).running(time.Minute))
	evs := []corev1.Event{
		event(j, "Job", "ev", "Normal", "SuccessfulCreate", "Created pod: ev-a", 50*time.Second, 1),
		event(j, "Pod", "ev-a", "Normal", "Scheduled", "assigned", 49*time.Second, 1),
		event(j, "Pod", "ev-a", "Warning", "BackOff", "back-off", 30*time.Second, 2),
		event(j, "Pod", "ev-a", "Warning", "BackOff", "back-off", 10*time.Second, 3),
		event(other, "Job", "other", "Warning", "FailedCreate", "not ours", time.Second, 1),
		event(j, "Pod", "stranger", "Warning", "Failed", "not ours either", time.Second, 1),
		event(j, "Job", "ev", "Warning", "FailedCreate", "quota", 40*time.Second, 1),
	}
	e := Explain(input(j, ps, evs...))
	var got []string
	for _, ev := range e.Events {
		got = append(got, ev.Type+" "+ev.Reason+" "+ev.Object+" "+ev.Message+" x"+string(rune('0'+ev.Count)))
	}
	want := []string{
		"Warning BackOff pod/ev-a back-off x5",
		"Warning FailedCreate job/ev quota x1",
		"Normal Scheduled pod/ev-a assigned x1",
		"Normal SuccessfulCreate job/ev Created pod: ev-a x1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if !e.Events[0].Last.Time.Equal(now.Add(-10 * time.Second)) {
		t.Errorf("merged event keeps the newest time: %v", e.Events[0].Last)
	}
}

func TestTTL(t *testing.T) {
	for _, tc := range []struct {
		name  string
		job   *batchv1.Job
		state string
		msg   string
	}{
		{"scheduled", newJob("a").ttl(300).started(2*time.Minute).complete("CompletionsReached", "", time.Minute).build(), TTLScheduled, "deleted at 12:04:00 (in 4m00s) with its 0 pods"},
		{"due", newJob("a").ttl(30).started(2*time.Minute).failed("BackoffLimitExceeded", "", time.Minute).build(), TTLDue, "deletion due since 11:59:30 (30s ago)"},
		{"zero", newJob("a").ttl(0).started(2*time.Minute).complete("CompletionsReached", "", time.Second).build(), TTLDue, "deletion due since 11:59:59"},
		{"waiting", newJob("a").ttl(30).started(time.Minute).build(), TTLWaiting, "the TTL clock starts when the Job finishes"},
		{"other day", newJob("a").ttl(3600).started(48*time.Hour).complete("CompletionsReached", "", 47*time.Hour).build(), TTLDue, "deletion due since 2026-02-27 14:00:00 (1d22h00m ago)"},
		{"none", newJob("a").build(), TTLNone, "kept until deleted"},
		{"cronjob", newJob("a").cronJob("nightly").build(), TTLNone, "kept until CronJob nightly's history limit removes it (successfulJobsHistoryLimit, default 3; failedJobsHistoryLimit, default 1; the CronJob was not read)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Explain(input(tc.job, nil))
			if e.TTL.State != tc.state || !strings.Contains(e.TTL.Message, tc.msg) {
				t.Errorf("ttl = %+v, want %s %q", e.TTL, tc.state, tc.msg)
			}
			if tc.state == TTLScheduled || tc.state == TTLDue {
				if e.TTL.DeleteAt == nil || e.TTL.RemainingSeconds == nil {
					t.Errorf("ttl has no DeleteAt: %+v", e.TTL)
				}
			}
		})
	}
}

// TestTTLCronJobHistoryLimits: with the owning CronJob read, the message
// names its own limit, the one that applies to how the Job ended.
func TestTTLCronJobHistoryLimits(t *testing.T) {
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "nightly", UID: "uid-cj"},
		Spec: batchv1.CronJobSpec{SuccessfulJobsHistoryLimit: ptrTo(int32(2))}}
	for _, tc := range []struct {
		job  *batchv1.Job
		want string
	}{
		{newJob("a").cronJob("nightly").started(2*time.Minute).complete("CompletionsReached", "", time.Minute).build(), "(successfulJobsHistoryLimit 2)"},
		{newJob("a").cronJob("nightly").started(2*time.Minute).failed("BackoffLimitExceeded", "", time.Minute).build(), "(failedJobsHistoryLimit, default 1)"},
		{newJob("a").cronJob("nightly").started(time.Minute).build(), "(successfulJobsHistoryLimit 2; failedJobsHistoryLimit, default 1)"},
	} {
		in := input(tc.job, nil)
		in.CronJob = cj
		if got := Explain(in).TTL.Message; !strings.HasSuffix(got, tc.want) {
			t.Errorf("ttl message %q, want it to end with %q", got, tc.want)
		}
	}
}

func TestDurationDoesNotGrowAfterFailure(t *testing.T) {
	j := newJob("a").started(time.Hour).failed("BackoffLimitExceeded", msgBackoff, 50*time.Minute).build()
	a := Explain(Input{Job: j, Now: now})
	b := Explain(Input{Job: j, Now: now.Add(24 * time.Hour)})
	if a.Duration.Seconds != 600 || b.Duration.Seconds != 600 {
		t.Errorf("durations = %v, %v; want 600", a.Duration.Seconds, b.Duration.Seconds)
	}
}

func TestRetryDelay(t *testing.T) {
	for failures, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 7: 640 * time.Second / 1, 8: 10 * time.Minute, 100: 10 * time.Minute} {
		if failures == 7 {
			want = 10 * time.Minute // 640s is capped at 600s
		}
		if got := retryDelay(failures); got != want {
			t.Errorf("retryDelay(%d) = %v, want %v", failures, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 45 * time.Second: "45s", 605 * time.Second: "10m05s",
		time.Hour + 2*time.Minute + 3*time.Second: "1h02m03s", 50*time.Hour + 4*time.Minute: "2d02h04m", -3 * time.Second: "3s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
