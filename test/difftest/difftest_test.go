//go:build e2e

package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

const (
	sampleEvery = 500 * time.Millisecond
	caseTimeout = 90 * time.Second
	// quotaFor is how long a LiveQuota case's quota blocks pod creation
	// after the first FailedCreate event.
	quotaFor = 3 * time.Second
)

// caseResult is everything one case produced.
type caseResult struct {
	Case      gen.Case
	Cluster   string
	Namespace string
	Record    *trace.Record
	Samples   []trace.Sample
	Result    trace.Result
	List      listCheck
	Err       error
	Took      time.Duration
	Fixture   string
}

// TestDifferential runs DIFFTEST_N random Jobs (seed DIFFTEST_SEED) on the
// cluster, DIFFTEST_PARALLEL at a time, samples `kubectl job explain -o
// json`, and checks each answer against the states the harness's own
// informers saw and the test's model of the controller (trace.Check).
// Control Jobs, never sampled, measure the controllers' lag; with
// DIFFTEST_STOCK_KUBECONFIG a few cases run on a cluster with the stock
// pod-failure backoff to check nextRetryAt. With DIFFTEST_REPORT the report
// is written there, only if the run passed.
func TestDifferential(t *testing.T) {
	n := envInt("DIFFTEST_N", 12)
	seed := uint64(envInt("DIFFTEST_SEED", 1))
	par := envInt("DIFFTEST_PARALLEL", 10)
	nInvalid := envInt("DIFFTEST_INVALID", min(gen.InvalidKinds, max(3, n/10)))
	nControl := max(2, n/12)
	nRetry := 0
	if stock != nil {
		nRetry = max(3, n/25)
	}
	var only []int
	for _, s := range strings.Split(os.Getenv("DIFFTEST_ONLY"), ",") {
		if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			only = append(only, i)
		}
	}
	var cases []gen.Case
	for i := range n {
		if len(only) == 0 || slices.Contains(only, i) {
			cases = append(cases, gen.Generate(seed, i))
		}
	}
	if len(only) > 0 {
		nInvalid, nRetry = 0, 0
	}
	load := loadAverage()
	t.Logf("difftest: seed %d (reproduce with SEED=%d), %d cases, %d at a time, %d control Jobs, %d nextRetryAt cases on the stock-backoff cluster, %d invalid specs; load average %s",
		seed, seed, len(cases), par, nControl, nRetry, nInvalid, load)

	start := time.Now()
	ctx := context.Background()
	results := make([]*caseResult, len(cases))
	retries := make([]*caseResult, nRetry)
	controls := make([]trace.Timing, nControl)
	controlErrs := make([]error, nControl)
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	run := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f()
		}()
	}
	// Controls are spread through the queue, so their lag is measured
	// while the cases run.
	every := max(1, len(cases)/nControl)
	for i, c := range cases {
		if i%every == 0 && i/every < nControl {
			k := i / every
			run(func() { controls[k], controlErrs[k] = runControl(ctx, primary, gen.GenerateControl(k)) })
		}
		run(func() { results[i] = runCase(ctx, primary, c) })
	}
	for i := range nRetry {
		wg.Add(1)
		go func() {
			defer wg.Done()
			retries[i] = runCase(ctx, stock, gen.GenerateRetry(seed, i))
		}()
	}
	var invalid []invalidResult
	if nInvalid > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invalid = runInvalid(ctx, t, seed, nInvalid)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	results = append(results, retries...)

	for i, err := range controlErrs {
		if err != nil {
			t.Errorf("control Job %d: %v", i, err)
		}
	}
	fixtureDir := filepath.Join(repoRoot(t), "pkg", "explain", "testdata", "difftest")
	mutant := os.Getenv("DIFFTEST_MUTANT")
	sum := newSummary(controls)
	for _, r := range results {
		sum.add(r)
		t.Run(r.Case.Name(), func(t *testing.T) {
			if r.Err != nil {
				t.Errorf("seed %d case %d: %v\nspec:\n%s", r.Case.Seed, r.Case.Index, r.Err, specYAML(r.Case))
				return
			}
			probs := sum.problems(r)
			// Fixtures replay explain (TestDifftestRegressions): only its own
			// disagreements are saved, not list's.
			if mutant == "" && slices.ContainsFunc(r.Result.Problems, func(p trace.Problem) bool { return p.Check != trace.CheckErrors }) {
				path := filepath.Join(fixtureDir, r.Case.Name()+".yaml")
				if err := writeFixture(path, r, probs); err != nil {
					t.Errorf("saving fixture: %v", err)
				} else {
					r.Fixture = path
				}
			}
			for _, p := range probs {
				t.Errorf("seed %d case %d (%s, %s): %s", r.Case.Seed, r.Case.Index, r.Cluster, r.Namespace, p)
			}
			if len(probs) > 0 {
				t.Logf("spec:\n%sfixture: %s", specYAML(r.Case), r.Fixture)
			}
		})
	}
	for _, inv := range invalid {
		t.Run(inv.Case.Name(), func(t *testing.T) {
			switch {
			case inv.Err != nil:
				t.Errorf("%s (%s): %v", inv.Case.Kind, inv.Case.Why, inv.Err)
			case !inv.ServerRejected:
				t.Errorf("seed %d invalid %d (%s: %s): the API server accepted it: it belongs with the normal cases\nspec:\n%s", inv.Case.Seed, inv.Case.Index, inv.Case.Kind, inv.Case.Why, mustYAML(inv.Case.Job))
			case inv.CreateServerCode == 0:
				t.Errorf("seed %d invalid %d (%s): the API server rejected it but `kubectl job create -f --dry-run=server` exited 0", inv.Case.Seed, inv.Case.Index, inv.Case.Kind)
			}
			if inv.ServerRejected && inv.CreateClientCode == 0 {
				t.Logf("not caught by `kubectl job create` validation (--dry-run=client exit 0); the API server: %s", inv.ServerMessage)
			}
		})
	}
	for _, short := range sum.shortColumns(len(cases), nRetry) {
		t.Errorf("too few checks: %s", short)
	}
	headline := sum.headline()
	t.Logf("difftest: %s", headline)
	// One line for hack/difftest-mutants.sh: the columns that failed.
	fmt.Printf("DIFFTEST-FAILED-CHECKS: %s\n", sum.failedColumns())
	if path := os.Getenv("DIFFTEST_REPORT"); path != "" && mutant == "" {
		if t.Failed() {
			t.Logf("not writing %s: only a passing run writes the report", path)
		} else {
			if !filepath.IsAbs(path) {
				path = filepath.Join(repoRoot(t), path)
			}
			report := renderReport(reportInput{seed: seed, n: n, par: par, elapsed: elapsed, loadStart: load, loadEnd: loadAverage(),
				commit: gitCommit(t), results: results, invalid: invalid, sum: sum})
			if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
				t.Errorf("writing the report: %v", err)
			}
			t.Logf("report written to %s", path)
		}
	}
	t.Logf("difftest: %d cases in %s", len(results), elapsed.Round(time.Second))
}

