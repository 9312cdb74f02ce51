package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"golang.org/x/sync/errgroup"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/tools/pager"
	"k8s.io/klog/v2"
)

// maxNamesInSelector bounds the length of the names in a "job-name in (...)"
// selector, so the request line stays well under the 8 KiB that proxies in
// front of API servers commonly accept. Past it the request asks for every
// Job pod in the scope ("job-name" exists): still one request, a larger
// answer, filtered on arrival.
const maxNamesInSelector = 4096

// ListJobs lists Jobs page by page (opts.Limit per page, like kubectl's
// --chunk-size; 0 means one unpaginated request) and returns them with the
// list's resourceVersion, from which a watch can continue. namespace "" lists
// every namespace.
func ListJobs(ctx context.Context, client Client, namespace string, opts metav1.ListOptions) ([]batchv1.Job, string, error) {
	var (
		jobs []batchv1.Job
		rv   string
	)
	err := eachListItem(ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		list, err := client.BatchV1().Jobs(namespace).List(ctx, opts)
		if err == nil {
			// Every page of a paginated list is the same snapshot, so any
			// page's resourceVersion is the list's.
			rv = list.ResourceVersion
		}
		return list, err
	}, opts, func() { jobs = nil }, func(obj runtime.Object) error {
		jobs = append(jobs, *obj.(*batchv1.Job))
		return nil
	})
	return jobs, rv, err
}

// eachListItem reads a list page by page (opts.Limit per page; 0 is one
// request) and calls fn with each item. When the server answers a continue
// token with 410 Expired (a paged list that outlived etcd's compaction, "the
// provided continue parameter is too old"), the pages read so far cannot be
// joined to the rest into one snapshot: restart drops what fn kept, and the
// list is read again in one unpaginated request, a consistent snapshot, as
// kubectl's pager does (client-go's ListPager.List with FullListIfExpired;
// its EachListItem returns the error instead). A partial list is never
// returned as whole.
func eachListItem(ctx context.Context, page pager.ListPageFunc, opts metav1.ListOptions, restart func(), fn func(runtime.Object) error) error {
	p := pager.New(page)
	p.PageSize = opts.Limit
	err := p.EachListItem(ctx, opts, fn)
	if opts.Limit == 0 || !apierrors.IsResourceExpired(err) {
		return err
	}
	klog.V(2).Infof("paged list expired (%v); reading the whole list in one request", err)
	restart()
	opts.Limit, opts.Continue = 0, ""
	list, err := page(ctx, opts)
	if err != nil {
		return err
	}
	return meta.EachListItem(list, fn)
}

// JobsPodSelector returns the label selector that finds the pods of all the
// given Jobs in one request: "batch.kubernetes.io/job-name in (a,b,...)"
// while the names fit in maxNamesInSelector bytes, else
// "batch.kubernetes.io/job-name" (exists). Pods must
// still be joined to their Job by owner UID (PodJoin): names repeat
// across namespaces and a re-created Job reuses its name.
func JobsPodSelector(jobs []*batchv1.Job) labels.Selector {
	sel, _ := jobsPodSelector(jobs)
	return sel
}

// jobsPodSelector is JobsPodSelector, and whether it selects by name.
func jobsPodSelector(jobs []*batchv1.Job) (sel labels.Selector, byName bool) {
	names, size := map[string]bool{}, 0
	for _, j := range jobs {
		if len(validation.IsValidLabelValue(j.Name)) > 0 {
			names = nil // such a name is not a label value; ask for all Job pods
			break
		}
		if !names[j.Name] {
			names[j.Name] = true
			size += len(j.Name) + 1
		}
	}
	op, values := selection.Exists, []string(nil)
	if len(names) > 0 && size <= maxNamesInSelector {
		op = selection.In
		for n := range names {
			values = append(values, n)
		}
		sort.Strings(values)
	}
	req, err := labels.NewRequirement(LabelJobName, op, values)
	if err != nil {
		// Unreachable: the key is constant and the values were validated.
		op = selection.Exists
		req, _ = labels.NewRequirement(LabelJobName, op, nil)
	}
	return labels.NewSelector().Add(*req), op == selection.In
}

// PodsFindableByLabel reports whether a Job's pods carry the job-name label
// that JobsPodSelector relies on. Jobs with spec.manualSelector use their own
// template labels, so their pods can only be found with ListJobPods.
func PodsFindableByLabel(job *batchv1.Job) bool {
	if job.Spec.ManualSelector != nil && *job.Spec.ManualSelector {
		return false
	}
	return len(validation.IsValidLabelValue(job.Name)) == 0
}

// findableByLabel keeps the Jobs whose pods PodsFindableByLabel.
func findableByLabel(jobs []*batchv1.Job) []*batchv1.Job {
	var out []*batchv1.Job
	for _, j := range jobs {
		if PodsFindableByLabel(j) {
			out = append(out, j)
		}
	}
	return out
}

