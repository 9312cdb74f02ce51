package cmd

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// deleteFleet is one namespace with a Job in each state.
func deleteFleet() []*cleanupFixture {
	return []*cleanupFixture{
		cleanupJob("ns", "done", "complete", 2*time.Minute).ttl(300),
		cleanupJob("ns", "broken", "failed", time.Hour),
		cleanupJob("ns", "busy", "running", 0).pod("b", "Pending"),
		cleanupJob("ns", "paused", "suspended", 0),
	}
}

// runDelete runs kubectl job delete ARGS against cs and returns the
// transcript the golden files hold.
func runDelete(t *testing.T, cs *fake.Clientset, stdin string, args ...string) (string, int) {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	o := NewDeleteOptions(genericclioptions.NewConfigFlags(false), streams)
	o.Namespace, o.Client, o.Now, o.Timeout = "ns", cs, func() time.Time { return cleanupNow }, 10*time.Second
	code := runCleanupCmd(newCmdDelete(o), streams, args...)
	return transcript(append([]string{"delete"}, args...), stdin, out, errOut, code, deleteRequests(cs), remaining(t, cs)), code
}

func TestDeleteGolden(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		// setup changes the fake cluster before the run.
		setup    func(cs *fake.Clientset)
		wantCode int
	}{
		{name: "one", args: []string{"done"}},
		{name: "failed-logs-lost", args: []string{"broken"}},
		{name: "running-foreground", args: []string{"busy", "--cascade=foreground"}},
		{name: "orphan", args: []string{"busy", "broken", "--cascade=orphan"}},
		{name: "names-as-list-prints-them", args: []string{"job.batch/done", "jobs/paused", "done"}},
		{name: "typo-deletes-nothing", args: []string{"done", "dnoe", "brokn"}, wantCode: exitcode.Error},
		{name: "not-found", args: []string{"nope"}, wantCode: exitcode.Error},
		{name: "selector", args: []string{"-l", "app=etl", "--dry-run=client"}},
		{name: "all-server-dry-run", args: []string{"--all", "--dry-run=server"}},
		{name: "interactive", args: []string{"-i", "done", "broken", "busy"}, stdin: "y\nno\nY\n"},
		{name: "now", args: []string{"busy", "--now"}},
		{name: "grace-period-zero-is-one", args: []string{"busy", "--grace-period=0", "-o", "name"}},
		{name: "no-match", args: []string{"-l", "app=nothing"}},
		{
			// The Job is read, then deleted and re-created under its name by
			// someone else before our delete arrives: the new one survives.
			name: "recreated-between-read-and-delete", args: []string{"done", "broken"}, wantCode: exitcode.Error,
			setup: func(cs *fake.Clientset) {
				cs.PrependReactor("get", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
					if a.(k8stesting.GetAction).GetName() != "done" {
						return false, nil, nil
					}
					old := cleanupJob("ns", "done", "complete", 2*time.Minute).job
					recreated := old.DeepCopy()
					recreated.UID = "uid-done-2"
					if err := cs.Tracker().Update(batchv1.SchemeGroupVersion.WithResource("jobs"), recreated, "ns"); err != nil {
						t.Fatal(err)
					}
					return true, old, nil
				})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCleanupClientset(deleteFleet()...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			got, code := runDelete(t, cs, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\n%s", code, tt.wantCode, got)
			}
			checkGolden(t, "delete/"+tt.name+".golden", got)
		})
	}
}

// TestDeleteSendsPreconditions proves every Job delete carries the UID it
// read, and the propagation policy asked for.
func TestDeleteSendsPreconditions(t *testing.T) {
	for _, cascade := range []string{"background", "foreground", "orphan"} {
		t.Run(cascade, func(t *testing.T) {
			cs := newCleanupClientset(deleteFleet()...)
			if _, code := runDelete(t, cs, "", "--all", "--cascade="+cascade); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			jobDeletes := 0
			for _, a := range cs.Actions() {
				da, ok := a.(k8stesting.DeleteActionImpl)
				if !ok || da.GetResource().Resource != "jobs" {
					continue
				}
				jobDeletes++
				o := da.GetDeleteOptions()
				if o.Preconditions == nil || o.Preconditions.UID == nil || string(*o.Preconditions.UID) != "uid-"+da.GetName() {
					t.Errorf("delete %s: preconditions %+v, want UID uid-%s", da.GetName(), o.Preconditions, da.GetName())
				}
				if o.PropagationPolicy == nil || !strings.EqualFold(string(*o.PropagationPolicy), cascade) {
					t.Errorf("delete %s: propagation %v, want %s", da.GetName(), o.PropagationPolicy, cascade)
				}
			}
			if jobDeletes != 4 {
				t.Errorf("%d Job deletes, want 4", jobDeletes)
			}
		})
	}
}

