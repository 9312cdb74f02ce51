package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// ExplainOptions are the flags and state of "kubectl job explain".
type ExplainOptions struct {
	commandCore
	PrintFlags *outputFlags

	Name string
	// Filename is -f: a file, or "-" for stdin, explained without a cluster.
	Filename string
	Local    bool
	// NowFlag is --now: the instant to explain at (RFC3339), for
	// reproducible post-mortems of saved objects.
	NowFlag string
	// PodFailureBackoff is --pod-failure-backoff.
	PodFailureBackoff time.Duration

	now time.Time
	// cronJob is the NAME of explain cronjob/NAME (isCronJob), explained
	// by runExplainCronJob.
	cronJob   string
	isCronJob bool
	printer   cliprinters.ResourcePrinter // nil for the human view ("" and wide)
	wide      bool
	cron      cronJobFlags // explain cronjob/NAME (explain_cronjob.go)
	fleet     fleetFlags   // explain -l / --all (explain_fleet.go)
}

// NewExplainOptions returns ExplainOptions with the defaults.
func NewExplainOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ExplainOptions {
	return &ExplainOptions{
		commandCore: newCommandCore(configFlags, streams),
		PrintFlags:  newOutputFlags("", nil, "wide"),

		PodFailureBackoff: explain.PodFailureBackoff,
	}
}

// NewCmdExplain explains why a Job succeeded, failed or is stuck.
func NewCmdExplain(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewExplainOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "explain NAME [-o json|yaml|wide|jsonpath=...] | explain (-l SELECTOR | --all) [-A] | explain [NAME] -f FILE | explain cronjob/NAME [--since 24h] [--next 5]",
		Short: "Explain why a Job succeeded, failed or is stuck, with numbers",
		Long: `Explain why a Job succeeded, failed or is stuck, tied to numbers.

The verdict comes from the Job's conditions first and its counters, pods and
events second: the phase (Complete, Failed, Succeeding, Failing, Suspended,
Terminating, External, Pending, Running, NotStarted), the reason with its
evidence (failed pods against backoffLimit, the deadline, the podFailurePolicy
rule that matched, failed indexes), every attempt, the per-index table of
Indexed Jobs, the Job's and its pods' events, when the TTL deletes the Job,
and what to run next. It reads the Job, its pods and their events in at most
4 requests, whatever the number of pods.

With -f it explains saved objects without a cluster, for post-mortems: the
output of "kubectl get job,pods,events -o yaml" (a List, or several YAML
documents), or a single Job.

With -l SELECTOR or --all (and -A for every namespace) it explains many Jobs,
one line each: the phase, the reason, the counts and the verdict's message,
or with -o json|yaml a JobExplanationList whose items are the JobExplanations
explain NAME prints. It reads one Jobs list, one pods list per namespace and one events list
whatever the number of Jobs; like explain NAME it exits 0 whatever the
verdicts (5 when pods or events could not be read).`,
		Example: `  # Explain why the Job pi failed, succeeded or is stuck
  kubectl job explain pi

  # The same as a versioned JobExplanation object, for scripts
  kubectl job explain pi -n batch -o json

  # Print only the verdict's phase and reason
  kubectl job explain pi -o jsonpath='{.verdict.phase} {.verdict.reason}{"\n"}'

  # List every attempt, index and event instead of the most recent ones
  kubectl job explain pi -o wide

  # Post-mortem from saved objects, as of a given time
  kubectl get job,pods,events -n batch -o yaml > pi.yaml
  kubectl job explain pi -f pi.yaml --now=2026-03-01T12:00:00Z

  # Explain a Job read from stdin
  kubectl get job pi -o yaml | kubectl job explain -f -` + fleetExamples + cronJobExplainExamples,
		Args: atMostOneArg,
		RunE: runE(o),
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = "Output format: json, yaml, wide, name, jsonpath=..., jsonpath-file=...; empty for the human view"
	cmd.Flags().StringVarP(&o.Filename, "filename", "f", "", `Explain the Job in this file ("-" for stdin) instead of reading it from the cluster; implies --local`)
	cmd.Flags().BoolVar(&o.Local, "local", false, "Read nothing from the cluster: explain the objects given with -f")
	addPodFailureBackoffFlag(cmd.Flags(), &o.PodFailureBackoff)
	cmd.Flags().StringVar(&o.NowFlag, "now", "", "Explain as of this RFC3339 time instead of the current time (reproducible post-mortems)")
	o.cron.addFlags(cmd)
	o.addFleetFlags(cmd)
	return cmd
}

// Complete fills the name, namespace, clock, printer and client.
func (o *ExplainOptions) Complete(_ *cobra.Command, args []string) error {
	if o.cronJob, o.isCronJob = cronJobArg(args); o.isCronJob {
		args = nil
	}
	names, err := parseJobArgs(args)
	if err != nil {
		return err
	}
	if len(names) == 1 {
		o.Name = names[0]
	}
	if o.Filename != "" {
		o.Local = true
	}
	if !o.Local {
		if err := o.complete(true); err != nil {
			return err
		}
	} else if o.Namespace == "" && o.configFlags.Namespace != nil {
		// A saved object carries its namespace; -n only narrows the choice.
		o.Namespace = *o.configFlags.Namespace
	}
	if o.Now == nil {
		o.Now = clock
	}
	o.now = o.Now()
	if o.NowFlag != "" {
		if o.now, err = time.Parse(time.RFC3339, o.NowFlag); err != nil {
			return withHint(fmt.Errorf("invalid --now %q: not an RFC 3339 time", o.NowFlag), "give a time like 2026-03-01T12:00:00Z")
		}
	}
	switch out := o.PrintFlags.Format; out {
	case "", "wide":
		o.wide = out == "wide"
	default:
		if o.printer, err = o.PrintFlags.ToPrinter(); err != nil {
			return withHint(err, "use -o json, yaml, wide, name or jsonpath=...")
		}
	}
	return nil
}

