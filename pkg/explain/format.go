package explain

import (
	"fmt"
	"time"
)

// FormatDuration formats a span exactly to the second, for evidence such as
// "ran 10m05s": 45s, 3m12s, 1h02m03s, 2d03h04m. Negative spans are formatted
// as their absolute value.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%dd%02dh%02dm", s/86400, s/3600%24, s/60%60)
}

// formatClock formats an instant as a wall-clock time in now's location,
// with the date when it is not on now's day.
func formatClock(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// relative says "in 3m12s" or "3m12s ago"; a span that rounds to zero is
// "0s ago" (timestamps have second precision, so "in 0s" would read as a
// prediction).
func relative(t, now time.Time) string {
	if d := t.Sub(now); d.Round(time.Second) > 0 {
		return "in " + FormatDuration(d)
	}
	return FormatDuration(now.Sub(t)) + " ago"
}

// Plural is "1 pod" or "3 pods": the count with the word that agrees with
// it. Every command words counts with it.
func Plural[T ~int | ~int32 | ~int64](n T, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// PluralWord is Plural without the number: the word that agrees with n.
func PluralWord[T ~int | ~int32 | ~int64](n T, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
