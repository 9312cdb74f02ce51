package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/term"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	"github.com/kubectl-job/kubectl-job/pkg/prune"
)

// errNoTTY is the refusal to delete unattended without --yes.
var errNoTTY = errors.New("refusing to delete without --yes when stdin is not a terminal; re-run with --yes or --dry-run")

// PruneOptions holds the flags and state of "kubectl job prune".
type PruneOptions struct {
	commandCore

	LabelSelector string
	Succeeded     bool
	Failed        bool
	OlderThan     string
	KeepLast      int
	DryRun        string
	Yes           bool
	Output        string
	Cascade       string
	Rate          float64
	NoHeaders     bool

	// IsTerminal says whether stdin is a terminal a person answers on; set
	// by Complete unless a test set it first.
	IsTerminal func() bool
	// Workers is how many deletes may be in flight at once.
	Workers int

	plan        prune.Options
	dryRun      dryRunStrategy
	propagation metav1.DeletionPropagation
}

// NewPruneOptions returns PruneOptions with the defaults.
func NewPruneOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *PruneOptions {
	return &PruneOptions{
		commandCore: newCommandCore(configFlags, streams),
		DryRun:      "none",
		Cascade:     "background",
		Rate:        20,
		Workers:     4,
	}
}

// NewCmdPrune returns "kubectl job prune".
func NewCmdPrune(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdPrune(NewPruneOptions(configFlags, streams))
}

func newCmdPrune(o *PruneOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prune [-n NAMESPACE | -A] [--succeeded] [--failed] [--older-than=DURATION] [--keep-last=N] [-l SELECTOR] [--dry-run] [--yes]",
		Short: "Delete finished Jobs, showing what goes and what stays first",
		Long: `Delete finished Jobs: Complete or Failed by the verdict of the explain engine,
with the matching condition set. A Job that is running, pending, suspended,
failing or succeeding (pods still terminating), being deleted, or managed by
another controller is never deleted, whatever the flags.

The plan comes first: a table of every Job with what prune does with it and
why (OUTCOME, REASON, FINISHED: time since it finished, OWNER, TTL: when the
TTL controller would delete it anyway). Then it asks for confirmation on a
terminal; without one it deletes only with --yes, and otherwise prints the plan
and exits 1.

  --succeeded, --failed   only Complete, only Failed Jobs (neither: both)
  --older-than=7d         only Jobs that finished at least this long ago
                          (Go durations, plus days: 7d, 1d12h)
  --keep-last=N           keep the N newest selected Jobs (by start time) of
                          each owner: a CronJob, or for Jobs without an owner,
                          the namespace; young Jobs count towards the N

Each delete carries the UID and resourceVersion of the Job as listed: a Job
re-created or changed since is not deleted (reported, exit 1; run prune again).
Deletes are rate-limited (--rate per second); a failed delete does not stop the
others. Exit code 0 when every selected Job was deleted (or was already gone),
1 otherwise. The pods go with their Jobs (--cascade=background or foreground).`,
		Example: `  # Show what would be pruned in the current namespace, delete nothing
  kubectl job prune --dry-run

  # Delete failed Jobs that finished more than a week ago, in every namespace
  kubectl job prune -A --failed --older-than=7d

  # Keep the 3 newest finished Jobs of each CronJob, delete the older ones
  kubectl job prune --keep-last=3

  # In a script or CI job: delete without asking
  kubectl job prune --succeeded --older-than=24h --yes -o name`,
		Args: takesNoArgs,
		RunE: runE(o),
	}
	fs := cmd.Flags()
	o.addAllNamespacesFlag(cmd, "Prune Jobs in every namespace.")
	fs.StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Only Jobs matching this label selector, e.g. -l app=etl.")
	fs.BoolVar(&o.Succeeded, "succeeded", o.Succeeded, "Delete Complete Jobs (with --failed too: both; neither: both).")
	fs.BoolVar(&o.Failed, "failed", o.Failed, "Delete Failed Jobs (with --succeeded too: both; neither: both).")
	fs.StringVar(&o.OlderThan, "older-than", o.OlderThan, "Only Jobs that finished at least this long ago, e.g. 36h, 90m or 7d.")
	fs.IntVar(&o.KeepLast, "keep-last", o.KeepLast, "Keep the N newest selected Jobs of each CronJob (or other owner; Jobs without one: per namespace).")
	fs.StringVar(&o.DryRun, "dry-run", o.DryRun, `"none", "client" (print the plan, delete nothing; --dry-run alone) or "server" (the API server checks each delete, nothing is deleted).`)
	fs.Lookup("dry-run").NoOptDefVal = "client"
	fs.BoolVarP(&o.Yes, "yes", "y", o.Yes, "Delete without asking; needed when stdin is not a terminal.")
	fs.StringVarP(&o.Output, "output", "o", o.Output, `"name" prints job.batch/NAME for each deleted Job (the plan goes to stderr).`)
	fs.StringVar(&o.Cascade, "cascade", o.Cascade, `How the pods go: "background" (after the Job) or "foreground" (before it).`)
	fs.Float64Var(&o.Rate, "rate", o.Rate, "Most deletes per second (0: no limit).")
	fs.BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Do not print the header line of the plan.")
	return cmd
}

