package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	listersbatchv1 "k8s.io/client-go/listers/batch/v1"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// Follow streams the logs of job's pods until the Job ends, and is what
// `kubectl job logs -f`, `create --follow` and `rerun --follow` run.
//
// It first prints, in attempt order, the logs of selected containers that
// have already terminated; then it follows every running container and
// every pod the job controller creates later (retries), found by watching
// pods with kube.PodSelector. A stream stops when the pod's status says its
// container terminated (after opts.DrainIdle of silence), never waiting for
// EOF, which some kubelets never send. Lines are written whole, with the
// attempt's prefix or, without prefixes, a header whenever the pod changes.
//
// The Job is watched too; when explain.Explain says it is Complete, Failed,
// Failing or Succeeding, Follow lets open streams finish (at most
// opts.EndGrace), prints a one-line verdict on errOut and returns the exit
// code `kubectl job wait` would: exitcode.OK for Complete/Succeeding,
// exitcode.JobFailed for Failed/Failing, exitcode.EndedOtherwise when it was
// suspended, deleted, or is managed by another controller, and
// exitcode.Timeout when ctx's deadline passed first. The error is non-nil
// only when following could not work (bad selection, pods forbidden, more
// streams than opts.MaxRequests); the code is then exitcode.Error.
func Follow(ctx context.Context, client kube.Client, job *batchv1.Job, opts Options, out, errOut io.Writer) (int, error) {
	opts.defaults(client)
	if opts.Selector.Failed || opts.Selector.Succeeded {
		return exitcode.Error, errors.New("--failed and --succeeded cannot be used with --follow: a followed pod has not ended yet; drop -f to see the logs of ended attempts")
	}
	if opts.Previous {
		return exitcode.Error, errors.New("--previous cannot be used with --follow: a previous container has already ended; drop -f")
	}
	if err := checkSelector(job, opts.Selector); err != nil {
		return exitcode.Error, err
	}
	sel, err := kube.PodSelector(job)
	if err != nil {
		return exitcode.Error, err
	}
	f := &follower{
		runner:   runner{opts: &opts, out: opts.newSink(out), errOut: opts.newErrOut(errOut)},
		client:   client,
		job:      job,
		selector: sel,
		streams:  map[string]*stream{},
		current:  map[string]*stream{},
		seen:     map[types.UID]*corev1.Pod{},
		skip:     map[types.UID]bool{},
		done:     make(chan *stream),
		quit:     make(chan struct{}),
		poke:     make(chan struct{}, 1),
		// One read at a time: its send never blocks.
		stallDone: make(chan *explain.JobExplanation, 1),
		slots:     opts.slots,
	}
	if f.slots == nil {
		f.slots = make(chan struct{}, opts.MaxRequests)
	}
	return f.run(ctx)
}

// follower is the state of one Follow. Only run's goroutine touches the
// maps; streams report back through done.
type follower struct {
	runner
	client   kube.Client
	job      *batchv1.Job
	selector labels.Selector
	pods     listerscorev1.PodLister
	jobs     listersbatchv1.JobLister

	// streams are the log requests started, by pod UID/container/instance;
	// current is the newest per pod UID/container.
	streams map[string]*stream
	current map[string]*stream
	open    int
	// seen keeps every pod met (last state), so attempts whose pods are
	// deleted later still count as shown; skip are pods not selected.
	seen  map[types.UID]*corev1.Pod
	skip  map[types.UID]bool
	noted map[string]bool

	// saved are the attempts whose state was saved (--save), by pod name.
	saved map[string]savedAttempt

	done  chan *stream
	quit  chan struct{} // closed when run returns: streams stop reporting
	poke  chan struct{}
	slots chan struct{}

	watchErr atomic.Pointer[error]
	// streamed is set once any followed log stream has opened.
	streamed atomic.Bool
	ending   bool
	deleted  bool
	phase    explain.Phase
	last     *batchv1.Job
	// waiting is the phase and reason last said on a "waiting:" line, so a
	// stall is said once, and again only when it changes.
	waiting string
	// endSaid are the followed attempts whose end has been said.
	endSaid map[types.UID]bool
	// stall is the explanation with events of the stall last read (at
	// stallRead, when the explanation without them said stallKey). The read
	// runs beside the loop, which meanwhile starts the streams of pods that
	// begin to run (blocking on it delayed their first lines); stallRead
	// delivers it, stallReading while one is under way.
	stall        *explain.JobExplanation
	stallKey     string
	stallRead    time.Time
	stallReading bool
	stallDone    chan *explain.JobExplanation
}