// recorder builds the case's trace.Record from the harness's informers.
type recorder struct {
	mu      sync.Mutex
	rec     trace.Record
	job     *trace.JobState
	pods    map[string]*corev1.Pod
	failedC time.Time
	changed chan struct{}
}

func newRecorder() *recorder {
	return &recorder{rec: trace.Record{Pods: map[string]*trace.PodHistory{}}, pods: map[string]*corev1.Pod{}, changed: make(chan struct{}, 1)}
}

// snapshot appends the current state; the caller holds mu.
func (r *recorder) snapshot(now time.Time) {
	st := trace.State{At: now, Job: r.job, FailedCreate: r.failedC}
	for _, p := range r.pods {
		st.Pods = append(st.Pods, trace.NewPodState(p))
	}
	slices.SortFunc(st.Pods, func(a, b trace.PodState) int { return strings.Compare(a.Name, b.Name) })
	r.rec.States = append(r.rec.States, st)
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func unwrap(obj any) any {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return d.Obj
	}
	return obj
}

func (r *recorder) onJob(obj any, deleted bool) {
	j, ok := unwrap(obj).(*batchv1.Job)
	if !ok {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if deleted {
		r.job = nil
		if r.rec.Gone.IsZero() {
			r.rec.Gone = now
		}
	} else {
		r.job = trace.NewJobState(j)
		if j.DeletionTimestamp != nil && r.rec.DeletionRequested.IsZero() {
			r.rec.DeletionRequested = now
		}
	}
	r.snapshot(now)
}

func (r *recorder) onPod(obj any, deleted bool) {
	p, ok := unwrap(obj).(*corev1.Pod)
	if !ok {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.rec.Pods[p.Name]
	if h == nil {
		h = &trace.PodHistory{Name: p.Name, Created: p.CreationTimestamp.Time, SeenAt: now}
		r.rec.Pods[p.Name] = h
	}
	ps := trace.NewPodState(p)
	h.Index, h.Last = ps.Index, ps
	finished := p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded
	switch {
	case p.Status.Phase == corev1.PodFailed && h.FailedAt.IsZero():
		h.FailedAt = now
	case p.Status.Phase == corev1.PodSucceeded && h.SucceededAt.IsZero():
		h.SucceededAt = now
	}
	if p.DeletionTimestamp != nil && h.DeletingAt.IsZero() {
		h.DeletingAt = now
	}
	if (finished || deleted) && ps.Accounted && h.AccountedAt.IsZero() {
		h.AccountedAt = now
	}
	if deleted {
		h.GoneAt = now
		delete(r.pods, p.Name)
	} else {
		r.pods[p.Name] = p
	}
	r.snapshot(now)
}

func (r *recorder) onEvent(obj any) {
	ev, ok := unwrap(obj).(*corev1.Event)
	if !ok || ev.InvolvedObject.Kind != "Job" || ev.Reason != "FailedCreate" {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failedC = now
	r.snapshot(now)
}

// view returns the latest Job state and copies of the pods.
func (r *recorder) view() (*trace.JobState, []*corev1.Pod, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pods []*corev1.Pod
	for _, p := range r.pods {
		pods = append(pods, p.DeepCopy())
	}
	return r.job, pods, r.failedC
}

func (r *recorder) pod(name string) *trace.PodHistory {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.rec.Pods[name]; h != nil {
		c := *h
		return &c
	}
	return nil
}

// watch starts the informers of namespace ns; stop ends them.
func (r *recorder) watch(cl *cluster, ns string, stop chan struct{}) {
	factory := informers.NewSharedInformerFactoryWithOptions(cl.client, 0, informers.WithNamespace(ns))
	_, _ = factory.Batch().V1().Jobs().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) { r.onJob(o, false) }, UpdateFunc: func(_, o any) { r.onJob(o, false) }, DeleteFunc: func(o any) { r.onJob(o, true) },
	})
	_, _ = factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) { r.onPod(o, false) }, UpdateFunc: func(_, o any) { r.onPod(o, false) }, DeleteFunc: func(o any) { r.onPod(o, true) },
	})
	_, _ = factory.Core().V1().Events().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: r.onEvent, UpdateFunc: func(_, o any) { r.onEvent(o) },
	})
	factory.Start(stop)
	factory.WaitForCacheSync(stop)
}

