package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/klog/v2"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// Sort orders of --sort-by.
var listSortOrders = []string{"age", "name", "duration", "status"}

// statusRank orders --sort-by=status: what needs attention first.
var statusRank = map[explain.Phase]int{
	explain.PhaseFailed: 0, explain.PhaseFailing: 1, explain.PhaseTerminating: 2, explain.PhasePending: 3,
	explain.PhaseRunning: 4, explain.PhaseNotStarted: 5, explain.PhaseSuspended: 6, explain.PhaseExternal: 7,
	explain.PhaseSucceeding: 8, explain.PhaseComplete: 9,
}

// ListOptions holds the flags and state of "kubectl job list".
type ListOptions struct {
	configFlags *genericclioptions.ConfigFlags
	PrintFlags  *genericclioptions.PrintFlags
	genericiooptions.IOStreams

	Names         []string
	Namespace     string
	AllNamespaces bool
	LabelSelector string
	FieldSelector string
	CronJob       string
	CronJobs      bool // --cronjobs: one row per CronJob (list_cronjobs.go)
	Status        []string
	SortBy        string
	Watch         bool
	WatchEvents   bool
	NoHeaders     bool
	ChunkSize     int64

	// Client and Now are set by Complete unless a test set them first.
	Client kubernetes.Interface
	Now    func() time.Time

	output  string
	phases  map[explain.Phase]bool
	printer cliprinters.ResourcePrinter // nil for the human table ("" and wide)
	partial bool                        // some read failed; exit code Partial
}

// NewListOptions returns ListOptions with kubectl's defaults.
func NewListOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ListOptions {
	return &ListOptions{
		configFlags: configFlags,
		PrintFlags:  genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme),
		IOStreams:   streams,
		ChunkSize:   500,
	}
}

// NewCmdList returns "kubectl job list" (aliases get, ls).
func NewCmdList(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdList(NewListOptions(configFlags, streams))
}

func newCmdList(o *ListOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [NAME...] [-n NAMESPACE | -A] [-l SELECTOR] [--cronjob NAME] [--status PHASE,...] [-w] [-o FORMAT]",
		Aliases: []string{"get", "ls"},
		Short:   "List Jobs with their true status, reason, duration, deadline and TTL",
		Long: `List Jobs with the verdict of the explain engine: STATUS is Pending while no pod
runs (kubectl says Running), REASON says why a Job ended or is stuck, DURATION
stops at the Failed condition (kubectl's keeps growing), DEADLINE counts down
activeDeadlineSeconds and TTL counts down ttlSecondsAfterFinished.

FAILED is counted failures against backoffLimit ("2/6": the Job fails at 7/6;
OnFailure container restarts count too), or with backoffLimitPerIndex the failed
indexes against maxFailedIndexes ("1/3 idx").

It reads the Jobs (in pages of --chunk-size) and, only if some are still live,
their pods with one more request (in pages ten times bigger), never one per Job.

-o json, yaml, name and jsonpath print the Job objects themselves, so the output
pipes into kubectl delete or kubectl apply.

--sort-by: age (newest first), name, duration (longest first), status (Failed,
Failing, Terminating, Pending, Running ... Complete: what needs attention first).`,
		Example: `  # List the Jobs of the current namespace
  kubectl job list

  # List failed and failing Jobs in every namespace, with the wide columns
  kubectl job list -A --status failed,failing -o wide

  # Show a CronJob's Jobs, newest first, and which ones its history limits keep
  kubectl job list --cronjob nightly-report

  # List the CronJobs: last run, next run, skipped slots, success rate
  kubectl job list --cronjobs -A

  # Watch Jobs change, like kubectl get -w
  kubectl job list -w

  # Delete every failed Job of the namespace
  kubectl job list --status failed -o name | xargs kubectl delete`,
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if o.Watch {
				var stop context.CancelFunc
				ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
				defer stop()
			}
			return o.Run(ctx)
		},
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = fmt.Sprintf("Output format. One of: (wide, %s).", strings.Join(o.PrintFlags.AllowedFormats(), ", "))
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "List Jobs in every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", o.LabelSelector, "Label selector to filter Jobs on, e.g. -l app=etl.")
	cmd.Flags().StringVar(&o.FieldSelector, "field-selector", o.FieldSelector, "Field selector to filter Jobs on, e.g. --field-selector status.successful=1.")
	cmd.Flags().StringVar(&o.CronJob, "cronjob", o.CronJob, "List the Jobs of this CronJob, newest first, with what its history limits keep.")
	cmd.Flags().BoolVar(&o.CronJobs, "cronjobs", o.CronJobs, "List the CronJobs instead: schedule, time zone, last run, next run, skipped slots and success rate over the last 24h.")
	cmd.Flags().StringSliceVar(&o.Status, "status", o.Status, "Only Jobs in these phases (comma-separated, any case): "+phaseList()+".")
	cmd.Flags().StringVar(&o.SortBy, "sort-by", o.SortBy, "Sort by age (newest first), name, duration (longest first) or status (needs attention first).")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "After listing, print a row each time a Job changes, until interrupted.")
	cmd.Flags().BoolVar(&o.WatchEvents, "output-watch-events", o.WatchEvents, "With --watch, add an EVENT column (ADDED, MODIFIED, DELETED).")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", o.NoHeaders, "Do not print the header line (and the --cronjob summary line).")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Read Jobs in pages of this many, and pods in pages of ten times as many; 0 reads each in one request.")
	return cmd
}

