//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
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

func getJob(t *testing.T, ns, name string) *batchv1.Job {
	t.Helper()
	job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting job %s: %v", name, err)
	}
	return job
}

func jobCount(t *testing.T, ns string) int {
	t.Helper()
	list, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

// TestCreateEveryKnob: each flag lands in the stored Job exactly.
func TestCreateEveryKnob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	r := KubectlJob(t, "create", "knobs", "-n", ns, "--image=busybox", "--backoff-limit=2", "--active-deadline=5m", "--ttl=1h",
		"--parallelism=2", "--completions=3", "--restart=OnFailure", "--env=A=1", "--env=B=x=y", "--labels=team=data",
		"--annotations=owner=me,"+SimDuration+"=2s", "--requests=cpu=10m,memory=32Mi", "--limits=memory=64Mi",
		"--service-account=default", "--suspend", "--", "sh", "-c", "echo hi")
	if r.Code != 0 || r.Stdout != "job.batch/knobs created\n" {
		t.Fatalf("exit %d, stdout %q", r.Code, r.Stdout)
	}
	job := getJob(t, ns, "knobs")
	s := job.Spec
	c := s.Template.Spec.Containers[0]
	checks := []struct {
		what      string
		got, want any
	}{
		{"backoffLimit", s.BackoffLimit, ptr.To[int32](2)},
		{"activeDeadlineSeconds", s.ActiveDeadlineSeconds, ptr.To[int64](300)},
		{"ttlSecondsAfterFinished", s.TTLSecondsAfterFinished, ptr.To[int32](3600)},
		{"parallelism", s.Parallelism, ptr.To[int32](2)},
		{"completions", s.Completions, ptr.To[int32](3)},
		{"suspend", s.Suspend, ptr.To(true)},
		{"restartPolicy", s.Template.Spec.RestartPolicy, corev1.RestartPolicyOnFailure},
		{"serviceAccountName", s.Template.Spec.ServiceAccountName, "default"},
		{"command", c.Command, []string{"sh", "-c", "echo hi"}},
		{"image", c.Image, "busybox"},
		{"env", c.Env, []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "x=y"}}},
		{"requests", c.Resources.Requests.Cpu().String() + " " + c.Resources.Requests.Memory().String(), "10m 32Mi"},
		{"limits", c.Resources.Limits.Memory().Cmp(resource.MustParse("64Mi")), 0},
		{"job label", job.Labels["team"], "data"},
		{"pod label", s.Template.Labels["team"], "data"},
		{"job annotation", job.Annotations["owner"], "me"},
		{"pod annotation", s.Template.Annotations[SimDuration], "2s"},
		{"field manager", managers(job), true},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
}

// managers reports whether kubectl-job is among the Job's field managers.
func managers(job *batchv1.Job) bool {
	for _, m := range job.ManagedFields {
		if m.Manager == "kubectl-job" {
			return true
		}
	}
	return false
}

func TestCreateIndexedKnobs(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	pfp := filepath.Join(t.TempDir(), "pfp.yaml")
	if err := os.WriteFile(pfp, []byte("rules:\n- action: FailIndex\n  onExitCodes:\n    operator: In\n    values: [3]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := KubectlJob(t, "create", "shard", "-n", ns, "--image=busybox", "--completion-mode=Indexed", "--completions=4",
		"--parallelism=4", "--backoff-limit-per-index=1", "--max-failed-indexes=2", "--pod-failure-policy="+pfp)
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	s := getJob(t, ns, "shard").Spec
	if *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 4 || *s.BackoffLimitPerIndex != 1 || *s.MaxFailedIndexes != 2 ||
		s.PodFailurePolicy == nil || s.PodFailurePolicy.Rules[0].Action != batchv1.PodFailurePolicyActionFailIndex {
		t.Errorf("spec %+v", s)
	}
	// What --dry-run=client prints is what the server stores (before defaults).
	dry := KubectlJob(t, "create", "shard2", "-n", ns, "--image=busybox", "--completion-mode=Indexed", "--completions=4",
		"--dry-run=client", "-o", "yaml")
	if dry.Code != 0 || !strings.Contains(dry.Stdout, "completionMode: Indexed") || jobCount(t, ns) != 1 {
		t.Errorf("dry run: exit %d, %d jobs\n%s", dry.Code, jobCount(t, ns), dry.Stdout)
	}
}

// TestCreateInvalidCreatesNothing: each impossible combination gives its
// error, exit 1, nothing on stdout, and no Job.
func TestCreateInvalidCreatesNothing(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	serverRefused := filepath.Join(t.TempDir(), "pfp.yaml")
	// Exit code 0 cannot be matched with In: only the API server knows.
	if err := os.WriteFile(serverRefused, []byte("rules:\n- action: FailJob\n  onExitCodes:\n    operator: In\n    values: [0]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"x", "--image=busybox", "--restart=Always"}, "a Job's pods must end"},
		{[]string{"x", "--image=busybox", "--backoff-limit-per-index=1"}, "needs completionMode Indexed"},
		{[]string{"x", "--image=busybox", "--completion-mode=Indexed", "--completions=2", "--backoff-limit-per-index=1", "--max-failed-indexes=3"}, "more than completions"},
		{[]string{"x", "--image=busybox", "--completion-mode=Indexed", "--completions=2", "--max-failed-indexes=1"}, "needs backoffLimitPerIndex"},
		{[]string{"x", "--image=busybox", "--restart=OnFailure", "--pod-failure-policy=" + serverRefused}, "needs restartPolicy Never"},
		{[]string{"x", "--image=busybox", "--completions=-1"}, "must not be negative"},
		{[]string{"Not_A_Name", "--image=busybox"}, "invalid Job name"},
		{[]string{"x", "--from=cronjob/missing"}, `cronjobs.batch "missing" not found`},
		{[]string{"x", "--image=busybox", "--pod-failure-policy=" + serverRefused}, "Error from server (Invalid)"},
	} {
		r := KubectlJob(t, append([]string{"create", "-n", ns}, tt.args...)...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tt.want) || r.Stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tt.args, r.Code, r.Stdout, r.Stderr, tt.want)
		}
	}
	if n := jobCount(t, ns); n != 0 {
		t.Errorf("%d Jobs created by invalid input", n)
	}
}

