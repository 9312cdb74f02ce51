package explain

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	batchv1 "k8s.io/api/batch/v1"
)

// TestReasonRegistry checks that the registry and the engine agree: every
// reason has a phase, a one-line doc, next steps when Pending, an engine
// case that decides it, and a fuzz seed that reaches it; and every reason an
// engine case decides outside a Pending pod's own is in the registry.
func TestReasonRegistry(t *testing.T) {
	cases := engineCases()
	decided := map[Reason][]Phase{}
	for _, c := range cases {
		_, known := LookupReason(c.reason)
		fromCondition := c.in.Job != nil && slices.ContainsFunc(c.in.Job.Status.Conditions, func(jc batchv1.JobCondition) bool {
			return Reason(jc.Reason) == c.reason
		})
		if c.reason == "" || !known && fromCondition {
			continue // only checks, or another controller's own reason
		}
		decided[c.reason] = append(decided[c.reason], c.phase)
	}
	seeds := fuzzSeedReasons(t)
	// NoJob needs a nil Job, which fuzzInput never makes.
	noSeed := map[Reason]string{ReasonNoJob: "fuzzInput always builds a Job"}
	for _, info := range Reasons {
		r := info.Reason
		switch {
		case len(info.Phases) == 0 || info.Doc == "" || strings.Contains(info.Doc, "\n"):
			t.Errorf("%s: needs phases and a one-line doc", r)
		case slices.Contains(info.Phases, PhasePending) && len(info.Next) == 0:
			t.Errorf("%s: a Pending reason needs its next steps", r)
		}
		phases, ok := decided[r]
		if !ok {
			t.Errorf("%s: no engine case decides it (add one to engineCases)", r)
		}
		for _, p := range phases {
			if !slices.Contains(info.Phases, p) {
				t.Errorf("%s: an engine case gives phase %s, the registry says %v", r, p, info.Phases)
			}
		}
		if why, skip := noSeed[r]; skip {
			t.Logf("excluded: %s has no fuzz seed: %s", r, why)
			continue
		}
		if !seeds[r] {
			t.Errorf("%s: no seed in testdata/fuzz/FuzzExplain reaches it", r)
		}
	}
	for r, phases := range decided {
		if _, ok := LookupReason(r); !ok && !slices.Equal(slices.Compact(phases), []Phase{PhasePending}) {
			t.Errorf("%s (phase %v) is decided by the engine but not in the registry", r, phases)
		}
	}
	if len(noSeed) != 1 {
		t.Errorf("%d exclusions, want 1", len(noSeed))
	}
}

// fuzzSeedReasons runs the engine on every FuzzExplain seed and returns the
// reasons they reach.
func fuzzSeedReasons(t *testing.T) map[Reason]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzExplain", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fuzz seeds: %v", err)
	}
	out := map[Reason]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
			t.Fatalf("%s: not a one-value seed", f)
		}
		b, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[Explain(fuzzInput([]byte(b))).Verdict.Reason] = true
	}
	return out
}

// TestReadmeReasonTable keeps README's table of reasons generated from the
// registry (make lint runs it; go test -update rewrites the section).
func TestReadmeReasonTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| reason | phase | when | next steps |\n|---|---|---|---|\n")
	for _, info := range Reasons {
		phases := make([]string, len(info.Phases))
		for i, p := range info.Phases {
			phases[i] = string(p)
		}
		next := "those of the phase"
		if len(info.Next) > 0 {
			next = "`" + strings.Join(info.Next, "`, `") + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", info.Reason, strings.Join(phases, ", "), info.Doc, next)
	}
	golden.CheckSection(t, filepath.Join("..", "..", "README.md"), "<!-- reasons:begin (generated from pkg/explain/reasons.go: go test ./pkg/explain -run TestReadmeReasonTable -update) -->", "<!-- reasons:end -->", b.String())
}
