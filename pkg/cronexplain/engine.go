// Package cronexplain explains a CronJob: every slot of a window with one
// classification (ran, late and why, skipped and why), what the history
// limits keep, statistics, the next runs and what the controller does next.
// It is pure, like pkg/explain: a CronJob, its Jobs, their pods and events
// and a "now" in, a CronJobExplanation out; no client, no clock, no I/O.
// Each run's own outcome comes from explain.Explain.
package cronexplain

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Defaults of the CronJob API and the engine.
const (
	DefaultSince          = 24 * time.Hour
	DefaultNext           = 5
	DefaultSuccessfulKept = 3
	DefaultFailedKept     = 1
	// MaxSlots bounds the slots listed (the newest are kept).
	MaxSlots = 2000
	// maxEnumerated bounds the slots walked in a window (a */1 schedule
	// over 70 days).
	maxEnumerated = 100000
	// tooManyMissed is the controller's TooManyMissedTimes threshold.
	tooManyMissed = 100
	// ShortDeadline is the startingDeadlineSeconds under which the
	// controller, which wakes shortly after a slot but may be seconds late,
	// can miss every run.
	ShortDeadline = 10

	annotationManual = "cronjob.kubernetes.io/instantiate"
)

// ManualRun reports whether job was created by hand from its CronJob
// (kubectl create job --from=cronjob/NAME, kubectl job create --from and
// rerun of a CronJob's run set cronjob.kubernetes.io/instantiate: manual):
// not a scheduled run, whatever its name.
func ManualRun(job *batchv1.Job) bool {
	return job.Annotations[annotationManual] == "manual"
}

// run is one scheduled Job with the facts the classification needs.
type run struct {
	job  *batchv1.Job
	slot time.Time
	ex   *explain.JobExplanation
	end  *time.Time // when it stopped being active; nil while it runs
}

type state struct {
	in     Input
	cj     *batchv1.CronJob
	now    time.Time
	e      *CronJobExplanation
	sched  *ParsedSchedule
	runs   []*run // scheduled runs, by slot
	bySlot map[int64]*run
	events []Event
	// From the CronJob's events, by slot (Unix seconds) or time span.
	createdAt    map[string]time.Time // SuccessfulCreate events
	deletedAt    map[string]time.Time // SuccessfulDelete events: Replace, or the history limits
	missed       map[int64]bool
	failedCreate []Event
	// allSlots are every slot of the window (e.Slots may omit old ones).
	allSlots []Slot
}

// Explain classifies every slot of the window and says what happens next.
func Explain(in Input) *CronJobExplanation {
	if in.Since <= 0 {
		in.Since = DefaultSince
	}
	switch {
	case in.Next == 0:
		in.Next = DefaultNext
	case in.Next < 0:
		in.Next = 0
	}
	cj := in.CronJob
	e := &CronJobExplanation{
		TypeMeta:   metav1.TypeMeta{APIVersion: explain.APIVersion, Kind: Kind},
		ObjectMeta: metav1.ObjectMeta{Name: cj.Name, Namespace: cj.Namespace, UID: cj.UID, CreationTimestamp: cj.CreationTimestamp},
		ObservedAt: metaTime(in.Now),
		NextRuns:   []NextRun{},
		Slots:      []Slot{},
		Events:     []Event{},
	}
	s := &state{in: in, cj: cj, now: in.Now, e: e, bySlot: map[int64]*run{},
		createdAt: map[string]time.Time{}, deletedAt: map[string]time.Time{}, missed: map[int64]bool{}}
	s.summarize()
	s.readEvents()
	s.readJobs()
	s.history()
	sched, err := ParseSchedule(cj)
	if err == nil {
		err = sched.Validate(cj, in.Now)
	}
	if err != nil {
		s.invalid(err)
		return e
	}
	s.sched = sched
	e.Schedule.TimeZone = sched.Location.String()
	e.Schedule.ZoneAssumed = sched.ZoneAssumed
	e.NextRuns = sched.NextRuns(in.Now, in.Next)
	s.classify()
	s.stats()
	s.nextAction()
	s.verdict()
	s.warnings()
	s.nextSteps()
	return e
}

func metaTime(t time.Time) metav1.Time { return metav1.NewTime(t) }

