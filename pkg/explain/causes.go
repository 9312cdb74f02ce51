package explain

// Attempt causes: one class per pod, with the evidence that decided it.

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// CauseClass names why an attempt ended, or why it cannot start.
type CauseClass string

// The cause classes, from the strongest evidence to the weakest (the order
// classifyPod tries them in).
const (
	// CauseEvicted: the kubelet evicted the pod for node pressure (Resource).
	CauseEvicted CauseClass = "Evicted"
	// CauseDisruption: the pod has a DisruptionTarget condition (Reason:
	// PreemptionByScheduler, DeletionByTaintManager, EvictionByEvictionAPI,
	// DeletionByPodGC, TerminationByKubelet).
	CauseDisruption CauseClass = "Disruption"
	// CausePodDeadline: the pod's own spec.activeDeadlineSeconds passed.
	CausePodDeadline CauseClass = "PodDeadlineExceeded"
	// CauseOOMKilled: a container was killed for memory, whatever its exit code.
	CauseOOMKilled CauseClass = "OOMKilled"
	// CauseDeletedByJobController: the job controller deleted the pod (Reason
	// says why: JobSuspended, the Job's failure or success reason, Excess).
	CauseDeletedByJobController CauseClass = "DeletedByJobController"
	// CauseDeleted: deleted by someone or something else than the job controller.
	CauseDeleted CauseClass = "Deleted"
	// CauseInitContainerFailed: an init container exited non-zero.
	CauseInitContainerFailed CauseClass = "InitContainerFailed"
	// CauseImagePull: the image cannot be pulled (ErrImagePull, ImagePullBackOff).
	CauseImagePull CauseClass = "ImagePull"
	// CauseInvalidImage: the image name is invalid (InvalidImageName).
	CauseInvalidImage CauseClass = "InvalidImageName"
	// CauseConfigError: the container cannot be created from its spec
	// (CreateContainerConfigError: a missing Secret, ConfigMap or key).
	CauseConfigError CauseClass = "ConfigError"
	// CauseUnschedulable: no node fits the pod.
	CauseUnschedulable CauseClass = "Unschedulable"
	// CauseSignal: the container died of a signal (exit 128+n): 137 SIGKILL, 143 SIGTERM.
	CauseSignal CauseClass = "Signal"
	// CauseExitCode: the container exited non-zero by itself.
	CauseExitCode CauseClass = "ExitCode"
	// CauseFailedUnknown: the pod failed without a container termination to show.
	CauseFailedUnknown CauseClass = "FailedUnknown"
	// CauseSucceeded, CauseRunning, CausePending: no failure.
	CauseSucceeded CauseClass = "Succeeded"
	CauseRunning   CauseClass = "Running"
	CausePending   CauseClass = "Pending"
)

// Cause is the one class an attempt is put in, with its evidence.
type Cause struct {
	Class CauseClass `json:"class"`
	// Summary is the class with its key fact, as the CAUSE column shows it:
	// "Signal SIGKILL (exit 137)", "Evicted: node low on memory".
	Summary string `json:"summary"`
	// Detail is the evidence in a sentence: what was seen, where.
	Detail string `json:"detail,omitempty"`
	// Field is the API path of the evidence, e.g. "status.conditions[DisruptionTarget]".
	Field         string `json:"field,omitempty"`
	Container     string `json:"container,omitempty"`
	InitContainer bool   `json:"initContainer,omitempty"`
	ExitCode      *int32 `json:"exitCode,omitempty"`
	// Signal is the signal name for exit codes 129-192 ("SIGKILL").
	Signal string `json:"signal,omitempty"`
	// Reason is the reason behind the class: the DisruptionTarget reason, the
	// container's waiting reason, or why the job controller deleted the pod.
	Reason string `json:"reason,omitempty"`
	// Resource is the node resource an eviction was for (memory, ephemeral-storage).
	Resource string `json:"resource,omitempty"`
	// MemoryLimit is the container's memory limit, for OOMKilled.
	MemoryLimit string `json:"memoryLimit,omitempty"`
}

// Failure reports whether the class is a failure (not Succeeded, Running or Pending).
func (c CauseClass) Failure() bool {
	return c != CauseSucceeded && c != CauseRunning && c != CausePending
}