// caseRun is one case in progress: its cluster, namespace, recorder and
// what the harness did to it.
type caseRun struct {
	cl        *cluster
	c         gen.Case
	ns        string
	rec       *recorder
	node      string
	quotaGone bool
	acted     map[string]bool // pods evicted, nodes deleted, external pods started
}

func runCase(ctx context.Context, cl *cluster, c gen.Case) *caseResult {
	res := &caseResult{Case: c, Cluster: cl.name}
	began := time.Now()
	defer func() { res.Took = time.Since(began) }()
	ns, err := cl.newNamespace(ctx, fmt.Sprintf("dt-%d-%d", c.Seed, c.Index))
	if err != nil {
		res.Err = err
		return res
	}
	res.Namespace = ns
	defer cl.deleteNamespace(ns)
	run := &caseRun{cl: cl, c: c, ns: ns, rec: newRecorder(), acted: map[string]bool{}}
	defer run.cleanup()
	job := c.Job.DeepCopy()
	job.Namespace = ns
	if err := run.prepare(ctx, job); err != nil {
		res.Err = err
		return res
	}
	stop := make(chan struct{})
	defer close(stop)
	run.rec.watch(cl, ns, stop)
	if _, err := cl.client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		res.Err = fmt.Errorf("creating the Job: %w", err)
		return res
	}
	timeout := caseTimeout
	if c.Live == gen.LiveNodeDelete {
		timeout = 2 * caseTimeout // pods on a missing node wait for the pod GC
	}
	deadline := time.Now().Add(timeout)
	var suspendedAt time.Time
	suspended := c.ResumeAfter > 0
	samplesAfterEnd := 0
	for time.Now().Before(deadline) {
		js, _, _ := run.rec.view()
		if suspended && js != nil && js.Cond(batchv1.JobSuspended) != nil {
			if suspendedAt.IsZero() {
				suspendedAt = time.Now()
			} else if time.Since(suspendedAt) > c.ResumeAfter {
				patch := []byte(`{"spec":{"suspend":false}}`)
				if _, err := cl.client.BatchV1().Jobs(ns).Patch(ctx, job.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					res.Err = fmt.Errorf("resuming the Job: %w", err)
					return res
				}
				suspended = false
				deadline = time.Now().Add(timeout)
			}
		}
		if err := run.act(ctx); err != nil {
			res.Err = err
			return res
		}
		res.Samples = append(res.Samples, run.sample(ctx, job.Name))
		js, _, _ = run.rec.view()
		if js == nil && !run.rec.rec.Gone.IsZero() {
			break // the last sample saw it gone (NotFound)
		}
		if js != nil && js.Terminal() != nil {
			samplesAfterEnd++
			ttl := c.Job.Spec.TTLSecondsAfterFinished
			if ttl == nil && samplesAfterEnd >= 2 {
				break
			}
			if ttl != nil && time.Since(js.Terminal().At) > time.Duration(*ttl)*time.Second+10*time.Second {
				break
			}
		}
		select {
		case <-run.rec.changed:
		case <-time.After(sampleEvery):
		}
	}
	run.rec.mu.Lock()
	run.rec.rec.WatchedUntil = time.Now()
	rec := run.rec.rec
	rec.States = slices.Clone(rec.States)
	pods := map[string]*trace.PodHistory{}
	for k, v := range rec.Pods {
		c := *v
		pods[k] = &c
	}
	rec.Pods = pods
	run.rec.mu.Unlock()
	res.Record = &rec
	res.Result = trace.Check(c, res.Record, res.Samples)
	res.List = checkList(ctx, c, res.Record, res.Samples)
	return res
}