// stallReread is how often, at most, a stalled Job's events are read again
// while its pods and status do not change what it waits for.
const stallReread = 5 * time.Second

// stream is one container instance being followed (or read once).
type stream struct {
	key       string
	uid       types.UID
	namespace string
	pod       string
	container string
	follow    bool
	src       *source
	draining  chan struct{} // closed when the container is known to have ended
	drained   bool
	cancel    context.CancelFunc
	err       error
	// finished is set by run once the stream reported back.
	finished bool
}

func (f *follower) run(ctx context.Context) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer close(f.quit)
	if err := f.startInformers(ctx); err != nil {
		return f.interrupted(ctx, err)
	}
	job, pods := f.state()
	if job == nil {
		f.deleted = true
		return f.finish(ctx, pods)
	}
	all := Attempts(job, pods)
	initial := map[types.UID]bool{}
	for _, a := range f.opts.Selector.Select(all) {
		initial[a.Pod.UID] = true
	}
	for _, a := range all {
		f.seen[a.Pod.UID] = a.Pod
		f.saveState(a)
		if !initial[a.Pod.UID] {
			f.skip[a.Pod.UID] = true
		}
	}
	if err := f.checkConcurrency(job, all); err != nil {
		return exitcode.Error, err
	}
	if err := f.dumpEnded(ctx, all); err != nil {
		return exitcode.Error, err
	}
	if f.forbidden != nil {
		if f.fetched == 0 {
			return exitcode.Error, f.forbidden.Err
		}
		f.errOut.printf("Warning: %v\n", f.forbidden)
	}

	var endTimer, finalWait <-chan time.Time
	finalWaitOver := false
	// A stall can change without a pod or Job update (a quota's FailedCreate
	// event): look again every stallReread, so the waiting: line follows.
	stallTick := time.NewTicker(stallReread)
	defer stallTick.Stop()
	for {
		if err := f.watchError(); err != nil {
			return exitcode.Error, err
		}
		wasEnding := f.ending
		f.reconcile(ctx)
		if f.ending && !wasEnding {
			endTimer = time.After(f.opts.EndGrace)
		}
		if f.ending && f.open == 0 {
			// Failing/Succeeding become Failed/Complete once the last pods
			// are gone, usually within a second: wait briefly so the verdict
			// is the final one (the exit code is the same either way).
			interim := f.phase == explain.PhaseFailing || f.phase == explain.PhaseSucceeding
			if !interim || finalWaitOver {
				return f.finish(ctx, nil)
			}
			if finalWait == nil {
				finalWait = time.After(finalConditionWait)
			}
		}
		select {
		case <-stallTick.C:
		case f.stall = <-f.stallDone:
			f.stallReading = false
		case <-finalWait:
			finalWaitOver = true
		case <-f.poke:
		case s := <-f.done:
			f.open--
			s.finished = true
			switch {
			case s.err == nil:
			case f.forbidden == nil && f.noteForbidden(s.namespace, s.err):
				// Log access will not come back while following: with no log
				// read yet it is the command's error; else said once.
				if f.fetched == 0 && !f.streamed.Load() {
					for _, s := range f.streams {
						s.cancel()
					}
					return exitcode.Error, s.err
				}
				f.errOut.printf("Warning: %v\n", f.forbidden)
			case apierrors.IsForbidden(s.err):
			default:
				f.errOut.printf("error: cannot follow the logs of pod %s container %s: %v\n", printers.Sanitize(s.pod), s.container, s.err)
			}
		case <-endTimer:
			f.errOut.printf("stopped following %d log streams %s after the Job ended\n", f.open, f.opts.EndGrace)
			for _, s := range f.streams {
				s.cancel()
			}
			for f.open > 0 {
				<-f.done
				f.open--
			}
			return f.finish(ctx, nil)
		case <-ctx.Done():
			for _, s := range f.streams {
				s.cancel()
			}
			return f.interrupted(ctx, ctx.Err())
		}
	}
}

