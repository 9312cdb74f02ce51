package cronexplain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

func (s *state) stats() {
	st := &s.e.Stats
	var durations, delays []float64
	for _, sl := range s.allSlots {
		switch sl.Outcome {
		case OutcomeSkipped:
			st.Skipped++
			continue
		case OutcomeLate:
			st.Late++
		}
		if sl.Run == nil {
			continue
		}
		st.Runs++
		switch sl.Run.Phase {
		case explain.PhaseComplete:
			st.Succeeded++
		case explain.PhaseFailed:
			st.Failed++
		default:
			st.Running++
		}
		if sl.Run.Phase.Finished() && sl.Run.DurationSeconds != nil {
			durations = append(durations, *sl.Run.DurationSeconds)
		}
		if sl.StartDelaySeconds != nil {
			delays = append(delays, *sl.StartDelaySeconds)
		}
	}
	if n := st.Succeeded + st.Failed; n > 0 {
		st.Success = ptr.To(float64(st.Succeeded) / float64(n))
	}
	st.DurationP50, st.DurationP95 = percentile(durations, 50), percentile(durations, 95)
	st.DelayP50, st.DelayP95 = percentile(delays, 50), percentile(delays, 95)
}

// activeRuns are the runs that have not finished, oldest first.
func (s *state) activeRuns() []*run {
	var out []*run
	for _, r := range s.runs {
		if r.end == nil {
			out = append(out, r)
		}
	}
	return out
}

func jobNames(runs []*run) string {
	var names []string
	for _, r := range runs {
		names = append(names, r.job.Name)
	}
	return strings.Join(names, ", ")
}

// dueSlot is the slot the controller would act on now: the most recent one
// after max(lastScheduleTime or creation, now - startingDeadlineSeconds).
func (s *state) dueSlot() (time.Time, bool) {
	earliest := s.cj.CreationTimestamp.Time
	if lst := s.cj.Status.LastScheduleTime; lst != nil {
		earliest = lst.Time
	}
	if d := s.cj.Spec.StartingDeadlineSeconds; d != nil {
		if dl := s.now.Add(-time.Duration(*d) * time.Second); dl.After(earliest) {
			earliest = dl
		}
	}
	var due time.Time
	n := 0
	for t := s.sched.Schedule.Next(earliest); !t.IsZero() && !t.After(s.now) && n < maxEnumerated; t = s.sched.Schedule.Next(t) {
		due, n = t, n+1
	}
	return due, !due.IsZero() && s.bySlot[due.Unix()] == nil
}

func (s *state) nextAction() {
	sp, e := s.e.Spec, s.e
	if s.suspended() {
		msg := "nothing while spec.suspend is true"
		if due, ok := s.dueSlot(); ok {
			msg += fmt.Sprintf("; on resume the controller at once creates %s for the most recent missed slot %s", JobName(s.cj.Name, due), due.UTC().Format(time.RFC3339))
			if sp.StartingDeadlineSeconds == nil {
				msg += " (set startingDeadlineSeconds to avoid that)"
			}
		}
		e.NextAction = NextAction{Action: ActionNothing, Message: msg}
		return
	}
	if d := sp.StartingDeadlineSeconds; d != nil && *d == 0 {
		e.NextAction = NextAction{Action: ActionSkip, At: ptr.To(metaTime(s.sched.Schedule.Next(s.now))),
			Message: "skips every slot: with startingDeadlineSeconds 0 the controller, which looks shortly after each slot, is always past the deadline"}
		return
	}
	active := s.activeRuns()
	forbid := sp.ConcurrencyPolicy == string(batchv1.ForbidConcurrent)
	if due, ok := s.dueSlot(); ok {
		name := JobName(s.cj.Name, due)
		d := sp.StartingDeadlineSeconds
		if d == nil || !due.Add(time.Duration(*d)*time.Second).Before(s.now) {
			if forbid && len(active) > 0 {
				msg := fmt.Sprintf("slot %s waits: %s is still active (Forbid); the controller creates %s as soon as it finishes", due.UTC().Format(time.RFC3339), jobNames(active), name)
				if d != nil {
					msg += fmt.Sprintf(", if that is before %s (startingDeadlineSeconds)", due.Add(time.Duration(*d)*time.Second).UTC().Format(time.RFC3339))
				}
				e.NextAction = NextAction{Action: ActionSkip, Job: name, Message: msg}
				return
			}
			msg := fmt.Sprintf("slot %s is due: the controller creates %s now", due.UTC().Format(time.RFC3339), name)
			if ev := s.failedCreateIn(due, s.sched.Schedule.Next(due)); ev != nil {
				msg = fmt.Sprintf("slot %s is due: the controller keeps retrying %s, refused %d times so far: %s", due.UTC().Format(time.RFC3339), name, ev.Count, ev.Message)
			} else if q := s.fullQuota(); q != "" {
				msg = fmt.Sprintf("slot %s is due: the controller keeps retrying %s, but the %s", due.UTC().Format(time.RFC3339), name, q)
			}
			e.NextAction = NextAction{Action: ActionCreate, At: ptr.To(metaTime(s.now)), Job: name, Message: msg}
			return
		}
	}
	next := s.sched.Schedule.Next(s.now)
	name := JobName(s.cj.Name, next)
	at := ptr.To(metaTime(next))
	switch {
	case forbid && len(active) > 0:
		e.NextAction = NextAction{Action: ActionSkip, At: at, Job: name, Message: fmt.Sprintf("skips %s at %s if %s is still active (Forbid); it then starts late, when that run finishes", name, next.UTC().Format(time.RFC3339), jobNames(active))}
	case sp.ConcurrencyPolicy == string(batchv1.ReplaceConcurrent) && len(active) > 0:
		e.NextAction = NextAction{Action: ActionReplace, At: at, Job: name, Message: fmt.Sprintf("deletes %s and creates %s at %s (Replace)", jobNames(active), name, next.UTC().Format(time.RFC3339))}
	default:
		e.NextAction = NextAction{Action: ActionCreate, At: at, Job: name, Message: fmt.Sprintf("creates %s at %s", name, next.UTC().Format(time.RFC3339))}
	}
}

