package jobspec

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// fuzzSeeds are manifests for `kubectl job create -f`: the first ones the API
// server accepts (including an Indexed Job with neither completions nor
// parallelism, which the server defaults to 1 and which once crashed
// Validate), the rest it rejects.
var fuzzSeeds = []string{
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  completionMode: Indexed\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  activeDeadlineSeconds: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1\n  successPolicy: {rules: [{succeededIndexes: \"0-1\", succeededCount: 1}]}\n  podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [42]}}]}\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
	// Rejected by the API server:
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  completionMode: Indexed\n  parallelism: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  backoffLimit: -1\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c, image: busybox}]\n",
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  completions: 2\n  maxFailedIndexes: 3\n  podFailurePolicy: {rules: [{action: FailIndex}]}\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{name: c, image: busybox}]\n",
}

// FuzzJobSpec feeds `kubectl job create -f` and `rerun` arbitrary manifests
// and flag values: reading, Apply, Validate, Rerun (also with
// --failed-indexes-only over any status) and RerunIndexes never panic, and
// Validate is deterministic.
func FuzzJobSpec(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, []byte{byte(i), byte(i * 37), byte(i * 91)})
	}
	f.Fuzz(func(t *testing.T, manifest string, choices []byte) {
		jobs, err := ReadJobs(strings.NewReader(manifest), "fuzz.yaml")
		if err != nil {
			return
		}
		pick := func(i int) byte {
			if i < len(choices) {
				return choices[i]
			}
			return 0
		}
		optI32 := func(i int) *int32 {
			switch b := pick(i); b % 4 {
			case 0:
				return nil
			case 1:
				return ptr.To(int32(-1))
			default:
				return ptr.To(int32(b % 5))
			}
		}
		knobs := Knobs{Completions: optI32(0), Parallelism: optI32(1), BackoffLimitPerIndex: optI32(2), MaxFailedIndexes: optI32(3)}
		if pick(4)%3 == 1 {
			knobs.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		}
		if pick(5)%3 == 1 {
			knobs.RestartPolicy = ptr.To(corev1.RestartPolicyOnFailure)
		}
		for _, job := range jobs {
			first := Validate(job)
			if second := Validate(job); (first == nil) != (second == nil) {
				t.Fatalf("Validate is not deterministic: %v then %v", first, second)
			}
			applied := job.DeepCopy()
			if Apply(applied, knobs) == nil {
				_ = Validate(applied)
			}
			old := job.DeepCopy()
			old.Status.CompletedIndexes = []string{"", "0", "1-3", "0,2", "x"}[pick(6)%5]
			_, _ = RerunIndexes(old)
			_, _, _ = Rerun(old, RerunOptions{GenerateName: true})
			_, _, _ = Rerun(old, RerunOptions{Name: "b", FailedIndexesOnly: true, Knobs: knobs})
		}
	})
}
