//go:build e2e

package difftest

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

func isConflictOrGone(err error) bool { return apierrors.IsConflict(err) || apierrors.IsNotFound(err) }

// judged is a timing with its judgement.
type judged struct {
	trace.Timing
	Judge trace.Excuse
}

// tally counts cases and checks for one row of the report.
type tally struct {
	cases, agree, samples int
	checks                trace.Stats
}

func (t *tally) row(name string) string {
	cols := []string{name, fmt.Sprint(t.cases), fmt.Sprintf("%d (%s)", t.agree, pct(t.agree, t.cases)), fmt.Sprint(t.samples)}
	for _, k := range trace.CheckOrder {
		cols = append(cols, fmt.Sprint(t.checks[k]))
	}
	return "| " + strings.Join(cols, " | ") + " |\n"
}

// summary gathers the whole run: the checks made, the problems (including
// timings judged against the controls) and the rows of the report.
type summary struct {
	controls  []trace.Timing
	total     tally
	rows      map[string]*tally
	probs     map[*caseResult][]trace.Problem
	failed    map[string]int
	timings   []judged
	excused   []judged
	errorRuns int
	// list tallies the checks of list's verdicts (listCheck).
	list struct {
		samples, blind, liveBlind int
		checks                    trace.Stats
	}
}

func newSummary(controls []trace.Timing) *summary {
	var valid []trace.Timing
	for _, c := range controls {
		if !c.Predicted.IsZero() {
			valid = append(valid, c)
		}
	}
	s := &summary{controls: valid, total: tally{checks: trace.Stats{}}, rows: map[string]*tally{}, probs: map[*caseResult][]trace.Problem{}, failed: map[string]int{}}
	s.list.checks = trace.Stats{}
	return s
}

func (s *summary) add(r *caseResult) {
	probs := slices.Clone(r.Result.Problems)
	for _, p := range r.List.Result.Problems {
		p.Detail = "kubectl job list: " + p.Detail
		probs = append(probs, p)
	}
	s.list.samples += r.List.Samples
	s.list.blind += r.List.Blind
	s.list.liveBlind += r.List.LiveBlind
	for c, v := range r.List.Result.Stats {
		s.list.checks[c] += v
	}
	if r.Err != nil {
		probs = append(probs, trace.Problem{Check: trace.CheckErrors, Sample: -1, Detail: "run error: " + r.Err.Error()})
		s.errorRuns++
	}
	for _, t := range r.Result.Timings {
		j := judged{Timing: t, Judge: trace.Judge(t, s.controls)}
		s.timings = append(s.timings, j)
		switch j.Judge {
		case trace.Early:
			probs = append(probs, trace.Problem{Check: t.Kind, Sample: -1, Detail: fmt.Sprintf("predicted %s, it happened %s, %.1fs earlier", ts(t.Predicted), ts(t.Actual), -t.Delta().Seconds())})
		case trace.Late:
			what := "it happened"
			if t.Unseen {
				what = "it had not happened when watching stopped"
			}
			probs = append(probs, trace.Problem{Check: t.Kind, Sample: -1, Detail: fmt.Sprintf("predicted %s, %s %s, %.1fs later, and no control Job showed that much controller lag", ts(t.Predicted), what, ts(t.Actual), t.Delta().Seconds())})
		case trace.LateExcused:
			s.excused = append(s.excused, j)
		}
	}
	s.probs[r] = probs
	for _, p := range probs {
		s.failed[p.Check]++
	}
	keys := slices.Clone(r.Case.Features)
	if r.Case.Live != "" {
		keys = append(keys, r.Case.Live)
	}
	if r.Cluster == "stock" {
		keys = append(keys, "nextRetryAt (stock 10 s backoff)")
	}
	for _, k := range append(keys, "") {
		t := &s.total
		if k != "" {
			if s.rows[k] == nil {
				s.rows[k] = &tally{checks: trace.Stats{}}
			}
			t = s.rows[k]
		}
		t.cases++
		if len(probs) == 0 {
			t.agree++
		}
		t.samples += len(r.Samples)
		for c, v := range r.Result.Stats {
			t.checks[c] += v
		}
	}
}

func (s *summary) problems(r *caseResult) []trace.Problem { return s.probs[r] }

