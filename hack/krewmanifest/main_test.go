package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRender pins the output format of krew-release-bot's addURIAndSha: a
// manifest rendered here must be the one the bot would open a PR with.
func TestRender(t *testing.T) {
	text := `spec:
  version: {{ .TagName }}
  platforms:
  - selector:
      matchLabels:
        os: linux
    {{addURIAndSha "https://example.invalid/download/{{ .TagName }}/kubectl-job_{{ .TagName }}_linux_amd64.tar.gz" .TagName }}
    bin: kubectl-job
`
	want := `spec:
  version: v0.1.0
  platforms:
  - selector:
      matchLabels:
        os: linux
    uri: https://example.invalid/download/v0.1.0/kubectl-job_v0.1.0_linux_amd64.tar.gz
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    bin: kubectl-job
`
	var asked string
	got, err := render(text, "v0.1.0", "", func(name string) (string, error) {
		asked = name
		return "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("render (-want +got):\n%s", diff)
	}
	if asked != "kubectl-job_v0.1.0_linux_amd64.tar.gz" {
		t.Errorf("looked up %q", asked)
	}
	if v := versionOf("v1.2.3"); v != "1.2.3" {
		t.Errorf("versionOf = %q", v)
	}
}
