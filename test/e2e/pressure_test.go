//go:build e2e && pressure

package e2e

// Pressure tests: what a real cluster adds to a quiet local one. API Priority
// and Fairness rejecting requests (429), continue tokens expiring while a big
// list is paged (410), a slow and lossy link, credentials expiring under a
// running command, hundreds of commands at once, and Jobs far bigger than
// usual. The network faults come from hack/faultproxy, a scripted reverse
// proxy on the loopback interface that the commands' kubeconfig points at.
// make e2e-pressure runs them on a cluster of their own, one case at a time
// (they load the machine and change cluster-wide API Priority and Fairness
// settings).

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/hack/faultproxy"
)

// TestPressure runs the pressure cases one after the other and writes their
// rows into docs/reliability.md.
func TestPressure(t *testing.T) {
	doc := NewDocSection(t, "pressure")
	// The big namespace lives as long as the whole test: later cases read it.
	big := &bigNamespace{ns: Namespace(t)}
	for _, c := range []struct {
		name string
		run  func(*testing.T, *DocSection)
	}{
		{"BigObjects", func(t *testing.T, doc *DocSection) { pressureBigObjects(t, doc, big) }},
		{"ExpiredContinue", func(t *testing.T, doc *DocSection) { pressureExpiredContinue(t, doc, big) }},
		{"APFThrottling", func(t *testing.T, doc *DocSection) { pressureAPF(t, doc, big) }},
		{"ProxyThrottling", pressureProxyThrottling},
		{"SlowLossyLink", pressureSlowLossyLink},
		{"CredentialsExpire", pressureCredentialsExpire},
		{"ManyAtOnce", pressureManyAtOnce},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, doc) })
	}
}

// pressureManager is the spec.managedBy of the Jobs these tests write
// themselves (status and pods), so no controller changes them.
const pressureManager = "kubectl-job.io/pressure"

// bulkClient is an admin client with a high client-side limit, for filling
// the cluster.
func bulkClient(t *testing.T) kubernetes.Interface {
	t.Helper()
	cfg := restConfig(t)
	cfg.QPS, cfg.Burst = 2000, 4000
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	return kubernetes.NewForConfigOrDie(cfg)
}

