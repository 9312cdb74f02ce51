// Package oneverdict reads back the verdict every command prints, for the
// one-verdict tests: the unit test (pkg/cmd) and the e2e test (test/e2e)
// compare the commands with each other and with the Job's conditions.
package oneverdict

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// The one-verdict check: every command that prints a verdict is read back
// into "Phase Reason" by the parsers below, and VerdictProblems compares
// them with each other and with what the Job's own conditions decide. The
// unit test (pkg/cmd) and the e2e test (test/e2e) share it.

// TableVerdicts reads NAME, STATUS (or OUTCOME) and REASON, the first three
// columns of list and prune, into "Phase Reason" by name.
func TableVerdicts(stdout string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		reason := f[2]
		if reason == "<none>" {
			reason = ""
		}
		out[f[0]] = f[1] + " " + reason
	}
	return out
}

// HeadlineVerdict reads "Phase: Reason — message" (describe's and
// explain's first line).
func HeadlineVerdict(line string) string {
	phase, rest, _ := strings.Cut(line, ": ")
	reason, _, _ := strings.Cut(rest, " — ")
	return phase + " " + reason
}

// WaitVerdict reads "job.batch/NAME WORD: Reason — message" or
// "job.batch/NAME timed out waiting for finished, still WORD: Reason —
// message"; "" when out has no line for NAME.
func WaitVerdict(name, out string) string {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "job.batch/"+name+" ")
		if !ok {
			continue
		}
		if _, still, ok := strings.Cut(rest, ", still "); ok {
			rest = still
		}
		word, verdict, _ := strings.Cut(rest, ": ")
		reason, _, _ := strings.Cut(verdict, " — ")
		for _, p := range explain.Phases {
			if strings.EqualFold(string(p), word) {
				return string(p) + " " + reason
			}
		}
		return word + " " + reason
	}
	return ""
}

// FollowVerdict reads the verdict logs -f (and create --follow) ends with on
// stderr: "job/NAME Phase: Reason — message", or at --timeout "job/NAME
// still Phase: ..."; "" without one.
func FollowVerdict(name, stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		rest, ok := strings.CutPrefix(lines[i], "job/"+name+" ")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, "still ")
		phase, verdict, _ := strings.Cut(rest, ": ")
		reason, _, _ := strings.Cut(verdict, " — ")
		return phase + " " + reason
	}
	return ""
}

// VerdictProblems compares the "Phase Reason" each command said for job (by
// command) with each other and with ConditionVerdict: what is wrong, or
// nothing.
func VerdictProblems(job *batchv1.Job, got map[string]string) []string {
	var problems []string
	cmds := slices.Sorted(maps.Keys(got))
	if len(cmds) == 0 {
		return []string{"no command was compared"}
	}
	first := cmds[0]
	for _, c := range cmds {
		if v := got[c]; v == "" || strings.HasSuffix(v, " ") {
			problems = append(problems, fmt.Sprintf("%s said %q", c, v))
		} else if v != got[first] {
			problems = append(problems, fmt.Sprintf("%s says %q, %s %q", c, v, first, got[first]))
		}
	}
	if len(problems) > 0 {
		return problems
	}
	phase, reason, _ := strings.Cut(got[first], " ")
	if wantPhase, wantReason := ConditionVerdict(job); wantPhase != "" && (phase != wantPhase || wantReason != "" && reason != wantReason) {
		problems = append(problems, fmt.Sprintf("all say %q, the Job's conditions say %s %s", got[first], wantPhase, wantReason))
	}
	return problems
}

// ConditionVerdict is what the Job's own conditions decide, read without
// the engine: its terminal condition and reason (Complete, Failed), the
// interim one (SuccessCriteriaMet: Succeeding, FailureTarget: Failing), or
// "" for a Job its conditions do not decide (running, pending, suspended).
func ConditionVerdict(job *batchv1.Job) (phase, reason string) {
	byType := map[batchv1.JobConditionType]batchv1.JobCondition{}
	for _, c := range job.Status.Conditions {
		if c.Status == corev1.ConditionTrue {
			byType[c.Type] = c
		}
	}
	for _, m := range []struct {
		cond  batchv1.JobConditionType
		phase string
	}{
		{batchv1.JobComplete, "Complete"}, {batchv1.JobFailed, "Failed"},
		{batchv1.JobSuccessCriteriaMet, "Succeeding"}, {batchv1.JobFailureTarget, "Failing"},
	} {
		if c, ok := byType[m.cond]; ok {
			return m.phase, c.Reason
		}
	}
	return "", ""
}
