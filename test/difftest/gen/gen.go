// Package gen generates random Job specs and pod fates for the differential
// test (issue 11): the real job controller runs each Job and the test checks
// that `kubectl job explain` agreed with it. Generation is pure and seeded:
// case n of seed s is the same whatever the number of cases, so a failing
// case is reproduced with DIFFTEST_SEED=s alone.
package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Simulation annotations (README "Simulated pods"): they choose each pod's fate.
const (
	SimOutcome     = "sim.kubectl-job.io/outcome"
	SimDuration    = "sim.kubectl-job.io/duration"
	SimExitCode    = "sim.kubectl-job.io/exit-code"
	SimFailIndexes = "sim.kubectl-job.io/fail-indexes"
	SimRestarts    = "sim.kubectl-job.io/restarts"
	SimContainer   = "sim.kubectl-job.io/container"
)

// Features a case exercises, the rows of docs/accuracy.md.
const (
	FeatNonIndexed        = "NonIndexed"
	FeatIndexed           = "Indexed"
	FeatCompletionsUnset  = "completions unset"
	FeatParallel          = "parallelism > 1"
	FeatNever             = "restartPolicy Never"
	FeatOnFailure         = "restartPolicy OnFailure"
	FeatBackoffLimit      = "backoffLimit 0-3"
	FeatPerIndex          = "backoffLimitPerIndex"
	FeatMaxFailedIndexes  = "maxFailedIndexes"
	FeatPFPFailJob        = "podFailurePolicy FailJob"
	FeatPFPFailIndex      = "podFailurePolicy FailIndex"
	FeatPFPIgnore         = "podFailurePolicy Ignore"
	FeatPFPCount          = "podFailurePolicy Count"
	FeatPFPContainer      = "podFailurePolicy containerName"
	FeatPFPPodCondition   = "podFailurePolicy onPodConditions"
	FeatSuccessPolicy     = "successPolicy"
	FeatDeadline          = "activeDeadlineSeconds"
	FeatTTL               = "ttlSecondsAfterFinished"
	FeatSuspendResume     = "suspend then resume"
	FeatTwoContainers     = "two containers"
	FeatFailingPods       = "failing pods"
	FeatRestartsInPlace   = "container restarts (OnFailure)"
	FeatFailIndexes       = "fail-indexes"
	FeatRunningUntilEnded = "pods that never end"
	FeatAcceptedEdge      = "edge spec the API server accepts"
)

// Live fates: cluster conditions the harness sets up around a Job so that its
// pods cannot start, fail from outside, or take long to terminate.
const (
	// LiveUnschedulable: a nodeSelector no node matches.
	LiveUnschedulable = "live: unschedulable"
	// LiveImagePull: pods stay Pending in ImagePullBackOff.
	LiveImagePull = "live: image pull error"
	// LiveQuota: a ResourceQuota of 0 pods blocks pod creation (FailedCreate)
	// until the harness lifts it, QuotaFor after the first FailedCreate.
	LiveQuota = "live: quota (FailedCreate)"
	// LiveEvict: the harness evicts the first running pod through the
	// Eviction API (DisruptionTarget), matched by an onPodConditions rule.
	LiveEvict = "live: eviction"
	// LiveNodeDelete: the pods run on a KWOK node of their own, which the
	// harness deletes once a pod runs (pod GC, DisruptionTarget).
	LiveNodeDelete = "live: deleted node"
	// LiveSlowTerminate: the harness plays the kubelet (outcome external):
	// pods run, and a deleted pod takes SlowTerminate to end.
	LiveSlowTerminate = "live: slow-terminating pods"
)

// LiveOrder is the order of the live fates in the report.
var LiveOrder = []string{LiveUnschedulable, LiveImagePull, LiveQuota, LiveEvict, LiveNodeDelete, LiveSlowTerminate}

// SlowTerminate is how long a deleted pod of LiveSlowTerminate takes to end.
const SlowTerminate = 3 * time.Second

// NodeLabel selects the KWOK node of a LiveNodeDelete case (value: the namespace).
const NodeLabel = "kubectl-job.io/difftest-node"

