package cmd

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// --save is refused, before any request, without the flag that streams.
func TestSaveNeedsFollow(t *testing.T) {
	for _, args := range [][]string{
		{"logs", "pi", "--save", "d"},
		{"create", "pi", "--image=busybox", "--save", "d"},
		{"rerun", "pi", "--save", "d"},
		{"wait", "a", "b", "--save", "d"},
		{"wait", "-l", "app=x", "--save", "d"},
	} {
		streams, _, out, errOut := genericiooptions.NewTestIOStreams()
		root := NewCmdJob(streams)
		root.SetArgs(append(args, "--kubeconfig=/dev/null"))
		root.SetOut(out)
		root.SetErr(errOut)
		err := root.Execute()
		if err == nil || !strings.Contains(err.Error(), "--save") {
			t.Errorf("%v: error %v, want one about --save", args, err)
		}
		if out.Len() > 0 {
			t.Errorf("%v printed %q", args, out)
		}
	}
}
