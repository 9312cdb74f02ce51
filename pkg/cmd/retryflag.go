package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// addPodFailureBackoffFlag adds --pod-failure-backoff: the job controller's
// base retry delay, for clusters whose controller was built with another.
func addPodFailureBackoffFlag(fs *pflag.FlagSet, d *time.Duration) {
	*d = explain.PodFailureBackoff
	fs.DurationVar(d, "pod-failure-backoff", *d, "The job controller's base delay before it recreates a failed pod (doubled per failure, capped at 10m); set it only for a cluster whose controller uses another")
}

// validatePodFailureBackoff refuses a delay the controller cannot have.
func validatePodFailureBackoff(d time.Duration) error {
	if d <= 0 {
		return withHint(fmt.Errorf("invalid --pod-failure-backoff %s: must be positive", d), "leave it out for the stock 10s")
	}
	return nil
}
