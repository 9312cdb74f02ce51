package kube

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	batchv1client "k8s.io/client-go/kubernetes/typed/batch/v1"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/klog/v2"
)

// JobTarget selects the Jobs to watch in one namespace: one Job by Name, or
// every Job matching LabelSelector when the watch starts.
type JobTarget struct {
	Namespace     string
	Name          string
	LabelSelector string
}

func (t JobTarget) listOptions() metav1.ListOptions {
	if t.Name != "" {
		return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", t.Name).String()}
	}
	return metav1.ListOptions{LabelSelector: t.LabelSelector}
}

// JobState is one observed state of a watched Job.
type JobState struct {
	// Job is the Job as last seen; when Deleted, its final state.
	Job *batchv1.Job
	// Deleted is set once the Job is gone (or replaced under its name by a
	// Job with another UID).
	Deleted bool
}

// ErrNoJobs is returned by WatchJobs when a label selector matches no Job.
var ErrNoJobs = errors.New("no jobs found")

// relistDelay spaces out re-lists after a failed one, so a restarting API
// server is not hammered; watches in between are resumed by RetryWatcher.
var relistDelay = time.Second

// WatchJobs lists the Jobs t selects, then watches them, and calls handle
// with each Job's current state and every change to it, in order, until
// handle has returned true for every Job (or the Job was deleted), or ctx
// ends (ctx.Err() is returned). It never polls: one list, then one watch that
// client-go's RetryWatcher resumes from the last resourceVersion when the
// connection drops (an API server restart), and a new list only when the
// server answers "resourceVersion too old" (410 Gone). A Job deleted while
// the watch was down is reported as Deleted after the re-list.
//
// A named Job that does not exist is a NotFound error; a selector matching
// nothing is ErrNoJobs. Jobs created after the start are not watched, as
// with kubectl wait.
func WatchJobs(ctx context.Context, client batchv1client.JobsGetter, t JobTarget, handle func(JobState) bool) error {
	// RetryWatcher logs every reconnect as an error; keep the terminal clean
	// unless the user asked for logs with -v.
	if !klog.V(4).Enabled() {
		ctx = klog.NewContext(ctx, klog.Logger{})
	}
	jobs := client.Jobs(t.Namespace)
	opts := t.listOptions()
	w := &jobWatch{handle: handle, last: map[types.UID]*batchv1.Job{}, done: map[types.UID]bool{}}

	list, err := jobs.List(ctx, opts)
	if err != nil {
		return err
	}
	for i := range list.Items {
		// The field selector is a server-side filter the fake clientset ignores.
		if t.Name == "" || list.Items[i].Name == t.Name {
			w.last[list.Items[i].UID] = &list.Items[i]
		}
	}
	if len(w.last) == 0 {
		if t.Name != "" {
			return apierrors.NewNotFound(batchv1.Resource("jobs"), t.Name)
		}
		where := "in namespace " + t.Namespace
		if t.Namespace == "" {
			where = "in any namespace"
		}
		if t.LabelSelector != "" {
			where += fmt.Sprintf(" matching %q", t.LabelSelector)
		}
		return fmt.Errorf("%w %s", ErrNoJobs, where)
	}
	for uid, job := range w.last {
		w.deliver(uid, JobState{Job: job})
	}

	lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		o.FieldSelector, o.LabelSelector = opts.FieldSelector, opts.LabelSelector
		return jobs.Watch(ctx, o)
	}}
	rv := list.ResourceVersion
	for !w.allDone() {
		err := w.watchFrom(ctx, lw, rv)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if w.allDone() {
			return nil
		}
		if err != nil && !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			return err
		}
		// Too old, or the watcher gave up: re-list and resume from there.
		// Routine after an API server restart, so a debug message (-v=2).
		klog.V(2).Infof("watch of jobs in namespace %s ended (%v); listing again", t.Namespace, err)
		if rv, err = w.relist(ctx, jobs, opts, t.Name); err != nil {
			return err
		}
	}
	return nil
}

type jobWatch struct {
	handle func(JobState) bool
	last   map[types.UID]*batchv1.Job
	done   map[types.UID]bool
}

func (w *jobWatch) allDone() bool { return len(w.done) == len(w.last) }

