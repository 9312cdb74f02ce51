package kube

import (
	"fmt"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// BenchmarkPodJoin is list's join of 10,000 pods to 2,000 Jobs (the fleet of
// `make bench`), a quarter of them live, as the pages arrive.
func BenchmarkPodJoin(b *testing.B) {
	var live []*batchv1.Job
	var pods []corev1.Pod
	for i := range 2000 {
		j := listTestJob(fmt.Sprintf("ns-%d", i%4), fmt.Sprintf("job-%d", i))
		if i%4 == 0 {
			live = append(live, j)
		}
		for k := range 5 {
			pods = append(pods, *listTestPod(j, fmt.Sprintf("%s-%d", j.Name, k)))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		join := NewPodJoin(live)
		for i := range pods {
			join.Add(&pods[i])
		}
		if len(join) != len(live) {
			b.Fatal("lost a Job")
		}
	}
}