func (s *state) summarize() {
	cj, e := s.cj, s.e
	e.Schedule = Schedule{Expression: cj.Spec.Schedule, Description: Describe(cj.Spec.Schedule)}
	if cj.Spec.TimeZone != nil {
		e.Schedule.TimeZone = *cj.Spec.TimeZone
	}
	e.Spec = Spec{
		ConcurrencyPolicy:          string(cj.Spec.ConcurrencyPolicy),
		Suspend:                    cj.Spec.Suspend != nil && *cj.Spec.Suspend,
		StartingDeadlineSeconds:    cj.Spec.StartingDeadlineSeconds,
		SuccessfulJobsHistoryLimit: deref(cj.Spec.SuccessfulJobsHistoryLimit, DefaultSuccessfulKept),
		FailedJobsHistoryLimit:     deref(cj.Spec.FailedJobsHistoryLimit, DefaultFailedKept),
		JobTTLSecondsAfterFinished: cj.Spec.JobTemplate.Spec.TTLSecondsAfterFinished,
		JobActiveDeadlineSeconds:   cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds,
		SuspendChangedAt:           suspendChangedAt(cj),
	}
	if e.Spec.ConcurrencyPolicy == "" {
		e.Spec.ConcurrencyPolicy = string(batchv1.AllowConcurrent)
	}
	e.Status = Status{LastScheduleTime: cj.Status.LastScheduleTime, LastSuccessfulTime: cj.Status.LastSuccessfulTime}
	for _, a := range cj.Status.Active {
		e.Status.Active = append(e.Status.Active, a.Name)
	}
	start := s.now.Add(-s.in.Since)
	if cj.CreationTimestamp.After(start) {
		start = cj.CreationTimestamp.Time
	}
	e.Window = Window{Start: metaTime(start), End: metaTime(s.now)}
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// suspendChangedAt is the time of the newest managedFields entry that owns
// spec.suspend: the server records, per manager, when it last wrote.
func suspendChangedAt(cj *batchv1.CronJob) *metav1.Time {
	var at *metav1.Time
	for _, mf := range cj.ManagedFields {
		if mf.FieldsV1 == nil || mf.Time == nil || mf.Subresource != "" {
			continue
		}
		if strings.Contains(mf.FieldsV1.GetRawString(), `"f:suspend"`) && (at == nil || mf.Time.After(at.Time)) {
			at = mf.Time
		}
	}
	return at
}

func (s *state) suspended() bool { return s.e.Spec.Suspend }

// readEvents keeps the CronJob's events and reads the slots they name.
func (s *state) readEvents() {
	type key struct{ typ, reason, message string }
	merged := map[key]*Event{}
	var order []key
	for i := range s.in.Events {
		ev := &s.in.Events[i]
		io := ev.InvolvedObject
		if io.Kind != "CronJob" || !sameObject(io, s.cj.UID, s.cj.Name, s.cj.Namespace) {
			continue
		}
		first, last := ev.FirstTimestamp.Time, eventLast(ev)
		if first.IsZero() {
			first = last
		}
		count := max(ev.Count, 1)
		if ev.Series != nil && ev.Series.Count > count {
			count = ev.Series.Count
		}
		k := key{ev.Type, ev.Reason, ev.Message}
		if m, ok := merged[k]; ok {
			m.Count += count
			if last.After(m.Last.Time) {
				m.Last = metaTime(last)
			}
			if first.Before(m.First.Time) {
				m.First = metaTime(first)
			}
			continue
		}
		merged[k] = &Event{Type: ev.Type, Reason: ev.Reason, Object: "cronjob/" + s.cj.Name, Message: ev.Message, Count: count, First: metaTime(first), Last: metaTime(last)}
		order = append(order, k)
	}
	for _, k := range order {
		ev := *merged[k]
		s.events = append(s.events, ev)
		switch ev.Reason {
		case "SuccessfulCreate":
			s.createdAt[strings.TrimPrefix(ev.Message, "Created job ")] = ev.Last.Time
		case "SuccessfulDelete":
			s.deletedAt[strings.TrimPrefix(ev.Message, "Deleted job ")] = ev.Last.Time
		case ReasonMissedDeadline:
			if t, err := time.Parse(time.RFC1123Z, strings.TrimPrefix(ev.Message, "Missed scheduled time to start a job: ")); err == nil {
				s.missed[t.Unix()] = true
			}
		case ReasonCreateFailed:
			s.failedCreate = append(s.failedCreate, ev)
		}
	}
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].Last.After(s.events[j].Last.Time) })
	s.e.Events = append(s.e.Events, s.events...)
}