// ListPodsOfJobs lists the pods of many Jobs and returns them grouped by the
// UID of the Job that controls them, in a number of requests that follows
// the Jobs' names, never one per Job: the Jobs are cut into batches whose
// names fit a "job-name in (...)" selector (maxNamesInSelector), read side
// by side, each in the Jobs' namespace when they share one. Past
// maxPodBatches batches it is one (paginated) request for every Job pod of
// namespace ("" for all namespaces). Jobs whose pods cannot be found by
// label (PodsFindableByLabel) get no entry; callers treat their pods as
// unknown.
//
// Per namespace, a selector never returns the pods of same-named Jobs of
// other namespaces, and many live Jobs no longer overflow one selector into
// a read of every Job pod of the scope. Pages are joined (PodJoin) as they
// arrive, so pods of other Jobs are dropped at once.
func ListPodsOfJobs(ctx context.Context, client Client, namespace string, jobs []*batchv1.Job, chunkSize int64) (PodJoin, error) {
	findable := findableByLabel(jobs)
	out := NewPodJoin(findable)
	if len(findable) == 0 {
		return out, nil
	}
	batches := podBatches(findable)
	if len(batches) > maxPodBatches {
		batches = []podBatch{{namespace: namespace, jobs: findable, selector: JobsPodSelector(nil)}}
	}
	joins := make([]PodJoin, len(batches))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, b := range batches {
		g.Go(func() error {
			var err error
			joins[i], err = listPodsOfBatch(ctx, client, b, chunkSize)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, j := range joins {
		for uid, pods := range j {
			out[uid] = append(out[uid], pods...)
		}
	}
	return out, nil
}

// maxPodBatches bounds the requests of ListPodsOfJobs: past it, one list of
// every Job pod of the scope costs less than the batches.
const maxPodBatches = 16

// podBatch is Jobs whose pods one request reads.
type podBatch struct {
	namespace string
	jobs      []*batchv1.Job
	selector  labels.Selector
}

// podBatches cuts jobs, in their order (a list's: by namespace), into
// batches whose names fit one selector and which end where the namespace
// changes, so each reads one namespace only (many small namespaces make
// more than maxPodBatches batches, and one request for the scope instead).
func podBatches(jobs []*batchv1.Job) []podBatch {
	var out []podBatch
	start, size := 0, 0
	flush := func(end int) {
		if end == start {
			return
		}
		b := jobs[start:end]
		out = append(out, podBatch{namespace: b[0].Namespace, jobs: b, selector: JobsPodSelector(b)})
		start, size = end, 0
	}
	for i, j := range jobs {
		if size+len(j.Name)+1 > maxNamesInSelector || i > start && j.Namespace != jobs[i-1].Namespace {
			flush(i)
		}
		size += len(j.Name) + 1
	}
	flush(len(jobs))
	return out
}

func listPodsOfBatch(ctx context.Context, client Client, b podBatch, pageSize int64) (PodJoin, error) {
	out := NewPodJoin(b.jobs)
	err := eachPod(ctx, client, b, pageSize, func() { out = NewPodJoin(b.jobs) }, func(p *corev1.Pod) { out.Add(p) })
	return out, err
}

// eachPod calls fn with each pod of b's namespace that b's selector matches,
// read in pages of pageSize; restart, when a paged read must start again.
func eachPod(ctx context.Context, client Client, b podBatch, pageSize int64, restart func(), fn func(*corev1.Pod)) error {
	opts := metav1.ListOptions{LabelSelector: b.selector.String(), Limit: pageSize}
	return eachListItem(ctx, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return client.CoreV1().Pods(b.namespace).List(ctx, opts)
	}, opts, restart, func(obj runtime.Object) error {
		fn(obj.(*corev1.Pod))
		return nil
	})
}

// PodJoin joins pods to the Jobs that control them, keyed by Job UID: names
// repeat across namespaces and a re-created Job reuses its name, UIDs do not.
// Every Job has an entry, empty when it has no pods.
type PodJoin map[types.UID][]corev1.Pod

// NewPodJoin starts a join for jobs.
func NewPodJoin(jobs []*batchv1.Job) PodJoin {
	j := make(PodJoin, len(jobs))
	for _, job := range jobs {
		j[job.UID] = nil
	}
	return j
}

// Add keeps pod if one of the Jobs controls it, without its managedFields,
// which nothing reads and which are often half a pod's size; pods of other
// Jobs are dropped.
func (j PodJoin) Add(pod *corev1.Pod) {
	uid := JobUIDOf(pod)
	if _, ok := j[uid]; ok && uid != "" {
		pod.ManagedFields = nil
		j[uid] = append(j[uid], *pod)
	}
}

// JobUIDOf returns the UID of the Job that controls pod (its controller owner
// reference, or the controller-uid label for pods without one), or "".
func JobUIDOf(pod *corev1.Pod) types.UID {
	if ref := metav1.GetControllerOf(pod); ref != nil {
		if ref.Kind == "Job" {
			return ref.UID
		}
		return ""
	}
	return types.UID(pod.Labels[LabelControllerUID])
}

// CronJobJobs reads a CronJob and the Jobs it controls (by owner UID, like
// the CronJob controller): one Get plus one paginated Jobs list.
func CronJobJobs(ctx context.Context, client Client, namespace, name string, chunkSize int64) (*batchv1.CronJob, []batchv1.Job, string, error) {
	cj, err := client.BatchV1().CronJobs(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, "", err
	}
	all, rv, err := ListJobs(ctx, client, namespace, metav1.ListOptions{Limit: chunkSize})
	if err != nil {
		return cj, nil, "", err
	}
	var owned []batchv1.Job
	for i := range all {
		if ref := metav1.GetControllerOf(&all[i]); ref != nil && ref.UID == cj.UID {
			owned = append(owned, all[i])
		}
	}
	return cj, owned, rv, nil
}

// HistoryKept mirrors the CronJob controller's cleanupFinishedJobs: finished
// Jobs (Complete or Failed condition True) beyond successfulJobsHistoryLimit
// or failedJobsHistoryLimit, oldest by startTime first (name breaks ties,
// Jobs without startTime count as newest), are deleted on its next sync. It
// returns, for every finished Job, whether the limits keep it; unfinished Jobs
// are absent.
func HistoryKept(cj *batchv1.CronJob, jobs []batchv1.Job) map[types.UID]bool {
	var succeeded, failed []*batchv1.Job
	for i := range jobs {
		for _, c := range jobs[i].Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			if c.Type == batchv1.JobComplete {
				succeeded = append(succeeded, &jobs[i])
				break
			}
			if c.Type == batchv1.JobFailed {
				failed = append(failed, &jobs[i])
				break
			}
		}
	}
	kept := map[types.UID]bool{}
	mark := func(js []*batchv1.Job, limit *int32) {
		sort.SliceStable(js, func(i, j int) bool { return startedBefore(js[i], js[j]) })
		drop := 0
		if limit != nil {
			drop = len(js) - int(*limit)
		}
		for i, j := range js {
			kept[j.UID] = i >= drop
		}
	}
	mark(succeeded, cj.Spec.SuccessfulJobsHistoryLimit)
	mark(failed, cj.Spec.FailedJobsHistoryLimit)
	return kept
}

// startedBefore is the CronJob controller's byJobStartTime order.
func startedBefore(a, b *batchv1.Job) bool {
	switch {
	case a.Status.StartTime == nil && b.Status.StartTime != nil:
		return false
	case a.Status.StartTime != nil && b.Status.StartTime == nil:
		return true
	case a.Status.StartTime.Equal(b.Status.StartTime):
		return a.Name < b.Name
	}
	return a.Status.StartTime.Before(b.Status.StartTime)
}

// NextSchedule is when the CronJob controller next creates a Job after now,
// parsed the way it does (robfig/cron standard syntax, spec.timeZone as a
// TZ= prefix). Without spec.timeZone the controller uses its own local zone,
// which the client cannot know: UTC is assumed and utcAssumed says so.
func NextSchedule(cj *batchv1.CronJob, now time.Time) (next time.Time, utcAssumed bool, err error) {
	spec := cj.Spec.Schedule
	if cj.Spec.TimeZone != nil && *cj.Spec.TimeZone != "" {
		spec = "TZ=" + *cj.Spec.TimeZone + " " + spec
	} else if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
		spec, utcAssumed = "TZ=UTC "+spec, true
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return time.Time{}, utcAssumed, fmt.Errorf("cronjob %s/%s has an unparseable schedule %q: %w", cj.Namespace, cj.Name, cj.Spec.Schedule, err)
	}
	next = sched.Next(now)
	if next.IsZero() {
		return next, utcAssumed, fmt.Errorf("cronjob %s/%s schedule %q never fires", cj.Namespace, cj.Name, cj.Spec.Schedule)
	}
	return next, utcAssumed, nil
}

