package cronexplain

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The slot model check. A deliberately simple reference model, written here
// from the controller's order of decisions (issue 18; cronjob_controllerv2.go
// syncCronJob), plays generated histories: schedule, time zone,
// startingDeadlineSeconds, concurrencyPolicy, a suspend window, controller
// downtime, a quota that refuses creates, Job durations and outcomes. It
// knows why each slot did or did not run. The engine sees only what the
// history leaves behind (the Jobs, the CronJob's status and managedFields,
// the events or not) and must classify every slot as the model does. The
// model never calls the engine; its slots come from the crontab(5) brute
// force of the next-runs oracle, not from robfig/cron.

// mutation seeds one wrong rule into the reference model, for the negative
// controls: the check must then fail.
var mutation string

var debugCats map[string]int

type span struct{ from, to time.Time }

func (s span) has(t time.Time) bool { return !t.Before(s.from) && t.Before(s.to) }

func inAny(spans []span, t time.Time) bool {
	for _, s := range spans {
		if s.has(t) {
			return true
		}
	}
	return false
}

type modelHistory struct {
	schedule string
	zone     string
	deadline *int64
	policy   batchv1.ConcurrencyPolicy
	created  time.Time
	now      time.Time
	suspend  []span // spec.suspend true during these
	down     []span // kube-controller-manager stopped
	quota    []span // creates refused (FailedCreate)
	// duration and failure of the n-th Job; forever runs until deleted.
	durations []time.Duration
	failed    []bool
	events    bool // the engine gets the events (false: they expired)
	// successfulJobsHistoryLimit and failedJobsHistoryLimit (1000: none
	// is ever deleted).
	keepSucceeded, keepFailed int
}

type modelJob struct {
	name               string
	slot, created, end time.Time // end zero: still running
	failed, replaced   bool
	historyDeleted     bool // deleted by the history limits
	forever            bool
	deletedAt          time.Time
}

type modelEvent struct {
	typ, reason, message string
	first, last          time.Time
	count                int32
}

// modelRun is the reference model's run of a history.
type modelRun struct {
	h            *modelHistory
	slots        []time.Time
	lastSchedule time.Time
	active       []*modelJob
	jobs         map[int64]*modelJob
	marks        map[int64][]string // per slot: what a sync did with it
	events       map[string]*modelEvent
	eventOrder   []string
	syncedAfter  []time.Time // times of syncs that got past suspend
	nJobs        int
}

func (m *modelRun) event(t time.Time, typ, reason, message string) {
	k := reason + "|" + message
	if e, ok := m.events[k]; ok {
		e.last, e.count = t, e.count+1
		return
	}
	m.events[k] = &modelEvent{typ, reason, message, t, t, 1}
	m.eventOrder = append(m.eventOrder, k)
}

