package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

func runDescribe(t *testing.T, client *fake.Clientset, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	r := runJob(t, client, listNow, "", append([]string{"describe"}, args...)...)
	return r.stdout, r.stderr, r.code
}

func TestDescribeCommand(t *testing.T) {
	client := fake.NewClientset(sampleClusterObjects(t)...)
	out, errOut, code := runDescribe(t, client, "run", "nope", "mf")
	if code != exitcode.Error {
		t.Errorf("exit %d, want 1 for the missing Job", code)
	}
	if want := `Error from server (NotFound): jobs.batch "nope" not found`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	checkListGolden(t, filepath.Join("describe", "run-and-mf.txt"), out)
	// At most 4 requests per Job: the Job, its pods, its events, its pods' events.
	if n := len(client.Actions()); n > 4*3 {
		t.Errorf("%d requests for 3 Jobs: %v", n, requests(client))
	}
}

func TestDescribeSelector(t *testing.T) {
	out, _, code := runDescribe(t, fake.NewClientset(sampleClusterObjects(t)...), "-l", "batch.kubernetes.io/controller-uid=uid-bo")
	if code != 0 || !strings.Contains(out, "Name:                        bo\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	_, errOut, code := runDescribe(t, fake.NewClientset(), "-l", "app=none")
	if code != 0 || !strings.Contains(errOut, "No resources found in ns namespace.") {
		t.Errorf("empty selector: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := runDescribe(t, fake.NewClientset()); code != 0 || errOut != "No resources found in ns namespace.\n" {
		t.Errorf("no Jobs: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"bo", "-l", "a=b"}, {"bo", "-A"}, {"--chunk-size=-1"}} {
		client := fake.NewClientset(sampleClusterObjects(t)...)
		if out, errOut, code := runDescribe(t, client, args...); code != exitcode.Error || out != "" || !strings.HasPrefix(errOut, "error: ") || len(client.Actions()) != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, %d requests; want exit 1, one error, no request", args, code, out, errOut, len(client.Actions()))
		}
	}
}

// TestDescribeAll: describe without a name describes every Job of the
// namespace, each exactly as describe NAME does, from 3 lists whatever their
// number (kubectl describe jobs).
func TestDescribeAll(t *testing.T) {
	objs := sampleClusterObjects(t)
	client := fake.NewClientset(objs...)
	out, errOut, code := runDescribe(t, client)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if got := requests(client); strings.Join(got, ",") != "list jobs ns,list pods ns,list events ns,list nodes " {
		t.Errorf("requests %v, want one list each of jobs, pods, events and (a pod is unschedulable) nodes", got)
	}
	names := []string{"bd", "bo", "dl", "done", "fg", "mf", "mk", "pf", "pu", "run", "su"}
	var want []string
	for _, n := range names {
		one, _, _ := runDescribe(t, fake.NewClientset(objs...), n)
		want = append(want, one)
	}
	if d := cmp.Diff(strings.Join(want, "\n\n"), out); d != "" {
		t.Errorf("describe differs from describe %s (-want +got):\n%s", strings.Join(names, " "), d)
	}
	all, _, _ := runDescribe(t, fake.NewClientset(objs...), "-A")
	if all != out {
		t.Errorf("describe -A differs from describe in the only namespace")
	}
}
