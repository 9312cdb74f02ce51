package cmd

// How completion lists names from the cluster (bounded by
// completionTimeout) and filters them for the word being completed.

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// nameLister lists names in a namespace.
type nameLister func(ctx context.Context, c kube.Client, namespace string) ([]string, error)

// listNames runs list against the cluster and namespace the flags select and
// returns the names starting with toComplete, minus those in exclude. Errors
// go to cobra's completion debug log: a shell has nowhere to show them.
func listNames(configFlags *genericclioptions.ConfigFlags, toComplete string, exclude []string, list nameLister) ([]string, cobra.ShellCompDirective) {
	namespace, _, err := configFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		cobra.CompDebugln("reading kubeconfig: "+err.Error(), false)
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	client, err := completionClient(configFlags)
	if err != nil {
		cobra.CompDebugln("building client: "+err.Error(), false)
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	names, err := list(ctx, client, namespace)
	if err != nil {
		cobra.CompDebugln("listing: "+err.Error(), false)
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return matching(names, toComplete, exclude), cobra.ShellCompDirectiveNoFileComp
}

// maxArgs stops f from offering anything once n arguments are on the line.
func maxArgs(n int, f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) >= n {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f(cmd, args, toComplete)
	}
}

// withPrefix completes words of the form prefix+NAME with f's names.
func withPrefix(prefix string, f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if !strings.HasPrefix(toComplete, prefix) {
			if strings.HasPrefix(prefix, toComplete) {
				return []string{prefix}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, directive := f(cmd, args, strings.TrimPrefix(toComplete, prefix))
		for i := range names {
			names[i] = prefix + names[i]
		}
		return names, directive
	}
}

// matching returns the sorted names that start with prefix and are not in
// exclude.
func matching(names []string, prefix string, exclude []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !slices.Contains(exclude, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func without(names, exclude []string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return slices.Contains(exclude, n) })
}

func allHaveSuffix(values []string, suffix string) bool {
	for _, v := range values {
		if !strings.HasSuffix(v, suffix) {
			return false
		}
	}
	return true
}

// mentions reports whether text names word as a whole word; a hyphen counts
// as part of a word, so "json" is not found in "jsonpath-as-json".
func mentions(text, word string) bool {
	return regexp.MustCompile(`(^|[^\w-])` + regexp.QuoteMeta(word) + `($|[^\w-])`).MatchString(text)
}
