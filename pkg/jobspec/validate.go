package jobspec

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
)

// errIndexedNeedsCompletions explains why an Indexed Job needs completions.
var errIndexedNeedsCompletions = fmt.Errorf("an Indexed Job needs completions: its pods are numbered 0 to completions-1; add --completions=N")

// Validate checks the rules the API server and the job controller apply to a
// new Job, so a bad Job is refused before any request, with the rule
// explained and the flag that fixes it. It returns the first problem found.
// The server remains the authority: what is not checked here (the full pod
// spec, podFailurePolicy rule details) is left to it, and --dry-run=server
// shows its verdict.
func Validate(job *batchv1.Job) error {
	if err := ValidateName(job.Name, job.GenerateName != ""); err != nil {
		return err
	}
	spec := &job.Spec
	pod := &spec.Template.Spec
	indexed := ptr.Deref(spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion

	if err := checkRestartPolicy(pod.RestartPolicy, "restartPolicy (--restart)"); err != nil {
		return err
	}
	for _, n := range []struct {
		v     *int32
		field string
		flag  string
	}{
		{spec.BackoffLimit, "backoffLimit", "--backoff-limit"},
		{spec.Parallelism, "parallelism", "--parallelism"},
		{spec.Completions, "completions", "--completions"},
		{spec.BackoffLimitPerIndex, "backoffLimitPerIndex", "--backoff-limit-per-index"},
		{spec.MaxFailedIndexes, "maxFailedIndexes", "--max-failed-indexes"},
		{spec.TTLSecondsAfterFinished, "ttlSecondsAfterFinished", "--ttl"},
	} {
		if n.v != nil && *n.v < 0 {
			return fmt.Errorf("spec.%s (%s) must not be negative, got %d", n.field, n.flag, *n.v)
		}
	}
	// Like the API server: 0 is accepted (the Job fails at once); the
	// --active-deadline flag itself asks for at least 1s.
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds < 0 {
		return fmt.Errorf("spec.activeDeadlineSeconds (--active-deadline) must not be negative, got %d", *spec.ActiveDeadlineSeconds)
	}
	if spec.CompletionMode != nil {
		if err := checkCompletionMode(*spec.CompletionMode); err != nil {
			return err
		}
	}
	if indexed {
		// With neither set the API server defaults both to 1; with only
		// parallelism it refuses, as here.
		if spec.Completions == nil && spec.Parallelism != nil {
			return errIndexedNeedsCompletions
		}
		// Neither set: the API server defaults completions to 1.
		if c := ptr.Deref(spec.Completions, 1); c > 0 && job.Name != "" {
			// The controller names pod hostnames NAME-INDEX, which must be a DNS label.
			if errs := validation.IsDNS1123Label(fmt.Sprintf("%s-%d", job.Name, c-1)); len(errs) > 0 {
				return fmt.Errorf("job name %q cannot be used for an Indexed Job with %d completions: pod hostnames %s-0..%s-%d must be DNS labels (at most 63 characters, no dots)", job.Name, c, job.Name, job.Name, c-1)
			}
		}
	}
	if spec.BackoffLimitPerIndex != nil && !indexed {
		return fmt.Errorf("backoffLimitPerIndex (--backoff-limit-per-index) needs completionMode Indexed: it counts failures per completion index; add --completion-mode=Indexed --completions=N")
	}
	if spec.MaxFailedIndexes != nil {
		if spec.BackoffLimitPerIndex == nil {
			return fmt.Errorf("maxFailedIndexes (--max-failed-indexes) needs backoffLimitPerIndex: an index only fails once it used up its per-index budget; add --backoff-limit-per-index=N")
		}
		if spec.Completions != nil && *spec.MaxFailedIndexes > *spec.Completions {
			return fmt.Errorf("maxFailedIndexes (--max-failed-indexes) %d is more than completions %d: a Job cannot have more failed indexes than indexes", *spec.MaxFailedIndexes, *spec.Completions)
		}
	}
	if spec.SuccessPolicy != nil && !indexed {
		return fmt.Errorf("successPolicy needs completionMode Indexed: its rules name completion indexes; add --completion-mode=Indexed --completions=N")
	}
	if pfp := spec.PodFailurePolicy; pfp != nil {
		if pod.RestartPolicy != corev1.RestartPolicyNever {
			return fmt.Errorf("a pod failure policy (--pod-failure-policy) needs restartPolicy Never: with %s the kubelet restarts failed containers in place, so no pod fails for a rule to match; use --restart=Never", pod.RestartPolicy)
		}
		for i, r := range pfp.Rules {
			switch r.Action {
			case batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount:
			case batchv1.PodFailurePolicyActionFailIndex:
				if spec.BackoffLimitPerIndex == nil {
					return fmt.Errorf("podFailurePolicy.rules[%d] has action FailIndex, which needs backoffLimitPerIndex: add --backoff-limit-per-index=N (and --completion-mode=Indexed)", i)
				}
			default:
				return fmt.Errorf("podFailurePolicy.rules[%d] has action %q: use FailJob, FailIndex, Ignore or Count", i, r.Action)
			}
		}
		if p := spec.PodReplacementPolicy; p != nil && *p != batchv1.Failed {
			return fmt.Errorf("podReplacementPolicy %s cannot be used with a pod failure policy: the policy must see each pod's final state before a replacement starts; use Failed or leave it unset", *p)
		}
	}
	if len(pod.Containers) == 0 {
		return fmt.Errorf("the pod template has no containers: a Job needs at least one")
	}
	for _, c := range pod.Containers {
		if c.Image == "" {
			return fmt.Errorf("container %q has no image: set one with --image", c.Name)
		}
	}
	return nil
}

// ValidateName checks a Job name (or, with prefix, a generateName prefix): a
// DNS-1123 subdomain of at most 63 characters, because the job controller
// copies the name into the batch.kubernetes.io/job-name label.
func ValidateName(name string, prefix bool) error {
	if prefix {
		return nil // the API server checks the generated name; prefixes are built by us
	}
	if name == "" {
		return fmt.Errorf("a Job needs a name: kubectl job create NAME --image=IMAGE")
	}
	var problems []string
	if len(name) > maxNameLength {
		problems = append(problems, fmt.Sprintf("must be no more than %d characters (it becomes the batch.kubernetes.io/job-name label value)", maxNameLength))
	}
	problems = append(problems, validation.IsDNS1123Subdomain(name)...)
	if len(problems) > 0 {
		return fmt.Errorf("invalid Job name %q: %s", name, strings.Join(problems, "; "))
	}
	return nil
}
