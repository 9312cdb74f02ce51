package printers

import (
	"sort"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// ListSortOrders are the values of list --sort-by, for validation and
// completion alike.
var ListSortOrders = []string{"age", "name", "duration", "status"}

// statusRank orders --sort-by=status: what needs attention first.
var statusRank = map[explain.Phase]int{
	explain.PhaseFailed: 0, explain.PhaseFailing: 1, explain.PhaseTerminating: 2, explain.PhasePending: 3,
	explain.PhaseRunning: 4, explain.PhaseNotStarted: 5, explain.PhaseSuspended: 6, explain.PhaseExternal: 7,
	explain.PhaseSucceeding: 8, explain.PhaseComplete: 9,
}

// SortJobRows orders rows by one of ListSortOrders ("" keeps namespace/name
// order, which also breaks every tie).
func SortJobRows(rows []JobRow, by string) {
	key := func(r JobRow) string { return r.Job.Namespace + "/" + r.Job.Name }
	sort.SliceStable(rows, func(i, j int) bool { return key(rows[i]) < key(rows[j]) })
	switch by {
	case "age":
		sort.SliceStable(rows, func(i, j int) bool {
			return rows[j].Job.CreationTimestamp.Before(&rows[i].Job.CreationTimestamp)
		})
	case "duration":
		sec := func(r JobRow) float64 {
			if r.Explanation == nil || r.Explanation.Duration == nil {
				return -1
			}
			return r.Explanation.Duration.End.Sub(r.Explanation.Duration.Start.Time).Seconds()
		}
		// Shortest first, as kubectl's --sort-by orders; Jobs that have
		// not started (no duration) go last.
		sort.SliceStable(rows, func(i, j int) bool {
			a, b := sec(rows[i]), sec(rows[j])
			if (a < 0) != (b < 0) {
				return b < 0
			}
			return a < b
		})
	case "status":
		rank := func(r JobRow) int {
			if r.Explanation == nil {
				return len(statusRank)
			}
			if n, ok := statusRank[r.Explanation.Verdict.Phase]; ok {
				return n
			}
			return len(statusRank)
		}
		sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i]) < rank(rows[j]) })
	}
}