// interrupted is the outcome when ctx ended first: Timeout for a deadline,
// after a line saying where the Job stands ("job/NAME still Pending:
// Unschedulable — ..."), from the same evidence as the final verdict.
func (f *follower) interrupted(ctx context.Context, err error) (int, error) {
	f.saveExplanation(nil)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if f.pods != nil {
			// ctx is over: at most 2 s more to read the events, so a hung
			// API server cannot turn the timeout into a hang.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if job, pods := f.state(); job != nil {
				e, _ := f.explainNow(rctx, job, pods)
				f.errOut.printf("%s\n", printers.VerdictLine("job/"+job.Name+" still "+string(e.Verdict.Phase), e.Verdict))
			}
			cancel()
		}
		return exitcode.Timeout, fmt.Errorf("timed out following the logs of job %s: %w", f.job.Name, ctx.Err())
	}
	return exitcode.Error, err
}

// explainNow explains job from the informers' pods and the events read now,
// the evidence list, describe, explain and wait use too.
func (f *follower) explainNow(ctx context.Context, job *batchv1.Job, pods []corev1.Pod) (*explain.JobExplanation, explain.Input) {
	in := explain.Input{Job: job, Pods: pods, Now: f.opts.Now()}
	if events, err := kube.ListJobEvents(ctx, f.client, job, pods); err == nil {
		in.Events = events
	} else {
		in.EventsUnknown = true
	}
	return f.opts.Explain(in), in
}

func (f *follower) startInformers(ctx context.Context) error {
	ns := f.job.Namespace
	// The two informers are built here, as client-go's generated
	// constructors build them, because those take the full clientset (and a
	// SharedInformerFactory links an informer for every API group).
	pods, jobs := f.client.CoreV1().Pods(ns), f.client.BatchV1().Jobs(ns)
	podInformer := newInformer(f.client, &corev1.Pod{}, func(o *metav1.ListOptions) { o.LabelSelector = f.selector.String() },
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return pods.List(ctx, o) },
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return pods.Watch(ctx, o) })
	jobInformer := newInformer(f.client, &batchv1.Job{},
		func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", f.job.Name).String()
		},
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return jobs.List(ctx, o) },
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return jobs.Watch(ctx, o) })
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { f.wake() },
		UpdateFunc: func(any, any) { f.wake() },
		DeleteFunc: func(any) { f.wake() },
	}
	for what, inf := range map[string]cache.SharedIndexInformer{"pods": podInformer, "jobs": jobInformer} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return err
		}
		// Informers retry forever; forbidden will not heal, so it ends the
		// follow instead of hanging. Other errors (server restarting) are
		// retried with the informer's backoff.
		_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				err = fmt.Errorf("cannot watch %s in namespace %s: %w", what, ns, err)
				f.watchErr.CompareAndSwap(nil, &err)
				f.wake()
			}
		})
	}
	f.pods, f.jobs = listerscorev1.NewPodLister(podInformer.GetIndexer()), listersbatchv1.NewJobLister(jobInformer.GetIndexer())
	go podInformer.Run(ctx.Done())
	go jobInformer.Run(ctx.Done())
	synced := make(chan bool, 1)
	go func() {
		ok := cache.WaitForCacheSync(ctx.Done(), podInformer.HasSynced, jobInformer.HasSynced)
		synced <- ok
	}()
	for {
		select {
		case ok := <-synced:
			if !ok {
				return ctx.Err()
			}
			return nil
		case <-f.poke:
			if err := f.watchError(); err != nil {
				return err
			}
		}
	}
}

// newInformer is an informer of one namespace's objects of example's type,
// listed and watched with tweak applied to the options. Passing client lets
// client-go see whether it supports watch-list semantics (the tests' fake
// does not).
func newInformer(client kube.Client, example runtime.Object, tweak func(*metav1.ListOptions),
	list func(context.Context, metav1.ListOptions) (runtime.Object, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)) cache.SharedIndexInformer {
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			tweak(&o)
			return list(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			tweak(&o)
			return watchFn(ctx, o)
		},
	}
	return cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, client), example,
		cache.SharedIndexInformerOptions{Indexers: cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}})
}

func (f *follower) wake() {
	select {
	case f.poke <- struct{}{}:
	default:
	}
}

func (f *follower) watchError() error {
	if p := f.watchErr.Load(); p != nil {
		return *p
	}
	return nil
}

