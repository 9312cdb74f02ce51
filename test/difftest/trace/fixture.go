package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
)

// Fixture is a saved disagreement: the case, what the harness recorded,
// and the Job, pods and events read right after each sample. On disk it is
// a YAML stream: a ConfigMap "difftest-case" with the case and the record,
// then one v1 List per sample (a ConfigMap "difftest-sample" with the
// sample's times and the plugin's output, the Job, its pods and the
// namespace's events), so each sample also works with `kubectl job explain
// NAME -f` after splitting. pkg/explain's regression test explains each
// sample again and runs Check on it with the saved record.
type Fixture struct {
	Case     gen.Case
	Record   *Record
	Problems []Problem
	Samples  []Sample
}

type caseMeta struct {
	Seed        uint64        `json:"seed"`
	Index       int           `json:"index"`
	Namespace   string        `json:"namespace"`
	ResumeAfter time.Duration `json:"resumeAfter,omitempty"`
	Features    []string      `json:"features"`
	Live        string        `json:"live,omitempty"`
	// SuccessIndex, StockBackoff: see gen.Case.
	SuccessIndex int  `json:"successIndex"`
	StockBackoff bool `json:"stockBackoff,omitempty"`
}

const (
	caseConfigMap   = "difftest-case"
	sampleConfigMap = "difftest-sample"
)

// WriteFixture writes f as a YAML stream; namespace is the one the case ran in.
func WriteFixture(w io.Writer, f Fixture, namespace string) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Differential test disagreement %s (issues 11, 16): seed %d, case %d.\n", f.Case.Name(), f.Case.Seed, f.Case.Index)
	fmt.Fprintf(&buf, "# Reproduce: DIFFTEST_SEED=%d DIFFTEST_N=%d DIFFTEST_ONLY=%d go test -tags e2e ./test/difftest/ -run TestDifferential\n", f.Case.Seed, f.Case.Index+1, f.Case.Index)
	fmt.Fprintf(&buf, "# Replayed by pkg/explain/difftest_regression_test.go.\n# Problems:\n")
	for _, p := range f.Problems {
		fmt.Fprintf(&buf, "#   %s\n", strings.ReplaceAll(p.String(), "\n", " "))
	}
	meta, err := json.Marshal(caseMeta{Seed: f.Case.Seed, Index: f.Case.Index, Namespace: namespace, ResumeAfter: f.Case.ResumeAfter, Features: f.Case.Features,
		Live: f.Case.Live, SuccessIndex: f.Case.SuccessIndex, StockBackoff: f.Case.StockBackoff})
	if err != nil {
		return err
	}
	jobYAML, err := yaml.Marshal(f.Case.Job)
	if err != nil {
		return err
	}
	record, err := json.Marshal(f.Record)
	if err != nil {
		return err
	}
	probs, err := json.Marshal(f.Problems)
	if err != nil {
		return err
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: caseConfigMap, Namespace: namespace},
		Data:       map[string]string{"case.json": string(meta), "job.yaml": string(jobYAML), "record.json": string(record), "problems.json": string(probs)},
	}
	if err := writeDoc(&buf, cm); err != nil {
		return err
	}
	for i, s := range f.Samples {
		said := "error: " + s.Err
		if s.Output != nil {
			said = fmt.Sprintf("%s/%s", s.Output.Verdict.Phase, s.Output.Verdict.Reason)
		}
		fmt.Fprintf(&buf, "---\n# sample %d at %s: explain said %s\n", i, s.Start.UTC().Format(time.RFC3339Nano), said)
		list := map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{}}
		items := []any{&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: sampleConfigMap, Namespace: namespace},
			Data: map[string]string{"start": s.Start.UTC().Format(time.RFC3339Nano), "end": s.End.UTC().Format(time.RFC3339Nano),
				"err": s.Err, "explanation.json": s.Raw},
		}}
		if s.Job != nil {
			j := s.Job.DeepCopy()
			j.APIVersion, j.Kind = "batch/v1", "Job"
			j.ManagedFields = nil
			items = append(items, j)
		}
		for _, p := range s.Pods {
			p := p.DeepCopy()
			p.APIVersion, p.Kind = "v1", "Pod"
			p.ManagedFields = nil
			items = append(items, p)
		}
		for _, ev := range s.Events {
			ev := ev.DeepCopy()
			ev.APIVersion, ev.Kind = "v1", "Event"
			ev.ManagedFields = nil
			items = append(items, ev)
		}
		list["items"] = items
		data, err := yaml.Marshal(list)
		if err != nil {
			return err
		}
		buf.Write(data)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func writeDoc(buf *bytes.Buffer, obj any) error {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	buf.WriteString("---\n")
	buf.Write(data)
	return nil
}

