// Package testutil is the test kit every package's tests share: a buffer a
// goroutine may write while the test reads it, and the explain samples and
// fixtures (real status shapes from the local cluster) as objects for a fake
// clientset. Finding nothing is a failure, never an empty pass.
package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// SyncBuffer is a bytes.Buffer safe to read while another goroutine (a
// watch, a follower) writes it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ExplainTestdata is the path of pkg/explain/testdata joined with elem,
// wherever the test runs from.
func ExplainTestdata(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", "explain", "testdata"}, elem...)...)
}

// Files returns the files of pkg/explain/testdata matching pattern (as
// "samples/*.yaml"); none is a test failure.
func Files(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(ExplainTestdata(pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s in %s: %v", pattern, ExplainTestdata(), err)
	}
	return files
}

// Objects decodes the Jobs, pods and events of the files matching pattern,
// for a fake clientset.
func Objects(t testing.TB, pattern string) []k8sruntime.Object {
	t.Helper()
	var objs []k8sruntime.Object
	for _, f := range Files(t, pattern) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		o, err := explain.DecodeObjects(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i := range o.Jobs {
			objs = append(objs, &o.Jobs[i])
		}
		for i := range o.Pods {
			objs = append(objs, &o.Pods[i])
		}
		for i := range o.Events {
			objs = append(objs, &o.Events[i])
		}
	}
	return objs
}
