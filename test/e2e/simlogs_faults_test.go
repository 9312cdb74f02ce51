//go:build e2e && faults

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestFaultSimulatedLogLate checks the simulation, not the plugin: as with
// a kubelet, a container's log must be there as soon as its pod is seen
// running. hack/simlogs sets a pod's log up asynchronously; on a busy
// cluster it used to come after the pod started, and a log read then got
// nothing. KWOK now starts a pod with log text only once simlogs has
// marked it served (hack/cluster/kwok-stages.yaml, sim-pod-start). The test
// holds simlogs back (stopped while the Job's pods are created), so without
// that gate the pods would run with empty logs; it watches the pods itself
// and reads each one's log, without following, the moment it first sees it
// Running.
func TestFaultSimulatedLogLate(t *testing.T) {
	dir := faultClusterDir(t)
	ns := Namespace(t)
	const pods = 10
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := client.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	clusterCtl(t, dir, "stop", "simlogs")
	stopped := true
	defer func() {
		if stopped {
			clusterCtl(t, dir, "start", "simlogs")
		}
	}()
	NewJob(ns, "logs-late").Completions(pods, pods).Sim(SimLogs, "first line of $(POD_NAME)").Sim(SimDuration, "20s").Create(t)
	read, missing := map[string]bool{}, 0
	// watch handles the pod events until all pods are read or until: a pod
	// seen Running for the first time has its log read at once.
	watch := func(until <-chan time.Time) {
		for len(read) < pods {
			var obj any
			select {
			case e, ok := <-w.ResultChan():
				if !ok {
					t.Fatalf("the pods watch ended after %d of %d pods", len(read), pods)
				}
				obj = e.Object
			case <-until:
				return
			case <-ctx.Done():
				t.Fatalf("%d of %d pods seen Running in 2 minutes", len(read), pods)
			}
			pod, ok := obj.(*corev1.Pod)
			if !ok || pod.Status.Phase != corev1.PodRunning || read[pod.Name] {
				continue
			}
			read[pod.Name] = true
			raw, err := client.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{TailLines: ptr.To[int64](10)}).DoRaw(ctx)
			if want := "first line of " + pod.Name; err != nil || !strings.Contains(string(raw), want) {
				missing++
				t.Errorf("pod %s seen Running, its log %q (err %v), want %q", pod.Name, raw, err, want)
			}
		}
	}
	// KWOK starts a scheduled pod within a second: without the gate, all
	// would run in these 5 s, with no log.
	watch(time.After(5 * time.Second))
	t.Logf("%d pods seen Running while simlogs was stopped", len(read))
	clusterCtl(t, dir, "start", "simlogs")
	stopped = false
	watch(nil)
	t.Logf("%d pods read the moment they were seen Running, %d without their log", len(read), missing)
}
