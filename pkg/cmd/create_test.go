package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
)

// checkJobGolden compares got with testdata/jobs/NAME, or rewrites it with -update.
func checkJobGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "jobs", name), got)
}

// runJobCmd runs cmd with args as main would and returns stdout, stderr and
// the exit code.

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type createRun struct {
	stdout, stderr string
	code           int
	cs             *fake.Clientset
}

func runCreate(t *testing.T, cs *fake.Clientset, stdin string, args ...string) createRun {
	t.Helper()
	if cs == nil {
		cs = fake.NewClientset()
	}
	r := runJob(t, cs, testNow, stdin, append([]string{"create"}, args...)...)
	return createRun{r.stdout, r.stderr, r.code, cs}
}

func TestCreateDryRunClientYAML(t *testing.T) {
	r := runCreate(t, nil, "", "migrate", "--image=app:1.2", "--backoff-limit=2", "--active-deadline=10m", "--ttl=1h",
		"--parallelism=2", "--completions=4", "--restart=OnFailure", "--env=MODE=full", "--labels=team=data",
		"--annotations=sim.kubectl-job.io/outcome=fail", "--requests=cpu=100m,memory=64Mi", "--limits=memory=128Mi",
		"--service-account=runner", "--suspend", "--dry-run=client", "-o", "yaml", "--", "./migrate", "--all")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkJobGolden(t, "create-dry-run-client.yaml", r.stdout)
	if n := len(r.cs.Actions()); n != 0 {
		t.Errorf("--dry-run=client made %d requests", n)
	}
}

func TestCreateDryRunClientIndexed(t *testing.T) {
	pfp := filepath.Join(t.TempDir(), "pfp.yaml")
	if err := os.WriteFile(pfp, []byte("rules:\n- action: FailIndex\n  onExitCodes:\n    operator: In\n    values: [3]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCreate(t, nil, "", "shard", "--image=app", "--completion-mode=Indexed", "--completions=5", "--parallelism=5",
		"--backoff-limit-per-index=1", "--max-failed-indexes=2", "--pod-failure-policy="+pfp, "--dry-run=client", "-o", "yaml")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkJobGolden(t, "create-dry-run-indexed.yaml", r.stdout)
}

// TestCreateInvalidMakesNoRequest: bad input is refused before any request,
// with one error line and nothing on stdout.
func TestCreateInvalidMakesNoRequest(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"restart Always", []string{"x", "--image=b", "--restart=Always"}, "a Job's pods must end: use --restart=Never or --restart=OnFailure"},
		{"per-index without Indexed", []string{"x", "--image=b", "--backoff-limit-per-index=1"}, "needs completionMode Indexed"},
		{"max failed indexes without per-index", []string{"x", "--image=b", "--completion-mode=Indexed", "--completions=2", "--max-failed-indexes=1"}, "needs backoffLimitPerIndex"},
		{"max failed indexes above completions", []string{"x", "--image=b", "--completion-mode=Indexed", "--completions=2", "--backoff-limit-per-index=1", "--max-failed-indexes=3"}, "more than completions"},
		{"indexed without completions", []string{"x", "--image=b", "--completion-mode=Indexed"}, "needs completions"},
		{"negative", []string{"x", "--image=b", "--backoff-limit=-1"}, "must not be negative"},
		{"fractional deadline", []string{"x", "--image=b", "--active-deadline=1500ms"}, "whole seconds"},
		{"bad name", []string{"Bad_Name", "--image=b"}, "invalid Job name"},
		{"no image", []string{"x"}, "--image is required"},
		{"no name", []string{"--image=b"}, "a Job needs a name"},
		{"extra args", []string{"x", "y", "--image=b"}, "put the command after --"},
		{"bad from", []string{"x", "--from=deployment/y"}, "only CronJobs"},
		{"from with bad restart", []string{"x", "--from=cronjob/y", "--restart=Always"}, "must end"},
		{"file and name", []string{"x", "-f", "-"}, "cannot be used with -f"},
		{"file and knob", []string{"-f", "-", "--ttl=1m"}, "--ttl cannot be used with -f"},
		{"wait with dry-run", []string{"x", "--image=b", "--wait", "--dry-run=server"}, "cannot be used with --dry-run"},
		{"bad dry-run", []string{"x", "--image=b", "--dry-run=maybe"}, "--dry-run must be"},
		{"bad output", []string{"x", "--image=b", "-o", "table"}, "unable to match a printer"},
		{"bad env", []string{"x", "--image=b", "--env=NOVALUE"}, "expected NAME=VALUE"},
		{"bad requests", []string{"x", "--image=b", "--requests=cpu=many"}, "invalid quantity"},
		{"missing pfp file", []string{"x", "--image=b", "--pod-failure-policy=/nonexistent.yaml"}, "cannot read --pod-failure-policy"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdin := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: f\n"
			r := runCreate(t, nil, stdin, tt.args...)
			if r.code != exitcode.Error {
				t.Errorf("exit %d, want 1", r.code)
			}
			if !strings.Contains(r.stderr, tt.want) || !strings.HasPrefix(r.stderr, "error: ") {
				t.Errorf("stderr %q, want an error containing %q", r.stderr, tt.want)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Errorf("stderr has more than two lines: %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if n := len(r.cs.Actions()); n != 0 {
				t.Errorf("%d requests made: %v", n, r.cs.Actions())
			}
		})
	}
}

