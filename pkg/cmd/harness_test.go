package cmd

import (
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// cmdRun is what one run of the plugin printed and returned.
type cmdRun struct {
	stdout, stderr string
	code           int
}

// runJob runs "kubectl job ARGS" the way main does (the root command, its
// flags, Execute's error lines and exit code) against client, in namespace
// ns unless ARGS say otherwise, with the clock fixed at now. It is the
// command-test harness: every command is reached the same way.
func runJob(t *testing.T, client kubernetes.Interface, now time.Time, stdin string, args ...string) cmdRun {
	t.Helper()
	savedClient, savedClock := newClient, clock
	t.Cleanup(func() { newClient, clock = savedClient, savedClock })
	newClient = func(*genericclioptions.ConfigFlags, ...func(*rest.Config)) (kube.Client, error) {
		return client, nil
	}
	clock = func() time.Time { return now }

	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	root := NewCmdJob(streams)
	line := append([]string{}, args...)
	if len(line) > 0 && !strings.HasPrefix(line[0], "-") {
		line = append([]string{line[0], "--namespace=ns"}, line[1:]...)
	}
	root.SetArgs(line)
	code := Execute(root, streams)
	return cmdRun{stdout: out.String(), stderr: errOut.String(), code: code}
}
