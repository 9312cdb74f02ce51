// Package jobspec builds and checks batch/v1 Jobs from command-line knobs,
// files, CronJob templates and old Jobs (rerun). It is pure: no client, no
// clock. Every check runs before kubectl job sends a request, and every error
// names the rule, the field and the flag that sets it.
package jobspec

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Annotations kubectl job writes.
const (
	// AnnotationRerunOf records the Job a rerun was made from: "<ns>/<name>/<uid>".
	AnnotationRerunOf = explain.AnnotationRerunOf
	// AnnotationOriginalIndexes maps the completion indexes of a
	// --failed-indexes-only rerun to the indexes of the old Job: index i of the
	// rerun runs old index list[i].
	AnnotationOriginalIndexes = "kubectl-job.io/original-indexes"
	// EnvOriginalIndexes carries AnnotationOriginalIndexes into every container,
	// so a workload can map $JOB_COMPLETION_INDEX back to its original index.
	EnvOriginalIndexes = "KUBECTL_JOB_ORIGINAL_INDEXES"
	// AnnotationCarriedIndexes lists, on a --failed-indexes-only rerun, the
	// indexes that had already succeeded in the old Job: they are written into
	// the new Job's status.completedIndexes before it starts, so the job
	// controller runs only the others, under their original numbers.
	AnnotationCarriedIndexes = explain.AnnotationCarriedIndexes
	// AnnotationCronJobInstantiate marks a Job created by hand from a CronJob,
	// as kubectl create job --from does.
	AnnotationCronJobInstantiate = "cronjob.kubernetes.io/instantiate"
)

// maxNameLength is the longest Job name that works: the job controller puts
// the name into the batch.kubernetes.io/job-name label of the Job and its
// pods, and label values are at most 63 characters.
const maxNameLength = validation.LabelValueMaxLength

// Knobs are the Job settings that can be given on the command line. A nil
// pointer or empty value means "not given": keep the default, or the value of
// the CronJob template / old Job the new Job is made from.
type Knobs struct {
	// Image is the container image: "IMG" for a single container, or
	// "CONTAINER=IMG" to pick one of several.
	Image string
	// Command replaces the container's command (and clears its args): the
	// words after "--".
	Command []string

	BackoffLimit         *int32
	ActiveDeadline       *time.Duration
	TTL                  *time.Duration
	Parallelism          *int32
	Completions          *int32
	CompletionMode       *batchv1.CompletionMode
	BackoffLimitPerIndex *int32
	MaxFailedIndexes     *int32
	RestartPolicy        *corev1.RestartPolicy
	Suspend              *bool
	// Env entries are "NAME=VALUE"; they replace a variable of the same name.
	Env []string
	// Labels and Annotations go onto the Job and its pod template.
	Labels      map[string]string
	Annotations map[string]string
	// Requests and Limits are "cpu=500m,memory=1Gi".
	Requests         string
	Limits           string
	ServiceAccount   string
	PodFailurePolicy *batchv1.PodFailurePolicy
	// NodeSelector entries are added to the pod's nodeSelector.
	NodeSelector map[string]string
	// Tolerations are "KEY[=VALUE][:EFFECT]" (see ParseToleration), added to
	// the pod's tolerations.
	Tolerations []string
}

// Check validates the knobs on their own, before anything is read from the
// cluster: numbers, durations, names and formats. Rules that depend on the
// whole Job (for example backoffLimitPerIndex needs Indexed) are checked by
// Validate once the Job is built.
func (k *Knobs) Check() error {
	for _, n := range []struct {
		v    *int32
		flag string
	}{
		{k.BackoffLimit, "--backoff-limit"},
		{k.Parallelism, "--parallelism"},
		{k.Completions, "--completions"},
		{k.BackoffLimitPerIndex, "--backoff-limit-per-index"},
		{k.MaxFailedIndexes, "--max-failed-indexes"},
	} {
		if n.v != nil && *n.v < 0 {
			return fmt.Errorf("%s must not be negative, got %d", n.flag, *n.v)
		}
	}
	if _, err := deadlineSeconds(k.ActiveDeadline); err != nil {
		return err
	}
	if _, err := ttlSeconds(k.TTL); err != nil {
		return err
	}
	if k.CompletionMode != nil {
		if err := checkCompletionMode(*k.CompletionMode); err != nil {
			return err
		}
	}
	if k.RestartPolicy != nil {
		if err := checkRestartPolicy(*k.RestartPolicy, "--restart"); err != nil {
			return err
		}
	}
	if k.Image != "" {
		if _, _, err := splitImage(k.Image); err != nil {
			return err
		}
	}
	if _, err := ParseEnv(k.Env); err != nil {
		return err
	}
	if err := checkLabels(k.Labels, "--labels"); err != nil {
		return err
	}
	if err := checkLabels(k.NodeSelector, "--node-selector"); err != nil {
		return err
	}
	for _, t := range k.Tolerations {
		if _, err := ParseToleration(t); err != nil {
			return err
		}
	}
	if err := checkAnnotations(k.Annotations); err != nil {
		return err
	}
	req, err := ParseResources(k.Requests, "--requests")
	if err != nil {
		return err
	}
	lim, err := ParseResources(k.Limits, "--limits")
	if err != nil {
		return err
	}
	if err := checkRequestsWithinLimits(req, lim); err != nil {
		return err
	}
	if k.ServiceAccount != "" {
		if errs := validation.IsDNS1123Subdomain(k.ServiceAccount); len(errs) > 0 {
			return fmt.Errorf("--service-account %q is not a valid service account name: %s", k.ServiceAccount, strings.Join(errs, "; "))
		}
	}
	return nil
}

