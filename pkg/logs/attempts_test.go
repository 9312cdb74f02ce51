package logs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

func TestAttemptsOrder(t *testing.T) {
	job := newJob("pi", false)
	pods := []corev1.Pod{
		newPod(job, "pi-c", 20, corev1.PodRunning),
		newPod(job, "pi-b", 10, corev1.PodFailed),
		newPod(job, "pi-a", 10, corev1.PodFailed),
		newPod(job, "pi-z", 0, corev1.PodFailed),
	}
	if got, want := names(Attempts(job, pods)), "pi-z#1 pi-a#2 pi-b#3 pi-c#4"; got != want {
		t.Errorf("NonIndexed order: got %s, want %s", got, want)
	}

	ij := newJob("r", true)
	ipods := []corev1.Pod{
		newPod(ij, "r-2-b", 30, corev1.PodSucceeded, withIndex(2)),
		newPod(ij, "r-0-a", 5, corev1.PodSucceeded, withIndex(0)),
		newPod(ij, "r-x", 0, corev1.PodFailed), // no index: last
		newPod(ij, "r-2-a", 1, corev1.PodFailed, withIndex(2)),
		newPod(ij, "r-10", 0, corev1.PodSucceeded, withIndex(10)),
	}
	as := Attempts(ij, ipods)
	if got, want := names(as), "r-0-a#1 r-2-a#1 r-2-b#2 r-10#1 r-x#1"; got != want {
		t.Errorf("Indexed order: got %s, want %s", got, want)
	}
	for i, a := range as {
		if a.Seq != i {
			t.Errorf("%s: Seq %d, want %d", a.Pod.Name, a.Seq, i)
		}
	}
}

func TestSelect(t *testing.T) {
	job := newJob("r", true)
	pods := []corev1.Pod{
		newPod(job, "r-0-a", 0, corev1.PodFailed, withIndex(0)),
		newPod(job, "r-0-b", 10, corev1.PodFailed, withIndex(0)),
		newPod(job, "r-0-c", 20, corev1.PodSucceeded, withIndex(0)),
		newPod(job, "r-1-a", 0, corev1.PodFailed, withIndex(1)),
		newPod(job, "r-1-b", 15, corev1.PodRunning, withIndex(1)),
		newPod(job, "r-2-a", 0, corev1.PodSucceeded, withIndex(2)),
	}
	all := Attempts(job, pods)
	set := func(s string) explain.IndexSet {
		is, err := explain.ParseIndexes(s)
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	tests := []struct {
		name string
		sel  Selector
		want string
	}{
		{"all", Selector{}, "r-0-a#1 r-0-b#2 r-0-c#3 r-1-a#1 r-1-b#2 r-2-a#1"},
		{"failed", Selector{Failed: true}, "r-0-a#1 r-0-b#2 r-1-a#1"},
		{"succeeded", Selector{Succeeded: true}, "r-0-c#3 r-2-a#1"},
		{"active", Selector{Active: true}, "r-1-b#2"},
		{"failed and active", Selector{Failed: true, Active: true}, "r-0-a#1 r-0-b#2 r-1-a#1 r-1-b#2"},
		{"index", Selector{Indexes: set("1-2")}, "r-1-a#1 r-1-b#2 r-2-a#1"},
		{"attempt", Selector{Attempt: 2}, "r-0-b#2 r-1-b#2"},
		{"last", Selector{Last: true}, "r-0-c#3 r-1-b#2 r-2-a#1"},
		{"last failure per index", Selector{Failed: true, Last: true}, "r-0-b#2 r-1-a#1"},
		{"index and last", Selector{Indexes: set("0"), Last: true}, "r-0-c#3"},
		{"nothing", Selector{Attempt: 9}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.sel.Select(all)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	nj := newJob("pi", false)
	npods := []corev1.Pod{newPod(nj, "pi-a", 0, corev1.PodFailed), newPod(nj, "pi-b", 5, corev1.PodFailed), newPod(nj, "pi-c", 9, corev1.PodFailed)}
	if got := names(Selector{Last: true}.Select(Attempts(nj, npods))); got != "pi-c#3" {
		t.Errorf("NonIndexed --last: got %q, want pi-c#3", got)
	}
}

func TestSelectorString(t *testing.T) {
	set, _ := explain.ParseIndexes("1,3-5")
	s := Selector{Failed: true, Last: true, Indexes: set, Attempt: 2}
	if got, want := s.String(), "--failed --last --index 1,3-5 --attempt 2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !(Selector{}).Empty() || s.Empty() {
		t.Error("Empty is wrong")
	}
}

func TestContainers(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "setup"}, {Name: "proxy"}},
		Containers:     []corev1.Container{{Name: "main"}, {Name: "side"}},
	}}
	pod.Name = "p"
	tests := []struct {
		name      string
		container string
		all       bool
		ann       string
		want      []string
		defaulted bool
		err       string
	}{
		{name: "default picks the first", want: []string{"main"}, defaulted: true},
		{name: "annotation", ann: "side", want: []string{"side"}},
		{name: "named", container: "side", want: []string{"side"}},
		{name: "named init", container: "setup", want: []string{"setup"}},
		{name: "all, init first", all: true, want: []string{"setup", "proxy", "main", "side"}},
		{name: "missing", container: "nope", err: "container nope is not in pod p; its containers are: main, side, setup (init), proxy (init)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pod.DeepCopy()
			if tt.ann != "" {
				p.Annotations = map[string]string{"kubectl.kubernetes.io/default-container": tt.ann}
			}
			got, defaulted, err := Containers(p, tt.container, tt.all)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || defaulted != tt.defaulted {
				t.Errorf("containers (-want +got):\n%s defaulted %v", diff, defaulted)
			}
		})
	}
}

