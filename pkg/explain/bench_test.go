package explain

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// bigJob is the Job of `make bench`: Indexed, 1,000 pods, 900 indexes done,
// 50 failed once and running again.
func bigJob() Input {
	job := newJob("big").indexed().completions(1000).parallelism(50).backoffLimit(100).
		started(time.Hour).counts(50, 50, 900, 50).indexes("0-899", "").build()
	var pods []corev1.Pod
	for i := range 900 {
		pods = append(pods, newPod(job, fmt.Sprintf("big-%d-a", i), time.Hour).index(i).succeeded(time.Hour, 59*time.Minute).build())
	}
	for i := 900; i < 950; i++ {
		pods = append(pods, newPod(job, fmt.Sprintf("big-%d-a", i), 10*time.Minute).index(i).failed(1, 10*time.Minute, 8*time.Minute).build())
		pods = append(pods, newPod(job, fmt.Sprintf("big-%d-b", i), 7*time.Minute).index(i).running(7*time.Minute).build())
	}
	return Input{Job: job, Pods: pods, Now: now}
}

// BenchmarkExplain1000Pods is explain's own cost on the 1,000-pod Job (the
// API requests are measured by `make bench`).
func BenchmarkExplain1000Pods(b *testing.B) {
	in := bigJob()
	b.ReportAllocs()
	for b.Loop() {
		if e := Explain(in); e.Verdict.Phase != PhaseRunning {
			b.Fatalf("phase %s", e.Verdict.Phase)
		}
	}
}
