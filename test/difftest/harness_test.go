//go:build e2e

package difftest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-job/kubectl-job/test/clusterenv"
)

// cluster is one cluster the cases run on.
type cluster struct {
	name       string
	kubeconfig string
	client     kubernetes.Interface
}

// The cluster (KJ_E2E_KUBECONFIG), the optional one with the stock 10 s
// pod-failure backoff (DIFFTEST_STOCK_KUBECONFIG, for the nextRetryAt
// cases), and the plugin on PATH, as in test/e2e.
var (
	primary, stock *cluster
	pluginPath     string
)

func TestMain(m *testing.M) {
	kubeconfig, client := clusterenv.Connect("difftest", "run it with `make difftest` (or see test/difftest/doc.go)", 200)
	primary = &cluster{name: "main", kubeconfig: kubeconfig, client: client}
	if path := os.Getenv("DIFFTEST_STOCK_KUBECONFIG"); path != "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			fmt.Println("difftest: DIFFTEST_STOCK_KUBECONFIG:", err)
			os.Exit(1)
		}
		cfg.QPS, cfg.Burst = 50, 100
		stock = &cluster{name: "stock", kubeconfig: path, client: kubernetes.NewForConfigOrDie(cfg)}
	}
	// Once kubectl has found the plugin, the samples run the plugin binary
	// directly, which saves a kubectl process per sample on a busy machine
	// and runs the very same code.
	var err error
	if pluginPath, err = exec.LookPath("kubectl-job"); err != nil {
		fmt.Println("difftest: kubectl-job is not on PATH:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// result is what a command printed and how it exited.
type result struct {
	Stdout, Stderr string
	Code           int
}

// plugin runs `kubectl job ARGS...` (the plugin binary) against the cluster.
func (cl *cluster) plugin(ctx context.Context, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, pluginPath, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cl.kubeconfig, "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.Code = exitErr.ExitCode()
	case err != nil:
		return res, fmt.Errorf("running kubectl job %v: %w", args, err)
	}
	return res, nil
}

// newNamespace creates a namespace for one case and waits for its default
// ServiceAccount (pods need it).
func (cl *cluster) newNamespace(ctx context.Context, prefix string) (string, error) {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubectl-job.io/e2e": "true", "kubectl-job.io/difftest": "true"}}}
	if _, err := cl.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return "", fmt.Errorf("creating namespace: %w", err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cl.client.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return "", fmt.Errorf("waiting for the default ServiceAccount of %s: %w", name, err)
	}
	return name, nil
}

func (cl *cluster) deleteNamespace(name string) {
	if os.Getenv("KJ_E2E_KEEP") == "" {
		_ = cl.client.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
