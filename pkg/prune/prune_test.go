package prune

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// jobB builds a Job and its explanation for the tests.
type jobB struct {
	job *batchv1.Job
	exp *explain.JobExplanation
}

func newJob(ns, name string) *jobB {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name, UID: types.UID(ns + "-" + name),
		CreationTimestamp: metav1.NewTime(now.Add(-30 * 24 * time.Hour)),
	}}
	e := &explain.JobExplanation{Verdict: explain.Verdict{Phase: explain.PhaseRunning}}
	e.Name, e.Namespace, e.UID = name, ns, j.UID
	return &jobB{job: j, exp: e}
}

func (b *jobB) started(ago time.Duration) *jobB {
	b.job.Status.StartTime = ptr.To(metav1.NewTime(now.Add(-ago)))
	return b
}

// finished makes the Job finish with phase (Complete or Failed) ago.
func (b *jobB) finished(phase explain.Phase, ago time.Duration) *jobB {
	t := metav1.NewTime(now.Add(-ago))
	ct := batchv1.JobComplete
	if phase == explain.PhaseFailed {
		ct = batchv1.JobFailed
	}
	b.job.Status.Conditions = append(b.job.Status.Conditions, batchv1.JobCondition{Type: ct, Status: corev1.ConditionTrue, LastTransitionTime: t})
	b.exp.Verdict = explain.Verdict{Phase: phase, Since: &t}
	if b.job.Status.StartTime == nil {
		b.started(ago + time.Minute)
	}
	return b
}

func (b *jobB) phase(p explain.Phase) *jobB { b.exp.Verdict.Phase = p; return b }

func (b *jobB) ownedBy(kind, name string) *jobB {
	b.job.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: kind, Name: name, UID: types.UID(name), Controller: ptr.To(true)}}
	return b
}

func (b *jobB) item() Item { return Item{Job: b.job, Explanation: b.exp} }

type row struct{ Name, Action, Why string }

func rows(p *Plan) []row {
	var out []row
	for _, d := range p.Decisions {
		out = append(out, row{d.Job.Namespace + "/" + d.Job.Name, string(d.Action), d.Why})
	}
	return out
}