// FeatureOrder is the order of the feature rows in the report.
var FeatureOrder = []string{FeatNonIndexed, FeatIndexed, FeatCompletionsUnset, FeatParallel, FeatNever, FeatOnFailure,
	FeatBackoffLimit, FeatPerIndex, FeatMaxFailedIndexes, FeatPFPFailJob, FeatPFPFailIndex, FeatPFPIgnore, FeatPFPCount,
	FeatPFPContainer, FeatPFPPodCondition, FeatSuccessPolicy, FeatDeadline, FeatTTL, FeatSuspendResume, FeatTwoContainers,
	FeatFailingPods, FeatRestartsInPlace, FeatFailIndexes, FeatRunningUntilEnded, FeatAcceptedEdge}

// Case is one generated Job with its pods' fates (in the template's
// annotations) and how to drive it.
type Case struct {
	Seed  uint64
	Index int
	// Job has no namespace; the runner sets one per case.
	Job *batchv1.Job
	// ResumeAfter > 0: the Job is created suspended and resumed after this long.
	ResumeAfter time.Duration
	Features    []string
	// Live is one of the Live* fates, or empty.
	Live string `json:",omitempty"`
	// SuccessIndex, for LiveSlowTerminate: the index whose pod the harness
	// makes succeed (-1: none, every pod runs until deleted).
	SuccessIndex int `json:",omitempty"`
	// StockBackoff: the case runs on the cluster with the stock 10 s
	// pod-failure backoff, where nextRetryAt is compared with the replacement.
	StockBackoff bool `json:",omitempty"`
}

// Name is the case's id: <seed>-<index>, also the fixture's file name.
func (c Case) Name() string { return fmt.Sprintf("%d-%d", c.Seed, c.Index) }

// Has reports whether the case exercises feature f.
func (c Case) Has(f string) bool { return slices.Contains(c.Features, f) }

// Invalid is a Job the API server rejects, and why. Specs it accepts, however
// odd, are normal cases (acceptedEdge).
type Invalid struct {
	Seed  uint64
	Index int
	Kind  string // short id of the broken rule
	Why   string
	Job   *batchv1.Job
}

// Name is the invalid case's id: <seed>-invalid-<index>.
func (c Invalid) Name() string { return fmt.Sprintf("%d-invalid-%d", c.Seed, c.Index) }

var exitCodes = []int32{1, 2, 3, 42, 137}

type builder struct {
	r        *rand.Rand
	job      *batchv1.Job
	features []string
}

func (b *builder) feat(f string) {
	if !slices.Contains(b.features, f) {
		b.features = append(b.features, f)
	}
}

func (b *builder) chance(p float64) bool { return b.r.Float64() < p }

func (b *builder) between(lo, hi int) int { return lo + b.r.IntN(hi-lo+1) }

func (b *builder) duration() string {
	return fmt.Sprintf("%dms", 100*b.between(2, 20)) // 200ms-2s
}

func (b *builder) exitCode() int32 { return exitCodes[b.r.IntN(len(exitCodes))] }

func rng(seed uint64, index int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(index)<<8|salt))
}

func baseJob(name string) *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubectl-job.io/difftest": "true"}},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "main", Image: "busybox", Command: []string{"sh", "-c", "true"}}},
				},
			},
		},
	}
}