func restConfig(t *testing.T) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// inParallel runs fn(0..n-1) on workers goroutines and fails on the first error.
func inParallel(t *testing.T, n, workers int, fn func(i int) error) {
	t.Helper()
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// startProxy starts hack/faultproxy in front of the test cluster and writes
// a kubeconfig for it whose default namespace is ns.
func startProxy(t *testing.T, ns string) (*faultproxy.Proxy, string) {
	t.Helper()
	p, err := faultproxy.New(restConfig(t), 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := p.WriteKubeconfig(kc, ns); err != nil {
		t.Fatal(err)
	}
	return p, kc
}

// runPlugin runs the plugin to its end (a hang after limit fails the test).
func runPlugin(t *testing.T, kc string, viaKubectl bool, limit time.Duration, args ...string) (Result, *proc) {
	t.Helper()
	p := startPlugin(t, kc, viaKubectl, args...)
	return p.wait(t, limit), p
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// oneLine says whether s is exactly one line.
func oneLine(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	return s != "" && !strings.Contains(s, "\n")
}

// requests counts the API responses a -v=6 run logged.
func requests(stderr string) int {
	return len(regexp.MustCompile(`(?m)"Response" verb=|\] (GET|POST|PUT|PATCH|DELETE) https?://\S+ \d{3} `).FindAllString(stderr, -1))
}

// names returns the first column of a table's rows (the header skipped).
func names(table string) []string {
	var out []string
	for i, l := range strings.Split(strings.TrimSpace(table), "\n") {
		if i == 0 || l == "" {
			continue
		}
		out = append(out, strings.Fields(l)[0])
	}
	return out
}

// ---- Big objects -----------------------------------------------------------

// bigNamespace is the namespace of 10,000 Jobs, an Indexed Job with 100,000
// completions and a Job with 5,000 pods and 10,000 events, which several
// cases read.
type bigNamespace struct {
	ns   string
	jobs []string // every Job name, sorted
}

func (b *bigNamespace) need(t *testing.T) string {
	t.Helper()
	if len(b.jobs) == 0 {
		t.Fatal("the big namespace was not filled (BigObjects failed)")
	}
	return b.ns
}

// managedJob is a Job of pressureManager: the job controller leaves it
// alone, the test writes its status and pods.
func managedJob(ns, name string) *batchv1.Job {
	return NewJob(ns, name).Sim(SimOutcome, "external").With(func(j *batchv1.Job) {
		j.Spec.ManagedBy = ptr.To(pressureManager)
	}).Job
}

func trueCond(t batchv1.JobConditionType, reason, msg string, at time.Time) batchv1.JobCondition {
	return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: msg,
		LastProbeTime: metav1.NewTime(at), LastTransitionTime: metav1.NewTime(at)}
}

// intervals writes sorted indexes as the API's interval list ("1,3-5").
func intervals(idx []int) string {
	var b strings.Builder
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(idx[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(idx[j]))
		}
		i = j + 1
	}
	return b.String()
}

// pressureBigObjects fills a namespace with 10,000 Jobs, an Indexed Job of
// 100,000 completions with 20,000 failed indexes scattered among the
// completed ones, and a Job with 5,000 pods and 10,000 events; explain,
// describe and list on them must stay bounded: at most 6 requests for
// explain and describe, output that does not grow with the number of
// indexes, pods or events, and a peak memory that stays far from the
// machine's. Times and memory are recorded (targets belong in make bench).
func pressureBigObjects(t *testing.T, doc *DocSection, big *bigNamespace) {
	ns := big.ns
	bc := bulkClient(t)
	ctx := context.Background()
	start := time.Now()
	const nJobs = 10000
	inParallel(t, nJobs, 32, func(i int) error {
		_, err := bc.BatchV1().Jobs(ns).Create(ctx, managedJob(ns, fmt.Sprintf("j-%05d", i)), metav1.CreateOptions{})
		return err
	})
	jobsTook := time.Since(start)

	// The Indexed Job: index i < 60,000 with i%3 == 1 failed (twice, with
	// backoffLimitPerIndex 1), every other index completed.
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	ij := managedJob(ns, "indexed-100k")
	ij.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	ij.Spec.Completions, ij.Spec.Parallelism = ptr.To[int32](100000), ptr.To[int32](1000)
	ij.Spec.BackoffLimitPerIndex = ptr.To[int32](1)
	created, err := bc.BatchV1().Jobs(ns).Create(ctx, ij, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var done, failed []int
	for i := range 100000 {
		if i < 60000 && i%3 == 1 {
			failed = append(failed, i)
		} else {
			done = append(done, i)
		}
	}
	created.Status = batchv1.JobStatus{
		StartTime: ptr.To(metav1.NewTime(at)), Succeeded: int32(len(done)), Failed: int32(2 * len(failed)),
		Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0), UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
		CompletedIndexes: intervals(done), FailedIndexes: ptr.To(intervals(failed)),
		Conditions: []batchv1.JobCondition{
			trueCond(batchv1.JobFailureTarget, "FailedIndexes", "Job has failed indexes", at.Add(50*time.Minute)),
			trueCond(batchv1.JobFailed, "FailedIndexes", "Job has failed indexes", at.Add(50*time.Minute)),
		},
	}
	if _, err := bc.BatchV1().Jobs(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("writing the status of indexed-100k: %v", err)
	}

	// The Job with 5,000 pods (4,990 failed, 10 succeeded) and 10,000 events.
	start = time.Now()
	mj := managedJob(ns, "many-pods")
	mj.Spec.Completions, mj.Spec.Parallelism = ptr.To[int32](10), ptr.To[int32](10)
	mj.Spec.BackoffLimit = ptr.To[int32](6000)
	many, err := bc.BatchV1().Jobs(ns).Create(ctx, mj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const nPods = 5000
	podUIDs := make([]string, nPods)
	inParallel(t, nPods, 32, func(i int) error {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: fmt.Sprintf("many-pods-%05d", i), Namespace: ns, Labels: many.Spec.Template.Labels,
				Annotations:     map[string]string{SimOutcome: "external"},
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(many, batchv1.SchemeGroupVersion.WithKind("Job"))},
			},
			Spec: *many.Spec.Template.Spec.DeepCopy(),
		}
		p.Spec.SchedulerName = "kj-pressure-no-scheduler" // nobody schedules it
		p, err := bc.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		podUIDs[i] = string(p.UID)
		started := at.Add(time.Duration(i) * 500 * time.Millisecond)
		term := &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", StartedAt: metav1.NewTime(started), FinishedAt: metav1.NewTime(started.Add(400 * time.Millisecond))}
		p.Status = corev1.PodStatus{Phase: corev1.PodFailed, StartTime: ptr.To(metav1.NewTime(started))}
		if i >= nPods-10 {
			p.Status.Phase, term.ExitCode, term.Reason = corev1.PodSucceeded, 0, "Completed"
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main", Image: "busybox", State: corev1.ContainerState{Terminated: term}}}
		_, err = bc.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
	end := at.Add(nPods * 500 * time.Millisecond)
	many.Status = batchv1.JobStatus{
		StartTime: ptr.To(metav1.NewTime(at)), CompletionTime: ptr.To(metav1.NewTime(end)),
		Succeeded: 10, Failed: nPods - 10, Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0),
		UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
		Conditions: []batchv1.JobCondition{
			trueCond(batchv1.JobSuccessCriteriaMet, "CompletionsReached", "Reached expected number of succeeded pods", end),
			trueCond(batchv1.JobComplete, "CompletionsReached", "Reached expected number of succeeded pods", end),
		},
	}
	if _, err := bc.BatchV1().Jobs(ns).UpdateStatus(ctx, many, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("writing the status of many-pods: %v", err)
	}
	inParallel(t, 10000, 32, func(i int) error {
		ev := &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("many-pods.%05d", i), Namespace: ns},
			Type:       corev1.EventTypeNormal, Reason: "SuccessfulCreate", Count: 1,
			Source:         corev1.EventSource{Component: "job-controller"},
			FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at),
		}
		pod := fmt.Sprintf("many-pods-%05d", i/2)
		if i%2 == 0 {
			ev.InvolvedObject = corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1", Namespace: ns, Name: many.Name, UID: many.UID}
			ev.Message = "Created pod: " + pod
		} else {
			ev.InvolvedObject = corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: pod, UID: types.UID(podUIDs[i/2])}
			ev.Type, ev.Reason, ev.Message = corev1.EventTypeWarning, "Failed", "Error: container main exited with code 1"
			ev.Source.Component = "kubelet"
		}
		_, err := bc.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{})
		return err
	})
	podsTook := time.Since(start)
	all, err := bc.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range all.Items {
		big.jobs = append(big.jobs, j.Name)
	}
	sort.Strings(big.jobs)
	if len(big.jobs) != nJobs+2 {
		big.jobs = nil
		t.Fatalf("the namespace has %d Jobs, want %d", len(all.Items), nJobs+2)
	}
	doc.Add(DocRow{
		Case:     "Setup: a namespace with 10,000 Jobs, an Indexed Job with 100,000 completions and a Job with 5,000 pods and 10,000 events, written through the API (`spec.managedBy`, so no controller changes them)",
		Expected: "written",
		Observed: fmt.Sprintf("10,000 Jobs in %s; the Indexed Job, 5,000 pods with status and 10,000 events in %s; the Indexed Job's completedIndexes is %d bytes, failedIndexes %d bytes", secs(jobsTook), secs(podsTook), len(created.Status.CompletedIndexes), len(*created.Status.FailedIndexes)),
	})

	for _, c := range []struct {
		args    []string
		maxReqs int
		maxOut  int
		want    string
	}{
		{[]string{"explain", "indexed-100k"}, 4, 16 << 10, "FailedIndexes"},
		{[]string{"describe", "indexed-100k"}, 4, 64 << 10, "FailedIndexes"},
		{[]string{"explain", "many-pods"}, 4, 16 << 10, "CompletionsReached"},
		{[]string{"describe", "many-pods"}, 4, 64 << 10, "CompletionsReached"},
		{[]string{"list", "indexed-100k", "many-pods"}, 3, 4 << 10, "many-pods"},
		{[]string{"list"}, 30, 4 << 20, "j-09999"},
	} {
		args := append(c.args, "-n", ns)
		r, p := runPlugin(t, kubeconfig, false, 2*time.Minute, args...)
		rv, _ := runPlugin(t, kubeconfig, false, 2*time.Minute, append(args, "-v=6")...)
		n := requests(rv.Stderr)
		ok := r.Code == 0 && strings.Contains(r.Stdout, c.want) && n >= 1 && n <= c.maxReqs && len(r.Stdout) <= c.maxOut && p.maxRSS < 512<<20
		if !ok {
			t.Errorf("kubectl-job %s: exit %d, %d requests (want 1..%d), %d bytes out (want ≤ %d, with %q), peak RSS %s (want < 512 MiB)\n%s",
				strings.Join(c.args, " "), r.Code, n, c.maxReqs, len(r.Stdout), c.maxOut, c.want, mib(p.maxRSS), lastLines(r.Stderr, 5))
		}
		doc.Add(DocRow{
			Case:     "`kubectl-job " + strings.Join(c.args, " ") + "`",
			Expected: fmt.Sprintf("exit 0, at most %d requests, at most %d KiB on stdout, peak memory under 512 MiB (figures recorded)", c.maxReqs, c.maxOut>>10),
			Observed: fmt.Sprintf("exit %d in %s; %d requests; %d lines, %.1f KiB; peak RSS %s", r.Code, p.took(), n, strings.Count(r.Stdout, "\n"), float64(len(r.Stdout))/1024, mib(p.maxRSS)),
		})
	}
}

