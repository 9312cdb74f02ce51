package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/logs"
)

// LogsOptions are the options of kubectl job logs.
type LogsOptions struct {
	commandCore

	Name string
	// Selector is -l: the logs of every Job it matches, prefixed with the Job.
	Selector string
	// Timeout is --timeout (with -f): give up following after this long.
	Timeout time.Duration

	Failed, Succeeded, Active bool
	Index                     string
	Attempt                   int
	Last                      bool

	Container     string
	AllContainers bool
	Previous      bool

	Tail       int64
	Since      time.Duration
	SinceTime  string
	Timestamps bool
	LimitBytes int64

	Prefix         bool
	Follow         bool
	MaxLogRequests int
	// Save is --save DIR (with -f).
	Save string

	// Logs is what Run passes to logs.Print / logs.Follow, built by Complete
	// and Validate; tests may adjust it (clock, verdict engine) before Run.
	Logs logs.Options
}

// NewLogsOptions returns LogsOptions with the defaults.
func NewLogsOptions(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *LogsOptions {
	return &LogsOptions{
		commandCore:    newCommandCore(configFlags, streams),
		Tail:           -1,
		Prefix:         true,
		MaxLogRequests: logs.DefaultOptions().MaxRequests,
		Logs:           logs.DefaultOptions(),
	}
}

// NewCmdLogs prints or follows the logs of every attempt of a Job.
func NewCmdLogs(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewLogsOptions(configFlags, streams)
	cmd := &cobra.Command{
		Use:   "logs (NAME | -l SELECTOR) [--failed|--succeeded|--active] [--index N,M] [--attempt K] [--last] [-c CONTAINER] [-f]",
		Short: "Print the logs of every attempt of a Job, in order",
		Long: `Print the logs of all pods of a Job, attempt by attempt.

Pods are shown in attempt order: by creation time, and for Indexed Jobs by
completion index, then attempt. Each line starts with [POD] or, for Indexed
Jobs, [INDEX/ATTEMPT]; with --prefix=false a header line names each pod, its
attempt and how it ended. Logs are fetched concurrently (--max-log-requests at
a time) and printed in order.

Attempts the Job counted but whose pods were deleted (a failing Job's running
pods, removed pods) are named on stderr: their logs cannot be shown.

With -f, running pods are followed and retries are picked up as the job
controller creates them; when the Job ends, its verdict is printed on stderr
and the exit code is the one kubectl job wait uses: 0 Complete, 2 Failed,
4 ended otherwise (suspended, deleted, managed elsewhere), 3 when --timeout
passed first.

With -l SELECTOR, the logs of every matching Job, one Job after the other
(with -f: all at once), each line prefixed [JOB/POD] or [JOB INDEX/ATTEMPT].
As kubectl logs -f -l does, following refuses to start when the Jobs would
need more log streams at once than --max-log-requests; the exit code is the
worst of the Jobs'.`,
		Example: `  # Print the logs of every attempt of job pi, oldest first
  kubectl job logs pi

  # Only the last attempt of each index: what failed in the end
  kubectl job logs pi --last

  # Only failed attempts, with a header per pod instead of a prefix per line
  kubectl job logs pi --failed --prefix=false

  # Index 2 and 5 of an Indexed Job, all containers including init containers
  kubectl job logs render --index 2,5 --all-containers

  # Follow the Job until it ends, then exit 0 if it completed, 2 if it failed
  kubectl job logs pi -f

  # Follow every Job of a release at once; lines start with [JOB/POD]
  kubectl job logs -l release=r42 -f --max-log-requests 20

  # The container instance before the last restart (restartPolicy OnFailure)
  kubectl job logs pi --previous`,
		Args: func(_ *cobra.Command, args []string) error {
			if o.Selector != "" {
				if len(args) > 0 {
					return errors.New("give a Job name or -l SELECTOR, not both")
				}
				return nil
			}
			if len(args) != 1 {
				return withHint(fmt.Errorf("give exactly one Job name, got %d arguments", len(args)), "for example: kubectl job logs NAME")
			}
			return nil
		},
		RunE: runE(o),
	}
	f := cmd.Flags()
	f.BoolVar(&o.Failed, "failed", o.Failed, "Only attempts whose pod failed")
	f.BoolVar(&o.Succeeded, "succeeded", o.Succeeded, "Only attempts whose pod succeeded")
	f.BoolVar(&o.Active, "active", o.Active, "Only attempts whose pod has not ended (with -f: and pods created later)")
	f.StringVar(&o.Index, "index", o.Index, "Only these completion indexes of an Indexed Job, e.g. 2 or 1,3-5")
	f.IntVar(&o.Attempt, "attempt", o.Attempt, "Only attempt number K (per index for Indexed Jobs), counted from 1")
	f.BoolVar(&o.Last, "last", o.Last, "Only the most recent attempt of each index (of the Job when NonIndexed), among those the other filters keep")
	f.StringVarP(&o.Container, "container", "c", o.Container, "Print the logs of this container (default: the pod's default container)")
	f.BoolVar(&o.AllContainers, "all-containers", o.AllContainers, "Print the logs of all containers, init containers first")
	f.BoolVarP(&o.Previous, "previous", "p", o.Previous, "Print the logs of the previous instance of restarted containers (restartPolicy OnFailure)")
	f.Int64Var(&o.Tail, "tail", o.Tail, "Lines of recent log to show per container; -1 shows all")
	f.DurationVar(&o.Since, "since", o.Since, "Only logs newer than a relative duration like 5s, 2m or 3h")
	f.StringVar(&o.SinceTime, "since-time", o.SinceTime, "Only logs after a date (RFC3339)")
	f.BoolVar(&o.Timestamps, "timestamps", o.Timestamps, "Include timestamps on each line")
	f.Int64Var(&o.LimitBytes, "limit-bytes", o.LimitBytes, "Maximum bytes of logs per container; 0 means no limit")
	f.BoolVar(&o.Prefix, "prefix", o.Prefix, "Start each line with [POD] or [INDEX/ATTEMPT]; false prints a header per pod instead")
	f.BoolVarP(&o.Follow, "follow", "f", o.Follow, "Follow the logs of running and new pods until the Job ends, then exit with its outcome")
	f.StringVar(&o.Save, "save", "", saveFlagUsage)
	f.IntVar(&o.MaxLogRequests, "max-log-requests", o.MaxLogRequests, "Maximum log requests at once; with -f, the most containers followed at once (over all Jobs with -l)")
	f.StringVarP(&o.Selector, "selector", "l", o.Selector, "Show the logs of every Job matching this label selector, prefixed with the Job's name")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "With -f: give up following after this long and exit 3; 0 follows as long as it takes")
	return cmd
}