func sameObject(ref corev1.ObjectReference, uid types.UID, name, namespace string) bool {
	if ref.UID != "" && uid != "" {
		return ref.UID == uid
	}
	return ref.Name == name && (ref.Namespace == "" || ref.Namespace == namespace)
}

func eventLast(ev *corev1.Event) time.Time {
	t := ev.LastTimestamp.Time
	if ev.Series != nil && ev.Series.LastObservedTime.After(t) {
		t = ev.Series.LastObservedTime.Time
	}
	if ev.EventTime.After(t) {
		t = ev.EventTime.Time
	}
	if t.IsZero() {
		t = ev.FirstTimestamp.Time
	}
	if t.IsZero() {
		t = ev.CreationTimestamp.Time
	}
	return t
}

// owned reports whether the CronJob controls job (by UID; by name for
// objects saved without UIDs).
func (s *state) owned(job *batchv1.Job) bool {
	ref := metav1.GetControllerOf(job)
	if ref == nil || ref.Kind != "CronJob" {
		return false
	}
	if ref.UID != "" && s.cj.UID != "" {
		return ref.UID == s.cj.UID
	}
	return ref.Name == s.cj.Name
}

// JobSlot is the slot a CronJob's Job was created for: the
// batch.kubernetes.io/cronjob-scheduled-timestamp annotation, else the
// name's suffix (Unix minutes).
func JobSlot(cronJobName string, job *batchv1.Job) (time.Time, bool) {
	if v, ok := job.Annotations[batchv1.CronJobScheduledTimestampAnnotation]; ok {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, true
		}
	}
	if suffix, ok := strings.CutPrefix(job.Name, cronJobName+"-"); ok {
		if m, err := strconv.ParseInt(suffix, 10, 64); err == nil && m > 0 {
			return time.Unix(m*60, 0).UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *state) readJobs() {
	for i := range s.in.Jobs {
		job := &s.in.Jobs[i]
		if !s.owned(job) {
			continue
		}
		ex := explain.Explain(explain.Input{Job: job, Pods: s.in.Pods, Events: s.in.Events, Now: s.now,
			PodsUnknown: s.in.PodsUnknown, EventsUnknown: s.in.EventsUnknown})
		slot, ok := JobSlot(s.cj.Name, job)
		if ManualRun(job) || !ok {
			s.e.ManualRuns = append(s.e.ManualRuns, runOf(job, ex))
			continue
		}
		r := &run{job: job, slot: slot, ex: ex}
		if ex.Verdict.Phase.Finished() && ex.Duration != nil {
			end := ex.Duration.End.Time
			r.end = &end
		} else if ex.Verdict.Phase.Finished() {
			end := job.CreationTimestamp.Time
			r.end = &end
		}
		s.runs = append(s.runs, r)
		s.bySlot[slot.Unix()] = r
	}
	sort.Slice(s.runs, func(i, j int) bool { return s.runs[i].slot.Before(s.runs[j].slot) })
}

func runOf(job *batchv1.Job, ex *explain.JobExplanation) Run {
	r := Run{Job: job.Name, Phase: ex.Verdict.Phase, Reason: string(ex.Verdict.Reason), Message: ex.Verdict.Message, Created: job.CreationTimestamp}
	if ex.Duration != nil {
		d := ex.Duration.Seconds
		r.DurationSeconds = &d
	}
	return r
}

func (s *state) history() {
	h := &s.e.History
	for _, r := range s.runs {
		switch r.ex.Verdict.Phase {
		case explain.PhaseComplete:
			h.SucceededKept++
		case explain.PhaseFailed:
			h.FailedKept++
		default:
			h.Active++
		}
	}
	sp := s.e.Spec
	msg := fmt.Sprintf("keeps the newest %d succeeded and %d failed Jobs (successfulJobsHistoryLimit, failedJobsHistoryLimit); %d succeeded and %d failed are kept now",
		sp.SuccessfulJobsHistoryLimit, sp.FailedJobsHistoryLimit, h.SucceededKept, h.FailedKept)
	switch {
	case sp.FailedJobsHistoryLimit == 0:
		msg += ": failed runs are deleted as soon as they fail, so no failed Job is ever listed"
	case h.FailedKept >= int(sp.FailedJobsHistoryLimit):
		msg += fmt.Sprintf(": older failed runs were deleted, so at most %d failed %s is listed", sp.FailedJobsHistoryLimit, pluralWord(int(sp.FailedJobsHistoryLimit), "Job", "Jobs"))
	}
	if ttl := sp.JobTTLSecondsAfterFinished; ttl != nil {
		msg += fmt.Sprintf("; the Jobs' ttlSecondsAfterFinished deletes each %s after it finishes", explain.FormatDuration(time.Duration(*ttl)*time.Second))
	}
	h.Message = msg
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *state) invalid(err error) {
	e := s.e
	reason, msg := ReasonUnparseable, err.Error()
	var se *ScheduleError
	if errors.As(err, &se) {
		reason = se.Reason
	}
	e.Schedule.Error = msg
	e.Verdict = Verdict{Phase: PhaseInvalid, Reason: reason, Message: msg + ": the controller creates no Job"}
	e.NextAction = NextAction{Action: ActionNothing, Message: "nothing until the schedule or time zone is fixed"}
	for _, r := range s.runs {
		e.Slots = append(e.Slots, Slot{Time: metaTime(r.slot), Outcome: OutcomeRan, Run: ptr.To(runOf(r.job, r.ex))})
	}
	e.NextSteps = []string{fmt.Sprintf("fix the schedule: kubectl edit cronjob %s -n %s", s.cj.Name, s.cj.Namespace)}
}

// slotsInWindow enumerates the schedule's slots in the window.
func (s *state) slotsInWindow() []time.Time {
	var out []time.Time
	start := s.e.Window.Start.Time
	for t := s.sched.Schedule.Next(start.Add(-time.Second)); !t.IsZero() && !t.After(s.now); t = s.sched.Schedule.Next(t) {
		// The controller's first slot is strictly after the creation.
		if t.Before(start) || !t.After(s.cj.CreationTimestamp.Time) {
			continue
		}
		out = append(out, t)
		if len(out) >= maxEnumerated {
			break
		}
	}
	return out
}

// activeAt is a run of the CronJob (other than except) that was active at t.
func (s *state) activeAt(t time.Time, except *run) *run {
	for _, r := range s.runs {
		if r == except || !r.job.CreationTimestamp.Time.Before(t) {
			continue
		}
		if r.end == nil || r.end.After(t) {
			return r
		}
	}
	return nil
}

// failedCreateIn is a FailedCreate event for the slot at t: its message
// names the Job (jobs.batch "NAME"), else it was seen in [t, next).
func (s *state) failedCreateIn(t, next time.Time) *Event {
	name := `"` + JobName(s.cj.Name, t) + `"`
	for i := range s.failedCreate {
		ev := &s.failedCreate[i]
		if strings.Contains(ev.Message, `jobs.batch "`) {
			if strings.Contains(ev.Message, name) {
				return ev
			}
			continue
		}
		if !ev.Last.Time.Before(t) && ev.First.Time.Before(next) {
			return ev
		}
	}
	return nil
}

// classify gives every slot of the window one outcome and reason.
func (s *state) classify() {
	times := s.slotsInWindow()
	seen := map[int64]bool{}
	var slots []Slot
	next := func(i int) time.Time {
		if i+1 < len(times) {
			return times[i+1]
		}
		return s.sched.Schedule.Next(times[i])
	}
	for i, t := range times {
		seen[t.Unix()] = true
		slots = append(slots, s.classifySlot(t, next(i)))
	}
	for _, r := range s.runs {
		if seen[r.slot.Unix()] || r.slot.Before(s.e.Window.Start.Time) {
			continue
		}
		sl := s.ranSlot(r, r.slot)
		sl.Reason, sl.Message = ReasonOffSchedule, Reasons[ReasonOffSchedule]
		slots = append(slots, sl)
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].Time.Before(&slots[j].Time) })
	s.e.Window.SlotsTotal = len(slots)
	s.allSlots = slots
	if len(slots) > MaxSlots {
		s.e.Window.OmittedSlots = len(slots) - MaxSlots
		slots = slots[len(slots)-MaxSlots:]
	}
	s.e.Slots = slots
}