// TestCreateWaitFailingExits2: create --wait behaves like a CI step.
func TestCreateWaitFailingExits2(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	r := KubectlJob(t, "create", "failing", "-n", ns, "--image=busybox", "--backoff-limit=1",
		"--annotations="+SimOutcome+"=fail,"+SimDuration+"=500ms", "--wait", "--timeout=2m")
	if r.Code != 2 || !strings.Contains(r.Stderr, "job/failing Failed: BackoffLimitExceeded") {
		t.Errorf("exit %d, stderr %q", r.Code, r.Stderr)
	}
	r = KubectlJob(t, "create", "fine", "-n", ns, "--image=busybox", "--wait", "--timeout=2m")
	if r.Code != 0 || !strings.Contains(r.Stderr, "job/fine Complete") {
		t.Errorf("exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestCreateFollowFailingExits2(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	r := KubectlJob(t, "create", "migrate", "-n", ns, "--image=busybox", "--backoff-limit=0",
		"--annotations="+SimOutcome+"=fail,"+SimLogs+"=migrating", "--follow", "--timeout=2m")
	if r.Code != 2 || !strings.Contains(r.Stderr, "BackoffLimitExceeded") || !strings.Contains(r.Stdout, "migrating") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

func TestCreateFromCronJob(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: ns},
		Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", Suspend: ptr.To(true), SuccessfulJobsHistoryLimit: ptr.To[int32](2), JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "r", Image: "busybox", Command: []string{"./report"}}}}},
		}}},
	}
	if _, err := client.BatchV1().CronJobs(ns).Create(context.Background(), cj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := KubectlJob(t, "create", "manual", "-n", ns, "--from=cronjob/nightly", "--image=busybox:2", "--env=DRY=1", "--wait", "--timeout=1m", "--", "echo", "today")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	job := getJob(t, ns, "manual")
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != "busybox:2" || strings.Join(c.Command, " ") != "echo today" || c.Env[0].Name != "DRY" ||
		job.OwnerReferences[0].Name != "nightly" || job.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" {
		t.Errorf("job %+v", job)
	}
	// explain reads the owning CronJob for its own history limit, not the default.
	want := "TTL:       no ttlSecondsAfterFinished: kept until CronJob nightly's history limit removes it (successfulJobsHistoryLimit 2)"
	if r := KubectlJob(t, "explain", "manual", "-n", ns); r.Code != 0 || !strings.Contains(r.Stdout, want) {
		t.Errorf("explain: exit %d, stdout:\n%s\nwant the line %q", r.Code, r.Stdout, want)
	}
	// A bare CronJob name where a Job was wanted: the hint names its form.
	hint := fmt.Sprintf(`Error from server (NotFound): jobs.batch "nightly" not found; nightly is a CronJob: kubectl job explain cronjob/nightly -n %s, or its Jobs: kubectl job list --cronjob nightly -n %s`+"\n", ns, ns)
	for _, verb := range []string{"explain", "describe", "logs", "rerun", "delete"} {
		if r := KubectlJob(t, verb, "nightly", "-n", ns); r.Code != 1 || !strings.HasPrefix(r.Stderr, strings.TrimSuffix(hint, "\n")) {
			t.Errorf("%s nightly: exit %d stderr %q, want %q", verb, r.Code, r.Stderr, hint)
		}
	}
}