// ---- 410 while paging ------------------------------------------------------

// pressureExpiredContinue: the proxy answers the 10th page of the Jobs list
// 410 Expired ("the provided continue parameter is too old"), as an API
// server does when etcd compacted the list's revision. list must read the
// whole list again in one request (as kubectl's pager does) and print every
// Job once, or fail; never print the pages it had as if they were all. (The
// namespace's Jobs are finished or External, whose pods list does not read;
// the pods lists' own fallback is TestListFallsBackToAFullListWhenAPageExpires.)
func pressureExpiredContinue(t *testing.T, doc *DocSection, big *bigNamespace) {
	ns := big.need(t)
	p, kc := startProxy(t, ns)
	jobsPages := p.Add("410 on the 10th page of Jobs", faultproxy.Match{Path: regexp.MustCompile(`/jobs$`), Query: "continue=", Skip: 8, Times: 1}, faultproxy.Fault{Status: http.StatusGone})
	r, proc := runPlugin(t, kc, false, 3*time.Minute, "list", "--chunk-size=200", "-v=2")
	got := names(r.Stdout)
	sorted := slices.Clone(got)
	sort.Strings(sorted)
	if r.Code != 0 || !slices.Equal(sorted, big.jobs) || jobsPages.Hits() != 1 || strings.Contains(r.Stderr, "Warning") {
		t.Errorf("list through a 410: exit %d, %d rows (want %d, each Job once), 410s sent: %d (want 1)\n%s",
			r.Code, len(got), len(big.jobs), jobsPages.Hits(), lastLines(r.Stderr, 10))
	}
	doc.Add(DocRow{
		Case:     fmt.Sprintf("`list --chunk-size=200` of %d Jobs while the proxy answers the 10th Jobs page 410 Expired", len(big.jobs)),
		Expected: "the list falls back to one full list, a consistent snapshot: exit 0, every Job exactly once, no warning; never a partial table",
		Observed: fmt.Sprintf("exit %d in %s; %d rows, each Job once: %v; 410s sent: %d; -v=2: %s", r.Code, proc.took(), len(got), slices.Equal(sorted, big.jobs), jobsPages.Hits(), orNone(grepLine(r.Stderr, "paged list expired"), "no fallback logged")),
	})

	// Every continue token expired: the fallback list carries none, so it works.
	p.Clear()
	every := p.Add("410 on every continue", faultproxy.Match{Query: "continue="}, faultproxy.Fault{Status: http.StatusGone})
	r, proc = runPlugin(t, kc, false, 3*time.Minute, "list", "--chunk-size=500", "-o", "name")
	got = nil
	for _, l := range strings.Fields(r.Stdout) {
		got = append(got, strings.TrimPrefix(l, "job.batch/"))
	}
	sort.Strings(got)
	if r.Code != 0 || !slices.Equal(got, big.jobs) || every.Hits() == 0 {
		t.Errorf("list -o name with every continue expired: exit %d, %d names, %d 410s", r.Code, len(got), every.Hits())
	}
	doc.Add(DocRow{
		Case:     "`list --chunk-size=500 -o name` while every continue token is answered 410",
		Expected: "exit 0, every Job exactly once (the full list needs no token)",
		Observed: fmt.Sprintf("exit %d in %s; %d names, each Job once: %v; %d 410s sent", r.Code, proc.took(), len(got), slices.Equal(got, big.jobs), every.Hits()),
	})
}

// ---- Throttling ------------------------------------------------------------