func (w *jobWatch) deliver(uid types.UID, s JobState) {
	if w.done[uid] {
		return
	}
	w.last[uid] = s.Job
	if w.handle(s) || s.Deleted {
		w.done[uid] = true
	}
}

// watchFrom follows the watch from rv until every Job is done, ctx ends, or
// the watch cannot continue (the error says why).
func (w *jobWatch) watchFrom(ctx context.Context, lw cache.WatcherWithContext, rv string) error {
	rw, err := watchtools.NewRetryWatcherWithContext(ctx, rv, lw)
	if err != nil {
		return err
	}
	defer func() {
		rw.Stop()
		<-rw.Done()
	}()
	for ev := range rw.ResultChan() {
		switch ev.Type {
		case watch.Added, watch.Modified, watch.Deleted:
			job, ok := ev.Object.(*batchv1.Job)
			if !ok {
				continue
			}
			if _, tracked := w.last[job.UID]; !tracked {
				continue
			}
			w.deliver(job.UID, JobState{Job: job, Deleted: ev.Type == watch.Deleted})
			if w.allDone() {
				return nil
			}
		case watch.Error:
			return apierrors.FromObject(ev.Object)
		}
	}
	return nil // the watcher stopped (ctx ended or it gave up): the caller decides
}

// relist lists again after the watch could not resume, delivers what changed
// and reports Jobs that vanished meanwhile as deleted. Transient failures
// (the server still restarting) are retried until ctx ends.
func (w *jobWatch) relist(ctx context.Context, jobs batchv1client.JobInterface, opts metav1.ListOptions, name string) (string, error) {
	for {
		list, err := jobs.List(ctx, opts)
		if err == nil {
			seen := map[types.UID]bool{}
			for i := range list.Items {
				job := &list.Items[i]
				prev, tracked := w.last[job.UID]
				if !tracked || (name != "" && job.Name != name) {
					continue
				}
				seen[job.UID] = true
				if prev.ResourceVersion != job.ResourceVersion {
					w.deliver(job.UID, JobState{Job: job})
				}
			}
			for uid, job := range w.last {
				if !seen[uid] {
					w.deliver(uid, JobState{Job: job, Deleted: true})
				}
			}
			return list.ResourceVersion, nil
		}
		if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || apierrors.IsBadRequest(err) {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(relistDelay):
		}
	}
}

// WaitForJobDeletion waits until the Job with uid is gone (a Job re-created
// under the same name does not count). A Job already gone returns at once.
func WaitForJobDeletion(ctx context.Context, client batchv1client.JobsGetter, namespace, name string, uid types.UID) error {
	err := WatchJobs(ctx, client, JobTarget{Namespace: namespace, Name: name}, func(s JobState) bool {
		return s.Job.UID != uid
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// errWatchTimeout is the cause of a WatchTargets timeout.
var errWatchTimeout = errors.New("timed out")

// WatchTargets runs WatchJobs for every target at once, calling handle (one
// call at a time) with each state, until handle has returned true for every
// Job, ctx ends, or timeout (0: none) passes. A timeout is not an error: a
// target the timeout ended before its Jobs could even be read is passed to
// unread. An error from any target (not found, forbidden) stops them all and
// is returned, as is ctx's end (an interrupt).
func WatchTargets(ctx context.Context, client batchv1client.JobsGetter, targets []JobTarget, timeout time.Duration,
	handle func(JobState) bool, unread func(JobTarget)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timeoutCtx := ctx
	if timeout > 0 {
		var stop context.CancelFunc
		timeoutCtx, stop = context.WithTimeoutCause(ctx, timeout, errWatchTimeout)
		defer stop()
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	timedOut := func() bool { return errors.Is(context.Cause(timeoutCtx), errWatchTimeout) }
	for _, t := range targets {
		wg.Go(func() {
			seen := false
			err := WatchJobs(timeoutCtx, client, t, func(s JobState) bool {
				mu.Lock()
				defer mu.Unlock()
				seen = true
				return handle(s)
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && timedOut() && !seen:
				unread(t)
			case err != nil && !timedOut():
				if firstErr == nil {
					firstErr = err
				}
				cancel(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil && !errors.Is(firstErr, context.Canceled) {
		return firstErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, errWatchTimeout) {
		return err // interrupted
	}
	return nil
}