// sync is the controller's decision at t, in its order.
func (m *modelRun) sync(t time.Time) (retry bool) {
	h := m.h
	live := m.active[:0]
	for _, j := range m.active {
		if j.end.IsZero() || j.end.After(t) {
			live = append(live, j)
		}
	}
	m.active = live
	m.cleanup(t)
	if inAny(h.suspend, t) {
		return false
	}
	m.syncedAfter = append(m.syncedAfter, t)
	earliest := h.created
	if !m.lastSchedule.IsZero() {
		earliest = m.lastSchedule
	}
	if h.deadline != nil {
		if d := t.Add(-time.Duration(*h.deadline) * time.Second); d.After(earliest) {
			earliest = d
		}
	}
	var s time.Time
	for _, x := range m.slots {
		if x.After(earliest) && !x.After(t) && (s.IsZero() || mutation != "oldest-missed-slot-first") {
			s = x
		}
	}
	if s.IsZero() {
		return false
	}
	key := s.Unix()
	if h.deadline != nil && s.Add(time.Duration(*h.deadline)*time.Second).Before(t) {
		m.event(t, "Warning", "MissSchedule", "Missed scheduled time to start a job: "+s.UTC().Format(time.RFC1123Z))
		m.marks[key] = append(m.marks[key], "missed")
		return false
	}
	if m.jobs[key] != nil || m.lastSchedule.Equal(s) {
		return false
	}
	if h.policy == batchv1.ForbidConcurrent && len(m.active) > 0 {
		m.event(t, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
		m.marks[key] = append(m.marks[key], "forbid")
		return false
	}
	if h.policy == batchv1.ReplaceConcurrent {
		for _, a := range m.active {
			a.replaced, a.end, a.deletedAt = true, t, t
			m.event(t, "Normal", "SuccessfulDelete", "Deleted job "+a.name)
		}
		m.active = nil
	}
	if inAny(h.quota, t) {
		m.event(t, "Warning", "FailedCreate", `Error creating job: jobs.batch "`+JobName("tick", s)+`" is forbidden: exceeded quota: q`)
		m.marks[key] = append(m.marks[key], "createfailed")
		return true
	}
	n := m.nJobs % len(h.durations)
	m.nJobs++
	j := &modelJob{name: JobName("tick", s), slot: s, created: t, failed: h.failed[n], forever: h.durations[n] == 0}
	if !j.forever {
		j.end = t.Add(h.durations[n])
	}
	m.jobs[key], m.active, m.lastSchedule = j, append(m.active, j), s
	m.marks[key] = append(m.marks[key], "created")
	m.event(t, "Normal", "SuccessfulCreate", "Created job "+j.name)
	return false
}

// historyKinds are the kinds the history limits count apart: succeeded
// (failed false) and failed Jobs, each with its limit.
func (m *modelRun) historyKinds() []struct {
	failed bool
	limit  int
} {
	return []struct {
		failed bool
		limit  int
	}{{false, m.h.keepSucceeded}, {true, m.h.keepFailed}}
}

// finishedAt are the Jobs of a kind finished by t and still there.
func (m *modelRun) finishedAt(t time.Time, failed bool) []*modelJob {
	var out []*modelJob
	for _, j := range m.jobs {
		if !j.replaced && !j.historyDeleted && !j.forever && !j.end.After(t) && j.failed == failed {
			out = append(out, j)
		}
	}
	return out
}

// cleanup is the controller's first step of every sync: of each kind
// (succeeded, failed), it deletes the oldest finished Jobs (by start time,
// then name) past the kind's history limit.
func (m *modelRun) cleanup(t time.Time) {
	for _, kind := range m.historyKinds() {
		finished := m.finishedAt(t, kind.failed)
		sort.Slice(finished, func(a, b int) bool {
			if !finished[a].created.Equal(finished[b].created) {
				return finished[a].created.Before(finished[b].created) != (mutation == "history-deletes-newest")
			}
			return finished[a].name < finished[b].name
		})
		for i := 0; i < len(finished)-kind.limit; i++ {
			j := finished[i]
			j.historyDeleted, j.deletedAt = true, t
			m.event(t, "Normal", "SuccessfulDelete", "Deleted job "+j.name)
		}
	}
}

// play runs the controller over the history: it syncs 100 ms after each
// slot, when a Job ends, when it comes back up, on resume, and 5 s after a
// failed create; a sync while it is down is lost.
func (m *modelRun) play() {
	h := m.h
	queue := []time.Time{}
	for _, s := range m.slots {
		queue = append(queue, s.Add(100*time.Millisecond))
	}
	for _, d := range h.down {
		queue = append(queue, d.to)
	}
	for _, s := range h.suspend {
		queue = append(queue, s.to)
	}
	for len(queue) > 0 {
		sort.Slice(queue, func(i, j int) bool { return queue[i].Before(queue[j]) })
		t := queue[0]
		queue = queue[1:]
		if t.After(h.now) {
			break
		}
		if inAny(h.down, t) {
			continue
		}
		before := len(m.jobs)
		if m.sync(t) {
			queue = append(queue, t.Add(5*time.Second))
		}
		if len(m.jobs) > before {
			for _, j := range m.jobs {
				if j.created.Equal(t) && !j.forever {
					queue = append(queue, j.end.Add(100*time.Millisecond))
				}
			}
		}
	}
}

// truth is the model's classification of slot s.
func (m *modelRun) truth(s time.Time) (SlotOutcome, string) {
	h := m.h
	j := m.jobs[s.Unix()]
	marks := strings.Join(m.marks[s.Unix()], ",")
	has := func(mark string) bool { return strings.Contains(marks, mark) }
	if j == nil && h.now.Sub(s) < LateAfter {
		return OutcomeDue, ""
	}
	if j != nil {
		switch {
		case j.historyDeleted:
			return OutcomeRan, ReasonHistoryDeleted
		case j.replaced && mutation != "replaced-counts-as-ran":
			return OutcomeSkipped, ReasonReplaced
		case j.created.Sub(s) < LateAfter || mutation == "late-is-on-time":
			return OutcomeRan, ""
		case has("createfailed"):
			return OutcomeLate, ReasonCreateRetried
		case has("forbid"):
			return OutcomeLate, ReasonForbidWaited
		case inAny(h.suspend, s):
			return OutcomeLate, ReasonResumed
		}
		return OutcomeLate, ReasonControllerLate
	}
	first := ""
	if len(m.marks[s.Unix()]) > 0 {
		first = m.marks[s.Unix()][0]
	}
	// startingDeadlineSeconds 0 never runs anything, unless the CronJob has
	// been suspended since the slot: the controller returns on a suspended
	// CronJob before it looks at deadlines. Then what a sync did with the
	// slot decides; then the suspension.
	switch {
	case h.deadline != nil && *h.deadline == 0 && !(inAny(h.suspend, s) && inAny(h.suspend, h.now)):
		return OutcomeSkipped, ReasonMissedDeadline
	case first == "forbid" && mutation != "forbid-skip-is-superseded":
		return OutcomeSkipped, ReasonForbid
	case first == "missed":
		return OutcomeSkipped, ReasonMissedDeadline
	case first == "createfailed":
		return OutcomeSkipped, ReasonCreateFailed
	case inAny(h.suspend, s) && mutation != "suspend-is-not-a-reason":
		return OutcomeSkipped, ReasonSuspended
	}
	for _, t := range m.syncedAfter {
		if !t.After(s) {
			continue
		}
		// The first sync after s did not pick it: past the deadline
		// (silently: the deadline moved the earliest slot past it), or a
		// later slot was the most recent.
		if h.deadline != nil && s.Before(t.Add(-time.Duration(*h.deadline)*time.Second)) {
			return OutcomeSkipped, ReasonMissedDeadline
		}
		return OutcomeSkipped, ReasonSuperseded
	}
	return OutcomeSkipped, ReasonUnknown
}

// knowable maps the model's truth to what the objects left behind can
// tell. Each rule is a fact that leaves no trace once the events are gone
// (or, for a silent miss, never had one); the slots it changes are counted
// and printed.
func (m *modelRun) knowable(s time.Time, o SlotOutcome, reason string) (SlotOutcome, string, string) {
	h := m.h
	name := JobName("tick", s)
	j := m.jobs[s.Unix()]
	failedSeen := m.seen("FailedCreate", `Error creating job: jobs.batch "`+name+`" is forbidden: exceeded quota: q`)
	missSeen := m.seen("MissSchedule", "Missed scheduled time to start a job: "+s.UTC().Format(time.RFC1123Z))
	replacedSeen := j != nil && j.replaced && m.seen("SuccessfulDelete", "Deleted job "+name)
	switch {
	case h.policy == batchv1.ReplaceConcurrent && o == OutcomeSkipped && !replacedSeen && !failedSeen && !missSeen && !m.cover(s) && m.nextOnTime(s) &&
		!(reason == ReasonMissedDeadline && *h.deadline == 0):
		if reason == ReasonReplaced {
			return o, reason, ""
		}
		return OutcomeSkipped, ReasonReplaced, "under Replace with events expired, a slot without a Job before an on-time run looks replaced"
	case inAny(h.quota, h.now) && o == OutcomeSkipped && !m.createdAfter(s) && !m.cover(s) && (reason == ReasonCreateFailed || reason == ReasonUnknown || reason == ReasonReplaced && !replacedSeen):
		return OutcomeSkipped, ReasonCreateFailed, "no Job since the slot, events expired, and a quota full now: the create looks refused"
	case reason == ReasonReplaced && !replacedSeen:
		return OutcomeSkipped, ReasonUnknown, "a replaced run, its events expired and the next run not there on time"
	case reason == ReasonCreateRetried && !failedSeen:
		return OutcomeLate, ReasonControllerLate, "a late run after failed creates, events expired"
	case reason == ReasonCreateFailed && failedSeen:
		return o, reason, ""
	case reason == ReasonCreateFailed && m.visibleCatchUp(s) && h.deadline != nil && m.caughtUpAfterDeadline(s):
		return OutcomeSkipped, ReasonMissedDeadline, "a failed create, events expired: the later catch-up run came after the slot's deadline"
	case reason == ReasonCreateFailed && m.visibleCatchUp(s):
		return OutcomeSkipped, ReasonSuperseded, "a failed create, events expired: only the later catch-up run is left"
	case reason == ReasonCreateFailed:
		return OutcomeSkipped, ReasonUnknown, "a failed create, events expired and the quota not full now (or a Job was created since)"
	case (reason == ReasonSuperseded || reason == ReasonSuspended && o == OutcomeSkipped && !inAny(h.suspend, h.now)) && !m.visibleCatchUp(s):
		return OutcomeSkipped, ReasonUnknown, "dropped by a catch-up run that looks on time (created within LateAfter) or that Replace deleted with its events expired"
	case reason == ReasonMissedDeadline && !missSeen && *h.deadline > 0 && !m.caughtUpAfterDeadline(s):
		return OutcomeSkipped, ReasonUnknown, "a miss without a MissSchedule event (expired, or silent: the deadline hid the slot) and no later Job to date it"
	}
	return o, reason, ""
}

// expected is what the engine must say of slot s: the model's truth as
// the objects left behind show it (knowable), then the history limits'
// mark on it. They delete the oldest finished Jobs of a kind (succeeded,
// failed), each with an event that expires, so a slot that did not run,
// with nothing direct left to say why (an event, a suspension still on,
// startingDeadlineSeconds 0), older than the oldest Job kept of a kind at
// its limit, looks like one of them.
func (m *modelRun) expected(s time.Time, o SlotOutcome, reason string) (SlotOutcome, string, string) {
	o, reason, why := m.knowable(s, o, reason)
	h := m.h
	direct := m.seen("MissSchedule", "Missed scheduled time to start a job: "+s.UTC().Format(time.RFC1123Z)) ||
		reason == ReasonSuspended && inAny(h.suspend, h.now) || reason == ReasonMissedDeadline && *h.deadline == 0
	switch reason {
	case ReasonUnknown, ReasonSuperseded, ReasonMissedDeadline, ReasonSuspended:
		if o == OutcomeSkipped && !direct && !m.cover(s) && m.olderThanKept(s) {
			return OutcomeRan, ReasonHistoryDeleted, "a slot that did not run, its events expired, older than the oldest Job kept of a kind at its history limit: looks deleted by the limits"
		}
	}
	return o, reason, why
}

// olderThanKept: s is older than the oldest Job kept of a kind (succeeded,
// failed) whose kept count is at its history limit.
func (m *modelRun) olderThanKept(s time.Time) bool {
	for _, kind := range m.historyKinds() {
		kept := m.finishedAt(m.h.now, kind.failed)
		if len(kept) < kind.limit || len(kept) == 0 {
			continue
		}
		oldest := kept[0]
		for _, j := range kept {
			if j.slot.Before(oldest.slot) {
				oldest = j
			}
		}
		if s.Before(oldest.slot) {
			return true
		}
	}
	return false
}

// seen: the engine gets this event (kept, and not expired).
func (m *modelRun) seen(reason, message string) bool {
	e := m.events[reason+"|"+message]
	return m.h.events && e != nil && !e.last.Before(m.h.now.Add(-EventTTL))
}

// cover: the events of time t are all there (the engine's eventsCover,
// from the events the model kept).
func (m *modelRun) cover(t time.Time) bool {
	if !m.h.events {
		return false
	}
	from, any := m.h.now.Add(-EventTTL), false
	for _, e := range m.events {
		if e.last.Before(m.h.now.Add(-EventTTL)) {
			continue
		}
		any = true
		if e.first.Before(from) {
			from = e.first
		}
	}
	return any && !t.Before(from)
}

// causes counts the distinct reasons that could have kept slot s from
// running on time: a suspension, controller downtime or a refusing quota
// overlapping [s, next slot + LateAfter], and a Forbid run active at s.
// When two or more overlap, the objects left behind cannot tell which one
// decided, and the engine names one it can see.
func (m *modelRun) causes(s time.Time) int {
	h := m.h
	end := h.now
	for i, x := range m.slots {
		if x.Equal(s) && i+1 < len(m.slots) {
			end = m.slots[i+1].Add(LateAfter)
		}
	}
	// Up to when the controller decided: its first sync past a suspension.
	for _, t := range m.syncedAfter {
		if t.After(s) {
			if t.After(end) {
				end = t.Add(time.Second)
			}
			break
		}
	}
	overlaps := func(spans []span) int {
		for _, w := range spans {
			if w.from.Before(end) && w.to.After(s) {
				return 1
			}
		}
		return 0
	}
	n := overlaps(h.suspend) + overlaps(h.down) + overlaps(h.quota)
	if h.policy == batchv1.ForbidConcurrent {
		for _, j := range m.jobs {
			if j.created.Before(s) && (j.forever || j.end.After(s)) {
				n++
				break
			}
		}
	}
	return n
}

// caughtUpAfterDeadline: the first Job after s was created late, after
// s + startingDeadlineSeconds: the controller came back past the deadline.
func (m *modelRun) caughtUpAfterDeadline(s time.Time) bool {
	if m.h.policy == batchv1.ReplaceConcurrent && !m.cover(s) {
		return false // Replace may have deleted runs in between, without a trace
	}
	for _, x := range m.slots {
		if j := m.jobs[x.Unix()]; x.After(s) && j != nil && m.visible(j) {
			return j.created.Sub(x) >= LateAfter && j.created.After(s.Add(time.Duration(*m.h.deadline)*time.Second))
		}
	}
	return false
}

// visibleCatchUp: the first Job still there after s was created late, at or
// after the next slot (the controller came back and ran a later slot).
func (m *modelRun) visibleCatchUp(s time.Time) bool {
	if m.h.policy == batchv1.ReplaceConcurrent && !m.cover(s) {
		return false // Replace may have deleted runs in between, without a trace
	}
	next := time.Time{}
	for i, x := range m.slots {
		if x.Equal(s) && i+1 < len(m.slots) {
			next = m.slots[i+1]
		}
	}
	for _, x := range m.slots {
		if j := m.jobs[x.Unix()]; x.After(s) && j != nil && m.visible(j) {
			return !next.IsZero() && !j.created.Before(next) && j.created.Sub(x) >= LateAfter
		}
	}
	return false
}

// createdAfter: a Job the engine can see was created after s.
func (m *modelRun) createdAfter(s time.Time) bool {
	for _, j := range m.jobs {
		if m.visible(j) && j.created.After(s) {
			return true
		}
	}
	return false
}

// visible: the engine can see that j was created: it is still there, or
// its SuccessfulCreate event is.
func (m *modelRun) visible(j *modelJob) bool {
	return !j.replaced && !j.historyDeleted || m.seen("SuccessfulCreate", "Created job "+j.name)
}

// nextOnTime: the next slot's Job is still there and was created on time.
func (m *modelRun) nextOnTime(s time.Time) bool {
	for i, x := range m.slots {
		if x.Equal(s) && i+1 < len(m.slots) {
			j := m.jobs[m.slots[i+1].Unix()]
			return j != nil && !j.replaced && !j.historyDeleted && j.created.Sub(m.slots[i+1]) < LateAfter
		}
	}
	return false
}

// observe is what the history leaves for the engine.
func (m *modelRun) observe() Input {
	h := m.h
	cj := newCJ(h.schedule, func(cj *batchv1.CronJob) {
		cj.CreationTimestamp = metav1.NewTime(h.created)
		cj.Spec.TimeZone = ptr.To(h.zone)
		cj.Spec.StartingDeadlineSeconds = h.deadline
		cj.Spec.ConcurrencyPolicy = h.policy
		cj.Spec.SuccessfulJobsHistoryLimit = ptr.To(int32(h.keepSucceeded))
		cj.Spec.FailedJobsHistoryLimit = ptr.To(int32(h.keepFailed))
		cj.Spec.Suspend = ptr.To(inAny(h.suspend, h.now))
		if !m.lastSchedule.IsZero() {
			cj.Status.LastScheduleTime = ptr.To(metav1.NewTime(m.lastSchedule))
		}
		writes := []time.Time{h.created}
		for _, s := range h.suspend {
			for _, w := range []time.Time{s.from, s.to} {
				if !w.After(h.now) {
					writes = append(writes, w)
				}
			}
		}
		for i, w := range writes {
			cj.ManagedFields = append(cj.ManagedFields, metav1.ManagedFieldsEntry{Manager: fmt.Sprintf("m%d", i), Operation: metav1.ManagedFieldsOperationUpdate,
				Time: ptr.To(metav1.NewTime(w)), FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:suspend":{}}}`)})
		}
	})
	in := Input{CronJob: cj, Now: h.now, Since: h.now.Sub(h.created) + time.Hour, PodsUnknown: true}
	for _, j := range m.jobs {
		if j.replaced || j.historyDeleted {
			continue
		}
		end := j.end
		if end.After(h.now) {
			end = time.Time{}
		}
		in.Jobs = append(in.Jobs, newRun(cj, j.slot, j.created, j.failed, end))
	}
	if h.events {
		for _, k := range m.eventOrder {
			e := m.events[k]
			if e.last.Before(h.now.Add(-EventTTL)) {
				continue // the API server has deleted it (--event-ttl)
			}
			in.Events = append(in.Events, cronEvent(cj, e.typ, e.reason, e.message, e.first, e.last, e.count))
		}
	}
	if inAny(h.quota, h.now) {
		in.Quotas = []corev1.ResourceQuota{{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Status: corev1.ResourceQuotaStatus{
			Hard: corev1.ResourceList{"count/jobs.batch": resource.MustParse("0")}, Used: corev1.ResourceList{"count/jobs.batch": resource.MustParse("0")}}}}
	}
	return in
}

var modelSchedules = []string{"*/1 * * * *", "*/2 * * * *", "*/5 * * * *", "7,23,41 * * * *", "*/3 * * * 1-5", "0,30 * * * *"}
var modelZones = []string{"UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin", "Australia/Sydney"}

func randomHistory(r *rand.Rand) *modelHistory {
	h := &modelHistory{
		schedule: modelSchedules[r.Intn(len(modelSchedules))],
		zone:     modelZones[r.Intn(len(modelZones))],
		policy:   []batchv1.ConcurrencyPolicy{batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent}[r.Intn(3)],
		created:  time.Date(2026, time.Month(1+r.Intn(12)), 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60), 0, time.UTC),
		events:   r.Intn(2) == 0,
	}
	h.now = h.created.Add(time.Duration(40+r.Intn(80)) * time.Minute).Add(time.Duration(r.Intn(60)) * time.Second)
	if r.Intn(3) == 0 {
		h.deadline = ptr.To([]int64{0, 3, 30, 200}[r.Intn(4)])
	}
	window := func(maxLen time.Duration) span {
		from := h.created.Add(time.Duration(r.Int63n(int64(h.now.Sub(h.created)))))
		return span{from, from.Add(time.Minute + time.Duration(r.Int63n(int64(maxLen))))}
	}
	if r.Intn(3) == 0 {
		h.suspend = append(h.suspend, window(12*time.Minute))
	}
	for n := r.Intn(3); n > 0; n-- {
		h.down = append(h.down, window(12*time.Minute))
	}
	if r.Intn(4) == 0 {
		h.quota = append(h.quota, window(8*time.Minute))
	}
	long := r.Intn(2) == 0 // one regime per history: short runs, or runs longer than a period
	for i := 0; i < 8; i++ {
		d := time.Duration(5+r.Intn(40)) * time.Second
		if long {
			d = time.Duration(2+r.Intn(8)) * time.Minute
			if r.Intn(6) == 0 {
				d = 0 // runs until deleted
			}
		}
		h.durations = append(h.durations, d)
		h.failed = append(h.failed, r.Intn(4) == 0)
	}
	h.keepSucceeded, h.keepFailed = 1000, 1000
	if r.Intn(2) == 0 && h.policy == batchv1.AllowConcurrent {
		h.keepSucceeded, h.keepFailed = 1+r.Intn(3), 1+r.Intn(2)
	}
	return h
}

func (h *modelHistory) String() string {
	d := "<unset>"
	if h.deadline != nil {
		d = fmt.Sprint(*h.deadline)
	}
	return fmt.Sprintf("%q %s policy=%s deadline=%s created=%s now=+%s suspend=%v down=%v quota=%v events=%t durations=%v keep=%d/%d",
		h.schedule, h.zone, h.policy, d, h.created.Format(time.RFC3339), h.now.Sub(h.created), rel(h.created, h.suspend), rel(h.created, h.down), rel(h.created, h.quota), h.events, h.durations, h.keepSucceeded, h.keepFailed)
}

func rel(base time.Time, spans []span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, fmt.Sprintf("[+%s,+%s)", s.from.Sub(base), s.to.Sub(base)))
	}
	return out
}