// apfMetric sums the samples of an API server metric whose labels contain
// every one of labels.
func apfMetric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	raw, err := client.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("reading the API server's metrics: %v", err)
	}
	sum := 0.0
	for l := range strings.Lines(string(raw)) {
		if !strings.HasPrefix(l, name+"{") {
			continue
		}
		all := true
		for _, want := range labels {
			all = all && strings.Contains(l, want)
		}
		if !all {
			continue
		}
		f := strings.Fields(l)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

// throttled says whether a failed command's one line names the throttling.
var throttled = regexp.MustCompile(`(?i)TooManyRequests|too many requests|throttl`)

// pressureAPF gives one impersonated user a priority level of its own with
// the smallest share and no queue (a FlowSchema and a
// PriorityLevelConfiguration: about 3 seats; a list of thousands of Jobs
// takes them all), then runs list, explain, logs and prune as that user, at
// once. Each command ends with its correct output or with one line naming
// the throttling, exit 1; prune prints exactly the Jobs it deleted (checked
// against the cluster) and exits non-zero when any delete was refused.
func pressureAPF(t *testing.T, doc *DocSection, big *bigNamespace) {
	bigNS := big.need(t)
	ns := Namespace(t)
	ctx := context.Background()
	const user = "kj-pressure-throttled"
	plc := &flowcontrolv1.PriorityLevelConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "kj-pressure-tiny"},
		Spec: flowcontrolv1.PriorityLevelConfigurationSpec{
			Type: flowcontrolv1.PriorityLevelEnablementLimited,
			Limited: &flowcontrolv1.LimitedPriorityLevelConfiguration{
				NominalConcurrencyShares: ptr.To[int32](1), LendablePercent: ptr.To[int32](0), BorrowingLimitPercent: ptr.To[int32](0),
				LimitResponse: flowcontrolv1.LimitResponse{Type: flowcontrolv1.LimitResponseTypeReject},
			},
		},
	}
	fs := &flowcontrolv1.FlowSchema{
		ObjectMeta: metav1.ObjectMeta{Name: "kj-pressure"},
		Spec: flowcontrolv1.FlowSchemaSpec{
			PriorityLevelConfiguration: flowcontrolv1.PriorityLevelConfigurationReference{Name: plc.Name},
			MatchingPrecedence:         300,
			DistinguisherMethod:        &flowcontrolv1.FlowDistinguisherMethod{Type: flowcontrolv1.FlowDistinguisherMethodByUserType},
			Rules: []flowcontrolv1.PolicyRulesWithSubjects{{
				Subjects:         []flowcontrolv1.Subject{{Kind: flowcontrolv1.SubjectKindUser, User: &flowcontrolv1.UserSubject{Name: user}}},
				ResourceRules:    []flowcontrolv1.ResourcePolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}, Namespaces: []string{"*"}, ClusterScope: true}},
				NonResourceRules: []flowcontrolv1.NonResourcePolicyRule{{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}},
			}},
		},
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kj-pressure-throttled"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}
	if _, err := client.FlowcontrolV1().PriorityLevelConfigurations().Create(ctx, plc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.FlowcontrolV1().PriorityLevelConfigurations().Delete(ctx, plc.Name, metav1.DeleteOptions{})
	})
	if _, err := client.FlowcontrolV1().FlowSchemas().Create(ctx, fs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.FlowcontrolV1().FlowSchemas().Delete(ctx, fs.Name, metav1.DeleteOptions{}) })
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.RbacV1().ClusterRoleBindings().Delete(ctx, crb.Name, metav1.DeleteOptions{}) })
	// The API server picks the new schema up from its own informer; it
	// names the priority level of each request in a response header.
	waitForPriorityLevel(t, user, plc.Name)

	// 30 Jobs that finish at once (for prune) and one that prints lines (for logs).
	for i := range 30 {
		pruneJob(ns, i).Create(t)
	}
	NewJob(ns, "chatty").Sim(SimLogs, "one\ntwo\nthree\n").Create(t)
	for i := range 30 {
		WaitForCondition(t, ns, fmt.Sprintf("p-%02d", i), batchv1.JobComplete, 2*time.Minute)
	}
	WaitForCondition(t, ns, "chatty", batchv1.JobComplete, 2*time.Minute)

	rejectedBefore := apfMetric(t, "apiserver_flowcontrol_rejected_requests_total", `priority_level="kj-pressure-tiny"`)
	as := "--as=" + user
	type cmd struct {
		args  []string
		check func(Result) bool
	}
	var cmds []cmd
	for range 8 {
		cmds = append(cmds, cmd{[]string{"list", "-n", bigNS, "--chunk-size=2000", as, "--request-timeout=60s"}, func(r Result) bool {
			return len(names(r.Stdout)) == len(big.jobs)
		}})
	}
	for range 4 {
		cmds = append(cmds, cmd{[]string{"explain", "many-pods", "-n", bigNS, as, "--request-timeout=60s"}, func(r Result) bool {
			return strings.Contains(r.Stdout, "CompletionsReached")
		}})
		cmds = append(cmds, cmd{[]string{"logs", "chatty", "-n", ns, as, "--request-timeout=60s"}, func(r Result) bool {
			return strings.Contains(r.Stdout, "one") && strings.Contains(r.Stdout, "three")
		}})
	}
	prune := cmd{[]string{"prune", "-n", ns, "-l", "pressure=prune", "--yes", "-o", "name", "--rate=0", as, "--request-timeout=60s"}, nil}
	procs := make([]*proc, 0, len(cmds)+1)
	start := time.Now()
	for _, c := range append(cmds, prune) {
		procs = append(procs, startPlugin(t, kubeconfig, false, c.args...))
	}
	okCount, throttledCount, partialCount := 0, 0, 0
	var bad []string
	for i, c := range cmds {
		r := procs[i].wait(t, 3*time.Minute)
		switch {
		case r.Code == 0 && c.check(r):
			okCount++
		case r.Code == 1 && r.Stdout == "" && oneLine(r.Stderr) && throttled.MatchString(r.Stderr):
			throttledCount++
		case r.Code == 5 && c.check(r) && oneLine(r.Stderr) && throttled.MatchString(r.Stderr):
			partialCount++ // the Job read, its pods or events not: named on stderr
		default:
			bad = append(bad, fmt.Sprintf("%s: exit %d, %d bytes out, stderr %q", procs[i].args, r.Code, len(r.Stdout), lastLines(r.Stderr, 3)))
		}
	}
	pr := procs[len(cmds)].wait(t, 3*time.Minute)
	rejected := apfMetric(t, "apiserver_flowcontrol_rejected_requests_total", `priority_level="kj-pressure-tiny"`) - rejectedBefore
	printed, gone, pruneOK := pruneMatchesCluster(t, ns, 30, pr)
	if len(bad) > 0 || !pruneOK {
		t.Errorf("under APF: %d ok, %d throttled, %d partial, wrong: %v; prune: exit %d, printed %d, gone %d\n%s", okCount, throttledCount, partialCount, bad, pr.Code, printed, gone, lastLines(pr.Stderr, 10))
	}
	if rejected == 0 {
		t.Errorf("API Priority and Fairness rejected nothing: the case proves nothing (the priority level is not small enough)")
	}
	doc.Add(DocRow{
		Case:     fmt.Sprintf("as a user whose FlowSchema leads to a priority level of 1 share, no queue (Reject): 8 × `list` of %d Jobs, 4 × `explain`, 4 × `logs` and `prune --yes -o name` of 30 Jobs, all at once", len(big.jobs)),
		Expected: "API Priority and Fairness rejects requests (429); client-go retries them (Retry-After); each command prints its correct output, or exits 1 with one line naming the throttling (5 with the part it read when only pods, events or logs were refused); prune prints exactly the Jobs it deleted, exit 0 only if it deleted them all",
		Observed: fmt.Sprintf("%.0f requests rejected by APF; %d commands correct, %d exited 1 naming the throttling, %d partial (exit 5) naming it, %d otherwise; prune exit %d, printed %d deleted, %d gone in the cluster: %s; all done in %s",
			rejected, okCount, throttledCount, partialCount, len(bad), pr.Code, printed, gone, orNone(grepLine(pr.Stderr, "not deleted"), "no delete refused"), secs(time.Since(start))),
	})
}