func TestLabelHeaderOutcome(t *testing.T) {
	job := newJob("r", true)
	nj := newJob("pi", false)
	failed := newPod(job, "r-2-x", 0, corev1.PodFailed, withIndex(2))
	oom := newPod(nj, "pi-oom", 0, corev1.PodFailed, withExit(137, "OOMKilled"))
	deadline := newPod(nj, "pi-dl", 0, corev1.PodFailed)
	deadline.Status.ContainerStatuses = nil
	deadline.Status.Reason = "DeadlineExceeded"
	ok := newPod(nj, "pi-ok", 0, corev1.PodSucceeded)
	run := newPod(nj, "pi-run", 0, corev1.PodRunning)

	ia := Attempts(job, []corev1.Pod{failed})[0]
	tests := []struct {
		a       Attempt
		showC   bool
		label   string
		header  string
		outcome string
	}{
		{ia, false, "2/1", "==> pod r-2-x (index 2, attempt 1, Failed exit 1, cause: exit 1) <==", "Failed exit 1"},
		{ia, true, "2/1 main", "==> pod r-2-x container main (index 2, attempt 1, Failed exit 1, cause: exit 1) <==", "Failed exit 1"},
		{Attempts(nj, []corev1.Pod{oom})[0], false, "pi-oom", "==> pod pi-oom (attempt 1, Failed OOMKilled exit 137, cause: OOMKilled (exit 137)) <==", "Failed OOMKilled exit 137"},
		{Attempts(nj, []corev1.Pod{deadline})[0], false, "pi-dl", "==> pod pi-dl (attempt 1, Failed DeadlineExceeded, cause: pod activeDeadlineSeconds exceeded) <==", "Failed DeadlineExceeded"},
		{Attempts(nj, []corev1.Pod{ok})[0], false, "pi-ok", "==> pod pi-ok (attempt 1, Succeeded) <==", "Succeeded"},
		{Attempts(nj, []corev1.Pod{run})[0], false, "pi-run", "==> pod pi-run (attempt 1, Running) <==", "Running"},
	}
	for _, tt := range tests {
		if got := Label(tt.a, "main", tt.showC); got != tt.label {
			t.Errorf("Label = %q, want %q", got, tt.label)
		}
		if got := Header(tt.a, "main", tt.showC); got != tt.header {
			t.Errorf("Header = %q, want %q", got, tt.header)
		}
		if got := Outcome(tt.a, "main"); got != tt.outcome {
			t.Errorf("Outcome = %q, want %q", got, tt.outcome)
		}
	}
}

