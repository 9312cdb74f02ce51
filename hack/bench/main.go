// Command bench populates a local cluster with a fleet of Jobs and measures
// kubectl-job against kubectl on it: wall time, peak RSS and API requests,
// alternating the commands over several rounds and reporting medians. It
// writes docs/benchmarks.md. Run it through `make bench` (hack/bench.sh),
// which starts a fresh cluster and puts bin/kubectl-job on PATH.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

const (
	jobsPerNamespace = 500 // fleetKinds
	bigNS, bigJob    = "bench-big", "big"
	logsNS, logsJob  = "bench-logs", "logs"
	followJob        = "follow"
	waitNS           = "bench-wait"
	logsPods         = 100
)

// bigSizes are the pods of the Jobs explain is measured on (cost growth);
// the one of 1,000 pods is the Job of the explain targets.
var bigSizes = []int{100, 1000, 5000}

func bigName(pods int) string {
	if pods == 1000 {
		return bigJob
	}
	return fmt.Sprintf("%s-%d", bigJob, pods)
}

func main() {
	var (
		kubeconfig = flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to populate and measure")
		out        = flag.String("out", "docs/benchmarks.md", "report to write when every target is met")
		failedOut  = flag.String("failed-out", "", "report to write instead when a target is missed (default: OUT with .failed.md)")
		rounds     = flag.Int("rounds", 7, "A/B rounds per comparison (the slow logs loop runs fewer)")
		nodes      = flag.Int("nodes", 4, "simulated nodes the cluster has (kwok-node-0..N-1)")
		scale      = flag.String("scale", "2k", "fleet size: 2k (500 and 2,000 Jobs) or 10k (also 10,000 Jobs)")
		stern      = flag.String("stern", "stern", "the stern binary (hack/tools/stern)")
		goBench    = flag.String("go-bench", "", "file with `go test -bench` output to include")
		commit     = flag.String("commit", "", "commit the binaries were built from")
		startFloor = flag.String("start-floor", "", "the startfloor binary (hack/bench/startfloor), measured with start-up")
		auditLog   = flag.String("audit-log", "", "the API server's audit log (hack/bench/audit-policy.yaml), the clock of the request floor")
		only       = flag.String("only", "", "on a running cluster, no report: follow measures only logs -f against stern (-rounds pods); floor only explain's requests against their raw floor (needs -audit-log and a bench fleet)")
	)
	flag.Parse()
	if *only == "follow" {
		if err := followOnly(*kubeconfig, *stern, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		return
	}
	if *only == "floor" {
		r := &report{Rounds: *rounds, AuditLog: *auditLog}
		cs := explainComparisons(r)
		c := cs[slices.IndexFunc(cs, func(c *comparison) bool { return c.Floor != nil })]
		err := c.measure()
		if err == nil {
			err = c.Floor.measure(c)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		value, ok := floorAtMost(floorLimit)(c)
		fmt.Printf("ok=%v %s\nserver time: ours %v raw %v control %v\nto headers: ours %v raw %v\n", ok, value, c.Floor.Ours, c.Floor.Raw, c.Floor.Control, c.Floor.OursHeaders, c.Floor.RawHeaders)
		return
	}
	if *scale != "2k" && *scale != "10k" {
		fmt.Fprintf(os.Stderr, "error: -scale must be 2k or 10k, got %q\n", *scale)
		os.Exit(1)
	}
	if *failedOut == "" {
		*failedOut = strings.TrimSuffix(*out, ".md") + ".failed.md"
	}
	r := &report{Started: time.Now(), Rounds: *rounds, Scale: *scale, Commit: *commit, Stern: *stern, StartFloor: *startFloor, AuditLog: *auditLog}
	if err := run(r, *kubeconfig, *nodes, *goBench); err != nil {
		// What was measured before the error still helps: in the failed report.
		if werr := writeReport(*failedOut, r); werr == nil {
			printTargets(os.Stderr, r)
			fmt.Fprintf(os.Stderr, "the report so far is in %s\n", *failedOut)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	path := *out
	missed := r.missedTargets()
	if len(missed) > 0 {
		path = *failedOut
	}
	if err := writeReport(path, r); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	printTargets(os.Stderr, r)
	if len(missed) > 0 {
		fmt.Fprintf(os.Stderr, "error: %d target(s) missed; the report is in %s (%s keeps the last passing run)\n", len(missed), path, *out)
		os.Exit(1)
	}
	logf("every target met; report in %s", path)
}

func run(r *report, kubeconfig string, nodes int, goBench string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("reading kubeconfig: %w", err)
	}
	// Populating is bulk work on a private cluster: no client-side throttling.
	cfg.QPS = -1
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	tiers := []int{1, 4} // namespaces of 500 Jobs: 500, then 2,000 Jobs
	if r.Scale == "10k" {
		tiers = append(tiers, 20)
	}
	start := time.Now()
	if err := populateBase(ctx, client, nodes, &r.Fleet); err != nil {
		return err
	}
	made := 0
	for _, nsCount := range tiers {
		t := time.Now()
		if err := populateTier(ctx, client, nodes, made, nsCount, &r.Fleet); err != nil {
			return err
		}
		made = nsCount
		r.Fleet.Took = time.Since(start)
		logf("fleet of %d Jobs ready (tier took %s): %s", nsCount*jobsPerNamespace, time.Since(t).Round(time.Second), r.Fleet)
		if err := measureTier(ctx, client, r, nsCount*jobsPerNamespace, nsCount == 4); err != nil {
			return err
		}
	}
	if goBench != "" {
		data, err := os.ReadFile(goBench)
		if err != nil {
			return err
		}
		r.GoBench = string(data)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// fleet is what populate made, and how.
type fleet struct {
	Jobs, Pods, ControllerJobs, ControllerPods int64
	Took                                       time.Duration
}

func (f fleet) String() string {
	return fmt.Sprintf("%d Jobs with %d pods written by the bench (managedBy), %d Jobs with %d pods run by the job controller",
		f.Jobs, f.Pods, f.ControllerJobs, f.ControllerPods)
}

type item struct {
	job *batchv1.Job
	k   kind
}

// populateBase makes what every tier shares: the namespaces of the explain,
// logs and wait measurements, the Jobs explain is measured on, and the real
// logs Job (run by the job controller, scheduler and KWOK).
func populateBase(ctx context.Context, c kubernetes.Interface, nodes int, f *fleet) error {
	for _, ns := range []string{bigNS, logsNS, waitNS} {
		if err := createNamespace(ctx, c, ns); err != nil {
			return err
		}
	}
	logs := newJob(logsNS, logsJob, false)
	logs.Spec.Completions, logs.Spec.Parallelism = ptr.To[int32](logsPods), ptr.To[int32](logsPods)
	logs.Spec.Template.Annotations["sim.kubectl-job.io/duration"] = "2s"
	logs.Spec.Template.Annotations["sim.kubectl-job.io/logs"] = "starting $(POD_NAME)\nprocessing shard of $(POD_NAME)\nwrote 1000 records\ndone"
	if err := waitForServiceAccount(ctx, c, logsNS); err != nil {
		return err
	}
	if _, err := c.BatchV1().Jobs(logsNS).Create(ctx, logs, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the logs job: %w", err)
	}
	var items []item
	for _, n := range bigSizes {
		items = append(items, item{newJob(bigNS, bigName(n), true), bigKind(n)})
	}
	if err := createItems(ctx, c, nodes, items, f); err != nil {
		return err
	}
	f.ControllerJobs, f.ControllerPods = 1, logsPods
	logf("waiting for the logs job (run by the job controller) to complete")
	return waitForCondition(ctx, c, logsNS, logsJob, batchv1.JobComplete, 5*time.Minute)
}

// populateTier adds fleet namespaces bench-from .. bench-(to-1), 500 Jobs each.
func populateTier(ctx context.Context, c kubernetes.Interface, nodes, from, to int, f *fleet) error {
	var items []item
	for i := from; i < to; i++ {
		ns := fleetNamespace(i)
		if err := createNamespace(ctx, c, ns); err != nil {
			return err
		}
		for _, k := range fleetKinds() {
			for n := range k.perNS {
				items = append(items, item{newJob(ns, fmt.Sprintf("%s-%03d", k.name, n), true), k})
			}
		}
	}
	if err := createItems(ctx, c, nodes, items, f); err != nil {
		return err
	}
	return waitForReal(ctx, c, from, to)
}

// waitForReal waits until every pod of the real Jobs (run by the job
// controller) of namespaces from..to-1 is in the state its kind intends:
// running and ready, unschedulable, or failing its image pull. Until then
// list rounds would see different fleets.
func waitForReal(ctx context.Context, c kubernetes.Interface, from, to int) error {
	want := 0
	for _, k := range fleetKinds() {
		want += k.perNS * k.realPods
	}
	want *= to - from
	deadline := time.Now().Add(10 * time.Minute)
	for {
		got := 0
		for i := from; i < to; i++ {
			pods, err := c.CoreV1().Pods(fleetNamespace(i)).List(ctx, metav1.ListOptions{LabelSelector: realLabel})
			if err != nil {
				return err
			}
			for _, p := range pods.Items {
				if settled(&p) {
					got++
				}
			}
		}
		if got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after 10 minutes %d of the %d pods of the real Jobs are as intended", got, want)
		}
		time.Sleep(2 * time.Second)
	}
}

// settled: running and ready, unschedulable, or failing its image pull.
func settled(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse ||
			c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason == "ImagePullBackOff" {
			return true
		}
	}
	return false
}

func createItems(ctx context.Context, c kubernetes.Interface, nodes int, items []item, f *fleet) error {
	var counts fleetCounts
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(15 * time.Second):
				logf("populating: %d jobs, %d pods", counts.jobs.Load()+counts.realJobs.Load(), counts.pods.Load())
			}
		}
	}()
	now := time.Now()
	err := parallel(ctx, 24, items, func(ctx context.Context, it item) error {
		return createManagedJob(ctx, c, it.job, it.k, nodes, now, &counts)
	})
	close(done)
	f.Jobs += counts.jobs.Load()
	f.Pods += counts.pods.Load()
	f.ControllerJobs += counts.realJobs.Load()
	f.ControllerPods += counts.realPods.Load()
	return err
}