// waitForPriorityLevel waits until the requests of user are served at the
// priority level named plc (the X-Kubernetes-PF-PriorityLevel-UID header).
func waitForPriorityLevel(t *testing.T, user, plc string) {
	t.Helper()
	level, err := client.FlowcontrolV1().PriorityLevelConfigurations().Get(context.Background(), plc, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := restConfig(t)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 30*time.Second, "requests of "+user+" to be served at priority level "+plc, func() (bool, error) {
		res, err := hc.Get(cfg.Host + "/api/v1/namespaces/default")
		if err != nil {
			return false, nil
		}
		_ = res.Body.Close()
		return res.Header.Get("X-Kubernetes-PF-PriorityLevel-UID") == string(level.UID), nil
	})
}

// pruneJob is the i-th Job prune should delete, labelled pressure=prune.
func pruneJob(ns string, i int) *JobBuilder {
	return NewJob(ns, fmt.Sprintf("p-%02d", i)).With(func(j *batchv1.Job) { j.Labels = map[string]string{"pressure": "prune"} })
}

// pruneMatchesCluster checks prune's report against the cluster: the Jobs
// named on stdout (-o name) are exactly those gone, and the exit code is 0
// exactly when all n were deleted.
func pruneMatchesCluster(t *testing.T, ns string, n int, r Result) (printed, gone int, ok bool) {
	t.Helper()
	reported := map[string]bool{}
	for _, l := range strings.Fields(r.Stdout) {
		reported[strings.TrimPrefix(l, "job.batch/")] = true
	}
	ok = true
	for i := range n {
		name := fmt.Sprintf("p-%02d", i)
		job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
		isGone := err != nil || job.DeletionTimestamp != nil
		if isGone {
			gone++
		}
		if isGone != reported[name] {
			t.Errorf("prune: %s gone %v, reported deleted %v", name, isGone, reported[name])
			ok = false
		}
	}
	printed = len(reported)
	if (r.Code == 0) != (gone == n) {
		t.Errorf("prune exit %d with %d of %d deleted", r.Code, gone, n)
		ok = false
	}
	if r.Code != 0 && !throttled.MatchString(r.Stderr) {
		t.Errorf("prune failed without naming the throttling:\n%s", r.Stderr)
		ok = false
	}
	return printed, gone, ok
}

// pressureProxyThrottling: 429s with Retry-After from the proxy. A few are
// retried by client-go and the commands succeed; a 429 that never stops ends
// a command with one line naming the throttling, and prune reports exactly
// which deletes went through.
func pressureProxyThrottling(t *testing.T, doc *DocSection) {
	ns := Namespace(t)
	for i := range 10 {
		pruneJob(ns, i).Create(t)
	}
	NewJob(ns, "chatty").Sim(SimLogs, "one\ntwo\nthree\n").Create(t)
	for i := range 10 {
		WaitForCondition(t, ns, fmt.Sprintf("p-%02d", i), batchv1.JobComplete, 2*time.Minute)
	}
	WaitForCondition(t, ns, "chatty", batchv1.JobComplete, 2*time.Minute)
	p, kc := startProxy(t, ns)

	// A burst: the first 3 requests of each command answered 429, Retry-After 1.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "p-09"},
		{[]string{"explain", "chatty"}, "CompletionsReached"},
		{[]string{"logs", "chatty"}, "three"},
	} {
		p.Clear()
		rule := p.Add("429 burst", faultproxy.Match{Times: 3}, faultproxy.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
		r, proc := runPlugin(t, kc, true, time.Minute, c.args...)
		if r.Code != 0 || !strings.Contains(r.Stdout, c.want) || rule.Hits() != 3 {
			t.Errorf("%v after a 429 burst: exit %d, %d 429s sent; stdout %q", c.args, r.Code, rule.Hits(), r.Stdout)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`%s` while the proxy answers its first 3 requests 429 (Retry-After: 1)", strings.Join(c.args, " ")),
			Expected: "client-go waits and retries; the normal output, exit 0",
			Observed: fmt.Sprintf("exit %d in %s (3 × 1 s of Retry-After); output correct: %v", r.Code, proc.took(), strings.Contains(r.Stdout, c.want)),
		})
	}

	// Unending 429s on one kind of request.
	for _, c := range []struct {
		args  []string
		match faultproxy.Match
		what  string
	}{
		{[]string{"list", "--request-timeout=5s"}, faultproxy.Match{Path: regexp.MustCompile(`/jobs$`)}, "every Jobs list"},
		{[]string{"list"}, faultproxy.Match{Path: regexp.MustCompile(`/jobs$`)}, "every Jobs list"},
		{[]string{"explain", "chatty"}, faultproxy.Match{Path: regexp.MustCompile(`/pods$`)}, "every pods list"},
		{[]string{"logs", "chatty"}, faultproxy.Match{Path: regexp.MustCompile(`/log$`)}, "every log request"},
	} {
		p.Clear()
		rule := p.Add("429 forever", c.match, faultproxy.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
		r, proc := runPlugin(t, kc, true, 2*time.Minute, c.args...)
		if r.Code == 0 || !oneLine(r.Stderr) || !throttled.MatchString(r.Stderr) || rule.Hits() == 0 {
			t.Errorf("%v under unending 429s: exit %d, stderr %q; want exit non-zero and one line naming the throttling", c.args, r.Code, r.Stderr)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`%s` while the proxy answers %s 429 (Retry-After: 1), forever", strings.Join(c.args, " "), c.what),
			Expected: "gives up after client-go's 10 retries (or --request-timeout): exit 1 (5 for a partial read), one line naming the throttling",
			Observed: fmt.Sprintf("exit %d after %s and %d 429s: %s", r.Code, proc.took(), rule.Hits(), firstLineOf(r.Stderr)),
		})
	}

	// prune: two deletes answered 429 forever.
	p.Clear()
	rule := p.Add("429 on two deletes", faultproxy.Match{Method: "DELETE", Path: regexp.MustCompile(`/jobs/p-0[37]$`)}, faultproxy.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
	r, proc := runPlugin(t, kc, true, 3*time.Minute, "prune", "-l", "pressure=prune", "--yes", "-o", "name")
	printed, gone, ok := pruneMatchesCluster(t, ns, 10, r)
	refused := strings.Count(r.Stderr, "cannot delete")
	if !ok || gone != 8 || refused != 2 || r.Code != 1 {
		t.Errorf("prune with two deletes throttled: exit %d, printed %d, gone %d, refused lines %d; want 1, 8, 8, 2\n%s", r.Code, printed, gone, refused, r.Stderr)
	}
	doc.Add(DocRow{
		Case:     "`prune --yes -o name` of 10 Jobs while the proxy answers the deletes of p-03 and p-07 429 (Retry-After: 1), forever",
		Expected: "the other 8 deleted and printed on stdout; one line per refused delete naming the throttling; exit 1 with how many were not deleted",
		Observed: fmt.Sprintf("exit %d after %s; %d printed, %d gone in the cluster (the printed ones: %v); %d 429s; stderr: %s / %s", r.Code, proc.took(), printed, gone, ok, rule.Hits(), grepLine(r.Stderr, "cannot delete job.batch/p-03"), grepLine(r.Stderr, "were not deleted")),
	})
}