// state reads the Job (nil once deleted or replaced by another of the same
// name) and its pods from the informers' caches.
func (f *follower) state() (*batchv1.Job, []corev1.Pod) {
	var pods []corev1.Pod
	list, _ := f.pods.Pods(f.job.Namespace).List(f.selector)
	for _, p := range list {
		if f.job.UID == "" || kube.OwnedBy(p, f.job.UID) {
			pods = append(pods, *p)
		}
	}
	job, err := f.jobs.Jobs(f.job.Namespace).Get(f.job.Name)
	if err != nil || (f.job.UID != "" && job.UID != f.job.UID) {
		return nil, pods
	}
	f.last = job
	return job, pods
}

// checkConcurrency refuses to start when more streams would be open at once
// than --max-log-requests: the running selected containers now, or what the
// Job's parallelism will run.
func (f *follower) checkConcurrency(job *batchv1.Job, all []Attempt) error {
	var selected []Attempt
	for _, a := range all {
		if !f.skip[a.Pod.UID] {
			selected = append(selected, a)
		}
	}
	need, why := streamsNeeded(job, selected, f.opts)
	if need <= f.opts.MaxRequests {
		return nil
	}
	return fmt.Errorf("following job %s would open up to %d log streams at once (%s), more than --max-log-requests=%d; raise --max-log-requests, or narrow with --index or -c",
		job.Name, need, why, f.opts.MaxRequests)
}

// streamsNeeded is the most log streams following job may keep open at once
// (the selected attempts' running containers now, or what the Job's
// parallelism will run), and why.
func streamsNeeded(job *batchv1.Job, selected []Attempt, opts *Options) (int, string) {
	perPod := 1
	if opts.AllContainers {
		perPod = len(job.Spec.Template.Spec.Containers) + len(job.Spec.Template.Spec.InitContainers)
	}
	running := 0
	for _, a := range selected {
		if a.State != StateActive {
			continue
		}
		names, _, err := Containers(a.Pod, opts.Container, opts.AllContainers)
		if err == nil {
			running += len(names)
		}
	}
	parallel := 0
	if !jobFinished(job) && (job.Spec.Suspend == nil || !*job.Spec.Suspend) {
		parallel = 1
		if job.Spec.Parallelism != nil {
			parallel = int(*job.Spec.Parallelism)
		}
		if c := job.Spec.Completions; c != nil {
			parallel = min(parallel, max(0, int(*c)-int(job.Status.Succeeded)))
		}
		if opts.Selector.Indexes != nil {
			parallel = min(parallel, opts.Selector.Indexes.Len())
		}
	}
	if running > parallel*perPod {
		return running, fmt.Sprintf("%d running", running)
	}
	why := fmt.Sprintf("parallelism %d", parallel)
	if perPod > 1 {
		why += fmt.Sprintf(" × %d containers", perPod)
	}
	return parallel * perPod, why
}