// ReadFixture reads a fixture written by WriteFixture. The samples' Output
// is the plugin's output as recorded.
func ReadFixture(data []byte) (*Fixture, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	f := &Fixture{}
	for doc := 0; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", doc, err)
		}
		jsonData, err := utilyaml.ToJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", doc, err)
		}
		if len(bytes.TrimSpace(jsonData)) == 0 || string(bytes.TrimSpace(jsonData)) == "null" {
			continue
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(jsonData, &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", doc, err)
		}
		switch tm.Kind {
		case "ConfigMap":
			if err := f.readCase(jsonData); err != nil {
				return nil, fmt.Errorf("document %d: %w", doc, err)
			}
		case "List":
			s, err := readSample(raw)
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", doc, err)
			}
			f.Samples = append(f.Samples, s)
		default:
			return nil, fmt.Errorf("document %d: unexpected kind %q", doc, tm.Kind)
		}
	}
	if f.Case.Job == nil {
		return nil, fmt.Errorf("no %s ConfigMap", caseConfigMap)
	}
	return f, nil
}

func (f *Fixture) readCase(data []byte) error {
	var cm corev1.ConfigMap
	if err := json.Unmarshal(data, &cm); err != nil {
		return err
	}
	var meta caseMeta
	if err := json.Unmarshal([]byte(cm.Data["case.json"]), &meta); err != nil {
		return fmt.Errorf("case.json: %w", err)
	}
	job := &batchv1.Job{}
	if err := yaml.Unmarshal([]byte(cm.Data["job.yaml"]), job); err != nil {
		return fmt.Errorf("job.yaml: %w", err)
	}
	f.Record = &Record{}
	if err := json.Unmarshal([]byte(cm.Data["record.json"]), f.Record); err != nil {
		return fmt.Errorf("record.json: %w", err)
	}
	if p := cm.Data["problems.json"]; p != "" {
		if err := json.Unmarshal([]byte(p), &f.Problems); err != nil {
			return fmt.Errorf("problems.json: %w", err)
		}
	}
	f.Case = gen.Case{Seed: meta.Seed, Index: meta.Index, Job: job, ResumeAfter: meta.ResumeAfter, Features: meta.Features, Live: meta.Live, SuccessIndex: meta.SuccessIndex, StockBackoff: meta.StockBackoff}
	return nil
}

func readSample(raw []byte) (Sample, error) {
	jsonData, err := utilyaml.ToJSON(raw)
	if err != nil {
		return Sample{}, err
	}
	var list struct {
		Items []runtime.RawExtension `json:"items"`
	}
	if err := json.Unmarshal(jsonData, &list); err != nil {
		return Sample{}, err
	}
	var s Sample
	for _, item := range list.Items {
		var tm metav1.TypeMeta
		if err := json.Unmarshal(item.Raw, &tm); err != nil {
			return Sample{}, err
		}
		switch tm.Kind {
		case "ConfigMap":
			var cm corev1.ConfigMap
			if err := json.Unmarshal(item.Raw, &cm); err != nil || cm.Name != sampleConfigMap {
				continue
			}
			if s.Start, err = time.Parse(time.RFC3339Nano, cm.Data["start"]); err != nil {
				return Sample{}, fmt.Errorf("sample start: %w", err)
			}
			if s.End, err = time.Parse(time.RFC3339Nano, cm.Data["end"]); err != nil {
				return Sample{}, fmt.Errorf("sample end: %w", err)
			}
			s.Err, s.Raw = cm.Data["err"], cm.Data["explanation.json"]
			if s.Raw != "" {
				if s.Output, err = DecodeOutput([]byte(s.Raw)); err != nil {
					return Sample{}, err
				}
			}
		case "Job":
			s.Job = &batchv1.Job{}
			if err := json.Unmarshal(item.Raw, s.Job); err != nil {
				return Sample{}, err
			}
		case "Pod":
			var p corev1.Pod
			if err := json.Unmarshal(item.Raw, &p); err != nil {
				return Sample{}, err
			}
			s.Pods = append(s.Pods, p)
		case "Event":
			var ev corev1.Event
			if err := json.Unmarshal(item.Raw, &ev); err != nil {
				return Sample{}, err
			}
			s.Events = append(s.Events, ev)
		}
	}
	if s.Start.IsZero() {
		return Sample{}, fmt.Errorf("no %s ConfigMap in the List", sampleConfigMap)
	}
	return s, nil
}

// DecodeOutput reads the plugin's `explain -o json`.
func DecodeOutput(data []byte) (*Output, error) {
	out := &Output{}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("decoding the plugin's JSON: %w", err)
	}
	return out, nil
}
