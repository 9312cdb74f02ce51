package jobspec

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// baseJob is what New("pi", {Image: "busybox"}) must build: kubectl create
// job's shape.
func baseJob() *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: "pi"},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{
					Containers:    []corev1.Container{{Name: "pi", Image: "busybox"}},
					RestartPolicy: corev1.RestartPolicyNever,
				},
			},
		},
	}
}

func dur(d time.Duration) *time.Duration { return &d }

func TestNewEveryKnob(t *testing.T) {
	indexed := batchv1.IndexedCompletion
	onFailure := corev1.RestartPolicyOnFailure
	pfp := &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
		Action:      batchv1.PodFailurePolicyActionFailJob,
		OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}},
	}}}
	tests := []struct {
		name  string
		knobs Knobs
		want  func(j *batchv1.Job)
	}{
		{"image only", Knobs{}, func(j *batchv1.Job) {}},
		{"command", Knobs{Command: []string{"sh", "-c", "echo hi"}}, func(j *batchv1.Job) {
			j.Spec.Template.Spec.Containers[0].Command = []string{"sh", "-c", "echo hi"}
		}},
		{"backoff limit", Knobs{BackoffLimit: ptr.To[int32](2)}, func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To[int32](2) }},
		{"backoff limit 0", Knobs{BackoffLimit: ptr.To[int32](0)}, func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To[int32](0) }},
		{"active deadline", Knobs{ActiveDeadline: dur(10 * time.Minute)}, func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To[int64](600) }},
		{"ttl", Knobs{TTL: dur(time.Hour)}, func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](3600) }},
		{"ttl 0", Knobs{TTL: dur(0)}, func(j *batchv1.Job) { j.Spec.TTLSecondsAfterFinished = ptr.To[int32](0) }},
		{"parallelism and completions", Knobs{Parallelism: ptr.To[int32](3), Completions: ptr.To[int32](5)}, func(j *batchv1.Job) {
			j.Spec.Parallelism, j.Spec.Completions = ptr.To[int32](3), ptr.To[int32](5)
		}},
		{"indexed with per-index limits", Knobs{CompletionMode: &indexed, Completions: ptr.To[int32](4), BackoffLimitPerIndex: ptr.To[int32](1), MaxFailedIndexes: ptr.To[int32](2)}, func(j *batchv1.Job) {
			j.Spec.CompletionMode = &indexed
			j.Spec.Completions = ptr.To[int32](4)
			j.Spec.BackoffLimitPerIndex = ptr.To[int32](1)
			j.Spec.MaxFailedIndexes = ptr.To[int32](2)
		}},
		{"restart OnFailure", Knobs{RestartPolicy: &onFailure}, func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = onFailure }},
		{"suspend", Knobs{Suspend: ptr.To(true)}, func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }},
		{"env", Knobs{Env: []string{"A=1", "B=x=y", "A=2"}}, func(j *batchv1.Job) {
			j.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "2"}, {Name: "B", Value: "x=y"}}
		}},
		{"labels on job and pods", Knobs{Labels: map[string]string{"team": "data"}}, func(j *batchv1.Job) {
			j.Labels = map[string]string{"team": "data"}
			j.Spec.Template.Labels = map[string]string{"team": "data"}
		}},
		{"annotations on job and pod template", Knobs{Annotations: map[string]string{"sim.kubectl-job.io/outcome": "fail"}}, func(j *batchv1.Job) {
			j.Annotations = map[string]string{"sim.kubectl-job.io/outcome": "fail"}
			j.Spec.Template.Annotations = map[string]string{"sim.kubectl-job.io/outcome": "fail"}
		}},
		{"requests and limits", Knobs{Requests: "cpu=100m,memory=64Mi", Limits: "cpu=1"}, func(j *batchv1.Job) {
			j.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			}
		}},
		{"service account", Knobs{ServiceAccount: "runner"}, func(j *batchv1.Job) { j.Spec.Template.Spec.ServiceAccountName = "runner" }},
		{"pod failure policy", Knobs{PodFailurePolicy: pfp}, func(j *batchv1.Job) { j.Spec.PodFailurePolicy = pfp }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.knobs
			k.Image = "busybox"
			got, err := New("pi", k)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			want := baseJob()
			tt.want(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("job (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewInvalid(t *testing.T) {
	indexed, nonIndexed, bogus := batchv1.IndexedCompletion, batchv1.NonIndexedCompletion, batchv1.CompletionMode("Sparse")
	always, onFailure := corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure
	pfp := &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionFailJob}}}
	failIndex := &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionFailIndex}}}
	tests := []struct {
		name    string
		jobName string
		knobs   Knobs
		want    string
	}{
		{"no image", "pi", Knobs{Image: "-"}, "--image is required"},
		{"restart Always", "pi", Knobs{RestartPolicy: &always}, "a Job's pods must end: use --restart=Never or --restart=OnFailure"},
		{"restart bogus", "pi", Knobs{RestartPolicy: ptr.To(corev1.RestartPolicy("Sometimes"))}, "--restart must be Never or OnFailure"},
		{"per-index without Indexed", "pi", Knobs{BackoffLimitPerIndex: ptr.To[int32](1)}, "needs completionMode Indexed"},
		{"per-index with NonIndexed", "pi", Knobs{CompletionMode: &nonIndexed, BackoffLimitPerIndex: ptr.To[int32](1)}, "needs completionMode Indexed"},
		{"max failed indexes without per-index", "pi", Knobs{CompletionMode: &indexed, Completions: ptr.To[int32](3), MaxFailedIndexes: ptr.To[int32](1)}, "needs backoffLimitPerIndex"},
		{"max failed indexes > completions", "pi", Knobs{CompletionMode: &indexed, Completions: ptr.To[int32](2), BackoffLimitPerIndex: ptr.To[int32](1), MaxFailedIndexes: ptr.To[int32](3)}, "3 is more than completions 2"},
		{"indexed without completions", "pi", Knobs{CompletionMode: &indexed}, "an Indexed Job needs completions"},
		{"bad completion mode", "pi", Knobs{CompletionMode: &bogus}, "--completion-mode must be NonIndexed or Indexed"},
		{"pod failure policy with OnFailure", "pi", Knobs{RestartPolicy: &onFailure, PodFailurePolicy: pfp}, "needs restartPolicy Never"},
		{"FailIndex without per-index", "pi", Knobs{PodFailurePolicy: failIndex}, "action FailIndex, which needs backoffLimitPerIndex"},
		{"negative backoff limit", "pi", Knobs{BackoffLimit: ptr.To[int32](-1)}, "--backoff-limit must not be negative"},
		{"negative parallelism", "pi", Knobs{Parallelism: ptr.To[int32](-2)}, "--parallelism must not be negative"},
		{"negative completions", "pi", Knobs{Completions: ptr.To[int32](-1)}, "--completions must not be negative"},
		{"negative per-index", "pi", Knobs{BackoffLimitPerIndex: ptr.To[int32](-1)}, "--backoff-limit-per-index must not be negative"},
		{"negative max failed indexes", "pi", Knobs{MaxFailedIndexes: ptr.To[int32](-1)}, "--max-failed-indexes must not be negative"},
		{"deadline zero", "pi", Knobs{ActiveDeadline: dur(0)}, "--active-deadline must be at least 1s"},
		{"deadline fraction", "pi", Knobs{ActiveDeadline: dur(1500 * time.Millisecond)}, "--active-deadline must be whole seconds"},
		{"ttl negative", "pi", Knobs{TTL: dur(-time.Second)}, "--ttl must not be negative"},
		{"ttl fraction", "pi", Knobs{TTL: dur(time.Second / 2)}, "--ttl must be whole seconds"},
		{"name uppercase", "Pi", Knobs{}, `invalid Job name "Pi"`},
		{"name too long", strings.Repeat("a", 64), Knobs{}, "no more than 63 characters"},
		{"name with dots for Indexed", "a.b", Knobs{CompletionMode: &indexed, Completions: ptr.To[int32](2)}, "must be DNS labels"},
		{"env without =", "pi", Knobs{Env: []string{"A"}}, "expected NAME=VALUE"},
		{"env bad name", "pi", Knobs{Env: []string{"1A=b"}}, "invalid variable name"},
		{"bad label", "pi", Knobs{Labels: map[string]string{"a": "b c"}}, "--labels: invalid value"},
		{"bad annotation key", "pi", Knobs{Annotations: map[string]string{"a b": "c"}}, "--annotations: invalid key"},
		{"bad request quantity", "pi", Knobs{Requests: "cpu=lots"}, "invalid quantity"},
		{"bad request format", "pi", Knobs{Requests: "cpu"}, "expected NAME=QUANTITY"},
		{"request above limit", "pi", Knobs{Requests: "cpu=2", Limits: "cpu=1"}, "--requests cpu=2 exceeds --limits cpu=1"},
		{"bad service account", "pi", Knobs{ServiceAccount: "Bad_SA"}, "not a valid service account name"},
		{"image names container", "pi", Knobs{Image: "other=busybox"}, "names a container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.knobs
			switch k.Image {
			case "":
				k.Image = "busybox"
			case "-":
				k.Image = ""
			}
			_, err := New(tt.jobName, k)
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.HasSuffix(err.Error(), ".") || err.Error()[0] < 'a' && err.Error()[0] != '-' {
				t.Errorf("error %q: want lowercase, no trailing period", err)
			}
		})
	}
}

func cronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "ns", UID: "cj-uid"},
		Spec: batchv1.CronJobSpec{
			Schedule: "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}, Annotations: map[string]string{"team": "data"}},
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr.To[int32](1),
					Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
						RestartPolicy: corev1.RestartPolicyOnFailure,
						Containers: []corev1.Container{{Name: "report", Image: "report:1", Command: []string{"./report"}, Args: []string{"--all"},
							Env: []corev1.EnvVar{{Name: "MODE", Value: "full"}}}},
					}},
				},
			},
		},
	}
}

func TestFromCronJob(t *testing.T) {
	got, err := FromCronJob("manual-1", cronJob(), Knobs{
		Image:   "report:2",
		Command: []string{"./report", "--today"},
		Env:     []string{"MODE=quick", "DRY_RUN=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "manual-1", Namespace: "ns",
			Labels:      map[string]string{"app": "report"},
			Annotations: map[string]string{"team": "data", "cronjob.kubernetes.io/instantiate": "manual"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "cj-uid", Controller: ptr.To(true),
			}},
		},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To[int32](1),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyOnFailure,
				Containers: []corev1.Container{{Name: "report", Image: "report:2", Command: []string{"./report", "--today"},
					Env: []corev1.EnvVar{{Name: "MODE", Value: "quick"}, {Name: "DRY_RUN", Value: "1"}}}},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
	// The CronJob itself is untouched.
	if c := cronJob().Spec.JobTemplate.Spec.Template.Spec.Containers[0]; c.Image != "report:1" {
		t.Errorf("cronjob modified: %v", c)
	}
}

func TestFromCronJobMultiContainer(t *testing.T) {
	cj := cronJob()
	cj.Spec.JobTemplate.Spec.Template.Spec.Containers = append(cj.Spec.JobTemplate.Spec.Template.Spec.Containers,
		corev1.Container{Name: "sidecar", Image: "proxy"})
	if _, err := FromCronJob("m", cj, Knobs{Image: "report:2"}); err == nil || !strings.Contains(err.Error(), "use --image=CONTAINER=IMAGE") {
		t.Errorf("ambiguous --image: err = %v", err)
	}
	job, err := FromCronJob("m", cj, Knobs{Image: "sidecar=proxy:2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := job.Spec.Template.Spec.Containers[1].Image; got != "proxy:2" {
		t.Errorf("sidecar image = %s", got)
	}
	if _, err := FromCronJob("m", cj, Knobs{Command: []string{"x"}}); err == nil || !strings.Contains(err.Error(), "2 containers (report, sidecar)") {
		t.Errorf("ambiguous command: err = %v", err)
	}
	if _, err := FromCronJob("m", cj, Knobs{Image: "nope=x"}); err == nil || !strings.Contains(err.Error(), `names container "nope"`) {
		t.Errorf("unknown container: err = %v", err)
	}
}

func TestFromCronJobCombinationCheckedAfterMerge(t *testing.T) {
	// --backoff-limit-per-index is fine when the CronJob's template is Indexed.
	cj := cronJob()
	cj.Spec.JobTemplate.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	cj.Spec.JobTemplate.Spec.Completions = ptr.To[int32](3)
	if _, err := FromCronJob("m", cj, Knobs{BackoffLimitPerIndex: ptr.To[int32](1)}); err != nil {
		t.Errorf("indexed template: %v", err)
	}
	// A pod failure policy with the template's OnFailure is refused.
	pfp := &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionIgnore}}}
	if _, err := FromCronJob("m", cronJob(), Knobs{PodFailurePolicy: pfp}); err == nil || !strings.Contains(err.Error(), "needs restartPolicy Never") {
		t.Errorf("pfp with OnFailure template: err = %v", err)
	}
}

