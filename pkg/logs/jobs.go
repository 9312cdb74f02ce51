package logs

import (
	"context"
	"fmt"
	"io"
	"sync"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// Result is how showing one Job's logs went: the exit code Print or Follow
// returned for it, and its error.
type Result struct {
	Job  string
	Code int
	Err  error
}

// PrintJobs is Print for several Jobs (`kubectl job logs -l SELECTOR`): one
// Job after the other, in the order given, each line prefixed "[JOB/POD]" or
// "[JOB INDEX/ATTEMPT]" (a "==> job JOB pod ..." header without prefixes).
// Each Job's logs are fetched opts.MaxRequests at a time, so no more than
// that are ever in flight. A selection that cannot apply to one of the Jobs
// (--index on a NonIndexed Job) is refused before any log is read.
func PrintJobs(ctx context.Context, client kube.Client, jobs []*batchv1.Job, opts Options, out, errOut io.Writer) ([]Result, error) {
	for _, job := range jobs {
		if err := checkSelector(job, opts.Selector); err != nil {
			return nil, err
		}
	}
	opts.shared = &sharedOut{out: opts.newSink(out), errOut: &lockedWriter{w: errOut}}
	results := make([]Result, 0, len(jobs))
	for _, job := range jobs {
		o := opts
		o.jobLabel = job.Name
		code, err := Print(ctx, client, job, o, out, errOut)
		results = append(results, Result{Job: job.Name, Code: code, Err: err})
	}
	return results, nil
}

// FollowJobs is Follow for several Jobs at once, with PrintJobs' prefixes.
// Like `kubectl logs -f -l`, it refuses to start (exitcode.Error, nothing
// followed) when the Jobs would need more streams at once than
// opts.MaxRequests (--max-log-requests), counted as Follow counts them for
// one Job; once started, streams of every Job share opts.MaxRequests slots
// (a retry that would exceed them waits, and says so). Each Job ends with
// its own verdict line on errOut; the results come in the order given.
func FollowJobs(ctx context.Context, client kube.Client, jobs []*batchv1.Job, opts Options, out, errOut io.Writer) ([]Result, error) {
	opts.defaults(client)
	need := 0
	for _, job := range jobs {
		if err := checkSelector(job, opts.Selector); err != nil {
			return nil, err
		}
		pods, err := kube.ListJobPods(ctx, client, job)
		if err != nil {
			return nil, fmt.Errorf("cannot list the pods of job %s: %w", job.Name, err)
		}
		n, _ := streamsNeeded(job, opts.Selector.Select(Attempts(job, pods)), &opts)
		need += n
	}
	if need > opts.MaxRequests {
		return nil, fmt.Errorf("you are attempting to follow %d log streams of %d jobs, but maximum allowed concurrency is %d, use --max-log-requests to increase the limit, or narrow the selector",
			need, len(jobs), opts.MaxRequests)
	}
	opts.shared = &sharedOut{out: opts.newSink(out), errOut: &lockedWriter{w: errOut}}
	opts.slots = make(chan struct{}, opts.MaxRequests)
	opts.fetchSlots = make(chan struct{}, opts.MaxRequests)
	results := make([]Result, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Go(func() {
			o := opts
			o.jobLabel = job.Name
			code, err := Follow(ctx, client, job, o, out, errOut)
			results[i] = Result{Job: job.Name, Code: code, Err: err}
		})
	}
	wg.Wait()
	return results, nil
}
