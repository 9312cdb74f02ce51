package cronexplain

import (
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
)

// The next-runs oracle: for random schedules in five time zones, the
// engine's next runs (NextRuns, which uses the controller's cron library)
// are compared with a brute force written here from crontab(5): walk every
// minute, convert it to the zone with Go's time package, match the five
// fields. It never calls robfig/cron. Every disagreement must fall in a
// category documented in the README (a DST repeat or gap, or the "*/N"
// day-of-month/day-of-week rule); any other fails the test, and the counts
// per category are printed.

var oracleZones = []string{"America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC"}

// bruteSpec is a schedule as crontab(5) reads it.
type bruteSpec struct {
	fields [5]map[int]bool
	// domStar / dowStar: the field starts with "*" (or is "?"), which
	// crontab(5) calls unrestricted.
	domStar, dowStar bool
	// starItem: some item of the field is "*", "?" or "*/1": the other
	// reading of "unrestricted" (a "*/N" field with N > 1 counts as
	// restricted), for the star-step-days category.
	domStarItem, dowStarItem bool
	orDays                   bool
	every                    time.Duration
}

var fieldBounds = [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}}

var oracleNames = [5]map[string]int{3: {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12},
	4: {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}}

var oracleDescriptors = map[string]string{"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
	"@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}

func parseBrute(t *testing.T, spec string) bruteSpec {
	t.Helper()
	var b bruteSpec
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		dur, err := time.ParseDuration(d)
		if err != nil {
			t.Fatal(err)
		}
		b.every = dur
		return b
	}
	if exp, ok := oracleDescriptors[spec]; ok {
		spec = exp
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		t.Fatalf("bad spec %q", spec)
	}
	for i, field := range f {
		b.fields[i] = map[int]bool{}
		for _, item := range strings.Split(field, ",") {
			lo, hi, step := fieldBounds[i][0], fieldBounds[i][1], 1
			rng, st, hasStep := strings.Cut(item, "/")
			if hasStep {
				step = atoi(t, st)
			}
			switch a, z, isRange := strings.Cut(rng, "-"); {
			case rng == "*" || rng == "?":
			case isRange:
				lo, hi = value(t, a, i), value(t, z, i)
			case hasStep:
				lo = value(t, rng, i)
			default:
				lo, hi = value(t, rng, i), value(t, rng, i)
			}
			for v := lo; v <= hi; v += step {
				b.fields[i][v] = true
			}
		}
	}
	b.domStar = strings.HasPrefix(f[2], "*") || f[2] == "?"
	b.dowStar = strings.HasPrefix(f[4], "*") || f[4] == "?"
	b.domStarItem, b.dowStarItem = hasStarItem(f[2]), hasStarItem(f[4])
	return b
}

func hasStarItem(field string) bool {
	for _, item := range strings.Split(field, ",") {
		switch item {
		case "*", "?", "*/1", "?/1":
			return true
		}
	}
	return false
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad number %q", s)
	}
	return n
}

func value(t *testing.T, s string, field int) int {
	if n, ok := oracleNames[field][strings.ToLower(s)]; ok {
		return n
	}
	return atoi(t, s)
}

func (b bruteSpec) matches(lt time.Time) bool {
	f := b.fields
	if !f[0][lt.Minute()] || !f[1][lt.Hour()] || !f[3][int(lt.Month())] {
		return false
	}
	dom, dow := f[2][lt.Day()], f[4][int(lt.Weekday())]
	domStar, dowStar := b.domStar, b.dowStar
	if b.orDays {
		domStar, dowStar = b.domStarItem, b.dowStarItem
	}
	if domStar || dowStar {
		return dom && dow
	}
	return dom || dow
}

// bruteNext lists the instants after start, up to n or the horizon.
func (b bruteSpec) bruteNext(start time.Time, loc *time.Location, n int, horizon time.Time) []time.Time {
	var out []time.Time
	if b.every > 0 {
		step := b.every.Truncate(time.Second)
		if step < time.Second {
			step = time.Second
		}
		t := start.Truncate(time.Second)
		for len(out) < n && !t.After(horizon) {
			t = t.Add(step)
			out = append(out, t)
		}
		return out
	}
	for t := start.Truncate(time.Minute).Add(time.Minute); len(out) < n && !t.After(horizon); t = t.Add(time.Minute) {
		if b.matches(t.In(loc)) {
			out = append(out, t)
		}
	}
	return out
}

