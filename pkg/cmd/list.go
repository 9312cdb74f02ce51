package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// ListOptions holds the flags and state of "kubectl job list".
type ListOptions struct {
	commandCore
	PrintFlags *outputFlags

	Names         []string
	LabelSelector string
	FieldSelector string
	CronJob       string
	CronJobs      bool // --cronjobs: one row per CronJob (list_cronjobs.go)
	Status        []string
	SortBy        string
	Watch         bool
	WatchOnly     bool
	WatchEvents   bool
	NoHeaders     bool
	LabelColumns  []string
	ShowLabels    bool
	ChunkSize     int64

	output  string
	phases  map[explain.Phase]bool
	printer cliprinters.ResourcePrinter // nil for the human table ("" and wide)
	partial bool                        // some read failed; exit code Partial
}

// NewListOptions returns ListOptions with kubectl's defaults.
func NewListOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ListOptions {
	return &ListOptions{
		commandCore: newCommandCore(configFlags, streams),
		PrintFlags:  newOutputFlags("", printers.JobTypeSetter, "wide", "custom-columns", "custom-columns-file"),
		ChunkSize:   500,
	}
}

// NewCmdList returns "kubectl job list" (aliases get, ls).
func NewCmdList(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdList(NewListOptions(configFlags, streams))
}

func newCmdList(o *ListOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [NAME...] [-n NAMESPACE | -A] [-l SELECTOR] [--cronjob NAME] [--status PHASE,...] [-L KEY,...] [-w | --watch-only] [-o FORMAT]",
		Aliases: []string{"get", "ls"},
		Short:   "List Jobs with their true status, reason, duration, deadline and TTL",
		Long: `List Jobs with the verdict of the explain engine: STATUS is Pending while no pod
runs (kubectl says Running), REASON says why a Job ended or is stuck, DURATION
stops at the Failed condition (kubectl's keeps growing), DEADLINE counts down
activeDeadlineSeconds and TTL counts down ttlSecondsAfterFinished.

FAILED is counted failures against backoffLimit ("2/6": the Job fails at 7/6),
or with backoffLimitPerIndex the failed indexes against maxFailedIndexes ("1/3
idx"). With restartPolicy OnFailure it counts failed pods plus the container
restarts of running pods, and the Job also fails when the restarts reach
backoffLimit ("2/2"); the controller then deletes those pods with their restart
counts, so a Job failed that way shows "≥2/2", as explain says.

It reads the Jobs in pages of --chunk-size and, while the next page is read,
the pods of the page's live Jobs, by name, in one request: not of Suspended or
External ones, whose spec decides their row (unless restartPolicy is
OnFailure: FAILED counts restarts); -o wide reads the pods of every live Job,
for MESSAGE. Only if a Job is then Pending without pods are the
FailedCreate events of its Jobs read, with one more request: never one per Job.
The verdicts are those of kubectl job explain.

-o json, yaml, name, jsonpath and custom-columns print the Job objects
themselves (custom-columns as kubectl get does), so the output pipes into
kubectl delete or kubectl apply. -L KEY adds a column per label and
--show-labels a LABELS column, after AGE as kubectl get puts them.

-w prints a row when a Job's row changes, and a last row with STATUS Deleted
when it is deleted (by its TTL, its CronJob's history limits or a user);
--watch-only skips the first table and implies -w, as in kubectl get.

--sort-by: age (newest first), name, duration (shortest first, as kubectl
sorts; Jobs not started last), status (Failed, Failing, Terminating, Pending,
Running ... Complete: what needs attention first).`,
		Example: `  # List the Jobs of the current namespace
  kubectl job list

  # List failed and failing Jobs in every namespace, with the wide columns
  kubectl job list -A --status failed,failing -o wide

  # Show a CronJob's Jobs, newest first, and which ones its history limits keep
  kubectl job list --cronjob nightly-report

  # List the CronJobs: last run, next run, skipped slots, success rate
  kubectl job list --cronjobs -A

  # Watch Jobs change, like kubectl get -w; deleted Jobs get a Deleted row
  kubectl job list -w

  # A column per label, and the owner team and image of each Job
  kubectl job list -L team,app.kubernetes.io/name
  kubectl job list -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team,IMAGE:.spec.template.spec.containers[0].image

  # Delete every failed Job of the namespace
  kubectl job list --status failed -o name | xargs kubectl delete`,
		RunE: runE(o),
	}
	o.PrintFlags.AddFlags(cmd)
	o.addAllNamespacesFlag(cmd, "List Jobs in every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Label selector to filter Jobs on, e.g. -l app=etl.")
	cmd.Flags().StringVar(&o.FieldSelector, "field-selector", o.FieldSelector, "Field selector to filter Jobs on, e.g. --field-selector status.successful=1.")
	cmd.Flags().StringVar(&o.CronJob, "cronjob", o.CronJob, "List the Jobs of this CronJob, newest first, with what its history limits keep.")
	cmd.Flags().BoolVar(&o.CronJobs, "cronjobs", o.CronJobs, "List the CronJobs instead: schedule, time zone, last run, next run, skipped slots and success rate over the last 24h.")
	cmd.Flags().StringSliceVar(&o.Status, "status", o.Status, "Only Jobs in these phases (comma-separated, any case): "+explain.PhaseNames()+".")
	cmd.Flags().StringVar(&o.SortBy, "sort-by", o.SortBy, "Sort by age (newest first), name, duration (shortest first) or status (needs attention first).")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "After listing, print a row each time a Job changes, until interrupted.")
	cmd.Flags().BoolVar(&o.WatchOnly, "watch-only", o.WatchOnly, "Watch for changes without printing the Jobs as they are first (implies --watch).")
	cmd.Flags().StringSliceVarP(&o.LabelColumns, "label-columns", "L", o.LabelColumns, "Add a column per label key, after AGE (as kubectl get), e.g. -L team,app.kubernetes.io/name.")
	cmd.Flags().BoolVar(&o.ShowLabels, "show-labels", o.ShowLabels, "Show all the labels of each Job as the last column.")
	cmd.Flags().BoolVar(&o.WatchEvents, "output-watch-events", o.WatchEvents, "With --watch, add an EVENT column (ADDED, MODIFIED, DELETED).")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Do not print the header line (and the --cronjob summary line).")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Read Jobs in pages of this many, and pods in pages of ten times as many; 0 reads each in one request.")
	return cmd
}

