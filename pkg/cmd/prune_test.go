package cmd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// pruneFleet is a CronJob's history, one-off Jobs in every state, and a
// second namespace.
func pruneFleet() []*cleanupFixture {
	h := time.Hour
	return []*cleanupFixture{
		cleanupJob("ns", "nightly-1", "complete", 1*h).ownedBy("nightly"),
		cleanupJob("ns", "nightly-2", "complete", 25*h).ownedBy("nightly"),
		cleanupJob("ns", "nightly-3", "failed", 49*h).ownedBy("nightly"),
		cleanupJob("ns", "nightly-4", "complete", 73*h).ownedBy("nightly"),
		cleanupJob("ns", "adhoc-done", "complete", 48*h).ttl(3 * 24 * 3600),
		cleanupJob("ns", "adhoc-failed", "failed", 10*time.Minute),
		cleanupJob("ns", "busy", "running", 0),
		cleanupJob("ns", "paused", "suspended", 0),
		cleanupJob("ns", "dying", "failing", 5*time.Minute),
		cleanupJob("other", "old-report", "complete", 8*24*h),
		cleanupJob("other", "live", "running", 0),
	}
}

// unfinished are the fleet's Jobs prune must never delete.
var unfinished = []string{"busy", "paused", "dying", "live"}

type pruneRun struct {
	stdin    string
	terminal bool
	setup    func(cs *fake.Clientset)
}

func runPrune(t *testing.T, cs *fake.Clientset, r pruneRun, args ...string) (string, int) {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(r.stdin)
	o := NewPruneOptions(genericclioptions.NewConfigFlags(false), streams)
	o.Namespace, o.Client, o.Now = "ns", cs, func() time.Time { return cleanupNow }
	o.IsTerminal = func() bool { return r.terminal }
	o.Rate, o.Workers = 0, 1 // fast, and requests in a stable order
	code := runCleanupCmd(newCmdPrune(o), streams, args...)
	return transcript(append([]string{"prune"}, args...), r.stdin, out, errOut, code, deleteRequests(cs), remaining(t, cs)), code
}

func TestPruneGolden(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		run      pruneRun
		wantCode int
	}{
		{name: "dry-run", args: []string{"--dry-run"}},
		{name: "failed-older-than", args: []string{"--failed", "--older-than=1h", "--yes"}},
		{name: "keep-last", args: []string{"--keep-last=1", "--yes"}},
		{name: "all-namespaces", args: []string{"-A", "--older-than=7d", "--yes"}},
		{name: "no-tty-refuses", args: []string{"--succeeded"}, wantCode: exitcode.Error},
		{name: "tty-declined", args: []string{"--succeeded"}, run: pruneRun{terminal: true, stdin: "n\n"}},
		{name: "tty-confirmed", args: []string{"--succeeded"}, run: pruneRun{terminal: true, stdin: "y\n"}},
		{name: "output-name", args: []string{"--succeeded", "--older-than=1d", "--yes", "-o", "name", "--cascade=foreground"}},
		{name: "server-dry-run", args: []string{"--failed", "--dry-run=server"}},
		{name: "nothing-to-prune", args: []string{"--older-than=30d"}},
		{name: "no-jobs", args: []string{"-l", "app=none"}},
		{
			// nightly-2 changes after the list (say, a label is added): it
			// must be looked at again, not deleted on stale information.
			name: "changed-since-listed", args: []string{"--succeeded", "--yes"}, wantCode: exitcode.Error,
			run: pruneRun{setup: func(cs *fake.Clientset) {
				cs.PrependReactor("delete", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
					if a.(k8stesting.DeleteActionImpl).GetName() == "nightly-2" {
						changed := cleanupJob("ns", "nightly-2", "complete", 25*time.Hour).ownedBy("nightly").job
						changed.ResourceVersion = "101"
						if err := cs.Tracker().Update(batchv1.SchemeGroupVersion.WithResource("jobs"), changed, "ns"); err != nil {
							t.Fatal(err)
						}
					}
					return false, nil, nil
				})
			}},
		},
		{
			// The API server keeps refusing one delete (API Priority and
			// Fairness): the error line names the Job it is about.
			name: "throttled", args: []string{"--succeeded", "--yes", "-o", "name"}, wantCode: exitcode.Error,
			run: pruneRun{setup: func(cs *fake.Clientset) {
				cs.PrependReactor("delete", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
					if a.(k8stesting.DeleteActionImpl).GetName() == "nightly-2" {
						return true, nil, apierrors.NewTooManyRequests("Too many requests, please try again later.", 1)
					}
					return false, nil, nil
				})
			}},
		},
		{
			// adhoc-done is deleted by its TTL between the plan and the delete.
			name: "already-gone", args: []string{"--succeeded", "--older-than=1d", "--yes"},
			run: pruneRun{setup: func(cs *fake.Clientset) {
				cs.PrependReactor("delete", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
					if a.(k8stesting.DeleteActionImpl).GetName() == "adhoc-done" {
						_ = cs.Tracker().Delete(batchv1.SchemeGroupVersion.WithResource("jobs"), "ns", "adhoc-done")
					}
					return false, nil, nil
				})
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCleanupClientset(pruneFleet()...)
			if tt.run.setup != nil {
				tt.run.setup(cs)
			}
			got, code := runPrune(t, cs, tt.run, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\n%s", code, tt.wantCode, got)
			}
			checkGolden(t, "prune/"+tt.name+".golden", got)
		})
	}
}

