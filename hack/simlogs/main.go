// Command simlogs gives simulated pods of the local cluster the log text of
// their sim.kubectl-job.io/logs annotation: for each such pod it writes a
// CRI-format log file and a KWOK Logs object (owned by the pod, so it goes
// with it) that makes KWOK serve the file through `kubectl logs`, then sets
// the pod's sim.kubectl-job.io/logs-served annotation, which KWOK's
// sim-pod-start stage waits for (hack/cluster/kwok-stages.yaml): no client
// sees the container running before its log is there.
//
// In the text, $(POD_NAME), $(NAMESPACE) and $(JOB_COMPLETION_INDEX) are
// replaced, so one template gives every attempt distinct, checkable lines.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	annotationLogs       = "sim.kubectl-job.io/logs"
	annotationLogsServed = "sim.kubectl-job.io/logs-served"
)

var logsResource = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	dir := flag.String("dir", "", "directory for the log files")
	flag.Parse()
	if *kubeconfig == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: simlogs -kubeconfig FILE -dir DIR")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *kubeconfig, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "simlogs:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig, dir string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 200, 400
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	// The resync replays every pod now and then, so a pod whose serving
	// failed (the API server down longer than the retries) is tried again.
	factory := informers.NewSharedInformerFactory(client, 30*time.Second)
	podInformer := factory.Core().V1().Pods().Informer()
	inFlight := make(chan struct{}, 32)
	var serving sync.Map // pod UIDs served or being served by this process
	handle := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.DeletionTimestamp != nil {
			return
		}
		text, ok := pod.Annotations[annotationLogs]
		if _, served := pod.Annotations[annotationLogsServed]; !ok || served {
			return // served before: its log file keeps its timestamps
		}
		if _, busy := serving.LoadOrStore(pod.UID, true); busy {
			return
		}
		// The pod does not start until this succeeds: pods are served side
		// by side (a Job's pods come together), and a failure (the Logs CRD
		// not served yet, an API server restart) is retried.
		go func() {
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			for attempt := 1; ; attempt++ {
				err := serveLogs(ctx, client, dyn, dir, pod, text)
				if err == nil || ctx.Err() != nil {
					return
				}
				fmt.Fprintf(os.Stderr, "simlogs: pod %s/%s (attempt %d): %v\n", pod.Namespace, pod.Name, attempt, err)
				if attempt == 20 {
					serving.Delete(pod.UID) // the next event or resync tries again
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}()
	}
	if _, err := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: handle, UpdateFunc: func(_, obj any) { handle(obj) }}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	<-ctx.Done()
	return nil
}

// serveLogs writes the pod's log file and the Logs object pointing at it,
// then marks the pod served.
func serveLogs(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface, dir string, pod *corev1.Pod, text string) error {
	path := filepath.Join(dir, pod.Namespace, pod.Name+".log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(criLines(expand(text, pod), time.Now())), 0o644); err != nil {
		return err
	}
	logs := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "Logs",
		"metadata": map[string]any{
			"name":      pod.Name,
			"namespace": pod.Namespace,
		},
		"spec": map[string]any{
			"logs": []any{map[string]any{"logsFile": path, "previousLogsFile": path}},
		},
	}}
	logs.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID}})
	if _, err := dyn.Resource(logsResource).Namespace(pod.Namespace).Create(ctx, logs, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, annotationLogsServed)
	_, err := client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile
	}
	return err
}

func expand(text string, pod *corev1.Pod) string {
	index := pod.Annotations["batch.kubernetes.io/job-completion-index"]
	return strings.NewReplacer(
		"$(POD_NAME)", pod.Name,
		"$(NAMESPACE)", pod.Namespace,
		"$(JOB_COMPLETION_INDEX)", index,
	).Replace(text)
}

// criLines formats text as a container runtime writes logs: one
// "<RFC3339Nano> stdout F <line>" per line.
func criLines(text string, at time.Time) string {
	var b strings.Builder
	stamp := at.UTC().Format(time.RFC3339Nano)
	for line := range strings.Lines(strings.TrimSuffix(text, "\n")) {
		b.WriteString(stamp + " stdout F " + strings.TrimSuffix(line, "\n") + "\n")
	}
	return b.String()
}
