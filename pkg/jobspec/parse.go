package jobspec

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// ParseEnv parses "NAME=VALUE" entries (--env). The value may contain "=".
func ParseEnv(entries []string) ([]corev1.EnvVar, error) {
	var env []corev1.EnvVar
	for _, e := range entries {
		name, value, found := strings.Cut(e, "=")
		if !found {
			return nil, fmt.Errorf("--env %q: expected NAME=VALUE", e)
		}
		if errs := validation.IsEnvVarName(name); len(errs) > 0 {
			return nil, fmt.Errorf("--env %q: invalid variable name %q: %s", e, name, strings.Join(errs, "; "))
		}
		env = append(env, corev1.EnvVar{Name: name, Value: value})
	}
	return env, nil
}

// ParseResources parses "cpu=500m,memory=1Gi" (--requests, --limits); flag
// names the flag in errors. An empty string is no resources.
func ParseResources(s, flag string) (corev1.ResourceList, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := corev1.ResourceList{}
	for item := range strings.SplitSeq(s, ",") {
		name, value, found := strings.Cut(strings.TrimSpace(item), "=")
		if !found || name == "" || value == "" {
			return nil, fmt.Errorf("%s %q: expected NAME=QUANTITY[,NAME=QUANTITY...], e.g. cpu=500m,memory=1Gi", flag, s)
		}
		if errs := validation.IsQualifiedName(name); len(errs) > 0 {
			return nil, fmt.Errorf("%s: invalid resource name %q: %s", flag, name, strings.Join(errs, "; "))
		}
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid quantity %q for %s: use a Kubernetes quantity such as 500m, 2 or 1Gi", flag, value, name)
		}
		if q.Sign() < 0 {
			return nil, fmt.Errorf("%s: %s must not be negative, got %s", flag, name, value)
		}
		out[corev1.ResourceName(name)] = q
	}
	return out, nil
}

// checkRequestsWithinLimits applies the API rule that a request may not
// exceed the limit of the same resource.
func checkRequestsWithinLimits(req, lim corev1.ResourceList) error {
	for _, name := range slices.Sorted(maps.Keys(req)) {
		l, ok := lim[name]
		if !ok {
			continue
		}
		r := req[name]
		if r.Cmp(l) > 0 {
			return fmt.Errorf("--requests %s=%s exceeds --limits %s=%s: a container may not request more than its limit", name, r.String(), name, l.String())
		}
	}
	return nil
}

// ParsePodFailurePolicy reads a batch/v1 PodFailurePolicy from YAML or JSON:
// either the policy itself ({rules: [...]}) or a Job spec fragment with a
// podFailurePolicy key. Unknown fields are errors, so a typo is not dropped.
func ParsePodFailurePolicy(data []byte, source string) (*batchv1.PodFailurePolicy, error) {
	var wrapper struct {
		PodFailurePolicy *batchv1.PodFailurePolicy `json:"podFailurePolicy"`
	}
	if err := yaml.UnmarshalStrict(data, &wrapper); err == nil && wrapper.PodFailurePolicy != nil {
		return wrapper.PodFailurePolicy, nil
	}
	var p batchv1.PodFailurePolicy
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("--pod-failure-policy %s: not a pod failure policy (rules: [{action: FailJob|FailIndex|Ignore|Count, onExitCodes: ..., onPodConditions: ...}]): %s", source, decodeProblem(err))
	}
	if len(p.Rules) == 0 {
		return nil, fmt.Errorf("--pod-failure-policy %s: the policy has no rules", source)
	}
	return &p, nil
}

// ReadJobs decodes every document of a YAML or JSON stream (-f) as a batch/v1
// Job. Any other kind, an unknown field or an empty stream is an error that
// names the document, so nothing is created from a file that is partly wrong.
func ReadJobs(r io.Reader, source string) ([]*batchv1.Job, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var jobs []*batchv1.Job
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: document %d is not valid YAML or JSON: %w", source, doc, err)
		}
		data := bytes.TrimSpace(raw)
		if len(data) == 0 || string(data) == "null" {
			doc--
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(data, &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, doc, err)
		}
		if tm.Kind == "List" {
			return nil, fmt.Errorf("%s: document %d is a List: give the Jobs as separate documents (separated by ---)", source, doc)
		}
		if tm.Kind != "Job" || tm.APIVersion != batchv1.SchemeGroupVersion.String() {
			what := "has no kind"
			if tm.Kind != "" {
				what = fmt.Sprintf("is a %s (%s)", tm.Kind, orUnset(tm.APIVersion))
			}
			return nil, fmt.Errorf("%s: document %d %s: kubectl job create -f takes only Jobs (apiVersion: batch/v1, kind: Job); use kubectl apply -f for other kinds", source, doc, what)
		}
		job := &batchv1.Job{}
		if err := yaml.UnmarshalStrict(data, job); err != nil {
			return nil, fmt.Errorf("%s: document %d (job %q): %s", source, doc, nameOf(data), decodeProblem(err))
		}
		jobs = append(jobs, job)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%s: no Job found", source)
	}
	return jobs, nil
}

// decodeProblem drops the layers sigs.k8s.io/yaml wraps around a JSON
// decoding error and says what was wrong in a manifest author's words.
func decodeProblem(err error) string { return explain.DecodeProblem(err) }

func nameOf(data []byte) string {
	var m metav1.PartialObjectMetadata
	_ = yaml.Unmarshal(data, &m)
	return m.Name
}

func orUnset(s string) string {
	if s == "" {
		return "no apiVersion"
	}
	return s
}

// KeyValues is a --labels/--annotations flag value: KEY=VALUE pairs separated
// by commas, repeatable. Unlike pflag's stringToString it refuses what it
// cannot keep whole: a line break outside double quotes used to end the CSV
// record and silently drop the rest of the value.
type KeyValues struct {
	m *map[string]string
}

// NewKeyValues is a KeyValues flag value writing into m.
func NewKeyValues(m *map[string]string) *KeyValues { return &KeyValues{m: m} }

// Set parses one flag occurrence and merges it into the map.
func (kv *KeyValues) Set(s string) error {
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("want KEY=VALUE pairs separated by commas: %w", err)
	}
	if len(records) != 1 {
		return errors.New(`a line break is only kept inside a double-quoted pair ("KEY=line1<newline>line2"), or set the value in a manifest with -f`)
	}
	if *kv.m == nil {
		*kv.m = map[string]string{}
	}
	for _, pair := range records[0] {
		key, value, found := strings.Cut(pair, "=")
		if !found || key == "" {
			return fmt.Errorf("want KEY=VALUE pairs separated by commas, got %q", pair)
		}
		(*kv.m)[key] = value
	}
	return nil
}

// Type names the value in help.
func (kv *KeyValues) Type() string { return "KEY=VALUE" }

// String is the pairs, sorted, as the flag would be written.
func (kv *KeyValues) String() string {
	if kv.m == nil || len(*kv.m) == 0 {
		return "[]"
	}
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(*kv.m)) {
		pairs = append(pairs, k+"="+(*kv.m)[k])
	}
	return "[" + strings.Join(pairs, ",") + "]"
}
