package trace

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
)

// Tolerance is how far an event may be from the time predicted for it.
const Tolerance = 2 * time.Second

// Output is the part of `kubectl job explain -o json` the checks read
// (README "JSON schema"), decoded by the test itself.
type Output struct {
	Verdict struct {
		Phase  string `json:"phase"`
		Reason string `json:"reason"`
	} `json:"verdict"`
	Progress struct {
		FailedIndexes string `json:"failedIndexes"`
	} `json:"progress"`
	Backoff *struct {
		Limit       int32      `json:"limit"`
		Counted     int32      `json:"counted"`
		Remaining   *int32     `json:"remaining"`
		NextRetryAt *time.Time `json:"nextRetryAt"`
	} `json:"backoff"`
	Deadline *struct {
		At time.Time `json:"at"`
	} `json:"deadline"`
	TTL struct {
		State    string     `json:"state"`
		DeleteAt *time.Time `json:"deleteAt"`
	} `json:"ttl"`
	Attempts []struct {
		Pod      string `json:"pod"`
		Index    *int   `json:"index"`
		Phase    string `json:"phase"`
		ExitCode *int32 `json:"exitCode"`
		Counted  bool   `json:"counted"`
	} `json:"attempts"`
	Indexes []struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
	} `json:"indexes"`
}

// Sample is one run of `kubectl job explain -o json`.
type Sample struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Output *Output   `json:"output,omitempty"`
	// Err is set when the plugin failed (NotFound is expected once the Job is gone).
	Err string `json:"err,omitempty"`
	// Raw is the plugin's stdout; Job, Pods and Events were read by the
	// harness right after (for the fixture only; the checks use Record).
	Raw string `json:"-"`
	// ReadStart and ReadEnd bound the harness's read of Job, Pods and Events.
	ReadStart, ReadEnd time.Time      `json:"-"`
	Job                *batchv1.Job   `json:"-"`
	Pods               []corev1.Pod   `json:"-"`
	Events             []corev1.Event `json:"-"`
}

// Check kinds, the columns of docs/accuracy.md.
const (
	CheckVerdict  = "verdict"  // a finished Job: phase and reason of its terminal condition
	CheckEarly    = "early"    // Complete/Failed only once the condition is there
	CheckInterim  = "interim"  // FailureTarget/SuccessCriteriaMet: Failing/Succeeding with its reason
	CheckLive     = "live"     // running, pending (and why), suspended, deleting, gone
	CheckBackoff  = "backoff"  // counted failures and the remaining budget, and what then happened
	CheckDeadline = "deadline" // deadline.at = status.startTime + activeDeadlineSeconds
	CheckTTL      = "ttl"      // ttl.deleteAt = terminal condition + ttlSecondsAfterFinished
	CheckIndexes  = "indexes"  // failed indexes
	CheckAttempts = "attempts" // each pod's index, exit code, and whether its failure counts
	CheckRetry    = "retry"    // nextRetryAt against the replacement pod's creation (stock backoff)
	CheckOutcome  = "outcome"  // the model against what the controller did (per case)
	CheckErrors   = "errors"   // plugin errors, unfinished Jobs, samples without checks
)

// CheckOrder is the order of the check columns.
var CheckOrder = []string{CheckVerdict, CheckEarly, CheckInterim, CheckLive, CheckBackoff, CheckDeadline, CheckTTL, CheckIndexes, CheckAttempts, CheckRetry, CheckOutcome}

