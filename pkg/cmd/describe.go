package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
		Use:   "describe (NAME... | -l SELECTOR)",
		Short: "Show everything about Jobs: spec, conditions, attempts, a timeline and events",
		Long: `Show what kubectl describe job shows, and what it leaves out: the verdict of
the explain engine on top, every spec knob (<unset> when not set), the
conditions, failed/terminating/uncounted counters, each pod attempt, the
per-index table of Indexed Jobs, a timeline of the attempts with the deadline
and TTL deletion marked, and the merged Job and pod events.

Each Job costs at most 4 requests (the Job, its pods, their events), whatever
the number of pods.`,
		Example: `  # Describe a Job
  kubectl job describe pi

  # Describe every Job labelled app=etl in every namespace
  kubectl job describe -A -l app=etl`,
		RunE: runE(o),
	}
	o.addAllNamespacesFlag(cmd, "With -l, describe matching Jobs in every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Describe the Jobs matching this label selector, e.g. -l app=etl.")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "With -l, read Jobs in pages of this many; 0 reads them in one request.")
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
	case len(o.Names) == 0 && o.LabelSelector == "":
		return errors.New("name at least one Job or give a selector; list Jobs with: kubectl job list")
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
	type target struct{ namespace, name string }
	var targets []target
	if o.LabelSelector != "" {
		jobs, _, err := kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{LabelSelector: o.LabelSelector, Limit: o.ChunkSize})
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			fmt.Fprintln(o.ErrOut, o.noResources())
			return nil
		}
		for _, j := range jobs {
			targets = append(targets, target{j.Namespace, j.Name})
		}
	} else {
		for _, n := range o.Names {
			targets = append(targets, target{o.Namespace, n})
		}
	}

	failed, partial, printed := false, false, 0
	warned := map[string]bool{}
	for _, t := range targets {
		f, err := kube.FetchJob(ctx, o.Client, t.namespace, t.name, o.Now())
		if err != nil {
			fmt.Fprintln(o.ErrOut, errorMessage(o.jobNotFound(ctx, err, t.name)))
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
				line = fmt.Sprintf("Warning: job/%s: %s", printers.Sanitize(t.name), printers.Sanitize(p.Error()))
			}
			if !warned[line] {
				warned[line] = true
				fmt.Fprintln(o.ErrOut, line)
			}
		}
		if printed > 0 {
			fmt.Fprint(o.Out, "\n\n")
		}
		f.Input.PodFailureBackoff = o.PodFailureBackoff
		if err := printers.DescribeJob(o.Out, f.Input.Job, explain.Explain(f.Input)); err != nil {
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