// ---- Slow and lossy link ---------------------------------------------------

// pressureSlowLossyLink puts 300 ms before every answer and breaks 1 % of
// the connections (before the answer or after any chunk of it), and breaks
// the first three followed log streams and two Job watches on purpose:
// logs -f prints every line of every pod exactly once (compared with the
// pods' logs read directly), wait exits with the Job's code, list -w prints
// a row for every completion count a direct watch saw. Then a burst of 5xx
// and a truncated body.
func pressureSlowLossyLink(t *testing.T, doc *DocSection) {
	ns := Namespace(t)
	var logText strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&logText, "line %02d of $(POD_NAME)\n", i)
	}

	// The direct watch, the oracle for list -w.
	direct := map[string]map[int32]bool{}
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := client.BatchV1().Jobs(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev := range w.ResultChan() {
			if j, ok := ev.Object.(*batchv1.Job); ok && ev.Type != watch.Deleted {
				mu.Lock()
				if direct[j.Name] == nil {
					direct[j.Name] = map[int32]bool{}
				}
				direct[j.Name][j.Status.Succeeded] = true
				mu.Unlock()
			}
		}
	}()

	p, kc := startProxy(t, ns)
	p.Add("300 ms RTT", faultproxy.Match{}, faultproxy.Fault{Delay: 270 * time.Millisecond, Jitter: 60 * time.Millisecond, CutRate: 0.01})
	// Cut in a timestamp (300 bytes) and in a line's text (370 bytes).
	logCuts := p.Add("cut a log stream in a timestamp", faultproxy.Match{Query: "follow=true", Times: 1}, faultproxy.Fault{CutAfter: 300})
	textCuts := p.Add("cut 2 log streams in a line", faultproxy.Match{Query: "follow=true", Skip: 1, Times: 2}, faultproxy.Fault{CutAfter: 370})
	watchCuts := p.Add("cut 2 Job watches", faultproxy.Match{Path: regexp.MustCompile(`/jobs$`), Query: "watch=true", Times: 2}, faultproxy.Fault{CutAfter: 1500})
	// list -w first, so it sees every state from the Jobs' creation on.
	lw := startPlugin(t, kc, true, "list", "-w")
	WaitFor(t, time.Minute, "list -w to start", func() (bool, error) {
		return !lw.running() || p.Count(faultproxy.Match{Path: regexp.MustCompile(`/jobs$`), Query: "watch=true"}) > 0, nil
	})
	NewJob(ns, "chatty").Completions(3, 3).Sim(SimDuration, "15s").Sim(SimLogs, logText.String()).Create(t)
	for i := range 3 {
		NewJob(ns, fmt.Sprintf("steps-%d", i)).Completions(5, 1).Sim(SimDuration, "2s").Create(t)
	}
	NewJob(ns, "bad").Fail(3, "3s").BackoffLimit(1).Create(t)
	logs := startPlugin(t, kc, true, "logs", "-f", "chatty")
	waitOK := startPlugin(t, kc, true, "wait", "steps-0", "--for=complete", "--timeout=3m")
	waitBad := startPlugin(t, kc, true, "wait", "bad", "--timeout=3m")

	rl := logs.wait(t, 4*time.Minute)
	job, err := client.BatchV1().Jobs(ns).Get(context.Background(), "chatty", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, pod := range Pods(t, job) {
		raw, err := client.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(context.Background())
		if err != nil {
			t.Fatalf("reading the logs of %s directly: %v", pod.Name, err)
		}
		for l := range strings.Lines(string(raw)) {
			want[strings.TrimSpace(l)]++
		}
	}
	// Every line printed counts, each without its [POD] prefix: a piece of
	// a line (or of its timestamp) is as wrong as a lost or repeated line.
	gotLines := map[string]int{}
	for l := range strings.Lines(rl.Stdout) {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			if _, rest, ok := strings.Cut(l, "] "); ok {
				l = rest
			}
		}
		gotLines[l]++
	}
	var wrong []string
	for l, n := range want {
		if gotLines[l] != n {
			wrong = append(wrong, fmt.Sprintf("%q %d× (want %d×)", l, gotLines[l], n))
		}
	}
	for l, n := range gotLines {
		if want[l] == 0 {
			wrong = append(wrong, fmt.Sprintf("%q %d× (not in the pods' logs)", l, n))
		}
	}
	sort.Strings(wrong)
	if rl.Code != 0 || len(want) != 120 || len(wrong) > 0 || logCuts.Hits()+textCuts.Hits() != 3 {
		t.Errorf("logs -f over a lossy link: exit %d, %d lines expected (want 120), wrong: %v, %d streams cut on purpose", rl.Code, len(want), wrong, logCuts.Hits()+textCuts.Hits())
	}
	doc.Add(DocRow{
		Case:     "`logs -f chatty` (3 pods × 40 distinct lines over 15 s) through 300 ms of latency (±30 ms), 1 % of connections broken at random, and its first 3 log streams cut after 300 or 370 bytes (in a timestamp, in a line)",
		Expected: "every line of every pod exactly once, compared with the pods' logs read directly; verdict, exit 0",
		Observed: fmt.Sprintf("exit %d in %s; %d of %d lines each exactly once; %d lines wrong; %s", rl.Code, logs.took(), len(gotLines)-len(wrong), len(want), len(wrong), grepLine(rl.Stderr, "job/chatty")),
	})

	for _, c := range []struct {
		p    *proc
		name string
		code int
	}{{waitOK, "steps-0 --for=complete", 0}, {waitBad, "bad", 2}} {
		r := c.p.wait(t, 3*time.Minute)
		if r.Code != c.code {
			t.Errorf("wait %s over a lossy link: exit %d, want %d\n%s", c.name, r.Code, c.code, r.Stderr)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`wait %s` through the same link", c.name),
			Expected: fmt.Sprintf("exit %d", c.code),
			Observed: fmt.Sprintf("exit %d in %s: %s", r.Code, c.p.took(), strings.TrimSpace(r.Stdout)),
		})
	}

	// list -w: every completion count the direct watch saw, then the end.
	jobs := []string{"steps-0", "steps-1", "steps-2", "chatty", "bad"}
	for _, name := range jobs[:3] {
		WaitForCondition(t, ns, name, batchv1.JobComplete, 3*time.Minute)
	}
	WaitFor(t, time.Minute, "list -w to print the final rows", func() (bool, error) {
		out := lw.stdout.String()
		return strings.Contains(out, "steps-0 ") && regexp.MustCompile(`(?m)^steps-2\s+Complete`).MatchString(out) &&
			regexp.MustCompile(`(?m)^bad\s+Failed`).MatchString(out) && regexp.MustCompile(`(?m)^chatty\s+Complete`).MatchString(out) &&
			regexp.MustCompile(`(?m)^steps-1\s+Complete`).MatchString(out) && regexp.MustCompile(`(?m)^steps-0\s+Complete`).MatchString(out), nil
	})
	_ = lw.cmd.Process.Signal(syscall.SIGINT)
	rw := lw.wait(t, 30*time.Second)
	seen := map[string]map[string]bool{}
	for l := range strings.Lines(rw.Stdout) {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		if seen[f[0]] == nil {
			seen[f[0]] = map[string]bool{}
		}
		for _, cell := range f {
			if strings.Contains(cell, "/") {
				seen[f[0]][strings.Split(cell, "/")[0]] = true
				break
			}
		}
	}
	mu.Lock()
	var missed []string
	transitions := 0
	for _, name := range jobs {
		for n := range direct[name] {
			transitions++
			if !seen[name][strconv.Itoa(int(n))] {
				missed = append(missed, fmt.Sprintf("%s at %d succeeded", name, n))
			}
		}
	}
	mu.Unlock()
	sort.Strings(missed)
	if rw.Code != 0 || len(missed) > 0 || transitions < 15 || watchCuts.Hits() != 2 {
		t.Errorf("list -w over a lossy link: exit %d, missed %v of %d states, %d watches cut on purpose", rw.Code, missed, transitions, watchCuts.Hits())
	}
	cuts := 0
	for _, e := range p.Log() {
		if e.Cut {
			cuts++
		}
	}
	doc.Add(DocRow{
		Case:     "`list -w` through the same link, its first 2 Job watches cut after 1,500 bytes; compared with a direct watch of the namespace",
		Expected: "a row for every completion count the direct watch saw for every Job (no transition missed), the final Complete/Failed rows; exit 0 on SIGINT",
		Observed: fmt.Sprintf("exit %d; %d of %d (Job, completions) states printed; missed: %s; the proxy broke %d connections of %d requests in all", rw.Code, transitions-len(missed), transitions, orNone(strings.Join(missed, ", "), "none"), cuts, len(p.Log())),
	})

	// 5xx bursts and a truncated body.
	for _, c := range []struct {
		what  string
		fault faultproxy.Fault
		times int
		code  int
	}{
		{"its first 3 requests answered 503 with Retry-After: 1", faultproxy.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 1}, 3, 0},
		{"its first request answered 500 (no Retry-After)", faultproxy.Fault{Status: http.StatusInternalServerError}, 1, 1},
		{"the body of its first answer cut in half", faultproxy.Fault{Truncate: true}, 1, 1},
	} {
		p.Clear()
		rule := p.Add(c.what, faultproxy.Match{Times: c.times}, c.fault)
		r, proc := runPlugin(t, kc, true, time.Minute, "explain", "steps-1")
		good := r.Code == c.code && (c.code == 0 && strings.Contains(r.Stdout, "CompletionsReached") || c.code != 0 && r.Stdout == "" && oneLine(r.Stderr))
		if !good || rule.Hits() != c.times {
			t.Errorf("explain with %s: exit %d, stdout %q, stderr %q; want %d", c.what, r.Code, r.Stdout, r.Stderr, c.code)
		}
		expected, observed := "client-go retries: the normal output, exit 0", fmt.Sprintf("output correct: %v", good)
		if c.code != 0 {
			expected, observed = "exit 1, nothing on stdout, one error line", firstLineOf(r.Stderr)
		}
		doc.Add(DocRow{
			Case:     "`explain steps-1` with " + c.what,
			Expected: expected,
			Observed: fmt.Sprintf("exit %d in %s; %s", r.Code, proc.took(), observed),
		})
	}
}