// TestCreateNodeSelectorAndToleration: the stuck-Pending workflow. A
// nodeSelector no node has leaves the pod Unschedulable, which explain says;
// one that matches, with a toleration, runs.
func TestCreateNodeSelectorAndToleration(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	r := KubectlJob(t, "create", "gpu", "-n", ns, "--image=busybox", "--node-selector=accelerator=nvidia-h100")
	if r.Code != 0 {
		t.Fatalf("create: exit %d stderr %q", r.Code, r.Stderr)
	}
	WaitFor(t, time.Minute, "the scheduler to find no node for gpu's pod", func() (bool, error) {
		res := KubectlJob(t, "explain", "gpu", "-n", ns)
		return strings.HasPrefix(res.Stdout, "Pending: Unschedulable"), nil
	})

	r = KubectlJob(t, "create", "cpu", "-n", ns, "--image=busybox", "--node-selector=type=kwok",
		"--toleration=dedicated=batch:NoSchedule", "--toleration=spot", "--wait", "--timeout=1m")
	if r.Code != 0 {
		t.Fatalf("create --node-selector type=kwok: exit %d stderr %q", r.Code, r.Stderr)
	}
	pod := getJob(t, ns, "cpu").Spec.Template.Spec
	want := []corev1.Toleration{
		{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "batch", Effect: corev1.TaintEffectNoSchedule},
		{Key: "spot", Operator: corev1.TolerationOpExists},
	}
	if pod.NodeSelector["type"] != "kwok" || !reflect.DeepEqual(pod.Tolerations, want) {
		t.Errorf("pod template nodeSelector %v tolerations %+v", pod.NodeSelector, pod.Tolerations)
	}
}

// TestCreateFollowSaysAttemptsAndStalls: following a Job that retries says
// where one attempt ends and the next begins (exit code, termination message,
// the retry), and the final line names the last failure; following a Job
// whose pod cannot be scheduled says what it waits for instead of nothing.
func TestCreateFollowSaysAttemptsAndStalls(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	r := KubectlJob(t, "create", "migrate", "-n", ns, "--image=busybox", "--backoff-limit=1",
		`--annotations=`+SimOutcome+`=fail,`+SimExitCode+`=3,"`+SimMessage+`=duplicate key value violates unique constraint",`+SimLogs+`=migrating $(POD_NAME)`,
		"--follow", "--timeout=2m")
	pods := Pods(t, getJob(t, ns, "migrate"))
	if len(pods) != 2 {
		t.Fatalf("%d pods, want 2 (backoffLimit 1); exit %d stderr %q", len(pods), r.Code, r.Stderr)
	}
	slices.SortFunc(pods, func(a, b corev1.Pod) int { return a.CreationTimestamp.Compare(b.CreationTimestamp.Time) })
	// What follows an attempt is said once its logs are printed: the retry
	// if the controller made it by then, else when it comes.
	first := regexp.MustCompile(`(?m)^attempt 1 \(pod ` + pods[0].Name + `\) failed: exit 3 \(Error\): duplicate key value violates unique constraint; ` +
		`(retried as attempt 2 \(pod ` + pods[1].Name + `\)|retry 2 of 2 next, not before \d\d:\d\d:\d\d)$`)
	second := regexp.MustCompile(`(?m)^attempt 2 \(pod ` + pods[1].Name + `\) failed: exit 3 \(Error\): duplicate key value violates unique constraint; ` +
		`no retry: (the Job failed \(BackoffLimitExceeded\)|2 counted failures > backoffLimit 1, the Job fails)$`)
	last := fmt.Sprintf("; last failure: pod %s exit 3: duplicate key value violates unique constraint\n", pods[1].Name)
	if r.Code != 2 || !first.MatchString(r.Stderr) || !second.MatchString(r.Stderr) ||
		!strings.Contains(r.Stderr, "job/migrate Failed: BackoffLimitExceeded") || !strings.HasSuffix(r.Stderr, last) {
		t.Errorf("exit %d, stderr:\n%s\nwant lines matching:\n%s\n%s\n...%s", r.Code, r.Stderr, first, second, last)
	}

	r = KubectlJob(t, "create", "gpu", "-n", ns, "--image=busybox", "--node-selector=accelerator=nvidia-h100", "--follow", "--timeout=15s")
	if r.Code != 3 || !strings.Contains(r.Stderr, "waiting: job/gpu Pending: Unschedulable") {
		t.Errorf("follow of an unschedulable Job: exit %d, stderr %q; want exit 3 (timeout) after a waiting line", r.Code, r.Stderr)
	}
}
