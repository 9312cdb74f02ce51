package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// Objects are the Jobs, Pods and Events found in saved output such as
// `kubectl get job,pods,events -o yaml`, for post-mortems without a cluster.
type Objects struct {
	Jobs   []batchv1.Job
	Pods   []corev1.Pod
	Events []corev1.Event
	// CronJobs are kept for kubectl job explain cronjob/NAME -f.
	CronJobs []batchv1.CronJob
	// Skipped names the objects of other kinds that were ignored.
	Skipped []string
}

// decoder is built on first use, not at start-up: every command would pay
// its scheme (about half a millisecond) and only -f reads files.
var decoder = sync.OnceValue(func() runtime.Decoder {
	s := runtime.NewScheme()
	utilruntime.Must(batchv1.AddToScheme(s))
	utilruntime.Must(corev1.AddToScheme(s))
	metav1.AddToGroupVersion(s, corev1.SchemeGroupVersion)
	return serializer.NewCodecFactory(s).UniversalDeserializer()
})

// DecodeObjects reads JSON or YAML (several documents, or a v1 List) and
// keeps the Jobs, Pods and Events. Other kinds are skipped and named.
func DecodeObjects(data []byte) (*Objects, error) {
	out := &Objects{}
	r := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for doc := 1; ; doc++ {
		var raw runtime.RawExtension
		if err := r.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("document %d: %s", doc, DecodeProblem(err))
		}
		raw.Raw = bytes.TrimSpace(raw.Raw)
		if len(raw.Raw) == 0 || string(raw.Raw) == "null" {
			continue
		}
		if err := out.add(raw.Raw, fmt.Sprintf("document %d", doc)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (o *Objects) add(data []byte, where string) error {
	var meta metav1.TypeMeta
	if err := unmarshal(data, &meta); err != nil {
		return fmt.Errorf("%s: %s", where, DecodeProblem(err))
	}
	if meta.Kind == "" {
		return fmt.Errorf("%s: no kind: not a Kubernetes object", where)
	}
	if meta.Kind == "List" || (len(meta.Kind) > 4 && meta.Kind[len(meta.Kind)-4:] == "List") {
		var list struct {
			Items []runtime.RawExtension `json:"items"`
		}
		if err := unmarshal(data, &list); err != nil {
			return fmt.Errorf("%s: %s", where, DecodeProblem(err))
		}
		for i, item := range list.Items {
			if err := o.add(item.Raw, fmt.Sprintf("%s item %d", where, i)); err != nil {
				return err
			}
		}
		return nil
	}
	obj, gvk, err := decoder().Decode(data, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			o.Skipped = append(o.Skipped, meta.Kind)
			return nil
		}
		return fmt.Errorf("%s: %s", where, DecodeProblem(err))
	}
	switch t := obj.(type) {
	case *batchv1.Job:
		o.Jobs = append(o.Jobs, *t)
	case *corev1.Pod:
		o.Pods = append(o.Pods, *t)
	case *corev1.Event:
		o.Events = append(o.Events, *t)
	case *batchv1.CronJob:
		o.CronJobs = append(o.CronJobs, *t)
	default:
		o.Skipped = append(o.Skipped, gvk.Kind)
	}
	return nil
}

// unmarshal reads JSON as JSON (YAML conversion rejects escaped control
// characters that JSON allows) and anything else as YAML.
func unmarshal(data []byte, v any) error {
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		return json.Unmarshal(trimmed, v)
	}
	return yaml.Unmarshal(data, v)
}

// InputFor returns the explain input for one of o.Jobs: the pods the Job
// owns (by controller reference, else by its selector, as the job controller
// sees them) and all events, which Explain filters by involved object.
func (o *Objects) InputFor(job *batchv1.Job, now time.Time) Input {
	in := Input{Job: job, Now: now, Events: o.Events}
	var sel labels.Selector
	if job.Spec.Selector != nil {
		if s, err := metav1.LabelSelectorAsSelector(job.Spec.Selector); err == nil && !s.Empty() {
			sel = s
		}
	}
	for _, p := range o.Pods {
		if p.Namespace != "" && job.Namespace != "" && p.Namespace != job.Namespace {
			continue
		}
		if ref := metav1.GetControllerOf(&p); ref != nil {
			if ref.Kind == "Job" && (ref.UID == job.UID || (job.UID == "" && ref.Name == job.Name)) {
				in.Pods = append(in.Pods, p)
			}
			continue
		}
		if sel != nil && sel.Matches(labels.Set(p.Labels)) {
			in.Pods = append(in.Pods, p)
		}
	}
	return in
}

// DecodeProblem says what is wrong with a manifest, given the error of
// decoding it: the layers sigs.k8s.io/yaml and the API machinery wrap around
// encoding/json's error are dropped, and "cannot unmarshal string into Go
// struct field JobSpec.spec.completions of type int32", which speaks Go,
// becomes "field spec.completions: got a string, want a number".
func DecodeProblem(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "json: "); i >= 0 {
		msg = msg[i+len("json: "):]
	}
	if m := unmarshalProblem().FindStringSubmatch(msg); m != nil {
		got, field, want := m[1], m[2], m[3]
		if _, path, ok := strings.Cut(field, "."); ok {
			field = path
		}
		if field != "" {
			return fmt.Sprintf("field %s: got %s, want %s", field, withArticle(got), describeGoType(want))
		}
		return fmt.Sprintf("got %s, want %s", withArticle(got), describeGoType(want))
	}
	return msg
}

var unmarshalProblem = lazyRegexp(`cannot unmarshal (\w+) into Go (?:struct field (\S+)|value) of type (\S+)`)

func withArticle(jsonKind string) string {
	if jsonKind == "array" || jsonKind == "object" {
		return "an " + jsonKind
	}
	return "a " + jsonKind
}

// describeGoType names a Go type the way a manifest's author thinks of it.
func describeGoType(t string) string {
	t = strings.TrimLeft(t, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a map"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	}
	if i := strings.LastIndex(t, "."); i >= 0 {
		t = t[i+1:]
	}
	return "a " + t
}

// lazyRegexp compiles expr on first use: a package-level MustCompile runs at
// every command's start-up, used or not.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
