package explain

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestClassifyPod(t *testing.T) {
	job := newJob("j").started(time.Minute).build()
	failing := newJob("j").started(time.Minute).condTrue(batchv1.JobFailureTarget, "BackoffLimitExceeded", "", 5*time.Second).build()
	suspended := newJob("j").started(time.Minute).suspend().build()
	oomLimit := func(b *podBuilder) *podBuilder {
		b.p.Spec.Containers = []corev1.Container{{Name: "main", Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}}}}
		return b
	}
	initFailed := func(b *podBuilder) *podBuilder {
		b.p.Status.Phase = corev1.PodFailed
		b.p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "setup",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3, Reason: "Error"}}}}
		b.p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}}
		return b
	}
	status := func(reason, msg string) func(*podBuilder) *podBuilder {
		return func(b *podBuilder) *podBuilder {
			b.p.Status.Phase, b.p.Status.Reason, b.p.Status.Message = corev1.PodFailed, reason, msg
			return b
		}
	}
	deletedEvent := []corev1.Event{event(job, "Job", "j", "Normal", "SuccessfulDelete", "Deleted pod: p", time.Second, 1)}
	otherEvent := []corev1.Event{event(job, "Job", "j", "Normal", "SuccessfulCreate", "Created pod: p", time.Second, 1)}
	tests := []struct {
		name    string
		job     *batchv1.Job
		pod     *podBuilder
		events  []corev1.Event
		class   CauseClass
		summary string
		check   func(t *testing.T, c Cause)
	}{
		{name: "exit code", job: job, pod: newPod(job, "p", time.Minute).failed(42, 50*time.Second, 40*time.Second),
			class: CauseExitCode, summary: "exit 42"},
		{name: "SIGKILL", job: job, pod: newPod(job, "p", time.Minute).failed(137, 50*time.Second, 40*time.Second),
			class: CauseSignal, summary: "SIGKILL (exit 137)"},
		{name: "SIGTERM", job: job, pod: newPod(job, "p", time.Minute).failed(143, 50*time.Second, 40*time.Second),
			class: CauseSignal, summary: "SIGTERM (exit 143)"},
		{name: "OOMKilled with a limit", job: job,
			pod:   oomLimit(newPod(job, "p", time.Minute).terminated(corev1.PodFailed, 137, "OOMKilled", 50*time.Second, 40*time.Second)),
			class: CauseOOMKilled, summary: "OOMKilled (exit 137, memory limit 64Mi)",
			check: func(t *testing.T, c Cause) {
				if c.MemoryLimit != "64Mi" || c.Signal != "" {
					t.Errorf("memoryLimit %q signal %q", c.MemoryLimit, c.Signal)
				}
			}},
		{name: "OOMKilled exit 0 and Succeeded", job: job,
			pod:   newPod(job, "p", time.Minute).terminated(corev1.PodSucceeded, 0, "OOMKilled", 50*time.Second, 40*time.Second),
			class: CauseOOMKilled, summary: "OOMKilled (exit 0)",
			check: func(t *testing.T, c Cause) {
				if want := "the container was OOMKilled yet exited 0: the kernel killed one of its processes, not the main one, so the pod counts as Succeeded"; c.Detail != want {
					t.Errorf("detail %q", c.Detail)
				}
			}},
		{name: "evicted for memory", job: job,
			pod:   status("Evicted", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.")(newPod(job, "p", time.Minute)),
			class: CauseEvicted, summary: "Evicted: node low on memory"},
		{name: "evicted through a DisruptionTarget of the kubelet", job: job,
			pod: newPod(job, "p", time.Minute).failed(137, 50*time.Second, 40*time.Second).
				condition(corev1.DisruptionTarget, corev1.ConditionTrue, "TerminationByKubelet", "The node was low on resource: ephemeral-storage. "),
			class: CauseEvicted, summary: "Evicted: node low on ephemeral-storage"},
		{name: "preempted", job: job,
			pod: newPod(job, "p", time.Minute).failed(143, 50*time.Second, 40*time.Second).
				condition(corev1.DisruptionTarget, corev1.ConditionTrue, "PreemptionByScheduler", "preempted by a higher priority pod"),
			class: CauseDisruption, summary: "DisruptionTarget PreemptionByScheduler"},
		{name: "eviction API beats the deletion", job: job,
			pod: newPod(job, "p", time.Minute).running(50*time.Second).deleting(time.Second).
				condition(corev1.DisruptionTarget, corev1.ConditionTrue, "EvictionByEvictionAPI", "Eviction API: evicting"),
			class: CauseDisruption, summary: "DisruptionTarget EvictionByEvictionAPI"},
		{name: "pod deadline", job: job,
			pod: status("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")(
				newPod(job, "p", time.Minute).with(func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptrTo[int64](30) })),
			class: CausePodDeadline, summary: "pod activeDeadlineSeconds 30 exceeded"},
		{name: "image pull", job: job, pod: newPod(job, "p", time.Minute).waiting("ImagePullBackOff", "Back-off pulling image"),
			class: CauseImagePull, summary: "ImagePullBackOff "},
		{name: "config error", job: job, pod: newPod(job, "p", time.Minute).waiting("CreateContainerConfigError", `secret "db" not found`),
			class: CauseConfigError, summary: "CreateContainerConfigError"},
		{name: "invalid image", job: job, pod: newPod(job, "p", time.Minute).waiting("InvalidImageName", "bad"),
			class: CauseInvalidImage, summary: "InvalidImageName "},
		{name: "init container", job: job, pod: initFailed(newPod(job, "p", time.Minute)),
			class: CauseInitContainerFailed, summary: "init container setup exit 3",
			check: func(t *testing.T, c Cause) {
				if !c.InitContainer || c.Container != "setup" || c.ExitCode == nil || *c.ExitCode != 3 {
					t.Errorf("cause %+v", c)
				}
			}},
		{name: "deleted by the job controller, its event", job: job, events: deletedEvent,
			pod:   newPod(job, "p", time.Minute).failed(143, 50*time.Second, time.Second).deleting(time.Second),
			class: CauseDeletedByJobController, summary: "deleted by job controller (Excess), exit 143 SIGTERM"},
		{name: "deleted by the job controller, from a failing Job", job: failing,
			// asked 5s ago with a 30s grace period, when the Job began failing
			pod:   newPod(failing, "p", time.Minute).running(50 * time.Second).deleting(-25 * time.Second),
			class: CauseDeletedByJobController, summary: "deleted by job controller (BackoffLimitExceeded)"},
		{name: "deleted by the job controller, suspended", job: suspended,
			pod:   newPod(suspended, "p", time.Minute).running(50 * time.Second).deleting(time.Second),
			class: CauseDeletedByJobController, summary: "deleted by job controller (JobSuspended)"},
		{name: "deleted by someone else, events read", job: failing, events: otherEvent,
			pod:   newPod(failing, "p", time.Minute).running(50 * time.Second).deleting(time.Second),
			class: CauseDeleted, summary: "deleted, not by the job controller"},
		{name: "deleted by someone else, no events", job: job,
			pod:   newPod(job, "p", time.Minute).running(50 * time.Second).deleting(time.Second),
			class: CauseDeleted, summary: "deleted, not by the job controller"},
		{name: "deleted before the Job failed, no events", job: failing,
			pod:   newPod(failing, "p", time.Minute).running(50 * time.Second).deleting(40 * time.Second),
			class: CauseDeleted, summary: "deleted, not by the job controller"},
		{name: "failed on its own before a deletion", job: failing,
			pod:   newPod(failing, "p", time.Minute).failed(2, 50*time.Second, 40*time.Second).deleting(time.Second),
			class: CauseExitCode, summary: "exit 2"},
		{name: "unschedulable", job: job, pod: newPod(job, "p", time.Minute).unschedulable("0/2 nodes are available"),
			class: CauseUnschedulable, summary: "unschedulable"},
		{name: "crash loop", job: job, pod: newPod(job, "p", time.Minute).running(50*time.Second).restarts(3, 137).
			with(func(p *corev1.Pod) {
				p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
			}),
			class: CauseSignal, summary: "SIGKILL (exit 137), CrashLoopBackOff"},
		{name: "succeeded", job: job, pod: newPod(job, "p", time.Minute).succeeded(50*time.Second, 40*time.Second),
			class: CauseSucceeded, summary: "completed"},
		{name: "running", job: job, pod: newPod(job, "p", time.Minute).running(50 * time.Second),
			class: CauseRunning, summary: "running"},
		{name: "pending", job: job, pod: newPod(job, "p", time.Minute), class: CausePending, summary: "starting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Explain(Input{Job: tc.job, Pods: pods(tc.pod), Events: tc.events, Now: now, EventsUnknown: tc.events == nil})
			c := e.Attempts[0].Cause
			if c == nil {
				t.Fatal("no cause")
			}
			if c.Class != tc.class || c.Summary != tc.summary {
				t.Errorf("got %s %q, want %s %q", c.Class, c.Summary, tc.class, tc.summary)
			}
			if tc.check != nil {
				tc.check(t, *c)
			}
			if tc.events == nil {
				if got := PodCause(tc.job, tc.pod.p, nil); got.Class != c.Class || got.Summary != c.Summary {
					t.Errorf("PodCause says %s %q, Explain %s %q", got.Class, got.Summary, c.Class, c.Summary)
				}
			}
		})
	}
}
