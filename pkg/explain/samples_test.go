package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
)

// sampleCases are the engine cases saved as `kubectl get job,pods,events -o
// yaml`-style Lists under testdata/samples, all at the fixed now
// (2026-03-01T12:00:00Z). The printers and command tests render them, so the
// human view and -f are tested on the same inputs as the engine.
var sampleCases = map[string]string{
	"complete":           "complete completions reached",
	"backoff-limit":      "failed backoff limit with Never and an ignored failure",
	"deadline":           "failed deadline exceeded",
	"pod-failure-policy": "failed pod failure policy exit code",
	"max-failed-indexes": "failed max failed indexes",
	"failing":            "failing while active pods terminate",
	"suspended":          "suspended",
	"unschedulable":      "pending unschedulable",
	"running":            "running with progress, budget and deadline",
	"external":           "external",
	"backoff-delay":      "pending backing off after failures",
	"escapes":            "escape sequences in cluster strings",
}

func TestSamples(t *testing.T) {
	byName := map[string]engineCase{}
	for _, c := range engineCases() {
		byName[c.name] = c
	}
	for file, name := range sampleCases {
		c, ok := byName[name]
		if !ok {
			t.Fatalf("no engine case %q", name)
		}
		items := []runtime.RawExtension{{Object: c.in.Job}}
		for i := range c.in.Pods {
			p := c.in.Pods[i]
			p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
			items = append(items, runtime.RawExtension{Object: &p})
		}
		for i := range c.in.Events {
			ev := c.in.Events[i]
			ev.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Event"}
			items = append(items, runtime.RawExtension{Object: &ev})
		}
		list := &corev1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}, Items: items}
		path := filepath.Join("testdata", "samples", file+".yaml")
		data, err := yaml.Marshal(list)
		if err != nil { // YAML cannot hold control characters: save as kubectl -o json would
			path = strings.TrimSuffix(path, ".yaml") + ".json"
			if data, err = json.MarshalIndent(list, "", "    "); err != nil {
				t.Fatal(err)
			}
		}
		if golden.Update() { // go test ./pkg/explain -update rewrites the samples
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		saved, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./pkg/explain -update)", err)
		}
		// The saved sample decodes to the same verdict as the built input.
		objs, err := DecodeObjects(saved)
		if err != nil || len(objs.Jobs) != 1 {
			t.Fatalf("%s: %v, %+v", path, err, objs)
		}
		in := objs.InputFor(&objs.Jobs[0], now)
		got, want := Explain(in), Explain(c.in)
		if d := cmp.Diff(want.Verdict, got.Verdict); d != "" {
			t.Errorf("%s: verdict differs from the built case (stale? run -update):\n%s", path, d)
		}
		if len(got.Attempts) != len(c.in.Pods) || len(got.Events) != len(want.Events) {
			t.Errorf("%s: %d attempts, %d events; want %d, %d", path, len(got.Attempts), len(got.Events), len(c.in.Pods), len(want.Events))
		}
	}
}

func TestDecodeObjects(t *testing.T) {
	multi := `
apiVersion: batch/v1
kind: Job
metadata: {name: a, namespace: ns, uid: u1}
spec:
  selector: {matchLabels: {batch.kubernetes.io/controller-uid: u1}}
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: a-1
  namespace: ns
  labels: {batch.kubernetes.io/controller-uid: u1}
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  namespace: ns
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: b, uid: u2, controller: true}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
`
	objs, err := DecodeObjects([]byte(multi))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Jobs) != 1 || len(objs.Pods) != 2 || !cmp.Equal(objs.Skipped, []string{"ConfigMap"}) {
		t.Fatalf("objects = %d jobs, %d pods, skipped %v", len(objs.Jobs), len(objs.Pods), objs.Skipped)
	}
	in := objs.InputFor(&objs.Jobs[0], now)
	if len(in.Pods) != 1 || in.Pods[0].Name != "a-1" {
		t.Errorf("pods of the Job = %v", in.Pods)
	}
	for _, bad := range []string{"{", "kind: [", "just text", "apiVersion: v1\nmetadata: {}"} {
		if _, err := DecodeObjects([]byte(bad)); err == nil {
			t.Errorf("DecodeObjects(%q) did not fail", bad)
		}
	}
	if objs, err := DecodeObjects([]byte(`{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"}}`)); err != nil || len(objs.Jobs) != 1 {
		t.Errorf("JSON: %v", err)
	}
}

// TestFixtures explains every Job captured from the local cluster under
// testdata/fixtures (saved `kubectl get job,pods,events -o yaml` Lists): the
// verdict must follow the Job's terminal condition, and nothing may panic.
func TestFixtures(t *testing.T) {
	var files []string
	_ = filepath.WalkDir(filepath.Join("testdata", "fixtures"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".json")) {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no fixtures under testdata/fixtures yet")
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			objs, err := DecodeObjects(data)
			if err != nil {
				t.Fatal(err)
			}
			for i := range objs.Jobs {
				job := &objs.Jobs[i]
				in := objs.InputFor(job, fixtureNow(objs))
				e := Explain(in)
				for _, c := range job.Status.Conditions {
					if c.Status != corev1.ConditionTrue {
						continue
					}
					want := map[string]Phase{"Complete": PhaseComplete, "Failed": PhaseFailed}[string(c.Type)]
					if want == "" {
						continue
					}
					if e.Verdict.Phase != want {
						t.Errorf("job %s: phase %s, want %s", job.Name, e.Verdict.Phase, want)
					}
					if c.Reason != "" && string(e.Verdict.Reason) != c.Reason {
						t.Errorf("job %s: reason %s, want %s", job.Name, e.Verdict.Reason, c.Reason)
					}
				}
				t.Logf("%s: %s: %s — %s", job.Name, e.Verdict.Phase, e.Verdict.Reason, e.Verdict.Message)
			}
		})
	}
}

// fixtureNow is the latest time recorded in the objects, so a fixture
// explains the same way whenever the test runs.
func fixtureNow(o *Objects) time.Time {
	var latest metav1.Time
	consider := func(t metav1.Time) {
		if t.After(latest.Time) {
			latest = t
		}
	}
	for _, j := range o.Jobs {
		consider(j.CreationTimestamp)
		for _, c := range j.Status.Conditions {
			consider(c.LastTransitionTime)
		}
		if j.Status.CompletionTime != nil {
			consider(*j.Status.CompletionTime)
		}
	}
	for _, p := range o.Pods {
		consider(p.CreationTimestamp)
		for _, c := range p.Status.Conditions {
			consider(c.LastTransitionTime)
		}
	}
	for _, ev := range o.Events {
		consider(ev.LastTimestamp)
	}
	return latest.Time
}