// Complete parses the flags and sets up the client. It sends nothing.
func (o *PruneOptions) Complete(_ *cobra.Command, _ []string) error {
	var err error
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	o.plan = prune.Options{Succeeded: o.Succeeded, Failed: o.Failed, KeepLast: o.KeepLast}
	if o.OlderThan != "" {
		if o.plan.OlderThan, err = prune.ParseOlderThan(o.OlderThan); err != nil {
			return err
		}
	}
	if o.IsTerminal == nil {
		o.IsTerminal = func() bool { return isTerminalInput(o.In) }
	}
	// The client's rate limit must not cap --rate; our own limiter paces
	// the deletes instead.
	o.tune = append(o.tune, func(cfg *rest.Config) {
		switch want := float32(o.Rate) + 5; {
		case o.Rate == 0:
			cfg.QPS = -1
		case cfg.QPS < want:
			cfg.QPS, cfg.Burst = want, max(cfg.Burst, int(want))
		}
	})
	return o.complete(true)
}

// interruptible: Ctrl-C stops the deletes between two Jobs.
func (o *PruneOptions) interruptible() bool { return true }

// Validate rejects bad flag combinations before any request.
func (o *PruneOptions) Validate() error {
	switch {
	case o.KeepLast < 0:
		return fmt.Errorf("invalid --keep-last %d: must be 0 or more", o.KeepLast)
	case o.Rate < 0:
		return fmt.Errorf("invalid --rate %v: must be 0 (no limit) or more", o.Rate)
	case o.Cascade == "orphan":
		return errors.New("prune does not orphan pods: it cleans up; use kubectl job delete --cascade=orphan for single Jobs")
	case o.Cascade != "background" && o.Cascade != "foreground":
		return fmt.Errorf(`invalid --cascade %q: must be "background" or "foreground"`, o.Cascade)
	case o.Output != "" && o.Output != "name":
		return fmt.Errorf("unexpected -o output mode: %v; only -o name is supported", o.Output)
	}
	o.propagation = metav1.DeletePropagationBackground
	if o.Cascade == "foreground" {
		o.propagation = metav1.DeletePropagationForeground
	}
	return nil
}