// interruptible: only a watch runs until Ctrl-C.
func (o *ListOptions) interruptible() bool { return o.Watch }

// Complete fills in the namespace, client, clock and printer.
func (o *ListOptions) Complete(_ *cobra.Command, args []string) error {
	var err error
	if o.Names, err = parseJobArgs(args); err != nil {
		return err
	}
	o.output = o.PrintFlags.Format
	if len(o.Status) > 0 {
		o.phases = map[explain.Phase]bool{}
		for _, s := range o.Status {
			p, ok := explain.ParsePhase(s)
			if !ok {
				return fmt.Errorf("invalid --status %q: valid values are %s", s, explain.PhaseNames())
			}
			o.phases[p] = true
		}
	}
	o.Watch = o.Watch || o.WatchOnly
	if o.output != "" && o.output != "wide" {
		if o.printer, err = listPrinter(o.PrintFlags, o.output, o.NoHeaders); err != nil {
			return err
		}
	}
	return o.complete(true)
}

// Validate rejects flag combinations kubectl would reject, before any request.
func (o *ListOptions) Validate() error {
	if o.CronJobs {
		return o.validateCronJobs()
	}
	switch {
	case len(o.Names) > 0 && o.AllNamespaces:
		return errors.New("a Job cannot be retrieved by name across all namespaces; drop -A or the names")
	case len(o.Names) > 0 && (o.LabelSelector != "" || o.FieldSelector != ""):
		return errors.New("names cannot be given with a selector; use either NAME... or -l/--field-selector")
	case o.CronJob != "" && (len(o.Names) > 0 || o.AllNamespaces):
		return errors.New("--cronjob lists one CronJob's Jobs in one namespace; drop -A and the names")
	case o.SortBy != "" && !slices.Contains(printers.ListSortOrders, o.SortBy):
		return fmt.Errorf("invalid --sort-by %q: valid values are %s", o.SortBy, strings.Join(printers.ListSortOrders, ", "))
	case o.ChunkSize < 0:
		return fmt.Errorf("invalid --chunk-size %d: must be 0 (no pages) or more", o.ChunkSize)
	case o.WatchEvents && !o.Watch:
		return errors.New("--output-watch-events needs --watch")
	case o.printer != nil && (len(o.LabelColumns) > 0 || o.ShowLabels):
		return withHint(fmt.Errorf("--label-columns and --show-labels add columns to the table, not to -o %s", o.output),
			"show a label with -o custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team")
	}
	for _, key := range o.LabelColumns {
		if key == "" {
			return errors.New("invalid --label-columns: a label key cannot be empty; e.g. -L team,app")
		}
	}
	return nil
}