func (s *state) classifySlot(t, next time.Time) Slot {
	if r := s.bySlot[t.Unix()]; r != nil {
		return s.ranSlot(r, t)
	}
	sl := Slot{Time: metaTime(t), Outcome: OutcomeSkipped}
	skip := func(reason, msg string) Slot {
		sl.Reason, sl.Message = reason, msg
		if reason == ReasonHistoryDeleted {
			sl.Outcome = OutcomeRan // it ran; only its Job is gone
		}
		return sl
	}
	name := JobName(s.cj.Name, t)
	sp := s.e.Spec
	switch {
	case !s.deletedAt[name].IsZero() && sp.ConcurrencyPolicy == string(batchv1.ReplaceConcurrent) && (s.createdNear(s.deletedAt[name]) || !s.historyFull()):
		return skip(ReasonReplaced, fmt.Sprintf("%s ran and was deleted at %s by concurrencyPolicy Replace, for the next run (SuccessfulDelete event)", name, s.deletedAt[name].UTC().Format(time.RFC3339)))
	case !s.deletedAt[name].IsZero():
		return skip(ReasonHistoryDeleted, fmt.Sprintf("%s ran and was deleted at %s by the history limits (SuccessfulDelete event)", name, s.deletedAt[name].UTC().Format(time.RFC3339)))
	case !s.createdAt[name].IsZero():
		return skip(ReasonHistoryDeleted, fmt.Sprintf("%s was created (SuccessfulCreate event) and has since been deleted: history limits, a TTL, or by hand", name))
	case s.now.Sub(t) < LateAfter:
		sl.Outcome = OutcomeDue
		return skip("", "the controller is about to create "+name)
	}
	if sp.ConcurrencyPolicy == string(batchv1.ForbidConcurrent) {
		if a := s.activeAt(t, nil); a != nil {
			return skip(ReasonForbid, fmt.Sprintf("%s was still running (concurrencyPolicy Forbid)", a.job.Name))
		}
	}
	if s.missed[t.Unix()] {
		return skip(ReasonMissedDeadline, fmt.Sprintf("the controller looked after the slot + startingDeadlineSeconds %d (MissSchedule event)", deref(sp.StartingDeadlineSeconds, 0)))
	}
	if ev := s.failedCreateIn(t, next); ev != nil {
		return skip(ReasonCreateFailed, ev.Message)
	}
	if s.suspended() && (sp.SuspendChangedAt == nil || !t.Before(sp.SuspendChangedAt.Time)) {
		return skip(ReasonSuspended, "spec.suspend is true"+sinceSuspend(sp.SuspendChangedAt))
	}
	if later := s.catchUp(t, next); later != nil {
		if at := sp.SuspendChangedAt; at != nil && !s.suspended() && at.After(t) && !at.After(later.created) {
			return skip(ReasonSuspended, fmt.Sprintf("suspended at the slot: when resumed at %s the controller ran only the most recent slot (%s)", at.UTC().Format(time.RFC3339), later.name))
		}
		if d := sp.StartingDeadlineSeconds; d != nil && later.created.After(t.Add(time.Duration(*d)*time.Second)) {
			return skip(ReasonMissedDeadline, fmt.Sprintf("no Job at the slot; when the controller caught up at %s the slot was past startingDeadlineSeconds %d", later.created.UTC().Format(time.RFC3339), *d))
		}
		return skip(ReasonSuperseded, fmt.Sprintf("no Job at the slot; when the controller caught up at %s it ran only the most recent slot (%s)", later.created.UTC().Format(time.RFC3339), later.name))
	}
	if d := sp.StartingDeadlineSeconds; d != nil && *d == 0 {
		return skip(ReasonMissedDeadline, "startingDeadlineSeconds 0: the controller wakes after the slot, when it is already past the deadline, so it never creates a Job (and records no MissSchedule event)")
	}
	if sp.ConcurrencyPolicy == string(batchv1.ReplaceConcurrent) && !s.eventsCover(t) && s.replacedLikely(next) {
		return skip(ReasonReplaced, fmt.Sprintf("no Job and no event: %s most likely ran and was deleted by concurrencyPolicy Replace when the next slot came (the next slot's Job was on time and the history limits are not full)", name))
	}
	if q := s.fullQuota(); q != "" && !s.eventsCover(t) && s.noCreationSince(t) {
		return skip(ReasonCreateFailed, "no Job and no event: the "+q+", so the create was most likely refused")
	}
	if why := s.historyDeletedLikely(t); why != "" && !s.eventsCover(t) {
		return skip(ReasonHistoryDeleted, "no Job and no event: "+why+", so it most likely ran and was deleted")
	}
	return skip(ReasonUnknown, Reasons[ReasonUnknown])
}

