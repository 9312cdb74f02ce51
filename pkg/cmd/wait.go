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
	"github.com/kubectl-job/kubectl-job/pkg/logs"
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
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Names    []string
	Selector string
	For      string
	Timeout  time.Duration
	Early    bool
	// Save is --save DIR (one Job).
	Save string

	Namespace string
	Client    kubernetes.Interface
	// Now is the clock (fixed in tests).
	Now func() time.Time
	// Progress forces the live progress line on or off; nil means "on a TTY,
	// waiting for one Job".
	Progress *bool
}

// NewWaitOptions returns WaitOptions with the defaults.
func NewWaitOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *WaitOptions {
	return &WaitOptions{configFlags: configFlags, IOStreams: streams, For: string(waitFinished), Now: time.Now}
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
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", o.Selector, "Wait for every Job matching this label selector (found when the wait starts)")
	cmd.Flags().StringVar(&o.For, "for", o.For, "What to wait for: complete, failed, finished (complete or failed) or suspended")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up after this long and exit 3; 0 waits as long as it takes")
	cmd.Flags().StringVar(&o.Save, "save", "", "With one Job: "+saveFlagUsage)
	cmd.Flags().BoolVar(&o.Early, "early", o.Early, "Decide on FailureTarget / SuccessCriteriaMet instead of waiting for the Job's pods to terminate")
	return cmd
}

// Complete fills in the namespace and the client.
func (o *WaitOptions) Complete(args []string) error {
	names, err := jobNameArgs(args)
	if err != nil {
		return err
	}
	o.Names = names
	if o.Namespace == "" {
		if o.Namespace, _, err = o.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
			return err
		}
	}
	if o.Client == nil {
		if o.Client, err = clientFromFlags(o.configFlags); err != nil {
			return err
		}
	}
	return nil
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
	return validateSave(o.Save, len(o.Names) == 1, "--save keeps the evidence of one Job: name exactly one")
}

// Run waits and returns the exit code as an exitcode error.
func (o *WaitOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
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
	stopSaving := func(time.Duration) {}
	if o.Save != "" {
		var err error
		if stopSaving, err = saveWhileWaiting(ctx, o.Client, o.Namespace, o.Names[0], o.Save, o.ErrOut); err != nil {
			return err
		}
	}
	outcomes, err := w.wait(ctx, targets)
	stopSaving(10 * time.Second)
	if err != nil {
		return err
	}
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

// jobNames accepts NAME, job/NAME, jobs/NAME and job.batch/NAME (what -o name
// prints), so output of other commands can be piped in.
func jobNameArgs(args []string) ([]string, error) {
	var names []string
	for _, a := range args {
		kind, name, found := strings.Cut(a, "/")
		if !found {
			name, kind = a, "job"
		}
		switch strings.ToLower(kind) {
		case "job", "jobs", "job.batch", "jobs.batch":
		default:
			return nil, fmt.Errorf("%q is not a Job: give NAME or job/NAME", a)
		}
		if name == "" {
			return nil, fmt.Errorf("%q has no name: give NAME or job/NAME", a)
		}
		names = append(names, name)
	}
	return names, nil
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
// every change would cost requests. A Job being deleted is explained as it
// was before the deletion started, so that a Job removed by its TTL right
// after completing still counts as complete.
func verdictOf(job *batchv1.Job, now time.Time) *explain.JobExplanation {
	if job.DeletionTimestamp != nil {
		job = job.DeepCopy()
		job.DeletionTimestamp = nil
	}
	return explain.Explain(explain.Input{Job: job, Now: now, PodsUnknown: true})
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

// reportOutcomes prints one line per Job on out ("job.batch/NAME complete:
// CompletionsReached — ...", or with verdictLines the line kubectl job logs
// -f ends with) and returns the worst exit code. Jobs still undecided at the
// timeout go to errOut.
func reportOutcomes(out, errOut io.Writer, outcomes []waitOutcome, target waitFor, timeout time.Duration, verdictLines bool) error {
	worst, pending := exitcode.OK, 0
	for _, o := range outcomes {
		line := fmt.Sprintf("job.batch/%s %s", o.Name, o.Word)
		if h := verdictHeadline(o.Explanation); h != "" {
			line += ": " + h
		}
		if verdictLines && o.Explanation != nil {
			line = logs.VerdictLine(o.Name, o.Explanation.Verdict)
		}
		if !o.Done {
			pending++
			line = fmt.Sprintf("job.batch/%s timed out waiting for %s, still %s", o.Name, target, o.Word)
			if h := verdictHeadline(o.Explanation); h != "" {
				line += ": " + h
			}
			o.Code = exitcode.Timeout
		}
		w := out
		if !o.Done {
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

// headline is the explain verdict in one line: "Reason — message", escaped
// for the terminal.
func verdictHeadline(e *explain.JobExplanation) string {
	if e == nil {
		return ""
	}
	parts := []string{}
	if e.Verdict.Reason != "" {
		parts = append(parts, e.Verdict.Reason)
	}
	if e.Verdict.Message != "" {
		parts = append(parts, e.Verdict.Message)
	}
	return printers.Sanitize(strings.Join(parts, " — "))
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
	line := progressText(p.job, explain.Explain(explain.Input{Job: p.job, Now: p.now(), PodsUnknown: true}))
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

// progressText is "job/NAME Running: 1/3 succeeded, 2 active, 1 failed
// (5 more allowed), deadline in 4m10s". Counts come from explain's Progress,
// Backoff and Deadline, so they match kubectl job explain.
func progressText(job *batchv1.Job, e *explain.JobExplanation) string {
	pr := e.Progress
	completions := "?"
	if c := job.Spec.Completions; c != nil {
		completions = fmt.Sprint(*c)
	}
	parts := []string{
		fmt.Sprintf("%d/%s succeeded", pr.Succeeded, completions),
		fmt.Sprintf("%d active", pr.Active),
	}
	failed := fmt.Sprintf("%d failed", pr.Failed)
	if b := e.Backoff; b != nil && b.Remaining != nil {
		failed += fmt.Sprintf(" (%d more allowed of backoffLimit %d)", *b.Remaining, b.Limit)
	}
	parts = append(parts, failed)
	if d := e.Deadline; d != nil && !d.Exceeded {
		parts = append(parts, "deadline in "+explain.FormatDuration(time.Duration(d.RemainingSeconds*float64(time.Second))))
	}
	phase := string(e.Verdict.Phase)
	if phase == "" {
		phase = "Waiting"
	}
	return printers.Sanitize(fmt.Sprintf("job/%s %s: %s", job.Name, phase, strings.Join(parts, ", ")))
}
