package cmd

// Fixtures shared by the delete and prune command tests: Jobs in every
// state with their pods, and a fake clientset that behaves like an API server
// where the tests need it to (preconditions, dry run, garbage collection).

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/internal/golden"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// checkGolden compares got with testdata/NAME, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

var cleanupNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// cleanupFixture is a Job in a given state with its pods.
type cleanupFixture struct {
	job  *batchv1.Job
	pods []*corev1.Pod
}

// cleanupJob returns a Job in namespace ns in state complete, failed,
// failing, running or suspended; finished Jobs finished finishedAgo ago.
func cleanupJob(ns, name, state string, finishedAgo time.Duration) *cleanupFixture {
	uid := types.UID("uid-" + name)
	created := cleanupNow.Add(-finishedAgo - 10*time.Minute)
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, ResourceVersion: "100",
			CreationTimestamp: metav1.NewTime(created), Labels: map[string]string{"app": "etl"}},
		Spec: batchv1.JobSpec{
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{kube.LabelControllerUID: string(uid)}},
			BackoffLimit: ptr.To[int32](2),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: "main", Image: "busybox"}}}},
		},
		Status: batchv1.JobStatus{StartTime: ptr.To(metav1.NewTime(created.Add(time.Second)))},
	}
	ended := metav1.NewTime(cleanupNow.Add(-finishedAgo))
	cond := func(t batchv1.JobConditionType, reason, msg string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: msg,
			LastTransitionTime: ended, LastProbeTime: ended}
	}
	f := &cleanupFixture{job: job}
	switch state {
	case "complete":
		job.Status.Conditions = []batchv1.JobCondition{
			cond(batchv1.JobSuccessCriteriaMet, batchv1.JobReasonCompletionsReached, "Reached expected number of succeeded pods"),
			cond(batchv1.JobComplete, batchv1.JobReasonCompletionsReached, "Reached expected number of succeeded pods")}
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &ended
		f.pod("a", corev1.PodSucceeded)
	case "failed":
		msg := "Job has reached the specified backoff limit"
		job.Status.Conditions = []batchv1.JobCondition{
			cond(batchv1.JobFailureTarget, batchv1.JobReasonBackoffLimitExceeded, msg),
			cond(batchv1.JobFailed, batchv1.JobReasonBackoffLimitExceeded, msg)}
		job.Status.Failed = 3
		f.pod("a", corev1.PodFailed).pod("b", corev1.PodFailed).pod("c", corev1.PodFailed)
	case "failing":
		job.Status.Conditions = []batchv1.JobCondition{
			cond(batchv1.JobFailureTarget, batchv1.JobReasonBackoffLimitExceeded, "Job has reached the specified backoff limit")}
		job.Status.Failed = 3
		job.Status.Terminating = ptr.To[int32](1)
		f.pod("a", corev1.PodFailed).pod("b", corev1.PodFailed).pod("c", corev1.PodFailed)
		f.pod("d", corev1.PodRunning).pods[3].DeletionTimestamp = &ended
	case "running":
		job.Status.Active, job.Status.Ready = 1, ptr.To[int32](1)
		f.pod("a", corev1.PodRunning)
	case "suspended":
		job.Spec.Suspend = ptr.To(true)
		job.Status.StartTime = nil
		job.Status.Conditions = []batchv1.JobCondition{cond(batchv1.JobSuspended, "JobSuspended", "Job suspended")}
	default:
		panic("unknown state " + state)
	}
	return f
}

func (f *cleanupFixture) pod(suffix string, phase corev1.PodPhase) *cleanupFixture {
	j := f.job
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: j.Namespace, Name: j.Name + "-" + suffix, UID: types.UID(string(j.UID) + "-" + suffix),
			CreationTimestamp: j.CreationTimestamp,
			Labels:            map[string]string{kube.LabelControllerUID: string(j.UID), kube.LabelJobName: j.Name},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: j.Name, UID: j.UID,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "busybox"}}},
		Status: corev1.PodStatus{Phase: phase},
	}
	f.pods = append(f.pods, p)
	return f
}

func (f *cleanupFixture) ttl(seconds int32) *cleanupFixture {
	f.job.Spec.TTLSecondsAfterFinished = &seconds
	return f
}

func (f *cleanupFixture) ownedBy(cronJob string) *cleanupFixture {
	f.job.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: cronJob,
		UID: types.UID("uid-cj-" + cronJob), Controller: ptr.To(true)}}
	return f
}

