package explain_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

// TestDifftestRegressions replays the disagreements the differential test
// (issue 11, test/difftest) saved under testdata/difftest: each sample's
// Job, pods and events are explained again, at the sample's time, and the
// same checks must now agree with what the job controller did.
func TestDifftestRegressions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "difftest", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no saved disagreements in testdata/difftest")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := trace.ReadFixture(data)
			if err != nil {
				t.Fatalf("reading %s: %v", file, err)
			}
			probs, _ := trace.Check(f.Case, f.Truth, trace.Replay(f))
			for _, p := range trace.Disagreements(probs) {
				t.Errorf("seed %d case %d: %s", f.Case.Seed, f.Case.Index, p)
			}
		})
	}
}
