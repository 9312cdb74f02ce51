package kube

import (
	"context"
	"maps"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// FleetQuery is a Jobs list to judge: which Jobs, how much evidence.
type FleetQuery struct {
	Scope string // a namespace, "" for all
	// Options holds the selectors and Limit, the Jobs page size (0: one
	// request; pods are read in pages podPageFactor times bigger).
	Options  metav1.ListOptions
	Evidence Evidence
	// TrimManagedFields drops each Job's managedFields as its page arrives:
	// a table never shows them and they are often half a Job's size.
	TrimManagedFields bool
	Now               time.Time
}

// ExplainedJobs is a judged Jobs list.
type ExplainedJobs struct {
	Jobs            []*batchv1.Job
	Explanations    []*explain.JobExplanation // one per Job, in order
	ResourceVersion string
	// Missing is evidence that could not be read (a ReadError): the
	// verdicts it was for are from the Jobs alone.
	Missing error
}

// ListExplainedJobs lists Jobs page by page, as ListJobs does, and judges
// them as ExplainJobs does, but reads the pods a page needs while the next
// page is read: at most one Pods request per page of Jobs (for the page's
// Jobs that q.Evidence asks pods for, by name, in their namespace when they
// share one), none for a page that needs none, and the FailedCreate events
// once at the end when a Job is Pending without pods. A Jobs list that fails
// is an error; evidence that fails is Missing.
func ListExplainedJobs(ctx context.Context, client Client, q FleetQuery) (*ExplainedJobs, error) {
	opts := q.Options
	for {
		out, err := listExplainedOnce(ctx, client, q, opts)
		if opts.Limit == 0 || !apierrors.IsResourceExpired(err) {
			return out, err
		}
		// A paged list outlived etcd's compaction (410 Expired): its pages
		// cannot be joined into one snapshot. As eachListItem does, start
		// again with one unpaginated request.
		klog.V(2).Infof("paged list expired (%v); reading the whole list in one request", err)
		opts.Limit, opts.Continue = 0, ""
	}
}

func listExplainedOnce(ctx context.Context, client Client, q FleetQuery, opts metav1.ListOptions) (*ExplainedJobs, error) {
	// Pods reads are cancelled with the list when it fails.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &fleetVerdicts{now: q.Now, evidence: q.Evidence}
	reads := &podReads{client: client, scope: q.Scope, pageSize: opts.Limit * podPageFactor, join: PodJoin{}}
	out := &ExplainedJobs{}
	for {
		list, err := client.BatchV1().Jobs(q.Scope).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		// Every page of a paginated list is the same snapshot, so any
		// page's resourceVersion is the list's.
		out.ResourceVersion = list.ResourceVersion
		page := make([]*batchv1.Job, len(list.Items))
		for i := range list.Items {
			if q.TrimManagedFields {
				list.Items[i].ManagedFields = nil
			}
			page[i] = &list.Items[i]
		}
		if need := f.judge(page); len(need) > 0 {
			reads.start(ctx, need)
		}
		if list.Continue == "" {
			break
		}
		opts.Continue = list.Continue
	}
	out.Jobs, out.Explanations = f.jobs, f.out
	if err := reads.wait(); err != nil {
		out.Missing = err
		return out, nil
	}
	if err := f.refine(ctx, client, q.Scope, reads.join); err != nil {
		out.Missing = err
	}
	return out, nil
}

// podReads are the Pods requests of ListExplainedJobs, one per page of Jobs
// that needs any, running while the next pages are read.
type podReads struct {
	client   Client
	scope    string
	pageSize int64

	wg   sync.WaitGroup
	mu   sync.Mutex
	join PodJoin
	// err is the first read that failed, as a ReadError naming where.
	err error
	// every is the one read of every Job pod of a namespace (or the scope)
	// that pages share when their names overflow a selector.
	every map[string]*everyJobPod
}

// everyJobPod is one read of every Job pod of a namespace, by Job UID.
type everyJobPod struct {
	once sync.Once
	pods map[types.UID][]corev1.Pod
	err  error
}

// start reads the pods of a page's jobs: one request with a job-name
// selector in the namespace they share, else in the scope (pods of
// same-named Jobs elsewhere are then dropped by the UID join). When the
// names overflow a selector, the page shares a read of every Job pod of that
// namespace with the other pages that overflow.
func (r *podReads) start(ctx context.Context, jobs []*batchv1.Job) {
	findable := findableByLabel(jobs)
	if len(findable) == 0 {
		return
	}
	namespace := findable[0].Namespace
	for _, j := range findable {
		if j.Namespace != namespace {
			namespace = r.scope
			break
		}
	}
	sel, byName := jobsPodSelector(findable)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		var join PodJoin
		var err error
		if !byName {
			join, err = r.fromEveryJobPod(ctx, namespace, findable)
		} else {
			join, err = listPodsOfBatch(ctx, r.client, podBatch{namespace: namespace, jobs: findable, selector: sel}, r.pageSize)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			if r.err == nil {
				r.err = NewReadError("list", "pods", namespace, err)
			}
			return
		}
		maps.Copy(r.join, join)
	}()
}

// fromEveryJobPod returns the pods of jobs from the one read of every Job
// pod of namespace.
func (r *podReads) fromEveryJobPod(ctx context.Context, namespace string, jobs []*batchv1.Job) (PodJoin, error) {
	r.mu.Lock()
	if r.every == nil {
		r.every = map[string]*everyJobPod{}
	}
	read := r.every[namespace]
	if read == nil {
		read = &everyJobPod{}
		r.every[namespace] = read
	}
	r.mu.Unlock()
	read.once.Do(func() {
		read.pods = map[types.UID][]corev1.Pod{}
		all := podBatch{namespace: namespace, selector: JobsPodSelector(nil)}
		read.err = eachPod(ctx, r.client, all, r.pageSize, func() { clear(read.pods) }, func(p *corev1.Pod) {
			if uid := JobUIDOf(p); uid != "" {
				p.ManagedFields = nil
				read.pods[uid] = append(read.pods[uid], *p)
			}
		})
	})
	if read.err != nil {
		return nil, read.err
	}
	out := NewPodJoin(jobs)
	for _, j := range jobs {
		out[j.UID] = read.pods[j.UID]
	}
	return out, nil
}

func (r *podReads) wait() error {
	r.wg.Wait()
	return r.err
}