// New builds a Job that runs image (Knobs.Image, required) with the knobs,
// the way kubectl create job does (one container named after the Job,
// restartPolicy Never unless --restart says otherwise), and validates it.
func New(name string, k Knobs) (*batchv1.Job, error) {
	if k.Image == "" {
		return nil, fmt.Errorf("--image is required: the image the Job's container runs (or use --from=cronjob/NAME or -f FILE)")
	}
	if _, ctr, _ := splitImage(k.Image); ctr != "" {
		return nil, fmt.Errorf("--image=%s names a container, but a new Job has one container named %q: use --image=IMAGE", k.Image, name)
	}
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{
					Containers:    []corev1.Container{{Name: name}},
					RestartPolicy: corev1.RestartPolicyNever,
				},
			},
		},
	}
	if err := Apply(job, k); err != nil {
		return nil, err
	}
	// From flags, an Indexed Job without --completions is a mistake rather
	// than a wish for one index (the API server would default it to 1).
	if ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion && job.Spec.Completions == nil {
		return nil, errIndexedNeedsCompletions
	}
	return job, Validate(job)
}

// FromCronJob builds a Job from a CronJob's jobTemplate, as kubectl create
// job --from=cronjob/NAME does (owned by the CronJob, annotated as a manual
// run), then applies the knobs as overrides and validates the result.
func FromCronJob(name string, cj *batchv1.CronJob, k Knobs) (*batchv1.Job, error) {
	annotations := map[string]string{AnnotationCronJobInstantiate: "manual"}
	maps.Copy(annotations, cj.Spec.JobTemplate.Annotations)
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   cj.Namespace,
			Labels:      maps.Clone(cj.Spec.JobTemplate.Labels),
			Annotations: annotations,
			// Not metav1.NewControllerRef: BlockOwnerDeletion would need the
			// cronjobs/finalizers permission (kubectl makes the same choice).
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: batchv1.SchemeGroupVersion.String(),
				Kind:       "CronJob",
				Name:       cj.Name,
				UID:        cj.UID,
				Controller: ptr.To(true),
			}},
		},
		Spec: *cj.Spec.JobTemplate.Spec.DeepCopy(),
	}
	if err := Apply(job, k); err != nil {
		return nil, err
	}
	return job, Validate(job)
}