func TestMake(t *testing.T) {
	h := time.Hour
	fleet := func() []Item {
		return []Item{
			newJob("ns", "running").started(h).item(),
			newJob("ns", "failing").started(h).phase(explain.PhaseFailing).item(),
			newJob("ns", "done-old").finished(explain.PhaseComplete, 72*h).item(),
			newJob("ns", "done-new").finished(explain.PhaseComplete, 2*h).item(),
			newJob("ns", "failed-old").finished(explain.PhaseFailed, 48*h).item(),
			newJob("ns", "nightly-1").finished(explain.PhaseComplete, 1*h).ownedBy("CronJob", "nightly").item(),
			newJob("ns", "nightly-2").finished(explain.PhaseComplete, 25*h).ownedBy("CronJob", "nightly").item(),
			newJob("ns", "nightly-3").finished(explain.PhaseFailed, 49*h).ownedBy("CronJob", "nightly").item(),
			newJob("ns", "nightly-4").finished(explain.PhaseComplete, 73*h).ownedBy("CronJob", "nightly").item(),
			newJob("ns", "nightly-live").started(10*time.Minute).phase(explain.PhaseSucceeding).ownedBy("CronJob", "nightly").item(),
		}
	}
	tests := []struct {
		name string
		opts Options
		want []row
	}{
		{
			name: "every finished Job",
			want: []row{
				{"ns/failing", "keep", "Failing: prune never deletes unfinished Jobs"},
				{"ns/running", "keep", "Running: prune never deletes unfinished Jobs"},
				{"ns/done-new", "delete", "finished 120m ago"},
				{"ns/failed-old", "delete", "finished 2d ago"},
				{"ns/done-old", "delete", "finished 3d ago"},
				{"ns/nightly-live", "keep", "Succeeding: prune never deletes unfinished Jobs"},
				{"ns/nightly-1", "delete", "finished 60m ago"},
				{"ns/nightly-2", "delete", "finished 25h ago"},
				{"ns/nightly-3", "delete", "finished 2d1h ago"},
				{"ns/nightly-4", "delete", "finished 3d1h ago"},
			},
		},
		{
			name: "failed only, older than a day",
			opts: Options{Failed: true, OlderThan: 24 * h},
			want: []row{
				{"ns/failing", "keep", "Failing: prune never deletes unfinished Jobs"},
				{"ns/running", "keep", "Running: prune never deletes unfinished Jobs"},
				{"ns/done-new", "keep", "Complete; --failed selects Failed Jobs only"},
				{"ns/failed-old", "delete", "finished 2d ago, older than 24h"},
				{"ns/done-old", "keep", "Complete; --failed selects Failed Jobs only"},
				{"ns/nightly-live", "keep", "Succeeding: prune never deletes unfinished Jobs"},
				{"ns/nightly-1", "keep", "Complete; --failed selects Failed Jobs only"},
				{"ns/nightly-2", "keep", "Complete; --failed selects Failed Jobs only"},
				{"ns/nightly-3", "delete", "finished 2d1h ago, older than 24h"},
				{"ns/nightly-4", "keep", "Complete; --failed selects Failed Jobs only"},
			},
		},
		{
			name: "succeeded, keep the last 2 per owner",
			opts: Options{Succeeded: true, KeepLast: 2},
			want: []row{
				{"ns/failing", "keep", "Failing: prune never deletes unfinished Jobs"},
				{"ns/running", "keep", "Running: prune never deletes unfinished Jobs"},
				{"ns/done-new", "keep", "one of the 2 newest unowned Jobs in ns (--keep-last)"},
				{"ns/failed-old", "keep", "Failed; --succeeded selects Complete Jobs only"},
				{"ns/done-old", "keep", "one of the 2 newest unowned Jobs in ns (--keep-last)"},
				{"ns/nightly-live", "keep", "Succeeding: prune never deletes unfinished Jobs"},
				{"ns/nightly-1", "keep", "one of the 2 newest of cronjob/nightly (--keep-last)"},
				{"ns/nightly-2", "keep", "one of the 2 newest of cronjob/nightly (--keep-last)"},
				{"ns/nightly-3", "keep", "Failed; --succeeded selects Complete Jobs only"},
				{"ns/nightly-4", "delete", "finished 3d1h ago, beyond the 2 newest of cronjob/nightly"},
			},
		},
		{
			name: "young Jobs count towards keep-last",
			opts: Options{OlderThan: 24 * h, KeepLast: 1},
			want: []row{
				{"ns/failing", "keep", "Failing: prune never deletes unfinished Jobs"},
				{"ns/running", "keep", "Running: prune never deletes unfinished Jobs"},
				{"ns/done-new", "keep", "finished 120m ago, within --older-than=24h"},
				{"ns/failed-old", "delete", "finished 2d ago, older than 24h, beyond the newest unowned Job in ns"},
				{"ns/done-old", "delete", "finished 3d ago, older than 24h, beyond the newest unowned Job in ns"},
				{"ns/nightly-live", "keep", "Succeeding: prune never deletes unfinished Jobs"},
				{"ns/nightly-1", "keep", "finished 60m ago, within --older-than=24h"},
				{"ns/nightly-2", "delete", "finished 25h ago, older than 24h, beyond the newest of cronjob/nightly"},
				{"ns/nightly-3", "delete", "finished 2d1h ago, older than 24h, beyond the newest of cronjob/nightly"},
				{"ns/nightly-4", "delete", "finished 3d1h ago, older than 24h, beyond the newest of cronjob/nightly"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rows(Make(fleet(), tt.opts, now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMakeSafetyGuards(t *testing.T) {
	terminating := newJob("ns", "terminating").finished(explain.PhaseComplete, time.Hour)
	terminating.job.DeletionTimestamp = ptr.To(metav1.NewTime(now))
	noCondition := newJob("ns", "no-condition").finished(explain.PhaseComplete, time.Hour)
	noCondition.job.Status.Conditions = nil
	wrongCondition := newJob("ns", "wrong-condition").finished(explain.PhaseComplete, time.Hour)
	wrongCondition.exp.Verdict.Phase = explain.PhaseFailed
	otherUID := newJob("ns", "other-uid").finished(explain.PhaseComplete, time.Hour)
	otherUID.exp.UID = "someone-else"
	external := newJob("ns", "external").finished(explain.PhaseComplete, time.Hour)
	external.job.Spec.ManagedBy = ptr.To("example.com/batch")
	builtIn := newJob("ns", "built-in").finished(explain.PhaseComplete, time.Hour)
	builtIn.job.Spec.ManagedBy = ptr.To(JobControllerName)
	unknownFinish := newJob("ns", "unknown-finish").finished(explain.PhaseComplete, time.Hour)
	unknownFinish.exp.Verdict.Since = nil
	items := []Item{terminating.item(), noCondition.item(), wrongCondition.item(), otherUID.item(), unknownFinish.item(),
		{Job: newJob("ns", "no-explanation").job}, external.item()}

	got := map[string]string{}
	for _, d := range Make(items, Options{OlderThan: time.Minute}, now).Decisions {
		if d.Action != Keep {
			t.Errorf("%s: %s, want keep", d.Job.Name, d.Action)
		}
		got[d.Job.Name] = d.Why
	}
	want := map[string]string{
		"terminating":     "already being deleted",
		"no-condition":    "verdict Complete without a Complete=True condition: not deleted (please report this)",
		"wrong-condition": "verdict Failed without a Failed=True condition: not deleted (please report this)",
		"other-uid":       "explanation is of another Job (UID mismatch)",
		"unknown-finish":  "finish time unknown; --older-than needs it",
		"no-explanation":  "not explained",
		"external":        "managed by example.com/batch: prune leaves it to that controller",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	// spec.managedBy naming the built-in controller is the built-in controller.
	if d := Make([]Item{builtIn.item()}, Options{}, now).Decisions[0]; d.Action != Delete {
		t.Errorf("built-in managedBy: %s (%s), want delete", d.Action, d.Why)
	}
}

// TestMakeProperties checks the safety rules over random fleets and random
// options: no unfinished Job is ever deleted, and the filters only ever
// narrow what is deleted.
func TestMakeProperties(t *testing.T) {
	const fleets = 400
	for seed := uint64(1); seed <= fleets; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		items := randomFleet(r)
		opts := randomOptions(r)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			checkPlan(t, items, opts)
		})
	}
}

// TestMakePropertiesWithExplain runs the same random Jobs through the real
// explain engine, so a verdict bug cannot turn into a deletion.
func TestMakePropertiesWithExplain(t *testing.T) {
	deleted := 0
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		items := randomFleet(r)
		for i := range items {
			items[i].Explanation = explain.Explain(explain.Input{Job: items[i].Job, Now: now})
		}
		opts := randomOptions(r)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			checkPlan(t, items, opts)
		})
		deleted += len(Make(items, opts, now).ToDelete())
	}
	// The engine must call some of these Jobs finished, or the test proves nothing.
	if deleted == 0 {
		t.Error("no Job of 200 random fleets was deleted: the property is vacuous")
	}
}

func checkPlan(t *testing.T, items []Item, opts Options) {
	t.Helper()
	plan := Make(items, opts, now)
	if len(plan.Decisions) != len(items) {
		t.Fatalf("%d decisions for %d Jobs", len(plan.Decisions), len(items))
	}
	seen := map[types.UID]bool{}
	deleted := map[types.UID]bool{}
	for _, d := range plan.Decisions {
		if seen[d.Job.UID] {
			t.Fatalf("%s decided twice", d.Job.Name)
		}
		seen[d.Job.UID] = true
		if d.Why == "" {
			t.Errorf("%s: %s without a reason", d.Job.Name, d.Action)
		}
		if d.Action != Delete {
			continue
		}
		deleted[d.Job.UID] = true
		phase := d.Explanation.Verdict.Phase
		switch {
		case !phase.Finished():
			t.Errorf("%s: deleted an unfinished Job (%s) with %+v", d.Job.Name, phase, opts)
		case !hasTerminalCondition(d.Job):
			t.Errorf("%s: deleted a Job without a Complete/Failed=True condition with %+v", d.Job.Name, opts)
		case d.Job.DeletionTimestamp != nil:
			t.Errorf("%s: deleted a Job already being deleted", d.Job.Name)
		case d.Job.Spec.ManagedBy != nil:
			t.Errorf("%s: deleted a Job managed by %s", d.Job.Name, *d.Job.Spec.ManagedBy)
		case opts.Succeeded && !opts.Failed && phase != explain.PhaseComplete,
			opts.Failed && !opts.Succeeded && phase != explain.PhaseFailed:
			t.Errorf("%s: deleted a %s Job with %+v", d.Job.Name, phase, opts)
		case opts.OlderThan > 0 && (d.FinishedAt == nil || now.Sub(d.FinishedAt.Time) < opts.OlderThan):
			t.Errorf("%s: deleted a Job that finished %v, within --older-than %v", d.Job.Name, d.FinishedAt, opts.OlderThan)
		}
	}
	// --keep-last: the newest KeepLast selected finished Jobs of each group survive.
	if opts.KeepLast > 0 {
		groups := map[string][]Decision{}
		for _, d := range plan.Decisions {
			if d.Explanation != nil && opts.selects(d.Explanation.Verdict.Phase) && d.Job.DeletionTimestamp == nil {
				groups[groupKey(d.Job)] = append(groups[groupKey(d.Job)], d)
			}
		}
		for key, ds := range groups {
			slices.SortStableFunc(ds, func(a, b Decision) int {
				if newer(a.Job, b.Job) {
					return -1
				}
				if newer(b.Job, a.Job) {
					return 1
				}
				return 0
			})
			for i := 0; i < len(ds) && i < opts.KeepLast; i++ {
				if ds[i].Action == Delete {
					t.Errorf("group %q: deleted %s, one of the %d newest", key, ds[i].Job.Name, opts.KeepLast)
				}
			}
		}
	}
	// Narrower options delete a subset.
	for _, narrower := range []Options{
		{Succeeded: opts.Succeeded, Failed: opts.Failed, OlderThan: opts.OlderThan + time.Hour, KeepLast: opts.KeepLast},
		{Succeeded: opts.Succeeded, Failed: opts.Failed, OlderThan: opts.OlderThan, KeepLast: opts.KeepLast + 1},
		{Succeeded: true, OlderThan: opts.OlderThan, KeepLast: opts.KeepLast},
		{Failed: true, OlderThan: opts.OlderThan, KeepLast: opts.KeepLast},
	} {
		if narrower.Succeeded != narrower.Failed && opts.Succeeded != opts.Failed && narrower.Succeeded != opts.Succeeded {
			continue // a different outcome is not narrower
		}
		for _, d := range Make(items, narrower, now).ToDelete() {
			if !deleted[d.Job.UID] {
				t.Errorf("%s: deleted with %+v but not with the wider %+v", d.Job.Name, narrower, opts)
			}
		}
	}
	// The plan does not depend on the order Jobs were listed in.
	shuffled := slices.Clone(items)
	r := rand.New(rand.NewPCG(uint64(len(items)), 3))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if diff := cmp.Diff(rows(plan), rows(Make(shuffled, opts, now))); diff != "" {
		t.Errorf("plan depends on input order (-listed +shuffled):\n%s", diff)
	}
}

func hasTerminalCondition(job *batchv1.Job) bool {
	return hasCondition(job, batchv1.JobComplete) || hasCondition(job, batchv1.JobFailed)
}

// randomFleet returns Jobs in every phase with random, sometimes
// contradictory, conditions and verdicts: the plan must be safe even when the
// verdict and the conditions disagree.
func randomFleet(r *rand.Rand) []Item {
	n := r.IntN(30)
	items := make([]Item, 0, n)
	condTypes := []batchv1.JobConditionType{batchv1.JobComplete, batchv1.JobFailed, batchv1.JobSuccessCriteriaMet,
		batchv1.JobFailureTarget, batchv1.JobSuspended}
	for i := range n {
		b := newJob([]string{"a", "b"}[r.IntN(2)], fmt.Sprintf("job-%d", i))
		// Start times collide on purpose so ties are ordered by name.
		b.started(time.Duration(r.IntN(10)) * 12 * time.Hour)
		for _, ct := range condTypes {
			if r.IntN(4) == 0 {
				status := []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse}[r.IntN(2)]
				b.job.Status.Conditions = append(b.job.Status.Conditions, batchv1.JobCondition{Type: ct, Status: status,
					LastTransitionTime: metav1.NewTime(now.Add(-time.Duration(r.IntN(100)) * time.Hour))})
			}
		}
		b.exp.Verdict.Phase = explain.Phases[r.IntN(len(explain.Phases))]
		if r.IntN(5) > 0 {
			b.exp.Verdict.Since = ptr.To(metav1.NewTime(now.Add(-time.Duration(r.IntN(100)) * time.Hour)))
		}
		switch r.IntN(4) {
		case 0:
			b.ownedBy("CronJob", "nightly")
		case 1:
			b.ownedBy("CronJob", "hourly")
		}
		if r.IntN(10) == 0 {
			b.job.DeletionTimestamp = ptr.To(metav1.NewTime(now))
		}
		if r.IntN(10) == 0 {
			b.job.Spec.Suspend = ptr.To(true)
		}
		if r.IntN(10) == 0 {
			b.job.Spec.ManagedBy = ptr.To("example.com/other")
		}
		items = append(items, b.item())
	}
	return items
}

func randomOptions(r *rand.Rand) Options {
	return Options{
		Succeeded: r.IntN(2) == 0,
		Failed:    r.IntN(2) == 0,
		OlderThan: []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}[r.IntN(4)],
		KeepLast:  r.IntN(4),
	}
}

