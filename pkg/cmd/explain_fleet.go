package cmd

// kubectl job explain -l SELECTOR / --all [-A]: the verdict of many Jobs,
// one line each, or a JobExplanationList.

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// fleetChunkSize is the page size of the Jobs and events lists (the pods
// list's pages are kube's podPageFactor times bigger), as list's default.
const fleetChunkSize = 500

const fleetExamples = `

  # The verdict of every Job labelled app=etl, one line each
  kubectl job explain -l app=etl

  # Every Job of every namespace, as a JobExplanationList
  kubectl job explain --all -A -o json`

// fleetFlags are the flags that explain many Jobs at once.
type fleetFlags struct {
	Selector  string
	All       bool
	NoHeaders bool
}

func (o *ExplainOptions) addFleetFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.fleet.Selector, "selector", "l", "", "Explain every Job matching this label selector, one line each (-o json|yaml: a JobExplanationList)")
	cmd.Flags().BoolVar(&o.fleet.All, "all", false, "Explain every Job in the namespace, one line each (-o json|yaml: a JobExplanationList)")
	cmd.Flags().BoolVar(&o.fleet.NoHeaders, "no-headers", false, "With -l or --all, do not print the table's header line")
	o.addAllNamespacesFlag(cmd, "With -l or --all, explain the Jobs of every namespace")
}

// isFleet is true when Jobs are selected rather than named.
func (o *ExplainOptions) isFleet() bool { return o.fleet.Selector != "" || o.fleet.All }

// validateFleet rejects the ways of selecting Jobs that contradict each other.
func (o *ExplainOptions) validateFleet() error {
	switch {
	case o.fleet.Selector != "" && o.fleet.All:
		return errors.New("cannot set --all and --selector at the same time")
	case o.isFleet() && (o.Name != "" || o.isCronJob):
		return withHint(errors.New("give a Job name or select Jobs with -l / --all, not both"), "kubectl job explain NAME, or kubectl job explain -l SELECTOR")
	case o.isFleet() && o.Local:
		return errors.New("-l and --all explain Jobs read from the cluster, not from -f: explain one Job of a file with kubectl job explain NAME -f FILE")
	case o.fleet.NoHeaders && !o.isFleet():
		return withHint(errors.New("--no-headers applies to the one-line-per-Job table of explain -l / --all; a Job named alone is explained in sections"), "kubectl job explain --all --no-headers")
	case o.AllNamespaces && !o.isFleet():
		return withHint(errors.New("-A needs -l SELECTOR or --all: a Job named alone is explained in one namespace"), "kubectl job explain --all -A")
	}
	return nil
}

// runExplainFleet explains the selected Jobs from one Jobs list, one pods
// list and one events list (kube.FetchJobs). The exit code is explain's: 0
// whatever the verdicts, 5 when pods or events could not be read.
func (o *ExplainOptions) runExplainFleet(ctx context.Context) error {
	fetched, err := kube.FetchJobs(ctx, o.Client, o.scope(), o.fleet.Selector, fleetChunkSize, o.now)
	if err != nil {
		return err
	}
	explanations := make([]*explain.JobExplanation, len(fetched.Inputs))
	rows := make([]printers.JobRow, len(fetched.Inputs))
	for i, in := range fetched.Inputs {
		in.PodFailureBackoff = o.PodFailureBackoff
		explanations[i] = explain.Explain(in)
		rows[i] = printers.JobRow{Job: in.Job, Explanation: explanations[i]}
	}
	switch {
	case o.printer != nil && o.PrintFlags.Format == "name":
		// The name printer takes no lists: one name per explanation.
		for _, e := range explanations {
			if err = o.printer.PrintObj(e, o.Out); err != nil {
				break
			}
		}
	case o.printer != nil:
		err = o.printer.PrintObj(printers.NewJobExplanationList(explanations), o.Out)
	case len(rows) == 0:
		fmt.Fprintln(o.ErrOut, o.noResources())
	default:
		err = printers.PrintExplanationList(o.Out, rows, printers.ListOptions{Wide: o.wide, AllNamespaces: o.AllNamespaces, NoHeaders: o.fleet.NoHeaders, Now: o.now})
	}
	if err != nil {
		return err
	}
	return warnPartial(o.ErrOut, fetched.Problems)
}