func jobFinished(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// dumpEnded prints, in attempt order, the selected containers that ended
// before following started, and marks them done.
func (f *follower) dumpEnded(ctx context.Context, all []Attempt) error {
	var ended []target
	for _, a := range all {
		if f.skip[a.Pod.UID] {
			continue
		}
		names, _, err := Containers(a.Pod, f.opts.Container, f.opts.AllContainers)
		if err != nil {
			continue // said by reconcile
		}
		for _, c := range names {
			cs := containerStatus(a.Pod, c)
			if cs == nil || cs.State.Terminated == nil {
				continue
			}
			key := streamKey(a.Pod.UID, c, cs.RestartCount)
			f.streams[key] = &stream{key: key, cancel: func() {}}
			ended = append(ended, f.target(a, c, len(names) > 1, ""))
		}
	}
	_, err := f.fetchOrdered(ctx, ended)
	return err
}

// finalConditionWait bounds the wait for Failed/Complete after
// Failing/Succeeding once no stream is open.
const finalConditionWait = 3 * time.Second

func streamKey(uid types.UID, container string, restarts int32) string {
	return string(uid) + "/" + container + "/" + strconv.Itoa(int(restarts))
}

// reconcile compares the cached pods and Job with the streams open: it starts
// streams for new or restarted containers, lets those of ended containers
// drain, and decides whether the Job has ended.
func (f *follower) reconcile(ctx context.Context) {
	job, pods := f.state()
	present := map[types.UID]bool{}
	if job != nil {
		for _, a := range Attempts(job, pods) {
			present[a.Pod.UID] = true
			if _, known := f.seen[a.Pod.UID]; !known && !f.selectNew(a) {
				f.skip[a.Pod.UID] = true
			}
			f.seen[a.Pod.UID] = a.Pod
			f.saveState(a)
			if f.skip[a.Pod.UID] {
				continue
			}
			f.reconcilePod(ctx, a)
		}
	}
	// Streams of deleted pods end on their own; do not wait for EOF.
	for _, s := range f.current {
		if !present[s.uid] {
			f.drain(s)
		}
	}
	if job == nil {
		f.deleted, f.ending = true, true
		f.drainAll()
		return
	}
	e := f.opts.Explain(explain.Input{Job: job, Pods: pods, Now: f.opts.Now()})
	f.phase = e.Verdict.Phase
	f.sayAttemptEnds(job, pods, e)
	f.sayWaiting(ctx, job, pods, e)
	switch f.phase {
	case explain.PhaseComplete, explain.PhaseFailed, explain.PhaseFailing, explain.PhaseSucceeding:
		f.ending = true
	case explain.PhaseSuspended, explain.PhaseTerminating, explain.PhaseExternal:
		// Ended otherwise: pods may run on, but this Job's story is over.
		f.ending = true
		f.drainAll()
	}
}

// sayWaiting says on errOut what the Job waits for while no log flows (a pod
// Unschedulable, in ImagePullBackOff, the controller's backoff...), so a
// stuck Job is never followed in silence; again only when the reason changes.
func (f *follower) sayWaiting(ctx context.Context, job *batchv1.Job, pods []corev1.Pod, e *explain.JobExplanation) {
	streaming := false
	for _, s := range f.current {
		streaming = streaming || !s.finished
	}
	if streaming || e.Verdict.Phase != explain.PhasePending && e.Verdict.Phase != explain.PhaseNotStarted {
		f.waiting = ""
		return
	}
	// A stall's reason may rest on events (FailedCreate: a quota refused
	// the pods): read them, as list, explain and wait do, so all say the
	// same; again when the state read without them changes, or after
	// stallReread, so many pods' updates do not each cost a request.
	if k := string(e.Verdict.Phase) + "/" + string(e.Verdict.Reason); !f.stallReading && (k != f.stallKey || time.Since(f.stallRead) >= stallReread) {
		f.stallKey, f.stallRead, f.stallReading = k, time.Now(), true
		go func() {
			e, _ := f.explainNow(ctx, job, pods)
			f.stallDone <- e
		}()
	}
	if f.stallReading || f.stall == nil {
		return // said when the read returns
	}
	e = f.stall
	stalled := e.Verdict.Phase == explain.PhasePending || e.Verdict.Phase == explain.PhaseNotStarted
	// Pods starting and the controller catching up are moments, not stalls.
	transient := e.Verdict.Reason == explain.ReasonPodsStarting || e.Verdict.Reason == explain.ReasonAwaitingController
	if !stalled || transient {
		f.waiting = ""
		return
	}
	key := string(e.Verdict.Phase) + "/" + string(e.Verdict.Reason)
	if key == f.waiting {
		return
	}
	f.waiting = key
	f.errOut.printf("waiting: %s\n", printers.VerdictLine("job/"+job.Name+" "+string(e.Verdict.Phase), e.Verdict))
}

// sayAttemptEnds says on errOut, once per followed attempt that failed and
// whose logs have all been printed, how it ended and what comes next: the
// boundary between attempt N's lines and attempt N+1's.
func (f *follower) sayAttemptEnds(job *batchv1.Job, pods []corev1.Pod, e *explain.JobExplanation) {
	if f.endSaid == nil {
		f.endSaid = map[types.UID]bool{}
	}
	open := map[types.UID]bool{}
	followed := map[types.UID]bool{}
	for _, s := range f.streams {
		if s.follow {
			followed[s.uid] = true
		}
		open[s.uid] = open[s.uid] || !s.finished
	}
	all := Attempts(job, pods)
	for _, a := range all {
		uid := a.Pod.UID
		if a.State != StateFailed || !followed[uid] || open[uid] || f.endSaid[uid] {
			continue
		}
		f.endSaid[uid] = true
		f.errOut.printf("%s\n", AttemptEndLine(a, all, e))
	}
}

// AttemptEndLine is "attempt 1 (pod etl-x7k2p) failed: exit 3 (Error):
// duplicate key value; retry 2 of 3 next, not before 10:42:13": how a failed
// attempt ended, with its termination message, and what followed it: the
// retry already made (a newer attempt of the same index, among all), or
// whether and when the job controller tries again.
func AttemptEndLine(a Attempt, all []Attempt, e *explain.JobExplanation) string {
	line := fmt.Sprintf("attempt %d (pod %s) failed", a.Number, a.Pod.Name)
	if a.Index != nil {
		line = fmt.Sprintf("index %d attempt %d (pod %s) failed", *a.Index, a.Number, a.Pod.Name)
	}
	var ex *explain.Attempt
	for i := range e.Attempts {
		if e.Attempts[i].Pod == a.Pod.Name {
			ex = &e.Attempts[i]
		}
	}
	if ex != nil {
		var parts []string
		if ex.ExitCode != nil {
			parts = append(parts, fmt.Sprintf("exit %d", *ex.ExitCode))
		}
		if ex.Reason != "" {
			parts = append(parts, "("+ex.Reason+")")
		}
		if len(parts) > 0 {
			line += ": " + strings.Join(parts, " ")
		}
		if msg := strings.TrimSpace(ex.Message); msg != "" {
			line += ": " + firstLine(msg)
		}
	}
	return printers.Sanitize(line + "; " + nextAttempt(a, all, ex, e))
}

// nextAttempt says what came or comes after a failed attempt.
func nextAttempt(a Attempt, all []Attempt, ex *explain.Attempt, e *explain.JobExplanation) string {
	parallelism := int32(1)
	if e.Spec.Parallelism != nil {
		parallelism = *e.Spec.Parallelism
	}
	// The retry is the next attempt of the same index; NonIndexed pods that
	// run side by side (parallelism > 1) are not each other's retries.
	for _, b := range all {
		sameIndex := (a.Index == nil && b.Index == nil && parallelism <= 1) || (a.Index != nil && b.Index != nil && *a.Index == *b.Index)
		if !sameIndex || b.Number != a.Number+1 {
			continue
		}
		return fmt.Sprintf("retried as attempt %d (pod %s)", b.Number, b.Pod.Name)
	}
	switch e.Verdict.Phase {
	case explain.PhaseFailed, explain.PhaseFailing:
		return "no retry: the Job failed (" + string(e.Verdict.Reason) + ")"
	case explain.PhaseComplete, explain.PhaseSucceeding:
		return "no retry: the Job succeeded"
	}
	if ex != nil && !ex.Counted {
		return "not counted against the backoff limit (podFailurePolicy); the controller creates a replacement" + notBefore(e)
	}
	if a.Index != nil {
		for _, ix := range e.Indexes {
			if ix.Index == *a.Index && ix.Status == "Failed" {
				return fmt.Sprintf("index %d failed: its backoffLimitPerIndex is used up", ix.Index)
			}
		}
		return fmt.Sprintf("index %d is retried", *a.Index) + notBefore(e)
	}
	if b := e.Backoff; b != nil && b.Remaining != nil {
		// The controller may not have counted this failure yet: the failed
		// pods seen count too.
		counted := int64(b.Counted)
		seen := int64(0)
		for _, x := range e.Attempts {
			if x.Phase == string(corev1.PodFailed) && x.Counted {
				seen++
			}
		}
		counted = max(counted, seen+int64(b.Restarts))
		if counted > int64(b.Limit) {
			return fmt.Sprintf("no retry: %d counted failures > backoffLimit %d, the Job fails", counted, b.Limit)
		}
		return fmt.Sprintf("retry %d of %d next", counted+1, int64(b.Limit)+1) + notBefore(e)
	}
	return "the controller creates a replacement" + notBefore(e)
}

func notBefore(e *explain.JobExplanation) string {
	if b := e.Backoff; b != nil && b.NextRetryAt != nil {
		return ", not before " + b.NextRetryAt.Local().Format("15:04:05")
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// selectNew applies the selection to a pod created after following started:
// its index and attempt number; it is active by nature and, being the
// newest, the last attempt of its index.
func (f *follower) selectNew(a Attempt) bool {
	s := f.opts.Selector
	return s.keepsIndex(a) && (s.Attempt == 0 || a.Number == s.Attempt)
}

func (f *follower) reconcilePod(ctx context.Context, a Attempt) {
	names, _, err := Containers(a.Pod, f.opts.Container, f.opts.AllContainers)
	if err != nil {
		f.note(string(a.Pod.UID), err.Error())
		return
	}
	for _, c := range names {
		cs := containerStatus(a.Pod, c)
		if cs == nil {
			continue
		}
		ck := string(a.Pod.UID) + "/" + c
		cur := f.current[ck]
		key := streamKey(a.Pod.UID, c, cs.RestartCount)
		ended := cs.State.Terminated != nil
		if cur != nil && cur.key != key {
			f.drain(cur) // restarted in place: the old instance has ended
		}
		if s, ok := f.streams[key]; ok {
			if ended {
				f.drain(s)
			}
			continue
		}
		if cs.State.Running == nil && !ended {
			continue // waiting to (re)start: nothing to read yet
		}
		f.start(ctx, a, c, len(names) > 1, key, !ended)
	}
}

func (f *follower) note(key, msg string) {
	if f.noted == nil {
		f.noted = map[string]bool{}
	}
	if !f.noted[key] {
		f.noted[key] = true
		f.errOut.printf("%s\n", msg)
	}
}

func (f *follower) start(ctx context.Context, a Attempt, container string, showContainer bool, key string, follow bool) {
	sctx, cancel := context.WithCancel(ctx)
	s := &stream{
		key:       key,
		uid:       a.Pod.UID,
		namespace: a.Pod.Namespace,
		pod:       a.Pod.Name,
		container: container,
		follow:    follow,
		src:       newSource(f.opts.jobLabel, a, container, showContainer),
		draining:  make(chan struct{}),
		cancel:    cancel,
	}
	f.streams[key] = s
	f.current[string(a.Pod.UID)+"/"+container] = s
	f.open++
	f.opts.Save.begin(s.src) // every attempt followed has a log file, empty if it printed nothing
	if !follow {
		f.drain(s)
	}
	go func() {
		s.err = f.stream(sctx, s)
		cancel()
		select {
		case f.done <- s:
		case <-f.quit:
		}
	}()
}

func (f *follower) drain(s *stream) {
	if !s.drained && s.draining != nil {
		s.drained = true
		close(s.draining)
	}
}

func (f *follower) drainAll() {
	for _, s := range f.streams {
		f.drain(s)
	}
}

// stream copies one container's log to the sink. Once the container has
// ended and its follow request stayed silent for DrainIdle, one last read
// without following picks up whatever that request missed (a server that
// keeps it open past the container's end may never send them: KWOK when the
// log appeared after the request began). A broken connection while the
// container runs is reopened from the newest log timestamp seen. Lines
// already printed are dropped (resumePoint): none repeats, none is lost.
func (f *follower) stream(ctx context.Context, s *stream) error {
	select {
	case f.slots <- struct{}{}:
	default:
		f.errOut.printf("pod %s: waiting for a free log stream (--max-log-requests=%d)\n", printers.Sanitize(s.pod), f.opts.MaxRequests)
		select {
		case f.slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
	}
	defer func() { <-f.slots }()

	var lastData atomic.Int64 // unix nanos of the last line
	quiet := make(chan struct{})
	if s.follow {
		go f.watchdog(ctx, s, &lastData, quiet)
	}
	opts := f.opts.podLogOptions(s.container, s.follow)
	resume := &resumePoint{keepTimestamps: opts.Timestamps}
	opts.Timestamps = true
	errs := 0
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			resume.reopened()
			if since := resume.since(); !since.IsZero() {
				opts.TailLines, opts.SinceSeconds = nil, nil
				opts.SinceTime = &metav1.Time{Time: since}
			}
		}
		opened, err := f.readOnce(ctx, s, opts, resume, &lastData, quiet)
		if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
			return err // retrying will not grant access
		}
		var outErr *sinkError
		if errors.As(err, &outErr) {
			return outErr.err
		}
		if opened {
			if err == nil && ctx.Err() == nil && opts.Follow && !isClosed(s.draining) {
				// The server ended a follow stream while the container still
				// runs (log rotation; KWOK before the first line was
				// written): read on from where it stopped until its status
				// says it ended, then once more without following.
				select {
				case <-s.draining:
					opts.Follow = false
				case <-time.After(reopenDelay):
				case <-ctx.Done():
					return nil
				}
				continue
			}
			if err == nil || ctx.Err() != nil {
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		errs++
		// Retry while the container runs: it may not be readable yet, or the
		// server restarted. Once it has ended, one last read without
		// following (a short-lived container can end before its log was
		// readable; a follow request the watchdog ended may have missed its
		// lines); an error then is final.
		if isClosed(s.draining) {
			if !opts.Follow {
				return err
			}
			opts.Follow = false
			continue
		}
		if errs >= 30 {
			return err
		}
		select {
		case <-time.After(time.Second):
		case <-s.draining:
		case <-ctx.Done():
			return nil
		}
	}
}

// reopenDelay is the pause before a follow stream the server ended is opened
// again while its container runs.
const reopenDelay = 250 * time.Millisecond

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// readOnce makes one log request and copies its lines to the sink; opened
// says whether the request was answered. A follow request also ends when
// quiet is closed. An error of the sink comes back as a *sinkError.
func (f *follower) readOnce(ctx context.Context, s *stream, opts *corev1.PodLogOptions, resume *resumePoint, lastData *atomic.Int64, quiet <-chan struct{}) (opened bool, err error) {
	reqCtx, endReq := context.WithCancel(ctx)
	defer endReq()
	if opts.Follow {
		go func() {
			select {
			case <-quiet:
				endReq()
			case <-reqCtx.Done():
			}
		}()
	}
	rc, err := f.opts.openStream(reqCtx, s.namespace, s.pod, opts)
	if err != nil {
		return false, err
	}
	defer func() { _ = rc.Close() }()
	f.streamed.Store(true)
	err = readLines(rc, func(line []byte) error {
		lastData.Store(time.Now().UnixNano())
		line, ok := resume.filter(line)
		if !ok {
			return nil
		}
		if err := f.out.line(s.src, line); err != nil {
			return &sinkError{err}
		}
		return nil
	})
	return true, err
}

// sinkError is a failed write to the output, which ends the stream.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }

// watchdog closes quiet DrainIdle after the stream's container ended and no
// line came, which ends its follow request.
func (f *follower) watchdog(ctx context.Context, s *stream, lastData *atomic.Int64, quiet chan<- struct{}) {
	select {
	case <-s.draining:
	case <-ctx.Done():
		return
	}
	from := time.Now()
	tick := time.NewTicker(max(f.opts.DrainIdle/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		last := from
		if t := lastData.Load(); t > 0 && time.Unix(0, t).After(last) {
			last = time.Unix(0, t)
		}
		if time.Since(last) >= f.opts.DrainIdle {
			close(quiet)
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// finish says what became of the attempts and the Job, and returns the
// Job's exit code.
func (f *follower) finish(ctx context.Context, pods []corev1.Pod) (int, error) {
	if f.deleted {
		f.errOut.printf("job/%s was deleted\n", printers.Sanitize(f.job.Name))
		f.saveExplanation(nil)
		return exitcode.EndedOtherwise, nil
	}
	job := f.last
	if pods == nil {
		_, pods = f.state()
	}
	var seen []corev1.Pod
	for _, p := range f.seen {
		seen = append(seen, *p)
	}
	for _, line := range Gone(job, Attempts(job, seen), f.opts.Selector) {
		f.errOut.printf("%s\n", f.opts.aboutJob(line))
	}
	e, in := f.explainNow(ctx, job, pods)
	f.saveExplanation(&in)
	line := printers.VerdictLine("job/"+job.Name+" "+string(e.Verdict.Phase), e.Verdict)
	if e.Verdict.Phase == explain.PhaseFailed || e.Verdict.Phase == explain.PhaseFailing {
		line += printers.Sanitize(lastFailure(e))
	}
	f.errOut.printf("%s\n", line)
	return PhaseExitCode(e.Verdict.Phase), nil
}

// lastFailure is "; last failure: pod etl-x7k2p exit 3: duplicate key value",
// from the newest failed attempt, or "" without one.
func lastFailure(e *explain.JobExplanation) string {
	for i := len(e.Attempts) - 1; i >= 0; i-- {
		a := e.Attempts[i]
		if a.Phase != string(corev1.PodFailed) {
			continue
		}
		out := "; last failure: pod " + a.Pod
		if a.ExitCode != nil {
			out += fmt.Sprintf(" exit %d", *a.ExitCode)
		} else if a.Reason != "" {
			out += " " + a.Reason
		}
		if msg := strings.TrimSpace(a.Message); msg != "" {
			out += ": " + firstLine(msg)
		}
		return out
	}
	return ""
}

// PhaseExitCode maps a verdict to the exit code `kubectl job wait` uses.
func PhaseExitCode(p explain.Phase) int {
	switch p {
	case explain.PhaseComplete, explain.PhaseSucceeding:
		return exitcode.OK
	case explain.PhaseFailed, explain.PhaseFailing:
		return exitcode.JobFailed
	}
	return exitcode.EndedOtherwise
}