func TestReadJobs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // job names
		err      string
	}{
		{"yaml stream", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: b\n", []string{"a", "b"}, ""},
		{"json", `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"}}`, []string{"j"}, ""},
		{"leading separator and empty docs", "---\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\n---\n", []string{"a"}, ""},
		{"cronjob", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n", nil, "f.yaml: document 2 is a CronJob (batch/v1): kubectl job create -f takes only Jobs"},
		{"pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n", nil, "document 1 is a Pod (v1)"},
		{"old api version", "apiVersion: batch/v2\nkind: Job\nmetadata:\n  name: p\n", nil, "is a Job (batch/v2)"},
		{"no kind", "metadata:\n  name: p\n", nil, "document 1 has no kind"},
		{"list", "apiVersion: v1\nkind: List\nitems: []\n", nil, "is a List"},
		{"unknown field", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  backofLimit: 2\n", nil, `f.yaml: document 1 (job "a"): unknown field "backofLimit"`},
		{"malformed", "apiVersion: batch/v1\nkind: Job\nmetadata: [\n", nil, "not valid YAML or JSON"},
		{"empty", "", nil, "f.yaml: no Job found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, err := ReadJobs(strings.NewReader(tt.in), "f.yaml")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, j := range jobs {
				names = append(names, j.Name)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePodFailurePolicy(t *testing.T) {
	bare := "rules:\n- action: FailJob\n  onExitCodes:\n    operator: In\n    values: [42]\n"
	wrapped := "podFailurePolicy:\n  rules:\n  - action: Ignore\n    onPodConditions:\n    - type: DisruptionTarget\n"
	p, err := ParsePodFailurePolicy([]byte(bare), "p.yaml")
	if err != nil || p.Rules[0].Action != batchv1.PodFailurePolicyActionFailJob || p.Rules[0].OnExitCodes.Values[0] != 42 {
		t.Errorf("bare: %+v, %v", p, err)
	}
	p, err = ParsePodFailurePolicy([]byte(wrapped), "p.yaml")
	if err != nil || p.Rules[0].Action != batchv1.PodFailurePolicyActionIgnore {
		t.Errorf("wrapped: %+v, %v", p, err)
	}
	if _, err := ParsePodFailurePolicy([]byte("rules:\n- acton: FailJob\n"), "p.yaml"); err == nil {
		t.Error("typo accepted")
	}
	if _, err := ParsePodFailurePolicy([]byte("rules: []\n"), "p.yaml"); err == nil || !strings.Contains(err.Error(), "no rules") {
		t.Errorf("no rules: %v", err)
	}
}

func TestKeyValues(t *testing.T) {
	cases := []struct {
		in      []string
		want    map[string]string
		wantErr string
	}{
		{in: []string{"a=1,b=2"}, want: map[string]string{"a": "1", "b": "2"}},
		{in: []string{"a=1", "b=x=y"}, want: map[string]string{"a": "1", "b": "x=y"}},
		{in: []string{`k1=v1,"note=line1` + "\n" + `line2"`}, want: map[string]string{"k1": "v1", "note": "line1\nline2"}},
		{in: []string{`"note=a,b"`}, want: map[string]string{"note": "a,b"}},
		{in: []string{"k1=v1,note=line1\nline2"}, wantErr: "a line break is only kept inside a double-quoted pair"},
		{in: []string{"novalue"}, wantErr: `want KEY=VALUE pairs separated by commas, got "novalue"`},
		{in: []string{"=v"}, wantErr: `got "=v"`},
	}
	for _, c := range cases {
		var m map[string]string
		kv := NewKeyValues(&m)
		var err error
		for _, s := range c.in {
			if err = kv.Set(s); err != nil {
				break
			}
		}
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: err = %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || !maps.Equal(m, c.want) {
			t.Errorf("%q: got %v, %v; want %v", c.in, m, err, c.want)
		}
	}
}

func TestNodeSelectorAndTolerations(t *testing.T) {
	k := Knobs{Image: "busybox", NodeSelector: map[string]string{"accelerator": "h100"},
		Tolerations: []string{"gpu=true:NoSchedule", "spot", "zone:NoExecute", "spot"}}
	if err := k.Check(); err != nil {
		t.Fatal(err)
	}
	job, err := New("train", k)
	if err != nil {
		t.Fatal(err)
	}
	pod := job.Spec.Template.Spec
	if diff := cmp.Diff(map[string]string{"accelerator": "h100"}, pod.NodeSelector); diff != "" {
		t.Errorf("nodeSelector (-want +got):\n%s", diff)
	}
	want := []corev1.Toleration{
		{Key: "gpu", Operator: corev1.TolerationOpEqual, Value: "true", Effect: corev1.TaintEffectNoSchedule},
		{Key: "spot", Operator: corev1.TolerationOpExists},
		{Key: "zone", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	}
	if diff := cmp.Diff(want, pod.Tolerations); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	for text, wantErr := range map[string]string{
		"gpu=true:NoRun":     `effect "NoRun" is not NoSchedule, PreferNoSchedule or NoExecute`,
		"=x":                 `"" is not a taint key`,
		"bad key:NoSchedule": `"bad key" is not a taint key`,
	} {
		if err := (&Knobs{Tolerations: []string{text}}).Check(); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("--toleration %q: err %v, want %q", text, err, wantErr)
		}
	}
	if err := (&Knobs{NodeSelector: map[string]string{"a": "not valid!"}}).Check(); err == nil || !strings.Contains(err.Error(), "--node-selector: invalid value") {
		t.Errorf("bad node selector value: %v", err)
	}
}
