package printers

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// DeleteImpact is what kubectl job delete says, on stderr, before deleting a
// Job: what goes with it (its pods, running or not, and the logs of failed
// attempts), what an orphaning delete leaves behind, and whether its TTL
// would delete it soon anyway.
type DeleteImpact struct {
	Job *batchv1.Job
	// Pods are the Job's pods; PodsKnown is false when they could not be
	// read (a warning said so, once for all Jobs).
	Pods      []corev1.Pod
	PodsKnown bool
	// Orphan is --cascade=orphan: the pods stay.
	Orphan bool
	// InNamespace adds " in NAMESPACE" to the Job's name (-A).
	InNamespace bool
	// PodLabel is the label that finds the pods, for the orphan hint.
	PodLabel    string
	Explanation *explain.JobExplanation
	Now         time.Time
}

// Lines are the impact's lines, sanitized.
func (d DeleteImpact) Lines() []string {
	job := d.Job
	ref := "job.batch/" + job.Name
	if d.InNamespace {
		ref += " in " + job.Namespace
	}
	var lines []string
	c := countPods(d.Pods)
	n := len(d.Pods)
	switch {
	case !d.PodsKnown:
	case n == 0:
		lines = append(lines, ref+": no pods")
	case d.Orphan:
		what := fmt.Sprintf("the %d pods of %s%s in place with no Job to own them; delete them", n, ref, c.activeText())
		if n == 1 {
			what = fmt.Sprintf("the pod of %s%s in place with no Job to own it; delete it", ref, c.activeText())
		}
		lines = append(lines, fmt.Sprintf("Warning: --cascade=orphan leaves %s later with: kubectl delete pods -n %s -l %s=%s",
			what, job.Namespace, d.PodLabel, job.UID))
	default:
		line := fmt.Sprintf("%s: its %d pods go too%s", ref, n, c.activeText())
		if n == 1 {
			line = fmt.Sprintf("%s: its pod goes too%s", ref, c.activeText())
		}
		if c.failed > 0 {
			line += fmt.Sprintf("; logs of %s will be lost (save them first: kubectl job logs %s -n %s --failed)",
				explain.Plural(c.failed, "failed attempt", "failed attempts"), job.Name, job.Namespace)
		}
		lines = append(lines, line)
	}
	if e := d.Explanation; e != nil {
		switch e.TTL.State {
		case explain.TTLScheduled:
			in := TTLText(e, d.Now)
			if in == "due" {
				in = "soon"
			}
			lines = append(lines, fmt.Sprintf("%s: would be deleted by its TTL %s anyway", ref, in))
		case explain.TTLDue:
			lines = append(lines, ref+": its TTL has passed; the TTL controller is about to delete it anyway")
		}
	}
	for i := range lines {
		lines[i] = Sanitize(lines[i])
	}
	return lines
}

// podCounts counts a Job's pods by what deleting them loses.
type podCounts struct{ running, pending, failed int }

func countPods(pods []corev1.Pod) podCounts {
	var c podCounts
	for i := range pods {
		switch pods[i].Status.Phase {
		case corev1.PodRunning:
			c.running++
		case corev1.PodPending:
			c.pending++
		case corev1.PodFailed:
			c.failed++
		}
	}
	return c
}

func (c podCounts) activeText() string {
	var parts []string
	if c.running > 0 {
		parts = append(parts, fmt.Sprintf("%d still running", c.running))
	}
	if c.pending > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", c.pending))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
