package cmd

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
)

// logsFixture is a failed Indexed Job: index 0 succeeded, index 1 failed
// twice, with pods created out of order.
func logsFixture() []runtime.Object {
	mode := batchv1.IndexedCompletion
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "render", Namespace: "ns", UID: "job-uid", Labels: map[string]string{"app": "render"}},
		Spec: batchv1.JobSpec{
			CompletionMode: &mode,
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "job-uid"}},
		},
		Status: batchv1.JobStatus{Failed: 2, Succeeded: 1, CompletedIndexes: "0"},
	}
	pod := func(name string, index, sec int, phase corev1.PodPhase, exit int32) *corev1.Pod {
		ctrl := true
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: name, Namespace: "ns", UID: types.UID("uid-" + name),
				CreationTimestamp: metav1.Unix(1_700_000_000+int64(sec), 0),
				Labels:            map[string]string{"batch.kubernetes.io/controller-uid": "job-uid"},
				Annotations:       map[string]string{batchv1.JobCompletionIndexAnnotation: fmt.Sprint(index)},
				OwnerReferences:   []metav1.OwnerReference{{Kind: "Job", Name: "render", UID: "job-uid", Controller: &ctrl}},
			},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main"}}},
			Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{
				Name: "main", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exit}},
			}}},
		}
		return p
	}
	return []runtime.Object{
		job,
		pod("render-1-second", 1, 20, corev1.PodFailed, 2),
		pod("render-0-only", 0, 0, corev1.PodSucceeded, 0),
		pod("render-1-first", 1, 1, corev1.PodFailed, 1),
	}
}

func runLogs(t *testing.T, client *fake.Clientset, args ...string) (string, string, int) {
	t.Helper()
	r := runJob(t, client, testNow, "", append([]string{"logs"}, args...)...)
	return r.stdout, r.stderr, r.code
}

func TestLogsCommandGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"all", []string{"render"}},
		{"last-noprefix", []string{"job/render", "--last", "--prefix=false"}},
		{"failed-index", []string{"render", "--failed", "--index", "1"}},
		{"attempt2", []string{"render", "--attempt", "2"}},
		{"selector", []string{"-l", "app=render", "--last"}},
		{"selector-none", []string{"-l", "app=other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runLogs(t, fake.NewClientset(logsFixture()...), tt.args...)
			got := fmt.Sprintf("$ kubectl job logs %s\n%s--- stderr ---\n%s--- exit %d\n", strings.Join(tt.args, " "), out, errOut, code)
			golden.Check(t, filepath.Join("testdata", "logs", tt.name+".golden"), got)
		})
	}
}

// TestLogsRequests proves the cost: one Job get, one pods list, one log
// request per selected container, whatever else.
func TestLogsRequests(t *testing.T) {
	client := fake.NewClientset(logsFixture()...)
	if _, _, code := runLogs(t, client, "render"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got []string
	for _, a := range client.Actions() {
		s := a.GetVerb() + " " + a.GetResource().Resource
		if sub := a.GetSubresource(); sub != "" {
			s += "/" + sub
		}
		if g, ok := a.(k8stesting.GetAction); ok && g.GetName() != "" {
			s += " " + g.GetName()
		}
		got = append(got, s)
	}
	want := []string{"get jobs render", "list pods", "get pods/log", "get pods/log", "get pods/log"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestLogsBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "error: give exactly one Job name, got 0 arguments; for example: kubectl job logs NAME"},
		{[]string{"a", "b"}, "error: give exactly one Job name, got 2 arguments"},
		{[]string{"cronjob/x"}, `error: "cronjob/x" is not a Job: give NAME or job/NAME`},
		{[]string{"x", "--index", "a"}, `error: --index "a" is not a list of indexes; give indexes like 2, 1,3 or 0-4`},
		{[]string{"x", "--index", "3-1"}, `error: --index "3-1" is not a list of indexes`},
		{[]string{"x", "--attempt", "-1"}, "error: --attempt must be 1 or more, got -1"},
		{[]string{"x", "--attempt", "2", "--last"}, "error: --attempt and --last select different attempts: give one of them"},
		{[]string{"x", "-c", "a", "--all-containers"}, "error: -c and --all-containers cannot be used together"},
		{[]string{"x", "--tail", "-2"}, "error: --tail must be -1 (all) or more, got -2"},
		{[]string{"x", "--since", "1h", "--since-time", "2026-01-02T15:04:05Z"}, "error: --since and --since-time cannot be used together"},
		{[]string{"x", "--since-time", "yesterday"}, `error: --since-time "yesterday" is not an RFC3339 time`},
		{[]string{"x", "--limit-bytes", "-5"}, "error: --limit-bytes must not be negative, got -5"},
		{[]string{"x", "--max-log-requests", "0"}, "error: --max-log-requests must be 1 or more, got 0"},
		{[]string{"x", "-f", "--failed"}, "error: --failed and --succeeded cannot be used with -f"},
		{[]string{"x", "-f", "-p"}, "error: --previous cannot be used with -f"},
		{[]string{"x", "--since", "1x"}, `invalid value "1x" for --since: want a duration such as 30s, 5m or 1h30m`},
		{[]string{"x", "-l", "app=a"}, "error: give a Job name or -l SELECTOR, not both"},
		{[]string{"-l", "app in"}, `error: -l "app in" is not a label selector: `},
		{[]string{"-l", "app=a", "-f", "--save", "d"}, "error: --save keeps the evidence of one Job: name it instead of giving -l"},
		{[]string{"x", "--timeout", "5s"}, "error: --timeout needs -f: without it logs are printed once and the command ends"},
		{[]string{"x", "-f", "--timeout", "-5s"}, "error: --timeout must not be negative, got -5s"},
		{[]string{"missing"}, `Error from server (NotFound): jobs.batch "missing" not found; list Jobs with: kubectl job list -n ns`},
		{[]string{"render", "--index", "1", "-c", "nope"}, "error: container nope is not in pod render-1-first; its containers are: main"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			client := fake.NewClientset(logsFixture()...)
			out, errOut, code := runLogs(t, client, tt.args...)
			if code != exitcode.Error || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, tt.want)
			}
			if len(tt.args) > 0 && tt.args[0] == "missing" {
				return
			}
			for _, a := range client.Actions() {
				if a.GetSubresource() == "log" {
					t.Errorf("bad input made a log request")
				}
			}
		})
	}
}
