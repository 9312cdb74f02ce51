package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-job/kubectl-job/pkg/version"
)

// NewCmdVersion prints the plugin's version; it needs no cluster.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the kubectl-job version",
		Example: `  # Print the version, commit and build date
  kubectl job version`,
		Args: takesNoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintf(streams.Out, "kubectl-job %s (commit %s, built %s)\n", version.Version, version.Commit, version.Date)
		},
	}
}