// Generate returns case index of seed: a valid Job whose pods' fates are set.
// Every Job ends by itself within about 20s: a fate that could run forever
// (pods that never end, an Ignore rule matching every failure, OnFailure
// containers restarting without a limit) gets an activeDeadlineSeconds.
func Generate(seed uint64, index int) Case {
	b := &builder{r: rng(seed, index, 1), job: baseJob(fmt.Sprintf("dt-%d", index))}
	switch f := b.r.IntN(100); {
	case f < 24:
		return b.live(seed, index, LiveOrder[f%len(LiveOrder)])
	case f < 27:
		return b.acceptedEdge(seed, index)
	}
	j := b.job
	spec := &j.Spec
	tmpl := &spec.Template
	ann := tmpl.Annotations

	indexed := b.chance(0.5)
	onFailure := b.chance(0.25)
	if onFailure {
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		b.feat(FeatOnFailure)
	} else {
		b.feat(FeatNever)
	}
	twoContainers := !onFailure && b.chance(0.3)
	if twoContainers {
		tmpl.Spec.Containers = append(tmpl.Spec.Containers, corev1.Container{Name: "side", Image: "busybox", Command: []string{"sh", "-c", "true"}})
		b.feat(FeatTwoContainers)
	}
	ann[SimDuration] = b.duration()

	// Size.
	var completions int32
	if indexed {
		b.feat(FeatIndexed)
		spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		completions = int32(b.between(1, 4))
		spec.Completions = ptr.To(completions)
	} else {
		b.feat(FeatNonIndexed)
		if b.chance(0.25) {
			b.feat(FeatCompletionsUnset)
		} else {
			completions = int32(b.between(1, 4))
			spec.Completions = ptr.To(completions)
		}
	}
	if b.chance(0.6) {
		spec.Parallelism = ptr.To(int32(b.between(1, 3)))
		if *spec.Parallelism > 1 {
			b.feat(FeatParallel)
		}
	}

	// Failure limits.
	perIndex := indexed && !onFailure && b.chance(0.5)
	if perIndex {
		b.feat(FeatPerIndex)
		spec.BackoffLimitPerIndex = ptr.To(int32(b.between(0, 2)))
		if b.chance(0.5) {
			b.feat(FeatMaxFailedIndexes)
			spec.MaxFailedIndexes = ptr.To(int32(b.between(0, int(completions))))
		}
		if b.chance(0.3) {
			spec.BackoffLimit = ptr.To(int32(b.between(0, 3)))
			b.feat(FeatBackoffLimit)
		}
	} else {
		spec.BackoffLimit = ptr.To(int32(b.between(0, 3)))
		b.feat(FeatBackoffLimit)
	}

	// Fates.
	mayRunForever := false
	failCode := b.exitCode()
	switch f := b.r.IntN(10); {
	case f < 3: // every pod succeeds
	case f < 7: // pods fail
		b.feat(FeatFailingPods)
		ann[SimExitCode] = strconv.Itoa(int(failCode))
		if indexed && completions > 1 && b.chance(0.6) {
			b.feat(FeatFailIndexes)
			ann[SimFailIndexes] = b.indexSet(int(completions))
		} else {
			ann[SimOutcome] = "fail"
		}
		if onFailure {
			mayRunForever = true // restarts in place until backoffLimit, or forever with a deadline
		}
	case f < 9: // OnFailure: restarts in place then succeeds; Never: pods succeed
		if onFailure {
			b.feat(FeatRestartsInPlace)
			ann[SimRestarts] = strconv.Itoa(b.between(1, 3))
			ann[SimExitCode] = strconv.Itoa(int(failCode))
		}
	default: // pods run until deleted: only a deadline ends the Job
		b.feat(FeatRunningUntilEnded)
		ann[SimOutcome] = "run"
		mayRunForever = true
	}
	if twoContainers && ann[SimExitCode] != "" && b.chance(0.5) {
		ann[SimContainer] = []string{"main", "side"}[b.r.IntN(2)]
	}

	// podFailurePolicy (Never only).
	if !onFailure && b.chance(0.45) {
		pfp := &batchv1.PodFailurePolicy{}
		for range b.between(1, 3) {
			rule := batchv1.PodFailurePolicyRule{}
			actions := []batchv1.PodFailurePolicyAction{batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount}
			if perIndex {
				actions = append(actions, batchv1.PodFailurePolicyActionFailIndex)
			}
			rule.Action = actions[b.r.IntN(len(actions))]
			if b.chance(0.15) {
				b.feat(FeatPFPPodCondition)
				rule.OnPodConditions = []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}
			} else {
				codes := map[int32]bool{}
				if b.chance(0.6) {
					codes[failCode] = true // likely to match
				}
				for range b.between(0, 2) {
					codes[b.exitCode()] = true
				}
				if len(codes) == 0 {
					codes[b.exitCode()] = true
				}
				values := make([]int32, 0, len(codes))
				for c := range codes {
					values = append(values, c)
				}
				slices.Sort(values)
				op := batchv1.PodFailurePolicyOnExitCodesOpIn
				if b.chance(0.25) {
					op = batchv1.PodFailurePolicyOnExitCodesOpNotIn
				}
				rule.OnExitCodes = &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: op, Values: values}
				if len(tmpl.Spec.Containers) > 1 && b.chance(0.5) {
					b.feat(FeatPFPContainer)
					rule.OnExitCodes.ContainerName = ptr.To(tmpl.Spec.Containers[b.r.IntN(len(tmpl.Spec.Containers))].Name)
				}
			}
			switch rule.Action {
			case batchv1.PodFailurePolicyActionFailJob:
				b.feat(FeatPFPFailJob)
			case batchv1.PodFailurePolicyActionFailIndex:
				b.feat(FeatPFPFailIndex)
			case batchv1.PodFailurePolicyActionIgnore:
				b.feat(FeatPFPIgnore)
				mayRunForever = true // ignored failures are replaced without limit
			case batchv1.PodFailurePolicyActionCount:
				b.feat(FeatPFPCount)
			}
			pfp.Rules = append(pfp.Rules, rule)
		}
		spec.PodFailurePolicy = pfp
	}

	// successPolicy (Indexed only).
	if indexed && completions > 1 && b.chance(0.35) {
		b.feat(FeatSuccessPolicy)
		sp := &batchv1.SuccessPolicy{}
		for range b.between(1, 2) {
			var rule batchv1.SuccessPolicyRule
			if b.chance(0.6) {
				set := b.indexSet(int(completions))
				rule.SucceededIndexes = ptr.To(set)
				if b.chance(0.4) {
					rule.SucceededCount = ptr.To(int32(b.between(1, countIndexes(set))))
				}
			} else {
				rule.SucceededCount = ptr.To(int32(b.between(1, int(completions))))
			}
			sp.Rules = append(sp.Rules, rule)
		}
		spec.SuccessPolicy = sp
	}

	// Clocks.
	if mayRunForever || b.chance(0.4) {
		b.feat(FeatDeadline)
		spec.ActiveDeadlineSeconds = ptr.To(int64(b.between(3, 8)))
	}
	if b.chance(0.5) {
		b.feat(FeatTTL)
		spec.TTLSecondsAfterFinished = ptr.To(int32(b.between(2, 5)))
	}
	var resume time.Duration
	if b.chance(0.2) {
		b.feat(FeatSuspendResume)
		spec.Suspend = ptr.To(true)
		resume = time.Duration(b.between(10, 20)) * 100 * time.Millisecond
	}
	return Case{Seed: seed, Index: index, Job: j, ResumeAfter: resume, Features: b.sorted(), SuccessIndex: -1}
}