func phaseList() string {
	names := make([]string, len(explain.Phases))
	for i, p := range explain.Phases {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// Complete fills in the namespace, client, clock and printer.
func (o *ListOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Names = args
	if o.PrintFlags.OutputFormat != nil {
		o.output = *o.PrintFlags.OutputFormat
	}
	var err error
	if o.Namespace == "" {
		if o.Namespace, _, err = o.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return err
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.Status) > 0 {
		o.phases = map[explain.Phase]bool{}
		for _, s := range o.Status {
			p, ok := parsePhase(s)
			if !ok {
				return fmt.Errorf("invalid --status %q: valid values are %s", s, phaseList())
			}
			o.phases[p] = true
		}
	}
	if o.output != "" && o.output != "wide" {
		if o.printer, err = o.PrintFlags.ToPrinter(); err != nil {
			return err
		}
	}
	if o.Client == nil {
		var err error
		if o.Client, err = clientFromFlags(o.configFlags); err != nil {
			return err
		}
	}
	return nil
}

func parsePhase(s string) (explain.Phase, bool) {
	for _, p := range explain.Phases {
		if strings.EqualFold(strings.TrimSpace(s), string(p)) {
			return p, true
		}
	}
	return "", false
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
	case o.SortBy != "" && !slices.Contains(listSortOrders, o.SortBy):
		return fmt.Errorf("invalid --sort-by %q: valid values are %s", o.SortBy, strings.Join(listSortOrders, ", "))
	case o.ChunkSize < 0:
		return fmt.Errorf("invalid --chunk-size %d: must be 0 (no pages) or more", o.ChunkSize)
	case o.WatchEvents && !o.Watch:
		return errors.New("--output-watch-events needs --watch")
	}
	return nil
}

// scope is the namespace requests go to: "" for -A.
func (o *ListOptions) scope() string {
	if o.AllNamespaces {
		return ""
	}
	return o.Namespace
}

// Run lists (and with --watch, keeps listing) the Jobs.
func (o *ListOptions) Run(ctx context.Context) error {
	if o.CronJobs {
		return o.runCronJobs(ctx)
	}
	jobs, rv, cj, notFound, err := o.fetchJobs(ctx)
	if err != nil {
		if o.AllNamespaces && apierrors.IsForbidden(err) {
			return withHint(err, "list the Jobs of one namespace with: kubectl job list -n NAMESPACE")
		}
		return err
	}
	for _, nf := range notFound {
		fmt.Fprintln(o.ErrOut, errorMessage(nf))
	}
	if o.Watch {
		return o.runWatch(ctx, jobs, rv)
	}
	rows := o.explainRows(ctx, jobs)
	if cj != nil {
		kept := kube.HistoryKept(cj, jobs)
		for i := range rows {
			rows[i].Keep = "-"
			if k, ok := kept[rows[i].Job.UID]; ok {
				rows[i].Keep = map[bool]string{true: "yes", false: "no"}[k]
			}
		}
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
		// One list (by name when there is one name) gives the resourceVersion
		// the watch continues from.
		opts := metav1.ListOptions{Limit: o.ChunkSize}
		if len(o.Names) == 1 {
			opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", o.Names[0]).String()
		}
		all, rv, err := kube.ListJobs(ctx, o.Client, o.Namespace, opts)
		if err != nil {
			return nil, "", nil, nil, err
		}
		for _, name := range o.Names {
			i := slices.IndexFunc(all, func(j batchv1.Job) bool { return j.Name == name })
			if i < 0 {
				notFound = append(notFound, apierrors.NewNotFound(batchv1.Resource("jobs"), name))
				continue
			}
			jobs = append(jobs, all[i])
		}
		return jobs, rv, nil, notFound, nil
	case len(o.Names) > 0:
		for _, name := range o.Names {
			job, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				notFound = append(notFound, err)
				continue
			}
			if err != nil {
				return nil, "", nil, nil, err
			}
			jobs = append(jobs, *job)
		}
		return jobs, "", nil, notFound, nil
	}
	jobs, rv, err = kube.ListJobs(ctx, o.Client, o.scope(), metav1.ListOptions{
		LabelSelector: o.LabelSelector,
		FieldSelector: o.FieldSelector,
		Limit:         o.ChunkSize,
	})
	return jobs, rv, nil, nil, err
}

