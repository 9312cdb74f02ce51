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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/cronexplain"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
	"github.com/kubectl-job/kubectl-job/pkg/prune"
)

// cronJobPrefixes are the TYPE/ forms of a CronJob argument, as kubectl
// accepts them.
var cronJobPrefixes = []string{"cronjob/", "cronjobs/", "cj/", "cronjob.batch/", "cronjobs.batch/"}

// cronJobArg returns NAME when the single argument is cronjob/NAME (or
// cj/NAME, cronjob.batch/NAME, cronjobs.batch/NAME).
func cronJobArg(args []string) (string, bool) {
	if len(args) != 1 {
		return "", false
	}
	lower := strings.ToLower(args[0])
	for _, p := range cronJobPrefixes {
		if strings.HasPrefix(lower, p) {
			return args[0][len(p):], true
		}
	}
	return "", false
}

// cronJobFlags are the flags of "explain cronjob/NAME".
type cronJobFlags struct {
	Since time.Duration
	Next  int
}

func (f *cronJobFlags) addFlags(cmd *cobra.Command) {
	f.Since = cronexplain.DefaultSince
	cmd.Flags().Var((*sinceValue)(&f.Since), "since", "With cronjob/NAME: the window whose slots are classified: 24h, 90m, 7d")
	cmd.Flags().IntVar(&f.Next, "next", cronexplain.DefaultNext, "With cronjob/NAME: how many upcoming runs to list")
}

// sinceValue is a duration flag that also takes days ("7d", "1d12h").
type sinceValue time.Duration

func (v *sinceValue) String() string { return time.Duration(*v).String() }

func (v *sinceValue) Type() string { return "duration" }

func (v *sinceValue) Set(s string) error {
	d, err := prune.ParseOlderThan(s) // the same days-or-duration syntax as prune --older-than
	if err != nil {
		return fmt.Errorf("%q is not a positive duration like 24h or 7d", s)
	}
	*v = sinceValue(d)
	return nil
}

// cronJobExplainExamples are appended to explain's examples.
const cronJobExplainExamples = `

  # Why a CronJob ran, ran late or did not run: every slot of the last day,
  # the next 5 runs and what the controller does next
  kubectl job explain cronjob/nightly-report

  # The last week, the next 10 runs, as a CronJobExplanation object
  kubectl job explain cj/nightly-report --since 7d --next 10 -o json

  # Post-mortem from saved objects (--show-managed-fields keeps when spec.suspend was written)
  kubectl get cronjob,jobs,pods,events -o yaml --show-managed-fields > cj.yaml
  kubectl job explain cronjob/nightly-report -f cj.yaml --now 2026-11-30T11:33:00Z`

// runExplainCronJob explains the CronJob NAME with the options explain
// completed (namespace, clock, printer, client or -f).
func (o *ExplainOptions) runExplainCronJob(ctx context.Context, name string) error {
	if o.Local && o.Filename == "" {
		return withHint(errors.New("--local needs objects to explain"), "give them with -f FILE, or -f - for stdin")
	}
	if name == "" {
		return withHint(errors.New("a CronJob name is required after cronjob/"), "list CronJobs with: kubectl job list --cronjobs%s", namespaceFlag(o.Namespace))
	}
	if o.cron.Next < 0 {
		return withHint(fmt.Errorf("invalid --next %d: must be 0 or more", o.cron.Next), "give a count like --next 5")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var (
		in       cronexplain.Input
		problems []error
	)
	if o.Local {
		var err error
		if in, err = o.readLocalCronJob(name); err != nil {
			return err
		}
	} else {
		fetched, err := kube.FetchCronJob(ctx, o.Client, o.Namespace, name, o.now)
		if err != nil {
			if apierrors.IsNotFound(err) {
				return withHint(err, "list CronJobs with: kubectl job list --cronjobs%s", namespaceFlag(o.Namespace))
			}
			return err
		}
		in, problems = fetched.Input, fetched.Problems
	}
	in.Since, in.Next = o.cron.Since, o.cron.Next
	if in.Next == 0 {
		in.Next = -1 // --next 0: none (0 in Input means the default)
	}
	e := cronexplain.Explain(in)
	var err error
	if o.printer != nil {
		err = o.printer.PrintObj(e, o.Out)
	} else {
		err = printers.PrintCronJobExplanation(o.Out, e, printers.ExplainOptions{Wide: o.wide, Color: cliprinters.AllowsColorOutput(o.Out)})
	}
	if err != nil {
		return err
	}
	return warnPartial(o.ErrOut, problems)
}

// readLocalCronJob reads -f: the CronJob NAME, its Jobs and events.
func (o *ExplainOptions) readLocalCronJob(name string) (cronexplain.Input, error) {
	source, data := o.Filename, []byte(nil)
	var err error
	if source == "-" {
		source = "stdin"
		data, err = io.ReadAll(o.In)
	} else {
		data, err = os.ReadFile(o.Filename)
	}
	if err != nil {
		return cronexplain.Input{}, fmt.Errorf("cannot read %s: %w", source, err)
	}
	objs, err := explain.DecodeObjects(data)
	if err != nil {
		return cronexplain.Input{}, withHint(fmt.Errorf("cannot decode %s: %w", source, err), "save the objects with: kubectl get cronjob,jobs,events -o yaml > FILE")
	}
	var cj *batchv1.CronJob
	var names []string
	for i := range objs.CronJobs {
		c := &objs.CronJobs[i]
		names = append(names, c.Name)
		if c.Name == name && (o.Namespace == "" || c.Namespace == "" || c.Namespace == o.Namespace) {
			cj = c
		}
	}
	switch {
	case len(objs.CronJobs) == 0:
		return cronexplain.Input{}, withHint(fmt.Errorf("no CronJob in %s", source), "save it with: kubectl get cronjob,jobs,events -o yaml > FILE")
	case cj == nil:
		return cronexplain.Input{}, withHint(fmt.Errorf("no CronJob %q in %s", name, source), "it has: %s", strings.Join(names, ", "))
	}
	return cronexplain.Input{CronJob: cj, Jobs: objs.Jobs, Pods: objs.Pods, Events: objs.Events, Now: o.now,
		PodsUnknown: len(objs.Pods) == 0, EventsUnknown: len(objs.Events) == 0 && len(objs.Jobs) == 0}, nil
}
