package kube

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// CarryAccesses are what CreateCarryingIndexes does besides the create: the
// status write and the resume. Ask for them with CheckAccess before anything
// is created.
func CarryAccesses(namespace string) []Access {
	jobs := batchv1.Resource("jobs")
	return []Access{
		{Verb: "patch", Resource: batchv1.Resource("jobs/status"), Namespace: namespace},
		{Verb: "patch", Resource: jobs, Namespace: namespace},
		{Verb: "delete", Resource: jobs, Namespace: namespace},
	}
}

// CreateCarryingIndexes creates an Indexed Job whose indexes in carried
// (count of them: succeeded) are already completed, so the job controller
// runs only the others, under their own numbers. The Job API has no field
// for that, but the controller takes status.completedIndexes as the indexes
// done: the Job is created suspended, its status is written, and then it is
// resumed unless job asked to stay suspended. If a step after the create
// fails, the new Job is deleted again, so nothing is left half-made.
func CreateCarryingIndexes(ctx context.Context, client Client, job *batchv1.Job, carried string, succeeded int32, opts metav1.CreateOptions) (*batchv1.Job, error) {
	stayStopped := ptr.Deref(job.Spec.Suspend, false)
	suspended := job.DeepCopy()
	suspended.Spec.Suspend = ptr.To(true)
	jobs := client.BatchV1().Jobs(job.Namespace)
	created, err := jobs.Create(ctx, suspended, opts)
	if err != nil {
		return nil, err
	}
	undo := func(step string, err error) (*batchv1.Job, error) {
		del := DeleteJobOptions{Propagation: metav1.DeletePropagationBackground}
		if derr := DeleteJob(context.WithoutCancel(ctx), client, created, del); derr != nil {
			return nil, fmt.Errorf("%s: %w; and job %s could not be deleted again (%w): delete it with kubectl job delete %s -n %s", step, err, created.Name, derr, created.Name, created.Namespace)
		}
		return nil, fmt.Errorf("%s: %w; job %s was deleted again, nothing is left behind", step, err, created.Name)
	}
	// The UID in the patch is a precondition: the API server refuses to change
	// it, so a Job re-created under the name meanwhile is left alone.
	status := fmt.Appendf(nil, `{"metadata":{"uid":%q},"status":{"completedIndexes":%q,"succeeded":%d}}`, created.UID, carried, succeeded)
	out, err := jobs.Patch(ctx, created.Name, types.MergePatchType, status, metav1.PatchOptions{FieldManager: opts.FieldManager}, "status")
	if err != nil {
		return undo("marking the carried indexes completed", err)
	}
	if out.Status.CompletedIndexes != carried {
		return undo("marking the carried indexes completed", fmt.Errorf("status.completedIndexes is %q, want %q", out.Status.CompletedIndexes, carried))
	}
	if stayStopped {
		return out, nil
	}
	resume := fmt.Appendf(nil, `{"metadata":{"uid":%q},"spec":{"suspend":false}}`, created.UID)
	if out, err = jobs.Patch(ctx, created.Name, types.MergePatchType, resume, metav1.PatchOptions{FieldManager: opts.FieldManager}); err != nil {
		return undo("resuming the rerun", err)
	}
	return out, nil
}
