// Package trace holds what the differential test recorded about one Job,
// the test's own model of the job controller's rules, and the checks that
// compare the plugin's answers with both. It is pure (no client, no clock)
// and independent of the plugin: it never imports pkg/explain. The plugin's
// JSON is decoded into Output, the few fields checked; the expectations come
// from Record, which the harness builds from its own informers (Jobs, Pods,
// Events), and from the model in model.go, written from the API reference
// and the controller's rules (/work/shared/job-semantics.md), not from the
// plugin's code.
package trace

import (
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// JobTrackingFinalizer is the finalizer the job controller removes from a
// pod once it has accounted for the pod's end in the Job's status.
const JobTrackingFinalizer = "batch.kubernetes.io/job-tracking"

// Cond is one Job condition that is True.
type Cond struct {
	Type   string    `json:"type"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"` // lastTransitionTime (whole seconds)
}

// JobState is the Job as the harness's informer had it at one moment.
type JobState struct {
	ResourceVersion  string    `json:"rv"`
	Suspend          bool      `json:"suspend,omitempty"`
	Deleting         bool      `json:"deleting,omitempty"`
	StartTime        time.Time `json:"startTime,omitzero"`
	Conds            []Cond    `json:"conds,omitempty"`
	Active           int32     `json:"active"`
	Failed           int32     `json:"failed"`
	Succeeded        int32     `json:"succeeded"`
	FailedIndexes    string    `json:"failedIndexes,omitempty"`
	CompletedIndexes string    `json:"completedIndexes,omitempty"`
}

// Cond returns the True condition of type t, or nil.
func (j *JobState) Cond(t batchv1.JobConditionType) *Cond {
	if j == nil {
		return nil
	}
	for i := range j.Conds {
		if j.Conds[i].Type == string(t) {
			return &j.Conds[i]
		}
	}
	return nil
}

// Terminal is the Complete or Failed condition, or nil.
func (j *JobState) Terminal() *Cond {
	if c := j.Cond(batchv1.JobComplete); c != nil {
		return c
	}
	return j.Cond(batchv1.JobFailed)
}

// Interim is the FailureTarget or SuccessCriteriaMet condition, or nil.
func (j *JobState) Interim() *Cond {
	if c := j.Cond(batchv1.JobFailureTarget); c != nil {
		return c
	}
	return j.Cond(batchv1.JobSuccessCriteriaMet)
}

// PodState is one pod as the harness's informer had it.
type PodState struct {
	Name     string    `json:"name"`
	Index    *int      `json:"index,omitempty"`
	Created  time.Time `json:"created"`
	Phase    string    `json:"phase"`
	Deleting bool      `json:"deleting,omitempty"`
	// Accounted: the job-tracking finalizer is gone (the controller counted its end).
	Accounted bool `json:"accounted,omitempty"`
	// Unschedulable: PodScheduled=False.
	Unschedulable bool `json:"unschedulable,omitempty"`
	// Waiting is the first container waiting reason other than ContainerCreating.
	Waiting string `json:"waiting,omitempty"`
	// ExitCodes of terminated containers, by container name.
	ExitCodes        map[string]int32 `json:"exitCodes,omitempty"`
	Restarts         int32            `json:"restarts,omitempty"`
	DisruptionTarget bool             `json:"disruptionTarget,omitempty"`
}

// State is what the harness knew at one moment: the Job (nil once it is
// gone), its pods, and the last FailedCreate event of the Job.
type State struct {
	At           time.Time  `json:"at"`
	Job          *JobState  `json:"job,omitempty"`
	Pods         []PodState `json:"pods,omitempty"`
	FailedCreate time.Time  `json:"failedCreate,omitzero"`
}

// PodHistory is what happened to one pod over the whole case.
type PodHistory struct {
	Name    string    `json:"name"`
	Index   *int      `json:"index,omitempty"`
	Created time.Time `json:"created"`
	// SeenAt is when the harness first saw the pod.
	SeenAt time.Time `json:"seenAt"`
	// FailedAt is when the harness first saw it Failed; DeletingAt when it
	// first saw its deletionTimestamp; AccountedAt when the job-tracking
	// finalizer was first seen gone from a finished pod.
	FailedAt    time.Time `json:"failedAt,omitzero"`
	SucceededAt time.Time `json:"succeededAt,omitzero"`
	DeletingAt  time.Time `json:"deletingAt,omitzero"`
	AccountedAt time.Time `json:"accountedAt,omitzero"`
	GoneAt      time.Time `json:"goneAt,omitzero"`
	// Last is the pod's last state seen.
	Last PodState `json:"last"`
}

// Record is everything the harness saw of one case.
type Record struct {
	States []State                `json:"states"`
	Pods   map[string]*PodHistory `json:"pods"`
	// DeletionRequested is when the Job was first seen with a
	// deletionTimestamp, Gone when it was first seen deleted.
	DeletionRequested time.Time `json:"deletionRequested,omitzero"`
	Gone              time.Time `json:"gone,omitzero"`
	WatchedUntil      time.Time `json:"watchedUntil,omitzero"`
}

// Final is the last state with a Job.
func (r *Record) Final() *JobState {
	for i := len(r.States) - 1; i >= 0; i-- {
		if r.States[i].Job != nil {
			return r.States[i].Job
		}
	}
	return nil
}

// Decided is the condition that decided the Job (the interim one if the
// controller wrote it, else the terminal one), or nil.
func (r *Record) Decided() *Cond {
	var first *Cond
	for _, s := range r.States {
		if c := s.Job.Interim(); c != nil {
			return c
		}
		if c := s.Job.Terminal(); c != nil && first == nil {
			first = c
		}
	}
	return first
}

// DecidedSeenAt is when the harness first saw the deciding condition (zero if never).
func (r *Record) DecidedSeenAt() time.Time {
	for _, s := range r.States {
		if s.Job.Interim() != nil || s.Job.Terminal() != nil {
			return s.At
		}
	}
	return time.Time{}
}

// Window is the states a sample taken in [start, end] may have seen: the last
// state known at start and every state seen until end+slack (informers lag
// the API server a little).
func (r *Record) Window(start, end time.Time, slack time.Duration) []State {
	var out []State
	i := 0
	for i < len(r.States) && !r.States[i].At.After(start) {
		i++
	}
	if i > 0 {
		out = append(out, r.States[i-1])
	}
	for ; i < len(r.States) && !r.States[i].At.After(end.Add(slack)); i++ {
		out = append(out, r.States[i])
	}
	return out
}

// PodsByCreation returns the pod histories sorted by creation (then name).
func (r *Record) PodsByCreation() []*PodHistory {
	out := make([]*PodHistory, 0, len(r.Pods))
	for _, p := range r.Pods {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *PodHistory) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		if c := a.SeenAt.Compare(b.SeenAt); c != 0 {
			return c
		}
		return compareStrings(a.Name, b.Name)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NewPodState is the compact form of a pod.
func NewPodState(p *corev1.Pod) PodState {
	ps := PodState{Name: p.Name, Created: p.CreationTimestamp.Time, Phase: string(p.Status.Phase), Deleting: p.DeletionTimestamp != nil,
		Accounted: !slices.Contains(p.Finalizers, JobTrackingFinalizer)}
	if ix, ok := p.Annotations[batchv1.JobCompletionIndexAnnotation]; ok {
		if n, err := atoi(ix); err == nil {
			ps.Index = &n
		}
	}
	for _, c := range p.Status.Conditions {
		switch {
		case c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse:
			ps.Unschedulable = true
		case c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue:
			ps.DisruptionTarget = true
		}
	}
	for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
		ps.Restarts += cs.RestartCount
		if w := cs.State.Waiting; w != nil && ps.Waiting == "" && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
			ps.Waiting = w.Reason
		}
		if t := cs.State.Terminated; t != nil {
			if ps.ExitCodes == nil {
				ps.ExitCodes = map[string]int32{}
			}
			ps.ExitCodes[cs.Name] = t.ExitCode
		}
	}
	return ps
}

// NewJobState is the compact form of a Job.
func NewJobState(j *batchv1.Job) *JobState {
	js := &JobState{ResourceVersion: j.ResourceVersion, Suspend: j.Spec.Suspend != nil && *j.Spec.Suspend, Deleting: j.DeletionTimestamp != nil,
		Active: j.Status.Active, Failed: j.Status.Failed, Succeeded: j.Status.Succeeded, CompletedIndexes: j.Status.CompletedIndexes}
	if j.Status.StartTime != nil {
		js.StartTime = j.Status.StartTime.Time
	}
	if j.Status.FailedIndexes != nil {
		js.FailedIndexes = *j.Status.FailedIndexes
	}
	for _, c := range j.Status.Conditions {
		if c.Status == corev1.ConditionTrue {
			js.Conds = append(js.Conds, Cond{Type: string(c.Type), Reason: c.Reason, At: c.LastTransitionTime.Time})
		}
	}
	return js
}
