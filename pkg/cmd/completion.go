package cmd

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// completionTimeout bounds every API call made for a <TAB>: an unreachable
// cluster must cost the shell a pause, never a hang.
const completionTimeout = 5 * time.Second

// completionClient builds the client that completion lists names with, from
// the same -n/--context/--kubeconfig flags the command would use.
func completionClient(configFlags *genericclioptions.ConfigFlags) (kube.Client, error) {
	return newClient(configFlags, func(cfg *rest.Config) {
		if cfg.Timeout == 0 {
			cfg.Timeout = completionTimeout
		}
	})
}

// Which positional arguments each subcommand takes, by command name. The
// subcommands' files stay free of completion wiring; this table is the one
// place that says what <TAB> offers.
var (
	// oneJobArg commands take a single Job name.
	oneJobArg = []string{"explain", "logs", "rerun"}
	// manyJobArgs commands take any number of Job names.
	manyJobArgs = []string{"describe", "list", "wait", "delete"}
	// jobOrCronJobArgs commands take Job names or cronjob/NAME.
	jobOrCronJobArgs = []string{"suspend", "resume"}
	// noArgs commands take no argument a shell could complete (create's NAME
	// is new, prune and version take none): offer nothing rather than files.
	noArgs = []string{"create", "prune", "version"}
)

// flagValueCandidates are the values completion may offer for a flag, by flag
// name. A command gets only those its flag's help text names, so prune's
// --cascade (background or foreground) never offers orphan, and a value a
// command drops from its help disappears from completion with it.
var flagValueCandidates = map[string][]string{
	"for":     {"complete", "failed", "finished", "suspended"},
	"cascade": cascadeValues,
	"sort-by": printers.ListSortOrders,
	// Formats taking an argument end in "=", so the shell does not add a space.
	"output": {"wide", "json", "yaml", "kyaml", "name", "jsonpath=", "jsonpath-as-json=", "jsonpath-file=",
		"custom-columns=", "custom-columns-file="},
}

// registerCompletions attaches shell completion to every command of the tree
// under root, by command and flag name: Job names for the commands that take
// them, CronJob names after --cronjob and --from=cronjob/, the values of --for,
// -o, --cascade, --sort-by and --status, namespaces and contexts for -n and
// --context. It leaves alone anything a command registered itself.
func registerCompletions(root *cobra.Command, configFlags *genericclioptions.ConfigFlags) {
	// Cobra adds its completion command lazily in Execute; adding it now lets
	// its help be rewritten for plugin use like every other command's.
	root.InitDefaultCompletionCmd()
	describeCompletionCmd(root)

	registerFlag(root, "namespace", completeNamespaces(configFlags))
	registerFlag(root, "context", completeKubeconfigNames(configFlags, "context"))
	registerFlag(root, "cluster", completeKubeconfigNames(configFlags, "cluster"))
	registerFlag(root, "user", completeKubeconfigNames(configFlags, "user"))

	for _, cmd := range root.Commands() {
		name := cmd.Name()
		if cmd.ValidArgsFunction == nil && !cmd.HasSubCommands() {
			switch {
			case slices.Contains(oneJobArg, name):
				cmd.ValidArgsFunction = maxArgs(1, completeJobNames(configFlags))
			case slices.Contains(manyJobArgs, name):
				cmd.ValidArgsFunction = completeJobNames(configFlags)
			case slices.Contains(jobOrCronJobArgs, name):
				cmd.ValidArgsFunction = completeJobOrCronJobNames(configFlags)
			case slices.Contains(noArgs, name):
				cmd.ValidArgsFunction = cobra.NoFileCompletions
			}
		}
		for flag, candidates := range flagValueCandidates {
			registerFlag(cmd, flag, completeFlagValues(cmd, flag, candidates))
		}
		registerFlag(cmd, "status", completePhases)
		registerFlag(cmd, "cronjob", completeCronJobNames(configFlags))
		registerFlag(cmd, "from", withPrefix("cronjob/", completeCronJobNames(configFlags)))
		registerFlag(cmd, "container", completeContainerNames(configFlags))
		registerFlag(cmd, "filename", completeManifestFiles)
	}
}

// registerFlag registers f for cmd's flag if cmd has that flag and nothing
// registered a completion for it yet.
func registerFlag(cmd *cobra.Command, flag string, f cobra.CompletionFunc) {
	// Flags(), not LocalFlags(): the latter merges every inherited flag set
	// and made building the command tree cost each run ~1 ms.
	if cmd.Flags().Lookup(flag) == nil && cmd.PersistentFlags().Lookup(flag) == nil {
		return
	}
	if _, ok := cmd.GetFlagCompletionFunc(flag); ok {
		return
	}
	// The only error is "already registered", excluded above.
	_ = cmd.RegisterFlagCompletionFunc(flag, f)
}

