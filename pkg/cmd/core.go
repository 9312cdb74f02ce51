package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// commandCore is what every command that talks to the cluster embeds: the
// kubeconfig flags, the streams, the namespace (and -A), the client and the
// clock. Tests set Namespace, Client or Now before Complete; complete fills
// in only what is unset.
type commandCore struct {
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Namespace string
	// EnforceNamespace is true when -n was given explicitly.
	EnforceNamespace bool
	AllNamespaces    bool

	// Client and Now are set by complete unless a test set them first.
	Client kube.Client
	Now    func() time.Time

	// tune adjusts the client's config (rate limits) before it is built.
	tune []func(*rest.Config)
}

// newClient builds every command's client from the kubeconfig flags, and
// clock is every command's clock: the command tests swap in a fake
// clientset and a fixed time (runJob).
var (
	newClient = clientFromFlags
	clock     = time.Now
)

func newCommandCore(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) commandCore {
	return commandCore{configFlags: configFlags, IOStreams: streams}
}

// complete reads the namespace from the flags and builds the clock and, when
// needClient, the client.
func (c *commandCore) complete(needClient bool) error {
	var err error
	if c.Namespace == "" {
		if c.Namespace, c.EnforceNamespace, err = c.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return err
		}
	}
	if c.Now == nil {
		c.Now = clock
	}
	if c.Client == nil && needClient {
		if c.Client, err = newClient(c.configFlags, c.tune...); err != nil {
			return err
		}
	}
	return nil
}

// scope is the namespace requests go to: "" for -A.
func (c *commandCore) scope() string {
	if c.AllNamespaces {
		return ""
	}
	return c.Namespace
}

// addAllNamespacesFlag adds -A with the command's own words.
func (c *commandCore) addAllNamespacesFlag(cmd *cobra.Command, usage string) {
	cmd.Flags().BoolVarP(&c.AllNamespaces, "all-namespaces", "A", c.AllNamespaces, usage)
}

// listScope is the scope flag of a next-step command: " -A" or " -n NS".
func (c *commandCore) listScope() string {
	if c.AllNamespaces {
		return " -A"
	}
	return namespaceFlag(c.Namespace)
}

// noResources is kubectl's message for an empty selection.
func (c *commandCore) noResources() string { return noJobsFound(c.scope()) }

// noJobsFound is kubectl's message for an empty selection in namespace ("" for all).
func noJobsFound(namespace string) string {
	if namespace == "" {
		return "No resources found"
	}
	return fmt.Sprintf("No resources found in %s namespace.", namespace)
}

// command is the shape of every subcommand's options: Complete reads the
// arguments and flags (sending nothing), Validate rejects bad input before
// any request, Run does the work.
type command interface {
	Complete(cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// runE is the RunE of every command. A command whose options have an
// interruptible() method returning true runs with a context that Ctrl-C
// cancels, so it stops between requests, not mid-way.
func runE(o command) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		if i, ok := o.(interface{ interruptible() bool }); ok && i.interruptible() {
			var stop context.CancelFunc
			ctx, stop = interruptibleContext(ctx)
			defer stop()
		}
		return o.Run(ctx)
	}
}

// The ways a Job and a CronJob are named on the command line: NAME alone is
// a Job; kubectl job list -o name prints job.batch/NAME.
var (
	jobKinds     = []string{"job", "jobs", "job.batch", "jobs.batch"}
	cronJobKinds = []string{"cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch"}
)

// parseJobArgs reads Job names given as NAME, job/NAME, jobs/NAME,
// job.batch/NAME or jobs.batch/NAME (what -o name prints), so the output of
// one command pipes into every other; repeats are dropped.
func parseJobArgs(args []string) ([]string, error) {
	jobs, _, err := parseNameArgs(args, false)
	return jobs, err
}

// parseNameArgs is parseJobArgs that, with cronJobs, also takes
// cronjob/NAME (suspend, resume).
func parseNameArgs(args []string, cronJobs bool) (jobNames, cronJobNames []string, err error) {
	forms := "NAME or job/NAME"
	if cronJobs {
		forms = "NAME, job/NAME or cronjob/NAME"
	}
	for _, a := range args {
		kind, name, found := strings.Cut(a, "/")
		if !found {
			kind, name = "job", a
		}
		kind = strings.ToLower(kind)
		switch {
		case name == "":
			return nil, nil, fmt.Errorf("%q has no name: give %s", a, forms)
		case slices.Contains(jobKinds, kind):
			if !slices.Contains(jobNames, name) {
				jobNames = append(jobNames, name)
			}
		case cronJobs && slices.Contains(cronJobKinds, kind):
			if !slices.Contains(cronJobNames, name) {
				cronJobNames = append(cronJobNames, name)
			}
		case cronJobs:
			return nil, nil, fmt.Errorf("%q: only Jobs and CronJobs can be suspended: give %s", a, forms)
		default:
			return nil, nil, fmt.Errorf("%q is not a Job: give %s", a, forms)
		}
	}
	return jobNames, cronJobNames, nil
}
