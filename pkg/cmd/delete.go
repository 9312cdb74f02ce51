package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// The values of --cascade.
var cascadeValues = []string{"background", "foreground", "orphan"}

// DeleteOptions holds the flags and state of "kubectl job delete".
type DeleteOptions struct {
	commandCore

	Names         []string
	LabelSelector string
	All           bool
	Cascade       string
	Wait          bool
	Timeout       time.Duration
	DryRun        string
	Interactive   bool
	GracePeriod   int
	DeleteNow     bool
	Output        string

	dryRun      dryRunStrategy
	propagation metav1.DeletionPropagation
	gracePeriod *int64 // nil: the pods' own terminationGracePeriodSeconds
	answers     *bufio.Reader
}

// NewDeleteOptions returns DeleteOptions with kubectl's defaults.
func NewDeleteOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *DeleteOptions {
	return &DeleteOptions{
		commandCore: newCommandCore(configFlags, streams),
		Cascade:     "background",
		Wait:        true,
		DryRun:      "none",
		GracePeriod: -1,
	}
}

// NewCmdDelete returns "kubectl job delete".
func NewCmdDelete(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdDelete(NewDeleteOptions(configFlags, streams))
}

func newCmdDelete(o *DeleteOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete (NAME... | -l SELECTOR | --all) [--cascade=background|foreground|orphan] [--dry-run=client|server] [-i]",
		Aliases: []string{"rm"},
		Short:   "Delete Jobs and their pods, saying first what goes with them",
		Long: `Delete Jobs, like kubectl delete job, and say first what goes with each:
how many pods (and how many are still running), and that the logs of its
failed attempts are lost with them. A Job the TTL controller is about to delete
anyway is reported as such.

Every delete carries the UID of the Job that was read, so a Job deleted and
re-created under the same name in the meantime is never deleted by mistake.
All named Jobs are looked up before anything is deleted: a misspelt name
deletes nothing.

--cascade=background (the default) and foreground delete the pods with the
Job; orphan leaves them in place, running, with no Job to own them.
--wait (the default) returns once the Job and its pods are gone.
--grace-period and --now apply to the Job's pods that are still running.`,
		Example: `  # Delete a Job and its pods, and wait until they are gone
  kubectl job delete pi

  # Delete every Job labelled app=etl, asking for each one
  kubectl job delete -l app=etl -i

  # Delete a Job but leave its pods running
  kubectl job delete pi --cascade=orphan

  # Show what would be deleted, without deleting anything
  kubectl job delete --all --dry-run=client

  # Delete the failed Jobs that kubectl job list shows
  kubectl job list --status failed -o name | xargs kubectl job delete`,
		RunE: runE(o),
	}
	fs := cmd.Flags()
	o.addAllNamespacesFlag(cmd, "With -l or --all, select Jobs in every namespace.")
	fs.StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Delete the Jobs matching this label selector, e.g. -l app=etl.")
	fs.BoolVar(&o.All, "all", o.All, "Delete every Job in the namespace.")
	fs.StringVar(&o.Cascade, "cascade", o.Cascade, `What happens to the pods: "background" (deleted after the Job), "foreground" (deleted before the Job) or "orphan" (left running).`)
	fs.BoolVar(&o.Wait, "wait", o.Wait, "Return only once each Job and its pods are gone (only the Job with --cascade=orphan).")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "With --wait: give up waiting after this long and exit 3 (the deletes go on); 0 waits as long as it takes.")
	fs.StringVar(&o.DryRun, "dry-run", o.DryRun, `"none", "client" (say what would be deleted, send nothing) or "server" (the API server checks each delete, nothing is deleted).`)
	fs.Lookup("dry-run").NoOptDefVal = "client"
	fs.BoolVarP(&o.Interactive, "interactive", "i", o.Interactive, "Ask y/N before deleting each Job.")
	fs.IntVar(&o.GracePeriod, "grace-period", o.GracePeriod, "Seconds the Job's running pods get to stop; -1 keeps their own terminationGracePeriodSeconds, 0 means 1 (as in kubectl without --force).")
	fs.BoolVar(&o.DeleteNow, "now", o.DeleteNow, "Stop the Job's running pods at once (--grace-period=1).")
	fs.StringVarP(&o.Output, "output", "o", o.Output, `"name" prints job.batch/NAME for each deleted Job.`)
	return cmd
}

// Complete reads the arguments and flags and sets up the client. It sends
// nothing.
func (o *DeleteOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.Names, err = parseJobArgs(args); err != nil {
		return err
	}
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	o.answers = bufio.NewReader(o.In)
	return o.complete(true)
}

// interruptible: Ctrl-C stops the deletes between two Jobs.
func (o *DeleteOptions) interruptible() bool { return true }

// Validate rejects bad flag combinations before any request.
func (o *DeleteOptions) Validate() error {
	selecting := o.LabelSelector != "" || o.All
	switch {
	case len(o.Names) == 0 && !selecting:
		return errors.New("name the Jobs to delete, or select them with -l SELECTOR or --all; see 'kubectl job delete --help'")
	case len(o.Names) > 0 && selecting:
		return errors.New("names cannot be given with -l or --all; use one or the other")
	case o.All && o.LabelSelector != "":
		return errors.New("cannot set --all and --selector at the same time")
	case o.AllNamespaces && !selecting:
		return errors.New("-A needs -l or --all: a Job name is looked up in one namespace")
	case !slices.Contains(cascadeValues, o.Cascade):
		return fmt.Errorf(`invalid --cascade %q: must be "background", "foreground" or "orphan"`, o.Cascade)
	case o.DeleteNow && o.GracePeriod != -1:
		return errors.New("--now and --grace-period cannot be specified together")
	case o.GracePeriod < -1:
		return fmt.Errorf("invalid --grace-period %d: must be -1 (the pods' own), 0 or more", o.GracePeriod)
	case o.Cascade == "orphan" && (o.DeleteNow || o.GracePeriod != -1):
		return errors.New("--grace-period and --now apply to the Job's pods, which --cascade=orphan leaves running; drop one of them")
	case o.Timeout < 0:
		return fmt.Errorf("invalid --timeout %s: must be 0 (no limit) or more", o.Timeout)
	case o.Output != "" && o.Output != "name":
		return fmt.Errorf("unexpected -o output mode: %v; only -o name is supported", o.Output)
	}
	o.propagation = map[string]metav1.DeletionPropagation{
		"background": metav1.DeletePropagationBackground,
		"foreground": metav1.DeletePropagationForeground,
		"orphan":     metav1.DeletePropagationOrphan,
	}[o.Cascade]
	switch {
	case o.DeleteNow:
		o.gracePeriod = ptrInt64(1)
	case o.GracePeriod == 0:
		// kubectl turns 0 into 1 unless --force: an immediate delete does not
		// wait for the kubelet to confirm the container stopped.
		o.gracePeriod = ptrInt64(1)
	case o.GracePeriod > 0:
		o.gracePeriod = ptrInt64(int64(o.GracePeriod))
	}
	return nil
}

func ptrInt64(v int64) *int64 { return &v }
