package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// Print writes the logs of the selected attempts of job once, in attempt
// order, and returns the exit code: exitcode.OK, or exitcode.Partial when
// some logs could not be read (each said on errOut). Logs are fetched
// opts.MaxRequests at a time, and printed in order as soon as each pod's turn
// comes; at most opts.MaxRequests × 256 KiB of log is held in memory.
//
// Attempts that the Job's status counts but whose pods are gone are named on
// errOut (see Gone).
func Print(ctx context.Context, client kube.Client, job *batchv1.Job, opts Options, out, errOut io.Writer) (int, error) {
	opts.defaults(client)
	if err := checkSelector(job, opts.Selector); err != nil {
		return exitcode.Error, err
	}
	pods, err := kube.ListJobPods(ctx, client, job)
	if err != nil {
		return exitcode.Error, fmt.Errorf("cannot list the pods of job %s: %w", job.Name, err)
	}
	r := &runner{opts: &opts, out: opts.newSink(out), errOut: opts.newErrOut(errOut)}
	all := Attempts(job, pods)
	deletionCauses(ctx, client, job, all)
	selected := opts.Selector.Select(all)
	targets, err := r.targets(selected)
	if err != nil {
		return exitcode.Error, err
	}
	gone := Gone(job, all, opts.Selector)
	if len(selected) == 0 && (len(all) > 0 || len(gone) == 0) {
		r.errOut.printf("%s\n", noAttempts(job, all, opts.Selector))
	}
	failed, err := r.fetchOrdered(ctx, targets)
	if err != nil {
		return exitcode.Error, err
	}
	for _, line := range gone {
		r.errOut.printf("%s\n", opts.aboutJob(line))
	}
	if r.forbidden != nil {
		if r.fetched == 0 && failed == r.forbiddenFailures {
			// No log could be read at all: logs is what was asked for, so
			// this is kubectl's Error from server (Forbidden), exit 1.
			return exitcode.Error, r.forbidden.Err
		}
		r.errOut.printf("Warning: %v\n", r.forbidden)
	}
	if failed > 0 {
		return exitcode.Partial, nil
	}
	return exitcode.OK, nil
}

// checkSelector rejects what cannot apply to this Job.
func checkSelector(job *batchv1.Job, s Selector) error {
	if s.Indexes != nil && !isIndexed(job) {
		return fmt.Errorf("--index needs an Indexed Job, and job %s is NonIndexed; select attempts with --attempt, --last, --failed instead", job.Name)
	}
	if n := len(s.Indexes); n > 0 && job.Spec.Completions != nil {
		// An index the Job can never have is a typo, not an empty selection.
		if last := s.Indexes[n-1].Last; last >= int(*job.Spec.Completions) {
			return fmt.Errorf("--index %d is out of range: job %s has completions %d, so its indexes are 0-%d", last, job.Name, *job.Spec.Completions, *job.Spec.Completions-1)
		}
	}
	return nil
}

// noAttempts is the line for an empty selection.
func noAttempts(job *batchv1.Job, all []Attempt, s Selector) string {
	if len(all) == 0 {
		return fmt.Sprintf("job %s has no pods", job.Name)
	}
	count := map[State]int{}
	for _, a := range all {
		count[a.State]++
	}
	var parts []string
	for _, st := range []State{StateSucceeded, StateFailed, StateActive} {
		if count[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[st], strings.ToLower(string(st))))
		}
	}
	return fmt.Sprintf("no attempt of job %s matches %s (its pods: %s)", job.Name, s, strings.Join(parts, ", "))
}

// runner holds what one Print or Follow writes to.
type runner struct {
	opts   *Options
	out    *sink
	errOut *lockedWriter
	// fetched counts logs read; forbidden is the first log read refused by
	// the API server (pods/log is granted per namespace, so one says it for
	// all), forbiddenFailures how many were. Only fetchOrdered's loop
	// writes them.
	fetched           int
	forbidden         *kube.ReadError
	forbiddenFailures int
}

// noteForbidden records a refused log read; it reports whether err was one.
func (r *runner) noteForbidden(namespace string, err error) bool {
	if !apierrors.IsForbidden(err) {
		return false
	}
	r.forbiddenFailures++
	if r.forbidden == nil {
		r.forbidden = kube.NewReadError("get", "pods/log", namespace, err)
	}
	return true
}

// lockedWriter keeps diagnostics from concurrent streams whole, too.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// target is one container of one attempt to show.
type target struct {
	attempt   Attempt
	container string
	src       *source
	// note, when set, is why there is nothing to fetch (not started yet, no
	// previous instance); it is said on errOut in the attempt's turn.
	note string
}

