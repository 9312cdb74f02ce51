package logs

import (
	"fmt"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Gone returns one line per kind of attempt the Job's status counts but whose
// pod no longer exists, so its logs cannot be shown: the job controller
// deletes a failing Job's running pods (and counts them as failed), users and
// the pod garbage collector delete others. It looks only at what s selects
// by state and index; with --attempt or --last it says nothing, as the
// numbering of deleted attempts is unknown.
//
// Counts come from status.failed and status.succeeded (which a podFailurePolicy
// Ignore rule does not raise, so Ignore'd failures are never reported gone)
// against the pods seen; for Indexed Jobs from status.completedIndexes and the
// batch.kubernetes.io/job-index-failure-count annotations (backoffLimitPerIndex),
// per index.
func Gone(job *batchv1.Job, all []Attempt, s Selector) []string {
	if job == nil || s.Attempt != 0 || s.Last || (s.Active && !s.Failed && !s.Succeeded) {
		return nil
	}
	noState := !s.Failed && !s.Succeeded && !s.Active
	wantFailed, wantSucceeded := s.Failed || noState, s.Succeeded || noState
	indexed := job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion

	var lines []string
	if wantFailed {
		if n, where := goneFailed(job, all, s, indexed); n > 0 {
			why := ""
			if failing(job) {
				why = " (the job controller deletes a failing Job's running pods)"
			}
			lines = append(lines, goneLine(n, "failed", where, why))
		}
	}
	if wantSucceeded {
		if n, where := goneSucceeded(job, all, s, indexed); n > 0 {
			lines = append(lines, goneLine(n, "succeeded", where, ""))
		}
	}
	return lines
}

// goneLine is "2 failed attempts are gone (indexes 1-2): their pods were
// deleted; their logs cannot be shown", in the singular for one.
func goneLine(n int, kind, where, why string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s attempt is gone%s: its pod was deleted%s; its logs cannot be shown", kind, where, why)
	}
	return fmt.Sprintf("%d %s attempts are gone%s: their pods were deleted%s; their logs cannot be shown", n, kind, where, why)
}

func failing(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobFailed || c.Type == batchv1.JobFailureTarget) && c.Status == "True" {
			return true
		}
	}
	return false
}

// goneFailed counts failed attempts without a pod. Per index when every
// index's newest pod carries a failure count; otherwise from the total, which
// cannot be split by index (so not under --index).
func goneFailed(job *batchv1.Job, all []Attempt, s Selector, indexed bool) (int, string) {
	if indexed {
		byIndex := map[int][]Attempt{}
		for _, a := range all {
			if a.Index != nil {
				byIndex[*a.Index] = append(byIndex[*a.Index], a)
			}
		}
		perIndex, ok := map[int]int{}, len(byIndex) > 0
		for idx, as := range byIndex {
			newest := as[len(as)-1]
			count, has := failureCount(newest)
			if !has {
				ok = false
				break
			}
			seen := 0
			for _, a := range as[:len(as)-1] {
				if a.State == StateFailed {
					seen++
				}
			}
			if gone := count - seen; gone > 0 && (s.Indexes == nil || s.Indexes.Has(idx)) {
				perIndex[idx] = gone
			}
		}
		if ok {
			return sumIndexes(perIndex)
		}
		if s.Indexes != nil {
			return 0, ""
		}
	}
	if s.Indexes != nil {
		return 0, ""
	}
	seen := 0
	for _, a := range all {
		if a.State == StateFailed {
			seen++
		}
	}
	return max(0, int(job.Status.Failed)-seen), ""
}

// failureCount is how many failures of its index preceded this pod, counted
// and ignored, from the annotations the controller sets with
// backoffLimitPerIndex.
func failureCount(a Attempt) (int, bool) {
	v, ok := a.Pod.Annotations[batchv1.JobIndexFailureCountAnnotation]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	if ign, err := strconv.Atoi(a.Pod.Annotations[batchv1.JobIndexIgnoredFailureCountAnnotation]); err == nil {
		n += ign
	}
	return n, true
}

// goneSucceeded counts successes without a pod: for Indexed Jobs the
// completed indexes with no succeeded pod; otherwise status.succeeded minus
// the succeeded pods seen.
func goneSucceeded(job *batchv1.Job, all []Attempt, s Selector, indexed bool) (int, string) {
	if !indexed {
		if s.Indexes != nil {
			return 0, ""
		}
		seen := 0
		for _, a := range all {
			if a.State == StateSucceeded {
				seen++
			}
		}
		return max(0, int(job.Status.Succeeded)-seen), ""
	}
	completed, err := explain.ParseIndexes(job.Status.CompletedIndexes)
	if err != nil {
		return 0, ""
	}
	// Indexes carried over by a rerun never had a pod here: none is gone.
	completed = completed.Minus(explain.CarriedIndexes(job))
	if s.Indexes != nil {
		completed = completed.Intersect(s.Indexes)
	}
	have := map[int]bool{}
	for _, a := range all {
		if a.Index != nil && a.State == StateSucceeded {
			have[*a.Index] = true
		}
	}
	perIndex := map[int]int{}
	// Completed indexes are bounded by completions (an int32); expanding
	// them costs at most one entry per completed index.
	for _, i := range completed.Indexes(-1) {
		if !have[i] {
			perIndex[i] = 1
		}
	}
	return sumIndexes(perIndex)
}

// sumIndexes totals per-index counts and names the indexes ("of index 1,3-5").
func sumIndexes(perIndex map[int]int) (int, string) {
	n := 0
	idx := make([]int, 0, len(perIndex))
	for i, c := range perIndex {
		n += c
		idx = append(idx, i)
	}
	if n == 0 {
		return 0, ""
	}
	word := " (index "
	if len(idx) > 1 {
		word = " (indexes "
	}
	return n, word + explain.FormatIndexes(idx) + ")"
}
