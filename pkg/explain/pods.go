package explain

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pod phases beyond corev1's that attempts report.
const (
	podPhaseTerminating = "Terminating"
)

// podView is what the engine derives once per pod.
type podView struct {
	pod      *corev1.Pod
	index    *int
	finished *time.Time // when a terminal pod ended (the controller's getFinishedTime)
	failed   bool       // phase Failed
	// policyAction is the podFailurePolicy action that matched a failed pod, "" if none.
	policyAction batchv1.PodFailurePolicyAction
	policyRule   int
	counted      bool // a failure counted against backoffLimit / backoffLimitPerIndex
}

func (v *podView) terminating() bool {
	p := v.pod
	return p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded
}

func (v *podView) active() bool {
	p := v.pod
	return (p.Status.Phase == corev1.PodPending || p.Status.Phase == corev1.PodRunning || p.Status.Phase == "") && p.DeletionTimestamp == nil
}

// viewPods sorts the pods in creation order and derives their index, finish
// time and whether their failure counts.
func viewPods(job *batchv1.Job, pods []corev1.Pod) []*podView {
	views := make([]*podView, 0, len(pods))
	for i := range pods {
		p := &pods[i]
		v := &podView{pod: p, index: podIndex(p), policyRule: -1}
		switch p.Status.Phase {
		case corev1.PodFailed:
			v.failed = true
			v.finished = podFinishedTime(p)
			v.counted = true
			if job.Spec.PodFailurePolicy != nil {
				if rule, action, ok := matchPodFailurePolicy(job.Spec.PodFailurePolicy, p); ok {
					v.policyRule, v.policyAction = rule, action
					v.counted = action != batchv1.PodFailurePolicyActionIgnore
				}
			}
		case corev1.PodSucceeded:
			v.finished = podFinishedTime(p)
		}
		views = append(views, v)
	}
	slices.SortStableFunc(views, func(a, b *podView) int {
		if c := a.pod.CreationTimestamp.Compare(b.pod.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.pod.Name, b.pod.Name)
	})
	return views
}

// podIndex reads the completion index from the annotation, or the label.
func podIndex(p *corev1.Pod) *int {
	s, ok := p.Annotations[batchv1.JobCompletionIndexAnnotation]
	if !ok {
		s, ok = p.Labels[batchv1.JobCompletionIndexAnnotation]
	}
	if !ok {
		return nil
	}
	i, err := parseIndex(s)
	if err != nil {
		return nil
	}
	return &i
}

func annotationInt(p *corev1.Pod, key string) int32 {
	n, err := strconv.ParseInt(p.Annotations[key], 10, 32)
	if err != nil || n < 0 {
		return 0
	}
	return int32(n)
}

// podFinishedTime follows the job controller: the latest container finish,
// else the Ready=False transition, else the deletion time.
func podFinishedTime(p *corev1.Pod) *time.Time {
	var t *time.Time
	complete := len(p.Status.ContainerStatuses) > 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Terminated == nil || cs.State.Terminated.FinishedAt.IsZero() {
			complete = false
			break
		}
		if t == nil || t.Before(cs.State.Terminated.FinishedAt.Time) {
			ft := cs.State.Terminated.FinishedAt.Time
			t = &ft
		}
	}
	if complete && t != nil {
		return t
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionFalse && !c.LastTransitionTime.IsZero() {
			ft := c.LastTransitionTime.Time
			return &ft
		}
	}
	if p.DeletionTimestamp != nil {
		ft := p.DeletionTimestamp.Add(-time.Duration(derefInt64(p.DeletionGracePeriodSeconds)) * time.Second)
		return &ft
	}
	return nil
}

// containerOutcome picks the container status that explains the pod: the
// first failed one, else the first waiting with a reason, else the first.
func containerOutcome(p *corev1.Pod) (name string, exit *int32, reason, message string, restarts int32) {
	statuses := append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		restarts += cs.RestartCount
	}
	pick := -1
	for i, cs := range statuses { // a failed container explains a failed pod
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			pick = i
			break
		}
	}
	if pick < 0 {
		for i, cs := range statuses {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" && w.Reason != "ContainerCreating" {
				pick = i
				break
			}
		}
	}
	if pick < 0 && len(p.Status.ContainerStatuses) > 0 {
		pick = len(p.Status.InitContainerStatuses)
	}
	if pick >= 0 {
		cs := statuses[pick]
		name = cs.Name
		switch {
		case cs.State.Terminated != nil:
			code := cs.State.Terminated.ExitCode
			exit, reason, message = &code, cs.State.Terminated.Reason, cs.State.Terminated.Message
		case cs.State.Waiting != nil:
			reason, message = cs.State.Waiting.Reason, cs.State.Waiting.Message
			if t := cs.LastTerminationState.Terminated; t != nil && reason == "CrashLoopBackOff" {
				code := t.ExitCode
				exit = &code
			}
		case cs.LastTerminationState.Terminated != nil:
			// restartPolicy OnFailure: running again after a failed run.
			code := cs.LastTerminationState.Terminated.ExitCode
			exit = &code
			reason = "Restarted: " + cs.LastTerminationState.Terminated.Reason
		}
	}
	if reason == "" {
		if c := podCondition(p, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
			reason, message = c.Reason, c.Message
		} else if p.Status.Reason != "" {
			reason, message = p.Status.Reason, p.Status.Message
		}
	}
	return name, exit, reason, message, restarts
}

// containersStarted is when the pod's first container started running, or nil
// if none has: the pod's status.startTime is only when the kubelet took the
// pod, so a pod stuck in ImagePullBackOff would seem to have run.
func containersStarted(p *corev1.Pod) *metav1.Time {
	var first *metav1.Time
	consider := func(t metav1.Time) {
		if !t.IsZero() && (first == nil || t.Before(first)) {
			first = &t
		}
	}
	for _, statuses := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range statuses {
			if r := cs.State.Running; r != nil {
				consider(r.StartedAt)
			}
			if t := cs.State.Terminated; t != nil {
				consider(t.StartedAt)
			}
			if t := cs.LastTerminationState.Terminated; t != nil {
				consider(t.StartedAt)
			}
		}
	}
	return first
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// attempts turns the pods into the attempts table: creation order, and for
// Indexed Jobs an attempt number per index.
func attempts(views []*podView) []Attempt {
	out := make([]Attempt, 0, len(views))
	perIndex := map[int]int{}
	n := 0
	for _, v := range views {
		p := v.pod
		a := Attempt{Pod: p.Name, Index: v.index, Phase: string(p.Status.Phase), Node: p.Spec.NodeName,
			Created: p.CreationTimestamp, Started: containersStarted(p), Counted: v.failed && v.counted}
		if a.Phase == "" {
			a.Phase = string(corev1.PodPending)
		}
		if v.index != nil {
			perIndex[*v.index]++
			a.Number = perIndex[*v.index]
		} else {
			n++
			a.Number = n
		}
		if v.terminating() {
			a.Terminating = true
			a.Phase = podPhaseTerminating
		}
		a.Container, a.ExitCode, a.Reason, a.Message, a.Restarts = containerOutcome(p)
		if v.failed && v.policyAction != "" {
			a.Reason = joinNonEmpty(a.Reason, "podFailurePolicy "+string(v.policyAction)+" rule "+strconv.Itoa(v.policyRule))
		}
		if v.finished != nil && (v.failed || p.Status.Phase == corev1.PodSucceeded) {
			f := metav1.NewTime(*v.finished)
			a.Finished = &f
		}
		out = append(out, a)
	}
	return out
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefInt32(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}
