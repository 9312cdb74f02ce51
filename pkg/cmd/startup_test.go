package cmd

import (
	"bytes"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// BenchmarkStartVersion is what every run pays before its own work: build
// the command tree and dispatch (here to version). Completion registration
// once made it 3.4 ms (regexps and flag-set merges per flag); see
// completeFlagValues and registerFlag.
func BenchmarkStartVersion(b *testing.B) {
	for b.Loop() {
		var out bytes.Buffer
		streams := genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &out}
		root := NewCmdJob(streams)
		root.SetArgs([]string{"version"})
		if code := Execute(root, streams); code != 0 {
			b.Fatalf("exit %d: %s", code, out.String())
		}
	}
}