// listCheck is how the verdicts of kubectl job list fared on a case.
type listCheck struct {
	Result  trace.Result
	Samples int // states judged
	// Blind of them were judged without their pods (explain.ListRowNeedsPods),
	// LiveBlind of those before the Job finished (suspended).
	Blind, LiveBlind int
}

// checkList judges, with the model's list columns (trace.CheckList), the
// verdicts list gives: the state the harness itself read after each sample
// (the Job, then its pods and FailedCreate events) goes through list's own
// code, kube.ListExplainedJobs with the evidence of its table, as if the
// cluster held only that. Where list reads no pods, the model still sees
// the pods the harness recorded.
func checkList(ctx context.Context, c gen.Case, rec *trace.Record, samples []trace.Sample) listCheck {
	var out listCheck
	var judged []trace.Sample
	for _, s := range samples {
		if s.Job == nil {
			continue
		}
		objs := []runtime.Object{s.Job.DeepCopy()}
		for i := range s.Pods {
			objs = append(objs, s.Pods[i].DeepCopy())
		}
		for i := range s.Events {
			if ev := &s.Events[i]; ev.Reason == string(explain.ReasonFailedCreate) && ev.InvolvedObject.Kind == "Job" {
				objs = append(objs, ev.DeepCopy())
			}
		}
		got, err := kube.ListExplainedJobs(ctx, fake.NewClientset(objs...), kube.FleetQuery{
			Scope: s.Job.Namespace, Options: metav1.ListOptions{Limit: 500}, Evidence: kube.RowEvidence, Now: s.ReadEnd})
		ls := trace.Sample{Start: s.ReadStart, End: s.ReadEnd}
		switch {
		case err != nil:
			ls.Err = err.Error()
		case got.Missing != nil:
			ls.Err = got.Missing.Error()
		case len(got.Explanations) != 1:
			ls.Err = fmt.Sprintf("list gave %d verdicts for one Job", len(got.Explanations))
		default:
			data, _ := json.Marshal(got.Explanations[0])
			if ls.Output, err = trace.DecodeOutput(data); err != nil {
				ls.Err = err.Error()
			}
			if blind := explain.Explain(explain.Input{Job: s.Job, Now: s.ReadEnd, PodsUnknown: true, EventsUnknown: true}); !explain.ListRowNeedsPods(s.Job, blind) {
				out.Blind++
				if !blind.Verdict.Phase.Finished() {
					out.LiveBlind++
				}
			}
		}
		judged = append(judged, ls)
	}
	out.Samples = len(judged)
	out.Result = trace.CheckList(c, rec, judged)
	return out
}