func TestParseOlderThan(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "36h", want: 36 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "0", wantErr: true},
		{in: "0d", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "1d-5h", wantErr: true},
		{in: "1.5d", wantErr: true},
		{in: "week", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseOlderThan(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseOlderThan(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// everyOptions is every combination of prune's selection flags: --succeeded,
// --failed (both, either, neither), --older-than and --keep-last values.
func everyOptions() []Options {
	var all []Options
	for _, succeeded := range []bool{false, true} {
		for _, failed := range []bool{false, true} {
			for _, older := range []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
				for _, keep := range []int{0, 1, 2, 3, 5} {
					all = append(all, Options{Succeeded: succeeded, Failed: failed, OlderThan: older, KeepLast: keep})
				}
			}
		}
	}
	return all
}

// TestMakeEveryCombination checks the safety rules (checkPlan) for every
// combination of the selection flags, not a random one, over random fleets;
// half the fleets are judged by the real explain engine. The command narrows
// the Jobs before the plan (-n instead of -A, -l SELECTOR): for one namespace
// and for a random subset the rules hold too, and a narrower selection never
// deletes a Job the wider one kept (--keep-last ranks within what is listed).
// The counts it logs are quoted in docs/reliability.md.
func TestMakeEveryCombination(t *testing.T) {
	const fleets = 120
	combos := everyOptions()
	var jobs, plans, deletions int
	for seed := uint64(1); seed <= fleets; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		items := randomFleet(r)
		if seed%2 == 0 {
			for i := range items {
				items[i].Explanation = explain.Explain(explain.Input{Job: items[i].Job, Now: now})
			}
		}
		jobs += len(items)
		oneNamespace := slices.DeleteFunc(slices.Clone(items), func(it Item) bool { return it.Job.Namespace != "a" })
		selected := slices.DeleteFunc(slices.Clone(items), func(Item) bool { return r.IntN(2) == 0 })
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			for _, opts := range combos {
				wide := map[types.UID]bool{}
				for _, d := range Make(items, opts, now).ToDelete() {
					wide[d.Job.UID] = true
				}
				for i, sub := range [][]Item{items, oneNamespace, selected} {
					checkPlan(t, sub, opts)
					plans++
					for _, d := range Make(sub, opts, now).ToDelete() {
						deletions++
						if i > 0 && !wide[d.Job.UID] {
							t.Errorf("%s: deleted from a narrower selection but kept by -A with %+v", d.Job.Name, opts)
						}
					}
				}
			}
		})
	}
	if deletions == 0 {
		t.Error("nothing was ever deleted: the properties are vacuous")
	}
	t.Logf("%d random fleets, %d Jobs, %d flag combinations, 3 selections each: %d plans checked, %d deletions, none of an unfinished Job",
		fleets, jobs, len(combos), plans, deletions)
}