// GetJobs reads the named Jobs of a namespace, one Get each, like kubectl
// get NAME...: a Job that does not exist is collected in notFound (a
// NotFound error each), any other error stops the reads.
func GetJobs(ctx context.Context, client Client, namespace string, names []string) (jobs []*batchv1.Job, notFound []error, err error) {
	for _, name := range names {
		job, err := client.BatchV1().Jobs(namespace).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			notFound = append(notFound, err)
		case err != nil:
			return nil, nil, err
		default:
			jobs = append(jobs, job)
		}
	}
	return jobs, notFound, nil
}

// ListNamedJobs is GetJobs with one list (by name when there is one name),
// which also gives the resourceVersion a watch continues from.
func ListNamedJobs(ctx context.Context, client Client, namespace string, names []string, chunkSize int64) (jobs []batchv1.Job, rv string, notFound []error, err error) {
	opts := metav1.ListOptions{Limit: chunkSize}
	if len(names) == 1 {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", names[0]).String()
	}
	all, rv, err := ListJobs(ctx, client, namespace, opts)
	if err != nil {
		return nil, "", nil, err
	}
	for _, name := range names {
		i := slices.IndexFunc(all, func(j batchv1.Job) bool { return j.Name == name })
		if i < 0 {
			notFound = append(notFound, apierrors.NewNotFound(batchv1.Resource("jobs"), name))
			continue
		}
		jobs = append(jobs, all[i])
	}
	return jobs, rv, notFound, nil
}
