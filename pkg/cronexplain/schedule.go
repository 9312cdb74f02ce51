package cronexplain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
)

// ParsedSchedule is a CronJob's schedule as the controller parses it.
type ParsedSchedule struct {
	Schedule cron.Schedule
	// Location is the zone slots are computed in: spec.timeZone, the zone of
	// a TZ= prefix, or UTC for the controller's local zone (ZoneAssumed).
	Location    *time.Location
	ZoneAssumed bool
	// Unsupported is set when the schedule itself carries TZ= or CRON_TZ=:
	// the controller uses it as written and warns (UnsupportedSchedule).
	Unsupported bool
}

// ScheduleError is why the controller cannot schedule a CronJob: Reason is
// the event reason it records (UnknownTimeZone, UnparseableSchedule,
// InvalidSchedule).
type ScheduleError struct {
	Reason  string
	Message string
}

func (e *ScheduleError) Error() string { return e.Message }

// ParseSchedule parses cj's schedule as the CronJob controller of v1.37
// does (cronjob_controllerv2.go formatSchedule, parsers.ParseCronSchedule
// WithPanicRecovery): an unknown spec.timeZone stops it first; a schedule
// containing "TZ" is parsed as written; otherwise spec.timeZone becomes a
// TZ= prefix; robfig/cron's standard parser (5 fields and descriptors).
// Without a time zone the controller uses its own local zone, which a client
// cannot know: UTC is assumed and ZoneAssumed says so.
func ParseSchedule(cj *batchv1.CronJob) (*ParsedSchedule, error) {
	p := &ParsedSchedule{Location: time.UTC}
	spec := cj.Spec.Schedule
	if cj.Spec.TimeZone != nil {
		loc, err := time.LoadLocation(*cj.Spec.TimeZone)
		if err != nil {
			return nil, &ScheduleError{ReasonUnknownTimeZone, fmt.Sprintf("invalid timeZone %q: %v", *cj.Spec.TimeZone, err)}
		}
		p.Location = loc
	}
	switch {
	case strings.Contains(spec, "TZ"):
		p.Unsupported = true
	case cj.Spec.TimeZone != nil:
		spec = "TZ=" + *cj.Spec.TimeZone + " " + spec
	default:
		spec, p.ZoneAssumed = "TZ=UTC "+spec, true
	}
	sched, err := parseWithRecovery(spec)
	if err != nil {
		return nil, &ScheduleError{ReasonUnparseable, fmt.Sprintf("unparseable schedule %q: %v", cj.Spec.Schedule, err)}
	}
	if s, ok := sched.(*cron.SpecSchedule); ok {
		p.Location = s.Location
	}
	p.Schedule = sched
	return p, nil
}

func parseWithRecovery(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("invalid schedule format: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}

// Validate reports the controller's InvalidSchedule: a schedule that parses
// but has no two runs at least a second apart (such as "0 0 31 2 *").
func (p *ParsedSchedule) Validate(cj *batchv1.CronJob, now time.Time) error {
	t1 := p.Schedule.Next(now)
	if t1.IsZero() || p.Schedule.Next(t1).Sub(t1).Round(time.Second) < time.Second {
		return &ScheduleError{ReasonInvalidSchedule, fmt.Sprintf("invalid schedule %q: it never fires (no two runs at least a second apart within five years)", cj.Spec.Schedule)}
	}
	return nil
}

// NextRuns lists the next n slots after now, in the schedule's zone.
func (p *ParsedSchedule) NextRuns(now time.Time, n int) []NextRun {
	var out []NextRun
	t := now
	for len(out) < n {
		t = p.Schedule.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, NextRun{Time: metaTime(t), Local: t.In(p.Location).Format(time.RFC3339), DST: dstNote(t, p.Location)})
	}
	return out
}

// dstNote says whether the wall-clock time of t in loc is repeated (a
// daylight-saving change sets the clocks back over it) or follows a skipped
// hour (the clocks went forward less than an hour before it).
func dstNote(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	_, off := lt.Zone()
	for _, d := range []time.Duration{-2 * time.Hour, 2 * time.Hour} {
		other := lt.Add(d)
		_, o := other.Zone()
		if o == off {
			continue
		}
		shift := time.Duration(off-o) * time.Second
		twin := lt.Add(shift)
		if shift < 0 {
			twin = lt.Add(-shift)
		}
		if twin.In(loc).Format("15:04") == lt.Format("15:04") && !twin.Equal(lt) {
			return fmt.Sprintf("repeated: %s happens twice on %s (UTC offset %s and %s); the controller runs only the instant listed here", lt.Format("15:04"), lt.Format("2006-01-02"), formatOffset(off), formatOffset(o))
		}
		if d < 0 && o < off && lt.Sub(transition(other, lt)) < time.Hour {
			return fmt.Sprintf("after a skipped hour: the clocks went forward at %s (UTC offset %s to %s); a slot inside the skipped hour moves here", transition(other, lt).In(loc).Format("15:04"), formatOffset(o), formatOffset(off))
		}
	}
	return ""
}

// transition finds the instant between a and b where the UTC offset changes.
func transition(a, b time.Time) time.Time {
	_, oa := a.Zone()
	for b.Sub(a) > time.Second {
		mid := a.Add(b.Sub(a) / 2)
		if _, o := mid.Zone(); o == oa {
			a = mid
		} else {
			b = mid
		}
	}
	return b.Truncate(time.Second)
}

func formatOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	return fmt.Sprintf("%c%02d:%02d", sign, seconds/3600, seconds/60%60)
}