// needsPods says whether the verdicts must be refined with pods: the human
// table shows Pending vs Running, and --status may ask for either; -o
// json/yaml/name print the objects and need no verdict at all.
func (o *ListOptions) needsPods() bool {
	if o.printer == nil {
		return true
	}
	return o.phases[explain.PhasePending] || o.phases[explain.PhaseRunning] || o.phases[explain.PhaseNotStarted]
}

// needsVerdict says whether explain must run at all.
func (o *ListOptions) needsVerdict() bool { return o.printer == nil || len(o.phases) > 0 }

// podPageFactor makes the pages of the pods list this many times
// --chunk-size. Every page of a paginated list costs the API server another
// pass over its cache: on the bench fleet, the 4,300 pods of live Jobs among
// 12,000 took 1.3-2.5 s in 9 pages of 500 and 0.5 s in one. Pods are most of
// list's time, and their pages are filtered as they arrive, so bigger ones
// cost the client little.
const podPageFactor = 10

// explainRows computes each Job's verdict. The engine first judges every Job
// without pods; only the Jobs it does not find finished are live, and only
// for them, and only if any, are pods read, in one request per scope.
func (o *ListOptions) explainRows(ctx context.Context, jobs []batchv1.Job) []printers.JobRow {
	now := o.Now()
	rows := make([]printers.JobRow, len(jobs))
	var live []*batchv1.Job
	for i := range jobs {
		rows[i].Job = &jobs[i]
		if !o.needsVerdict() {
			continue
		}
		rows[i].Explanation = explainListed(&jobs[i], nil, false, now)
		if !rows[i].Explanation.Verdict.Phase.Finished() {
			live = append(live, &jobs[i])
		}
	}
	if len(live) == 0 || !o.needsPods() {
		return rows
	}
	pods, err := kube.ListPodsOfJobs(ctx, o.Client, o.scope(), live, o.ChunkSize*podPageFactor)
	if err != nil {
		// The table still shows what the Jobs say; the user learns what is missing.
		o.partial = true
		fmt.Fprintf(o.ErrOut, "Warning: %v; STATUS of live Jobs is from their counters only\n", kube.NewReadError("list", "pods", o.scope(), err))
		return rows
	}
	for i := range rows {
		if p, ok := pods[rows[i].Job.UID]; ok {
			rows[i].Explanation = explainListed(rows[i].Job, p, true, now)
		}
	}
	return rows
}

// explainListed runs the engine on a listed Job. Events are not read by list
// (they would cost a request per namespace and expire anyway), so they are
// marked unknown; explain and describe read them.
func explainListed(job *batchv1.Job, pods []corev1.Pod, podsKnown bool, now time.Time) *explain.JobExplanation {
	return explain.Explain(explain.Input{Job: job, Pods: pods, Now: now, PodsUnknown: !podsKnown, EventsUnknown: true})
}

