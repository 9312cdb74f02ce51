package printers

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// TestAlignedMatchesTablewriter: the aligned writer that PrintTable uses for
// big tables must print exactly what tablewriter prints, on random tables of
// ASCII, empty, wide (CJK, emoji) and placeholder cells, with and without
// headers.
func TestAlignedMatchesTablewriter(t *testing.T) {
	words := []string{"", "a", "<none>", "<unset>", "Complete", "job-1234", "日本語", "🚀 rocket", "x y", "trailing ", " leading", "ÄÖÜ", "10m05s"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		cols := 1 + rng.IntN(8)
		tbl := Table{}
		for c := range cols {
			tbl.Headers = append(tbl.Headers, strings.Repeat("H", 1+c%3)+words[rng.IntN(len(words))])
		}
		for range rng.IntN(12) {
			row := make([]string, cols)
			for c := range row {
				row[c] = words[rng.IntN(len(words))]
			}
			tbl.Rows = append(tbl.Rows, row)
		}
		noHeaders := n%5 == 0
		var want, got strings.Builder
		if err := printWithTablewriter(&want, tbl, noHeaders); err != nil {
			t.Fatal(err)
		}
		if err := printAligned(&got, tbl, noHeaders); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("table %d (noHeaders=%v) differs:\ntablewriter:\n%q\naligned:\n%q", n, noHeaders, want.String(), got.String())
		}
	}
}

func TestPlainTable(t *testing.T) {
	h := []string{"A", "B"}
	for _, tt := range []struct {
		rows [][]string
		want bool
	}{
		{[][]string{{"x", "y"}}, true},
		{[][]string{{"x"}}, false},
		{[][]string{{"x", "two\nlines"}}, false},
		{[][]string{{"x\ty", "z"}}, false},
	} {
		if got := plainTable(Table{Headers: h, Rows: tt.rows}); got != tt.want {
			t.Errorf("%q: got %v, want %v", tt.rows, got, tt.want)
		}
	}
}

// TestDisplayWidthMatchesTablewriter: the ASCII fast path agrees with
// twwidth on every printable ASCII cell and defers to it otherwise.
func TestDisplayWidthMatchesTablewriter(t *testing.T) {
	cells := []string{"", "a", "job-00001", "Complete: CompletionsReached", "~!@#$%^&*()_+`{}|[]\\:\";'<>?,./", "日本語", "é", "\x1b[31mred\x1b[0m", "tab\there"}
	for c := byte(0x20); c < 0x7f; c++ {
		cells = append(cells, string(c))
	}
	for _, c := range cells {
		if got, want := displayWidth(c), twwidth.Width(c); got != want {
			t.Errorf("displayWidth(%q) = %d, twwidth says %d", c, got, want)
		}
	}
}
