// Package cmd wires the kubectl job subcommands: one file per verb, each with
// an XOptions struct, NewCmdX, and Complete / Validate / Run.
package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

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
	profile.addFlags(cmd.PersistentFlags())
	// client-go reports a missing --kubeconfig as "stat PATH: no such file";
	// say which flag is wrong instead.
	cmd.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		// client-go logs some failures itself (a response body cut short)
		// before returning them, and Execute prints the error as one line:
		// without -v its logs would be a second, noisier line.
		if !klog.V(1).Enabled() {
			c.SetContext(klog.NewContext(c.Context(), klog.Logger{}))
		}
		if err := profile.start(); err != nil {
			return err
		}
		for ; c != nil; c = c.Parent() {
			if c.Name() == "version" || c.Name() == "completion" || strings.HasPrefix(c.Name(), "__") {
				return nil // these never read the kubeconfig
			}
		}
		if p := *configFlags.KubeConfig; p != "" {
			if _, err := os.Stat(p); err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return withHint(fmt.Errorf("--kubeconfig %s: %w", p, err), "give the path of a kubeconfig file, or leave --kubeconfig out to use $KUBECONFIG or ~/.kube/config")
			}
		}
		return nil
	}
	addKlogFlags(cmd)
	cmd.SetFlagErrorFunc(flagError)

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
	rejectUnknownCommands(cmd)
	return cmd
}

// rejectUnknownCommands makes every command that only groups subcommands
// (the root, completion) refuse an unknown subcommand with one error line,
// instead of cobra's multi-line "Did you mean this?" or, below the root,
// printing help and exiting 0. The root alone still prints help when run
// without arguments, like kubectl.
func rejectUnknownCommands(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && !c.Runnable() {
			c.SuggestionsMinimumDistance = 2
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(c *cobra.Command, args []string) error {
				switch {
				case len(args) > 0:
					return unknownCommandError(c, args[0])
				case c == root:
					return c.Help()
				}
				return withHint(fmt.Errorf("%s needs a subcommand: one of %s", c.CommandPath(), strings.Join(subcommandNames(c), ", ")), "see '%s --help'", c.CommandPath())
			}
		}
		if c.Parent() != nil && c.Parent().Name() == "completion" {
			c.Args = takesNoArgs
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// unknownCommandError names the unknown subcommand, the closest known one and
// where to look, on one line.
func unknownCommandError(c *cobra.Command, name string) error {
	err := fmt.Errorf("unknown command %q for %q", name, c.CommandPath())
	if s := c.SuggestionsFor(name); len(s) > 0 {
		for i := range s {
			s[i] = strconv.Quote(s[i])
		}
		alternatives := s[len(s)-1]
		if len(s) > 1 {
			alternatives = strings.Join(s[:len(s)-1], ", ") + " or " + alternatives
		}
		err = fmt.Errorf("%w (did you mean %s?)", err, alternatives)
	} else if c != c.Root() {
		err = fmt.Errorf("%w: want one of %s", err, strings.Join(subcommandNames(c), ", "))
	}
	return withHint(err, "see '%s --help'", c.CommandPath())
}

func subcommandNames(c *cobra.Command) []string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return names
}

// takesNoArgs is cobra.NoArgs with a kubectl-style message: cobra's says
// "unknown command" for an argument of a command that takes none.
func takesNoArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return withHint(fmt.Errorf("%s takes no arguments, got %q", c.CommandPath(), args), "see '%s --help'", c.CommandPath())
	}
	return nil
}

// atMostOneArg is cobra.MaximumNArgs(1) for commands that take one Job name.
func atMostOneArg(c *cobra.Command, args []string) error {
	if len(args) > 1 {
		return withHint(fmt.Errorf("%s takes one Job name, got %d: %s", c.CommandPath(), len(args), strings.Join(args, " ")), "see '%s --help'", c.CommandPath())
	}
	return nil
}

// flagError turns pflag's parse errors into one line that names the flag,
// says what value it wants in words (not strconv's), and where to look.
func flagError(c *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		f := invalid.GetFlag()
		want := ""
		if t := reflect.TypeOf(f.Value); t.Kind() == reflect.Pointer && t.Elem().PkgPath() == reflect.TypeOf(pflag.FlagSet{}).PkgPath() {
			want = flagValueWant[f.Value.Type()] // a custom value's own error says more
		}
		if want == "" {
			want = "see the flag's description"
			if cause := errors.Unwrap(invalid); cause != nil {
				want = cause.Error()
			}
		}
		err = fmt.Errorf("invalid value %q for --%s: %s", invalid.GetValue(), f.Name, want)
	}
	return withHint(err, "see '%s --help'", c.CommandPath())
}

// flagValueWant says in words what a flag of each pflag type accepts.
var flagValueWant = map[string]string{
	"int":      "want a whole number",
	"int32":    "want a whole number",
	"int64":    "want a whole number",
	"uint":     "want a whole number, 0 or more",
	"duration": "want a duration such as 30s, 5m or 1h30m",
	"bool":     "want true or false",
	"float64":  "want a number",
	"Level":    "want a whole number, the log level (6 shows every API request)",
}

// interruptibleContext is the command's context, cancelled on Ctrl-C or
// SIGTERM so that deletes and watches stop between requests, not mid-way.
func interruptibleContext(ctx context.Context) (context.Context, context.CancelFunc) {
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
	throttled.Store(false)
	err := cmd.Execute()
	profile.flush()
	if err == nil {
		return exitcode.OK
	}
	var ee *exitcode.ExitError
	if !errors.As(err, &ee) || ee.Err != nil {
		fmt.Fprintln(streams.ErrOut, errorMessage(err))
	}
	return exitcode.Of(err)
}
