package cmd

import (
	"path/filepath"
	"strings"
	"testing"

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
	if _, errOut, code := runDescribe(t, fake.NewClientset()); code != exitcode.Error || !strings.Contains(errOut, "name at least one Job") {
		t.Errorf("no args: exit %d, stderr %q", code, errOut)
	}
}