// randomSchedule makes a schedule from every construct the standard parser
// takes: steps, ranges, lists, month and day names, "?", descriptors, @every.
func randomSchedule(r *rand.Rand) string {
	switch r.Intn(20) {
	case 0:
		keys := []string{"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"}
		return keys[r.Intn(len(keys))]
	case 1:
		return fmt.Sprintf("@every %dm%ds", r.Intn(90), 1+r.Intn(59))
	}
	var f [5]string
	for i := range f {
		f[i] = randomField(r, i)
	}
	return strings.Join(f[:], " ")
}

func randomField(r *rand.Rand, i int) string {
	lo, hi := fieldBounds[i][0], fieldBounds[i][1]
	num := func(a, b int) string {
		v := a + r.Intn(b-a+1)
		if i >= 3 && r.Intn(3) == 0 {
			for name, n := range oracleNames[i] {
				if n == v {
					return strings.ToUpper(name[:1]) + name[1:]
				}
			}
		}
		return strconv.Itoa(v)
	}
	// Dense fields make runs within the horizon likely: hours, days and
	// months are mostly "*".
	star := []int{2, 5, 5, 8, 6}[i]
	var items []string
	for n := 1 + r.Intn(2); len(items) < n; {
		switch k := r.Intn(10 + star); {
		case k >= 10:
			if i >= 2 && r.Intn(4) == 0 {
				return "?"
			}
			return "*"
		case k < 3:
			items = append(items, num(lo, hi))
		case k < 5:
			a := lo + r.Intn(hi-lo+1)
			b := a + r.Intn(hi-a+1)
			items = append(items, num(a, a)+"-"+num(b, b))
		case k < 7:
			items = append(items, fmt.Sprintf("*/%d", 1+r.Intn((hi-lo)/2+1)))
		case k < 9:
			a := lo + r.Intn(hi-lo+1)
			b := a + r.Intn(hi-a+1)
			items = append(items, fmt.Sprintf("%d-%d/%d", a, b, 1+r.Intn(6)))
		default:
			items = append(items, fmt.Sprintf("%d/%d", lo+r.Intn(hi-lo+1), 1+r.Intn(10)))
		}
	}
	return strings.Join(items, ",")
}

var transitionsCache = map[string][]time.Time{}

// dstTransitions are the offset changes of loc in year.
func dstTransitions(loc *time.Location, year int) []time.Time {
	key := fmt.Sprintf("%s/%d", loc, year)
	if c, ok := transitionsCache[key]; ok {
		return c
	}
	var out []time.Time
	defer func() { transitionsCache[key] = out }()
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	_, prev := t.Zone()
	for ; t.Year() == year; t = t.Add(time.Hour) {
		if _, off := t.Zone(); off != prev {
			out = append(out, transitionWithin(t.Add(-time.Hour), t))
			prev = off
		}
	}
	return out
}

func transitionWithin(a, b time.Time) time.Time {
	_, before := a.Zone()
	for t := a.Truncate(time.Minute); ; t = t.Add(time.Minute) {
		if _, off := t.Zone(); off != before || !t.Before(b) {
			return t
		}
	}
}

// category names why an instant is in one list and not the other, from
// the zone alone: the wall-clock time repeats (the clocks went back over
// it) or lies within an hour of the clocks going forward.
func category(t time.Time, loc *time.Location) string {
	for _, tr := range dstTransitions(loc, t.In(loc).Year()) {
		_, before := tr.Add(-time.Second).Zone()
		_, after := tr.Zone()
		shift := time.Duration(before-after) * time.Second
		switch {
		case shift > 0 && !t.Before(tr.Add(-shift)) && t.Before(tr.Add(shift)):
			return "dst-repeat"
		case shift < 0 && !t.Before(tr.Add(-2*time.Hour)) && t.Before(tr.Add(2*time.Hour)):
			return "dst-gap"
		}
	}
	return ""
}

