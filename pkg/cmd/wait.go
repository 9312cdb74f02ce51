package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
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
	For      string
	Timeout  time.Duration
	Early    bool

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
	return newCmdWait(NewWaitOptions(configFlags, streams))
}

func newCmdWait(o *WaitOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wait (NAME... | -l SELECTOR) [--for=complete|failed|finished|suspended] [--timeout=DURATION] [--early]",
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
the order 1, 2, 3, 4, 0.

--timeout=0 (the default) waits as long as it takes. --early decides as soon
as the controller has decided (FailureTarget / SuccessCriteriaMet), without
waiting for the remaining pods to terminate.`,
		Example: `  # Wait until the Job completes or fails; exit 0 if it completed, 2 if it failed
  kubectl job wait migrate

  # Give up after 10 minutes (exit 3)
  kubectl job wait migrate --timeout=10m

  # Wait for every Job of a release, exit with the worst outcome
  kubectl job wait -l app.kubernetes.io/instance=nightly

  # React as soon as the controller decided, while pods still terminate
  kubectl job wait migrate --early

  # Wait until the controller has suspended the Job
  kubectl job wait batch-1 --for=suspended`,
		RunE: runE(o),
	}
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", o.Selector, "Wait for every Job matching this label selector (found when the wait starts)")
	cmd.Flags().StringVar(&o.For, "for", o.For, "What to wait for: complete, failed, finished (complete or failed) or suspended")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up after this long and exit 3; 0 waits as long as it takes")
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
	if len(o.Names) == 0 && o.Selector == "" {
		return withHint(errors.New("name one or more Jobs or give a selector with -l"), "for example: kubectl job wait NAME")
	}
	if len(o.Names) > 0 && o.Selector != "" {
		return errors.New("give Job names or -l SELECTOR, not both")
	}
	if _, err := parseWaitFor(o.For); err != nil {
		return err
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	return nil
}

// Run waits and returns the exit code as an exitcode error.
func (o *WaitOptions) Run(ctx context.Context) error {
	target, _ := parseWaitFor(o.For)
	var targets []kube.JobTarget
	for _, n := range o.Names {
		targets = append(targets, kube.JobTarget{Namespace: o.Namespace, Name: n})
	}
	if o.Selector != "" {
		targets = append(targets, kube.JobTarget{Namespace: o.Namespace, LabelSelector: o.Selector})
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
		w.progress = newProgressLine(o.ErrOut, true)
	}
	outcomes, err := w.wait(ctx, targets)
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

// waitOutcome is how the wait for one Job ended.
type waitOutcome struct {
	Namespace, Name string
	// Done is false when the wait timed out first.
	Done bool
	Code int
	// Word is the one-word state printed after job.batch/NAME.
	Word        string
	Explanation *explain.JobExplanation
}

// waiter waits for Jobs with kube.WatchJobs and decides with explain.
type waiter struct {
	client   kubernetes.Interface
	target   waitFor
	early    bool
	timeout  time.Duration
	now      func() time.Time
	progress *progressLine
}

// wait watches every target until each Job is decided or the timeout ends;
// it returns one outcome per Job, in the order the Jobs were first seen. An
// error (not found, forbidden) from any target stops all of them.
func (w *waiter) wait(ctx context.Context, targets []kube.JobTarget) ([]waitOutcome, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timeoutCtx := ctx
	if w.timeout > 0 {
		var stop context.CancelFunc
		timeoutCtx, stop = context.WithTimeoutCause(ctx, w.timeout, errWaitTimeout)
		defer stop()
	}
	var (
		mu       sync.Mutex
		order    []string
		outcomes = map[string]*waitOutcome{}
		firstErr error
		wg       sync.WaitGroup
	)
	if w.progress != nil {
		defer w.progress.stop()
		w.progress.start(w.now)
	}
	for _, t := range targets {
		wg.Go(func() {
			seen := false
			err := kube.WatchJobs(timeoutCtx, w.client.BatchV1(), t, func(s kube.JobState) bool {
				mu.Lock()
				defer mu.Unlock()
				seen = true
				key := string(s.Job.UID)
				out, seen := outcomes[key]
				if !seen {
					out = &waitOutcome{Namespace: s.Job.Namespace, Name: s.Job.Name}
					outcomes[key] = out
					order = append(order, key)
				}
				e := verdictOf(s.Job, w.now())
				out.Explanation = e
				out.Done, out.Code, out.Word = decideWait(e.Verdict, s.Deleted, w.target, w.early)
				if w.progress != nil {
					w.progress.set(s.Job, out.Done)
				}
				return out.Done
			})
			if err != nil && errors.Is(context.Cause(timeoutCtx), errWaitTimeout) && !seen {
				// The timeout passed before the Job could even be read.
				mu.Lock()
				key := "target/" + t.Name + "/" + t.LabelSelector
				outcomes[key] = &waitOutcome{Namespace: t.Namespace, Name: waitTargetName(t), Word: "unread (the API server did not answer)"}
				order = append(order, key)
				mu.Unlock()
				return
			}
			if err != nil && !errors.Is(context.Cause(timeoutCtx), errWaitTimeout) {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil && !errors.Is(firstErr, context.Canceled) {
		return nil, firstErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, errWaitTimeout) {
		return nil, err // interrupted
	}
	out := make([]waitOutcome, 0, len(order))
	for _, k := range order {
		out = append(out, *outcomes[k])
	}
	return out, nil
}

var errWaitTimeout = errors.New("timed out")

func waitTargetName(t kube.JobTarget) string {
	if t.Name != "" {
		return t.Name
	}
	return "-l " + t.LabelSelector
}

// verdictOf explains the Job as seen by the watch. Pods are not read: the
// phases a wait decides on (Complete, Failed, Failing, Succeeding, Suspended,
// External) come from the Job's conditions and spec, and reading pods on
// every change would cost requests; explainUndecided reads them once for
// the Jobs still undecided at the end. A Job being deleted is explained as it
// was before the deletion started, so that a Job removed by its TTL right
// after completing still counts as complete.
func verdictOf(job *batchv1.Job, now time.Time) *explain.JobExplanation {
	if job.DeletionTimestamp != nil {
		job = job.DeepCopy()
		job.DeletionTimestamp = nil
	}
	return explain.Explain(explain.Input{Job: job, Now: now, PodsUnknown: true})
}

// explainUndecided explains the Jobs the wait did not see decided with the
// evidence kubectl job explain reads (pods and events, kube.FetchJob), so a
// timed-out Job's verdict says why it is pending as explain does. A Job that
// cannot be read keeps the verdict from the watch.
func (w *waiter) explainUndecided(ctx context.Context, outcomes []waitOutcome) {
	for i := range outcomes {
		o := &outcomes[i]
		if o.Done || o.Explanation == nil {
			continue
		}
		f, err := kube.FetchJob(ctx, w.client, o.Namespace, o.Name, w.now())
		if err != nil || f.Input.Job.UID != o.Explanation.UID {
			continue
		}
		e := explain.Explain(f.Input)
		if done, _, word := decideWait(e.Verdict, false, w.target, w.early); !done {
			o.Explanation, o.Word = e, word
		}
	}
}

// decideWait maps a verdict to "done?" and the exit code (see the wait
// command's help for the table).
func decideWait(v explain.Verdict, deleted bool, target waitFor, early bool) (done bool, code int, word string) {
	phase := v.Phase
	if early {
		switch phase {
		case explain.PhaseFailing:
			phase = explain.PhaseFailed
		case explain.PhaseSucceeding:
			phase = explain.PhaseComplete
		}
	}
	switch phase {
	case explain.PhaseComplete:
		if target == waitFailed || target == waitSuspended {
			return true, exitcode.EndedOtherwise, "complete"
		}
		return true, exitcode.OK, "complete"
	case explain.PhaseFailed:
		if target == waitFailed {
			return true, exitcode.OK, "failed"
		}
		return true, exitcode.JobFailed, "failed"
	case explain.PhaseSuspended:
		if target == waitSuspended {
			// spec.suspend is set but the controller has not acted yet.
			if v.Reason == explain.ReasonSuspendRequested && !deleted {
				return false, 0, "suspending"
			}
			return true, exitcode.OK, "suspended"
		}
		return true, exitcode.EndedOtherwise, "suspended"
	}
	if deleted {
		return true, exitcode.EndedOtherwise, "deleted"
	}
	return false, 0, strings.ToLower(string(phase))
}

// severity orders exit codes for "exit with the worst": error, failed,
// timeout, ended otherwise, ok.
func waitSeverity(code int) int {
	switch code {
	case exitcode.Error:
		return 5
	case exitcode.JobFailed:
		return 4
	case exitcode.Timeout:
		return 3
	case exitcode.EndedOtherwise:
		return 2
	case exitcode.OK:
		return 0
	}
	return 1
}

// reportOutcomes prints one line per Job on out (printers.WaitLine, or with
// verdictLines the line kubectl job logs -f ends with) and returns the worst
// exit code. Jobs still undecided at the timeout go to errOut.
func reportOutcomes(out, errOut io.Writer, outcomes []waitOutcome, target waitFor, timeout time.Duration, verdictLines bool) error {
	worst, pending := exitcode.OK, 0
	for _, o := range outcomes {
		line := printers.WaitLine(o.Name, o.Word, o.Explanation, "")
		if verdictLines && o.Explanation != nil {
			line = printers.VerdictLine("job/"+o.Name+" "+string(o.Explanation.Verdict.Phase), o.Explanation.Verdict)
		}
		w := out
		if !o.Done {
			pending++
			line = printers.WaitLine(o.Name, o.Word, o.Explanation, string(target))
			o.Code = exitcode.Timeout
			w = errOut
		}
		fmt.Fprintln(w, line)
		if waitSeverity(o.Code) > waitSeverity(worst) {
			worst = o.Code
		}
	}
	if pending > 0 {
		return exitcode.New(exitcode.Timeout, withHint(
			fmt.Errorf("timed out after %s waiting for %d of %d jobs", timeout, pending, len(outcomes)),
			"wait longer with --timeout, or see why with kubectl job explain NAME"))
	}
	if worst == exitcode.OK {
		return nil
	}
	return exitcode.New(worst, nil)
}

// progressLine shows how a Job is doing while we wait: on a TTY one line
// redrawn in place (and every second, so the deadline counts down); otherwise
// one line per change.
type progressLine struct {
	out  io.Writer
	tty  bool
	mu   sync.Mutex
	job  *batchv1.Job
	last string
	now  func() time.Time
	quit chan struct{}
	done sync.WaitGroup
}

func newProgressLine(out io.Writer, tty bool) *progressLine {
	return &progressLine{out: out, tty: tty}
}

func (p *progressLine) start(now func() time.Time) {
	p.now = now
	if !p.tty {
		return
	}
	p.quit = make(chan struct{})
	p.done.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	})
}

// set records the newest state and redraws; a decided Job clears the line.
func (p *progressLine) set(job *batchv1.Job, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.job = job
	if done {
		p.job = nil
		p.clear()
		return
	}
	p.draw()
}

func (p *progressLine) draw() {
	if p.job == nil {
		return
	}
	line := printers.WaitProgress(p.job, explain.Explain(explain.Input{Job: p.job, Now: p.now(), PodsUnknown: true}))
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		p.last = line
		return
	}
	if line != p.last {
		fmt.Fprintln(p.out, line)
		p.last = line
	}
}

func (p *progressLine) clear() {
	if p.tty && p.last != "" {
		fmt.Fprint(p.out, "\r\033[K")
		p.last = ""
	}
}

func (p *progressLine) stop() {
	if p.quit != nil {
		close(p.quit)
		p.done.Wait()
		p.quit = nil
	}
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
