package printers

import (
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// HumanDuration formats d like kubectl's AGE column (2-3 significant
// figures: 45s, 3m12s, 15m, 5h10m, 3d).
func HumanDuration(d time.Duration) string { return duration.HumanDuration(d) }

// ExactDuration formats d to the second (45s, 10m05s, 1h02m03s), for spans
// that are evidence, such as how long an attempt ran.
func ExactDuration(d time.Duration) string { return explain.FormatDuration(d) }

// ClockTime formats t as a wall-clock time in now's location, with the date
// when t is not on now's day.
func ClockTime(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// Relative says "in 3m12s" or "3m12s ago"; a span that rounds to zero is
// "0s ago".
func Relative(t, now time.Time) string {
	if d := t.Sub(now); d.Round(time.Second) > 0 {
		return "in " + ExactDuration(d)
	}
	return ExactDuration(now.Sub(t)) + " ago"
}