// Problem is one disagreement.
type Problem struct {
	Check  string `json:"check"`
	Sample int    `json:"sample"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.Sample < 0 {
		return fmt.Sprintf("[%s] %s", p.Check, p.Detail)
	}
	return fmt.Sprintf("[%s] sample %d: %s", p.Check, p.Sample, p.Detail)
}

// Stats counts the checks made, by kind.
type Stats map[string]int

// Timing is a predicted time and when the thing happened.
type Timing struct {
	Kind      string    `json:"kind"` // deadline, ttl, retry
	Case      string    `json:"case"`
	Predicted time.Time `json:"predicted"`
	Actual    time.Time `json:"actual"`
	// Unseen: the thing did not happen while watched; Actual is when watching stopped.
	Unseen bool `json:"unseen,omitempty"`
}

// Delta is actual - predicted.
func (t Timing) Delta() time.Duration { return t.Actual.Sub(t.Predicted) }

// Result is what Check found for one case.
type Result struct {
	Problems []Problem `json:"problems"`
	Stats    Stats     `json:"stats"`
	Timings  []Timing  `json:"timings"`
}

// Slack is how long after a sample ended a state seen by the harness may
// still be the one the plugin read (informers lag the API server).
const Slack = 300 * time.Millisecond

type checker struct {
	c    gen.Case
	spec *batchv1.JobSpec
	rec  *Record
	res  *Result
}

type predicate func(ch *checker, out *Output, st State) (applicable bool, problem string)

// readable lists what a plugin run may have read from the window's states:
// it reads the Job first and then the pods and events, so the Job of one
// state with the pods of the same or a later one.
func readable(win []State) []State {
	var out []State
	for i := range win {
		for k := i; k < len(win); k++ {
			if k > i && win[k].Job == nil {
				continue
			}
			out = append(out, State{At: win[k].At, Job: win[i].Job, Pods: win[k].Pods, FailedCreate: win[k].FailedCreate})
		}
	}
	return out
}

// colResult is one column's verdict on a sample against one state.
type colResult struct{ column, problem string }

type column struct {
	name string
	fn   predicate
}

// sampleColumns are the per-sample checks, in CheckOrder.
var sampleColumns = []column{
	{CheckVerdict, (*checker).verdict}, {CheckEarly, (*checker).early}, {CheckInterim, (*checker).interim},
	{CheckLive, (*checker).live}, {CheckBackoff, (*checker).backoff}, {CheckDeadline, (*checker).deadline},
	{CheckTTL, (*checker).ttl}, {CheckIndexes, (*checker).indexes}, {CheckAttempts, (*checker).attempts},
}

// ListChecks are the columns that judge what kubectl job list shows: STATUS
// and REASON (verdict, early, interim, live), FAILED (backoff), DEADLINE
// and TTL. Its rows have no attempts or per-index table.
var ListChecks = []string{CheckVerdict, CheckEarly, CheckInterim, CheckLive, CheckBackoff, CheckDeadline, CheckTTL}

// Check compares each sample with the states the harness saw around it and
// the model, and the model with what the controller then did.
func Check(c gen.Case, rec *Record, samples []Sample) Result {
	ch := &checker{c: c, spec: &c.Job.Spec, rec: rec, res: &Result{Stats: Stats{}}}
	ch.samples(samples, sampleColumns)
	for _, s := range samples {
		if win := rec.Window(s.Start, s.End, Slack); s.Output != nil && len(win) > 0 {
			ch.timings(s, win)
		}
	}
	ch.outcome()
	return *ch.res
}

// CheckList is Check of the verdicts kubectl job list gives, sample by
// sample, with the ListChecks columns only.
func CheckList(c gen.Case, rec *Record, samples []Sample) Result {
	ch := &checker{c: c, spec: &c.Job.Spec, rec: rec, res: &Result{Stats: Stats{}}}
	var columns []column
	for _, col := range sampleColumns {
		if slices.Contains(ListChecks, col.name) {
			columns = append(columns, col)
		}
	}
	ch.samples(samples, columns)
	return *ch.res
}

func (ch *checker) samples(samples []Sample, columns []column) {
	rec := ch.rec
	for i, s := range samples {
		win := rec.Window(s.Start, s.End, Slack)
		if len(win) == 0 {
			ch.add(CheckErrors, i, "the harness had seen nothing of the Job when the sample ran")
			continue
		}
		if s.Output == nil {
			if strings.Contains(s.Err, "not found") && slices.ContainsFunc(win, func(st State) bool { return st.Job == nil }) {
				ch.res.Stats[CheckLive]++ // NotFound once the Job is gone: right
				continue
			}
			ch.add(CheckErrors, i, "the plugin failed: %s", s.Err)
			continue
		}
		// The plugin read one of the window's states: judge the sample by
		// the state it agrees with best (fewest failing columns, the
		// earliest on a tie), so columns are not judged against different
		// states.
		var best []colResult
		bestFailures := -1
		for _, st := range readable(win) {
			var rs []colResult
			failures := 0
			for _, col := range columns {
				if ok, p := col.fn(ch, s.Output, st); ok {
					rs = append(rs, colResult{col.name, p})
					if p != "" {
						failures++
					}
				}
			}
			if bestFailures < 0 || failures < bestFailures {
				best, bestFailures = rs, failures
			}
		}
		for _, r := range best {
			ch.res.Stats[r.column]++
			if r.problem != "" {
				ch.add(r.column, i, "%s (said %s/%s; harness states %s)", r.problem, s.Output.Verdict.Phase, s.Output.Verdict.Reason, describe(win))
			}
		}
		if len(best) == 0 {
			ch.add(CheckErrors, i, "no check applied to this sample (said %s/%s; harness states %s)", s.Output.Verdict.Phase, s.Output.Verdict.Reason, describe(win))
		}
	}
}

func (ch *checker) add(check string, i int, format string, args ...any) {
	ch.res.Problems = append(ch.res.Problems, Problem{Check: check, Sample: i, Detail: fmt.Sprintf(format, args...)})
}

// describe is a short summary of the states a sample was compared with.
func describe(win []State) string {
	var parts []string
	for _, st := range win {
		if st.Job == nil {
			parts = append(parts, "gone")
			continue
		}
		var conds []string
		for _, c := range st.Job.Conds {
			conds = append(conds, c.Type+"("+c.Reason+")")
		}
		var pods []string
		for _, p := range st.Pods {
			s := p.Name[max(0, len(p.Name)-5):] + ":" + p.Phase
			if p.Deleting {
				s += "(deleting)"
			}
			pods = append(pods, s)
		}
		parts = append(parts, fmt.Sprintf("{rv %s active %d failed %d conds [%s] pods [%s]}", st.Job.ResourceVersion, st.Job.Active, st.Job.Failed, strings.Join(conds, " "), strings.Join(pods, " ")))
	}
	return strings.Join(parts, " ")
}

// decided: the Job has a terminal or interim condition, or is being deleted.
func decided(j *JobState) bool { return j.Terminal() != nil || j.Interim() != nil || j.Deleting }

func (ch *checker) verdict(out *Output, st State) (bool, string) {
	j := st.Job
	if j == nil {
		return false, ""
	}
	// A finished Job stays finished while it is deleted (by its TTL).
	t := j.Terminal()
	if t == nil {
		return false, ""
	}
	if out.Verdict.Phase != t.Type || out.Verdict.Reason != t.Reason {
		return true, fmt.Sprintf("the Job has %s=True reason %s", t.Type, t.Reason)
	}
	return true, ""
}

func (ch *checker) early(out *Output, st State) (bool, string) {
	if out.Verdict.Phase != PhaseComplete && out.Verdict.Phase != PhaseFailed {
		return false, ""
	}
	if st.Job == nil || st.Job.Cond(batchv1.JobConditionType(out.Verdict.Phase)) == nil {
		return true, "the Job had no " + out.Verdict.Phase + "=True condition"
	}
	return true, ""
}

func (ch *checker) interim(out *Output, st State) (bool, string) {
	j := st.Job
	if j == nil || j.Deleting || j.Terminal() != nil {
		return false, ""
	}
	c := j.Interim()
	if c == nil {
		return false, ""
	}
	want := map[string]string{string(batchv1.JobFailureTarget): PhaseFailing, string(batchv1.JobSuccessCriteriaMet): PhaseSucceeding}[c.Type]
	if out.Verdict.Phase != want || out.Verdict.Reason != c.Reason {
		return true, fmt.Sprintf("the Job has %s=True reason %s, so %s/%s", c.Type, c.Reason, want, c.Reason)
	}
	return true, ""
}

// anticipated: Failing/Succeeding before the interim condition is a
// prediction; it must come true, with that reason.
func (ch *checker) anticipated(out *Output) bool {
	want := map[string]string{PhaseFailing: string(batchv1.JobFailed), PhaseSucceeding: string(batchv1.JobComplete)}[out.Verdict.Phase]
	final := ch.rec.Final()
	t := final.Terminal()
	return want != "" && t != nil && t.Type == want && t.Reason == out.Verdict.Reason
}

func (ch *checker) live(out *Output, st State) (bool, string) {
	j := st.Job
	switch {
	case j == nil:
		return true, "the Job was gone (want NotFound)"
	case j.Deleting && j.Terminal() == nil:
		if out.Verdict.Phase != PhaseTerminating {
			return true, "the unfinished Job has a deletionTimestamp, so Terminating"
		}
		return true, ""
	case decided(j):
		return false, ""
	}
	phase, reasons := liveExpectation(st)
	if out.Verdict.Phase == phase && (len(reasons) == 0 || slices.Contains(reasons, out.Verdict.Reason)) {
		return true, ""
	}
	if ch.anticipated(out) {
		return true, ""
	}
	want := phase
	if len(reasons) > 0 {
		want += "/" + strings.Join(reasons, " or ")
	}
	return true, "the model says " + want
}

func (ch *checker) backoff(out *Output, st State) (bool, string) {
	j := st.Job
	if j == nil || decided(j) || ch.spec.BackoffLimitPerIndex != nil || j.Suspend {
		return false, ""
	}
	if out.Backoff == nil || out.Backoff.Remaining == nil {
		return true, "no backoff budget for a running Job with backoffLimit " + fmt.Sprint(backoffLimit(ch.spec))
	}
	fc := countFailures(ch.spec, ch.rec, st)
	restarts := int32(0)
	if ch.spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		restarts = activeRestarts(st)
	}
	counted, r := out.Backoff.Counted, int64(*out.Backoff.Remaining)
	if counted < fc.Lo+restarts || counted > fc.Hi+restarts {
		return true, fmt.Sprintf("counted %d, the harness saw %d-%d counted pod failures (+%d restarts of active pods)", counted, fc.Lo, fc.Hi, restarts)
	}
	// A retry promised while the failures already seen take the Job past
	// its limit never comes: the controller's next sync fails the Job.
	if out.Backoff.NextRetryAt != nil && int64(fc.Hi)+int64(restarts) > int64(backoffLimit(ch.spec)) {
		return true, fmt.Sprintf("a retry at %s promised, but the harness saw %d counted pod failures (+%d restarts) > backoffLimit %d: the controller fails the Job instead",
			out.Backoff.NextRetryAt.Format(time.TimeOnly), fc.Hi, restarts, backoffLimit(ch.spec))
	}
	lo, hi := remaining(ch.spec, fc.Hi, restarts), remaining(ch.spec, fc.Lo, restarts)
	if r < lo || r > hi {
		return true, fmt.Sprintf("remaining %d ('fails after %d more'), the model says %d-%d with backoffLimit %d", r, r+1, lo, hi, backoffLimit(ch.spec))
	}
	// The prediction against what then happened (restartPolicy Never).
	if ch.spec.Template.Spec.RestartPolicy == corev1.RestartPolicyNever {
		final := ch.rec.Final().Terminal()
		atDecision := ch.countedAtDecision()
		switch {
		case final != nil && final.Reason == batchv1.JobReasonBackoffLimitExceeded && int64(atDecision) < int64(fc.Lo)+r+1:
			return true, fmt.Sprintf("'fails after %d more' from %d counted, but the Job failed with BackoffLimitExceeded at %d", r+1, fc.Lo, atDecision)
		case final != nil && final.Type == string(batchv1.JobComplete) && int64(atDecision) > int64(fc.Hi)+r:
			return true, fmt.Sprintf("'fails after %d more' from %d counted, but the Job completed with %d counted failures", r+1, fc.Hi, atDecision)
		}
	}
	return true, ""
}

// countedAtDecision is the number of counted pod failures the harness saw
// before it saw the Job decided (or ever, if it never was).
func (ch *checker) countedAtDecision() int32 {
	seen := ch.rec.DecidedSeenAt()
	if seen.IsZero() {
		seen = time.Unix(math.MaxInt32, 0)
	}
	var n int32
	for _, h := range ch.rec.Pods {
		if !h.FailedAt.IsZero() && !h.FailedAt.After(seen) && CountedFailure(ch.spec, h.Last) {
			n++
		}
	}
	return n
}

func (ch *checker) deadline(out *Output, st State) (bool, string) {
	j := st.Job
	ads := ch.spec.ActiveDeadlineSeconds
	if j == nil || decided(j) || ads == nil || j.Suspend || j.StartTime.IsZero() {
		return false, ""
	}
	want := j.StartTime.Add(time.Duration(*ads) * time.Second)
	if out.Deadline == nil {
		return true, fmt.Sprintf("no deadline, the model says %s", ts(want))
	}
	if !out.Deadline.At.Equal(want) {
		return true, fmt.Sprintf("deadline.at %s, the model says %s (status.startTime %s + %ds)", ts(out.Deadline.At), ts(want), ts(j.StartTime), *ads)
	}
	return true, ""
}

func (ch *checker) ttl(out *Output, st State) (bool, string) {
	j := st.Job
	ttl := ch.spec.TTLSecondsAfterFinished
	if j == nil || ttl == nil {
		return false, ""
	}
	t := j.Terminal()
	if t == nil {
		if decided(j) {
			return false, ""
		}
		if out.TTL.State != "Waiting" {
			return true, "ttl.state " + out.TTL.State + " before the Job finished, the model says Waiting"
		}
		return true, ""
	}
	want := t.At.Add(time.Duration(*ttl) * time.Second)
	if out.TTL.DeleteAt == nil || !out.TTL.DeleteAt.Equal(want) {
		got := "<unset>"
		if out.TTL.DeleteAt != nil {
			got = ts(*out.TTL.DeleteAt)
		}
		return true, fmt.Sprintf("ttl.deleteAt %s, the model says %s (%s at %s + %ds)", got, ts(want), t.Type, ts(t.At), *ttl)
	}
	return true, ""
}

func (ch *checker) indexes(out *Output, st State) (bool, string) {
	j := st.Job
	if j == nil || ch.spec.CompletionMode == nil || *ch.spec.CompletionMode != batchv1.IndexedCompletion {
		return false, ""
	}
	if out.Progress.FailedIndexes != j.FailedIndexes {
		return true, fmt.Sprintf("progress.failedIndexes %q, status.failedIndexes %q", out.Progress.FailedIndexes, j.FailedIndexes)
	}
	if ch.spec.BackoffLimitPerIndex != nil {
		final := gen.ParseIndexes(ch.rec.Final().FailedIndexes)
		for _, ix := range out.Indexes {
			if ix.Status == "Failed" && !slices.Contains(final, ix.Index) {
				return true, fmt.Sprintf("index %d Failed, the final status.failedIndexes is %q", ix.Index, ch.rec.Final().FailedIndexes)
			}
		}
	}
	return true, ""
}

func (ch *checker) attempts(out *Output, st State) (bool, string) {
	applicable := false
	for _, a := range out.Attempts {
		i := slices.IndexFunc(st.Pods, func(p PodState) bool { return p.Name == a.Pod })
		if i < 0 {
			continue
		}
		applicable = true
		p := st.Pods[i]
		if p.Index != nil && (a.Index == nil || *a.Index != *p.Index) {
			return true, fmt.Sprintf("pod %s: index %s, its completion-index annotation is %d", a.Pod, intString(a.Index), *p.Index)
		}
		if a.ExitCode != nil && *a.ExitCode != 0 && len(p.ExitCodes) > 0 && !containsValue(p.ExitCodes, *a.ExitCode) {
			return true, fmt.Sprintf("pod %s: exit code %d, its containers exited %v", a.Pod, *a.ExitCode, p.ExitCodes)
		}
		// Pods the controller deleted after deciding are not compared: they
		// are not part of the decision.
		if p.Phase == string(corev1.PodFailed) && (!p.Deleting || p.DisruptionTarget) {
			if want := CountedFailure(ch.spec, p); a.Counted != want {
				return true, fmt.Sprintf("pod %s: counted %v, the model says %v (podFailurePolicy action %q)", a.Pod, a.Counted, want, policyAction(ch.spec, p))
			}
		}
	}
	return applicable, ""
}

// timings records the predictions of times made by a sample.
func (ch *checker) timings(s Sample, win []State) {
	out := s.Output
	st := win[0]
	if st.Job == nil || decided(st.Job) {
		if out.TTL.DeleteAt != nil && st.Job != nil && st.Job.Terminal() != nil {
			ch.addTiming("ttl", *out.TTL.DeleteAt, ch.rec.DeletionRequested)
		}
		return
	}
	if out.Deadline != nil && !st.Job.Suspend {
		if d := ch.rec.Decided(); d != nil && (d.Reason == batchv1.JobReasonDeadlineExceeded || d.At.After(out.Deadline.At.Add(Tolerance))) {
			ch.addTiming("deadline", out.Deadline.At, d.At)
		} else if d == nil {
			ch.addTiming("deadline", out.Deadline.At, time.Time{})
		}
	}
	if out.Backoff != nil && out.Backoff.NextRetryAt != nil && ch.c.StockBackoff {
		// The replacement: the first pod the harness saw after every pod
		// that had failed by the end of the sample's window.
		last := win[len(win)-1]
		var failedSeen time.Time
		for _, p := range last.Pods {
			if h := ch.rec.Pods[p.Name]; h != nil && p.Phase == string(corev1.PodFailed) && h.SeenAt.After(failedSeen) {
				failedSeen = h.SeenAt
			}
		}
		for _, h := range ch.rec.PodsByCreation() {
			if !h.SeenAt.After(failedSeen) || slices.ContainsFunc(last.Pods, func(p PodState) bool { return p.Name == h.Name }) {
				continue
			}
			ch.addTiming("retry", *out.Backoff.NextRetryAt, h.Created)
			ch.res.Stats[CheckRetry]++
			return
		}
	}
}

// addTiming keeps one timing per kind and predicted time.
func (ch *checker) addTiming(kind string, predicted, actual time.Time) {
	for _, t := range ch.res.Timings {
		if t.Kind == kind && t.Predicted.Equal(predicted) {
			return
		}
	}
	t := Timing{Kind: kind, Case: ch.c.Name(), Predicted: predicted, Actual: actual}
	if actual.IsZero() {
		t.Actual, t.Unseen = ch.rec.WatchedUntil, true
	}
	ch.res.Timings = append(ch.res.Timings, t)
}

// outcome checks the model against what the controller did: the Job
// finished, and for restartPolicy Never without backoffLimitPerIndex it
// failed with BackoffLimitExceeded only past backoffLimit counted failures
// and completed only within it.
func (ch *checker) outcome() {
	final := ch.rec.Final()
	t := final.Terminal()
	if t == nil {
		ch.add(CheckErrors, -1, "the Job did not finish while watched (until %s)", ts(ch.rec.WatchedUntil))
		return
	}
	ch.res.Stats[CheckOutcome]++
	if ch.spec.BackoffLimitPerIndex != nil || ch.spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		return
	}
	n, limit := ch.countedAtDecision(), backoffLimit(ch.spec)
	switch {
	case t.Reason == batchv1.JobReasonBackoffLimitExceeded && n <= limit:
		ch.add(CheckOutcome, -1, "the Job failed with BackoffLimitExceeded after %d counted failures; the model needs more than backoffLimit %d", n, limit)
	case t.Type == string(batchv1.JobComplete) && n > limit:
		ch.add(CheckOutcome, -1, "the Job completed after %d counted failures; the model says it fails past backoffLimit %d", n, limit)
	}
}

func containsValue(m map[string]int32, v int32) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

func intString(p *int) string {
	if p == nil {
		return "<none>"
	}
	return fmt.Sprint(*p)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "<never>"
	}
	return t.UTC().Format("15:04:05.000")
}

// Excuse is how a timing was judged.
type Excuse int

// Judgements of a timing.
const (
	OnTime Excuse = iota
	Early
	Late
	LateExcused
)

// Judge compares a timing with the tolerance; a late one is excused only
// when a control Job of the same kind, due within 60 s of it, was at least
// as late (minus the tolerance): controller lag shown independently.
func Judge(t Timing, controls []Timing) Excuse {
	d := t.Delta()
	switch {
	case d < -Tolerance && !t.Unseen:
		return Early
	case d <= Tolerance:
		return OnTime
	}
	for _, c := range controls {
		if c.Kind == t.Kind && absDuration(c.Predicted.Sub(t.Predicted)) <= 60*time.Second && c.Delta() >= d-Tolerance {
			return LateExcused
		}
	}
	return Late
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
