package explain_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

// TestDifftestRegressions replays the disagreements the differential test
// (issues 11 and 16, test/difftest) saved under testdata/difftest: each
// sample's Job, pods and events are explained again at the sample's time,
// and the differential test's own checks, with the states its informers
// recorded, must now pass. The fixtures of the old oracle, which compared
// the plugin with itself, were removed with it.
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
			res := trace.Check(f.Case, f.Record, replay(t, f))
			for _, p := range res.Problems {
				if p.Check != trace.CheckErrors {
					t.Errorf("seed %d case %d: %s", f.Case.Seed, f.Case.Index, p)
				}
			}
		})
	}
}

// replay explains each saved sample again with the engine; samples without
// a Job (the Job was gone) keep what the plugin said.
func replay(t *testing.T, f *trace.Fixture) []trace.Sample {
	out := make([]trace.Sample, len(f.Samples))
	for i, s := range f.Samples {
		out[i] = s
		if s.Job == nil {
			continue
		}
		objs := &explain.Objects{Jobs: []batchv1.Job{*s.Job}, Pods: s.Pods, Events: s.Events}
		data, err := json.Marshal(explain.Explain(objs.InputFor(&objs.Jobs[0], s.Start)))
		if err != nil {
			t.Fatal(err)
		}
		if out[i].Output, err = trace.DecodeOutput(data); err != nil {
			t.Fatal(err)
		}
		out[i].Err = ""
	}
	return out
}
