package cmd

// The waiter behind kubectl job wait, create --wait and rerun --wait: it
// watches Jobs (kube.WatchTargets), decides each with the explain engine and
// turns the outcomes into lines and an exit code.

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/logs"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

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
	client   kube.Client
	target   waitFor
	early    bool
	timeout  time.Duration
	now      func() time.Time
	progress *printers.ProgressLine
}

// wait watches every target until each Job is decided or the timeout ends;
// it returns one outcome per Job, in the order the Jobs were first seen. An
// error (not found, forbidden) from any target stops all of them.
func (w *waiter) wait(ctx context.Context, targets []kube.JobTarget) ([]waitOutcome, error) {
	var order []string
	outcomes := map[string]*waitOutcome{}
	if w.progress != nil {
		defer w.progress.Stop()
	}
	err := kube.WatchTargets(ctx, w.client.BatchV1(), targets, w.timeout, func(s kube.JobState) bool {
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
			w.progress.Set(progressOf(s.Job, out.Done, w.now))
		}
		return out.Done
	}, func(t kube.JobTarget) {
		// The timeout passed before the Job could even be read.
		key := "target/" + t.Name + "/" + t.LabelSelector
		outcomes[key] = &waitOutcome{Namespace: t.Namespace, Name: waitTargetName(t), Word: "unread (the API server did not answer)"}
		order = append(order, key)
	})
	if err != nil {
		return nil, err
	}
	out := make([]waitOutcome, 0, len(order))
	for _, k := range order {
		out = append(out, *outcomes[k])
	}
	return out, nil
}

// progressOf renders the progress line of a Job, nil once it is decided.
func progressOf(job *batchv1.Job, done bool, now func() time.Time) func() string {
	if done {
		return nil
	}
	return func() string {
		return printers.WaitProgress(job, explain.Explain(explain.Input{Job: job, Now: now(), PodsUnknown: true}))
	}
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
	// The reads come after --timeout has passed: at most 2 s more, so a hung
	// or unreachable API server cannot turn the timeout into a hang.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
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
	worst, pending := exitcode.OK, []waitOutcome(nil)
	for _, o := range outcomes {
		line := printers.WaitLine(o.Name, o.Word, o.Explanation, "")
		if verdictLines && o.Explanation != nil {
			line = printers.VerdictLine("job/"+o.Name+" "+string(o.Explanation.Verdict.Phase), o.Explanation.Verdict)
		}
		w := out
		if !o.Done {
			pending = append(pending, o)
			line = printers.WaitLine(o.Name, o.Word, o.Explanation, string(target))
			o.Code = exitcode.Timeout
			w = errOut
		}
		fmt.Fprintln(w, line)
		if waitSeverity(o.Code) > waitSeverity(worst) {
			worst = o.Code
		}
	}
	if len(pending) > 0 {
		// worst counts the timeout (3), and a Job that failed (2) outranks
		// it, as the help's order says.
		return exitcode.New(worst, withHint(
			fmt.Errorf("timed out after %s waiting for %d of %d jobs", timeout, len(pending), len(outcomes)),
			"wait longer with --timeout, or see why with %s", explainCommand(pending)))
	}
	if worst == exitcode.OK {
		return nil
	}
	return exitcode.New(worst, nil)
}

// awaitAccesses is what awaitCreated will read: Jobs to wait on, and to
// follow one, its pods and their logs. A Job created and then not watchable
// would leave the command failed and the Job running, so these are checked
// before the create.
func awaitAccesses(jobs []*batchv1.Job, defaultNamespace string, follow bool) []kube.Access {
	var out []kube.Access
	jobsR, podsR := batchv1.Resource("jobs"), corev1.Resource("pods")
	for _, j := range jobs {
		ns := j.Namespace
		if ns == "" {
			ns = defaultNamespace
		}
		out = append(out, kube.Access{Verb: "list", Resource: jobsR, Namespace: ns}, kube.Access{Verb: "watch", Resource: jobsR, Namespace: ns})
		if follow && len(jobs) == 1 {
			out = append(out, kube.Access{Verb: "list", Resource: podsR, Namespace: ns}, kube.Access{Verb: "watch", Resource: podsR, Namespace: ns},
				kube.Access{Verb: "get", Resource: corev1.Resource("pods/log"), Namespace: ns})
		}
	}
	return out
}

// awaitCreated waits for (or follows the logs of) Jobs just created, prints
// the verdict and returns the wait exit code.
func awaitCreated(ctx context.Context, client kube.Client, jobs []*batchv1.Job, follow bool, timeout time.Duration, now func() time.Time, streams genericiooptions.IOStreams, progress *bool, save string) error {
	if follow && len(jobs) == 1 {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return followJobLogs(ctx, client, jobs[0], streams, save)
	}
	if follow {
		fmt.Fprintln(streams.ErrOut, "note: --follow streams the logs of one Job; waiting for these Jobs to finish instead")
	}
	w := &waiter{client: client, target: waitFinished, timeout: timeout, now: now}
	tty := cliprinters.IsTerminal(streams.ErrOut)
	if progress != nil {
		tty = *progress
	}
	if len(jobs) == 1 {
		w.progress = printers.NewProgressLine(streams.ErrOut, tty)
	}
	var targets []kube.JobTarget
	for _, j := range jobs {
		targets = append(targets, kube.JobTarget{Namespace: j.Namespace, Name: j.Name})
	}
	outcomes, err := w.wait(ctx, targets)
	if err != nil {
		return err
	}
	// The verdict is a diagnostic here: stdout already has "job.batch/x created".
	return reportOutcomes(streams.ErrOut, streams.ErrOut, outcomes, waitFinished, timeout, true)
}

// followJobLogs streams the logs of job's pods until it ends, prints the
// verdict on stderr and returns the wait exit code: kubectl job logs -f.
func followJobLogs(ctx context.Context, client kube.Client, job *batchv1.Job, streams genericiooptions.IOStreams, save string) error {
	opts := logs.DefaultOptions()
	if save != "" {
		var err error
		if opts.Save, err = newSaver(save); err != nil {
			return err
		}
	}
	opts.Color = cliprinters.AllowsColorOutput(streams.Out)
	opts.Escape = cliprinters.IsTerminal(streams.Out)
	return logsExitError(logs.Follow(ctx, client, job, opts, streams.Out, streams.ErrOut))
}