// live builds a case with a live fate: a small Job whose pods the cluster
// (or the harness) keeps from running normally, ended by a deadline.
func (b *builder) live(seed uint64, index int, kind string) Case {
	j := b.job
	spec := &j.Spec
	tmpl := &spec.Template
	ann := tmpl.Annotations
	ann[SimDuration] = b.duration()
	spec.BackoffLimit = ptr.To(int32(b.between(0, 2)))
	spec.ActiveDeadlineSeconds = ptr.To(int64(b.between(5, 8)))
	c := Case{Seed: seed, Index: index, Job: j, Live: kind, SuccessIndex: -1}
	switch kind {
	case LiveUnschedulable:
		tmpl.Spec.NodeSelector = map[string]string{"kubectl-job.io/no-such-node": "true"}
	case LiveImagePull:
		ann[SimOutcome] = "image-pull-error"
	case LiveQuota:
		if b.chance(0.5) {
			ann[SimOutcome] = "fail"
		}
		spec.ActiveDeadlineSeconds = ptr.To(int64(12))
	case LiveEvict, LiveNodeDelete:
		ann[SimOutcome] = "run"
		spec.Parallelism = ptr.To(int32(b.between(1, 2)))
		action := []batchv1.PodFailurePolicyAction{batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyActionCount}[b.r.IntN(3)]
		spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: action,
			OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}}}}
		b.feat(FeatPFPPodCondition)
		if kind == LiveNodeDelete {
			tmpl.Spec.NodeSelector = map[string]string{NodeLabel: "set-by-the-harness"}
			// Pods on a missing node end only when the pod GC removes them (about 40s).
			spec.ActiveDeadlineSeconds = ptr.To(int64(10))
		}
	case LiveSlowTerminate:
		ann[SimOutcome] = "external"
		if b.chance(0.5) {
			spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
			spec.Completions, spec.Parallelism = ptr.To(int32(2)), ptr.To(int32(2))
			spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr.To("0")}}}
			c.SuccessIndex = 0
			b.feat(FeatSuccessPolicy)
			b.feat(FeatIndexed)
		}
	}
	if b.chance(0.4) {
		spec.TTLSecondsAfterFinished = ptr.To(int32(b.between(2, 4)))
		b.feat(FeatTTL)
	}
	b.feat(FeatDeadline)
	if !b.has(FeatIndexed) {
		b.feat(FeatNonIndexed)
	}
	b.feat(FeatNever)
	c.Features = b.sorted()
	return c
}