// Run lists (and with --watch, keeps listing) the Jobs.
func (o *ListOptions) Run(ctx context.Context) error {
	if o.CronJobs {
		return o.runCronJobs(ctx)
	}
	if o.Watch {
		return o.listError(o.watch(ctx))
	}
	rows, cj, notFound, err := o.fetchRows(ctx)
	if err != nil {
		return o.listError(err)
	}
	rows = o.filterRows(rows)
	o.sortRows(rows, cj != nil)
	// Like kubectl get NAME: when every named Job is missing, the NotFound
	// lines are the whole answer, without "No resources found" after them.
	if len(rows) > 0 || len(notFound) == 0 {
		if err := o.print(rows, cj); err != nil {
			return err
		}
	}
	switch {
	case len(notFound) > 0:
		return exitcode.New(exitcode.Error, nil)
	case o.partial:
		return exitcode.New(exitcode.Partial, nil)
	}
	return nil
}

// listError adds to a failed list what to run instead: a user may list
// Jobs in a namespace and not in all.
func (o *ListOptions) listError(err error) error {
	if err != nil && o.AllNamespaces && apierrors.IsForbidden(err) {
		return withHint(err, "list the Jobs of one namespace with: kubectl job list -n NAMESPACE")
	}
	return err
}

// fetchRows reads the Jobs and judges them: a list of the scope in one pass
// (listExplainedRows), otherwise fetchJobs then explainRows.
func (o *ListOptions) fetchRows(ctx context.Context) (rows []printers.JobRow, cj *batchv1.CronJob, notFound []error, err error) {
	if o.CronJob == "" && len(o.Names) == 0 && o.needsVerdict() {
		rows, err = o.listExplainedRows(ctx)
		return rows, nil, nil, err
	}
	jobs, _, cj, notFound, err := o.fetchJobs(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	o.printNotFound(notFound)
	rows = o.explainRows(ctx, jobs)
	if cj != nil {
		markKept(rows, cj, jobs)
	}
	return rows, cj, notFound, nil
}

// watch lists the Jobs, then follows them until interrupted (runWatch).
func (o *ListOptions) watch(ctx context.Context) error {
	jobs, rv, cj, notFound, err := o.fetchJobs(ctx)
	if err != nil {
		return err
	}
	o.printNotFound(notFound)
	return o.runWatch(ctx, jobs, rv, cj)
}

func (o *ListOptions) printNotFound(notFound []error) {
	for _, nf := range notFound {
		fmt.Fprintln(o.ErrOut, errorMessage(nf))
	}
}

// fetchJobs reads the Jobs: one Get per named Job (like kubectl get NAME...,
// with NotFound collected, not fatal), the CronJob and its Jobs, or one
// paginated list.
func (o *ListOptions) fetchJobs(ctx context.Context) (jobs []batchv1.Job, rv string, cj *batchv1.CronJob, notFound []error, err error) {
	switch {
	case o.CronJob != "":
		cj, jobs, rv, err = kube.CronJobJobs(ctx, o.Client, o.Namespace, o.CronJob, o.ChunkSize)
		if apierrors.IsNotFound(err) {
			err = withHint(err, "list CronJobs with: kubectl get cronjobs -n %s", o.Namespace)
		}
		return jobs, rv, cj, nil, err
	case len(o.Names) > 0 && o.Watch:
		jobs, rv, notFound, err = kube.ListNamedJobs(ctx, o.Client, o.Namespace, o.Names, o.ChunkSize)
		return jobs, rv, nil, notFound, err
	case len(o.Names) > 0:
		got, notFound, err := kube.GetJobs(ctx, o.Client, o.Namespace, o.Names)
		for _, j := range got {
			jobs = append(jobs, *j)
		}
		return jobs, "", nil, notFound, err
	}
	jobs, rv, err = kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{
		LabelSelector: o.LabelSelector,
		FieldSelector: o.FieldSelector,
		Limit:         o.ChunkSize,
	})
	return jobs, rv, nil, nil, err
}