// The waiting reasons the kubelet reports for containers it cannot start.
var (
	imagePullReasons   = map[string]bool{"ErrImagePull": true, "ImagePullBackOff": true, "ErrImageNeverPull": true, "RegistryUnavailable": true, "SignatureValidationFailed": true}
	configErrorReasons = map[string]bool{"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true}
	signalNames        = map[int32]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"}
	evictedResource    = lazyRegexp(`low on resource: ([A-Za-z0-9._/-]+)`)
)

// causeContext is what the classifier needs to know about the Job.
type causeContext struct {
	job *batchv1.Job
	// deletedByController are the pods named by the Job's SuccessfulDelete
	// events ("Deleted pod: NAME"); eventsKnown says whether events were read.
	deletedByController map[string]bool
	eventsKnown         bool
}

func newCauseContext(job *batchv1.Job, events []corev1.Event, eventsKnown bool) causeContext {
	cc := causeContext{job: job, deletedByController: map[string]bool{}, eventsKnown: eventsKnown && len(events) > 0}
	for i := range events {
		ev := &events[i]
		if ev.Reason != "SuccessfulDelete" || ev.InvolvedObject.Kind != "Job" || !sameObject(ev.InvolvedObject, job.UID, job.Name, job.Namespace) {
			continue
		}
		if name, ok := strings.CutPrefix(ev.Message, "Deleted pod: "); ok {
			cc.deletedByController[strings.TrimSpace(name)] = true
		}
	}
	return cc
}

// PodCause classifies one pod of job for commands that show a pod without
// an explanation (logs headers). events are the Job's events; nil when not
// read, and deletions are then attributed from the Job's state alone.
func PodCause(job *batchv1.Job, pod *corev1.Pod, events []corev1.Event) Cause {
	if job == nil {
		job = &batchv1.Job{}
	}
	return classifyPod(pod, newCauseContext(job, events, events != nil))
}

// Deletion reports whether the class comes from a deletion, which the
// Job's events attribute better than its state.
func (c CauseClass) Deletion() bool {
	return c == CauseDeletedByJobController || c == CauseDeleted
}

// classifyPod puts the pod in one class: the first rule with evidence wins.
func classifyPod(p *corev1.Pod, cc causeContext) Cause {
	if c, ok := evictionCause(p); ok {
		return c
	}
	if p.Status.Reason == "DeadlineExceeded" {
		c := Cause{Class: CausePodDeadline, Field: "status.reason", Reason: p.Status.Reason,
			Summary: "pod activeDeadlineSeconds exceeded", Detail: orDefault(p.Status.Message, "the pod was active longer than its spec.activeDeadlineSeconds")}
		if ads := p.Spec.ActiveDeadlineSeconds; ads != nil {
			c.Summary = fmt.Sprintf("pod activeDeadlineSeconds %d exceeded", *ads)
		}
		return c
	}
	if c, ok := oomCause(p); ok {
		return c
	}
	if c, ok := deletionCause(p, cc); ok {
		return c
	}
	for _, cs := range p.Status.InitContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 && !sidecar(p, cs.Name) {
			c := exitCause(cs.Name, t, "status.initContainerStatuses["+cs.Name+"].state.terminated")
			c.Class, c.InitContainer = CauseInitContainerFailed, true
			c.Summary = fmt.Sprintf("init container %s %s", cs.Name, exitText(t.ExitCode))
			return c
		}
	}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			if c, ok := waitingCause(cs); ok {
				return c
			}
		}
	}
	if c := podCondition(p, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
		return Cause{Class: CauseUnschedulable, Summary: "unschedulable", Reason: c.Reason, Detail: c.Message, Field: "status.conditions[PodScheduled]"}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			return exitCause(cs.Name, t, "status.containerStatuses["+cs.Name+"].state.terminated")
		}
	}
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		return Cause{Class: CauseSucceeded, Summary: "completed"}
	case corev1.PodRunning:
		return Cause{Class: CauseRunning, Summary: "running"}
	case corev1.PodFailed:
		return Cause{Class: CauseFailedUnknown, Summary: "failed: " + orDefault(p.Status.Reason, "no container termination recorded"),
			Reason: p.Status.Reason, Detail: p.Status.Message, Field: "status.phase"}
	}
	return Cause{Class: CausePending, Summary: "starting"}
}

func sidecar(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false
}