// minChecks is the least number of checks of each column a run of n cases
// (and nRetry stock-backoff cases) must make: a column that checked nothing
// proves nothing.
func minChecks(n, nRetry int) map[string]int {
	m := map[string]int{
		trace.CheckVerdict: n / 2, trace.CheckEarly: n / 2, trace.CheckLive: n, trace.CheckAttempts: n / 2, trace.CheckOutcome: n * 9 / 10,
		trace.CheckInterim: n / 20, trace.CheckBackoff: n / 4, trace.CheckDeadline: n / 8, trace.CheckTTL: n / 8, trace.CheckIndexes: n / 8,
	}
	m[trace.CheckRetry] = nRetry
	return m
}

func (s *summary) shortColumns(n, nRetry int) []string {
	var out []string
	// list's verdicts: every column it shares, and the states it judged
	// without pods, which are what its check is for.
	for _, k := range trace.ListChecks {
		if want := minChecks(n, nRetry)[k]; s.list.checks[k] < want {
			out = append(out, fmt.Sprintf("kubectl job list %s: %d checks, at least %d required for %d cases", k, s.list.checks[k], want, n))
		}
	}
	if s.list.liveBlind < n/20 {
		out = append(out, fmt.Sprintf("kubectl job list: %d live states judged without their pods, at least %d required for %d cases", s.list.liveBlind, n/20, n))
	}
	for _, k := range trace.CheckOrder {
		if want := minChecks(n, nRetry)[k]; s.total.checks[k] < want {
			out = append(out, fmt.Sprintf("%s: %d checks, at least %d required for %d cases", k, s.total.checks[k], want, n))
		}
	}
	return out
}

