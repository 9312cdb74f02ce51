package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// CreateJobs creates jobs; with several (or serverDryRun), a server-side dry
// run of each comes first, so a Job the server refuses does not leave the
// others behind. With serverDryRun nothing is stored and the checked Jobs are
// returned.
func CreateJobs(ctx context.Context, client Client, jobs []*batchv1.Job, serverDryRun bool, fieldManager string) ([]*batchv1.Job, error) {
	opts := metav1.CreateOptions{FieldManager: fieldManager}
	if serverDryRun || len(jobs) > 1 {
		var checked []*batchv1.Job
		for _, job := range jobs {
			out, err := DryRunCreateJob(ctx, client, job, "", fieldManager)
			if err != nil {
				return nil, err
			}
			checked = append(checked, out)
		}
		if serverDryRun {
			return checked, nil
		}
	}
	var created []*batchv1.Job
	for _, job := range jobs {
		out, err := client.BatchV1().Jobs(job.Namespace).Create(ctx, job, opts)
		if err != nil {
			if len(created) > 0 {
				return nil, fmt.Errorf("%w (already created: %s)", err, jobRefs(created))
			}
			return nil, err
		}
		created = append(created, out)
	}
	return created, nil
}

func jobRefs(jobs []*batchv1.Job) string {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = "job.batch/" + j.Name
	}
	return strings.Join(names, ", ")
}

// DryRunCreateJob asks the API server to check job without storing it. With
// a generateName (the old Job of a replace still holds the name) the check
// uses a generated name instead, and the answer carries job's name again.
func DryRunCreateJob(ctx context.Context, client Client, job *batchv1.Job, generateName, fieldManager string) (*batchv1.Job, error) {
	check := job
	if generateName != "" {
		check = job.DeepCopy()
		check.GenerateName, check.Name = generateName, ""
	}
	opts := metav1.CreateOptions{FieldManager: fieldManager, DryRun: []string{metav1.DryRunAll}}
	out, err := client.BatchV1().Jobs(job.Namespace).Create(ctx, check, opts)
	if err == nil && generateName != "" {
		out.Name, out.GenerateName = job.Name, ""
	}
	return out, err
}

// CreateJob creates job.
func CreateJob(ctx context.Context, client Client, job *batchv1.Job, fieldManager string) (*batchv1.Job, error) {
	return client.BatchV1().Jobs(job.Namespace).Create(ctx, job, metav1.CreateOptions{FieldManager: fieldManager})
}

// ReplaceJob deletes old (UID precondition, foreground: its pods go first),
// calls deleted, and waits until old is gone (at most waitTimeout when not
// 0: context.DeadlineExceeded), so its name can be reused. A Job already
// gone counts as deleted; one re-created since it was read is not deleted
// (IsPreconditionFailed).
func ReplaceJob(ctx context.Context, client Client, old *batchv1.Job, waitTimeout time.Duration, deleted func()) error {
	err := DeleteJob(ctx, client, old, DeleteJobOptions{Propagation: metav1.DeletePropagationForeground})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	deleted()
	if waitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, waitTimeout)
		defer cancel()
	}
	return WaitForJobDeletion(ctx, client.BatchV1(), old.Namespace, old.Name, old.UID)
}

// SetSuspend sets spec.suspend of a Job or CronJob (resource "jobs" or
// "cronjobs") with a merge patch that also names the object's UID: the API
// server refuses to change a UID (metadata.uid is immutable), so an object
// deleted and re-created under the same name since it was read is not
// patched (IsUIDChanged). Suspending a Job deletes its active pods: the
// wrong Job's must not go.
func SetSuspend(ctx context.Context, client Client, resource, namespace, name string, uid types.UID, suspend bool, fieldManager string) error {
	patch := fmt.Appendf(nil, `{"spec":{"suspend":%t}}`, suspend)
	if uid != "" {
		patch = fmt.Appendf(nil, `{"metadata":{"uid":%q},"spec":{"suspend":%t}}`, uid, suspend)
	}
	opts := metav1.PatchOptions{FieldManager: fieldManager}
	var err error
	if resource == "cronjobs" {
		_, err = client.BatchV1().CronJobs(namespace).Patch(ctx, name, types.MergePatchType, patch, opts)
	} else {
		_, err = client.BatchV1().Jobs(namespace).Patch(ctx, name, types.MergePatchType, patch, opts)
	}
	return err
}

// IsUIDChanged reports whether err is the API server refusing a patch whose
// metadata.uid is not the object's: it was re-created since it was read.
func IsUIDChanged(err error) bool {
	if !apierrors.IsInvalid(err) {
		return false
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return false
	}
	for _, c := range status.Status().Details.Causes {
		if c.Field == "metadata.uid" {
			return true
		}
	}
	return false
}
