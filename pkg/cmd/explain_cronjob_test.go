package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
)

// cronSample is a CronJob saved from the local cluster with its Jobs and
// pods and events (kubectl get cronjob,jobs,pods,events -o yaml
// --show-managed-fields, in testdata/cronjob/*.yaml), and the instant it was saved at.
func cronSample(t *testing.T, name string) (*fake.Clientset, string, time.Time) {
	t.Helper()
	path := filepath.Join("testdata", "cronjob", name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := explain.DecodeObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.CronJobs) != 1 {
		t.Fatalf("%s has %d CronJobs, want 1", path, len(objs.CronJobs))
	}
	all := slices.Concat(asObjects(objs.CronJobs), asObjects(objs.Jobs), asObjects(objs.Pods), asObjects(objs.Events))
	// The sample was saved 10 s after its newest event.
	var newest time.Time
	for _, ev := range objs.Events {
		if ev.LastTimestamp.After(newest) {
			newest = ev.LastTimestamp.Time
		}
	}
	return fake.NewClientset(all...), objs.CronJobs[0].Namespace, newest.Add(10 * time.Second)
}

// asObjects points at each item as a runtime.Object.
func asObjects[T any, P interface {
	*T
	runtime.Object
}](items []T) []runtime.Object {
	out := make([]runtime.Object, len(items))
	for i := range items {
		out[i] = P(&items[i])
	}
	return out
}

// runCronCmd runs explain (or with list, list) with ARGS against client at now.
func runCronCmd(t *testing.T, client *fake.Clientset, ns string, now time.Time, list bool, args ...string) explainRun {
	t.Helper()
	verb := "explain"
	if list {
		verb = "list"
	}
	var c kubernetes.Interface
	if client != nil {
		c = client
	}
	r := runJob(t, c, now, "", append(append([]string{verb}, args...), "--namespace="+ns)...)
	return explainRun{code: r.code, stdout: r.stdout, stderr: r.stderr}
}

func TestExplainCronJobOutputs(t *testing.T) {
	for _, tc := range []struct {
		golden, sample string
		args           []string
	}{
		{"forbid.txt", "forbid", []string{"cronjob/serial"}},
		{"forbid-wide.txt", "forbid", []string{"cj/serial", "-o", "wide", "--next", "3", "--since", "1d"}},
		{"forbid.json", "forbid", []string{"cronjobs.batch/serial", "-o", "json"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			client, ns, now := cronSample(t, tc.sample)
			r := runCronCmd(t, client, ns, now, false, tc.args...)
			if r.code != exitcode.OK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden.Check(t, filepath.Join("testdata", "cronjob", tc.golden), r.stdout)
		})
	}
}

func TestExplainCronJobForms(t *testing.T) {
	client, ns, now := cronSample(t, "forbid")
	for _, arg := range []string{"cronjob/serial", "CronJob/serial", "cj/serial", "cronjob.batch/serial", "cronjobs.batch/serial", "cronjobs/serial"} {
		r := runCronCmd(t, client, ns, now, false, arg, "-o", "jsonpath={.kind}")
		if r.code != exitcode.OK || r.stdout != cronexplain.Kind {
			t.Errorf("%s: exit %d, %q (%s)", arg, r.code, r.stdout, r.stderr)
		}
	}
}

func TestExplainCronJobRequests(t *testing.T) {
	client, ns, now := cronSample(t, "forbid")
	r := runCronCmd(t, client, ns, now, false, "cronjob/serial", "-o", "json")
	if r.code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []string
	for _, a := range client.Actions() {
		got = append(got, a.GetVerb()+" "+a.GetResource().Resource)
	}
	if want := "get cronjobs,list jobs,list pods,list events,list resourcequotas"; strings.Join(got, ",") != want {
		t.Errorf("requests %v, want %s", got, want)
	}
	var e cronexplain.CronJobExplanation
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.APIVersion != explain.APIVersion {
		t.Errorf("apiVersion %q (%v), want %s", e.APIVersion, err, explain.APIVersion)
	}
}

