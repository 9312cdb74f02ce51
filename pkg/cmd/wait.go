package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// waitFor is what kubectl job wait waits for (--for).
type waitFor string

const (
	waitComplete  waitFor = "complete"
	waitFailed    waitFor = "failed"
	waitFinished  waitFor = "finished"
	waitSuspended waitFor = "suspended"
)

var waitForValues = []waitFor{waitComplete, waitFailed, waitFinished, waitSuspended}

// WaitOptions are the options of kubectl job wait.
type WaitOptions struct {
	commandCore

	Names    []string
	Selector string
	// All is --all: every Job of the namespace (or of all with -A).
	All     bool
	For     string
	Timeout time.Duration
	Early   bool
	// Save is --save DIR (one Job).
	Save string

	// Progress forces the live progress line on or off; nil means "on a TTY,
	// waiting for one Job".
	Progress *bool
}

// NewWaitOptions returns WaitOptions with the defaults.
func NewWaitOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *WaitOptions {
	return &WaitOptions{commandCore: newCommandCore(configFlags, streams), For: string(waitFinished)}
}

// NewCmdWait waits for Jobs to complete, fail, finish or be suspended.
func NewCmdWait(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewWaitOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "wait (NAME... | -l SELECTOR | --all) [-A] [--for=complete|failed|finished|suspended] [--timeout=DURATION] [--early]",
		Short: "Wait for Jobs to complete, fail, finish or be suspended",
		Long: `Wait for one or more Jobs and exit with a code that says how they ended.

Unlike kubectl wait, it can wait for "complete or failed" (--for=finished, the
default) and stops as soon as the awaited state can no longer happen: a Job
that failed while waiting for complete exits 2 at once instead of hanging.
It watches the Jobs (no polling) and resumes through API server restarts.
The verdict comes from the same engine as kubectl job explain.

Exit codes (shared with create --wait, rerun --wait and logs -f):
  0  the awaited state was reached (Complete for complete and finished)
  1  error: bad input, the Job does not exist, API error
  2  the Job failed (unless --for=failed, where that is 0)
  3  --timeout passed first
  4  the Job ended otherwise: suspended (unless --for=suspended), deleted,
     or completed while waiting for failed or suspended
A Job with spec.managedBy set to another controller (MultiKueue, say) is
waited for like any other: that controller writes its conditions.
With several Jobs it waits for all of them and exits with the worst code, in
the order 1, 2, 3, 4, 0. -l SELECTOR and --all (with -A, in every namespace)
wait for the Jobs that match when the wait starts, as kubectl wait does; none
matching is an error (exit 1).

--timeout=0 (the default) waits as long as it takes. --early decides as soon
as the controller has decided (FailureTarget / SuccessCriteriaMet), without
waiting for the remaining pods to terminate.`,
		Example: `  # Wait until the Job completes or fails; exit 0 if it completed, 2 if it failed
  kubectl job wait migrate

  # Give up after 10 minutes (exit 3)
  kubectl job wait migrate --timeout=10m

  # Wait for every Job of a release, exit with the worst outcome
  kubectl job wait -l app.kubernetes.io/instance=nightly

  # Wait for every Job of the namespace to complete
  kubectl job wait --all -n batch --for=complete

  # React as soon as the controller decided, while pods still terminate
  kubectl job wait migrate --early

  # Wait until the controller has suspended the Job
  kubectl job wait batch-1 --for=suspended`,
		RunE: runE(o),
	}
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", o.Selector, "Wait for every Job matching this label selector (found when the wait starts)")
	cmd.Flags().BoolVar(&o.All, "all", o.All, "Wait for every Job of the namespace (found when the wait starts)")
	o.addAllNamespacesFlag(cmd, "With -l or --all, wait for the Jobs of every namespace")
	cmd.Flags().StringVar(&o.For, "for", o.For, "What to wait for: complete, failed, finished (complete or failed) or suspended")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up after this long and exit 3; 0 waits as long as it takes")
	cmd.Flags().StringVar(&o.Save, "save", "", "With one Job: "+saveFlagUsage)
	cmd.Flags().BoolVar(&o.Early, "early", o.Early, "Decide on FailureTarget / SuccessCriteriaMet instead of waiting for the Job's pods to terminate")
	return cmd
}