func (o *ListOptions) filterRows(rows []printers.JobRow) []printers.JobRow {
	if len(o.phases) == 0 {
		return rows
	}
	return slices.DeleteFunc(rows, func(r printers.JobRow) bool { return !o.phases[r.Explanation.Verdict.Phase] })
}

// sortRows orders rows by --sort-by; ties and the default keep namespace/name
// order. The CronJob view defaults to newest first.
func (o *ListOptions) sortRows(rows []printers.JobRow, cronJob bool) {
	by := o.SortBy
	if by == "" && cronJob {
		by = "age"
	}
	key := func(r printers.JobRow) string { return r.Job.Namespace + "/" + r.Job.Name }
	sort.SliceStable(rows, func(i, j int) bool { return key(rows[i]) < key(rows[j]) })
	switch by {
	case "age":
		sort.SliceStable(rows, func(i, j int) bool {
			return rows[j].Job.CreationTimestamp.Before(&rows[i].Job.CreationTimestamp)
		})
	case "duration":
		sec := func(r printers.JobRow) float64 {
			if r.Explanation == nil || r.Explanation.Duration == nil {
				return -1
			}
			return r.Explanation.Duration.End.Sub(r.Explanation.Duration.Start.Time).Seconds()
		}
		sort.SliceStable(rows, func(i, j int) bool { return sec(rows[i]) > sec(rows[j]) })
	case "status":
		rank := func(r printers.JobRow) int {
			if r.Explanation == nil {
				return len(statusRank)
			}
			if n, ok := statusRank[r.Explanation.Verdict.Phase]; ok {
				return n
			}
			return len(statusRank)
		}
		sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i]) < rank(rows[j]) })
	}
}

func (o *ListOptions) printerOptions(now time.Time, cronJob bool) printers.ListOptions {
	return printers.ListOptions{
		Wide:          o.output == "wide",
		AllNamespaces: o.AllNamespaces,
		NoHeaders:     o.NoHeaders,
		CronJob:       cronJob,
		WatchEvents:   o.WatchEvents,
		Watch:         o.Watch,
		Now:           now,
	}
}

func (o *ListOptions) print(rows []printers.JobRow, cj *batchv1.CronJob) error {
	if o.printer != nil {
		return o.printObjects(rows)
	}
	now := o.Now()
	if cj != nil && !o.NoHeaders {
		next, utc, err := kube.NextSchedule(cj, now)
		fmt.Fprintln(o.Out, printers.CronJobSummary(cj, next, utc, err, now))
	}
	if len(rows) == 0 {
		fmt.Fprintln(o.ErrOut, o.noResources())
		return nil
	}
	return printers.PrintJobList(o.Out, rows, o.printerOptions(now, cj != nil))
}

// noResources is kubectl's message for an empty list.
func (o *ListOptions) noResources() string {
	if o.AllNamespaces {
		return "No resources found"
	}
	return fmt.Sprintf("No resources found in %s namespace.", o.Namespace)
}

// printObjects prints the Jobs themselves through cli-runtime, with their
// TypeMeta, so kubectl can read them back: one Job for one name (like kubectl
// get NAME -o yaml), otherwise a v1 List.
func (o *ListOptions) printObjects(rows []printers.JobRow) error {
	if (len(o.Names) == 1 && len(rows) == 1) || o.output == "name" {
		// The name printer takes no lists: one line per Job, like kubectl get.
		for _, r := range rows {
			if err := o.printer.PrintObj(typedJob(r.Job), o.Out); err != nil {
				return err
			}
		}
		if len(rows) == 0 {
			fmt.Fprintln(o.ErrOut, o.noResources())
		}
		return nil
	}
	list := &corev1.List{TypeMeta: metav1.TypeMeta{Kind: "List", APIVersion: "v1"}}
	for _, r := range rows {
		list.Items = append(list.Items, runtime.RawExtension{Object: typedJob(r.Job)})
	}
	return o.printer.PrintObj(list, o.Out)
}

// typedJob returns a copy of job with its apiVersion and kind, which typed
// clients leave empty.
func typedJob(job *batchv1.Job) *batchv1.Job {
	j := job.DeepCopy()
	j.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("Job"))
	return j
}

