package kube

import (
	"context"
	"fmt"
	"sync"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/client-go/util/flowcontrol"
)

// DeleteJobOptions says how DeleteJob deletes a Job.
type DeleteJobOptions struct {
	// Propagation is what happens to the pods: Background (the default when
	// empty) and Foreground delete them, Orphan leaves them running.
	Propagation metav1.DeletionPropagation
	// GracePeriodSeconds, when set, is sent with the delete.
	GracePeriodSeconds *int64
	// DryRun asks the API server to validate the delete without persisting
	// it (--dry-run=server).
	DryRun bool
	// MatchResourceVersion adds a resourceVersion precondition, so the delete
	// fails if the Job changed at all since it was read (prune decides from
	// what it read; a Job that changed since must be looked at again).
	MatchResourceVersion bool
}

// JobDeleteOptions returns the DeleteOptions DeleteJob sends for job: always
// a UID precondition, so a Job deleted and re-created under the same name
// between reading and deleting is never deleted by mistake.
func JobDeleteOptions(job *batchv1.Job, opts DeleteJobOptions) metav1.DeleteOptions {
	propagation := opts.Propagation
	if propagation == "" {
		propagation = metav1.DeletePropagationBackground
	}
	uid := job.UID
	do := metav1.DeleteOptions{
		Preconditions:      &metav1.Preconditions{UID: &uid},
		PropagationPolicy:  &propagation,
		GracePeriodSeconds: opts.GracePeriodSeconds,
	}
	if opts.MatchResourceVersion {
		rv := job.ResourceVersion
		do.Preconditions.ResourceVersion = &rv
	}
	if opts.DryRun {
		do.DryRun = []string{metav1.DryRunAll}
	}
	return do
}

// DeleteJob deletes job with JobDeleteOptions. A Job without a UID (one that
// was never read from the API) is refused rather than deleted by name alone.
// A failed precondition comes back as a Conflict: see IsPreconditionFailed.
func DeleteJob(ctx context.Context, client Client, job *batchv1.Job, opts DeleteJobOptions) error {
	if job.UID == "" {
		return fmt.Errorf("refusing to delete job %s/%s without its UID", job.Namespace, job.Name)
	}
	return client.BatchV1().Jobs(job.Namespace).Delete(ctx, job.Name, JobDeleteOptions(job, opts))
}

// IsPreconditionFailed reports whether err is the API server refusing a
// delete because its UID or resourceVersion precondition did not hold: the
// Job was re-created under the same name, or changed since it was read.
func IsPreconditionFailed(err error) bool {
	return apierrors.IsConflict(err)
}

// RateLimit bounds a batch of deletes.
type RateLimit struct {
	// QPS is the most deletes started per second; 0 or less is unlimited.
	QPS float64
	// Workers is how many deletes may be in flight at once (at least 1), so
	// a slow round trip does not hold the rate below QPS.
	Workers int
}

// DeleteJobs deletes jobs with DeleteJob, no faster than limit, and calls
// report once per Job, in the order of jobs (whatever order the deletes
// finish in), from the calling goroutine. A failed delete does not stop the
// others; once ctx is done, the Jobs not yet deleted are reported with its
// error.
func DeleteJobs(ctx context.Context, client Client, jobs []*batchv1.Job, opts DeleteJobOptions, limit RateLimit, report func(job *batchv1.Job, err error)) {
	workers := max(limit.Workers, 1)
	var limiter flowcontrol.RateLimiter
	if limit.QPS > 0 {
		// Burst 1: a prune of 1,000 Jobs must not open with a spike.
		limiter = flowcontrol.NewTokenBucketRateLimiter(float32(limit.QPS), 1)
		defer limiter.Stop()
	}
	next := make(chan int)
	results := make([]error, len(jobs))
	done := make([]chan struct{}, len(jobs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				if limiter != nil {
					if err := limiter.Wait(ctx); err != nil {
						results[i] = fmt.Errorf("not deleted: %w", context.Cause(ctx))
						close(done[i])
						continue
					}
				}
				if err := ctx.Err(); err != nil {
					results[i] = fmt.Errorf("not deleted: %w", context.Cause(ctx))
				} else {
					results[i] = DeleteJob(ctx, client, jobs[i], opts)
				}
				close(done[i])
			}
		})
	}
	go func() {
		for i := range jobs {
			next <- i
		}
		close(next)
	}()
	for i, job := range jobs {
		<-done[i]
		report(job, results[i])
	}
	wg.Wait()
}

// DeleteUnfinishedPods deletes the pods that have not finished with
// gracePeriodSeconds, each preconditioned on its UID. It makes --grace-period
// and --now mean something for a Job: the garbage collector deletes a Job's
// pods with their own terminationGracePeriodSeconds, and a shorter grace
// period on a second delete shortens the one in progress. Pods already gone
// are not errors.
func DeleteUnfinishedPods(ctx context.Context, client Client, pods []corev1.Pod, gracePeriodSeconds int64, dryRun bool) []error {
	var errs []error
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		uid := p.UID
		opts := metav1.DeleteOptions{
			GracePeriodSeconds: &gracePeriodSeconds,
			Preconditions:      &metav1.Preconditions{UID: &uid},
		}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		err := client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, opts)
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			errs = append(errs, fmt.Errorf("cannot delete pod %s/%s: %w", p.Namespace, p.Name, err))
		}
	}
	return errs
}

// WaitForJobAndPodsDeletion blocks until the Job with job's UID is gone (a
// Job re-created under the same name does not count; see WaitForJobDeletion)
// and, with withPods, until every pod it controlled is gone too. It watches
// rather than polls and survives dropped watches. It returns ctx's error when
// ctx ends first.
func WaitForJobAndPodsDeletion(ctx context.Context, client Client, job *batchv1.Job, withPods bool) error {
	if err := WaitForJobDeletion(ctx, client.BatchV1(), job.Namespace, job.Name, job.UID); err != nil {
		return fmt.Errorf("job %s/%s is still there: %w", job.Namespace, job.Name, err)
	}
	if !withPods {
		return nil
	}
	sel, err := PodSelector(job)
	if err != nil {
		return err
	}
	pods := client.CoreV1().Pods(job.Namespace)
	podLW := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel.String()
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel.String()
			return pods.Watch(ctx, o)
		},
	}
	podGone := func(obj any) bool {
		p, ok := obj.(*corev1.Pod)
		return !ok || !OwnedBy(p, job.UID)
	}
	// The fake clientset cannot stream a watch-list; the real server can.
	lw := cache.ToListWatcherWithWatchListSemantics(podLW, client)
	if err := waitUntilGone(ctx, lw, &corev1.Pod{}, podGone); err != nil {
		return fmt.Errorf("pods of job %s/%s are still there: %w", job.Namespace, job.Name, err)
	}
	return nil
}

// waitUntilGone watches lw until every object in its store is gone by the
// given test.
func waitUntilGone(ctx context.Context, lw cache.ListerWatcher, objType runtime.Object, gone func(any) bool) error {
	var store cache.Store
	allGone := func() bool {
		for _, obj := range store.List() {
			if !gone(obj) {
				return false
			}
		}
		return true
	}
	_, err := watchtools.UntilWithSync(ctx, lw, objType,
		func(s cache.Store) (bool, error) {
			store = s
			return allGone(), nil
		},
		func(watch.Event) (bool, error) { return allGone(), nil },
	)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return context.Cause(ctx)
		}
		return err
	}
	return nil
}