// createdNear: a Job was created within LateAfter of at (the Job Replace
// deleted an active run for), by the runs left or the SuccessfulCreate
// events (that Job may have been replaced in turn).
func (s *state) createdNear(at time.Time) bool {
	near := func(c time.Time) bool { d := c.Sub(at); return d > -LateAfter && d < LateAfter }
	for _, r := range s.runs {
		if near(r.job.CreationTimestamp.Time) {
			return true
		}
	}
	for _, c := range s.createdAt {
		if near(c) {
			return true
		}
	}
	return false
}

func sinceSuspend(at *metav1.Time) string {
	if at == nil {
		return ""
	}
	return " (last changed " + at.UTC().Format(time.RFC3339) + ")"
}

// creation is a Job the controller created: a run still there, or a
// SuccessfulCreate event of one since deleted.
type creation struct {
	name          string
	slot, created time.Time
}

// creations lists what the controller created, by slot.
func (s *state) creations() []creation {
	var out []creation
	seen := map[string]bool{}
	for _, r := range s.runs {
		out = append(out, creation{r.job.Name, r.slot, r.job.CreationTimestamp.Time})
		seen[r.job.Name] = true
	}
	for name, at := range s.createdAt {
		suffix, ok := strings.CutPrefix(name, s.cj.Name+"-")
		m, err := strconv.ParseInt(suffix, 10, 64)
		if seen[name] || !ok || err != nil {
			continue
		}
		out = append(out, creation{name, time.Unix(m*60, 0).UTC(), at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].slot.Before(out[j].slot) })
	return out
}

