//go:build e2e

package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/test/difftest/gen"
	"github.com/kubectl-job/kubectl-job/test/difftest/trace"
)

const (
	sampleEvery = 500 * time.Millisecond
	caseTimeout = 90 * time.Second
)

// caseResult is everything one case produced.
type caseResult struct {
	Case      gen.Case
	Namespace string
	Truth     trace.Truth
	Samples   []trace.Sample
	Problems  []trace.Problem
	Stats     trace.Stats
	Err       error
	Took      time.Duration
	Fixture   string
}

// TestDifferential runs DIFFTEST_N random Jobs (seed DIFFTEST_SEED) on the
// cluster, DIFFTEST_PARALLEL at a time, samples `kubectl job explain -o json`
// and checks it against what the job controller did (trace.Check). Every
// disagreement is saved under pkg/explain/testdata/difftest/; with
// DIFFTEST_REPORT the accuracy table is written there.
func TestDifferential(t *testing.T) {
	n := envInt("DIFFTEST_N", 12)
	seed := uint64(envInt("DIFFTEST_SEED", 1))
	par := envInt("DIFFTEST_PARALLEL", 16)
	nInvalid := envInt("DIFFTEST_INVALID", min(gen.InvalidKinds, max(3, n/10)))
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
		nInvalid = 0
	}
	t.Logf("difftest: seed %d, %d cases, %d at a time, %d invalid specs", seed, len(cases), par, nInvalid)

	start := time.Now()
	ctx := context.Background()
	results := make([]*caseResult, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runCase(ctx, c)
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

	fixtureDir := filepath.Join(repoRoot(t), "pkg", "explain", "testdata", "difftest")
	for _, r := range results {
		t.Run(r.Case.Name(), func(t *testing.T) {
			if r.Err != nil {
				t.Errorf("seed %d case %d: %v\nspec:\n%s", r.Case.Seed, r.Case.Index, r.Err, specYAML(r.Case))
				return
			}
			dis := trace.Disagreements(r.Problems)
			if len(dis) > 0 {
				path := filepath.Join(fixtureDir, r.Case.Name()+".yaml")
				if err := writeFixture(path, r); err != nil {
					t.Errorf("saving fixture: %v", err)
				} else {
					r.Fixture = path
				}
			}
			for _, p := range r.Problems {
				msg := fmt.Sprintf("seed %d case %d (%s): %s", r.Case.Seed, r.Case.Index, r.Namespace, p)
				if p.Check == trace.CheckSampling {
					t.Log("not checked: " + msg)
				} else if p.Check == trace.CheckLate {
					t.Log("controller lag: " + msg)
				} else {
					t.Error(msg)
				}
			}
			if len(dis) > 0 {
				t.Logf("spec:\n%s\ntruth: %s\nfixture: %s", specYAML(r.Case), jsonString(r.Truth), r.Fixture)
			}
		})
	}
	for _, inv := range invalid {
		t.Run(inv.Case.Name(), func(t *testing.T) {
			if inv.Err != nil {
				t.Errorf("%s (%s): %v", inv.Case.Kind, inv.Case.Why, inv.Err)
			}
			if !inv.ServerRejected && inv.CreateClientCode != 0 {
				// Same verdict required: create must not refuse what the server takes.
				t.Errorf("seed %d invalid %d (%s): the API server accepts it, but `kubectl job create -f --dry-run=client` refuses it (exit %d): %s\nspec:\n%s",
					inv.Case.Seed, inv.Case.Index, inv.Case.Kind, inv.CreateClientCode, strings.TrimSpace(inv.CreateClientOut), mustYAML(inv.Case.Job))
			} else if !inv.ServerRejected {
				t.Errorf("seed %d invalid %d (%s: %s): the API server accepted it\nspec:\n%s", inv.Case.Seed, inv.Case.Index, inv.Case.Kind, inv.Case.Why, mustYAML(inv.Case.Job))
			}
			if inv.ServerRejected != (inv.CreateServerCode != 0) {
				t.Errorf("seed %d invalid %d (%s): API server rejected=%v but `kubectl job create -f --dry-run=server` exited %d\n%s",
					inv.Case.Seed, inv.Case.Index, inv.Case.Kind, inv.ServerRejected, inv.CreateServerCode, inv.CreateServerOut)
			}
			if inv.CreateClientCode == 0 {
				t.Logf("not caught by `kubectl job create` validation (--dry-run=client exit 0); the API server: %s", inv.ServerMessage)
			}
		})
	}
	if path := os.Getenv("DIFFTEST_REPORT"); path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(repoRoot(t), path)
		}
		if err := os.WriteFile(path, []byte(renderReport(seed, n, par, elapsed, results, invalid)), 0o644); err != nil {
			t.Errorf("writing the report: %v", err)
		}
		t.Logf("report written to %s", path)
	}
	t.Logf("difftest: %d cases in %s", len(cases), elapsed.Round(time.Second))
}

