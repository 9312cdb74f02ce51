package printers

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// TestDescribeGolden describes every explain sample (Job, pods and events as
// describe fetches them) at the samples' fixed clock.
func TestDescribeGolden(t *testing.T) {
	for name, objs := range sampleObjects(t) {
		t.Run(name, func(t *testing.T) {
			job := &objs.Jobs[0]
			e := explain.Explain(objs.InputFor(job, listNow))
			var buf bytes.Buffer
			if err := DescribeJob(&buf, job, e); err != nil {
				t.Fatal(err)
			}
			checkListGolden(t, filepath.Join("describe", name+".txt"), buf.String())
		})
	}
}

func TestDescribeShowsEveryKnob(t *testing.T) {
	job := newTestJob("ns", "k", time.Minute).job
	var buf bytes.Buffer
	if err := DescribeJob(&buf, job, explain.Explain(explain.Input{Job: job, Now: listNow})); err != nil {
		t.Fatal(err)
	}
	for _, knob := range []string{"Backoff Limit:", "Backoff Limit Per Index:", "Max Failed Indexes:", "Active Deadline Seconds:",
		"TTL Seconds After Finished:", "Parallelism:", "Completions:", "Completion Mode:", "Pod Failure Policy:", "Success Policy:",
		"Pod Replacement Policy:", "Managed By:", "Suspend:", "Conditions:", "Timeline:", "Events:", "Uncounted Terminated Pods:"} {
		if !strings.Contains(buf.String(), knob) {
			t.Errorf("describe lacks %q:\n%s", knob, buf.String())
		}
	}
}

func TestAttemptBar(t *testing.T) {
	axis := timelineAxis{start: listNow, end: listNow.Add(39 * time.Second)} // one column per second
	at := func(s int) *metav1.Time { m := metav1.NewTime(listNow.Add(time.Duration(s) * time.Second)); return &m }
	for _, tc := range []struct {
		name string
		a    explain.Attempt
		want string
	}{
		{"failed", explain.Attempt{Phase: "Failed", Created: *at(0), Started: at(2), Finished: at(5)}, "░░███✗"},
		{"succeeded later", explain.Attempt{Phase: "Succeeded", Created: *at(10), Started: at(10), Finished: at(12)}, "          ██✓"},
		{"running to the edge", explain.Attempt{Phase: "Running", Created: *at(36), Started: at(37)}, strings.Repeat(" ", 36) + "░███"},
		{"never started", explain.Attempt{Phase: "Pending", Created: *at(38)}, strings.Repeat(" ", 38) + "░░"},
	} {
		if got := attemptBar(tc.a, axis); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