// targets expands attempts into their containers, in order. A -c naming a
// container no pod has is an error; one missing in some pods is a note.
func (r *runner) targets(attempts []Attempt) ([]target, error) {
	var out []target
	var firstErr error
	found, defaulted := false, false
	for _, a := range attempts {
		names, dflt, err := Containers(a.Pod, r.opts.Container, r.opts.AllContainers)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			out = append(out, r.target(a, r.opts.Container, false, err.Error()))
			continue
		}
		found = true
		if dflt && !defaulted {
			defaulted = true
			r.errOut.printf("Defaulted container %q out of: %s\n", names[0], AllContainerNames(a.Pod))
		}
		for _, c := range names {
			out = append(out, r.target(a, c, len(names) > 1, unavailable(a.Pod, c, r.opts.Previous)))
		}
	}
	if !found && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

func (r *runner) target(a Attempt, container string, showContainer bool, note string) target {
	return target{
		attempt:   a,
		container: container,
		src:       newSource(r.opts.jobLabel, a, container, showContainer),
		note:      note,
	}
}

// newSource labels one container of an attempt; job, when set (logs -l),
// leads the label: "[JOB/POD]" or "[JOB INDEX/ATTEMPT]", and the header.
func newSource(job string, a Attempt, container string, showContainer bool) *source {
	label, header := Label(a, container, showContainer), Header(a, container, showContainer)
	if job != "" {
		sep := "/"
		if a.Index != nil {
			sep = " "
		}
		label = job + sep + label
		header = "==> job " + job + strings.TrimPrefix(header, "==>")
	}
	return &source{label: label, header: header, seq: a.Seq, pod: a.Pod.Name, container: container}
}

// unavailable says why a container has no log to fetch yet, or "".
func unavailable(pod *corev1.Pod, container string, previous bool) string {
	cs := containerStatus(pod, container)
	if previous {
		if cs == nil || cs.LastTerminationState.Terminated == nil {
			return "container " + container + " has not restarted: no previous logs"
		}
		return ""
	}
	if cs == nil {
		switch pod.Status.Phase {
		case corev1.PodPending, "":
			return "not started yet (" + pendingReason(pod) + ")"
		case corev1.PodFailed:
			if len(pod.Status.ContainerStatuses)+len(pod.Status.InitContainerStatuses) == 0 {
				reason := pod.Status.Reason
				if reason == "" {
					reason = "Failed"
				}
				return "never started (" + reason + ")"
			}
		}
		return ""
	}
	if w := cs.State.Waiting; w != nil && cs.LastTerminationState.Terminated == nil {
		return "container " + container + " not started yet (" + w.Reason + ")"
	}
	return ""
}

func pendingReason(pod *corev1.Pod) string {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
			return c.Reason
		}
	}
	return "Pending"
}

// fetchOrdered prints targets in order while fetching up to MaxRequests of
// them at once. A fetch slot is held from the request until its pod has been
// printed, so at most MaxRequests pipes exist at any time: memory is bounded,
// and the pod being printed always has a slot (slots are taken in order), so
// printing never waits on a fetch that cannot start. It returns how many
// fetches failed (said on errOut) and an error only when out failed.
func (r *runner) fetchOrdered(ctx context.Context, targets []target) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := r.opts.fetchSlots
	if slots == nil {
		slots = make(chan struct{}, r.opts.MaxRequests)
	}
	pipes := make([]*pipe, len(targets))
	ready := make([]chan struct{}, len(targets))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	go func() {
		for i, t := range targets {
			if t.note != "" {
				close(ready[i])
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			p := newPipe(pipeSize)
			pipes[i] = p
			close(ready[i])
			go func() {
				p.CloseWithError(r.copyLog(ctx, t, p))
			}()
		}
	}()

	failed := 0
	for i, t := range targets {
		select {
		case <-ready[i]:
		case <-ctx.Done():
			return failed, ctx.Err()
		}
		if err := r.out.begin(t.src); err != nil {
			return failed, err
		}
		if t.note != "" {
			r.errOut.printf("pod %s: %s\n", printers.Sanitize(t.attempt.Pod.Name), t.note)
			continue
		}
		var outErr error
		err := readLines(pipes[i], func(line []byte) error {
			outErr = r.out.line(t.src, line)
			return outErr
		})
		pipes[i].Release()
		<-slots
		if outErr != nil {
			return failed, outErr
		}
		switch {
		case err == nil:
			r.fetched++
		case r.noteForbidden(t.attempt.Pod.Namespace, err):
			failed++ // said once, by the caller
		default:
			failed++
			r.errOut.printf("error: cannot get the logs of pod %s container %s: %v\n", printers.Sanitize(t.attempt.Pod.Name), t.container, err)
		}
	}
	return failed, nil
}

// copyLog fetches one container's log (no follow) into w.
func (r *runner) copyLog(ctx context.Context, t target, w io.Writer) error {
	rc, err := r.opts.openStream(ctx, t.attempt.Pod.Namespace, t.attempt.Pod.Name, r.opts.podLogOptions(t.container, false))
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }() // a read-side close: nothing to report
	if _, err := io.Copy(w, rc); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return err
	}
	return nil
}