// recorder keeps the ground truth from the Job and pod informers.
type recorder struct {
	mu sync.Mutex
	// finished is closed when the terminal condition is first seen, so a
	// sample starts at once even while the loop's sample is running (with
	// a short TTL on a busy machine the Job may be gone before the next).
	finished chan struct{}
	truth    trace.Truth
	lastJob  *batchv1.Job
	pods     map[types.UID]*corev1.Pod
	changed  chan struct{}
	terminal bool
	gone     bool
}

func (r *recorder) job(obj any, deleted bool) {
	now := time.Now()
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	j, ok := obj.(*batchv1.Job)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastJob = j
	tr := &r.truth
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete, batchv1.JobFailed:
			if tr.Terminal == "" {
				tr.Terminal, tr.Reason, tr.TerminalAt = string(c.Type), c.Reason, c.LastTransitionTime.Time
				r.terminal = true
				close(r.finished)
				r.notify()
			}
		case batchv1.JobFailureTarget, batchv1.JobSuccessCriteriaMet:
			if tr.Interim == "" {
				tr.Interim, tr.InterimAt = string(c.Type), c.LastTransitionTime.Time
				r.notify()
			}
		}
	}
	tr.Failed, tr.Succeeded = j.Status.Failed, j.Status.Succeeded
	if j.Status.StartTime != nil {
		tr.StartTime = j.Status.StartTime.Time
	}
	tr.FailedIndexes = ptrString(j.Status.FailedIndexes)
	tr.CompletedIndexes = j.Status.CompletedIndexes
	if j.DeletionTimestamp != nil && tr.DeletionRequested.IsZero() {
		tr.DeletionRequested = now
	}
	if deleted && tr.Gone.IsZero() {
		tr.Gone = now
		r.gone = true
		r.notify()
	}
}

func (r *recorder) pod(obj any, deleted bool) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if deleted {
		delete(r.pods, p.UID)
	} else {
		r.pods[p.UID] = p
	}
	// What the controller compares to backoffLimit for OnFailure: the
	// restarts of pods that are pending or running.
	var sum int32
	for _, p := range r.pods {
		if p.Status.Phase != corev1.PodPending && p.Status.Phase != corev1.PodRunning {
			continue
		}
		for _, cs := range p.Status.InitContainerStatuses {
			sum += cs.RestartCount
		}
		for _, cs := range p.Status.ContainerStatuses {
			sum += cs.RestartCount
		}
	}
	r.truth.MaxActiveRestarts = max(r.truth.MaxActiveRestarts, sum)
}

func (r *recorder) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) state() (terminal, gone bool, truth trace.Truth) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.terminal, r.gone, r.truth
}

func runCase(ctx context.Context, c gen.Case) *caseResult {
	res := &caseResult{Case: c}
	began := time.Now()
	defer func() { res.Took = time.Since(began) }()
	ns, err := newNamespace(ctx, fmt.Sprintf("dt-%d-%d", c.Seed, c.Index))
	if err != nil {
		res.Err = err
		return res
	}
	res.Namespace = ns
	defer deleteNamespace(ns)

	rec := &recorder{pods: map[types.UID]*corev1.Pod{}, changed: make(chan struct{}, 1), finished: make(chan struct{})}
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(ns))
	jobInf := factory.Batch().V1().Jobs().Informer()
	_, _ = jobInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { rec.job(o, false) },
		UpdateFunc: func(_, o any) { rec.job(o, false) },
		DeleteFunc: func(o any) { rec.job(o, true) },
	})
	podInf := factory.Core().V1().Pods().Informer()
	_, _ = podInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { rec.pod(o, false) },
		UpdateFunc: func(_, o any) { rec.pod(o, false) },
		DeleteFunc: func(o any) { rec.pod(o, true) },
	})
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	factory.WaitForCacheSync(stop)

	job := c.Job.DeepCopy()
	job.Namespace = ns
	if _, err := client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		res.Err = fmt.Errorf("creating the Job: %w", err)
		return res
	}
	deadline := time.Now().Add(caseTimeout)
	var resumeAt time.Time
	suspended := c.ResumeAfter > 0
	var samplesMu sync.Mutex
	sample := func() trace.Sample {
		s := takeSample(ctx, ns, job.Name)
		samplesMu.Lock()
		defer samplesMu.Unlock()
		res.Samples = append(res.Samples, s)
		return s
	}
	var finishSample sync.WaitGroup
	finishSample.Add(1)
	caseDone := make(chan struct{})
	go func() {
		defer finishSample.Done()
		select {
		case <-rec.finished:
			sample()
		case <-caseDone:
		}
	}()
	var terminalSamples int
	for time.Now().Before(deadline) {
		if suspended {
			// Resume once the suspension took effect, ResumeAfter later.
			if resumeAt.IsZero() {
				if j, err := client.BatchV1().Jobs(ns).Get(ctx, job.Name, metav1.GetOptions{}); err == nil && hasCondition(j, batchv1.JobSuspended) {
					resumeAt = time.Now().Add(c.ResumeAfter)
				}
			} else if time.Now().After(resumeAt) {
				patch := []byte(`{"spec":{"suspend":false}}`)
				if _, err := client.BatchV1().Jobs(ns).Patch(ctx, job.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					res.Err = fmt.Errorf("resuming the Job: %w", err)
					return res
				}
				rec.mu.Lock()
				rec.truth.Resumed = time.Now()
				rec.mu.Unlock()
				suspended = false
				deadline = time.Now().Add(caseTimeout)
			}
		}
		if last := sample(); last.Explanation != nil && last.Explanation.Verdict.Phase.Finished() {
			terminalSamples++
		}
		terminal, gone, truth := rec.state()
		if terminal {
			if c.Job.Spec.TTLSecondsAfterFinished == nil {
				if terminalSamples >= 2 {
					break
				}
			} else {
				expiry := truth.TerminalAt.Add(time.Duration(*c.Job.Spec.TTLSecondsAfterFinished)*time.Second + 10*time.Second)
				if gone || time.Now().After(expiry) {
					if gone {
						sample() // the plugin must now say NotFound
					}
					break
				}
			}
		}
		select {
		case <-rec.changed:
		case <-time.After(sampleEvery):
		}
	}
	close(caseDone)
	finishSample.Wait()
	slices.SortFunc(res.Samples, func(a, b trace.Sample) int { return a.At.Compare(b.At) })
	rec.mu.Lock()
	rec.truth.WatchedUntil = time.Now()
	res.Truth = rec.truth
	rec.mu.Unlock()
	res.Problems, res.Stats = trace.Check(c, res.Truth, res.Samples)
	return res
}