func createNamespace(ctx context.Context, c kubernetes.Interface, ns string) error {
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating namespace %s: %w", ns, err)
	}
	return nil
}

func waitForCondition(ctx context.Context, c kubernetes.Interface, ns, name string, want batchv1.JobConditionType, timeout time.Duration) error {
	err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cd := range j.Status.Conditions {
			if cd.Type == want && cd.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("job %s/%s did not reach %s: %w", ns, name, want, err)
	}
	return nil
}

func fleetNamespace(i int) string { return fmt.Sprintf("bench-%d", i) }

// bigKind is an Indexed Job of n pods explain and describe are measured on:
// 90% of its indexes done, 5% failed once and running again.
func bigKind(n int) kind {
	done, retried := n*9/10, n/20
	return kind{
		name:  bigName(n),
		build: indexed(int32(n), int32(max(1, n/20)), withBackoff(int32(n/10))),
		podsOf: func(_ *batchv1.Job, at time.Time) []podFate {
			var out []podFate
			t := at.Add(-time.Hour)
			for i := range done {
				out = append(out, podFate{phase: corev1.PodSucceeded, index: i, reason: "Completed", started: t, finished: t.Add(time.Minute)})
			}
			for i := done; i < done+retried; i++ {
				out = append(out, podFate{phase: corev1.PodFailed, index: i, exitCode: 1, reason: "Error", started: at.Add(-10 * time.Minute), finished: at.Add(-8 * time.Minute)})
				out = append(out, podFate{phase: corev1.PodRunning, index: i, started: at.Add(-7 * time.Minute)})
			}
			return out
		},
		statusOf: active,
	}
}

func waitForServiceAccount(ctx context.Context, c kubernetes.Interface, ns string) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}

// shellQuote is for the report's command lines.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " $'\"|;&()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
