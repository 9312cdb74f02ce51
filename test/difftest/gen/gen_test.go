package gen

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for i := range 50 {
		a, b := Generate(7, i), Generate(7, i)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("case %d differs between two runs (-first +second):\n%s", i, diff)
		}
	}
	if cmp.Equal(Generate(1, 3).Job, Generate(2, 3).Job) {
		t.Errorf("seeds 1 and 2 gave the same case 3")
	}
}

// 200 cases (make difftest N=200) exercise every feature of the issue.
func TestGenerateCoversEveryFeature(t *testing.T) {
	seen := map[string]int{}
	for i := range 200 {
		c := Generate(1, i)
		for _, f := range c.Features {
			seen[f]++
		}
		spec := c.Job.Spec
		if spec.PodFailurePolicy != nil && spec.Template.Spec.RestartPolicy != "Never" {
			t.Errorf("case %d: podFailurePolicy with restartPolicy %s", i, spec.Template.Spec.RestartPolicy)
		}
		if spec.ActiveDeadlineSeconds == nil && (c.Has(FeatPFPIgnore) || c.Has(FeatRunningUntilEnded)) {
			t.Errorf("case %d may run forever without a deadline", i)
		}
	}
	for _, f := range FeatureOrder {
		if seen[f] == 0 {
			t.Errorf("no case has %q", f)
		}
	}
	t.Logf("features in 200 cases: %v", seen)
}

func TestGenerateInvalidCoversEveryKind(t *testing.T) {
	kinds := map[string]bool{}
	for i := range InvalidKinds {
		kinds[GenerateInvalid(1, i).Kind] = true
	}
	if len(kinds) != InvalidKinds {
		t.Errorf("%d invalid cases gave %d kinds, want all %d", InvalidKinds, len(kinds), InvalidKinds)
	}
}

func TestIndexes(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{{[]int{0}, "0"}, {[]int{0, 1, 2, 5, 7, 8}, "0-2,5,7-8"}, {nil, ""}} {
		if got := FormatIndexes(tc.in); got != tc.want {
			t.Errorf("FormatIndexes(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if got := ParseIndexes(tc.want); !cmp.Equal(got, tc.in) {
			t.Errorf("ParseIndexes(%q) = %v, want %v", tc.want, got, tc.in)
		}
	}
}
