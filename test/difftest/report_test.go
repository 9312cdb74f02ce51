//go:build e2e

package difftest

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

type tally struct {
	cases, agree, unchecked, samples int
	checks                           trace.Stats
}

func (t *tally) add(r *caseResult) {
	if t.checks == nil {
		t.checks = trace.Stats{}
	}
	t.cases++
	if r.Err == nil && len(trace.Disagreements(r.Problems)) == 0 {
		t.agree++
	}
	sampling := slices.ContainsFunc(r.Problems, func(p trace.Problem) bool { return p.Check == trace.CheckSampling })
	if r.Err != nil || sampling {
		t.unchecked++
	}
	t.samples += len(r.Samples)
	for k, v := range r.Stats {
		t.checks[k] += v
	}
}

func (t *tally) row(name string) string {
	cols := []string{name, fmt.Sprint(t.cases), fmt.Sprintf("%d (%s)", t.agree, pct(t.agree, t.cases)), fmt.Sprint(t.samples)}
	for _, k := range trace.CheckOrder {
		cols = append(cols, fmt.Sprint(t.checks[k]))
	}
	return "| " + strings.Join(cols, " | ") + " |\n"
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(a)/float64(b))
}

// renderReport is docs/accuracy.md: the last run's agreement table.
func renderReport(seed uint64, n, par int, elapsed time.Duration, results []*caseResult, invalid []invalidResult) string {
	var b strings.Builder
	total := &tally{}
	byFeature := map[string]*tally{}
	byOutcome := map[string]*tally{}
	var durations, gaps []time.Duration
	for _, r := range results {
		total.add(r)
		durations = append(durations, r.Took)
		for i := 1; i < len(r.Samples); i++ {
			gaps = append(gaps, r.Samples[i].At.Sub(r.Samples[i-1].At))
		}
		for _, f := range r.Case.Features {
			if byFeature[f] == nil {
				byFeature[f] = &tally{}
			}
			byFeature[f].add(r)
		}
		outcome := "did not finish"
		if r.Truth.Terminal != "" {
			outcome = r.Truth.Terminal + " / " + r.Truth.Reason
		}
		if byOutcome[outcome] == nil {
			byOutcome[outcome] = &tally{}
		}
		byOutcome[outcome].add(r)
	}
	slices.Sort(durations)
	slices.Sort(gaps)
	header := "| | cases | agree | samples |"
	sep := "|---|---:|---:|---:|"
	for _, k := range trace.CheckOrder {
		header += " " + k + " |"
		sep += "---:|"
	}

	fmt.Fprintf(&b, "# Accuracy of `kubectl job explain` against the job controller\n\n")
	fmt.Fprintf(&b, "Written by the differential test (issue 11, `test/difftest`): random Jobs run on the local cluster, whose job controller is the oracle, while `kubectl job explain -o json` is sampled every ~%s and after each Job ends. Regenerate with `make difftest N=%d SEED=%d`.\n\n", sampleEvery, n, seed)
	fmt.Fprintf(&b, "Last run: %s, seed %d, %d cases (%d at a time), %d invalid specs, %s wall time; per case median %s, max %s.\n\n",
		time.Now().UTC().Format(time.RFC3339), seed, len(results), par, len(invalid), elapsed.Round(time.Second), quantile(durations, 0.5), quantile(durations, 1))
	fmt.Fprintf(&b, "Time between samples of a case (one plugin run plus the snapshot for fixtures): median %s, 90th percentile %s.\n\n", quantile(gaps, 0.5), quantile(gaps, 0.9))
	fmt.Fprintf(&b, "**Agreement: %d of %d cases (%s)**; %d cases could not be fully checked (see below).\n\n", total.agree, total.cases, pct(total.agree, total.cases), total.unchecked)
	b.WriteString("The check columns count the predictions compared with what the controller did (one per sample and kind):\n\n")
	b.WriteString("- **verdict**: a sample of a finished Job has the phase and reason of its terminal condition (100 % required);\n")
	b.WriteString("- **early**: Complete/Failed only once the controller wrote the condition, and never back to a live phase;\n")
	b.WriteString("- **interim**: Failing/Succeeding while FailureTarget/SuccessCriteriaMet is set and pods terminate, with the final reason;\n")
	b.WriteString("- **backoff**: `backoff.remaining` R and `counted` C predict failure at C+R+1 counted failures (status.failed for Never, restarts of active pods for OnFailure): a Job that failed with BackoffLimitExceeded reached it, a Job that completed stayed below it;\n")
	fmt.Fprintf(&b, "- **deadline**: `deadline.at` is within ±%s of the Failed/DeadlineExceeded condition, and no Job outlived it by more;\n", trace.Tolerance)
	fmt.Fprintf(&b, "- **ttl**: `ttl.deleteAt` after the Job finished is within ±%s of when the Job disappeared; `ttl.state` is Waiting before;\n", trace.Tolerance)
	b.WriteString("- **late**: predictions that equal the controller's own formula (startTime + activeDeadlineSeconds, finish + TTL) where the controller acted more than the tolerance later: controller lag on a loaded machine, counted, not failed (listed below).\n")
	b.WriteString("- **indexes**: an index reported Failed is in the final `status.failedIndexes`; `progress.failedIndexes` of a finished Job equals it.\n\n")

	b.WriteString("## By feature\n\n" + header + "\n" + sep + "\n")
	for _, f := range gen.FeatureOrder {
		if t := byFeature[f]; t != nil {
			b.WriteString(t.row(f))
		}
	}
	b.WriteString(total.row("**all**"))

	b.WriteString("\n## By outcome (the controller's terminal condition)\n\n" + strings.Replace(header, "| |", "| outcome |", 1) + "\n" + sep + "\n")
	var outcomes []string
	for o := range byOutcome {
		outcomes = append(outcomes, o)
	}
	sort.Strings(outcomes)
	for _, o := range outcomes {
		b.WriteString(byOutcome[o].row(o))
	}

	if len(invalid) > 0 {
		b.WriteString("\n## Invalid specs\n\nEach must be rejected by the API server (server-side dry run) and by `kubectl job create -f FILE --dry-run=server` (non-zero exit); `--dry-run=client` shows whether create's own validation catches it before any request.\n\n")
		b.WriteString("| spec | rule | API server | create --dry-run=server | create --dry-run=client |\n|---|---|---|---|---|\n")
		for _, inv := range invalid {
			server := "rejected"
			if !inv.ServerRejected {
				server = "**accepted**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | exit %d | exit %d%s |\n", inv.Case.Kind, inv.Case.Why, server, inv.CreateServerCode, inv.CreateClientCode, map[bool]string{true: " (not caught locally)", false: ""}[inv.CreateClientCode == 0])
		}
	}

	b.WriteString("\n## Disagreements\n\n")
	any := false
	for _, r := range results {
		dis := trace.Disagreements(r.Problems)
		if r.Err == nil && len(dis) == 0 {
			continue
		}
		any = true
		fmt.Fprintf(&b, "- **%s** (%s)", r.Case.Name(), strings.Join(r.Case.Features, ", "))
		if r.Fixture != "" {
			fmt.Fprintf(&b, ", fixture `pkg/explain/testdata/difftest/%s`", filepath.Base(r.Fixture))
		}
		b.WriteString(":\n")
		if r.Err != nil {
			fmt.Fprintf(&b, "  - run error: %v\n", r.Err)
		}
		for _, p := range dis {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	if !any {
		b.WriteString("None.\n")
	}
	for _, sec := range []struct{ title, check string }{{"Not fully checked", trace.CheckSampling}, {"Controller lag beyond the tolerance", trace.CheckLate}} {
		fmt.Fprintf(&b, "\n## %s\n\n", sec.title)
		any = false
		for _, r := range results {
			for _, p := range r.Problems {
				if p.Check == sec.check {
					any = true
					fmt.Fprintf(&b, "- %s: %s\n", r.Case.Name(), p)
				}
			}
		}
		if !any {
			b.WriteString("None.\n")
		}
	}
	return b.String()
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(q * float64(len(d)-1))
	return d[i].Round(100 * time.Millisecond)
}