// acceptedEdge is a spec the API server accepts although it looks wrong: an
// Indexed Job with neither completions nor parallelism (defaulted to 1), or a
// deadline of 0 s (the Job fails at once). They run as normal cases.
func (b *builder) acceptedEdge(seed uint64, index int) Case {
	j := b.job
	b.feat(FeatAcceptedEdge)
	if b.chance(0.5) {
		j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		b.feat(FeatIndexed)
	} else {
		j.Spec.ActiveDeadlineSeconds = ptr.To(int64(0))
		j.Spec.Template.Annotations[SimOutcome] = "run"
		b.feat(FeatDeadline)
		b.feat(FeatNonIndexed)
	}
	b.feat(FeatNever)
	return Case{Seed: seed, Index: index, Job: j, Features: b.sorted(), SuccessIndex: -1}
}

func (b *builder) has(f string) bool { return slices.Contains(b.features, f) }

func (b *builder) sorted() []string {
	slices.SortFunc(b.features, func(x, y string) int { return slices.Index(FeatureOrder, x) - slices.Index(FeatureOrder, y) })
	return b.features
}

// Control is a Job the harness watches but never samples: its controller lag
// (deadline: status.startTime + activeDeadlineSeconds against the
// DeadlineExceeded condition; TTL: the Complete condition + TTL against the
// deletion) is measured by the harness alone, so a late prediction check can
// be excused only by lag shown independently in the same run.
type Control struct {
	Index int
	Kind  string // ControlDeadline or ControlTTL
	Job   *batchv1.Job
}

// Control kinds.
const (
	ControlDeadline = "deadline"
	ControlTTL      = "ttl"
)

// GenerateControl returns control Job i: deadline and TTL controls alternate.
func GenerateControl(i int) Control {
	j := baseJob(fmt.Sprintf("dt-control-%d", i))
	kind := ControlDeadline
	if i%2 == 1 {
		kind = ControlTTL
		j.Spec.TTLSecondsAfterFinished = ptr.To(int32(2))
		j.Spec.Template.Annotations[SimDuration] = "500ms"
	} else {
		j.Spec.ActiveDeadlineSeconds = ptr.To(int64(3))
		j.Spec.Template.Annotations[SimOutcome] = "run"
	}
	return Control{Index: i, Kind: kind, Job: j}
}

// GenerateRetry returns retry case i for the cluster with the stock 10 s
// pod-failure backoff: one pod at a time fails, so the job controller backs
// off before each replacement and `backoff.nextRetryAt` can be compared with
// when the replacement pod was created.
func GenerateRetry(seed uint64, i int) Case {
	b := &builder{r: rng(seed, i, 3), job: baseJob(fmt.Sprintf("dt-retry-%d", i))}
	j := b.job
	j.Spec.BackoffLimit = ptr.To(int32(b.between(1, 2)))
	j.Spec.Template.Annotations[SimOutcome] = "fail"
	j.Spec.Template.Annotations[SimDuration] = b.duration()
	j.Spec.Template.Annotations[SimExitCode] = strconv.Itoa(int(b.exitCode()))
	b.features = []string{FeatNonIndexed, FeatNever, FeatBackoffLimit, FeatFailingPods}
	return Case{Seed: seed, Index: 1000 + i, Job: j, Features: b.features, SuccessIndex: -1, StockBackoff: true}
}