// catchUp is the Job the controller created for a later slot, late and
// after next: when it came back it ran only the most recent slot, so t was
// dropped.
func (s *state) catchUp(t, next time.Time) *creation {
	if s.e.Spec.ConcurrencyPolicy == string(batchv1.ReplaceConcurrent) && !s.eventsCover(t) {
		return nil // Replace may have deleted the Jobs in between, and their events are gone
	}
	if !s.eventsCover(t) && s.historyDeletedLikely(t) != "" {
		return nil // so may the history limits have
	}
	for _, c := range s.creations() {
		if !c.slot.After(t) {
			continue
		}
		if !c.created.Before(next) && c.created.Sub(c.slot) >= LateAfter {
			return &c
		}
		return nil // the first Job after t was on time: no catch-up covered t
	}
	return nil
}

// replacedLikely: under Replace, the slot has no Job although the next
// slot's Job was created on time (the controller was there) and the history
// limits are not full (they did not delete it): the controller's only way
// to lose it is Replace deleting it when the next slot came.
func (s *state) replacedLikely(next time.Time) bool {
	r := s.bySlot[next.Unix()]
	return r != nil && r.job.CreationTimestamp.Time.Sub(next) < LateAfter && !s.historyFull()
}

// noCreationSince: no Job was created after t (a quota full now explains
// only the slots since the last creation).
func (s *state) noCreationSince(t time.Time) bool {
	for _, c := range s.creations() {
		if c.created.After(t) {
			return false
		}
	}
	return true
}

// EventTTL is how long the API server keeps events (--event-ttl, 1h by
// default).
const EventTTL = time.Hour

// eventsCover: the events of the slot at t are still there, so their
// absence is evidence. Events exist from the oldest one seen; and since
// none expire before EventTTL, an oldest one younger than that means there
// were none between now - EventTTL and it.
func (s *state) eventsCover(t time.Time) bool {
	if len(s.events) == 0 {
		return false
	}
	from := s.now.Add(-EventTTL)
	for _, ev := range s.events {
		if ev.First.Time.Before(from) {
			from = ev.First.Time
		}
	}
	return !t.Before(from)
}

// historyFull: the history limits (or a TTL) may have deleted finished Jobs.
func (s *state) historyFull() bool {
	sp, h := s.e.Spec, s.e.History
	return h.SucceededKept >= int(sp.SuccessfulJobsHistoryLimit) || h.FailedKept >= int(sp.FailedJobsHistoryLimit) || sp.JobTTLSecondsAfterFinished != nil
}

// fullQuota is a ResourceQuota of the namespace whose Job count is used up.
func (s *state) fullQuota() string {
	for _, q := range s.in.Quotas {
		for _, res := range []corev1.ResourceName{"count/jobs.batch", "count/jobs"} {
			hard, ok := q.Status.Hard[res]
			if !ok {
				hard, ok = q.Spec.Hard[res]
			}
			if used := q.Status.Used[res]; ok && used.Cmp(hard) >= 0 {
				return fmt.Sprintf("quota %s (ResourceQuota) allows %s %s and %s are used", q.Name, hard.String(), res, used.String())
			}
		}
	}
	return ""
}