// evictionCause reads node-pressure evictions (status.reason Evicted) and
// DisruptionTarget conditions.
func evictionCause(p *corev1.Pod) (Cause, bool) {
	dt := podCondition(p, corev1.DisruptionTarget)
	if dt != nil && dt.Status != corev1.ConditionTrue {
		dt = nil
	}
	if p.Status.Reason == "Evicted" {
		c := Cause{Class: CauseEvicted, Summary: "Evicted", Reason: p.Status.Reason, Detail: p.Status.Message, Field: "status.reason"}
		msg := p.Status.Message
		if dt != nil && msg == "" {
			msg = dt.Message
		}
		if m := evictedResource().FindStringSubmatch(msg); m != nil {
			c.Resource = strings.TrimSuffix(m[1], ".")
			c.Summary = "Evicted: node low on " + c.Resource
		}
		return c, true
	}
	if dt == nil {
		return Cause{}, false
	}
	c := Cause{Class: CauseDisruption, Reason: dt.Reason, Detail: dt.Message, Field: "status.conditions[DisruptionTarget]",
		Summary: "DisruptionTarget " + orDefault(dt.Reason, "(no reason)")}
	if m := evictedResource().FindStringSubmatch(dt.Message); m != nil && dt.Reason == "TerminationByKubelet" {
		c.Class, c.Resource, c.Summary = CauseEvicted, strings.TrimSuffix(m[1], "."), "Evicted: node low on "+strings.TrimSuffix(m[1], ".")
	}
	return c, true
}

// oomCause finds a container killed for memory, also when it exited 0 and
// the pod Succeeded (the kernel killed a child process, not the main one).
func oomCause(p *corev1.Pod) (Cause, bool) {
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			t, field := cs.State.Terminated, ".state.terminated"
			if t == nil || t.Reason != "OOMKilled" {
				t, field = cs.LastTerminationState.Terminated, ".lastState.terminated"
			}
			if t == nil || t.Reason != "OOMKilled" {
				continue
			}
			c := exitCause(cs.Name, t, containerField(p, cs.Name)+field)
			c.Class, c.Signal = CauseOOMKilled, ""
			c.MemoryLimit = memoryLimit(p, cs.Name)
			c.Summary = fmt.Sprintf("OOMKilled (exit %d", t.ExitCode)
			if c.MemoryLimit != "" {
				c.Summary += ", memory limit " + c.MemoryLimit
			}
			c.Summary += ")"
			if t.ExitCode == 0 {
				c.Detail = joinSentence(c.Detail, "the container was OOMKilled yet exited 0: the kernel killed one of its processes, not the main one, so the pod counts as "+orDefault(string(p.Status.Phase), "Pending"))
			}
			return c, true
		}
	}
	return Cause{}, false
}

func containerField(p *corev1.Pod, name string) string {
	for _, cs := range p.Status.InitContainerStatuses {
		if cs.Name == name {
			return "status.initContainerStatuses[" + name + "]"
		}
	}
	return "status.containerStatuses[" + name + "]"
}

func memoryLimit(p *corev1.Pod, name string) string {
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range list {
			if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && c.Name == name {
				return q.String()
			}
		}
	}
	return ""
}

// deletionCause attributes a pod that was deleted before its containers
// ended by themselves: to the job controller when its SuccessfulDelete event
// names the pod, or (without events) when the Job is in a state in which the
// controller deletes pods; to someone else otherwise.
func deletionCause(p *corev1.Pod, cc causeContext) (Cause, bool) {
	if p.DeletionTimestamp == nil || p.Status.Phase == corev1.PodSucceeded {
		return Cause{}, false
	}
	// A container that failed on its own before the deletion explains the pod.
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 && !t.FinishedAt.IsZero() &&
			t.FinishedAt.Add(2*time.Second).Before(p.DeletionTimestamp.Add(-deletionGrace(p))) {
			return Cause{}, false
		}
	}
	c := Cause{Field: "metadata.deletionTimestamp"}
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			code := t.ExitCode
			c.Container, c.ExitCode, c.Signal = cs.Name, &code, signalNames[code-128]
			break
		}
	}
	why, inferred := controllerDeleteReason(cc.job, p.DeletionTimestamp.Add(-deletionGrace(p)))
	switch {
	case cc.deletedByController[p.Name]:
		c.Class, c.Reason = CauseDeletedByJobController, orDefault(why, "Excess")
		c.Detail = "the Job's SuccessfulDelete event names this pod"
	case !cc.eventsKnown && inferred:
		c.Class, c.Reason = CauseDeletedByJobController, why
		c.Detail = "no events read; the Job's state (" + why + ") is one in which the job controller deletes its active pods"
	case cc.job.DeletionTimestamp != nil:
		c.Class, c.Reason = CauseDeleted, "JobDeleted"
		c.Detail = "the Job is being deleted: the garbage collector removes its pods"
	default:
		c.Class = CauseDeleted
		c.Detail = "deleted by a user or another controller: no SuccessfulDelete event of the Job names it"
		if !cc.eventsKnown {
			c.Detail = "deleted while the Job was neither suspended nor finishing, so not by the job controller"
		}
	}
	if c.Class == CauseDeletedByJobController {
		c.Summary = "deleted by job controller (" + c.Reason + ")"
	} else {
		c.Summary = "deleted, not by the job controller"
		if c.Reason == "JobDeleted" {
			c.Summary = "deleted with the Job"
		}
	}
	if c.Signal != "" {
		c.Summary += fmt.Sprintf(", %s", exitText(*c.ExitCode))
	}
	return c, true
}

