package printers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// explainNow is the fixed clock of the explain samples (pkg/explain/testdata/samples).
var explainNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sampleExplanations explains every sample Job shared with the engine tests.
func sampleExplanations(t *testing.T) map[string]*explain.JobExplanation {
	t.Helper()
	files := testutil.Files(t, "samples/*")
	out := map[string]*explain.JobExplanation{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := explain.DecodeObjects(data)
		if err != nil || len(objs.Jobs) != 1 {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		out[name] = explain.Explain(objs.InputFor(&objs.Jobs[0], explainNow))
	}
	return out
}

func checkExplainGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, string(got))
}

func TestPrintExplanationGolden(t *testing.T) {
	for name, e := range sampleExplanations(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PrintExplanation(&buf, e, ExplainOptions{}); err != nil {
				t.Fatal(err)
			}
			checkExplainGolden(t, filepath.Join("testdata", "explain", name+".txt"), buf.Bytes())
			if strings.ContainsAny(buf.String(), "\x1b\r\x07") {
				t.Errorf("control characters in the output:\n%q", buf.String())
			}
			if !strings.HasPrefix(buf.String(), Headline(e)) {
				t.Errorf("output does not start with the headline %q", Headline(e))
			}
		})
	}
}

func TestPrintExplanationLimits(t *testing.T) {
	e := sampleExplanations(t)["backoff-limit"]
	many := *e
	many.Attempts = nil
	for range 25 {
		many.Attempts = append(many.Attempts, e.Attempts...)
	}
	var short, wide bytes.Buffer
	if err := PrintExplanation(&short, &many, ExplainOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := PrintExplanation(&wide, &many, ExplainOptions{Wide: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(short.String(), "(180 earlier attempts not shown; -o wide lists all)") {
		t.Errorf("short view does not say how many attempts it left out:\n%s", short.String())
	}
	if strings.Count(wide.String(), "\n  bo-") != 200 {
		t.Errorf("wide view does not list all 200 attempts")
	}
}

func TestHeadlineColor(t *testing.T) {
	e := sampleExplanations(t)["backoff-limit"]
	if got := headline(e, true); !strings.HasPrefix(got, "\x1b[1;31mFailed\x1b[0m: BackoffLimitExceeded — ") {
		t.Errorf("coloured headline = %q", got)
	}
	if got := Headline(e); got != "Failed: BackoffLimitExceeded — 7 failed pods > backoffLimit 6" {
		t.Errorf("headline = %q", got)
	}
}
