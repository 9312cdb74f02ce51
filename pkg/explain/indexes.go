package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Interval is a closed range of completion indexes, First <= Last.
type Interval struct {
	First, Last int
}

// IndexSet is a sorted list of disjoint, non-adjacent intervals: the form of
// status.completedIndexes, status.failedIndexes and successPolicy
// succeededIndexes ("1,3-5,7"). It is kept as intervals, never expanded, so
// "0-2147483646" costs nothing.
type IndexSet []Interval

// maxIndex bounds parsed indexes: completions is an int32.
const maxIndex = 1<<31 - 1

// ParseIndexes parses an interval string like "1,3-5,7". The empty string is
// the empty set. Unsorted or overlapping input is accepted and normalised;
// anything else (negative numbers, "5-3", stray characters) is an error.
func ParseIndexes(s string) (IndexSet, error) {
	if s == "" {
		return nil, nil
	}
	var set IndexSet
	for part := range strings.SplitSeq(s, ",") {
		first, last, isRange := strings.Cut(part, "-")
		a, err := parseIndex(first)
		if err != nil {
			return nil, fmt.Errorf("invalid index range %q in %q: %w", part, s, err)
		}
		b := a
		if isRange {
			if b, err = parseIndex(last); err != nil {
				return nil, fmt.Errorf("invalid index range %q in %q: %w", part, s, err)
			}
			if b < a {
				return nil, fmt.Errorf("invalid index range %q in %q: end before start", part, s)
			}
		}
		set = append(set, Interval{First: a, Last: b})
	}
	return normalize(set), nil
}

func parseIndex(s string) (int, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("not an index")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not an index")
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxIndex {
		return 0, fmt.Errorf("index out of range")
	}
	return n, nil
}

// normalize sorts and merges overlapping or adjacent intervals.
func normalize(set IndexSet) IndexSet {
	if len(set) == 0 {
		return nil
	}
	slices.SortFunc(set, func(a, b Interval) int { return a.First - b.First })
	out := set[:1]
	for _, iv := range set[1:] {
		last := &out[len(out)-1]
		if iv.First <= last.Last+1 {
			last.Last = max(last.Last, iv.Last)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// FormatIndexes formats indexes in the API's interval form ("1,3-5,7"); the
// input need not be sorted and may repeat.
func FormatIndexes(indexes []int) string {
	set := make(IndexSet, 0, len(indexes))
	for _, i := range indexes {
		if i >= 0 {
			set = append(set, Interval{First: i, Last: i})
		}
	}
	return normalize(set).String()
}

// String formats the set as "1,3-5,7".
func (s IndexSet) String() string {
	var b strings.Builder
	for i, iv := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(iv.First))
		if iv.Last > iv.First {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(iv.Last))
		}
	}
	return b.String()
}

// maxShownIntervals bounds the intervals Short shows.
const maxShownIntervals = 20

// Short formats the set like String for people: with more than 20
// intervals, the first 10, "…", the last one and how many there are in all
// ("0,2-3,…,59999-99999 (20001 ranges)"). A Job of 100,000 indexes whose
// failures are scattered has tens of thousands of intervals: printed whole,
// every line quoting them is hundreds of kilobytes. The API's string stays
// whole in JSON (Progress).
func (s IndexSet) Short() string {
	if len(s) <= maxShownIntervals {
		return s.String()
	}
	head := s[:maxShownIntervals/2].String()
	return fmt.Sprintf("%s,…,%s (%d ranges)", head, s[len(s)-1:].String(), len(s))
}

// ShortIndexes is Short for an interval string from the API; a string that
// does not parse is shown as it is, cut to a few hundred bytes.
func ShortIndexes(s string) string {
	set, err := ParseIndexes(s)
	if err != nil {
		if len(s) > 200 {
			return s[:200] + "…"
		}
		return s
	}
	if len(set) <= maxShownIntervals {
		return s // as the API wrote it
	}
	return set.Short()
}

// Has reports whether i is in the set.
func (s IndexSet) Has(i int) bool {
	_, found := slices.BinarySearchFunc(s, i, func(iv Interval, i int) int {
		switch {
		case iv.Last < i:
			return -1
		case iv.First > i:
			return 1
		}
		return 0
	})
	return found
}

// Len is the number of indexes in the set.
func (s IndexSet) Len() int {
	n := 0
	for _, iv := range s {
		n += iv.Last - iv.First + 1
	}
	return n
}

// Indexes expands the set, stopping after limit indexes (limit < 0: no limit).
func (s IndexSet) Indexes(limit int) []int {
	var out []int
	for _, iv := range s {
		for i := iv.First; i <= iv.Last; i++ {
			if limit >= 0 && len(out) >= limit {
				return out
			}
			out = append(out, i)
		}
	}
	return out
}

// Intersect returns the indexes in both sets.
func (s IndexSet) Intersect(o IndexSet) IndexSet {
	var out IndexSet
	i, j := 0, 0
	for i < len(s) && j < len(o) {
		first, last := max(s[i].First, o[j].First), min(s[i].Last, o[j].Last)
		if first <= last {
			out = append(out, Interval{First: first, Last: last})
		}
		if s[i].Last < o[j].Last {
			i++
		} else {
			j++
		}
	}
	return out
}

// Minus returns the indexes of s that are not in o.
func (s IndexSet) Minus(o IndexSet) IndexSet {
	var out IndexSet
	j := 0
	for _, iv := range s {
		first := iv.First
		for j < len(o) && o[j].Last < first {
			j++
		}
		for k := j; k < len(o) && o[k].First <= iv.Last && first <= iv.Last; k++ {
			if o[k].First > first {
				out = append(out, Interval{First: first, Last: o[k].First - 1})
			}
			first = max(first, o[k].Last+1)
		}
		if first <= iv.Last {
			out = append(out, Interval{First: first, Last: iv.Last})
		}
	}
	return out
}

// below returns the part of the set under n (indexes >= completions are
// ignored by the controller).
func (s IndexSet) below(n int) IndexSet {
	var out IndexSet
	for _, iv := range s {
		if iv.First >= n {
			break
		}
		out = append(out, Interval{First: iv.First, Last: min(iv.Last, n-1)})
	}
	return out
}