// TestPruneNeverDeletesUnfinished runs prune with every combination of its
// selection flags (scope, selector, outcome, age, keep-last, cascade) and
// checks that running, suspended and failing Jobs survive each, and that
// every delete carries UID and resourceVersion.
func TestPruneNeverDeletesUnfinished(t *testing.T) {
	for _, ns := range [][]string{nil, {"-A"}, {"-l", "app=etl"}, {"-A", "-l", "app=etl"}} {
		for _, outcome := range [][]string{nil, {"--succeeded"}, {"--failed"}, {"--succeeded", "--failed"}} {
			for _, age := range []string{"", "--older-than=1m", "--older-than=2d"} {
				for _, keep := range []string{"", "--keep-last=0", "--keep-last=1", "--keep-last=5", "--cascade=foreground --keep-last=2"} {
					args := append(append([]string{"--yes"}, ns...), outcome...)
					for _, a := range append([]string{age}, strings.Fields(keep)...) {
						if a != "" {
							args = append(args, a)
						}
					}
					t.Run(strings.Join(args, " "), func(t *testing.T) {
						cs := newCleanupClientset(pruneFleet()...)
						got, code := runPrune(t, cs, pruneRun{}, args...)
						if code != 0 {
							t.Fatalf("exit code %d\n%s", code, got)
						}
						for _, a := range cs.Actions() {
							da, ok := a.(k8stesting.DeleteActionImpl)
							if !ok {
								continue
							}
							for _, name := range unfinished {
								if da.GetName() == name {
									t.Errorf("deleted unfinished Job %s\n%s", name, got)
								}
							}
							pre := da.GetDeleteOptions().Preconditions
							if pre == nil || pre.UID == nil || pre.ResourceVersion == nil {
								t.Errorf("delete of %s without UID and resourceVersion preconditions: %+v", da.GetName(), pre)
							}
						}
					})
				}
			}
		}
	}
}

// TestPruneCost: the plan costs one list of Jobs, whatever their number;
// pods are not read.
func TestPruneCost(t *testing.T) {
	var fleet []*cleanupFixture
	for i := range 300 {
		fleet = append(fleet, cleanupJob("ns", fmt.Sprintf("job-%03d", i), "complete", time.Hour))
	}
	cs := newCleanupClientset(fleet...)
	if _, code := runPrune(t, cs, pruneRun{}, "--dry-run"); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var got []string
	for _, a := range cs.Actions() {
		got = append(got, a.GetVerb()+" "+a.GetResource().Resource)
	}
	if strings.Join(got, ",") != "list jobs" {
		t.Errorf("requests: %v, want one list of jobs", got)
	}
}

func TestPruneValidation(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--keep-last=-1"}, "error: invalid --keep-last -1: must be 0 or more"},
		{[]string{"--older-than=soon"}, `error: invalid --older-than "soon": want a duration such as 7d, 36h or 90m`},
		{[]string{"--older-than=0s"}, `error: invalid --older-than "0s": must be greater than zero`},
		{[]string{"--cascade=orphan"}, "error: prune does not orphan pods: it cleans up; use kubectl job delete --cascade=orphan for single Jobs"},
		{[]string{"--cascade=later"}, `error: invalid --cascade "later": must be "background" or "foreground"`},
		{[]string{"--rate=-1"}, "error: invalid --rate -1: must be 0 (no limit) or more"},
		{[]string{"-o", "json"}, "error: unexpected -o output mode: json; only -o name is supported"},
		{[]string{"--dry-run=yes"}, `error: --dry-run must be "none", "client" or "server", got "yes"`},
		{[]string{"some-job"}, `error: prune takes no arguments, got ["some-job"]; see 'prune --help'`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cs := newCleanupClientset(pruneFleet()...)
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			o := NewPruneOptions(genericclioptions.NewConfigFlags(false), streams)
			o.Namespace, o.Client = "ns", cs
			code := runCleanupCmd(newCmdPrune(o), streams, tt.args...)
			if code != exitcode.Error || strings.TrimSpace(errOut.String()) != tt.want || out.Len() != 0 {
				t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant:   %q", code, out, errOut, tt.want)
			}
			if n := len(cs.Actions()); n != 0 {
				t.Errorf("%d requests for bad input, want none", n)
			}
		})
	}
}