// ---- Credentials expiring --------------------------------------------------

// pressureCredentialsExpire: the credentials stop working under a running
// logs -f, wait and list -w (the proxy breaks their streams and answers every
// later request 401). Each exits 1 with one line naming the credential
// problem, within seconds; none hangs.
func pressureCredentialsExpire(t *testing.T, doc *DocSection) {
	ns := Namespace(t)
	NewJob(ns, "forever").Sim(SimOutcome, "run").Sim(SimLogs, "started\n").Create(t)
	waitStarted(t, ns, "forever")
	p, kc := startProxy(t, ns)
	logs := startPlugin(t, kc, true, "logs", "-f", "forever")
	wt := startPlugin(t, kc, true, "wait", "forever", "--timeout=3m")
	lw := startPlugin(t, kc, true, "list", "-w")
	settle(t, 4*time.Second, logs, wt, lw)
	expired := time.Now()
	p.Expire()
	credentials := regexp.MustCompile(`(?i)unauthorized|logged in|credentials`)
	for _, c := range []struct {
		p    *proc
		what string
	}{{logs, "logs -f forever"}, {wt, "wait forever"}, {lw, "list -w"}} {
		r := c.p.wait(t, time.Minute)
		if r.Code != 1 || !oneLine(r.Stderr) || !credentials.MatchString(r.Stderr) {
			t.Errorf("%s after the credentials expired: exit %d, stderr %q; want exit 1 and one line naming the credentials", c.what, r.Code, r.Stderr)
		}
		doc.Add(DocRow{
			Case:     fmt.Sprintf("`%s` running when the credentials expire (the proxy breaks the open streams and answers 401 from then on)", c.what),
			Expected: "exit 1 within seconds, one line naming the credential problem, no hang",
			Observed: fmt.Sprintf("exit %d %s after the expiry: %s", r.Code, secs(c.p.exitedAt.Sub(expired)), firstLineOf(r.Stderr)),
		})
	}
}