// TestDeleteWaitsForPods: with --wait (the default), the command returns
// only after the pods are gone, even when the garbage collector is slow.
func TestDeleteWaitsForPods(t *testing.T) {
	f := cleanupJob("ns", "busy", "running", 0)
	cs := fake.NewClientset(f.job, f.pods[0])
	deletedAt := make(chan time.Time, 1)
	cs.PrependReactor("delete", "jobs", func(k8stesting.Action) (bool, runtime.Object, error) {
		go func() {
			time.Sleep(200 * time.Millisecond) // a slow garbage collector
			_ = cs.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), "ns", f.pods[0].Name)
			deletedAt <- time.Now()
		}()
		return false, nil, nil
	})
	if _, code := runDelete(t, cs, "", "busy"); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	select {
	case <-deletedAt:
	default:
		t.Fatal("returned before the pod was deleted")
	}
	if _, err := cs.CoreV1().Pods("ns").Get(t.Context(), f.pods[0].Name, metav1.GetOptions{}); err == nil {
		t.Fatal("pod still there")
	}
}

func TestDeleteWaitTimeout(t *testing.T) {
	f := cleanupJob("ns", "busy", "running", 0)
	cs := fake.NewClientset(f.job, f.pods[0]) // no garbage collector: the pod stays
	streams, _, _, errOut := genericiooptions.NewTestIOStreams()
	o := NewDeleteOptions(genericclioptions.NewConfigFlags(false), streams)
	o.Namespace, o.Client, o.Now = "ns", cs, func() time.Time { return cleanupNow }
	code := runCleanupCmd(newCmdDelete(o), streams, "busy", "--timeout=300ms")
	if code != exitcode.Timeout || !strings.Contains(errOut.String(), "the deletes were accepted and go on") {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
}

func TestDeleteValidation(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "error: name the Jobs to delete, or select them with -l SELECTOR or --all; see 'kubectl job delete --help'"},
		{[]string{"a", "-l", "x=y"}, "error: names cannot be given with -l or --all; use one or the other"},
		{[]string{"--all", "-l", "x=y"}, "error: cannot set --all and --selector at the same time"},
		{[]string{"a", "-A"}, "error: -A needs -l or --all: a Job name is looked up in one namespace"},
		{[]string{"a", "--cascade=true"}, `error: invalid --cascade "true": must be "background", "foreground" or "orphan"`},
		{[]string{"a", "--now", "--grace-period=5"}, "error: --now and --grace-period cannot be specified together"},
		{[]string{"a", "--grace-period=-2"}, "error: invalid --grace-period -2: must be -1 (the pods' own), 0 or more"},
		{[]string{"a", "--cascade=orphan", "--now"}, "error: --grace-period and --now apply to the Job's pods, which --cascade=orphan leaves running; drop one of them"},
		{[]string{"a", "--dry-run=maybe"}, `error: --dry-run must be "none", "client" or "server", got "maybe"`},
		{[]string{"a", "-o", "yaml"}, "error: unexpected -o output mode: yaml; only -o name is supported"},
		{[]string{"pod/a"}, `error: "pod/a" is not a Job: give NAME or job/NAME`},
		{[]string{"a", "--timeout=-1s"}, "error: invalid --timeout -1s: must be 0 (no limit) or more"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cs := newCleanupClientset(deleteFleet()...)
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			o := NewDeleteOptions(genericclioptions.NewConfigFlags(false), streams)
			o.Namespace, o.Client = "ns", cs
			code := runCleanupCmd(newCmdDelete(o), streams, tt.args...)
			if code != exitcode.Error || strings.TrimSpace(errOut.String()) != tt.want || out.Len() != 0 {
				t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant:   %q", code, out, errOut, tt.want)
			}
			if n := len(cs.Actions()); n != 0 {
				t.Errorf("%d requests for bad input, want none", n)
			}
		})
	}
}