// prepare sets up the cluster for a live fate before the Job is created.
func (run *caseRun) prepare(ctx context.Context, job *batchv1.Job) error {
	cl := run.cl
	switch run.c.Live {
	case gen.LiveQuota:
		q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "no-pods"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("0")}}}
		if _, err := cl.client.CoreV1().ResourceQuotas(run.ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating the ResourceQuota: %w", err)
		}
		return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			q, err := cl.client.CoreV1().ResourceQuotas(run.ns).Get(ctx, "no-pods", metav1.GetOptions{})
			return err == nil && len(q.Status.Hard) > 0, nil
		})
	case gen.LiveNodeDelete:
		run.node = run.ns
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: run.node, Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{gen.NodeLabel: run.ns, "type": "kwok"}}}
		if _, err := cl.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating node %s: %w", run.node, err)
		}
		job.Spec.Template.Spec.NodeSelector = map[string]string{gen.NodeLabel: run.ns}
		return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			n, err := cl.client.CoreV1().Nodes().Get(ctx, run.node, metav1.GetOptions{})
			if err != nil || len(n.Spec.Taints) > 0 {
				return false, nil
			}
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
	}
	return nil
}

func (run *caseRun) cleanup() {
	if run.node != "" {
		_ = run.cl.client.CoreV1().Nodes().Delete(context.Background(), run.node, metav1.DeleteOptions{})
	}
}

// act does what the live fate asks of the harness at this point.
func (run *caseRun) act(ctx context.Context) error {
	cl, ns := run.cl, run.ns
	_, pods, failedCreate := run.rec.view()
	switch run.c.Live {
	case gen.LiveQuota:
		if !run.quotaGone && !failedCreate.IsZero() && time.Since(failedCreate) > quotaFor {
			if err := cl.client.CoreV1().ResourceQuotas(ns).Delete(ctx, "no-pods", metav1.DeleteOptions{}); err != nil {
				return fmt.Errorf("lifting the quota: %w", err)
			}
			run.quotaGone = true
		}
	case gen.LiveEvict, gen.LiveNodeDelete:
		for _, p := range pods {
			if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || len(run.acted) > 0 {
				continue
			}
			run.acted[p.Name] = true
			var err error
			if run.c.Live == gen.LiveEvict {
				err = cl.client.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: ns}})
			} else {
				err = cl.client.CoreV1().Nodes().Delete(ctx, run.node, metav1.DeleteOptions{})
			}
			if err != nil {
				return fmt.Errorf("%s: %w", run.c.Live, err)
			}
		}
	case gen.LiveSlowTerminate:
		return run.kubelet(ctx, pods)
	}
	return nil
}