// historyDeletedLikely says why slot t, which has no Job, most likely ran
// and lost its Job to the history limits ("" when nothing says so). The
// controller deletes the oldest finished Jobs of a kind (succeeded, failed)
// once more than its limit are kept, so every Job it deleted is older than
// the oldest one of that kind still kept, and the kind stays at its limit
// from then on. A slot older than the oldest kept Job of a full kind may be
// one of them; a slot between two kept Jobs of a kind that is not full may
// not. With a TTL, or a limit of 0 (no Job of the kind is left to date the
// deletions), the oldest Job kept of any kind dates them.
func (s *state) historyDeletedLikely(t time.Time) string {
	if len(s.runs) == 0 {
		return ""
	}
	sp, h := s.e.Spec, s.e.History
	const olderThanAll = "older than every Job kept while the history limits are full"
	oldestAny := t.Before(s.runs[0].slot)
	if sp.JobTTLSecondsAfterFinished != nil {
		if oldestAny {
			return olderThanAll
		}
		return ""
	}
	for _, kind := range []struct {
		phase       explain.Phase
		word        string
		kept, limit int
	}{
		{explain.PhaseComplete, "succeeded", h.SucceededKept, int(sp.SuccessfulJobsHistoryLimit)},
		{explain.PhaseFailed, "failed", h.FailedKept, int(sp.FailedJobsHistoryLimit)},
	} {
		switch {
		case kind.kept < kind.limit:
			continue // nothing of this kind was deleted
		case kind.limit == 0 && oldestAny:
			return olderThanAll
		}
		for _, r := range s.runs { // oldest first
			if r.ex.Verdict.Phase == kind.phase {
				if t.Before(r.slot) {
					return fmt.Sprintf("older than the oldest %s Job kept (%s), and %d %s %s kept, the limit", kind.word, r.job.Name, kind.kept, kind.word, pluralWord(kind.kept, "is", "are"))
				}
				break
			}
		}
	}
	return ""
}

// ranSlot classifies a slot whose Job exists: on time, or late and why.
func (s *state) ranSlot(r *run, t time.Time) Slot {
	delay := r.job.CreationTimestamp.Time.Sub(t)
	sl := Slot{Time: metaTime(t), Outcome: OutcomeRan, Run: ptr.To(runOf(r.job, r.ex)), StartDelaySeconds: ptr.To(delay.Seconds())}
	if delay < LateAfter {
		return sl
	}
	sl.Outcome = OutcomeLate
	created := r.job.CreationTimestamp.Time
	sp := s.e.Spec
	late := "+" + explain.FormatDuration(delay)
	switch a := s.activeAt(t, r); {
	case s.failedCreateIn(t, created) != nil:
		sl.Reason, sl.Message = ReasonCreateRetried, late+": the first creates failed: "+s.failedCreateIn(t, created).Message
	case sp.ConcurrencyPolicy == string(batchv1.ForbidConcurrent) && a != nil:
		sl.Reason, sl.Message = ReasonForbidWaited, fmt.Sprintf("%s: concurrencyPolicy Forbid waited for %s to finish", late, a.job.Name)
	case sp.SuspendChangedAt != nil && sp.SuspendChangedAt.After(t) && !sp.SuspendChangedAt.After(created.Add(LateAfter)):
		sl.Reason, sl.Message = ReasonResumed, fmt.Sprintf("%s: suspended at the slot; the controller ran it when resumed at %s", late, sp.SuspendChangedAt.UTC().Format(time.RFC3339))
	default:
		sl.Reason, sl.Message = ReasonControllerLate, late+": "+Reasons[ReasonControllerLate]
	}
	return sl
}

// JobName is the name the controller gives the Job of a slot.
func JobName(cronJob string, slot time.Time) string {
	return fmt.Sprintf("%s-%d", cronJob, slot.Unix()/60)
}

func percentile(v []float64, p int) *float64 {
	if len(v) == 0 {
		return nil
	}
	c := slices.Clone(v)
	slices.Sort(c)
	i := (p*len(c) + 99) / 100
	return ptr.To(c[max(i-1, 0)])
}
