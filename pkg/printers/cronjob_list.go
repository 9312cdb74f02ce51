package printers

import (
	"fmt"
	"io"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// CronJobListOptions selects the columns of "kubectl job list --cronjobs".
type CronJobListOptions struct {
	AllNamespaces bool // -A: NAMESPACE first
	NoHeaders     bool
}

// CronJobColumn is one column of the CronJob list, declared as data.
type CronJobColumn struct {
	Header string
	Show   func(CronJobListOptions) bool
	Cell   func(e *cronexplain.CronJobExplanation) string
}

// CronJobColumns are the columns of the CronJob list: NAME first, AGE last.
var CronJobColumns = []CronJobColumn{
	{Header: "NAMESPACE", Show: func(o CronJobListOptions) bool { return o.AllNamespaces }, Cell: func(e *cronexplain.CronJobExplanation) string { return e.Namespace }},
	{Header: "NAME", Cell: func(e *cronexplain.CronJobExplanation) string { return e.Name }},
	{Header: "SCHEDULE", Cell: func(e *cronexplain.CronJobExplanation) string { return e.Schedule.Expression }},
	{Header: "TIMEZONE", Cell: timeZoneCell},
	{Header: "SUSPEND", Cell: func(e *cronexplain.CronJobExplanation) string {
		return map[bool]string{true: "True", false: "False"}[e.Spec.Suspend]
	}},
	{Header: "ACTIVE", Cell: func(e *cronexplain.CronJobExplanation) string { return fmt.Sprint(len(e.Status.Active)) }},
	{Header: "VERDICT", Cell: func(e *cronexplain.CronJobExplanation) string { return string(e.Verdict.Phase) }},
	{Header: "LAST RUN", Cell: lastRunCell},
	{Header: "NEXT RUN", Cell: nextRunCell},
	{Header: "SKIPPED", Cell: func(e *cronexplain.CronJobExplanation) string { return fmt.Sprint(e.Stats.Skipped) }},
	{Header: "SUCCESS RATE", Cell: successCell},
	{Header: "AGE", Cell: func(e *cronexplain.CronJobExplanation) string {
		return HumanDuration(e.ObservedAt.Sub(e.CreationTimestamp.Time))
	}},
}

func timeZoneCell(e *cronexplain.CronJobExplanation) string {
	if e.Schedule.ZoneAssumed {
		return "<unset>"
	}
	return e.Schedule.TimeZone
}

// lastRunCell is the newest run's outcome and age: "Complete 3m", "Failed 1h".
func lastRunCell(e *cronexplain.CronJobExplanation) string {
	for i := len(e.Slots) - 1; i >= 0; i-- {
		if r := e.Slots[i].Run; r != nil {
			return fmt.Sprintf("%s %s", r.Phase, HumanDuration(e.ObservedAt.Sub(r.Created.Time)))
		}
	}
	return "<none>"
}

func nextRunCell(e *cronexplain.CronJobExplanation) string {
	switch {
	case e.Schedule.Error != "":
		return "<invalid>"
	case e.Spec.Suspend:
		return "<suspended>"
	case len(e.NextRuns) == 0:
		return "<none>"
	}
	return "in " + HumanDuration(e.NextRuns[0].Time.Sub(e.ObservedAt.Time))
}

func successCell(e *cronexplain.CronJobExplanation) string {
	if e.Stats.Success == nil {
		return "<none>"
	}
	return fmt.Sprintf("%.0f%%", *e.Stats.Success*100)
}

// PrintCronJobList writes one row per CronJob explanation.
func PrintCronJobList(w io.Writer, list []*cronexplain.CronJobExplanation, o CronJobListOptions) error {
	var t Table
	var cols []CronJobColumn
	for _, c := range CronJobColumns {
		if c.Show == nil || c.Show(o) {
			cols = append(cols, c)
			t.Headers = append(t.Headers, c.Header)
		}
	}
	for _, e := range list {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = Sanitize(c.Cell(e))
		}
		t.Rows = append(t.Rows, row)
	}
	return PrintTable(w, t, o.NoHeaders)
}
