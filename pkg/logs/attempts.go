// Package logs prints the logs of a Job's pods: every attempt in order, the
// right ones selected (failed, last attempt per index, ...), fetched with
// bounded concurrency and bounded memory, or followed until the Job ends.
//
// The selection and ordering of attempts is pure (this file); streaming is in
// fetch.go (one pass) and follow.go (-f).
package logs

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// State is where an attempt stands, for --failed, --succeeded and --active.
type State string

// The states of an attempt, from its pod's phase.
const (
	// StateActive is a pod that has not ended: Pending, Running or Unknown.
	StateActive State = "Active"
	// StateSucceeded is a pod in phase Succeeded.
	StateSucceeded State = "Succeeded"
	// StateFailed is a pod in phase Failed.
	StateFailed State = "Failed"
)

// Attempt is one pod of the Job with its place in the Job's history.
type Attempt struct {
	Pod *corev1.Pod
	// Index is the completion index for Indexed Jobs, nil otherwise.
	Index *int
	// Number is the 1-based attempt number: per index for Indexed Jobs, over
	// the whole Job otherwise. It counts the pods that still exist, the same
	// numbering as explain's attempts table.
	Number int
	State  State
	// Seq is the attempt's position in Attempts' order; it picks the colour,
	// so a pod keeps its colour whatever is selected.
	Seq int
	// Cause is the attempt's cause class (explain.PodCause), for headers.
	Cause explain.Cause
}

// Attempts orders a Job's pods the way a user reads its history: by creation
// time (then name, for pods created in the same second); for Indexed Jobs by
// completion index first. Pods of an Indexed Job without a readable index
// come last.
func Attempts(job *batchv1.Job, pods []corev1.Pod) []Attempt {
	indexed := job != nil && job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
	out := make([]Attempt, 0, len(pods))
	for i := range pods {
		a := Attempt{Pod: &pods[i], State: podState(&pods[i]), Cause: explain.PodCause(job, &pods[i], nil)}
		if indexed {
			if idx, ok := completionIndex(&pods[i]); ok {
				a.Index = &idx
			}
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Attempt) int {
		if c := compareIndex(a.Index, b.Index); c != 0 {
			return c
		}
		if c := a.Pod.CreationTimestamp.Compare(b.Pod.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Pod.Name, b.Pod.Name)
	})
	count := map[int]int{} // attempts so far per index; -1 for "no index"
	for i := range out {
		key := -1
		if out[i].Index != nil {
			key = *out[i].Index
		}
		count[key]++
		out[i].Number = count[key]
		out[i].Seq = i
	}
	return out
}

// compareIndex orders indexed attempts first, by index.
func compareIndex(a, b *int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}

// completionIndex reads the pod's completion index from the annotation the
// job controller sets (the label is a copy on newer servers).
func completionIndex(pod *corev1.Pod) (int, bool) {
	v, ok := pod.Annotations[batchv1.JobCompletionIndexAnnotation]
	if !ok {
		v, ok = pod.Labels[batchv1.JobCompletionIndexAnnotation]
	}
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

func podState(pod *corev1.Pod) State {
	switch pod.Status.Phase {
	case corev1.PodSucceeded:
		return StateSucceeded
	case corev1.PodFailed:
		return StateFailed
	}
	return StateActive
}

// Selector chooses attempts. The zero value selects every attempt.
type Selector struct {
	// Failed, Succeeded and Active select by state; set together they add
	// up (--failed --active: both). None set: every state.
	Failed, Succeeded, Active bool
	// Indexes keeps only these completion indexes (nil: all).
	Indexes explain.IndexSet
	// Attempt keeps only the attempt with this number (per index); 0: all.
	Attempt int
	// Last keeps the most recent attempt per index (of a NonIndexed Job: the
	// most recent pod) among those the other filters kept, so
	// --failed --last is the last failure of each index.
	Last bool
}

// Empty reports whether the selector keeps everything.
func (s Selector) Empty() bool {
	return !s.Failed && !s.Succeeded && !s.Active && s.Indexes == nil && s.Attempt == 0 && !s.Last
}

// String describes the selector as the flags that set it, for messages.
func (s Selector) String() string {
	var parts []string
	for _, f := range []struct {
		on   bool
		flag string
	}{{s.Failed, "--failed"}, {s.Succeeded, "--succeeded"}, {s.Active, "--active"}, {s.Last, "--last"}} {
		if f.on {
			parts = append(parts, f.flag)
		}
	}
	if s.Indexes != nil {
		parts = append(parts, "--index "+s.Indexes.String())
	}
	if s.Attempt > 0 {
		parts = append(parts, "--attempt "+strconv.Itoa(s.Attempt))
	}
	return strings.Join(parts, " ")
}

// keepsState reports whether the state filters keep st.
func (s Selector) keepsState(st State) bool {
	if !s.Failed && !s.Succeeded && !s.Active {
		return true
	}
	return s.Failed && st == StateFailed || s.Succeeded && st == StateSucceeded || s.Active && st == StateActive
}

// keepsIndex reports whether the index filter keeps a.
func (s Selector) keepsIndex(a Attempt) bool {
	return s.Indexes == nil || a.Index != nil && s.Indexes.Has(*a.Index)
}

// Select returns the attempts s keeps, in the order given (Attempts' order).
func (s Selector) Select(all []Attempt) []Attempt {
	var out []Attempt
	for _, a := range all {
		if s.keepsState(a.State) && s.keepsIndex(a) && (s.Attempt == 0 || a.Number == s.Attempt) {
			out = append(out, a)
		}
	}
	if !s.Last {
		return out
	}
	newest := map[int]int{} // index key -> position in out of its newest attempt
	for i, a := range out {
		key := -1
		if a.Index != nil {
			key = *a.Index
		}
		if j, ok := newest[key]; !ok || out[j].Number < a.Number {
			newest[key] = i
		}
	}
	last := out[:0]
	for i, a := range out {
		key := -1
		if a.Index != nil {
			key = *a.Index
		}
		if newest[key] == i {
			last = append(last, a)
		}
	}
	return last
}

// Containers returns the containers whose logs to show for pod, in the
// order to show them: the named one; with all, init containers (sidecars
// included), then containers, then ephemeral ones; otherwise the default
// container (kubectl's kubectl.kubernetes.io/default-container annotation,
// else the first). defaulted is true when a choice was made among several.
func Containers(pod *corev1.Pod, name string, all bool) (names []string, defaulted bool, err error) {
	if all {
		for _, c := range pod.Spec.InitContainers {
			names = append(names, c.Name)
		}
		for _, c := range pod.Spec.Containers {
			names = append(names, c.Name)
		}
		for _, c := range pod.Spec.EphemeralContainers {
			names = append(names, c.Name)
		}
		return names, false, nil
	}
	if name == "" {
		if ann := pod.Annotations["kubectl.kubernetes.io/default-container"]; ann != "" && hasContainer(pod, ann) {
			return []string{ann}, false, nil
		}
		if len(pod.Spec.Containers) == 0 {
			return nil, false, fmt.Errorf("pod %s has no containers", pod.Name)
		}
		many := len(pod.Spec.Containers)+len(pod.Spec.InitContainers)+len(pod.Spec.EphemeralContainers) > 1
		return []string{pod.Spec.Containers[0].Name}, many, nil
	}
	if !hasContainer(pod, name) {
		return nil, false, fmt.Errorf("container %s is not in pod %s; its containers are: %s", name, pod.Name, AllContainerNames(pod))
	}
	return []string{name}, false, nil
}

func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}

