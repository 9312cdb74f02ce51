package cmd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

func TestExplainFleetOutputs(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"fleet.txt", []string{"--all"}},
		{"fleet-wide.txt", []string{"--all", "-o", "wide"}},
		{"fleet-no-headers.txt", []string{"--all", "--no-headers"}},
		{"fleet-all-namespaces.txt", []string{"--all", "-A"}},
		{"fleet-selector.txt", []string{"-l", "batch.kubernetes.io/controller-uid in (uid-done,uid-bo)"}},
		{"fleet-selector.yaml", []string{"-l", "batch.kubernetes.io/controller-uid=uid-bo", "-o", "yaml"}},
		{"fleet-selector.name", []string{"-l", "batch.kubernetes.io/controller-uid in (uid-done,uid-bo)", "-o", "name"}},
		{"fleet-phases.jsonpath", []string{"--all", "-o", `jsonpath={range .items[*]}{.metadata.name} {.verdict.phase} {.verdict.reason}{"\n"}{end}`}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := runExplain(t, fake.NewClientset(sampleClusterObjects(t)...), "", tc.args...)
			if r.code != exitcode.OK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			checkExplainGolden(t, tc.golden, r.stdout)
		})
	}
}

// TestExplainFleetItemsAreExplanations: each item of the JobExplanationList
// is, field for field, what explain NAME -o json prints for that Job, though
// one is read by a Get and per-Job lists and the other by three lists for all.
func TestExplainFleetItemsAreExplanations(t *testing.T) {
	event := func(kind, name, uid, reason string) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "ns", Name: name + "." + reason},
			InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: "ns", Name: name, UID: types.UID(uid)},
			Reason:         reason, Message: reason + " of " + name, Type: corev1.EventTypeWarning, Count: 2,
			LastTimestamp: metav1.NewTime(explainNow.Add(-time.Minute)),
		}
	}
	objs := append(sampleClusterObjects(t),
		event("Job", "bo", "uid-bo", "BackoffLimitExceeded"),
		event("Pod", "pu-a", "uid-pu-a", "FailedScheduling"),
		event("Pod", "gone", "uid-gone", "Killing"),
		event("Job", "other", "uid-other", "SuccessfulCreate"),
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0"}},
	)
	r := runExplain(t, fake.NewClientset(objs...), "", "--all", "-o", "json")
	if r.code != exitcode.OK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var list printers.JobExplanationList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	if list.APIVersion != explain.APIVersion || list.Kind != "JobExplanationList" {
		t.Errorf("apiVersion %q kind %q", list.APIVersion, list.Kind)
	}
	if len(list.Items) < 10 {
		t.Fatalf("%d items, want one per sample Job (10 or more)", len(list.Items))
	}
	for _, item := range list.Items {
		one := runExplain(t, fake.NewClientset(objs...), "", item.Name, "-o", "json")
		var want explain.JobExplanation
		if err := json.Unmarshal([]byte(one.stdout), &want); err != nil {
			t.Fatalf("%s: %v", item.Name, err)
		}
		if item.Name == "bo" && len(item.Events) == 0 || item.Name == "pu" && len(item.Events) == 0 {
			t.Errorf("%s: no events; the fixture gives it one", item.Name)
		}
		if d := cmp.Diff(&want, item); d != "" {
			t.Errorf("%s: item differs from explain NAME (-want +got):\n%s", item.Name, d)
		}
	}
}

// TestExplainFleetRequests proves the cost: one Jobs list, one pods list per
// namespace (by name) and one events list, whatever the number of Jobs.
func TestExplainFleetRequests(t *testing.T) {
	for _, n := range []int{3, 300} {
		for _, args := range [][]string{{"--all", "-A"}, {"-l", "x!=y", "-n", "ns0", "-o", "json"}} {
			t.Run(fmt.Sprintf("%d jobs %s", n, strings.Join(args, " ")), func(t *testing.T) {
				client := fake.NewClientset(fleet(n)...)
				r := runExplain(t, client, "", args...)
				if r.code != exitcode.OK {
					t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
				}
				ns := "ns0"
				if args[0] == "--all" {
					ns = ""
				}
				want := []string{"list jobs " + ns, "list pods " + ns, "list events " + ns}
				if ns == "" {
					want = []string{"list jobs ", "list pods ns0", "list pods ns1", "list pods ns2", "list events "}
				}
				got := requests(client)
				if len(got) > 2 {
					slices.Sort(got[1 : len(got)-1]) // the pods lists run side by side
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("requests (-want +got):\n%s", d)
				}
			})
		}
	}
}

func TestExplainFleetEmptyAndPartial(t *testing.T) {
	r := runExplain(t, fake.NewClientset(), "", "--all")
	if r.code != 0 || r.stdout != "" || r.stderr != "No resources found in ns namespace.\n" {
		t.Errorf("empty: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runExplain(t, fake.NewClientset(), "", "-l", "app=none", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"items": []`) || !strings.Contains(r.stdout, `"kind": "JobExplanationList"`) {
		t.Errorf("empty json: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	cs := fake.NewClientset(sampleClusterObjects(t)...)
	forbidList(cs, "events")
	r = runExplain(t, cs, "", "--all")
	if r.code != exitcode.Partial || !strings.Contains(r.stderr, "Warning: cannot list events in namespace ns: forbidden") || !strings.Contains(r.stdout, "BackoffLimitExceeded") {
		t.Errorf("forbidden events: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestExplainFleetBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bo", "-l", "a=b"}, "error: give a Job name or select Jobs with -l / --all, not both"},
		{[]string{"bo", "--all"}, "error: give a Job name or select Jobs with -l / --all, not both"},
		{[]string{"cronjob/x", "--all"}, "not both"},
		{[]string{"--all", "-l", "a=b"}, "error: cannot set --all and --selector at the same time"},
		{[]string{"bo", "-A"}, "error: -A needs -l SELECTOR or --all"},
		{[]string{"-A"}, "error: -A needs -l SELECTOR or --all"},
		{[]string{"--all", "-f", "x.yaml"}, "error: -l and --all explain Jobs read from the cluster"},
		{[]string{"--all", "-o", "foo"}, "unable to match a printer"},
		{[]string{"bo", "--no-headers"}, "error: --no-headers applies to the one-line-per-Job table"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cs := fake.NewClientset(sampleClusterObjects(t)...)
			r := runExplain(t, cs, "", tc.args...)
			if r.code != exitcode.Error || r.stdout != "" || !strings.HasPrefix(r.stderr, "error: ") || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d stdout %q stderr %q; want exit 1 and one line with %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if n := len(cs.Actions()); n != 0 {
				t.Errorf("%d requests for bad input", n)
			}
		})
	}
}
