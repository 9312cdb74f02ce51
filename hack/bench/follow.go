package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	batchv1 "k8s.io/api/batch/v1"
)

// followResult is each follower's first-line latency per new pod: from the
// bench's own watch seeing the pod created to the follower printing the
// pod's first line.
type followResult struct {
	Labels    []string
	Latencies [][]time.Duration
	// Missed counts the pods a peer never printed a line of (counted and
	// shown; for kubectl job it is an error instead).
	Missed []int
	Pods   int
	// Early counts the pods created before the followers settled: not
	// measured.
	Early int
	// Paired is, per pod both printed, kubectl job's latency minus stern's.
	Paired []time.Duration
}

// later is on how many of the pods both printed kubectl job printed the
// first line later than stern, of n.
func (f *followResult) later() (later, n int) {
	for _, d := range f.Paired {
		if d > 0 {
			later++
		}
	}
	return later, len(f.Paired)
}

// tieBound is the most pods of n on which one of two equally fast followers
// comes later with probability 97.5 % (sign test, normal approximation):
// beyond it, kubectl job is slower than stern, not level with it.
func tieBound(n int) int {
	return int(math.Floor(float64(n)/2 + 1.96*math.Sqrt(float64(n))/2))
}

// podFirstLine matches the first line every pod of the follow Job logs.
var podFirstLine = regexp.MustCompile(`starting (` + followJob + `-\S+)`)

// measureFollow runs kubectl job logs -f and stern side by side on one real
// Job whose pods (one at a time, pods of them in all) the job controller
// creates while both follow it.
func measureFollow(ctx context.Context, c kubernetes.Interface, stern string, pods int) (*followResult, error) {
	j := newJob(logsNS, followJob, false)
	// Two more pods than measured: those created before both followers
	// settled into their watches are not measured (follow ends at once on a
	// suspended Job, so the Job runs from the start).
	j.Spec.Completions, j.Spec.Parallelism = ptr.To(int32(pods+2)), ptr.To[int32](1)
	j.Spec.Template.Annotations["sim.kubectl-job.io/duration"] = "2s"
	j.Spec.Template.Annotations["sim.kubectl-job.io/logs"] = "starting $(POD_NAME)\ndone"
	if _, err := c.BatchV1().Jobs(logsNS).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	w, err := c.CoreV1().Pods(logsNS).Watch(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=" + followJob})
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	created := map[string]time.Time{}
	var mu sync.Mutex
	go func() {
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Added {
				mu.Lock()
				if _, seen := created[p.Name]; !seen {
					created[p.Name] = time.Now()
				}
				mu.Unlock()
			}
		}
	}()
	res := &followResult{Labels: []string{"kubectl job logs -f follow", "stern -l batch.kubernetes.io/job-name=follow"}, Pods: pods}
	followers := [][]string{
		kj("logs", "-f", followJob, "-n", logsNS),
		{stern, "-n", logsNS, "-l", "batch.kubernetes.io/job-name=" + followJob, "--color", "never"},
	}
	seen := make([]map[string]time.Time, len(followers))
	var procs []*exec.Cmd
	var readers sync.WaitGroup
	stderr := make([]*bytes.Buffer, len(followers))
	for i, args := range followers {
		cmd := exec.Command(args[0], args[1:]...)
		stderr[i] = &bytes.Buffer{}
		cmd.Stderr = stderr[i]
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("%s: %w", shellQuote(args), err)
		}
		procs = append(procs, cmd)
		seen[i] = map[string]time.Time{}
		readers.Add(1)
		go func(i int, out io.Reader) {
			defer readers.Done()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if m := podFirstLine.FindStringSubmatch(sc.Text()); m != nil {
					mu.Lock()
					if _, ok := seen[i][m[1]]; !ok {
						seen[i][m[1]] = time.Now()
					}
					mu.Unlock()
				}
			}
		}(i, out)
	}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	}()
	time.Sleep(3 * time.Second) // both settle into their watches
	settled := time.Now()
	if err := waitForCondition(ctx, c, logsNS, followJob, batchv1.JobComplete, 5*time.Minute); err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second) // the last lines reach both
	for _, p := range procs {
		_ = p.Process.Kill()
	}
	readers.Wait()
	mu.Lock()
	defer mu.Unlock()
	for pod, at := range created {
		if at.Before(settled) {
			delete(created, pod)
			res.Early++
		}
	}
	if len(created) < pods {
		return nil, fmt.Errorf("the bench's watch saw %d pods of job %s created after the followers settled, want %d", len(created), followJob, pods)
	}
	res.Latencies, res.Missed = make([][]time.Duration, len(followers)), make([]int, len(followers))
	for i := range followers {
		for pod, at := range created {
			line, ok := seen[i][pod]
			switch {
			case !ok && i == 0:
				// A pod kubectl job never showed is a failure, not a skipped sample.
				return nil, fmt.Errorf("%s never printed the first line of pod %s; its stderr:\n%s", res.Labels[i], pod, tail(stderr[i].String()))
			case !ok:
				res.Missed[i]++
				logf("%s never printed the first line of pod %s (counted as missed)", res.Labels[i], pod)
			default:
				res.Latencies[i] = append(res.Latencies[i], line.Sub(at))
			}
		}
	}
	for pod := range created {
		ours, ok0 := seen[0][pod]
		theirs, ok1 := seen[1][pod]
		if ok0 && ok1 {
			res.Paired = append(res.Paired, ours.Sub(theirs))
		}
	}
	if len(res.Latencies[1]) == 0 {
		return nil, fmt.Errorf("%s printed no pod's first line", res.Labels[1])
	}
	return res, nil
}

// followOnly is bench -only follow: the logs -f measurement alone, on a
// running cluster (its namespace and Job are made afresh), printed.
func followOnly(kubeconfig, stern string, pods int) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	_ = c.CoreV1().Namespaces().Delete(ctx, logsNS, metav1.DeleteOptions{})
	for {
		if _, err := c.CoreV1().Namespaces().Get(ctx, logsNS, metav1.GetOptions{}); err != nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err := createNamespace(ctx, c, logsNS); err != nil {
		return err
	}
	if err := waitForServiceAccount(ctx, c, logsNS); err != nil {
		return err
	}
	res, err := measureFollow(ctx, c, stern, pods)
	if err != nil {
		return err
	}
	for i, l := range res.Labels {
		ds := slices.Clone(res.Latencies[i])
		slices.Sort(ds)
		fmt.Printf("%s: median %s, %v\n", l, medianDuration(ds), ds)
	}
	paired := slices.Clone(res.Paired)
	slices.Sort(paired)
	later, n := res.later()
	fmt.Printf("per pod, kubectl job minus stern: median %s, later on %d of %d (a tie: at most %d), %v\n", medianDuration(paired), later, n, tieBound(n), paired)
	return nil
}