// kubelet plays the kubelet for pods with outcome external: they run; the
// SuccessIndex pod succeeds after a second; a deleted pod ends
// gen.SlowTerminate after its deletion was seen.
func (run *caseRun) kubelet(ctx context.Context, pods []*corev1.Pod) error {
	for _, p := range pods {
		h := run.rec.pod(p.Name)
		var st *corev1.PodStatus
		terminated := func(code int32, reason string) *corev1.PodStatus {
			s := p.Status.DeepCopy()
			s.Phase = corev1.PodFailed
			if code == 0 {
				s.Phase = corev1.PodSucceeded
			}
			now := metav1.Now()
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name, Image: p.Spec.Containers[0].Image,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, StartedAt: now, FinishedAt: now}}}}
			return s
		}
		switch {
		case p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed:
		case p.DeletionTimestamp != nil:
			if h != nil && !h.DeletingAt.IsZero() && time.Since(h.DeletingAt) > gen.SlowTerminate {
				st = terminated(143, "Error")
			}
		case p.Status.Phase == corev1.PodPending && p.Spec.NodeName != "":
			s := p.Status.DeepCopy()
			now := metav1.Now()
			s.Phase, s.StartTime = corev1.PodRunning, &now
			s.ContainerStatuses = []corev1.ContainerStatus{{Name: p.Spec.Containers[0].Name, Image: p.Spec.Containers[0].Image, Ready: true, Started: ptrTo(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
			st = s
		case p.Status.Phase == corev1.PodRunning && run.c.SuccessIndex >= 0 && p.Annotations[batchv1.JobCompletionIndexAnnotation] == strconv.Itoa(run.c.SuccessIndex) &&
			p.Status.StartTime != nil && time.Since(p.Status.StartTime.Time) > time.Second:
			st = terminated(0, "Completed")
		}
		if st == nil {
			continue
		}
		p.Status = *st
		if _, err := run.cl.client.CoreV1().Pods(run.ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil && !isConflictOrGone(err) {
			return fmt.Errorf("playing the kubelet for pod %s: %w", p.Name, err)
		}
	}
	return nil
}

// sample runs the plugin, then reads the Job, its pods and the namespace's
// events for the fixture.
func (run *caseRun) sample(ctx context.Context, name string) trace.Sample {
	cl, ns := run.cl, run.ns
	s := trace.Sample{Start: time.Now()}
	out, err := cl.plugin(ctx, "explain", name, "-n", ns, "-o", "json")
	s.End = time.Now()
	switch {
	case err != nil:
		s.Err = err.Error()
	case out.Code != 0:
		s.Err = fmt.Sprintf("exit %d: %s", out.Code, strings.TrimSpace(out.Stderr))
	default:
		s.Raw = out.Stdout
		if s.Output, err = trace.DecodeOutput([]byte(out.Stdout)); err != nil {
			s.Err = err.Error()
		}
	}
	s.ReadStart = time.Now()
	if j, err := cl.client.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
		s.Job = j
		if pods, err := cl.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/controller-uid=" + string(j.UID)}); err == nil {
			s.Pods = pods.Items
		}
	}
	if evs, err := cl.client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err == nil {
		s.Events = evs.Items
	}
	s.ReadEnd = time.Now()
	return s
}