// Apply writes the knobs given into job, overriding what it had. Command,
// image, requests and limits apply to the one container a Job usually has;
// with several containers the image must name its container and a command
// or resources cannot be applied. Env applies to every container.
func Apply(job *batchv1.Job, k Knobs) error {
	if err := k.Check(); err != nil {
		return err
	}
	spec := &job.Spec
	pod := &spec.Template.Spec
	if k.BackoffLimit != nil {
		spec.BackoffLimit = ptr.To(*k.BackoffLimit)
	}
	if k.ActiveDeadline != nil {
		s, _ := deadlineSeconds(k.ActiveDeadline)
		spec.ActiveDeadlineSeconds = s
	}
	if k.TTL != nil {
		s, _ := ttlSeconds(k.TTL)
		spec.TTLSecondsAfterFinished = s
	}
	if k.Parallelism != nil {
		spec.Parallelism = ptr.To(*k.Parallelism)
	}
	if k.Completions != nil {
		spec.Completions = ptr.To(*k.Completions)
	}
	if k.CompletionMode != nil {
		spec.CompletionMode = ptr.To(*k.CompletionMode)
	}
	if k.BackoffLimitPerIndex != nil {
		spec.BackoffLimitPerIndex = ptr.To(*k.BackoffLimitPerIndex)
	}
	if k.MaxFailedIndexes != nil {
		spec.MaxFailedIndexes = ptr.To(*k.MaxFailedIndexes)
	}
	if k.RestartPolicy != nil {
		pod.RestartPolicy = *k.RestartPolicy
	}
	if k.Suspend != nil {
		spec.Suspend = ptr.To(*k.Suspend)
	}
	if k.PodFailurePolicy != nil {
		spec.PodFailurePolicy = k.PodFailurePolicy.DeepCopy()
	}
	if k.ServiceAccount != "" {
		pod.ServiceAccountName = k.ServiceAccount
	}
	if len(k.NodeSelector) > 0 {
		pod.NodeSelector = withEntries(pod.NodeSelector, k.NodeSelector)
	}
	for _, text := range k.Tolerations {
		t, err := ParseToleration(text)
		if err != nil {
			return err
		}
		if !slices.Contains(pod.Tolerations, t) {
			pod.Tolerations = append(pod.Tolerations, t)
		}
	}
	if len(k.Labels) > 0 {
		job.Labels = withEntries(job.Labels, k.Labels)
		spec.Template.Labels = withEntries(spec.Template.Labels, k.Labels)
	}
	if len(k.Annotations) > 0 {
		job.Annotations = withEntries(job.Annotations, k.Annotations)
		spec.Template.Annotations = withEntries(spec.Template.Annotations, k.Annotations)
	}

	if k.Image != "" {
		image, ctrName, _ := splitImage(k.Image)
		c, err := pickContainer(pod, ctrName, "--image")
		if err != nil {
			return err
		}
		c.Image = image
	}
	if len(k.Command) > 0 {
		c, err := pickContainer(pod, "", "a command after --")
		if err != nil {
			return err
		}
		c.Command = slices.Clone(k.Command)
		// The command replaces the whole invocation, as in kubectl run --command.
		c.Args = nil
	}
	if k.Requests != "" || k.Limits != "" {
		c, err := pickContainer(pod, "", "--requests/--limits")
		if err != nil {
			return err
		}
		req, _ := ParseResources(k.Requests, "--requests")
		lim, _ := ParseResources(k.Limits, "--limits")
		if len(req) > 0 {
			c.Resources.Requests = withResources(c.Resources.Requests, req)
		}
		if len(lim) > 0 {
			c.Resources.Limits = withResources(c.Resources.Limits, lim)
		}
	}
	env, _ := ParseEnv(k.Env)
	for i := range pod.Containers {
		pod.Containers[i].Env = withEnv(pod.Containers[i].Env, env)
	}
	return nil
}

// pickContainer returns the container a container-level override applies to:
// the named one, or the only one.
func pickContainer(pod *corev1.PodSpec, name, what string) (*corev1.Container, error) {
	var names []string
	for i := range pod.Containers {
		if name != "" && pod.Containers[i].Name == name {
			return &pod.Containers[i], nil
		}
		names = append(names, pod.Containers[i].Name)
	}
	switch {
	case name != "":
		return nil, fmt.Errorf("%s names container %q, but the pod template has %s", what, name, containerList(names))
	case len(pod.Containers) == 1:
		return &pod.Containers[0], nil
	case len(pod.Containers) == 0:
		return nil, fmt.Errorf("the pod template has no containers")
	case what == "--image":
		return nil, fmt.Errorf("the pod template has %s: use --image=CONTAINER=IMAGE to say which one", containerList(names))
	default:
		return nil, fmt.Errorf("%s cannot be applied: the pod template has %s and it would be ambiguous; edit the Job and use -f", what, containerList(names))
	}
}

func containerList(names []string) string {
	if len(names) == 0 {
		return "no containers"
	}
	return fmt.Sprintf("%s (%s)", explain.Plural(len(names), "container", "containers"), strings.Join(names, ", "))
}

// splitImage splits "CONTAINER=IMAGE" (image references never contain "=").
func splitImage(s string) (image, container string, err error) {
	ctr, img, found := strings.Cut(s, "=")
	if !found {
		return s, "", nil
	}
	if ctr == "" || img == "" {
		return "", "", fmt.Errorf("--image=%s: expected IMAGE or CONTAINER=IMAGE", s)
	}
	return img, ctr, nil
}

func withEntries(dst, src map[string]string) map[string]string {
	if dst == nil {
		dst = make(map[string]string, len(src))
	}
	maps.Copy(dst, src)
	return dst
}

func withResources(dst, src corev1.ResourceList) corev1.ResourceList {
	if dst == nil {
		dst = corev1.ResourceList{}
	}
	maps.Copy(dst, src)
	return dst
}

// withEnv sets each variable of add in env, in place when it exists (so
// references to it from later variables keep working), appended otherwise.
func withEnv(env, add []corev1.EnvVar) []corev1.EnvVar {
	for _, a := range add {
		i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == a.Name })
		if i >= 0 {
			env[i] = a
			continue
		}
		env = append(env, a)
	}
	return env
}