func TestGone(t *testing.T) {
	failedCond := batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}
	set, _ := explain.ParseIndexes("1")
	tests := []struct {
		name string
		job  func() *batchv1.Job
		pods func(*batchv1.Job) []corev1.Pod
		sel  Selector
		want []string
	}{
		{
			name: "nothing gone",
			job:  func() *batchv1.Job { j := newJob("pi", false); j.Status.Failed = 2; return j },
			pods: func(j *batchv1.Job) []corev1.Pod {
				return []corev1.Pod{newPod(j, "a", 0, corev1.PodFailed), newPod(j, "b", 1, corev1.PodFailed)}
			},
		},
		{
			name: "failed Job lost its running pods",
			job: func() *batchv1.Job {
				j := newJob("pi", false)
				j.Status.Failed, j.Status.Succeeded = 3, 2
				j.Status.Conditions = []batchv1.JobCondition{failedCond}
				return j
			},
			pods: func(j *batchv1.Job) []corev1.Pod {
				return []corev1.Pod{newPod(j, "a", 0, corev1.PodFailed), newPod(j, "b", 1, corev1.PodSucceeded)}
			},
			want: []string{
				"2 failed attempts are gone: their pods were deleted (the job controller deletes a failing Job's running pods); their logs cannot be shown",
				"1 succeeded attempt is gone: its pod was deleted; its logs cannot be shown",
			},
		},
		{
			name: "--succeeded says nothing of failures",
			job:  func() *batchv1.Job { j := newJob("pi", false); j.Status.Failed = 3; return j },
			pods: func(*batchv1.Job) []corev1.Pod { return nil },
			sel:  Selector{Succeeded: true},
		},
		{
			name: "--last says nothing",
			job:  func() *batchv1.Job { j := newJob("pi", false); j.Status.Failed = 3; return j },
			pods: func(*batchv1.Job) []corev1.Pod { return nil },
			sel:  Selector{Last: true},
		},
		{
			name: "indexed per index from failure counts",
			job: func() *batchv1.Job {
				j := newJob("r", true)
				j.Status.Failed, j.Status.CompletedIndexes = 3, "0-1"
				return j
			},
			pods: func(j *batchv1.Job) []corev1.Pod {
				return []corev1.Pod{
					newPod(j, "r-0", 0, corev1.PodSucceeded, withIndex(0), withFailureCount(0)),
					newPod(j, "r-1-b", 5, corev1.PodFailed, withIndex(1), withFailureCount(1)),
					newPod(j, "r-1-c", 9, corev1.PodSucceeded, withIndex(1), withFailureCount(2)),
					newPod(j, "r-2", 9, corev1.PodRunning, withIndex(2), withFailureCount(1)),
				}
			},
			want: []string{"2 failed attempts are gone (indexes 1-2): their pods were deleted; their logs cannot be shown"},
		},
		{
			name: "indexed with --index",
			job: func() *batchv1.Job {
				j := newJob("r", true)
				j.Status.Failed, j.Status.CompletedIndexes = 3, "0-1"
				return j
			},
			pods: func(j *batchv1.Job) []corev1.Pod {
				return []corev1.Pod{
					newPod(j, "r-1-c", 9, corev1.PodRunning, withIndex(1), withFailureCount(2)),
					newPod(j, "r-2", 9, corev1.PodRunning, withIndex(2), withFailureCount(1)),
				}
			},
			sel: Selector{Indexes: set},
			want: []string{
				"2 failed attempts are gone (index 1): their pods were deleted; their logs cannot be shown",
				"1 succeeded attempt is gone (index 1): its pod was deleted; its logs cannot be shown",
			},
		},
		{
			name: "indexed without failure counts uses the total",
			job:  func() *batchv1.Job { j := newJob("r", true); j.Status.Failed = 2; return j },
			pods: func(j *batchv1.Job) []corev1.Pod {
				return []corev1.Pod{newPod(j, "r-0", 0, corev1.PodFailed, withIndex(0))}
			},
			want: []string{"1 failed attempt is gone: its pod was deleted; its logs cannot be shown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := tt.job()
			got := Gone(job, Attempts(job, tt.pods(job)), tt.sel)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Gone (-want +got):\n%s", diff)
			}
		})
	}
}
