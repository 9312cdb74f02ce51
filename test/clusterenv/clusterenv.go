// Package clusterenv connects the end-to-end test packages (test/e2e,
// test/difftest) to the local cluster hack/e2e.sh started, and checks that
// kubectl finds the plugin there.
package clusterenv

import (
	"fmt"
	"os"
	"os/exec"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Connect reads KJ_E2E_KUBECONFIG and returns it with an admin clientset
// allowed qps requests a second. Without the variable it says how to run the
// tests (hint) and exits 0, so `go test ./...` passes without a cluster; with
// a bad kubeconfig, or a plugin kubectl cannot find, it exits 1. who prefixes
// the messages.
func Connect(who, hint string, qps float32) (string, kubernetes.Interface) {
	kubeconfig := os.Getenv("KJ_E2E_KUBECONFIG")
	if kubeconfig == "" {
		fmt.Printf("%s: KJ_E2E_KUBECONFIG is not set; %s\n", who, hint)
		os.Exit(0)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Printf("%s: bad kubeconfig: %v\n", who, err)
		os.Exit(1)
	}
	cfg.QPS, cfg.Burst = qps, int(2*qps)
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Printf("%s: %v\n", who, err)
		os.Exit(1)
	}
	// The plugin must be found by kubectl itself: this proves discovery.
	if out, err := exec.Command("kubectl", "job", "version").CombinedOutput(); err != nil {
		fmt.Printf("%s: `kubectl job version` failed (is bin/ on PATH?): %v\n%s", who, err, out)
		os.Exit(1)
	}
	return kubeconfig, client
}
