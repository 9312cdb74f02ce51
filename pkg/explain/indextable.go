package explain

// The per-index table of Indexed Jobs.

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// indexTable builds the per-index table of an Indexed Job. Huge Jobs list
// only the indexes with pods or a failure.
func (s *state) indexTable() []IndexStatus {
	if !s.indexed || s.job.Spec.Completions == nil {
		return nil
	}
	n := int(*s.job.Spec.Completions)
	byIndex := map[int][]*podView{}
	for _, v := range s.views {
		if v.index != nil && *v.index < n {
			byIndex[*v.index] = append(byIndex[*v.index], v)
		}
	}
	var indexes []int
	if n <= maxIndexRows {
		for i := range n {
			indexes = append(indexes, i)
		}
	} else {
		seen := map[int]bool{}
		for i := range byIndex {
			seen[i] = true
		}
		for _, i := range s.failedIdx.below(n).Indexes(maxIndexRows) {
			seen[i] = true
		}
		for i := range seen {
			indexes = append(indexes, i)
		}
		sortInts(indexes)
	}
	carried := CarriedIndexes(s.job)
	out := make([]IndexStatus, 0, len(indexes))
	for _, i := range indexes {
		pods := byIndex[i]
		ix := IndexStatus{Index: i, Attempts: len(pods), Status: "NotStarted"}
		failedSeen := int32(0)
		for _, v := range pods {
			if v.failed && v.counted {
				failedSeen++
			}
		}
		if len(pods) > 0 {
			last := pods[len(pods)-1]
			ix.LastPod = last.pod.Name
			_, ix.LastExitCode, _, _, _ = containerOutcome(last.pod)
			ix.Failures = annotationInt(last.pod, batchv1.JobIndexFailureCountAnnotation)
			ix.IgnoredFailures = annotationInt(last.pod, batchv1.JobIndexIgnoredFailureCountAnnotation)
			if last.failed {
				if last.counted {
					ix.Failures++
				} else {
					ix.IgnoredFailures++
				}
			}
			ix.Failures = max(ix.Failures, failedSeen)
			switch {
			case last.terminating():
				ix.Status = "Terminating"
			case last.pod.Status.Phase == corev1.PodRunning:
				ix.Status = "Running"
			case last.pod.Status.Phase == corev1.PodSucceeded:
				ix.Status = "Succeeded"
			case last.failed:
				ix.Status = "Retrying"
			default:
				ix.Status = "Pending"
			}
		}
		switch {
		case s.completed.Has(i) && len(pods) == 0 && carried.Has(i):
			ix.Status = "Carried"
		case s.completed.Has(i):
			ix.Status = "Succeeded"
		case s.failedIdx.Has(i):
			ix.Status = "Failed"
		case (ix.Status == "Retrying" || ix.Status == "NotStarted") && s.finishReason() != "":
			// The Job was decided (a FailJob rule, the deadline, a
			// successPolicy...) before this index finished: it is not in
			// status.failedIndexes, and any pods it had were removed.
			ix.Status = "Unfinished"
		}
		out = append(out, ix)
	}
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// CarriedIndexes are the indexes a kubectl job rerun --failed-indexes-only
// marked completed before job started (AnnotationCarriedIndexes): none when
// the annotation is absent or not an index list.
func CarriedIndexes(job *batchv1.Job) IndexSet {
	set, err := ParseIndexes(job.Annotations[AnnotationCarriedIndexes])
	if err != nil {
		return nil
	}
	return set
}

// carriedIndexesEvidence says which indexes of a kubectl job rerun
// --failed-indexes-only were marked completed before it started: they count
// in status.completedIndexes and succeeded, but this Job never ran them.
func (s *state) carriedIndexesEvidence() {
	carried := s.job.Annotations[AnnotationCarriedIndexes]
	if carried == "" {
		return
	}
	from := "the Job it reran"
	if ref := s.job.Annotations[AnnotationRerunOf]; ref != "" {
		parts := strings.SplitN(ref, "/", 3)
		from = "job " + strings.Join(parts[:min(2, len(parts))], "/")
	}
	s.evidence("Index", "metadata.annotations["+AnnotationCarriedIndexes+"]",
		fmt.Sprintf("indexes %s were carried over as completed from %s (kubectl job rerun --failed-indexes-only): this Job did not run them", carried, from))
}