// Run lists the Jobs, prints the plan, asks, and deletes.
func (o *PruneOptions) Run(ctx context.Context) error {
	list, _, err := kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{LabelSelector: o.LabelSelector, Limit: 500})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(o.ErrOut, noJobsFound(o.scope()))
		return nil
	}
	now := o.Now()
	jobs := make([]*batchv1.Job, len(list))
	for i := range list {
		jobs[i] = &list[i]
	}
	// A finished Job's verdict comes from its conditions; only live Jobs
	// (kept whatever their pods say) cost the reads list makes for them, so
	// the plan shows the verdict list and explain show.
	exps, err := kube.ExplainJobs(ctx, o.Client, o.scope(), jobs, 500, kube.AllEvidence, now)
	if err != nil {
		fmt.Fprintf(o.ErrOut, "Warning: %v; %s\n", err, missingEvidence(err))
	}
	items := make([]prune.Item, len(list))
	for i := range list {
		items[i] = prune.Item{Job: jobs[i], Explanation: exps[i]}
	}
	plan := prune.Make(items, o.plan, now)

	// The plan is the data of a human run; with -o name the names are, and
	// the plan goes to stderr so a person still sees it.
	planOut := o.Out
	if o.Output == "name" {
		planOut = o.ErrOut
	}
	if err := printers.PrintTable(planOut, printers.PruneTable(plan, o.AllNamespaces), o.NoHeaders); err != nil {
		return err
	}
	toDelete := plan.ToDelete()
	fmt.Fprintln(o.ErrOut, printers.PruneSummary(plan))
	if len(toDelete) == 0 {
		return nil
	}
	if o.dryRun == dryRunClient {
		if o.Output == "name" {
			for _, d := range toDelete {
				fmt.Fprintf(o.Out, "job.batch/%s\n", d.Job.Name)
			}
		}
		fmt.Fprintf(o.ErrOut, "dry run: nothing was deleted; run without --dry-run to delete %s\n", printers.Jobs(len(toDelete)))
		return nil
	}
	if o.dryRun == dryRunNone {
		// Every delete must be allowed before the first, and before asking.
		var accesses []kube.Access
		for _, d := range toDelete {
			accesses = append(accesses, kube.Access{Verb: "delete", Resource: batchv1.Resource("jobs"), Namespace: d.Job.Namespace})
		}
		if err := kube.CheckAccess(ctx, o.Client, accesses...); err != nil {
			return withHint(err, "nothing was deleted")
		}
	}
	if o.dryRun == dryRunNone && !o.Yes {
		if !o.IsTerminal() {
			return exitcode.New(exitcode.Error, errNoTTY)
		}
		fmt.Fprintf(o.ErrOut, "Delete %s? (y/N): ", printers.Jobs(len(toDelete)))
		if !readYes(bufio.NewReader(o.In)) {
			fmt.Fprintln(o.ErrOut, "prune cancelled; nothing was deleted")
			return nil
		}
	}
	return o.deleteAll(ctx, toDelete)
}

// deleteAll deletes the planned Jobs, rate-limited, reporting each; a
// failure does not stop the others.
func (o *PruneOptions) deleteAll(ctx context.Context, toDelete []prune.Decision) error {
	jobs := make([]*batchv1.Job, len(toDelete))
	for i, d := range toDelete {
		jobs[i] = d.Job
	}
	failed, gone := 0, 0
	kube.DeleteJobs(ctx, o.Client, jobs, kube.DeleteJobOptions{
		Propagation:          o.propagation,
		DryRun:               o.dryRun == dryRunServer,
		MatchResourceVersion: true,
	}, kube.RateLimit{QPS: o.Rate, Workers: o.Workers}, func(job *batchv1.Job, err error) {
		ref := jobRef(job, o.AllNamespaces)
		switch {
		case err == nil:
			printDeletedJob(o.Out, job, o.Output, o.dryRun)
		case apierrors.IsNotFound(err):
			// Gone since the plan (its TTL, someone else): what prune wanted.
			gone++
			fmt.Fprintf(o.ErrOut, "%s was already deleted\n", ref)
		case kube.IsPreconditionFailed(err):
			failed++
			fmt.Fprintf(o.ErrOut, "error: %s changed or was re-created since it was listed; not deleted: run %s again to re-check it\n", ref, "kubectl job prune"+o.listScope())
		default:
			failed++
			fmt.Fprintln(o.ErrOut, errorLineAbout("cannot delete "+ref, err))
		}
	})
	if failed > 0 {
		return exitcode.New(exitcode.Error, fmt.Errorf("%d of %s were not deleted; see the errors above", failed, printers.Jobs(len(jobs))))
	}
	return nil
}

func jobRef(job *batchv1.Job, withNamespace bool) string {
	if withNamespace {
		return fmt.Sprintf("job.batch/%s in %s", job.Name, job.Namespace)
	}
	return "job.batch/" + job.Name
}

// isTerminalInput says whether in is a terminal a person can answer a
// question on (isatty: /dev/null and files are character devices or
// regular files, not terminals).
func isTerminalInput(in io.Reader) bool {
	f, ok := in.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