// modelSlots are the history's slots, from the brute force (not robfig).
func modelSlots(t *testing.T, h *modelHistory) []time.Time {
	loc, err := time.LoadLocation(h.zone)
	if err != nil {
		t.Fatal(err)
	}
	b := parseBrute(t, h.schedule)
	var out []time.Time
	for x := h.created.Truncate(time.Minute).Add(time.Minute); !x.After(h.now); x = x.Add(time.Minute) {
		if b.matches(x.In(loc)) {
			out = append(out, x)
		}
	}
	return out
}

// checkHistories plays n histories and counts the slots the engine
// classifies differently from truth; it returns the mismatches.
func checkHistories(t *testing.T, n int, seed int64, truth func(m *modelRun, s time.Time) (SlotOutcome, string)) (slots, mismatches int, first []string, unknowable map[string]int, byReason map[string]int) {
	unknowable, byReason = map[string]int{}, map[string]int{}
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		h := randomHistory(r)
		m := &modelRun{h: h, slots: modelSlots(t, h), jobs: map[int64]*modelJob{}, marks: map[int64][]string{}, events: map[string]*modelEvent{}}
		m.play()
		e := Explain(m.observe())
		got := map[int64]Slot{}
		for _, s := range e.Slots {
			got[s.Time.Unix()] = s
		}
		if len(e.Slots) != len(m.slots) {
			mismatches++
			first = append(first, fmt.Sprintf("history %d %s: %d slots, model %d", i, h, len(e.Slots), len(m.slots)))
			continue
		}
		for _, s := range m.slots {
			slots++
			wo, wr := truth(m, s)
			o0, r0 := wo, wr
			byReason[string(wo)+"/"+wr]++
			wo, wr, why := m.expected(s, wo, wr)
			if why != "" {
				unknowable[why]++
			}
			g := got[s.Unix()]
			if g.Outcome != wo || g.Reason != wr {
				if m.causes(s) >= 2 {
					unknowable["overlapping causes (two or more of suspend, downtime, quota, an active Forbid run): the engine names another true one"]++
					continue
				}
				mismatches++
				if debugCats != nil {
					debugCats[fmt.Sprintf("%s events=%t keep0=%t engine %s/%s model %s/%s truth %s/%s", h.policy, h.events, h.keepSucceeded == 0 || h.keepFailed == 0, g.Outcome, g.Reason, wo, wr, o0, r0)]++
				}
				if len(first) < 10 {
					first = append(first, fmt.Sprintf("history %d %s\n    slot +%s: engine %s/%s (%s), model %s/%s (marks %v)", i, h, s.Sub(h.created), g.Outcome, g.Reason, g.Message, wo, wr, m.marks[s.Unix()]))
				}
			}
		}
	}
	return slots, mismatches, first, unknowable, byReason
}