// lastFinished is the run of the newest slot that has finished.
func (s *state) lastFinished() *run {
	for i := len(s.runs) - 1; i >= 0; i-- {
		if s.runs[i].end != nil {
			return s.runs[i]
		}
	}
	return nil
}

// countReasons words {reason: count} as "2 MissSchedule, 1 Superseded".
func countReasons(slots []Slot, outcome SlotOutcome, skip string) (int, string) {
	counts := map[string]int{}
	n := 0
	for _, sl := range slots {
		if sl.Outcome == outcome && sl.Reason != skip {
			counts[sl.Reason]++
			n++
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return n, strings.Join(parts, ", ")
}

func firstReason(words string) string {
	if _, after, ok := strings.Cut(words, " "); ok {
		before, _, _ := strings.Cut(after, ",")
		return before
	}
	return ""
}

func (s *state) verdict() {
	e, sp := s.e, s.e.Spec
	total := len(s.allSlots)
	active := s.activeRuns()
	missing, missingWords := countReasons(s.allSlots, OutcomeSkipped, ReasonSuspended)
	late, lateWords := countReasons(s.allSlots, OutcomeLate, "")
	last := s.lastFinished()
	forbidSkips, _ := countReasons(s.allSlots, OutcomeSkipped, "")
	switch {
	case s.suspended():
		n, _ := countReasons(s.allSlots, OutcomeSkipped, "")
		e.Verdict = Verdict{Phase: PhaseSuspended, Reason: "Suspended", Message: fmt.Sprintf("spec.suspend is true: no Job is created; %d of %d slots in the window skipped", n, total)}
	case sp.ConcurrencyPolicy == string(batchv1.ForbidConcurrent) && len(active) > 0 && s.blockedBy(active[0]) > 0:
		a := active[0]
		e.Verdict = Verdict{Phase: PhaseBlocked, Reason: ReasonForbid, Message: fmt.Sprintf("%s has been active for %s (%s) and concurrencyPolicy Forbid skipped %d %s since",
			a.job.Name, explain.FormatDuration(s.now.Sub(a.job.CreationTimestamp.Time)), a.ex.Verdict.Phase, s.blockedBy(a), pluralWord(s.blockedBy(a), "slot", "slots"))}
	case last != nil && last.ex.Verdict.Phase == explain.PhaseFailed:
		e.Verdict = Verdict{Phase: PhaseFailing, Reason: last.ex.Verdict.Reason, Message: fmt.Sprintf("the last run %s failed: %s", last.job.Name, last.ex.Verdict.Message)}
	case missing > 0:
		e.Verdict = Verdict{Phase: PhaseMissing, Reason: firstReason(missingWords), Message: fmt.Sprintf("%d of %d slots in the window did not run: %s", missing, total, missingWords)}
	case late > 0:
		e.Verdict = Verdict{Phase: PhaseLate, Reason: firstReason(lateWords), Message: fmt.Sprintf("%d of %d runs in the window started late (%s), up to +%s", late, total-forbidSkips, lateWords, explain.FormatDuration(s.maxDelay()))}
	case total == 0:
		e.Verdict = Verdict{Phase: PhaseHealthy, Message: "no slot in the window yet; " + e.NextAction.Message}
	default:
		msg := fmt.Sprintf("%d of %d slots in the window ran on time", total, total)
		if last != nil {
			msg += fmt.Sprintf("; the last finished run %s is %s", last.job.Name, last.ex.Verdict.Phase)
		}
		e.Verdict = Verdict{Phase: PhaseHealthy, Message: msg}
	}
}

// blockedBy counts the slots skipped (Forbid) while a was active.
func (s *state) blockedBy(a *run) int {
	n := 0
	for _, sl := range s.allSlots {
		if sl.Outcome == OutcomeSkipped && sl.Reason == ReasonForbid && sl.Time.After(a.job.CreationTimestamp.Time) {
			n++
		}
	}
	return n
}

func (s *state) maxDelay() time.Duration {
	var m float64
	for _, sl := range s.allSlots {
		if sl.Outcome == OutcomeLate && sl.StartDelaySeconds != nil && *sl.StartDelaySeconds > m {
			m = *sl.StartDelaySeconds
		}
	}
	return time.Duration(m * float64(time.Second))
}

func (s *state) warnings() {
	e, sp := s.e, s.e.Spec
	warn := func(format string, a ...any) { e.Warnings = append(e.Warnings, fmt.Sprintf(format, a...)) }
	if s.sched.ZoneAssumed {
		warn("spec.timeZone is unset: the controller uses the time zone of kube-controller-manager; UTC is assumed here")
	}
	if s.sched.Unsupported {
		warn("the schedule carries TZ= or CRON_TZ=, which Kubernetes does not support (UnsupportedSchedule event): set spec.timeZone instead")
	}
	switch d := sp.StartingDeadlineSeconds; {
	case d != nil && *d == 0:
		warn("startingDeadlineSeconds 0: the controller looks 100 ms after each slot, already past the deadline, so it never creates a Job, and records no event")
	case d != nil && *d < ShortDeadline:
		warn("startingDeadlineSeconds %d is under %d s: the controller wakes shortly after each slot but may be seconds late, and then skips the run (MissSchedule)", *d, ShortDeadline)
	}
	if sp.FailedJobsHistoryLimit == 0 {
		warn("failedJobsHistoryLimit is 0: a failed run is deleted as soon as it fails, so failures never show in the Job list")
	}
	if sp.ConcurrencyPolicy == string(batchv1.ForbidConcurrent) && sp.JobActiveDeadlineSeconds == nil {
		warn("concurrencyPolicy Forbid and the Job template has no activeDeadlineSeconds: a run that never finishes blocks every later slot")
	}
	if active := s.activeRuns(); sp.ConcurrencyPolicy == string(batchv1.AllowConcurrent) && len(active) > 1 {
		warn("%d runs are active at once (concurrencyPolicy Allow): %s", len(active), jobNames(active))
	}
	for _, n := range e.NextRuns {
		if n.DST != "" {
			warn("next run %s is at a daylight-saving change: %s", n.Local, n.DST)
		}
	}
	if lst := s.cj.Status.LastScheduleTime; lst != nil && !s.suspended() {
		if missed := s.countSlots(lst.Time, tooManyMissed+1); missed > tooManyMissed {
			warn("more than %d start times were missed since lastScheduleTime %s: the controller records TooManyMissedTimes and runs only the most recent one", tooManyMissed, lst.UTC().Format(time.RFC3339))
		}
	}
	if s.in.EventsUnknown {
		warn("the events could not be read: the reasons rest on the Jobs and the CronJob status alone")
	}
}

// countSlots counts the slots after from up to now, stopping at limit.
func (s *state) countSlots(from time.Time, limit int) int {
	n := 0
	for t := s.sched.Schedule.Next(from); !t.IsZero() && !t.After(s.now) && n < limit; t = s.sched.Schedule.Next(t) {
		n++
	}
	return n
}

func (s *state) nextSteps() {
	e := s.e
	ns := " -n " + s.cj.Namespace
	switch e.Verdict.Phase {
	case PhaseSuspended:
		e.NextSteps = append(e.NextSteps, fmt.Sprintf(`resume it: kubectl patch cronjob %s%s -p '{"spec":{"suspend":false}}'`, s.cj.Name, ns))
	case PhaseBlocked:
		e.NextSteps = append(e.NextSteps, fmt.Sprintf("see why %s does not finish: kubectl job explain %s%s", s.activeRuns()[0].job.Name, s.activeRuns()[0].job.Name, ns))
	case PhaseFailing:
		e.NextSteps = append(e.NextSteps, fmt.Sprintf("see why the last run failed: kubectl job explain %s%s", s.lastFinished().job.Name, ns))
	case PhaseMissing, PhaseLate:
		e.NextSteps = append(e.NextSteps, fmt.Sprintf("read the controller's events: kubectl get events%s --field-selector involvedObject.kind=CronJob,involvedObject.name=%s", ns, s.cj.Name))
	}
	e.NextSteps = append(e.NextSteps, fmt.Sprintf("list its Jobs: kubectl job list --cronjob %s%s", s.cj.Name, ns))
}
