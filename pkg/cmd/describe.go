package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// DescribeOptions holds the flags and state of "kubectl job describe".
type DescribeOptions struct {
	commandCore

	Names         []string
	LabelSelector string
	ChunkSize     int64
	// PodFailureBackoff is --pod-failure-backoff.
	PodFailureBackoff time.Duration
}

// NewDescribeOptions returns DescribeOptions with kubectl's defaults.
func NewDescribeOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DescribeOptions {
	return &DescribeOptions{commandCore: newCommandCore(configFlags, streams), ChunkSize: 500, PodFailureBackoff: explain.PodFailureBackoff}
}

// NewCmdDescribe returns "kubectl job describe".
func NewCmdDescribe(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewDescribeOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "describe [NAME... | -l SELECTOR] [-A]",
		Short: "Show everything about Jobs: spec, conditions, attempts, a timeline and events",
		Long: `Show what kubectl describe job shows, and what it leaves out: the verdict of
the explain engine on top, every spec knob (<unset> when not set), the
conditions, failed/terminating/uncounted counters, each pod attempt, the
per-index table of Indexed Jobs, a timeline of the attempts with the deadline
and TTL deletion marked, and the merged Job and pod events.

Each Job named costs at most 4 requests (the Job, its pods, their events),
whatever the number of pods. Without a name it describes every Job of the
namespace (with -l, those matching; with -A, of every namespace), as kubectl
describe jobs does, from one Jobs list, one pods list per namespace and one events list
whatever the number of Jobs.`,
		Example: `  # Describe a Job
  kubectl job describe pi

  # Describe every Job of the namespace batch
  kubectl job describe -n batch

  # Describe every Job labelled app=etl in every namespace
  kubectl job describe -A -l app=etl`,
		RunE: runE(o),
	}
	o.addAllNamespacesFlag(cmd, "Without a name, describe the Jobs of every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Describe the Jobs matching this label selector, e.g. -l app=etl.")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Without a name, read Jobs and events in pages of this many; 0 reads them in one request.")
	addPodFailureBackoffFlag(cmd.Flags(), &o.PodFailureBackoff)
	return cmd
}

// Complete fills in the names, namespace, client and clock.
func (o *DescribeOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.Names, err = parseJobArgs(args); err != nil {
		return err
	}
	return o.complete(true)
}

// Validate checks that Jobs are named one way only.
func (o *DescribeOptions) Validate() error {
	switch {
	case len(o.Names) > 0 && o.LabelSelector != "":
		return errors.New("names cannot be given with a selector; use either NAME... or -l")
	case len(o.Names) > 0 && o.AllNamespaces:
		return errors.New("a Job cannot be retrieved by name across all namespaces; drop -A or the names")
	case o.ChunkSize < 0:
		return fmt.Errorf("invalid --chunk-size %d: must be 0 (no pages) or more", o.ChunkSize)
	}
	return validatePodFailureBackoff(o.PodFailureBackoff)
}

// Run describes each Job. A Job that is not found is reported kubectl-style
// and the others are still described (exit 1); pods or events that could not
// be read are named on stderr (exit 5, partial).
func (o *DescribeOptions) Run(ctx context.Context) error {
	if len(o.Names) == 0 {
		return o.describeSelected(ctx)
	}
	failed, partial, printed := false, false, 0
	warned := map[string]bool{}
	for _, name := range o.Names {
		f, err := kube.FetchJob(ctx, o.Client, o.Namespace, name, o.Now())
		if err != nil {
			fmt.Fprintln(o.ErrOut, errorMessage(o.jobNotFound(ctx, err, name)))
			if ctx.Err() != nil {
				return exitcode.New(exitcode.Error, nil)
			}
			failed = true
			continue
		}
		for _, p := range f.Problems {
			partial = true
			// A forbidden read is forbidden for every Job of the namespace:
			// one line says it, however many Jobs are described.
			line := "Warning: " + printers.Sanitize(p.Error())
			if !apierrors.IsForbidden(p) {
				line = fmt.Sprintf("Warning: job/%s: %s", printers.Sanitize(name), printers.Sanitize(p.Error()))
			}
			if !warned[line] {
				warned[line] = true
				fmt.Fprintln(o.ErrOut, line)
			}
		}
		if err := o.describe(printed > 0, f.Input); err != nil {
			return err
		}
		printed++
	}
	switch {
	case failed:
		return exitcode.New(exitcode.Error, nil)
	case partial:
		return exitcode.New(exitcode.Partial, nil)
	}
	return nil
}

// describeSelected describes every Job of the scope that matches the
// selector (all without one), from the lists kubectl job explain --all reads.
func (o *DescribeOptions) describeSelected(ctx context.Context) error {
	fetched, err := kube.FetchJobs(ctx, o.Client, o.scope(), o.LabelSelector, o.ChunkSize, o.Now())
	if err != nil {
		return err
	}
	if len(fetched.Inputs) == 0 {
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	for i, in := range fetched.Inputs {
		if err := o.describe(i > 0, in); err != nil {
			return err
		}
	}
	return warnPartial(o.ErrOut, fetched.Problems)
}

// describe prints one Job, after a blank line between Jobs.
func (o *DescribeOptions) describe(separate bool, in explain.Input) error {
	if separate {
		fmt.Fprint(o.Out, "\n\n")
	}
	in.PodFailureBackoff = o.PodFailureBackoff
	return printers.DescribeJob(o.Out, in.Job, explain.Explain(in))
}