// AllContainerNames lists a pod's containers the way kubectl does in its
// "Defaulted container" line: containers, then "(ephem)" and "(init)" ones.
func AllContainerNames(pod *corev1.Pod) string {
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name+" (ephem)")
	}
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name+" (init)")
	}
	return strings.Join(names, ", ")
}

// containerStatus returns the status of the named container of any kind.
func containerStatus(pod *corev1.Pod, name string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// Label is the line prefix of an attempt: "index/attempt" for Indexed Jobs,
// the pod name otherwise, with the container when a pod shows several.
func Label(a Attempt, container string, showContainer bool) string {
	label := a.Pod.Name
	if a.Index != nil {
		label = fmt.Sprintf("%d/%d", *a.Index, a.Number)
	}
	if showContainer {
		label += " " + container
	}
	return label
}

// Header is the line shown before an attempt's logs when lines carry no
// prefix: "==> pod NAME (index 2, attempt 1, Failed exit 1, cause: exit 1) <==",
// the cause for attempts that failed or cannot start.
func Header(a Attempt, container string, showContainer bool) string {
	var b strings.Builder
	b.WriteString("==> pod ")
	b.WriteString(a.Pod.Name)
	if showContainer {
		b.WriteString(" container ")
		b.WriteString(container)
	}
	b.WriteString(" (")
	if a.Index != nil {
		fmt.Fprintf(&b, "index %d, ", *a.Index)
	}
	fmt.Fprintf(&b, "attempt %d, %s", a.Number, Outcome(a, container))
	if a.Cause.Class.Failure() {
		b.WriteString(", cause: " + printers.Sanitize(a.Cause.Summary))
	}
	b.WriteString(") <==")
	return b.String()
}

// Outcome says how an attempt ended or where it stands: "Failed exit 1",
// "Failed OOMKilled exit 137", "Failed DeadlineExceeded", "Succeeded",
// "Running", "Pending", "Terminating".
func Outcome(a Attempt, container string) string {
	pod := a.Pod
	switch a.State {
	case StateSucceeded:
		return "Succeeded"
	case StateFailed:
		out := "Failed"
		t := terminatedState(pod, container)
		if t == nil {
			if pod.Status.Reason != "" {
				out += " " + pod.Status.Reason
			}
			return out
		}
		if t.Reason != "" && t.Reason != "Error" && t.Reason != "Completed" {
			out += " " + t.Reason
		}
		return fmt.Sprintf("%s exit %d", out, t.ExitCode)
	}
	if pod.DeletionTimestamp != nil {
		return "Terminating"
	}
	if pod.Status.Phase == "" {
		return string(corev1.PodPending)
	}
	return string(pod.Status.Phase)
}

// terminatedState is the termination of the container shown, or else of the
// first container that failed (the one that failed the pod).
func terminatedState(pod *corev1.Pod, container string) *corev1.ContainerStateTerminated {
	if cs := containerStatus(pod, container); cs != nil && cs.State.Terminated != nil {
		return cs.State.Terminated
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range list {
			if t := list[i].State.Terminated; t != nil && t.ExitCode != 0 {
				return t
			}
		}
	}
	return nil
}
