//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// DocRow is one case of docs/reliability.md: what was tried, what the project
// promises, and what this run observed on the real cluster.
type DocRow struct {
	Case, Expected, Observed string
}

// DocSection collects the rows a test observes and, with KJ_UPDATE_DOCS=1,
// writes them as a table between `<!-- begin NAME -->` and `<!-- end NAME -->`
// in docs/reliability.md once the test and all its subtests are done. Each
// test owns its own markers, so parallel tests never write the same lines.
type DocSection struct {
	mu   sync.Mutex
	rows []DocRow
}

var docsFileMu sync.Mutex

// NewDocSection registers the section NAME for the running test.
func NewDocSection(t *testing.T, name string) *DocSection {
	t.Helper()
	s := &DocSection{}
	t.Cleanup(func() {
		if os.Getenv("KJ_UPDATE_DOCS") == "" || t.Failed() {
			return
		}
		if err := s.write(name); err != nil {
			t.Errorf("updating docs/reliability.md: %v", err)
		}
	})
	return s
}

// Add records one observed case.
func (s *DocSection) Add(row DocRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, row)
}

func (s *DocSection) write(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	docsFileMu.Lock()
	defer docsFileMu.Unlock()
	path := filepath.Join("..", "..", "docs", "reliability.md")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->"
	i, j := strings.Index(string(data), begin), strings.Index(string(data), end)
	if i < 0 || j < i {
		return fmt.Errorf("markers %q and %q not found", strings.TrimSpace(begin), end)
	}
	var b strings.Builder
	b.WriteString("| # | Case | Expected | Observed |\n|---|---|---|---|\n")
	for n, r := range s.rows {
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", n+1, cell(r.Case), cell(r.Expected), cell(r.Observed))
	}
	out := string(data[:i+len(begin)]) + b.String() + string(data[j:])
	return os.WriteFile(path, []byte(out), 0o644)
}

// cell keeps a value on one table row.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}