var descriptors = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

var (
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames = []string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// Describe says a schedule in words: "every 5 minutes", "at 09:00, Monday
// through Friday", "at minute 30 past every 4th hour from 6 through 16". A
// schedule it cannot read is returned as written.
func Describe(schedule string) string {
	s := strings.TrimSpace(schedule)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		if i := strings.IndexByte(s, ' '); i > 0 {
			s = strings.TrimSpace(s[i+1:])
		}
	}
	if d, ok := strings.CutPrefix(s, "@every "); ok {
		return "every " + strings.TrimSpace(d) + ", counted from the last scheduled run (or the CronJob's creation)"
	}
	if exp, ok := descriptors[strings.ToLower(s)]; ok {
		s = exp
	}
	f := strings.Fields(s)
	if len(f) != 5 {
		return schedule
	}
	minute, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	var parts []string
	mn, mok := strconv.Atoi(minute)
	hr, hok := strconv.Atoi(hour)
	switch {
	case mok == nil && hok == nil:
		parts = append(parts, fmt.Sprintf("at %02d:%02d", hr, mn))
	default:
		parts = append(parts, describeMinute(minute))
		if !isStar(hour) {
			parts = append(parts, "past "+describeList(hour, "hour", "hours", nil))
		}
	}
	var days []string
	if !isStar(dom) {
		days = append(days, "on "+describeList(dom, "day-of-month", "days-of-month", nil))
	}
	if !isStar(dow) {
		days = append(days, "on "+describeList(dow, "day", "days", dayNames))
	}
	if len(days) > 0 {
		// robfig/cron: when both are restricted, either matching is enough.
		parts = append(parts, strings.Join(days, " or "))
	}
	if !isStar(month) {
		parts = append(parts, "in "+describeList(month, "month", "months", monthNames))
	}
	return strings.Join(parts, ", ")
}

func isStar(f string) bool { return f == "*" || f == "?" }

func describeMinute(f string) string {
	switch {
	case isStar(f) || f == "*/1":
		return "every minute"
	case strings.HasPrefix(f, "*/"):
		return "every " + f[2:] + " minutes"
	}
	return "at " + describeList(f, "minute", "minutes", nil)
}

// describeList words a comma-separated cron field: "Monday through Friday",
// "every 4th hour from 6 through 16", "minutes 0, 15 and 30".
func describeList(f, one, many string, names []string) string {
	items := strings.Split(f, ",")
	var words []string
	plural := len(items) > 1
	for _, it := range items {
		rng, step, hasStep := strings.Cut(it, "/")
		lo, hi, isRange := strings.Cut(rng, "-")
		switch {
		case hasStep && isStar(rng):
			words = append(words, fmt.Sprintf("every %s %s", ordinal(step), one))
		case hasStep && isRange:
			words = append(words, fmt.Sprintf("every %s %s from %s through %s", ordinal(step), one, name(lo, names), name(hi, names)))
		case hasStep:
			words = append(words, fmt.Sprintf("every %s %s from %s", ordinal(step), one, name(lo, names)))
		case isRange:
			words = append(words, name(lo, names)+" through "+name(hi, names))
			plural = true
		default:
			words = append(words, name(it, names))
		}
	}
	list := words[0]
	if len(words) > 1 {
		list = strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
	}
	if names != nil || strings.HasPrefix(list, "every ") {
		return list
	}
	if plural {
		return many + " " + list
	}
	return one + " " + list
}

func name(v string, names []string) string {
	if n, err := strconv.Atoi(v); err == nil && names != nil && n >= 0 && n < len(names) && names[n] != "" {
		return names[n]
	}
	if names != nil && len(v) == 3 {
		for _, n := range names {
			if strings.EqualFold(n[:min(3, len(n))], v) {
				return n
			}
		}
	}
	return v
}

func ordinal(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
