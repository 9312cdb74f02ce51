// Command kcm-fastbackoff is kube-controller-manager with the job controller's
// pod-failure backoff taken from the environment, so e2e tests do not wait 10 s
// before every retry. With KUBECTL_JOB_POD_FAILURE_BACKOFF unset it behaves
// exactly like the stock binary.
package main

import (
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // CronJob time zones, as in the stock binary

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
	"k8s.io/kubernetes/pkg/controller/job"
)

func main() {
	if v := os.Getenv("KUBECTL_JOB_POD_FAILURE_BACKOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			fmt.Fprintf(os.Stderr, "invalid KUBECTL_JOB_POD_FAILURE_BACKOFF %q: want a positive Go duration such as 1s\n", v)
			os.Exit(1)
		}
		job.DefaultJobPodFailureBackOff = d
		// Keep the exponential growth but cap it low: tests retry a few times at most.
		job.MaxJobPodFailureBackOff = 8 * d
	}
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
