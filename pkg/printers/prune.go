package printers

import (
	"fmt"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/prune"
)

// PruneTable renders the plan of kubectl job prune: every Job, what prune
// does with it and why. FINISHED is the time since the Job finished (what
// --older-than measures), not its age, so the table has no AGE column.
func PruneTable(plan *prune.Plan, allNamespaces bool) Table {
	t := Table{Headers: []string{"NAME", "OUTCOME", "REASON", "FINISHED", "OWNER", "TTL", "ACTION", "WHY"}}
	if allNamespaces {
		t.Headers = append([]string{"NAMESPACE"}, t.Headers...)
	}
	for _, d := range plan.Decisions {
		e := d.Explanation
		outcome, reason := "<unknown>", "<none>"
		if e != nil {
			outcome = string(e.Verdict.Phase)
			reason = placeholder(string(e.Verdict.Reason))
		}
		finished := "<none>"
		switch {
		case d.FinishedAt != nil:
			finished = Age(*d.FinishedAt, plan.Now)
		case e != nil && e.Verdict.Phase.Finished():
			finished = "<unknown>"
		}
		row := []string{d.Job.Name, outcome, reason, finished, placeholder(d.Owner), TTLText(e, plan.Now), string(d.Action), d.Why}
		if allNamespaces {
			row = append([]string{d.Job.Namespace}, row...)
		}
		for i := range row {
			row[i] = Sanitize(row[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// PruneSummary is the line under the plan: how many go, how many stay, and
// how many of those going the TTL controller would delete soon anyway.
func PruneSummary(plan *prune.Plan) string {
	toDelete := plan.ToDelete()
	byTTL := 0
	for _, d := range toDelete {
		if s := d.Explanation.TTL.State; s == explain.TTLScheduled || s == explain.TTLDue {
			byTTL++
		}
	}
	deleting := len(toDelete)
	kept := len(plan.Decisions) - deleting
	s := fmt.Sprintf("%s to delete, %d to keep", Jobs(deleting), kept)
	if deleting == 0 {
		s = fmt.Sprintf("nothing to prune: %s kept", Jobs(kept))
	}
	if byTTL > 0 {
		s += fmt.Sprintf(" (the TTL controller would delete %d of them anyway: see TTL)", byTTL)
	}
	return s
}

// Jobs is "1 Job" or "3 Jobs".
func Jobs(n int) string { return explain.Plural(n, "Job", "Jobs") }