// completeJobNames completes the names of the Jobs in the namespace that
// -n/--context/--kubeconfig select, skipping names already on the line.
func completeJobNames(configFlags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return listNames(configFlags, toComplete, args, kube.JobNames)
	}
}

// completeCronJobNames completes the names of the CronJobs in the namespace
// that -n/--context/--kubeconfig select.
func completeCronJobNames(configFlags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return listNames(configFlags, toComplete, nil, kube.CronJobNames)
	}
}

// completeJobOrCronJobNames completes Job names, and CronJob names once the
// word starts with "cronjob/" (offered as a choice among the Job names).
func completeJobOrCronJobNames(configFlags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	jobs := completeJobNames(configFlags)
	cronJobs := withPrefix("cronjob/", completeCronJobNames(configFlags))
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if strings.HasPrefix(toComplete, "cronjob/") {
			names, directive := cronJobs(cmd, nil, toComplete)
			return without(names, args), directive
		}
		names, directive := jobs(cmd, args, toComplete)
		if strings.HasPrefix("cronjob/", toComplete) {
			names = append(names, "cronjob/")
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return names, directive
	}
}

// completeContainerNames completes -c with the containers of the Job named by
// the first argument.
func completeContainerNames(configFlags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return listNames(configFlags, toComplete, nil, kube.ContainerNames(args[0]))
	}
}

// completeNamespaces completes -n with the cluster's namespaces.
func completeNamespaces(configFlags *genericclioptions.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return listNames(configFlags, toComplete, nil, kube.NamespaceNames)
	}
}

// completeKubeconfigNames completes --context, --cluster and --user from the
// kubeconfig, without contacting the cluster.
func completeKubeconfigNames(configFlags *genericclioptions.ConfigFlags, kind string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		config, err := configFlags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			cobra.CompDebugln("reading kubeconfig: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		switch kind {
		case "context":
			for name := range config.Contexts {
				names = append(names, name)
			}
		case "cluster":
			for name := range config.Clusters {
				names = append(names, name)
			}
		case "user":
			for name := range config.AuthInfos {
				names = append(names, name)
			}
		}
		return matching(names, toComplete, nil), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFlagValues completes a flag with the candidates its help text on cmd
// names, so completion offers exactly what the command documents.
func completeFlagValues(cmd *cobra.Command, flag string, candidates []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		// Worked out here, not when the command tree is built: every run
		// builds the tree, only completion needs this.
		f := cmd.Flags().Lookup(flag)
		if f == nil {
			f = cmd.PersistentFlags().Lookup(flag)
		}
		var documented []string
		for _, c := range candidates {
			if f != nil && mentions(f.Usage, strings.TrimSuffix(c, "=")) {
				documented = append(documented, c)
			}
		}
		values := matching(documented, toComplete, nil)
		directive := cobra.ShellCompDirectiveNoFileComp
		if len(values) > 0 && allHaveSuffix(values, "=") {
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return values, directive
	}
}

// completePhases completes --status, a comma-separated list of verdict phases:
// only the word after the last comma is completed.
func completePhases(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	given := strings.Split(strings.ToLower(done), ",")
	var out []string
	for _, p := range explain.Phases {
		name := string(p)
		if slices.Contains(given, strings.ToLower(name)) {
			continue
		}
		if strings.HasPrefix(strings.ToLower(name), strings.ToLower(last)) {
			out = append(out, done+name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeManifestFiles completes -f with YAML and JSON files.
func completeManifestFiles(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return []string{"yaml", "yml", "json"}, cobra.ShellCompDirectiveFilterFileExt
}

// describeCompletionCmd rewrites the help of cobra's completion command: its
// scripts complete the kubectl-job binary, while "kubectl job <TAB>" is
// completed by kubectl through the kubectl_complete-job helper.
func describeCompletionCmd(root *cobra.Command) {
	const plugin = `"kubectl job <TAB>" is completed by kubectl itself (1.26 or newer, with
kubectl's own completion loaded), which asks the kubectl_complete-job helper
shipped next to kubectl-job: put kubectl_complete-job on your PATH. The script
printed here completes the kubectl-job binary when it is run directly.

`
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Long = plugin + c.Long
		for _, shell := range c.Commands() {
			shell.Long = plugin + strings.ReplaceAll(shell.Long, "kubectl-job completion", "kubectl job completion")
			shell.Example = "  # Print the " + shell.Name() + " completion script of kubectl-job\n  kubectl job completion " + shell.Name()
		}
	}
}