// runWatch prints the initial table, then a row whenever a Job's row
// changes, until ctx ends. Jobs are watched from the list's resourceVersion
// with a RetryWatcher (it resumes after dropped connections); when the
// resourceVersion expires it lists again and prints what changed meanwhile.
// Pods (for Pending vs Running) come from an informer on the scope's Job
// pods: one list and one watch, whatever the number of Jobs.
func (o *ListOptions) runWatch(ctx context.Context, jobs []batchv1.Job, rv string) error {
	w := &jobWatch{o: o, rows: printers.NewRowWriter(o.Out), last: map[types.UID]string{}, jobs: map[types.UID]*batchv1.Job{}}
	if len(o.Names) > 0 {
		w.names = map[string]bool{}
		for _, n := range o.Names {
			w.names[n] = true
		}
	}
	podChanged := make(chan types.UID, 256)
	if o.needsPods() {
		w.pods = o.startPodInformer(ctx, podChanged)
		if !cache.WaitForCacheSync(ctx.Done(), w.pods.HasSynced) {
			return nil // interrupted before the pods were read
		}
	}
	w.initial(jobs)
	for {
		err := w.watchJobs(ctx, rv, podChanged)
		if ctx.Err() != nil {
			return nil // interrupted: like kubectl get -w, that is how it ends
		}
		// Expiry is routine (the RetryWatcher resumes everything else), so
		// this is a debug message, not a warning: see it with -v=2.
		if err != nil {
			klog.V(2).Infof("watch of Jobs ended (%v); listing again", err)
		}
		// The watch cannot resume: list again and print what changed.
		jobs, rv, _, _, err = o.fetchJobs(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		w.resync(jobs)
	}
}

// podInformer is the pods side of a watch.
type podInformer struct {
	indexer   cache.Indexer
	HasSynced func() bool
}

const byJobUID = "jobUID"

func (o *ListOptions) startPodInformer(ctx context.Context, changed chan<- types.UID) *podInformer {
	selector := kube.JobsPodSelector(nil).String() // every Job pod of the scope
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.LabelSelector = selector
			return o.Client.CoreV1().Pods(o.scope()).List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selector
			return o.Client.CoreV1().Pods(o.scope()).Watch(ctx, opts)
		},
	}
	notify := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if pod, ok := obj.(*corev1.Pod); ok {
			select {
			case changed <- kube.JobUIDOf(pod):
			default: // the loop is behind; the Job's next event redraws it
			}
		}
	}
	// The wrapper lets clients that cannot stream lists (fakes) say so.
	store, informer := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.ToListWatcherWithWatchListSemantics(lw, o.Client),
		ObjectType:    &corev1.Pod{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    notify,
			UpdateFunc: func(_, obj any) { notify(obj) },
			DeleteFunc: notify,
		},
		Indexers: cache.Indexers{byJobUID: func(obj any) ([]string, error) {
			return []string{string(kube.JobUIDOf(obj.(*corev1.Pod)))}, nil
		}},
	})
	go informer.RunWithContext(ctx)
	// With Indexers set the store is an Indexer.
	return &podInformer{indexer: store.(cache.Indexer), HasSynced: informer.HasSynced}
}