func TestExplainCronJobErrors(t *testing.T) {
	client, ns, now := cronSample(t, "forbid")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cronjob/nope"}, `Error from server (NotFound): cronjobs.batch "nope" not found`},
		{[]string{"cronjob/"}, "error: a CronJob name is required after cronjob/"},
		{[]string{"cronjob/serial", "--local"}, "error: --local needs objects to explain"},
		{[]string{"cronjob/serial", "--since", "-1h"}, `error: invalid value "-1h" for --since: "-1h" is not a positive duration like 24h or 7d`},
		{[]string{"cronjob/serial", "--since", "week"}, `error: invalid value "week" for --since: "week" is not a positive duration like 24h or 7d`},
		{[]string{"cronjob/serial", "--next", "-2"}, "error: invalid --next -2: must be 0 or more"},
	} {
		r := runCronCmd(t, client, ns, now, false, tc.args...)
		if r.code == exitcode.OK || !strings.HasPrefix(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want an error starting %q", tc.args, r.code, r.stderr, r.stdout, tc.want)
		}
	}
}

func TestListCronJobs(t *testing.T) {
	client, ns, now := cronSample(t, "forbid")
	other := &batchv1.CronJob{}
	other.Name, other.Namespace, other.UID = "idle", ns, "uid-idle"
	other.Spec.Schedule, other.Spec.Suspend = "0 9 * * 1-5", new(bool)
	other.CreationTimestamp.Time = now.Add(-time.Hour)
	if err := client.Tracker().Add(other); err != nil {
		t.Fatal(err)
	}
	client.ClearActions()
	r := runCronCmd(t, client, ns, now, true, "--cronjobs")
	if r.code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden.Check(t, filepath.Join("testdata", "cronjob", "list.txt"), r.stdout)
	if n := len(client.Actions()); n != 2 {
		t.Errorf("%d requests, want 2 (CronJobs and Jobs)", n)
	}
	if r := runCronCmd(t, client, ns, now, true, "--cronjobs", "--status", "failed"); r.code == exitcode.OK {
		t.Errorf("--cronjobs --status: exit 0, want an error")
	}
}

// -f explains the saved objects exactly as the cluster's copy.
func TestExplainCronJobLocal(t *testing.T) {
	client, ns, now := cronSample(t, "forbid")
	fromCluster := runCronCmd(t, client, ns, now, false, "cronjob/serial")
	local := runCronCmd(t, nil, "", now, false, "cronjob/serial", "-f", filepath.Join("testdata", "cronjob", "forbid.yaml"))
	if local.code != exitcode.OK || local.stdout != fromCluster.stdout {
		t.Errorf("-f: exit %d (%s), output differs from the cluster's:\n%s", local.code, local.stderr, local.stdout)
	}
	if r := runCronCmd(t, nil, "", now, false, "cronjob/other", "-f", filepath.Join("testdata", "cronjob", "forbid.yaml")); r.code == exitcode.OK || !strings.Contains(r.stderr, `no CronJob "other"`) {
		t.Errorf("-f with a missing CronJob: exit %d, %q", r.code, r.stderr)
	}
}

// TestManualRuns: a CronJob saved from the local cluster with its scheduled
// runs and one made by hand (kubectl create job nightly-manual-2
// --from=cronjob/nightly): explain cronjob/ lists it under Manual runs, not
// in a slot; explain of the Job says "cronjob/nightly manual run"; list
// --cronjob marks it RUN manual and --cronjobs' LAST RUN is the schedule's.
func TestManualRuns(t *testing.T) {
	client, ns, now := cronSample(t, "manual")
	var got strings.Builder
	for _, c := range []struct {
		list bool
		args []string
	}{
		{false, []string{"cronjob/nightly"}},
		{false, []string{"nightly-manual-2"}},
		{false, []string{"nightly-29934111"}},
		{true, []string{"--cronjob", "nightly"}},
		{true, []string{"--cronjobs"}},
	} {
		r := runCronCmd(t, client, ns, now, c.list, c.args...)
		if r.code != exitcode.OK {
			t.Fatalf("%v: exit %d: %s", c.args, r.code, r.stderr)
		}
		verb := map[bool]string{true: "list", false: "explain"}[c.list]
		got.WriteString("$ kubectl job " + verb + " " + strings.Join(c.args, " ") + "\n" + r.stdout + "\n")
	}
	golden.Check(t, filepath.Join("testdata", "cronjob", "manual.txt"), got.String())
	slots := strings.SplitN(got.String(), "Manual runs:", 2)
	if len(slots) != 2 || strings.Contains(slots[0], "nightly-manual-2") && !strings.Contains(slots[0], "cronjob/nightly manual run") {
		t.Errorf("nightly-manual-2 is shown as a scheduled run:\n%s", got.String())
	}
}