// runControl runs a control Job without sampling it and returns the
// controller's lag as the harness alone measured it.
func runControl(ctx context.Context, cl *cluster, ctl gen.Control) (trace.Timing, error) {
	c := gen.Case{Seed: 0, Index: ctl.Index, Job: ctl.Job, SuccessIndex: -1}
	ns, err := cl.newNamespace(ctx, fmt.Sprintf("dt-control-%d", ctl.Index))
	if err != nil {
		return trace.Timing{}, err
	}
	defer cl.deleteNamespace(ns)
	rec := newRecorder()
	stop := make(chan struct{})
	defer close(stop)
	rec.watch(cl, ns, stop)
	job := c.Job.DeepCopy()
	job.Namespace = ns
	if _, err := cl.client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		return trace.Timing{}, fmt.Errorf("creating the control Job: %w", err)
	}
	deadline := time.Now().Add(caseTimeout)
	for time.Now().Before(deadline) {
		js, _, _ := rec.view()
		rec.mu.Lock()
		deleted := rec.rec.DeletionRequested
		rec.mu.Unlock()
		switch {
		case ctl.Kind == gen.ControlDeadline && js != nil && (js.Interim() != nil || js.Terminal() != nil) && !js.StartTime.IsZero():
			d := js.Interim()
			if d == nil {
				d = js.Terminal()
			}
			if d.Reason != batchv1.JobReasonDeadlineExceeded {
				return trace.Timing{}, fmt.Errorf("control Job %s ended %s/%s, not DeadlineExceeded", ns, d.Type, d.Reason)
			}
			return trace.Timing{Kind: "deadline", Case: "control-" + strconv.Itoa(ctl.Index), Predicted: js.StartTime.Add(time.Duration(*ctl.Job.Spec.ActiveDeadlineSeconds) * time.Second), Actual: d.At}, nil
		case ctl.Kind == gen.ControlTTL && !deleted.IsZero():
			rec.mu.Lock()
			var complete *trace.Cond
			for _, st := range rec.rec.States {
				if c := st.Job.Cond(batchv1.JobComplete); c != nil {
					complete = c
					break
				}
			}
			rec.mu.Unlock()
			if complete == nil {
				return trace.Timing{}, fmt.Errorf("control Job %s was deleted before it completed", ns)
			}
			return trace.Timing{Kind: "ttl", Case: "control-" + strconv.Itoa(ctl.Index), Predicted: complete.At.Add(time.Duration(*ctl.Job.Spec.TTLSecondsAfterFinished) * time.Second), Actual: deleted}, nil
		}
		select {
		case <-rec.changed:
		case <-time.After(sampleEvery):
		}
	}
	return trace.Timing{}, fmt.Errorf("control Job %s (%s) did not end within %s", ns, ctl.Kind, caseTimeout)
}

// invalidResult is what the API server and `kubectl job create` said about a broken Job.
type invalidResult struct {
	Case             gen.Invalid
	ServerRejected   bool
	ServerMessage    string
	CreateClientCode int
	CreateServerCode int
	Err              error
}

func runInvalid(ctx context.Context, t *testing.T, seed uint64, n int) []invalidResult {
	cl := primary
	ns, err := cl.newNamespace(ctx, fmt.Sprintf("dt-%d-invalid", seed))
	if err != nil {
		return []invalidResult{{Case: gen.GenerateInvalid(seed, 0), Err: err}}
	}
	defer cl.deleteNamespace(ns)
	dir := t.TempDir()
	var out []invalidResult
	for i := range n {
		c := gen.GenerateInvalid(seed, i)
		r := invalidResult{Case: c}
		job := c.Job.DeepCopy()
		job.Namespace = ns
		_, err := cl.client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		r.ServerRejected = err != nil
		if err != nil {
			r.ServerMessage = err.Error()
		}
		file := filepath.Join(dir, c.Name()+".yaml")
		if err := os.WriteFile(file, []byte(mustYAML(job)), 0o644); err != nil {
			r.Err = err
			out = append(out, r)
			continue
		}
		for _, mode := range []string{"client", "server"} {
			res, err := cl.plugin(ctx, "create", "-f", file, "-n", ns, "--dry-run="+mode)
			if err != nil {
				r.Err = err
			}
			if mode == "client" {
				r.CreateClientCode = res.Code
			} else {
				r.CreateServerCode = res.Code
			}
		}
		out = append(out, r)
	}
	return out
}

func writeFixture(path string, r *caseResult, probs []trace.Problem) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // a failed write is reported by WriteFixture
	return trace.WriteFixture(f, trace.Fixture{Case: r.Case, Record: r.Record, Problems: probs, Samples: r.Samples}, r.Namespace)
}

func specYAML(c gen.Case) string {
	s := mustYAML(c.Job)
	if c.ResumeAfter > 0 {
		s += fmt.Sprintf("# created suspended, resumed %s after the suspension took effect\n", c.ResumeAfter)
	}
	if c.Live != "" {
		s += "# " + c.Live + "\n"
	}
	return s
}

func mustYAML(v any) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(data)
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// gitCommit is the commit the run tested, "+dirty" when pkg/ had
// uncommitted changes (hack/accuracy-fresh.sh then refuses the report).
func gitCommit(t *testing.T) string {
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", "pkg", "cmd").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		commit += "+dirty"
	}
	return commit
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ptrTo[T any](v T) *T { return &v }