func TestNextRunsAgainstBruteForce(t *testing.T) {
	// Schedules are drawn until 1000 of them have runs within the 8-day
	// horizon in every zone (sparse ones, such as a day-of-month in
	// another month, compare two empty lists and do not count).
	const schedules = 1000
	r := rand.New(rand.NewSource(18))
	counts := map[string]int{}
	var examples = map[string]string{}
	compared, withRuns, drawn, nearDST := 0, 0, 0, 0
	for withRuns < schedules && drawn < 5*schedules {
		drawn++
		spec := randomSchedule(r)
		b := parseBrute(t, spec)
		allRun := true
		for _, zone := range oracleZones {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			// Start near a DST change of the zone half the time.
			start := time.Date(2026, time.Month(1+r.Intn(12)), 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60), 0, loc)
			if trs := dstTransitions(loc, 2026); len(trs) > 0 && r.Intn(2) == 0 {
				start = trs[r.Intn(len(trs))].Add(-time.Duration(r.Intn(4*60)) * time.Minute).Add(time.Duration(r.Intn(60)) * time.Second)
			}
			res := compareNextRuns(t, spec, b, zone, loc, start)
			compared++
			allRun = allRun && res.runs
			if res.nearDST {
				nearDST++
			}
			counts[res.category]++
			if res.category == "unexplained" {
				t.Errorf("%s", res.detail)
			}
			if _, ok := examples[res.category]; !ok {
				examples[res.category] = res.detail
			}
		}
		if allRun {
			withRuns++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-16s %5d cases  e.g. %s", k, counts[k], examples[k])
	}
	t.Logf("%d schedules drawn, %d with runs within 8 days in all %d zones; %d cases compared, %d with a run within 2 hours of a DST change",
		drawn, withRuns, len(oracleZones), compared, nearDST)
	if withRuns < schedules {
		t.Errorf("only %d schedules with runs in every zone, want %d", withRuns, schedules)
	}
	if nearDST < 500 {
		t.Errorf("only %d cases had a run near a DST change, want 500", nearDST)
	}
}

type comparison struct {
	category      string // agree, star-step-days, dst-repeat, dst-gap or unexplained
	detail        string
	runs, nearDST bool
}

// compareNextRuns compares the engine's next 20 runs of spec in zone from
// start with the brute force in loc, over 8 days at most.
func compareNextRuns(t *testing.T, spec string, b bruteSpec, zone string, loc *time.Location, start time.Time) comparison {
	t.Helper()
	cj := &batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: spec, TimeZone: &zone}}
	p, err := ParseSchedule(cj)
	if err != nil {
		t.Fatalf("%q: %v", spec, err)
	}
	const n = 20
	var got []time.Time
	for _, nr := range p.NextRuns(start, n) {
		got = append(got, nr.Time.Time)
	}
	horizon := start.Add(8 * 24 * time.Hour)
	want := b.bruteNext(start, loc, n, horizon)
	// Compare up to the earlier end of the two lists.
	end := horizon
	if len(got) == n && got[n-1].Before(end) {
		end = got[n-1]
	}
	if len(want) == n && want[n-1].Before(end) {
		end = want[n-1]
	}
	res := comparison{runs: len(want) > 0}
	for _, w := range want {
		if !w.After(end) && nearTransition(w, loc) {
			res.nearDST = true
			break
		}
	}
	onlyGot, onlyWant := diffTimes(got, want, end)
	res.detail = fmt.Sprintf("%q in %s from %s: only the library %v, only the brute force %v", spec, zone, start.Format(time.RFC3339), fmtTimes(onlyGot, loc), fmtTimes(onlyWant, loc))
	if len(onlyGot)+len(onlyWant) == 0 {
		res.category = "agree"
		return res
	}
	if b.every == 0 {
		or := b
		or.orDays = true
		if og, ow := diffTimes(got, or.bruteNext(start, loc, n, horizon), end); len(og)+len(ow) == 0 {
			res.category = "star-step-days"
			return res
		}
	}
	for _, x := range append(onlyGot, onlyWant...) {
		c := category(x, loc)
		if c == "" {
			res.category = "unexplained"
			return res
		}
		res.category = c
	}
	return res
}

