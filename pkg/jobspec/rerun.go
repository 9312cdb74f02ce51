package jobspec

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Labels and annotations the API server and the job controller put on a Job
// and its pod template; a rerun must not carry them over (they name the old
// Job's UID, and the server refuses a template that does not match the new
// generated selector).
var (
	generatedLabels = []string{
		"batch.kubernetes.io/controller-uid",
		"batch.kubernetes.io/job-name",
		"controller-uid",
		"job-name",
	}
	droppedAnnotations = []string{
		// It describes what was applied to the old object, not the rerun.
		"kubectl.kubernetes.io/last-applied-configuration",
		// A rerun is not a scheduled run.
		"batch.kubernetes.io/cronjob-scheduled-timestamp",
		"batch.kubernetes.io/job-tracking",
		AnnotationRerunOf,
		AnnotationOriginalIndexes,
		AnnotationCarriedIndexes,
	}
	// Finalizers the API server adds while deleting; user finalizers stay.
	deletionFinalizers = []string{metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents}
)

// RerunOptions say how a rerun is named and what it runs.
type RerunOptions struct {
	// Name is the new Job's name. Empty with GenerateName false means the old
	// name (for --replace).
	Name string
	// GenerateName asks the API server for a unique name "<old>-rerun-xxxxx".
	GenerateName bool
	// FailedIndexesOnly reruns an Indexed Job for the indexes that did not
	// succeed, under their original numbers: the others are listed in
	// AnnotationCarriedIndexes for the caller to mark completed (see
	// CarriedIndexes) before the Job starts.
	FailedIndexesOnly bool
	// Renumber, with FailedIndexesOnly, runs those indexes as 0..K-1 instead,
	// for users who cannot write the Job's status; see AnnotationOriginalIndexes.
	Renumber bool
	// Knobs override the old Job's settings (--image, --env, ...).
	Knobs Knobs
}

// Rerun returns a new Job that runs old again: same spec and the user's
// labels and annotations, without status, identity (uid, resourceVersion,
// creationTimestamp, managedFields), the generated selector and the
// controller-uid / job-name labels. It records the old Job in
// AnnotationRerunOf, unsuspends it unless Knobs.Suspend says otherwise, and
// validates the result. The second value lists what the caller should tell the
// user about the transformation (for example a dropped successPolicy).
func Rerun(old *batchv1.Job, o RerunOptions) (*batchv1.Job, []string, error) {
	var notes []string
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   old.Namespace,
			Labels:      without(old.Labels, generatedLabels),
			Annotations: without(old.Annotations, droppedAnnotations),
			Finalizers:  slices.DeleteFunc(slices.Clone(old.Finalizers), func(f string) bool { return slices.Contains(deletionFinalizers, f) }),
		},
		Spec: *old.Spec.DeepCopy(),
	}
	switch {
	case o.GenerateName:
		job.GenerateName = RerunNamePrefix(old.Name)
	case o.Name != "":
		job.Name = o.Name
	default:
		job.Name = old.Name
	}
	// Keep the CronJob as owner (the rerun is one more run of it, shown in its
	// history and collected with it); other owners manage their own Jobs and
	// would adopt or fight over a copy.
	for _, ref := range old.OwnerReferences {
		if ref.Kind == "CronJob" && ref.APIVersion == batchv1.SchemeGroupVersion.String() {
			job.OwnerReferences = append(job.OwnerReferences, ref)
			job.Annotations = withEntries(job.Annotations, map[string]string{AnnotationCronJobInstantiate: "manual"})
		}
	}
	job.Annotations = withEntries(job.Annotations, map[string]string{
		AnnotationRerunOf: fmt.Sprintf("%s/%s/%s", old.Namespace, old.Name, old.UID),
	})

	// The server generates the selector and its labels for the new UID unless
	// the user manages them (manualSelector: true).
	if !ptr.Deref(job.Spec.ManualSelector, false) {
		job.Spec.Selector = nil
		job.Spec.ManualSelector = nil
		job.Spec.Template.Labels = without(job.Spec.Template.Labels, generatedLabels)
	}
	// A rerun is meant to run; --suspend keeps it suspended.
	job.Spec.Suspend = nil

	if o.FailedIndexesOnly {
		restrict := carryCompletedIndexes
		if o.Renumber {
			restrict = restrictToFailedIndexes
		}
		n, err := restrict(old, job)
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, n...)
	}
	if err := Apply(job, o.Knobs); err != nil {
		return nil, nil, err
	}
	if err := Validate(job); err != nil {
		return nil, nil, err
	}
	return job, notes, nil
}

// RerunNamePrefix is the generateName of a rerun of name: "<name>-rerun-",
// shortened so the generated name (5 more characters) stays within the
// 63-character limit of Job names.
func RerunNamePrefix(name string) string {
	const suffix = "-rerun-"
	base := name
	if limit := maxNameLength - 5 - len(suffix); len(base) > limit {
		base = strings.TrimRight(base[:limit], "-.")
	}
	return base + suffix
}

