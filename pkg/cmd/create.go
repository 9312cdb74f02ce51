package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-job/kubectl-job/pkg/jobspec"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// CreateOptions are the options of kubectl job create.
type CreateOptions struct {
	commandCore
	jobWriteOptions

	Name       string
	Command    []string
	From       string
	Filename   string
	SaveConfig bool

	flags *pflag.FlagSet
	// jobs are built before any request (from the image or the file); with
	// --from they are built in Run after the CronJob is read.
	jobs []*batchv1.Job
}

// NewCreateOptions returns CreateOptions with the defaults.
func NewCreateOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *CreateOptions {
	return &CreateOptions{commandCore: newCommandCore(configFlags, streams), jobWriteOptions: newJobWriteOptions()}
}

// NewCmdCreate creates Jobs from flags, a CronJob or a file.
func NewCmdCreate(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewCreateOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:                   "create NAME --image=IMAGE [flags] [-- COMMAND [ARGS...]] | create NAME --from=cronjob/NAME | create -f FILE",
		DisableFlagsInUseLine: true,
		Short:                 "Create a Job with every Job setting as a flag, and optionally wait for it",
		Long: `Create a Job from an image, from a CronJob's template or from a file.

Every setting of the Job spec that shapes its outcome has a flag, and the
combination is checked before anything is sent, with the rule explained:
restartPolicy Always is refused, per-index limits need --completion-mode=Indexed,
--max-failed-indexes needs --backoff-limit-per-index and at most --completions,
a pod failure policy needs --restart=Never.

With --wait the command waits for the Job's outcome, prints the verdict of
kubectl job explain and exits like kubectl job wait (0 complete, 2 failed,
3 timed out, 4 ended otherwise); with --follow it also streams the logs, so
"kubectl job create NAME --image=... --follow -- CMD" behaves like a process in CI.`,
		Example: `  # Create a Job that runs a command
  kubectl job create hello --image=busybox -- echo hello

  # A Job that may fail twice, must finish within 10 minutes and is deleted an hour after it ends
  kubectl job create migrate --image=app:1.2 --backoff-limit=2 --active-deadline=10m --ttl=1h -- ./migrate

  # An Indexed Job of 10 indexes, 3 at a time, each allowed 1 retry, failing after 2 failed indexes
  kubectl job create shard --image=app --completion-mode=Indexed --completions=10 --parallelism=3 --backoff-limit-per-index=1 --max-failed-indexes=2

  # Run a CronJob now with another command and an extra variable
  kubectl job create nightly-manual --from=cronjob/nightly --env=DRY_RUN=1 -- ./report --today

  # Create the Jobs of a file and wait for all of them
  kubectl job create -f jobs.yaml --wait

  # Run a Job like a CI step: stream its logs and exit with its outcome
  kubectl job create migrate --image=app:1.2 --follow -- ./migrate

  # Show the Job that would be created, without creating it
  kubectl job create hello --image=busybox --dry-run=client -o yaml -- echo hello`,
		RunE: runE(o),
	}
	o.addFlags(cmd, `"none", "client" (print the Job, send nothing) or "server" (the API server checks it, nothing is stored)`)
	fs := cmd.Flags()
	fs.StringVar(&o.From, "from", o.From, "Create the Job from a CronJob's template: cronjob/NAME (command, --image, --env and other flags override it)")
	fs.StringVarP(&o.Filename, "filename", "f", o.Filename, "Create the Jobs of a YAML or JSON file ('-' for stdin); only batch/v1 Jobs are accepted")
	fs.BoolVar(&o.SaveConfig, "save-config", o.SaveConfig, "Store the configuration in the last-applied annotation, so kubectl apply can be used on the Job later")
	return cmd
}

// Complete reads the arguments, the file and the flags into knobs, and sets
// up the client and the printer. It sends nothing.
func (o *CreateOptions) Complete(cmd *cobra.Command, args []string) error {
	o.flags = cmd.Flags()
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		o.Command = slices.Clone(args[dash:])
		args = args[:dash]
	}
	switch len(args) {
	case 0:
	case 1:
		o.Name = args[0]
	default:
		return fmt.Errorf("unexpected arguments %q: give one NAME, and put the command after --: kubectl job create NAME --image=IMAGE -- %s", args[1:], strings.Join(args[1:], " "))
	}
	if err := o.completeWrite(o.flags, o.Out); err != nil {
		return err
	}
	o.knobValues.Command = o.Command
	return o.complete(o.dryRunStrategy != dryRunClient || o.From != "")
}

func (o *CreateOptions) readFile() ([]*batchv1.Job, error) {
	var r io.Reader
	source := o.Filename
	if o.Filename == "-" {
		r, source = o.In, "stdin"
	} else {
		data, err := os.ReadFile(o.Filename)
		if err != nil {
			return nil, fmt.Errorf("cannot read -f %s: %w", o.Filename, err)
		}
		r = bytes.NewReader(data)
	}
	return jobspec.ReadJobs(r, source)
}