func TestSlotsModelCheck(t *testing.T) {
	const histories = 1200
	slots, mismatches, first, unknowable, byReason := checkHistories(t, histories, 18, (*modelRun).truth)
	t.Logf("%d histories, %d slots classified, %d mismatches", histories, slots, mismatches)
	for _, k := range sortedKeys(byReason) {
		t.Logf("  model says %-28s %6d slots", k, byReason[k])
	}
	for _, k := range sortedKeys(unknowable) {
		t.Logf("  not observable as such, expected as the objects show it: %6d slots: %s", unknowable[k], k)
	}
	for _, f := range first {
		t.Error(f)
	}
	if slots < 10*histories {
		t.Errorf("only %d slots checked", slots)
	}
}

// TestSlotsModelCheckCatchesWrongRules seeds wrong rules into the reference
// model; each must make the check fail.
func TestSlotsModelCheckCatchesWrongRules(t *testing.T) {
	defer func() { mutation = "" }()
	for _, m := range []string{"oldest-missed-slot-first", "forbid-skip-is-superseded", "replaced-counts-as-ran", "late-is-on-time", "suspend-is-not-a-reason", "history-deletes-newest"} {
		mutation = m
		_, mismatches, _, _, _ := checkHistories(t, 300, 18, (*modelRun).truth)
		t.Logf("wrong rule %-34s %5d mismatches", m, mismatches)
		if mismatches == 0 {
			t.Errorf("the model check did not notice the wrong rule %s", m)
		}
	}
}

func sortedKeys(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