// ---- Many at once ----------------------------------------------------------

// pressureManyAtOnce runs 200 `wait`s on 200 Jobs (one in ten fails) and 20
// `list -w` of their namespace at once, as the kubectl-job binary so its
// peak memory is its own. Every wait exits with its Job's code, every list -w
// prints every Job's final row; the API server's watch count and the
// commands' memory are recorded.
func pressureManyAtOnce(t *testing.T, doc *DocSection) {
	ns := Namespace(t)
	bc := bulkClient(t)
	const n = 200
	inParallel(t, n, 16, func(i int) error {
		d := fmt.Sprintf("%ds", 40+i%20)
		b := NewJob(ns, fmt.Sprintf("w-%03d", i)).Sim(SimDuration, d)
		if i%10 == 9 {
			b = b.Fail(1, d).BackoffLimit(0)
		}
		_, err := bc.BatchV1().Jobs(ns).Create(context.Background(), b.Job, metav1.CreateOptions{})
		return err
	})
	watchesBefore := apfMetric(t, "apiserver_longrunning_requests", `verb="WATCH"`, `resource="jobs"`)
	start := time.Now()
	waits := make([]*proc, n)
	for i := range n {
		waits[i] = startPlugin(t, kubeconfig, false, "wait", fmt.Sprintf("w-%03d", i), "-n", ns, "--timeout=4m")
	}
	lists := make([]*proc, 20)
	for i := range lists {
		lists[i] = startPlugin(t, kubeconfig, false, "list", "-w", "-n", ns)
	}
	// Count the watches while they run (the highest of 10 samples, 2 s apart:
	// 220 processes take a while to start on a loaded machine).
	var watching, podWatches float64
	for range 10 {
		time.Sleep(2 * time.Second)
		watching = max(watching, apfMetric(t, "apiserver_longrunning_requests", `verb="WATCH"`, `resource="jobs"`))
		podWatches = max(podWatches, apfMetric(t, "apiserver_longrunning_requests", `verb="WATCH"`, `resource="pods"`))
	}

	var wrong []string
	var rss []int64
	for i, p := range waits {
		r := p.wait(t, 5*time.Minute)
		want := 0
		if i%10 == 9 {
			want = 2
		}
		if r.Code != want {
			wrong = append(wrong, fmt.Sprintf("w-%03d exit %d (want %d): %s", i, r.Code, want, strings.TrimSpace(r.Stderr)))
		}
		rss = append(rss, p.maxRSS)
	}
	waitsDone := time.Since(start)
	final := regexp.MustCompile(`(?m)^w-\d{3}\s+(Complete|Failed)\b`)
	for _, p := range lists {
		WaitFor(t, 2*time.Minute, "list -w to print every final row", func() (bool, error) {
			rows := map[string]bool{}
			for _, m := range final.FindAllString(p.stdout.String(), -1) {
				rows[strings.Fields(m)[0]] = true
			}
			return len(rows) == n, nil
		})
		_ = p.cmd.Process.Signal(syscall.SIGINT)
	}
	var listRSS []int64
	for _, p := range lists {
		if r := p.wait(t, 30*time.Second); r.Code != 0 {
			wrong = append(wrong, fmt.Sprintf("list -w exit %d: %s", r.Code, r.Stderr))
		}
		listRSS = append(listRSS, p.maxRSS)
	}
	slices.Sort(rss)
	slices.Sort(listRSS)
	if len(wrong) > 0 {
		t.Errorf("%d of %d commands ended wrong: %v", len(wrong), n+len(lists), wrong)
	}
	if rss[len(rss)-1] > 256<<20 || listRSS[len(listRSS)-1] > 256<<20 {
		t.Errorf("peak RSS: wait %s, list -w %s; want under 256 MiB", mib(rss[len(rss)-1]), mib(listRSS[len(listRSS)-1]))
	}
	if extra := int(watching - watchesBefore); extra < n || extra > n+len(lists)+10 {
		t.Errorf("the API server had %d more Job watches while they ran, want one per command (%d)", extra, n+len(lists))
	}
	doc.Add(DocRow{
		Case:     fmt.Sprintf("%d × `kubectl-job wait w-NNN` (one per Job, 40-60 s each, one in ten fails) and 20 × `kubectl-job list -w` of the namespace, all at once", n),
		Expected: "every wait exits with its Job's code (0 or 2), every list -w prints the final row of all 200 Jobs and exits 0 on SIGINT; one Job watch per command; memory recorded",
		Observed: fmt.Sprintf("%d of %d ended right; the waits were done %s after the start; Job watches on the API server: %.0f before, %.0f while they ran (+%.0f), pod watches %.0f; peak RSS (it counts the binary's pages, which the processes share) of wait: median %s, max %s; of list -w: median %s, max %s",
			n+len(lists)-len(wrong), n+len(lists), secs(waitsDone), watchesBefore, watching, watching-watchesBefore, podWatches, mib(rss[len(rss)/2]), mib(rss[len(rss)-1]), mib(listRSS[len(listRSS)/2]), mib(listRSS[len(listRSS)-1])),
	})
}