// The negative control: the oracle must catch a schedule computed in the
// wrong zone (the engine handed UTC while the CronJob says New York).
func TestNextRunsOracleCatchesWrongZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	for _, spec := range []string{"0 9 * * *", "30 6-16/4 * * 1-5", "*/7 3 * * *"} {
		if res := compareNextRuns(t, spec, parseBrute(t, spec), "UTC", ny, start); res.category != "unexplained" {
			t.Errorf("%q computed in UTC but checked in New York: the oracle says %s, want unexplained", spec, res.category)
		}
		if res := compareNextRuns(t, spec, parseBrute(t, spec), "America/New_York", ny, start); res.category != "agree" {
			t.Errorf("%q in New York: %s", spec, res.detail)
		}
	}
}

// DST cases written out by hand: the controller runs a wall-clock time the
// clocks repeat twice, and skips one the clocks jump over.
func TestNextRunsAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone, spec, from string
		want             []string
	}{
		{"America/New_York", "30 1 * * *", "2026-10-31T12:00:00-04:00", []string{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"}},
		{"America/New_York", "30 2 * * *", "2026-03-07T12:00:00-05:00", []string{"2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"}},
		{"Europe/Berlin", "15 2 * * *", "2026-10-24T12:00:00+02:00", []string{"2026-10-25T02:15:00+02:00", "2026-10-25T02:15:00+01:00", "2026-10-26T02:15:00+01:00"}},
		{"Europe/Berlin", "15 2 * * *", "2026-03-28T12:00:00+01:00", []string{"2026-03-30T02:15:00+02:00"}},
		{"Australia/Sydney", "0 2 * * *", "2026-04-04T12:00:00+11:00", []string{"2026-04-05T02:00:00+11:00", "2026-04-05T02:00:00+10:00", "2026-04-06T02:00:00+10:00"}},
		{"Australia/Sydney", "0 2 * * *", "2026-10-03T12:00:00+10:00", []string{"2026-10-05T02:00:00+11:00"}},
		{"Asia/Kolkata", "0 9 * * *", "2026-03-07T12:00:00+05:30", []string{"2026-03-08T09:00:00+05:30"}},
	} {
		zone := tc.zone
		p, err := ParseSchedule(&batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: tc.spec, TimeZone: &zone}})
		if err != nil {
			t.Fatal(err)
		}
		from, err := time.Parse(time.RFC3339, tc.from)
		if err != nil {
			t.Fatal(err)
		}
		runs := p.NextRuns(from, len(tc.want))
		for i, w := range tc.want {
			if runs[i].Local != w {
				t.Errorf("%s %q from %s: run %d is %s, want %s", tc.zone, tc.spec, tc.from, i, runs[i].Local, w)
			}
		}
		if strings.Contains(tc.want[0], "T01:30:00-04:00") && runs[0].DST == "" {
			t.Errorf("%s: the repeated 01:30 carries no DST note", tc.zone)
		}
	}
}

func nearTransition(t time.Time, loc *time.Location) bool {
	for _, tr := range dstTransitions(loc, t.In(loc).Year()) {
		if d := t.Sub(tr); d > -2*time.Hour && d < 2*time.Hour {
			return true
		}
	}
	return false
}

func diffTimes(got, want []time.Time, end time.Time) (onlyGot, onlyWant []time.Time) {
	in := func(list []time.Time, x time.Time) bool {
		for _, y := range list {
			if y.Equal(x) {
				return true
			}
		}
		return false
	}
	for _, g := range got {
		if !g.After(end) && !in(want, g) {
			onlyGot = append(onlyGot, g)
		}
	}
	for _, w := range want {
		if !w.After(end) && !in(got, w) {
			onlyWant = append(onlyWant, w)
		}
	}
	return onlyGot, onlyWant
}

func fmtTimes(ts []time.Time, loc *time.Location) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.In(loc).Format("2006-01-02T15:04:05Z07:00"))
	}
	return out
}