// RerunIndexes returns the completion indexes of an Indexed Job that did not
// succeed: every index in [0, completions) not in status.completedIndexes.
// That is the failed indexes and those that never finished (the Job failed
// before they ran), which together are what a rerun must still do.
func RerunIndexes(job *batchv1.Job) ([]int, error) {
	if ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) != batchv1.IndexedCompletion {
		return nil, fmt.Errorf("--failed-indexes-only needs an Indexed Job: job %s is NonIndexed, so its pods have no indexes; rerun it whole without --failed-indexes-only", job.Name)
	}
	completions := int(ptr.Deref(job.Spec.Completions, 0))
	done, err := explain.ParseIndexes(job.Status.CompletedIndexes)
	if err != nil {
		return nil, fmt.Errorf("job %s: status.completedIndexes: %w", job.Name, err)
	}
	var todo []int
	for i := range completions {
		if !done.Has(i) {
			todo = append(todo, i)
		}
	}
	return todo, nil
}

// carryCompletedIndexes keeps job's completions and index numbers and records
// the old Job's succeeded indexes in AnnotationCarriedIndexes: written into the
// new Job's status.completedIndexes while it is still suspended, they make the
// job controller create pods for the other indexes only, so a workload that
// reads JOB_COMPLETION_INDEX redoes exactly the shards that failed.
func carryCompletedIndexes(old, job *batchv1.Job) ([]string, error) {
	todo, err := failedIndexesToRun(old)
	if err != nil {
		return nil, err
	}
	completions := int(ptr.Deref(old.Spec.Completions, 0))
	var carried []int
	for i, next := 0, 0; i < completions; i++ {
		if next < len(todo) && todo[next] == i {
			next++
			continue
		}
		carried = append(carried, i)
	}
	job.Annotations = withEntries(job.Annotations, map[string]string{AnnotationCarriedIndexes: explain.FormatIndexes(carried)})
	return []string{fmt.Sprintf("runs indexes %s of %d under their own numbers; %s are marked completed (status.completedIndexes) before it starts",
		explain.FormatIndexes(todo), completions, orNoIndexes(explain.FormatIndexes(carried)))}, nil
}

// CarriedIndexes is what status.completedIndexes of a rerun must say before
// it starts ("" when nothing is carried over) and how many indexes that is.
func CarriedIndexes(job *batchv1.Job) (string, int32, error) {
	s := job.Annotations[AnnotationCarriedIndexes]
	set, err := explain.ParseIndexes(s)
	if err != nil {
		return "", 0, fmt.Errorf("annotation %s: %w", AnnotationCarriedIndexes, err)
	}
	return s, int32(set.Len()), nil
}

func orNoIndexes(s string) string {
	if s == "" {
		return "no indexes"
	}
	return "indexes " + s
}

// failedIndexesToRun is RerunIndexes, refusing a Job with nothing to rerun.
func failedIndexesToRun(old *batchv1.Job) ([]int, error) {
	todo, err := RerunIndexes(old)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return nil, fmt.Errorf("job %s has no failed indexes: every index in completedIndexes %q succeeded; rerun it without --failed-indexes-only to run it all again", old.Name, old.Status.CompletedIndexes)
	}
	return todo, nil
}

// restrictToFailedIndexes renumbers job to run only the old Job's unfinished
// indexes. The Job API cannot skip indexes, so index i of the rerun stands for
// old index todo[i]; the mapping is recorded in an annotation and in the
// KUBECTL_JOB_ORIGINAL_INDEXES variable of every container, so the workload
// (and the user) can see it.
func restrictToFailedIndexes(old, job *batchv1.Job) ([]string, error) {
	todo, err := failedIndexesToRun(old)
	if err != nil {
		return nil, err
	}
	k := int32(len(todo))
	mapping := explain.FormatIndexes(todo)
	plain := joinInts(todo)
	spec := &job.Spec
	spec.Completions = ptr.To(k)
	if spec.Parallelism != nil && *spec.Parallelism > k {
		spec.Parallelism = ptr.To(k)
	}
	if spec.MaxFailedIndexes != nil && *spec.MaxFailedIndexes > k {
		spec.MaxFailedIndexes = ptr.To(k)
	}
	var notes []string
	if spec.SuccessPolicy != nil {
		// Its rules name old indexes; carried over they would mean other work.
		spec.SuccessPolicy = nil
		notes = append(notes, "the successPolicy was dropped: its rules name indexes of the old Job")
	}
	job.Annotations = withEntries(job.Annotations, map[string]string{AnnotationOriginalIndexes: plain})
	spec.Template.Annotations = withEntries(spec.Template.Annotations, map[string]string{AnnotationOriginalIndexes: plain})
	for i := range spec.Template.Spec.Containers {
		c := &spec.Template.Spec.Containers[i]
		c.Env = withEnv(c.Env, []corev1.EnvVar{{Name: EnvOriginalIndexes, Value: plain}})
	}
	pairs := make([]string, len(todo))
	for i, v := range todo {
		pairs[i] = fmt.Sprintf("%d→%d", v, i)
	}
	notes = append(notes, fmt.Sprintf("--renumber: runs %d of %d indexes (%s) as indexes 0-%d (old→new: %s); a workload must map JOB_COMPLETION_INDEX through %s=%s (also annotation %s)",
		k, ptr.Deref(old.Spec.Completions, 0), mapping, k-1, strings.Join(pairs, ", "), EnvOriginalIndexes, plain, AnnotationOriginalIndexes))
	return notes, nil
}

func joinInts(idx []int) string {
	s := make([]string, len(idx))
	for i, v := range idx {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// without returns a copy of m without keys (nil when nothing is left).
func without(m map[string]string, keys []string) map[string]string {
	out := maps.Clone(m)
	for _, k := range keys {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