// Complete fills in the namespace and the client.
func (o *WaitOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.Names, err = parseJobArgs(args); err != nil {
		return err
	}
	return o.complete(true)
}

// Validate checks the arguments before any request.
func (o *WaitOptions) Validate() error {
	switch {
	case len(o.Names) == 0 && o.Selector == "" && !o.All:
		return withHint(errors.New("name one or more Jobs, or select them with -l SELECTOR or --all"), "for example: kubectl job wait NAME")
	case len(o.Names) > 0 && o.Selector != "":
		return errors.New("give Job names or -l SELECTOR, not both")
	case len(o.Names) > 0 && o.All:
		return errors.New("give Job names or --all, not both")
	case o.Selector != "" && o.All:
		return errors.New("cannot set --all and --selector at the same time")
	case o.AllNamespaces && len(o.Names) > 0:
		return errors.New("-A needs -l SELECTOR or --all: named Jobs are waited for in one namespace")
	}
	if _, err := parseWaitFor(o.For); err != nil {
		return err
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	return validateSave(o.Save, len(o.Names) == 1, "--save keeps the evidence of one Job: name exactly one")
}

// Run waits and returns the exit code as an exitcode error.
func (o *WaitOptions) Run(ctx context.Context) error {
	target, _ := parseWaitFor(o.For)
	var targets []kube.JobTarget
	for _, n := range o.Names {
		targets = append(targets, kube.JobTarget{Namespace: o.Namespace, Name: n})
	}
	if o.Selector != "" || o.All {
		targets = append(targets, kube.JobTarget{Namespace: o.scope(), LabelSelector: o.Selector})
	}
	showProgress := len(o.Names) == 1 && cliprinters.IsTerminal(o.ErrOut)
	if o.Progress != nil {
		showProgress = *o.Progress
	}
	w := &waiter{
		client:  o.Client,
		target:  target,
		early:   o.Early,
		timeout: o.Timeout,
		now:     o.Now,
	}
	if showProgress {
		w.progress = printers.NewProgressLine(o.ErrOut, true)
	}
	stopSaving := func(time.Duration) {}
	if o.Save != "" {
		var err error
		if stopSaving, err = saveWhileWaiting(ctx, o.Client, o.Namespace, o.Names[0], o.Save, o.ErrOut); err != nil {
			return err
		}
	}
	outcomes, err := w.wait(ctx, targets)
	stopSaving(10 * time.Second)
	if errors.Is(err, kube.ErrNoJobs) {
		return withHint(err, "list Jobs with: kubectl job list%s", o.listScope())
	}
	var status *apierrors.StatusError
	if errors.As(err, &status) && apierrors.IsNotFound(err) && status.ErrStatus.Details != nil {
		return o.jobNotFound(ctx, err, status.ErrStatus.Details.Name)
	}
	if err != nil {
		return err
	}
	w.explainUndecided(ctx, outcomes)
	return reportOutcomes(o.Out, o.ErrOut, outcomes, target, o.Timeout, false)
}

func parseWaitFor(s string) (waitFor, error) {
	for _, v := range waitForValues {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
	}
	if strings.HasPrefix(s, "condition=") {
		return "", fmt.Errorf("--for=%s: use --for=complete, failed, finished or suspended (kubectl job wait decides from the Job's verdict, not a single condition)", s)
	}
	return "", fmt.Errorf("--for must be one of complete, failed, finished or suspended, got %q", s)
}

func waitTargetName(t kube.JobTarget) string {
	switch {
	case t.Name != "":
		return t.Name
	case t.LabelSelector == "":
		return "--all"
	}
	return "-l " + t.LabelSelector
}
