//go:build e2e

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
)

// TestCronJobManualRun: a run made by hand with kubectl's own create job
// --from=cronjob/NAME is a manual run everywhere: explain cronjob/ lists it
// under Manual runs and in no slot, explain of the Job says "manual run",
// list --cronjob shows RUN manual (scheduled for the controller's run), and
// list -o wide's OWNER says (manual).
func TestCronJobManualRun(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	first := everyMinute(t, ns, "nightly", SimLogs, "report", nil)
	sleepUntil(first)
	var scheduled string
	WaitFor(t, 90*time.Second, "the first scheduled run to complete", func() (bool, error) {
		jobs, err := client.BatchV1().Jobs(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		i := slices.IndexFunc(jobs.Items, func(j batchv1.Job) bool { return HasCondition(&j, batchv1.JobComplete) })
		if i >= 0 {
			scheduled = jobs.Items[i].Name
		}
		return i >= 0, nil
	})
	if r := Kubectl(t, "create", "job", "by-hand", "--from=cronjob/nightly", "-n", ns); r.Code != 0 {
		t.Fatalf("kubectl create job --from: exit %d: %s", r.Code, r.Stderr)
	}
	manual := WaitForCondition(t, ns, "by-hand", batchv1.JobComplete, time.Minute)
	if manual.Annotations["cronjob.kubernetes.io/instantiate"] != "manual" {
		t.Fatalf("kubectl create job --from did not mark the Job manual: %v", manual.Annotations)
	}

	e := explainCronJob(t, ns, "nightly")
	if len(e.ManualRuns) != 1 || e.ManualRuns[0].Job != "by-hand" {
		t.Errorf("manual runs %+v, want by-hand", e.ManualRuns)
	}
	for _, s := range e.Slots {
		if s.Run != nil && s.Run.Job == "by-hand" {
			t.Errorf("slot %s counts the manual run by-hand", s.Time)
		}
	}
	if e.Stats.Runs < 1 || slices.ContainsFunc(e.Slots, func(s cronexplain.Slot) bool { return s.Run != nil && s.Run.Job == scheduled }) == false {
		t.Errorf("the scheduled run %s is not in a slot: %+v", scheduled, e.Slots)
	}

	ownerLine := func(name string) string {
		out := KubectlJob(t, "explain", name, "-n", ns).Stdout
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "Job:") {
				return line
			}
		}
		return ""
	}
	if got := ownerLine("by-hand"); !strings.HasSuffix(got, ", cronjob/nightly manual run)") {
		t.Errorf("explain by-hand: %q, want it to end with cronjob/nightly manual run", got)
	}
	if got := ownerLine(scheduled); !strings.HasSuffix(got, ", cronjob/nightly)") {
		t.Errorf("explain %s: %q, want it to end with cronjob/nightly", scheduled, got)
	}

	runs := map[string]string{}
	res := KubectlJob(t, "list", "--cronjob", "nightly", "-n", ns)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) < 3 {
		t.Fatalf("list --cronjob: exit %d, stdout:\n%s", res.Code, res.Stdout)
	}
	col := slices.Index(strings.Fields(lines[1]), "RUN")
	for _, line := range lines[2:] {
		if f := strings.Fields(line); col >= 0 && len(f) > col {
			runs[f[0]] = f[col]
		}
	}
	if runs["by-hand"] != "manual" || runs[scheduled] != "scheduled" {
		t.Errorf("list --cronjob RUN column: %v, want by-hand manual, %s scheduled:\n%s", runs, scheduled, res.Stdout)
	}
	if wide := KubectlJob(t, "list", "by-hand", "-o", "wide", "-n", ns).Stdout; !strings.Contains(wide, "CronJob/nightly (manual)") {
		t.Errorf("list -o wide OWNER lacks (manual):\n%s", wide)
	}
}