// takeSample runs the plugin, then reads the Job, its pods and the
// namespace's events for the fixture.
func takeSample(ctx context.Context, ns, name string) trace.Sample {
	s := trace.Sample{At: time.Now()}
	out, err := plugin(ctx, "explain", name, "-n", ns, "-o", "json")
	switch {
	case err != nil:
		s.Err = err.Error()
	case out.Code != 0 && out.Code != 5: // 5: partial (pods or events unreadable)
		s.Err = fmt.Sprintf("exit %d: %s", out.Code, strings.TrimSpace(out.Stderr))
	default:
		s.Explanation = &explain.JobExplanation{}
		if err := json.Unmarshal([]byte(out.Stdout), s.Explanation); err != nil {
			s.Explanation, s.Err = nil, fmt.Sprintf("decoding the plugin's JSON: %v", err)
		}
	}
	if j, err := client.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
		s.Job = j
		if pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/controller-uid=" + string(j.UID)}); err == nil {
			s.Pods = pods.Items
		}
	} else if !apierrors.IsNotFound(err) {
		s.Err += fmt.Sprintf(" (snapshot: %v)", err)
	}
	if evs, err := client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err == nil {
		s.Events = evs.Items
	}
	return s
}

func hasCondition(j *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// invalidResult is what the API server and `kubectl job create` said about a broken Job.
type invalidResult struct {
	Case             gen.Invalid
	ServerRejected   bool
	ServerMessage    string
	CreateClientCode int
	CreateClientOut  string
	CreateServerCode int
	CreateServerOut  string
	Err              error
}

func runInvalid(ctx context.Context, t *testing.T, seed uint64, n int) []invalidResult {
	ns, err := newNamespace(ctx, fmt.Sprintf("dt-%d-invalid", seed))
	if err != nil {
		return []invalidResult{{Case: gen.GenerateInvalid(seed, 0), Err: err}}
	}
	defer deleteNamespace(ns)
	dir := t.TempDir()
	var out []invalidResult
	for i := range n {
		c := gen.GenerateInvalid(seed, i)
		r := invalidResult{Case: c}
		job := c.Job.DeepCopy()
		job.Namespace = ns
		_, err := client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
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
			res, err := plugin(ctx, "create", "-f", file, "-n", ns, "--dry-run="+mode)
			if err != nil {
				r.Err = err
			}
			if mode == "client" {
				r.CreateClientCode, r.CreateClientOut = res.Code, res.Stderr
			} else {
				r.CreateServerCode, r.CreateServerOut = res.Code, res.Stderr
			}
		}
		out = append(out, r)
	}
	return out
}

func writeFixture(path string, r *caseResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // a failed write is reported by Encode
	return trace.WriteFixture(f, trace.Fixture{Case: r.Case, Truth: r.Truth, Problems: trace.Disagreements(r.Problems), Samples: r.Samples}, r.Namespace)
}

func specYAML(c gen.Case) string {
	s := mustYAML(c.Job)
	if c.ResumeAfter > 0 {
		s += fmt.Sprintf("# created suspended, resumed %s after the suspension took effect\n", c.ResumeAfter)
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

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func ptrString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}
