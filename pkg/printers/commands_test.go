package printers

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/prune"
)

// TestCommandTexts renders what prune, delete and wait say about the sample
// Jobs (the plan, the delete impact, the wait lines and progress line)
// against golden files; go test -update rewrites them.
func TestCommandTexts(t *testing.T) {
	var names []string
	samples := sampleObjects(t)
	for name := range samples {
		names = append(names, name)
	}
	sort.Strings(names)
	var items []prune.Item
	var impact, wait bytes.Buffer
	for _, name := range names {
		objs := samples[name]
		for i := range objs.Jobs {
			job := &objs.Jobs[i]
			e := explain.Explain(objs.InputFor(job, listNow))
			items = append(items, prune.Item{Job: job, Explanation: e})
			for _, orphan := range []bool{false, true} {
				d := DeleteImpact{Job: job, Pods: objs.Pods, PodsKnown: true, Orphan: orphan, InNamespace: orphan,
					PodLabel: "batch.kubernetes.io/controller-uid", Explanation: e, Now: listNow}
				fmt.Fprintf(&impact, "# %s orphan=%t\n%s\n", name, orphan, strings.Join(d.Lines(), "\n"))
			}
			word := strings.ToLower(string(e.Verdict.Phase))
			fmt.Fprintf(&wait, "# %s\n%s\n%s\n%s\n%s\n", name, WaitLine(job.Name, word, e, ""), WaitLine(job.Name, word, e, "complete"),
				VerdictLine("job/"+job.Name+" "+string(e.Verdict.Phase), e.Verdict), WaitProgress(job, e))
		}
	}
	plan := prune.Make(items, prune.Options{}, listNow)
	var b bytes.Buffer
	if err := PrintTable(&b, PruneTable(plan, true), false); err != nil {
		t.Fatal(err)
	}
	b.WriteString(PruneSummary(plan) + "\n")
	golden.Check(t, filepath.Join("testdata", "commands", "prune-plan.txt"), b.String())
	golden.Check(t, filepath.Join("testdata", "commands", "delete-impact.txt"), impact.String())
	golden.Check(t, filepath.Join("testdata", "commands", "wait-lines.txt"), wait.String())
}
