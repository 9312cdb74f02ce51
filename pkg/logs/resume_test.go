package logs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResumePoint(t *testing.T) {
	const (
		t1 = "2026-01-02T15:04:05.100000000Z"
		t2 = "2026-01-02T15:04:05.200000000Z"
		t3 = "2026-01-02T15:04:06.000000000Z"
	)
	tests := []struct {
		name           string
		keepTimestamps bool
		// requests are what each (re)opened request returns; the server
		// repeats what came since the whole second of the newest line seen.
		requests [][]string
		want     []string
	}{{
		name:     "broken between lines of the same second",
		requests: [][]string{{t1 + " a", t2 + " b"}, {t1 + " a", t2 + " b", t2 + " c", t3 + " d"}},
		want:     []string{"a", "b", "c", "d"},
	}, {
		name:     "several lines with one timestamp (a simulated pod writes them at once)",
		requests: [][]string{{t1 + " a", t1 + " b"}, {t1 + " a", t1 + " b", t1 + " c"}, {t1 + " a", t1 + " b", t1 + " c", t3 + " d"}},
		want:     []string{"a", "b", "c", "d"},
	}, {
		name:     "nothing new after reopening",
		requests: [][]string{{t1 + " a"}, {t1 + " a"}, {}},
		want:     []string{"a"},
	}, {
		name:           "--timestamps keeps the prefix",
		keepTimestamps: true,
		requests:       [][]string{{t1 + " a"}, {t1 + " a", t3 + " b"}},
		want:           []string{t1 + " a", t3 + " b"},
	}, {
		name:     "a line without a timestamp is printed as it is",
		requests: [][]string{{t1 + " a", "rest-of-a-long-line"}, {t1 + " a", t3 + " b"}},
		want:     []string{"a", "rest-of-a-long-line", "b"},
	}, {
		name:     "an empty line keeps its timestamp out",
		requests: [][]string{{t1 + " ", t3 + " x y"}},
		want:     []string{"", "x y"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &resumePoint{keepTimestamps: tt.keepTimestamps}
			var got []string
			for i, req := range tt.requests {
				if i > 0 {
					r.reopened()
				}
				for _, l := range req {
					if out, ok := r.filter([]byte(l)); ok {
						got = append(got, string(out))
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("printed lines (-want +got):\n%s", diff)
			}
			if strings.Contains(tt.name, "nothing new") && r.since().IsZero() {
				t.Error("since() is zero after lines were printed")
			}
		})
	}
}
