package cmd

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/version"
)

// versionInfo is what `kubectl job version -o json|yaml` prints, in the
// spirit of kubectl version's clientVersion.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// NewCmdVersion prints the plugin's version; it needs no cluster.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the kubectl-job version",
		Example: `  # Print the version, commit and build date
  kubectl job version

  # The same as JSON, for scripts
  kubectl job version -o json`,
		Args: takesNoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := versionInfo{Version: version.Version, Commit: version.Commit, BuildDate: version.Date,
				GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			switch output {
			case "":
				fmt.Fprintf(streams.Out, "kubectl-job %s (commit %s, built %s)\n", info.Version, info.Commit, info.BuildDate)
				return nil
			case "json":
				data, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintf(streams.Out, "%s\n", data)
				return nil
			case "yaml":
				data, err := yaml.Marshal(info)
				if err != nil {
					return err
				}
				fmt.Fprintf(streams.Out, "%s", data)
				return nil
			}
			return withHint(fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: json, yaml", output), "see 'kubectl job version --help'")
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Output format: json or yaml (default: one line)")
	return cmd
}
