// Command simlogs gives simulated pods of the local cluster the log text of
// their sim.kubectl-job.io/logs annotation: for each such pod it writes a
// CRI-format log file and a KWOK Logs object (owned by the pod, so it goes
// with it) that makes KWOK serve the file through `kubectl logs`.
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
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

const annotationLogs = "sim.kubectl-job.io/logs"

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
	factory := informers.NewSharedInformerFactory(client, 0)
	podInformer := factory.Core().V1().Pods().Informer()
	handle := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.DeletionTimestamp != nil {
			return
		}
		text, ok := pod.Annotations[annotationLogs]
		if !ok {
			return
		}
		if err := serveLogs(ctx, dyn, dir, pod, text); err != nil {
			fmt.Fprintf(os.Stderr, "simlogs: pod %s/%s: %v\n", pod.Namespace, pod.Name, err)
		}
	}
	if _, err := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: handle}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	<-ctx.Done()
	return nil
}

// serveLogs writes the pod's log file and the Logs object pointing at it.
func serveLogs(ctx context.Context, dyn dynamic.Interface, dir string, pod *corev1.Pod, text string) error {
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
	_, err := dyn.Resource(logsResource).Namespace(pod.Namespace).Create(ctx, logs, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
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
