// Package golden is the golden-file helper of every package's tests: it
// compares rendered output with a file under testdata and, when the tests run
// with -update, rewrites the file first.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Check compares got with the file at path (under the package's testdata),
// or with -update writes got there first.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

// CheckSection is Check for the part of a file (a README) between the lines
// begin and end: the rest of the file is the author's, the section is
// generated. Both marker lines must be there.
func CheckSection(t testing.TB, path, begin, end, got string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin+"\n"), strings.Index(text, end+"\n")
	if i < 0 || j < i {
		t.Fatalf("%s has no section between %q and %q", path, begin, end)
	}
	i += len(begin) + 1
	if *update {
		text = text[:i] + got + text[j:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		j = i + len(got)
	}
	if d := cmp.Diff(text[i:j], got); d != "" {
		t.Errorf("%s: the generated section differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}