// Validate checks the flags and builds every Job it can before any request:
// a bad combination never reaches the API server.
func (o *CreateOptions) Validate() error {
	if err := o.validateSave(); err != nil {
		return err
	}
	if o.Filename != "" {
		if o.Name != "" || len(o.Command) > 0 {
			return errors.New("NAME and a command cannot be used with -f: the Jobs come from the file")
		}
		if o.From != "" {
			return errors.New("--from and -f cannot be used together: create from a CronJob or from a file")
		}
		if set := o.knobs.changed(o.flags); len(set) > 0 {
			return fmt.Errorf("%s cannot be used with -f: set it in the file", strings.Join(set, ", "))
		}
	} else if o.Name == "" {
		return withHint(errors.New("a Job needs a name"), "kubectl job create NAME --image=IMAGE [-- COMMAND]")
	}
	if o.dryRunStrategy == dryRunClient || o.dryRunStrategy == dryRunServer {
		if o.Wait || o.Follow {
			return errors.New("--wait and --follow cannot be used with --dry-run: nothing is created to wait for")
		}
	}
	if o.Timeout < 0 {
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	}
	if o.Name != "" {
		if err := jobspec.ValidateName(o.Name, false); err != nil {
			return err
		}
	}
	if err := o.knobValues.Check(); err != nil {
		return err
	}
	switch {
	case o.Filename != "":
		// The file is read only once the flags are known not to conflict
		// with it, so a conflict is reported as such.
		var err error
		if o.jobs, err = o.readFile(); err != nil {
			return err
		}
		for _, job := range o.jobs {
			if err := o.placeInNamespace(job); err != nil {
				return err
			}
			if err := jobspec.Validate(job); err != nil {
				return fmt.Errorf("job %s in %s: %w", job.Name, o.Filename, err)
			}
		}
	case o.From != "":
		kind, name, ok := strings.Cut(o.From, "/")
		if !ok || name == "" || !slices.Contains([]string{"cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch"}, strings.ToLower(kind)) {
			return fmt.Errorf("--from=%s: only CronJobs can be used, as --from=cronjob/NAME", o.From)
		}
	default:
		job, err := jobspec.New(o.Name, o.knobValues)
		if err != nil {
			return err
		}
		if err := o.placeInNamespace(job); err != nil {
			return err
		}
		o.jobs = []*batchv1.Job{job}
	}
	return nil
}

// placeInNamespace puts a Job into -n's namespace, refusing a file whose
// namespace contradicts an explicit -n (as kubectl does).
func (o *CreateOptions) placeInNamespace(job *batchv1.Job) error {
	switch {
	case job.Namespace == "":
		job.Namespace = o.Namespace
	case job.Namespace != o.Namespace && o.EnforceNamespace:
		return fmt.Errorf("job %s is in namespace %q but -n says %q: remove one of them", job.Name, job.Namespace, o.Namespace)
	}
	return nil
}

// Run creates the Jobs (after a server dry run of all of them when there
// are several, so none is created if the server refuses one), prints them,
// and waits or follows when asked.
func (o *CreateOptions) Run(ctx context.Context) error {
	if o.From != "" {
		_, name, _ := strings.Cut(o.From, "/")
		cj, err := o.Client.BatchV1().CronJobs(o.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return withHint(err, "list CronJobs with kubectl get cronjobs -n %s", o.Namespace)
		}
		job, err := jobspec.FromCronJob(o.Name, cj, o.knobValues)
		if err != nil {
			return fmt.Errorf("cronjob/%s: %w", cj.Name, err)
		}
		job.Namespace = o.Namespace
		o.jobs = []*batchv1.Job{job}
	}
	for _, job := range o.jobs {
		if err := jobspec.SetLastApplied(job, o.SaveConfig); err != nil {
			return err
		}
	}
	if o.dryRunStrategy == dryRunNone && (o.Wait || o.Follow) {
		if err := kube.CheckAccess(ctx, o.Client, awaitAccesses(o.jobs, o.Namespace, o.Follow)...); err != nil {
			return withHint(err, "nothing was created; drop --wait/--follow to create without watching")
		}
	}
	created := o.jobs
	if o.dryRunStrategy != dryRunClient {
		var err error
		if created, err = kube.CreateJobs(ctx, o.Client, o.jobs, o.dryRunStrategy == dryRunServer, o.FieldManager); err != nil {
			return err
		}
	}
	for _, job := range created {
		if err := o.printObj(job); err != nil {
			return err
		}
	}
	if !o.Wait && !o.Follow {
		return nil
	}
	return awaitCreated(ctx, o.Client, created, o.Follow, o.Timeout, o.Now, o.IOStreams, o.Progress, o.Save)
}