func (p *podInformer) podsOf(uid types.UID) []corev1.Pod {
	objs, _ := p.indexer.ByIndex(byJobUID, string(uid))
	pods := make([]corev1.Pod, 0, len(objs))
	for _, obj := range objs {
		pods = append(pods, *obj.(*corev1.Pod))
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods
}

// jobWatch is the state of list --watch.
type jobWatch struct {
	o     *ListOptions
	rows  *printers.RowWriter
	pods  *podInformer
	names map[string]bool
	jobs  map[types.UID]*batchv1.Job
	last  map[types.UID]string // signature of the row last printed
}

func (w *jobWatch) row(job *batchv1.Job, event string, now time.Time) printers.JobRow {
	r := printers.JobRow{Job: job, Event: event}
	if w.o.needsVerdict() {
		var pods []corev1.Pod
		if w.pods != nil {
			pods = w.pods.podsOf(job.UID)
		}
		r.Explanation = explainListed(job, pods, w.pods != nil && kube.PodsFindableByLabel(job), now)
	}
	return r
}

func (w *jobWatch) wanted(job *batchv1.Job, r printers.JobRow) bool {
	if w.names != nil && !w.names[job.Name] {
		return false
	}
	return len(w.o.phases) == 0 || w.o.phases[r.Explanation.Verdict.Phase]
}

func (w *jobWatch) initial(jobs []batchv1.Job) {
	now := w.o.Now()
	var rows []printers.JobRow
	for i := range jobs {
		j := &jobs[i]
		w.jobs[j.UID] = j
		r := w.row(j, string(watch.Added), now)
		w.last[j.UID] = printers.ListRowSignature(r, w.o.printerOptions(now, false))
		if w.wanted(j, r) {
			rows = append(rows, r)
		}
	}
	w.o.sortRows(rows, false)
	if w.o.printer != nil {
		for _, r := range rows {
			w.printObject(r.Job)
		}
		return
	}
	t := printers.ListTable(rows, w.o.printerOptions(now, false))
	if err := w.rows.PrintTable(t, w.o.NoHeaders); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

// update prints job's row if it changed since last printed (always for
// DELETED, and always for -o json/yaml/name, like kubectl get -w).
func (w *jobWatch) update(job *batchv1.Job, event watch.EventType) {
	now := w.o.Now()
	if event == watch.Deleted {
		delete(w.jobs, job.UID)
	} else {
		w.jobs[job.UID] = job
	}
	r := w.row(job, string(event), now)
	sig := printers.ListRowSignature(r, w.o.printerOptions(now, false))
	changed := sig != w.last[job.UID] || event == watch.Deleted
	w.last[job.UID] = sig
	if event == watch.Deleted {
		delete(w.last, job.UID)
	}
	if !w.wanted(job, r) || (!changed && w.o.printer == nil) {
		return
	}
	if w.o.printer != nil {
		w.printObject(job)
		return
	}
	if err := w.rows.PrintRow(printers.ListRow(r, w.o.printerOptions(now, false))); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

func (w *jobWatch) printObject(job *batchv1.Job) {
	if err := w.o.printer.PrintObj(typedJob(job), w.o.Out); err != nil {
		fmt.Fprintf(w.o.ErrOut, "error: %v\n", err)
	}
}

// resync applies a fresh list after the watch could not resume.
func (w *jobWatch) resync(jobs []batchv1.Job) {
	seen := map[types.UID]bool{}
	for i := range jobs {
		seen[jobs[i].UID] = true
		event := watch.Modified
		if _, ok := w.jobs[jobs[i].UID]; !ok {
			event = watch.Added
		}
		w.update(&jobs[i], event)
	}
	for uid, j := range w.jobs {
		if !seen[uid] {
			w.update(j, watch.Deleted)
		}
	}
}

// watchJobs follows Job events from rv until ctx ends or the watch cannot
// resume (its resourceVersion expired).
func (w *jobWatch) watchJobs(ctx context.Context, rv string, podChanged <-chan types.UID) error {
	o := w.o
	opts := metav1.ListOptions{LabelSelector: o.LabelSelector, FieldSelector: o.FieldSelector}
	if len(o.Names) == 1 {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", o.Names[0]).String()
	}
	watchFn := func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
		options.LabelSelector, options.FieldSelector = opts.LabelSelector, opts.FieldSelector
		return o.Client.BatchV1().Jobs(o.scope()).Watch(ctx, options)
	}
	var wi watch.Interface
	var err error
	if rv == "" || rv == "0" {
		// No resourceVersion to resume from (some fakes and proxies): a plain
		// watch; when it ends the caller lists again.
		opts.ResourceVersion = rv
		wi, err = watchFn(ctx, opts)
	} else {
		wi, err = watchtools.NewRetryWatcherWithContext(ctx, rv, &cache.ListWatch{WatchFuncWithContext: watchFn})
	}
	if err != nil {
		return err
	}
	defer wi.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case uid := <-podChanged:
			if job, ok := w.jobs[uid]; ok {
				w.update(job, watch.Modified)
			}
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return nil
			}
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				if job, ok := ev.Object.(*batchv1.Job); ok {
					w.update(job, ev.Type)
				}
			case watch.Error:
				return apierrors.FromObject(ev.Object)
			}
		}
	}
}