// deadlineSeconds converts --active-deadline to activeDeadlineSeconds.
func deadlineSeconds(d *time.Duration) (*int64, error) {
	if d == nil {
		return nil, nil
	}
	if *d < time.Second {
		return nil, fmt.Errorf("--active-deadline must be at least 1s, got %s: the controller fails the Job once it has been active this long", *d)
	}
	if *d%time.Second != 0 {
		return nil, fmt.Errorf("--active-deadline must be whole seconds, got %s: activeDeadlineSeconds is an integer", *d)
	}
	return ptr.To(int64(*d / time.Second)), nil
}

// ttlSeconds converts --ttl to ttlSecondsAfterFinished (0 is allowed: delete
// as soon as the Job finishes).
func ttlSeconds(d *time.Duration) (*int32, error) {
	if d == nil {
		return nil, nil
	}
	if *d < 0 {
		return nil, fmt.Errorf("--ttl must not be negative, got %s", *d)
	}
	if *d%time.Second != 0 {
		return nil, fmt.Errorf("--ttl must be whole seconds, got %s: ttlSecondsAfterFinished is an integer", *d)
	}
	if *d/time.Second > 1<<31-1 {
		return nil, fmt.Errorf("--ttl %s is too long: ttlSecondsAfterFinished is a 32-bit number of seconds", *d)
	}
	return ptr.To(int32(*d / time.Second)), nil
}

func checkCompletionMode(m batchv1.CompletionMode) error {
	if m != batchv1.NonIndexedCompletion && m != batchv1.IndexedCompletion {
		return fmt.Errorf("--completion-mode must be NonIndexed or Indexed, got %q", m)
	}
	return nil
}

func checkRestartPolicy(p corev1.RestartPolicy, where string) error {
	switch p {
	case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
		return nil
	case corev1.RestartPolicyAlways:
		return fmt.Errorf("%s is Always: a Job's pods must end: use --restart=Never or --restart=OnFailure", where)
	case "":
		return fmt.Errorf("%s is unset, so it defaults to Always: a Job's pods must end: use --restart=Never or --restart=OnFailure", where)
	default:
		return fmt.Errorf("%s must be Never or OnFailure, got %q", where, p)
	}
}

func checkLabels(labels map[string]string, flag string) error {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("%s: invalid key %q: %s", flag, k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(labels[k]); len(errs) > 0 {
			return fmt.Errorf("%s: invalid value %q for %s: %s", flag, labels[k], k, strings.Join(errs, "; "))
		}
	}
	return nil
}

// ParseToleration parses a --toleration: "KEY=VALUE:EFFECT" tolerates that
// taint, "KEY:EFFECT" any value of KEY, "KEY=VALUE" or "KEY" every effect
// (the forms of kubectl taint, read the other way round).
func ParseToleration(s string) (corev1.Toleration, error) {
	rest, effect, hasEffect := strings.Cut(s, ":")
	key, value, hasValue := strings.Cut(rest, "=")
	t := corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists}
	if hasValue {
		t.Operator, t.Value = corev1.TolerationOpEqual, value
	}
	if hasEffect {
		t.Effect = corev1.TaintEffect(effect)
		switch t.Effect {
		case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			return t, fmt.Errorf("--toleration %q: effect %q is not NoSchedule, PreferNoSchedule or NoExecute", s, effect)
		}
	}
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return t, fmt.Errorf("--toleration %q: want KEY[=VALUE][:EFFECT], and %q is not a taint key: %s", s, key, strings.Join(errs, "; "))
	}
	if errs := validation.IsValidLabelValue(value); hasValue && len(errs) > 0 {
		return t, fmt.Errorf("--toleration %q: invalid value %q: %s", s, value, strings.Join(errs, "; "))
	}
	return t, nil
}

func checkAnnotations(annotations map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
			return fmt.Errorf("--annotations: invalid key %q: %s", k, strings.Join(errs, "; "))
		}
	}
	return nil
}

// SetLastApplied records job, as JSON without this annotation, in the
// kubectl.kubernetes.io/last-applied-configuration annotation, so a later
// kubectl apply can diff against it: always with save (--save-config),
// otherwise only to refresh an annotation the manifest already carries.
func SetLastApplied(job *batchv1.Job, save bool) error {
	_, had := job.Annotations[corev1.LastAppliedConfigAnnotation]
	if !save && !had {
		return nil
	}
	bare := job.DeepCopy()
	delete(bare.Annotations, corev1.LastAppliedConfigAnnotation)
	if len(bare.Annotations) == 0 {
		bare.Annotations = nil
	}
	bare.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("Job"))
	data, err := json.Marshal(bare)
	if err != nil {
		return fmt.Errorf("cannot record the last applied configuration: %w", err)
	}
	if job.Annotations == nil {
		job.Annotations = map[string]string{}
	}
	// kubectl's encoder ends the JSON with a newline; keep the same bytes.
	job.Annotations[corev1.LastAppliedConfigAnnotation] = string(data) + "\n"
	return nil
}