func TestCreateFromFileRejectsOtherKinds(t *testing.T) {
	stdin := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: b}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	r := runCreate(t, nil, stdin, "-f", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "stdin: document 2 is a Deployment (apps/v1): kubectl job create -f takes only Jobs") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := len(r.cs.Actions()); n != 0 {
		t.Errorf("%d requests made", n)
	}
}

func TestCreateFromFileValidatesEveryJob(t *testing.T) {
	stdin := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: b}]\n"
	r := runCreate(t, nil, stdin, "-f", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "unset, so it defaults to Always") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCreateFromFileSeveralDryRunsFirst(t *testing.T) {
	stdin := ""
	for _, n := range []string{"a", "b"} {
		stdin += "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + n + "\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: b}]\n"
	}
	r := runCreate(t, dryRunAwareClientset(), stdin, "-f", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []string
	for _, a := range r.cs.Actions() {
		c := a.(clienttesting.CreateActionImpl)
		dry := ""
		if len(c.GetCreateOptions().DryRun) > 0 {
			dry = " (dry run)"
		}
		got = append(got, c.GetObject().(*batchv1.Job).Name+dry)
	}
	if diff := cmp.Diff([]string{"a (dry run)", "b (dry run)", "a", "b"}, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if r.stdout != "job.batch/a created\njob.batch/b created\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestCreateFieldManagerAndSaveConfig(t *testing.T) {
	r := runCreate(t, nil, "", "x", "--image=b", "--save-config", "-o", "name")
	if r.code != 0 || r.stdout != "job.batch/x\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	c := r.cs.Actions()[0].(clienttesting.CreateActionImpl)
	if fm := c.GetCreateOptions().FieldManager; fm != "kubectl-job" {
		t.Errorf("field manager %q", fm)
	}
	if _, ok := c.GetObject().(*batchv1.Job).Annotations["kubectl.kubernetes.io/last-applied-configuration"]; !ok {
		t.Error("--save-config did not store the configuration")
	}
}

func TestCreateFromCronJob(t *testing.T) {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "ns", UID: "cj-uid"},
		Spec: batchv1.CronJobSpec{Schedule: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "r", Image: "r:1", Command: []string{"./r"}}}}},
		}}},
	}
	r := runCreate(t, fake.NewClientset(cj), "", "manual", "--from=cronjob/nightly", "--image=r:2", "--env=X=1", "--", "./r", "--today")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	job, err := r.cs.BatchV1().Jobs("ns").Get(context.Background(), "manual", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != "r:2" || strings.Join(c.Command, " ") != "./r --today" || len(c.Env) != 1 || job.OwnerReferences[0].Name != "nightly" {
		t.Errorf("job from cronjob: %+v owners %v", c, job.OwnerReferences)
	}

	r = runCreate(t, fake.NewClientset(), "", "manual", "--from=cronjob/missing")
	if r.code != 1 || !strings.Contains(r.stderr, `Error from server (NotFound): cronjobs.batch "missing" not found`) {
		t.Errorf("missing cronjob: exit %d, %q", r.code, r.stderr)
	}
}