// indexSet is a non-empty interval string over [0, n): "0", "1,3", "0-2".
func (b *builder) indexSet(n int) string {
	var picked []int
	for i := range n {
		if b.chance(0.4) {
			picked = append(picked, i)
		}
	}
	if len(picked) == 0 {
		picked = []int{b.r.IntN(n)}
	}
	return FormatIndexes(picked)
}

// FormatIndexes writes sorted indexes as the API's interval string.
func FormatIndexes(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(idx[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// ParseIndexes reads an interval string such as "1,3-5"; bad parts are skipped.
func ParseIndexes(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		z := a
		if isRange {
			if z, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for i := a; i <= z; i++ {
			out = append(out, i)
		}
	}
	return out
}

func countIndexes(s string) int { return len(ParseIndexes(s)) }

// invalidKinds are broken Jobs, each with the rule it breaks.
var invalidKinds = []struct {
	kind, why string
	apply     func(j *batchv1.Job)
}{
	{"pfp-onfailure", "podFailurePolicy needs restartPolicy Never", func(j *batchv1.Job) {
		j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionFailJob,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}}}}
	}},
	{"failindex-without-per-index", "FailIndex needs backoffLimitPerIndex", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionFailIndex,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}}}}
	}},
	{"per-index-nonindexed", "backoffLimitPerIndex needs completionMode Indexed", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.BackoffLimitPerIndex = ptr.To(int32(2)), ptr.To(int32(1))
	}},
	{"max-failed-without-per-index", "maxFailedIndexes needs backoffLimitPerIndex", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
		j.Spec.MaxFailedIndexes = ptr.To(int32(1))
	}},
	{"max-failed-over-completions", "maxFailedIndexes must not exceed completions", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
		j.Spec.BackoffLimitPerIndex, j.Spec.MaxFailedIndexes = ptr.To(int32(1)), ptr.To(int32(3))
	}},
	{"success-policy-nonindexed", "successPolicy needs completionMode Indexed", func(j *batchv1.Job) {
		j.Spec.Completions = ptr.To(int32(2))
		j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To(int32(1))}}}
	}},
	{"success-count-over-completions", "successPolicy succeededCount must not exceed completions", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
		j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To(int32(3))}}}
	}},
	{"success-index-out-of-range", "successPolicy succeededIndexes must be below completions", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
		j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr.To("0-2")}}}
	}},
	{"indexed-parallelism-without-completions", "an Indexed Job with parallelism needs completions (only with both unset does the API server default them)", func(j *batchv1.Job) {
		j.Spec.CompletionMode, j.Spec.Parallelism = ptr.To(batchv1.IndexedCompletion), ptr.To(int32(2))
	}},
	{"negative-backoff", "backoffLimit must not be negative", func(j *batchv1.Job) {
		j.Spec.BackoffLimit = ptr.To(int32(-1))
	}},
	{"pfp-exit-code-zero-in", "an onExitCodes In rule cannot match exit code 0", func(j *batchv1.Job) {
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionIgnore,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{0, 1}}}}}
	}},
	{"pfp-unsorted-exit-codes", "onExitCodes values must be ordered", func(j *batchv1.Job) {
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionCount,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42, 3}}}}}
	}},
	{"pfp-unknown-container", "onExitCodes containerName must name a container of the pod", func(j *batchv1.Job) {
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{Action: batchv1.PodFailurePolicyActionFailJob,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{ContainerName: ptr.To("nope"), Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}}}}
	}},
	{"restart-always", "a Job's pods cannot use restartPolicy Always", func(j *batchv1.Job) {
		j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
	}},
}

// InvalidKinds is the number of distinct broken rules GenerateInvalid knows.
var InvalidKinds = len(invalidKinds)

// GenerateInvalid returns broken Job index of seed; indexes 0..InvalidKinds-1
// cover every kind once (in an order set by the seed), further ones repeat.
func GenerateInvalid(seed uint64, index int) Invalid {
	order := rng(seed, 0, 2).Perm(len(invalidKinds))
	k := invalidKinds[order[index%len(order)]]
	j := baseJob(fmt.Sprintf("dt-invalid-%d", index))
	j.Spec.BackoffLimit = ptr.To(int32(0))
	k.apply(j)
	return Invalid{Seed: seed, Index: index, Kind: k.kind, Why: k.why, Job: j}
}
