package explain

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseIndexes(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string
		len     int
		wantErr bool
	}{
		{in: "", want: "", len: 0},
		{in: "0", want: "0", len: 1},
		{in: "1,3-5,7", want: "1,3-5,7", len: 5},
		{in: "7,1,3-5", want: "1,3-5,7", len: 5},
		{in: "1-3,2-6,7", want: "1-7", len: 7},
		{in: "0-2147483647", want: "0-2147483647", len: 1 << 31},
		{in: "5-3", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "1,,2", wantErr: true},
		{in: "1-", wantErr: true},
		{in: "a", wantErr: true},
		{in: " 1", wantErr: true},
		{in: "2147483648", wantErr: true},
		{in: "1-2-3", wantErr: true},
		{in: "+1", wantErr: true},
	} {
		got, err := ParseIndexes(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseIndexes(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && (got.String() != tc.want || got.Len() != tc.len) {
			t.Errorf("ParseIndexes(%q) = %q (len %d), want %q (len %d)", tc.in, got, got.Len(), tc.want, tc.len)
		}
	}
}

func TestIndexSet(t *testing.T) {
	s, _ := ParseIndexes("1,3-5,7")
	for i, want := range []bool{false, true, false, true, true, true, false, true, false} {
		if s.Has(i) != want {
			t.Errorf("Has(%d) = %v", i, !want)
		}
	}
	if got := s.Indexes(-1); !slices.Equal(got, []int{1, 3, 4, 5, 7}) {
		t.Errorf("Indexes = %v", got)
	}
	if got := s.Indexes(2); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("Indexes(2) = %v", got)
	}
	o, _ := ParseIndexes("0-3,7-9")
	if got := s.Intersect(o).String(); got != "1,3,7" {
		t.Errorf("Intersect = %q", got)
	}
	if got := FormatIndexes([]int{7, 1, 3, 4, 5, 5, -2}); got != "1,3-5,7" {
		t.Errorf("FormatIndexes = %q", got)
	}
	if got := s.below(4).String(); got != "1,3" {
		t.Errorf("below = %q", got)
	}
}

// FuzzParseIndexes: never panics; whatever parses formats back to a string
// that parses to the same set, and matches FormatIndexes of its expansion.
func FuzzParseIndexes(f *testing.F) {
	for _, s := range []string{"", "0", "1,3-5,7", "5-3", "0-2147483647", "1,,2", "9,1-4,3", "00,01-002"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseIndexes(s)
		if err != nil {
			return
		}
		again, err := ParseIndexes(set.String())
		if err != nil {
			t.Fatalf("ParseIndexes(%q).String() = %q does not parse: %v", s, set.String(), err)
		}
		if d := cmp.Diff(set, again); d != "" {
			t.Fatalf("round trip of %q differs:\n%s", s, d)
		}
		for i := 1; i < len(set); i++ {
			if set[i].First <= set[i-1].Last+1 {
				t.Fatalf("not normalised: %v", set)
			}
		}
		if set.Len() <= 10000 {
			if got := FormatIndexes(set.Indexes(-1)); got != set.String() {
				t.Fatalf("FormatIndexes(expand(%q)) = %q, want %q", s, got, set.String())
			}
		}
	})
}

// TestShortIndexes: a scattered set of 100,000 indexes prints in a line,
// never in hundreds of kilobytes; a small one prints as it is.
func TestShortIndexes(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 60000; i += 3 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", i+1)
	}
	scattered := b.String() // 20,000 single indexes
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"1,3-5,7", "1,3-5,7"},
		{"3-5,1", "3-5,1"}, // as the API wrote it
		{scattered, "1,4,7,10,13,16,19,22,25,28,…,59998 (20000 ranges)"},
		{"not-an-interval", "not-an-interval"},
	} {
		if got := ShortIndexes(tt.in); got != tt.want {
			t.Errorf("ShortIndexes(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	set, _ := ParseIndexes(scattered)
	if got := set.Short(); len(got) > 100 || set.Len() != 20000 {
		t.Errorf("Short() = %q (%d bytes)", got, len(got))
	}
}

func TestCarriedIndexesEvidence(t *testing.T) {
	j := newJob("shard-retry").indexed().completions(4).started(time.Minute).counts(0, 0, 4, 0).indexes("0-3", "").
		complete("CompletionsReached", "Reached expected number of succeeded pods", 0).build()
	j.Annotations = map[string]string{AnnotationCarriedIndexes: "0,2", AnnotationRerunOf: "ns/shard/uid-1"}
	e := Explain(input(j, nil))
	want := "indexes 0,2 were carried over as completed from job ns/shard (kubectl job rerun --failed-indexes-only): this Job did not run them"
	found := false
	for _, ev := range e.Evidence {
		found = found || ev.Message == want
	}
	if !found {
		t.Errorf("evidence %+v lacks %q", e.Evidence, want)
	}
	var statuses []string
	for _, ix := range e.Indexes {
		statuses = append(statuses, ix.Status)
	}
	if want := []string{"Carried", "Succeeded", "Carried", "Succeeded"}; !slices.Equal(statuses, want) {
		t.Errorf("index statuses %v, want carried indexes 0 and 2 marked Carried", statuses)
	}
	j.Annotations = nil
	for _, ev := range Explain(input(j, nil)).Evidence {
		if strings.Contains(ev.Message, "carried over") {
			t.Errorf("carried-over evidence without the annotation: %q", ev.Message)
		}
	}
}

// TestIndexSetMinus checks Minus against a brute-force difference over small
// random sets.
func TestIndexSetMinus(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomSet := func() ([]int, IndexSet) {
		var idx []int
		for i := range 40 {
			if rng.IntN(3) == 0 {
				idx = append(idx, i)
			}
		}
		set, err := ParseIndexes(FormatIndexes(idx))
		if err != nil {
			t.Fatal(err)
		}
		return idx, set
	}
	for range 500 {
		a, sa := randomSet()
		b, sb := randomSet()
		var want []int
		for _, i := range a {
			if !slices.Contains(b, i) {
				want = append(want, i)
			}
		}
		if got, want := sa.Minus(sb).String(), FormatIndexes(want); got != want {
			t.Fatalf("%s minus %s = %q, want %q", sa, sb, got, want)
		}
	}
}