// Complete reads the name, the namespace and the client.
func (o *LogsOptions) Complete(_ *cobra.Command, args []string) error {
	if o.Selector == "" {
		names, err := parseJobArgs(args)
		if err != nil {
			return err
		}
		o.Name = names[0]
	}
	// A rate limit would make 100 pods take seconds (kubectl logs
	// --all-pods has that problem); --max-log-requests already bounds the
	// load, and API priority and fairness protects the server.
	o.tune = append(o.tune, func(cfg *rest.Config) { cfg.QPS = -1 })
	o.Logs.Color = cliprinters.AllowsColorOutput(o.Out)
	o.Logs.Escape = cliprinters.IsTerminal(o.Out)
	if err := o.complete(true); err != nil {
		return err
	}
	// One clock for the verdict -f ends with, as for every other command.
	o.Logs.Now = o.Now
	return nil
}

// Validate checks the flags before any request and fills o.Logs.
func (o *LogsOptions) Validate() error {
	l := &o.Logs
	l.Selector = logs.Selector{Failed: o.Failed, Succeeded: o.Succeeded, Active: o.Active, Attempt: o.Attempt, Last: o.Last}
	if o.Index != "" {
		set, err := explain.ParseIndexes(o.Index)
		if err != nil || set == nil {
			return withHint(fmt.Errorf("--index %q is not a list of indexes", o.Index), "give indexes like 2, 1,3 or 0-4")
		}
		l.Selector.Indexes = set
	}
	switch {
	case o.Attempt < 0:
		return fmt.Errorf("--attempt must be 1 or more, got %d", o.Attempt)
	case o.Attempt > 0 && o.Last:
		return errors.New("--attempt and --last select different attempts: give one of them")
	case o.Container != "" && o.AllContainers:
		return errors.New("-c and --all-containers cannot be used together: give one of them")
	case o.Tail < -1:
		return fmt.Errorf("--tail must be -1 (all) or more, got %d", o.Tail)
	case o.Since < 0:
		return fmt.Errorf("--since must be positive, got %s", o.Since)
	case o.Since > 0 && o.SinceTime != "":
		return errors.New("--since and --since-time cannot be used together: give one of them")
	case o.LimitBytes < 0:
		return fmt.Errorf("--limit-bytes must not be negative, got %d", o.LimitBytes)
	case o.Timeout < 0:
		return fmt.Errorf("--timeout must not be negative, got %s", o.Timeout)
	case o.Timeout > 0 && !o.Follow:
		return errors.New("--timeout needs -f: without it logs are printed once and the command ends")
	case o.MaxLogRequests < 1:
		return fmt.Errorf("--max-log-requests must be 1 or more, got %d", o.MaxLogRequests)
	case o.Follow && (o.Failed || o.Succeeded):
		return errors.New("--failed and --succeeded cannot be used with -f: a followed pod has not ended yet; drop -f to see the logs of ended attempts")
	case o.Follow && o.Previous:
		return errors.New("--previous cannot be used with -f: a previous container has already ended; drop -f")
	}
	if err := validateSave(o.Save, o.Follow, "--save needs -f: it keeps the logs as they stream"); err != nil {
		return err
	}
	if err := validateLogsSelector(o.Selector, o.Save); err != nil {
		return err
	}
	l.Container, l.AllContainers, l.Previous = o.Container, o.AllContainers, o.Previous
	l.Timestamps, l.Prefix, l.MaxRequests = o.Timestamps, o.Prefix, o.MaxLogRequests
	l.TailLines, l.SinceSeconds, l.SinceTime, l.LimitBytes = nil, nil, nil, nil
	if o.Tail >= 0 {
		l.TailLines = &o.Tail
	}
	if o.Since > 0 {
		secs := int64((o.Since + time.Second - 1) / time.Second)
		l.SinceSeconds = &secs
	}
	if o.SinceTime != "" {
		t, err := time.Parse(time.RFC3339, o.SinceTime)
		if err != nil {
			return withHint(fmt.Errorf("--since-time %q is not an RFC3339 time", o.SinceTime), "for example --since-time=2026-01-02T15:04:05Z")
		}
		l.SinceTime = &metav1.Time{Time: t}
	}
	if o.LimitBytes > 0 {
		l.LimitBytes = &o.LimitBytes
	}
	return nil
}

// Run reads the Job and prints or follows its logs.
func (o *LogsOptions) Run(ctx context.Context) error {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if o.Selector != "" {
		return o.runSelector(ctx)
	}
	job, err := o.Client.BatchV1().Jobs(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return o.jobNotFound(ctx, err, o.Name, "a Job deleted by its TTL takes its pods and their logs with it")
	}
	if err != nil {
		return err
	}
	run := logs.Print
	if o.Follow {
		run = logs.Follow
	}
	if o.Save != "" {
		if o.Logs.Save, err = newSaver(o.Save); err != nil {
			return err
		}
	}
	return logsExitError(run(ctx, o.Client, job, o.Logs, o.Out, o.ErrOut))
}

// logsExitError turns a (code, err) pair into RunE's error.
func logsExitError(code int, err error) error {
	if code == exitcode.OK && err == nil {
		return nil
	}
	return exitcode.New(code, err)
}