// newCleanupClientset returns a fake clientset holding the fixtures that
// behaves like an API server for deletes: dry runs change nothing, UID and
// resourceVersion preconditions are checked (409 Conflict), and deleting a
// Job without orphaning deletes its pods (the garbage collector).
func newCleanupClientset(fixtures ...*cleanupFixture) *fake.Clientset {
	var objs []runtime.Object
	for _, f := range fixtures {
		objs = append(objs, f.job)
		for _, p := range f.pods {
			objs = append(objs, p)
		}
	}
	cs := fake.NewClientset(objs...)
	answerAccessReviews(cs)
	// Reactors run most recently prepended first: preconditions, dry run, GC.
	cs.PrependReactor("delete", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		da := a.(k8stesting.DeleteActionImpl)
		if p := da.GetDeleteOptions().PropagationPolicy; p != nil && *p == metav1.DeletePropagationOrphan {
			return false, nil, nil
		}
		obj, err := cs.Tracker().Get(da.GetResource(), da.GetNamespace(), da.GetName())
		if err != nil {
			return false, nil, nil
		}
		uid := obj.(*batchv1.Job).UID
		pods, _ := cs.Tracker().List(corev1.SchemeGroupVersion.WithResource("pods"), corev1.SchemeGroupVersion.WithKind("Pod"), da.GetNamespace())
		for _, p := range pods.(*corev1.PodList).Items {
			if kube.OwnedBy(&p, uid) {
				_ = cs.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), p.Namespace, p.Name)
			}
		}
		return false, nil, nil
	})
	cs.PrependReactor("delete", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if len(a.(k8stesting.DeleteActionImpl).GetDeleteOptions().DryRun) > 0 {
			da := a.(k8stesting.DeleteActionImpl)
			_, err := cs.Tracker().Get(da.GetResource(), da.GetNamespace(), da.GetName())
			return true, nil, err
		}
		return false, nil, nil
	})
	cs.PrependReactor("delete", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		da := a.(k8stesting.DeleteActionImpl)
		pre := da.GetDeleteOptions().Preconditions
		if pre == nil {
			return false, nil, nil
		}
		obj, err := cs.Tracker().Get(da.GetResource(), da.GetNamespace(), da.GetName())
		if err != nil {
			return false, nil, nil
		}
		m, _ := meta.Accessor(obj)
		gr := da.GetResource().GroupResource()
		if pre.UID != nil && *pre.UID != m.GetUID() {
			return true, nil, apierrors.NewConflict(gr, da.GetName(),
				fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *pre.UID, m.GetUID()))
		}
		if pre.ResourceVersion != nil && *pre.ResourceVersion != m.GetResourceVersion() {
			return true, nil, apierrors.NewConflict(gr, da.GetName(),
				fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *pre.ResourceVersion, m.GetResourceVersion()))
		}
		return false, nil, nil
	})
	return cs
}

// deleteRequests lists the delete requests made, with what they carried.
func deleteRequests(cs *fake.Clientset) string {
	var b strings.Builder
	for _, a := range cs.Actions() {
		da, ok := a.(k8stesting.DeleteActionImpl)
		if !ok {
			continue
		}
		o := da.GetDeleteOptions()
		fmt.Fprintf(&b, "DELETE %s %s/%s", da.GetResource().Resource, da.GetNamespace(), da.GetName())
		if o.Preconditions != nil && o.Preconditions.UID != nil {
			fmt.Fprintf(&b, " uid=%s", *o.Preconditions.UID)
		}
		if o.Preconditions != nil && o.Preconditions.ResourceVersion != nil {
			fmt.Fprintf(&b, " resourceVersion=%s", *o.Preconditions.ResourceVersion)
		}
		if o.PropagationPolicy != nil {
			fmt.Fprintf(&b, " propagation=%s", *o.PropagationPolicy)
		}
		if o.GracePeriodSeconds != nil {
			fmt.Fprintf(&b, " gracePeriodSeconds=%d", *o.GracePeriodSeconds)
		}
		if len(o.DryRun) > 0 {
			fmt.Fprintf(&b, " dryRun=%s", strings.Join(o.DryRun, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// remaining lists the Jobs and pods left in the fake cluster.
func remaining(t *testing.T, cs *fake.Clientset) string {
	t.Helper()
	var b strings.Builder
	jobs, err := cs.Tracker().List(batchv1.SchemeGroupVersion.WithResource("jobs"), batchv1.SchemeGroupVersion.WithKind("Job"), "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs.(*batchv1.JobList).Items {
		names = append(names, "job/"+j.Namespace+"/"+j.Name)
	}
	pods, err := cs.Tracker().List(corev1.SchemeGroupVersion.WithResource("pods"), corev1.SchemeGroupVersion.WithKind("Pod"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.(*corev1.PodList).Items {
		names = append(names, "pod/"+p.Namespace+"/"+p.Name)
	}
	for _, n := range names {
		b.WriteString(n + "\n")
	}
	return b.String()
}

// runCleanupCmd runs cmd with args as the plugin's main does and returns
// the exit code.
func runCleanupCmd(cmd *cobra.Command, streams genericiooptions.IOStreams, args ...string) int {
	// As under the root command: errors printed once, by Execute.
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	cmd.SetArgs(args)
	return Execute(cmd, streams)
}

// transcript is a command run as the golden files record it.
func transcript(args []string, stdin string, stdout, stderr *bytes.Buffer, code int, requests, left string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ kubectl job %s\n", strings.Join(args, " "))
	if stdin != "" {
		fmt.Fprintf(&b, "--- stdin\n%s", stdin)
	}
	fmt.Fprintf(&b, "--- stdout\n%s--- stderr\n%s--- exit code %d\n--- delete requests\n%s--- left in the cluster\n%s",
		stdout, stderr, code, requests, left)
	return b.String()
}
