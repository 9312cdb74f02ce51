package kube

import (
	"context"
	"sort"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/klog/v2"
)

// JobChange is one Job as a list watch sees it: its event, and its pods when
// the watch follows them.
type JobChange struct {
	Job   *batchv1.Job
	Event watch.EventType
	// Pods are the Job's pods; PodsKnown is false when pods are not
	// followed, or the Job's pods cannot be found by label.
	Pods      []corev1.Pod
	PodsKnown bool
}

// JobListWatch follows the Jobs of a scope (what kubectl job list -w shows)
// and, with WithPods, the pods of those Jobs.
//
// Jobs are watched from the list's resourceVersion with a RetryWatcher (it
// resumes after dropped connections); when the resourceVersion expires,
// Relist is called and the difference is delivered as changes. Pods come from
// one informer on every Job pod of the scope: one list and one watch,
// whatever the number of Jobs.
type JobListWatch struct {
	Client Client
	// Namespace is the scope, "" for every namespace.
	Namespace     string
	LabelSelector string
	FieldSelector string
	// Name, when set, watches that one Job (a metadata.name field selector).
	Name string
	// ControllerUID, when set, keeps only the Jobs that object controls (a
	// CronJob's: the API cannot select them, so the others are dropped here).
	ControllerUID types.UID
	WithPods      bool
	// Relist reads the Jobs again after the watch could not resume.
	Relist func(ctx context.Context) ([]batchv1.Job, string, error)

	pods *podIndex
	jobs map[types.UID]*batchv1.Job
}

// Run delivers the listed jobs to initial (as Added), then each change to
// changed, until ctx ends (it then returns nil, like kubectl get -w) or a
// re-list fails.
func (w *JobListWatch) Run(ctx context.Context, jobs []batchv1.Job, rv string, initial func([]JobChange), changed func(JobChange)) error {
	w.jobs = map[types.UID]*batchv1.Job{}
	podChanged := make(chan types.UID, 256)
	if w.WithPods {
		var synced func() bool
		w.pods, synced = startPodIndex(ctx, w.Client, w.Namespace, podChanged)
		if !cache.WaitForCacheSync(ctx.Done(), synced) {
			return nil // interrupted before the pods were read
		}
	}
	first := make([]JobChange, len(jobs))
	for i := range jobs {
		w.jobs[jobs[i].UID] = &jobs[i]
		first[i] = w.change(&jobs[i], watch.Added)
	}
	initial(first)
	for {
		err := w.watchJobs(ctx, rv, podChanged, changed)
		if ctx.Err() != nil {
			return nil
		}
		// Expiry is routine (the RetryWatcher resumes everything else), so
		// this is a debug message, not a warning: see it with -v=2.
		if err != nil {
			klog.V(2).Infof("watch of Jobs ended (%v); listing again", err)
		}
		jobs, rv, err = w.Relist(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		w.resync(jobs, changed)
	}
}

func (w *JobListWatch) change(job *batchv1.Job, event watch.EventType) JobChange {
	c := JobChange{Job: job, Event: event}
	if w.pods != nil {
		c.Pods, c.PodsKnown = w.pods.podsOf(job.UID), PodsFindableByLabel(job)
	}
	return c
}

// controlled reports whether job is in scope of ControllerUID.
func (w *JobListWatch) controlled(job *batchv1.Job) bool {
	if w.ControllerUID == "" {
		return true
	}
	ref := metav1.GetControllerOf(job)
	return ref != nil && ref.UID == w.ControllerUID
}

// update records job and delivers its change.
func (w *JobListWatch) update(job *batchv1.Job, event watch.EventType, changed func(JobChange)) {
	if event == watch.Deleted {
		delete(w.jobs, job.UID)
	} else {
		w.jobs[job.UID] = job
	}
	changed(w.change(job, event))
}

// resync applies a fresh list after the watch could not resume.
func (w *JobListWatch) resync(jobs []batchv1.Job, changed func(JobChange)) {
	seen := map[types.UID]bool{}
	for i := range jobs {
		seen[jobs[i].UID] = true
		event := watch.Modified
		if _, ok := w.jobs[jobs[i].UID]; !ok {
			event = watch.Added
		}
		w.update(&jobs[i], event, changed)
	}
	for uid, j := range w.jobs {
		if !seen[uid] {
			w.update(j, watch.Deleted, changed)
		}
	}
}

// watchJobs follows Job events from rv until ctx ends or the watch cannot
// resume (its resourceVersion expired).
func (w *JobListWatch) watchJobs(ctx context.Context, rv string, podChanged <-chan types.UID, changed func(JobChange)) error {
	opts := metav1.ListOptions{LabelSelector: w.LabelSelector, FieldSelector: w.FieldSelector}
	if w.Name != "" {
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", w.Name).String()
	}
	watchFn := func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
		options.LabelSelector, options.FieldSelector = opts.LabelSelector, opts.FieldSelector
		return w.Client.BatchV1().Jobs(w.Namespace).Watch(ctx, options)
	}
	var wi watch.Interface
	var err error
	if rv == "" || rv == "0" {
		// No resourceVersion to resume from (some fakes and proxies): a plain
		// watch; when it ends the caller lists again.
		opts.ResourceVersion = rv
		wi, err = watchFn(ctx, opts)
	} else {
		wi, err = watchtools.NewRetryWatcherWithContext(ctx, rv, &cache.ListWatch{WatchFuncWithContext: watchFn})
	}
	if err != nil {
		return err
	}
	defer wi.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case uid := <-podChanged:
			if job, ok := w.jobs[uid]; ok {
				w.update(job, watch.Modified, changed)
			}
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return nil
			}
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				if job, ok := ev.Object.(*batchv1.Job); ok && w.controlled(job) {
					w.update(job, ev.Type, changed)
				}
			case watch.Error:
				return apierrors.FromObject(ev.Object)
			}
		}
	}
}

// podIndex is the pods side of a list watch: every Job pod of the scope,
// indexed by the UID of its Job.
type podIndex struct{ indexer cache.Indexer }

const byJobUID = "jobUID"

func startPodIndex(ctx context.Context, client Client, namespace string, changed chan<- types.UID) (*podIndex, func() bool) {
	selector := JobsPodSelector(nil).String() // every Job pod of the scope
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			opts.LabelSelector = selector
			return client.CoreV1().Pods(namespace).List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.LabelSelector = selector
			return client.CoreV1().Pods(namespace).Watch(ctx, opts)
		},
	}
	notify := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if pod, ok := obj.(*corev1.Pod); ok {
			select {
			case changed <- JobUIDOf(pod):
			default: // the loop is behind; the Job's next event redraws it
			}
		}
	}
	// The wrapper lets clients that cannot stream lists (fakes) say so.
	store, informer := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.ToListWatcherWithWatchListSemantics(lw, client),
		ObjectType:    &corev1.Pod{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    notify,
			UpdateFunc: func(_, obj any) { notify(obj) },
			DeleteFunc: notify,
		},
		Indexers: cache.Indexers{byJobUID: func(obj any) ([]string, error) {
			return []string{string(JobUIDOf(obj.(*corev1.Pod)))}, nil
		}},
	})
	go informer.RunWithContext(ctx)
	// With Indexers set the store is an Indexer.
	return &podIndex{indexer: store.(cache.Indexer)}, informer.HasSynced
}

func (p *podIndex) podsOf(uid types.UID) []corev1.Pod {
	objs, _ := p.indexer.ByIndex(byJobUID, string(uid))
	pods := make([]corev1.Pod, 0, len(objs))
	for _, obj := range objs {
		pods = append(pods, *obj.(*corev1.Pod))
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods
}