// Validate checks the arguments before any request.
func (o *ExplainOptions) Validate() error {
	if err := o.validateFleet(); err != nil {
		return err
	}
	switch {
	case o.isFleet():
	case o.isCronJob:
		return nil // runExplainCronJob checks its own
	case o.Local && o.Filename == "":
		return withHint(errors.New("--local needs objects to explain"), "give them with -f FILE, or -f - for stdin")
	case o.Name == "" && o.Filename == "":
		return withHint(errors.New("a Job name is required"), "run kubectl job explain NAME, or list Jobs with: kubectl job list%s", namespaceFlag(o.Namespace))
	}
	return validatePodFailureBackoff(o.PodFailureBackoff)
}

// Run explains the Job and prints the explanation. Pods or events that could
// not be read are named on stderr, and the exit code says the output is partial.
func (o *ExplainOptions) Run(ctx context.Context) error {
	if o.isCronJob {
		return o.runExplainCronJob(ctx, o.cronJob)
	}
	if o.isFleet() {
		return o.runExplainFleet(ctx)
	}
	var (
		in       explain.Input
		problems []error
	)
	if o.Local {
		var err error
		if in, problems, err = o.readLocal(); err != nil {
			return err
		}
	} else {
		fetched, err := kube.FetchJob(ctx, o.Client, o.Namespace, o.Name, o.now)
		if err != nil {
			return o.jobNotFound(ctx, err, o.Name)
		}
		in, problems = fetched.Input, fetched.Problems
	}
	in.PodFailureBackoff = o.PodFailureBackoff
	e := explain.Explain(in)
	if err := o.print(e, in.Job != nil && cronexplain.ManualRun(in.Job)); err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", printers.Sanitize(p.Error()))
	}
	if len(problems) > 0 && !o.Local {
		return exitcode.New(exitcode.Partial, nil)
	}
	return nil
}

// print writes e; manual marks a Job created by hand from its CronJob.
func (o *ExplainOptions) print(e *explain.JobExplanation, manual bool) error {
	if o.printer != nil {
		return o.printer.PrintObj(e, o.Out)
	}
	return printers.PrintExplanation(o.Out, e, printers.ExplainOptions{Wide: o.wide, Color: cliprinters.AllowsColorOutput(o.Out), ManualRun: manual})
}

// readLocal reads the objects of -f and picks the Job to explain: NAME if
// given, else the only Job. Missing pods or events are notes, not errors:
// the engine is told they are unknown rather than absent.
func (o *ExplainOptions) readLocal() (explain.Input, []error, error) {
	source := o.Filename
	var (
		data []byte
		err  error
	)
	if source == "-" {
		source = "stdin"
		data, err = io.ReadAll(o.In)
	} else {
		data, err = os.ReadFile(o.Filename)
	}
	if err != nil {
		return explain.Input{}, nil, fmt.Errorf("cannot read %s: %w", source, err)
	}
	objs, err := explain.DecodeObjects(data)
	if err != nil {
		return explain.Input{}, nil, withHint(fmt.Errorf("cannot decode %s: %w", source, err), "save the objects with: kubectl get job,pods,events -o yaml > FILE")
	}
	var candidates []*batchv1.Job
	var names []string
	for i := range objs.Jobs {
		j := &objs.Jobs[i]
		if (o.Name == "" || j.Name == o.Name) && (o.Namespace == "" || j.Namespace == "" || j.Namespace == o.Namespace) {
			candidates = append(candidates, j)
		}
		names = append(names, j.Name)
	}
	switch {
	case len(objs.Jobs) == 0:
		return explain.Input{}, nil, withHint(fmt.Errorf("no Job in %s", source), "save one with: kubectl get job NAME -o yaml")
	case len(candidates) == 0:
		return explain.Input{}, nil, withHint(fmt.Errorf("no Job %q in %s", o.Name, source), "it has: %s", strings.Join(names, ", "))
	case len(candidates) > 1:
		var found []string
		for _, j := range candidates {
			found = append(found, j.Namespace+"/"+j.Name)
		}
		return explain.Input{}, nil, withHint(fmt.Errorf("%s has %d Jobs (%s)", source, len(candidates), strings.Join(found, ", ")), "name one: kubectl job explain NAME -f %s", o.Filename)
	}
	in := objs.InputFor(candidates[0], o.now)
	var notes []error
	if len(objs.Pods) == 0 {
		in.PodsUnknown = true
		notes = append(notes, fmt.Errorf("%s has no Pods: attempts and pending reasons are missing (save them with: kubectl get job,pods,events -o yaml)", source))
	}
	// A saved List with pods but no events most likely had none (they
	// expire after about an hour); a lone Job says nothing about them.
	if len(objs.Events) == 0 && len(objs.Pods) == 0 {
		in.EventsUnknown = true
	}
	return in, notes, nil
}
