package explain

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

func TestDecodeProblem(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"spec: {completions: many}", "field spec.completions: got a string, want a number"},
		{"spec: {template: {spec: {containers: {}}}}", "field spec.template.spec.containers: got an object, want a list"},
		{"spec: {suspend: 3}", "field spec.suspend: got a number, want true or false"},
		{"[1]", "got an array, want a Job"},
	} {
		var job batchv1.Job
		err := yaml.Unmarshal([]byte(tt.doc), &job)
		if err == nil {
			t.Fatalf("%q decoded", tt.doc)
		}
		if got := DecodeProblem(err); got != tt.want {
			t.Errorf("DecodeProblem(%q) = %q, want %q", err, got, tt.want)
		}
	}
}