func (s *summary) failedColumns() string {
	var parts []string
	for _, k := range append(slices.Clone(trace.CheckOrder), trace.CheckErrors) {
		if s.failed[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, s.failed[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func (s *summary) headline() string {
	checks := 0
	for _, v := range s.total.checks {
		checks += v
	}
	return fmt.Sprintf("%d of %d cases agree (%s), %d checks; %d late timings excused by control lag; %d run errors; failed checks: %s",
		s.total.agree, s.total.cases, pct(s.total.agree, s.total.cases), checks, len(s.excused), s.errorRuns, s.failedColumns())
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(a)/float64(b))
}

func ts(t time.Time) string { return t.UTC().Format("15:04:05.000") }

type reportInput struct {
	seed               uint64
	n, par             int
	elapsed            time.Duration
	loadStart, loadEnd string
	commit             string
	results            []*caseResult
	invalid            []invalidResult
	sum                *summary
}

// renderReport is docs/accuracy.md, written only by a passing run.
func renderReport(in reportInput) string {
	var b strings.Builder
	s := in.sum
	header := "| | cases | agree | samples |"
	sep := "|---|---:|---:|---:|"
	for _, k := range trace.CheckOrder {
		header += " " + k + " |"
		sep += "---:|"
	}
	fmt.Fprintf(&b, "# Accuracy of `kubectl job explain` against the job controller\n\n")
	fmt.Fprintf(&b, "Written by a passing run of the differential test (issues 11 and 16, `test/difftest`); a failing run writes nothing. Regenerate with `make difftest N=%d SEED=%d` (hack/difftest.sh starts a fresh cluster with the 1 s test backoff and one with the stock 10 s backoff). `make test` fails when `pkg/explain` changed after the commit below (hack/accuracy-fresh.sh).\n\n", in.n, in.seed)
	fmt.Fprintf(&b, "- Commit: `%s`\n", in.commit)
	fmt.Fprintf(&b, "- Run: %s, seed %d, %d cases (%d at a time) + %d control Jobs, %d invalid specs, %s wall time; load average %s at the start, %s at the end (2 cores, shared)\n",
		time.Now().UTC().Format(time.RFC3339), in.seed, len(in.results), in.par, len(s.controls), len(in.invalid), in.elapsed.Round(time.Second), in.loadStart, in.loadEnd)
	fmt.Fprintf(&b, "- **Result: %s**\n\n", s.headline())
	b.WriteString("## How it checks\n\nThe oracle never reads the plugin's output. The harness records, from its own informers on the case's Jobs, Pods and Events, every state the controller left (conditions with times, counters, failed and completed indexes, each pod's phase, exit codes, restarts, DisruptionTarget, deletion, the job-tracking finalizer, replacement pods' creation, the Job's deletion and disappearance). Each sample of `kubectl job explain -o json` is compared with the states the harness saw while it ran (the last one before it and those seen until 300 ms after), through a small model of the controller's rules written in the test (`test/difftest/trace/model.go`, from the API reference, never calling `pkg/explain`). A check passes when one of those states agrees. Columns:\n\n")
	for _, line := range []string{
		"**verdict**: a finished Job is Complete/Failed with its terminal condition's reason",
		"**early**: Complete/Failed only when the state has that condition",
		"**interim**: FailureTarget/SuccessCriteriaMet → Failing/Succeeding with that reason",
		"**live**: otherwise Running while a pod of the Job runs, else Pending, with Unschedulable (PodScheduled=False), ErrImagePull/ImagePullBackOff, or FailedCreate (no pod, a FailedCreate event) when the state shows it; Suspended; Terminating once the Job has a deletionTimestamp; NotFound once it is gone. Failing/Succeeding before the interim condition is a prediction that must come true",
		"**backoff**: `backoff.counted` lies between the counted pod failures the controller had accounted for (job-tracking finalizer removed) and those seen (failed pods not matched by an Ignore rule; plus restarts of active pods for OnFailure), `remaining` is backoffLimit minus that count (the controller's rule), and 'fails after R+1 more' came true: a Job that failed with BackoffLimitExceeded had at least C+R+1 counted failures, one that completed at most C+R; and no `nextRetryAt` is promised once the counted pod failures seen (plus restarts) exceed backoffLimit, when the controller fails the Job instead",
		"**deadline**: `deadline.at` = status.startTime + activeDeadlineSeconds; then when the controller decided (timings below)",
		"**ttl**: `ttl.state` Waiting before the end, `ttl.deleteAt` = terminal condition + ttlSecondsAfterFinished; then when the deletion came (timings below)",
		"**indexes**: `progress.failedIndexes` = status.failedIndexes; an index called Failed is in the final status.failedIndexes",
		"**attempts**: each pod's completion index and exit code, and whether its failure counts (the model's podFailurePolicy evaluation: onExitCodes, onPodConditions DisruptionTarget)",
		"**retry**: `backoff.nextRetryAt` against the creation of the replacement pod, on the cluster with the stock 10 s backoff",
		"**outcome**: per case, the model against what the controller did: the Job finished; BackoffLimitExceeded only past backoffLimit counted failures, Complete only within it",
	} {
		b.WriteString("- " + line + "\n")
	}
	b.WriteString("\nA plugin error (other than NotFound for a deleted Job), a Job that did not finish, a sample no check applied to, or a column with fewer checks than its minimum fails the run. Timings are judged two-sided with ±2 s; a late one is excused only when a control Job (never sampled, its lag measured by the harness alone) due within 60 s was at least as late minus 2 s.\n\n")

	b.WriteString("## Checks by feature and live state\n\n" + header + "\n" + sep + "\n")
	order := append(append(slices.Clone(gen.FeatureOrder), gen.LiveOrder...), "nextRetryAt (stock 10 s backoff)")
	for _, k := range order {
		if t := s.rows[k]; t != nil {
			b.WriteString(t.row(k))
		}
	}
	b.WriteString(s.total.row("**all**"))
	b.WriteString("\nMinimum checks required for this run: ")
	var mins []string
	nRetry := len(in.results) - in.n
	for _, k := range trace.CheckOrder {
		mins = append(mins, fmt.Sprintf("%s %d", k, minChecks(in.n, nRetry)[k]))
	}
	b.WriteString(strings.Join(mins, ", ") + ".\n")

	b.WriteString("\n## The verdicts of `kubectl job list`\n\n")
	fmt.Fprintf(&b, "list reads no pods for finished Jobs, nor for live ones whose spec decides their row (`explain.ListRowNeedsPods`: Suspended, External, unless restartPolicy OnFailure). After each sample the harness read the Job, its pods and events itself; that state went through list's own code (`kube.ListExplainedJobs` with the evidence of its table, on a fake API holding only it) and its verdict was judged by the same model, with the columns list shows (%s). %d states judged, %d of them without their pods, %d of those live; every problem fails the run like the explain checks. `make difftest-mutants` keeps, as the mutant list-trusts-ready, the rule first tried here: Running taken from status.ready without pods, which this check caught in the window between a pod's end and the controller's next status update.\n\n",
		strings.Join(trace.ListChecks, ", "), s.list.samples, s.list.blind, s.list.liveBlind)
	b.WriteString("| |")
	for _, k := range trace.ListChecks {
		b.WriteString(" " + k + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(trace.ListChecks)) + "\n| checks |")
	for _, k := range trace.ListChecks {
		fmt.Fprintf(&b, " %d |", s.list.checks[k])
	}
	b.WriteString("\n")

	b.WriteString("\n## Timings: actual − predicted\n\nTwo-sided: negative means the controller acted before the plugin's prediction. Condition times and creation timestamps have whole seconds, so about −1 s is the rounding.\n\n")
	b.WriteString("| prediction | n | min | 10 % | median | 90 % | max | on time (±2 s) | early | late, excused | late |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, kind := range []string{"deadline", "ttl", "retry"} {
		var ds []time.Duration
		counts := map[trace.Excuse]int{}
		for _, t := range s.timings {
			if t.Kind == kind {
				ds = append(ds, t.Delta())
				counts[t.Judge]++
			}
		}
		b.WriteString(distRow(kind, ds, fmt.Sprintf(" %d | %d | %d | %d |", counts[trace.OnTime], counts[trace.Early], counts[trace.LateExcused], counts[trace.Late])))
	}
	for _, kind := range []string{"deadline", "ttl"} {
		var ds []time.Duration
		for _, c := range s.controls {
			if c.Kind == kind {
				ds = append(ds, c.Delta())
			}
		}
		b.WriteString(distRow("control "+kind+" lag", ds, " | | | |"))
	}
	b.WriteString("\n## Excused late timings\n\n")
	if len(s.excused) == 0 {
		b.WriteString("None.\n")
	}
	for _, j := range s.excused {
		fmt.Fprintf(&b, "- %s %s: predicted %s, happened %s (%+.1fs)\n", j.Case, j.Kind, ts(j.Predicted), ts(j.Actual), j.Delta().Seconds())
	}

	if len(in.invalid) > 0 {
		b.WriteString("\n## Invalid specs\n\nOnly specs the API server rejects (server-side dry run); `kubectl job create -f --dry-run=server` must fail too; `--dry-run=client` shows whether create's own validation catches them first. Specs the server accepts (an Indexed Job with neither completions nor parallelism, a 0 s deadline) run as normal cases (feature \"edge spec the API server accepts\").\n\n")
		b.WriteString("| spec | rule | API server | create --dry-run=server | create --dry-run=client |\n|---|---|---|---|---|\n")
		for _, inv := range in.invalid {
			fmt.Fprintf(&b, "| %s | %s | rejected | exit %d | exit %d |\n", inv.Case.Kind, inv.Case.Why, inv.CreateServerCode, inv.CreateClientCode)
		}
	}
	b.WriteString("\n## Fixtures of disagreements found while building this oracle\n\n")
	var fixtures []string
	for _, r := range in.results {
		if r.Fixture != "" {
			fixtures = append(fixtures, filepath.Base(r.Fixture))
		}
	}
	sort.Strings(fixtures)
	if len(fixtures) == 0 {
		b.WriteString("None in this run; earlier ones are replayed from `pkg/explain/testdata/difftest/` by `TestDifftestRegressions`.\n")
	}
	for _, f := range fixtures {
		fmt.Fprintf(&b, "- `pkg/explain/testdata/difftest/%s`\n", f)
	}
	return b.String()
}

func distRow(name string, ds []time.Duration, tail string) string {
	if len(ds) == 0 {
		return fmt.Sprintf("| %s | 0 | | | | | |%s\n", name, tail)
	}
	slices.Sort(ds)
	q := func(f float64) string { return fmt.Sprintf("%+.1fs", ds[int(f*float64(len(ds)-1))].Seconds()) }
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s |%s\n", name, len(ds), q(0), q(0.1), q(0.5), q(0.9), q(1), tail)
}
