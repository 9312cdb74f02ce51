//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfile: --profile=cpu writes a pprof profile (gzip-compressed
// protobuf) of a real command against the cluster, as kubectl's flag does;
// an unknown profile name is refused before any request, exit 1.
func TestProfile(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	out := filepath.Join(t.TempDir(), "list.pprof")
	if res := KubectlJob(t, "list", "-n", ns, "--profile=cpu", "--profile-output="+out); res.Code != 0 {
		t.Fatalf("list --profile=cpu: exit %d: %s", res.Code, res.Stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Errorf("%s is not a pprof profile (%d bytes, starts %q)", out, len(data), data[:min(len(data), 8)])
	}
	res := KubectlJob(t, "list", "-n", ns, "--profile=bogus")
	if res.Code != 1 || !strings.Contains(res.Stderr, `unknown --profile "bogus"`) || res.Stdout != "" {
		t.Errorf("--profile=bogus: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
}
