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
	fleetNamespaces = 4
	bigNS, bigJob   = "bench-big", "big"
	logsNS, logsJob = "bench-logs", "logs"
	waitNS          = "bench-wait"
	logsPods        = 100
)

func main() {
	var (
		kubeconfig = flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to populate and measure")
		out        = flag.String("out", "docs/benchmarks.md", "report to write")
		rounds     = flag.Int("rounds", 5, "A/B rounds per comparison (the slow logs loop runs fewer)")
		nodes      = flag.Int("nodes", 4, "simulated nodes the cluster has (kwok-node-0..N-1)")
		populate   = flag.Bool("populate", true, "create the fleet first (false: it is already there)")
		goBench    = flag.String("go-bench", "", "file with `go test -bench` output to include")
	)
	flag.Parse()
	if err := run(*kubeconfig, *out, *rounds, *nodes, *populate, *goBench); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, out string, rounds, nodes int, populate bool, goBench string) error {
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
	r := &report{Started: time.Now(), Rounds: rounds}
	if populate {
		start := time.Now()
		fleet, err := populateFleet(ctx, client, nodes)
		if err != nil {
			return err
		}
		r.Fleet = fleet
		r.Fleet.Took = time.Since(start)
		logf("fleet ready in %s: %s", r.Fleet.Took.Round(time.Second), r.Fleet)
	}
	if err := measureAll(ctx, client, r); err != nil {
		return err
	}
	if goBench != "" {
		data, err := os.ReadFile(goBench)
		if err != nil {
			return err
		}
		r.GoBench = string(data)
	}
	return writeReport(out, r)
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
	return fmt.Sprintf("%d Jobs with %d pods written by the bench (managedBy), %d Job with %d pods run by the job controller",
		f.Jobs, f.Pods, f.ControllerJobs, f.ControllerPods)
}

func populateFleet(ctx context.Context, c kubernetes.Interface, nodes int) (fleet, error) {
	for _, ns := range append(fleetNamespaceNames(), bigNS, logsNS, waitNS) {
		if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return fleet{}, fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	// The logs Job runs for real first: the job controller, scheduler and
	// KWOK work on it while the bench writes the managed fleet.
	logs := newJob(logsNS, logsJob, false)
	logs.Spec.Completions, logs.Spec.Parallelism = ptr.To[int32](logsPods), ptr.To[int32](logsPods)
	logs.Spec.Template.Annotations["sim.kubectl-job.io/duration"] = "2s"
	logs.Spec.Template.Annotations["sim.kubectl-job.io/logs"] = "starting $(POD_NAME)\nprocessing shard of $(POD_NAME)\nwrote 1000 records\ndone"
	if err := waitForServiceAccount(ctx, c, logsNS); err != nil {
		return fleet{}, err
	}
	if _, err := c.BatchV1().Jobs(logsNS).Create(ctx, logs, metav1.CreateOptions{}); err != nil {
		return fleet{}, fmt.Errorf("creating the logs job: %w", err)
	}

	now := time.Now()
	type item struct {
		job *batchv1.Job
		k   kind
	}
	var items []item
	for _, ns := range fleetNamespaceNames() {
		for _, k := range fleetKinds() {
			for i := range k.perNS {
				items = append(items, item{newJob(ns, fmt.Sprintf("%s-%03d", k.name, i), true), k})
			}
		}
	}
	items = append(items, item{newJob(bigNS, bigJob, true), bigKind()})
	var counts fleetCounts
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(15 * time.Second):
				logf("populating: %d jobs, %d pods", counts.jobs.Load(), counts.pods.Load())
			}
		}
	}()
	err := parallel(ctx, 24, items, func(ctx context.Context, it item) error {
		return createManagedJob(ctx, c, it.job, it.k, nodes, now, &counts)
	})
	close(done)
	if err != nil {
		return fleet{}, err
	}
	f := fleet{Jobs: counts.jobs.Load(), Pods: counts.pods.Load(), ControllerJobs: 1, ControllerPods: logsPods}
	logf("waiting for the logs job (run by the job controller) to complete")
	err = wait.PollUntilContextTimeout(ctx, time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(logsNS).Get(ctx, logsJob, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cd := range j.Status.Conditions {
			if cd.Type == batchv1.JobComplete && cd.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return f, fmt.Errorf("the logs job did not complete: %w", err)
	}
	return f, nil
}

func fleetNamespaceNames() []string {
	var out []string
	for i := range fleetNamespaces {
		out = append(out, fmt.Sprintf("bench-%d", i))
	}
	return out
}

// bigKind is the 1,000-pod Indexed Job explain and describe are measured on:
// 900 indexes done, 50 failed once and running again.
func bigKind() kind {
	return kind{
		name:  bigJob,
		build: indexed(1000, 50, withBackoff(100)),
		podsOf: func(_ *batchv1.Job, at time.Time) []podFate {
			var out []podFate
			t := at.Add(-time.Hour)
			for i := range 900 {
				out = append(out, podFate{phase: corev1.PodSucceeded, index: i, reason: "Completed", started: t, finished: t.Add(time.Minute)})
			}
			for i := 900; i < 950; i++ {
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
