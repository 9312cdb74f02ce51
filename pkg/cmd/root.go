// Package cmd wires the kubectl job subcommands: one file per verb, each with
// an XOptions struct, NewCmdX, and Complete / Validate / Run.
package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// NewCmdJob returns the root command, "kubectl job", with every standard
// kubectl flag (-n, --context, --kubeconfig, --as, --request-timeout, ...).
func NewCmdJob(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	cmd := &cobra.Command{
		Use:   "kubectl-job",
		Short: "Run, watch and explain Kubernetes Jobs",
		Long: `kubectl job runs, watches and explains Kubernetes Jobs.

It wraps what kubectl does for Jobs and adds what kubectl cannot tell you:
why a Job succeeded, failed or is stuck, tied to numbers from the Job's
conditions, counters, pods and events.`,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl job",
		},
		// Errors are printed once by Execute, kubectl-style; usage only for flag errors.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	configFlags.AddFlags(cmd.PersistentFlags())
	addKlogFlags(cmd)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w\nSee '%s --help' for usage", err, c.CommandPath())
	})

	cmd.AddCommand(
		NewCmdVersion(streams),
		NewCmdExplain(configFlags, streams),
		NewCmdCreate(configFlags, streams),
		NewCmdWait(configFlags, streams),
		NewCmdRerun(configFlags, streams),
		NewCmdSuspend(configFlags, streams),
		NewCmdResume(configFlags, streams),
		NewCmdLogs(configFlags, streams),
		NewCmdList(configFlags, streams),
		NewCmdDescribe(configFlags, streams),
		NewCmdDelete(configFlags, streams), NewCmdPrune(configFlags, streams),
	)
	registerCompletions(cmd, configFlags)
	return cmd
}

// interruptibleContext is the command's context, cancelled on Ctrl-C or
// SIGTERM so that deletes and watches stop between requests, not mid-way.
func interruptibleContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// addKlogFlags adds kubectl's -v so "-v=6" shows every API request.
func addKlogFlags(cmd *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	v := fs.Lookup("v")
	cmd.PersistentFlags().AddGoFlag(v)
	cmd.PersistentFlags().Lookup("v").Shorthand = "v"
}

// Execute runs the command and turns its error into one kubectl-style line on
// stderr and an exit code from the exitcode table.
func Execute(cmd *cobra.Command, streams genericiooptions.IOStreams) int {
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	err := cmd.Execute()
	if err == nil {
		return exitcode.OK
	}
	var ee *exitcode.ExitError
	if !errors.As(err, &ee) || ee.Err != nil {
		fmt.Fprintln(streams.ErrOut, errorMessage(err))
	}
	return exitcode.Of(err)
}

// errorMessage formats an error the way kubectl does: API status errors as
// "Error from server (NotFound): ...", everything else as "error: ...".
// A hint attached with withHint follows on the same line after "; ".
func errorMessage(err error) string {
	msg := ""
	var status apierrors.APIStatus
	var urlErr *url.Error
	switch {
	case errors.As(err, &status):
		msg, _ = cmdutil.StandardErrorMessage(status.(error))
	case errors.As(err, &urlErr):
		msg, _ = cmdutil.StandardErrorMessage(urlErr)
	}
	if msg == "" {
		msg = err.Error()
		if !strings.HasPrefix(msg, "error: ") {
			msg = "error: " + msg
		}
	}
	var h *hintError
	if errors.As(err, &h) && !strings.Contains(msg, h.hint) {
		msg += "; " + h.hint
	}
	return msg
}

// hintError attaches what to run next to an error without changing its
// identity (apierrors.IsNotFound still works through Unwrap).
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() + "; " + h.hint }
func (h *hintError) Unwrap() error { return h.err }

// withHint returns err with a suggestion of what to run next, or nil for nil.
func withHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hint: fmt.Sprintf(format, args...)}
}