func deletionGrace(p *corev1.Pod) time.Duration {
	return time.Duration(derefInt64(p.DeletionGracePeriodSeconds)) * time.Second
}

// controllerDeleteReason is why the job controller deletes the active pods
// of a Job in its current state, and whether it does at all: failing,
// succeeding or suspended, since before the pod's deletion was asked for
// (a pod deleted earlier, whose failure may have failed the Job, was not
// deleted by the controller).
func controllerDeleteReason(job *batchv1.Job, deletedAt time.Time) (string, bool) {
	for _, t := range []batchv1.JobConditionType{batchv1.JobFailureTarget, batchv1.JobFailed, batchv1.JobSuccessCriteriaMet, batchv1.JobComplete, batchv1.JobSuspended} {
		for _, c := range job.Status.Conditions {
			if c.Type != t || c.Status != corev1.ConditionTrue {
				continue
			}
			if !c.LastTransitionTime.IsZero() && deletedAt.Before(c.LastTransitionTime.Add(-time.Second)) {
				return "", false
			}
			return orDefault(c.Reason, string(t)), true
		}
	}
	if job.Spec.Suspend != nil && *job.Spec.Suspend {
		return "JobSuspended", true
	}
	return "", false
}

// waitingCause reads a container the kubelet cannot start.
func waitingCause(cs corev1.ContainerStatus) (Cause, bool) {
	w := cs.State.Waiting
	if w == nil {
		return Cause{}, false
	}
	field := "state.waiting"
	c := Cause{Container: cs.Name, Reason: w.Reason, Detail: w.Message}
	switch {
	case imagePullReasons[w.Reason]:
		c.Class, c.Summary = CauseImagePull, w.Reason+" "+cs.Image
	case w.Reason == "InvalidImageName":
		c.Class, c.Summary = CauseInvalidImage, "InvalidImageName "+cs.Image
	case configErrorReasons[w.Reason]:
		c.Class, c.Summary = CauseConfigError, w.Reason
	case w.Reason == "CrashLoopBackOff" && cs.LastTerminationState.Terminated != nil:
		c = exitCause(cs.Name, cs.LastTerminationState.Terminated, "lastState.terminated")
		c.Summary += ", CrashLoopBackOff"
		field = "lastState.terminated"
	default:
		return Cause{}, false
	}
	c.Field = "status.containerStatuses[" + cs.Name + "]." + field
	return c, true
}

// exitCause is a container that ended non-zero: a signal for 129-192, an
// exit code otherwise.
func exitCause(container string, t *corev1.ContainerStateTerminated, field string) Cause {
	code := t.ExitCode
	c := Cause{Class: CauseExitCode, Container: container, ExitCode: &code, Reason: t.Reason, Field: field,
		Summary: fmt.Sprintf("exit %d", code), Detail: t.Message}
	if sig, ok := signalNames[code-128]; ok && code > 128 {
		c.Class, c.Signal = CauseSignal, sig
		c.Summary = fmt.Sprintf("%s (exit %d)", sig, code)
	} else if code > 128 && code <= 128+64 {
		c.Class, c.Signal = CauseSignal, fmt.Sprintf("signal %d", code-128)
		c.Summary = fmt.Sprintf("signal %d (exit %d)", code-128, code)
	}
	return c
}

// exitText is "exit 137 SIGKILL" or "exit 42".
func exitText(code int32) string {
	if sig, ok := signalNames[code-128]; ok && code > 128 {
		return fmt.Sprintf("exit %d %s", code, sig)
	}
	return fmt.Sprintf("exit %d", code)
}

func joinSentence(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