// dryRunAwareClientset is a fake clientset that, like an API server, does
// not store what it is asked to create with dryRun=All.
func dryRunAwareClientset(objects ...runtime.Object) *fake.Clientset {
	cs := fake.NewClientset(objects...)
	answerAccessReviews(cs)
	cs.PrependReactor("create", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		c := a.(clienttesting.CreateActionImpl)
		if len(c.GetCreateOptions().DryRun) == 0 {
			return false, nil, nil
		}
		obj := c.GetObject().DeepCopyObject()
		if j, ok := obj.(*batchv1.Job); ok && j.Name == "" {
			j.Name = j.GenerateName + "abcde"
		}
		return true, obj, nil
	})
	return cs
}

// fakeController answers every Job creation by moving the Job through the
// given status updates, as the job controller would; the watch of the fake
// clientset delivers them to the waiter.
func fakeController(cs *fake.Clientset, steps ...func(*batchv1.Job)) {
	cs.PrependReactor("create", "jobs", func(a clienttesting.Action) (bool, runtime.Object, error) {
		c := a.(clienttesting.CreateActionImpl)
		if len(c.GetCreateOptions().DryRun) > 0 {
			return false, nil, nil
		}
		job := c.GetObject().(*batchv1.Job).DeepCopy()
		job.UID, job.ResourceVersion = types.UID("uid-"+job.Name), "1"
		if err := cs.Tracker().Create(batchv1.SchemeGroupVersion.WithResource("jobs"), job, job.Namespace); err != nil {
			return true, nil, err
		}
		go func() {
			for i, step := range steps {
				time.Sleep(20 * time.Millisecond)
				j := job.DeepCopy()
				step(j)
				j.ResourceVersion = strings.Repeat("1", i+2)
				_ = cs.Tracker().Update(batchv1.SchemeGroupVersion.WithResource("jobs"), j, j.Namespace)
				job = j
			}
		}()
		return true, job, nil
	})
}

func withCondition(t batchv1.JobConditionType, reason string) func(*batchv1.Job) {
	return func(j *batchv1.Job) {
		j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason,
			LastTransitionTime: metav1.NewTime(testNow)})
	}
}

func running(j *batchv1.Job) {
	j.Status.StartTime = &metav1.Time{Time: testNow.Add(-time.Minute)}
	j.Status.Active = 1
}

func TestCreateWaitFailingJobExits2(t *testing.T) {
	cs := fake.NewClientset()
	fakeController(cs, running, func(j *batchv1.Job) {
		j.Status.Active, j.Status.Failed = 0, 3
	}, withCondition(batchv1.JobFailureTarget, "BackoffLimitExceeded"), withCondition(batchv1.JobFailed, "BackoffLimitExceeded"))
	r := runCreate(t, cs, "", "migrate", "--image=b", "--backoff-limit=2", "--wait", "--timeout=10s")
	if r.code != exitcode.JobFailed {
		t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
	}
	if r.stdout != "job.batch/migrate created\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "job/migrate Failed: BackoffLimitExceeded") {
		t.Errorf("stderr %q, want the verdict", r.stderr)
	}
	// Progress lines (not a TTY): one per change, before the verdict.
	if !strings.Contains(r.stderr, "job/migrate ") || strings.Count(r.stderr, "\n") < 2 {
		t.Errorf("stderr %q, want progress lines", r.stderr)
	}
}

func TestCreateWaitCompleteExits0(t *testing.T) {
	cs := fake.NewClientset()
	fakeController(cs, running, func(j *batchv1.Job) {
		j.Status.Active, j.Status.Succeeded = 0, 1
		j.Status.CompletionTime = &metav1.Time{Time: testNow}
	}, withCondition(batchv1.JobSuccessCriteriaMet, "CompletionsReached"), withCondition(batchv1.JobComplete, "CompletionsReached"))
	r := runCreate(t, cs, "", "ok", "--image=b", "--wait")
	if r.code != 0 || !strings.Contains(r.stderr, "job/ok Complete") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCreateWaitTimeoutExits3(t *testing.T) {
	cs := fake.NewClientset()
	fakeController(cs, running)
	r := runCreate(t, cs, "", "slow", "--image=b", "--wait", "--timeout=200ms")
	if r.code != exitcode.Timeout || !strings.Contains(r.stderr, "timed out after 200ms") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

var _ = watch.Added
