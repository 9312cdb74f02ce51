package cmd

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
)

// TestRootErrors: input cobra or pflag reject before any command runs gives
// one kubectl-style line on stderr, nothing on stdout, and exit 1.
func TestRootErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `error: unknown command "bogus" for "kubectl job" (did you mean "logs"?); see 'kubectl job --help'`},
		{[]string{"lgs"}, `error: unknown command "lgs" for "kubectl job" (did you mean "list" or "logs"?); see 'kubectl job --help'`},
		{[]string{"--bogus"}, `error: unknown flag: --bogus; see 'kubectl job --help'`},
		{[]string{"create", "--bogus"}, `error: unknown flag: --bogus; see 'kubectl job create --help'`},
		{[]string{"create", "x", "--completions=abc"}, `error: invalid value "abc" for --completions: want a whole number; see 'kubectl job create --help'`},
		{[]string{"wait", "x", "--timeout=soon"}, `error: invalid value "soon" for --timeout: want a duration such as 30s, 5m or 1h30m; see 'kubectl job wait --help'`},
		{[]string{"list", "--kubeconfig", "/nonexistent/kubeconfig"}, `error: --kubeconfig /nonexistent/kubeconfig: no such file or directory; give the path of a kubeconfig file, or leave --kubeconfig out to use $KUBECONFIG or ~/.kube/config`},
		{[]string{"list", "-n"}, `error: flag needs an argument: 'n' in -n; see 'kubectl job list --help'`},
		{[]string{"version", "extra"}, `error: kubectl job version takes no arguments, got ["extra"]; see 'kubectl job version --help'`},
		{[]string{"list", "-o", "foo"}, `error: unable to match a printer suitable for the output format "foo", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml`},
		{[]string{"version", "-o", "wide"}, `error: unable to match a printer suitable for the output format "wide", allowed formats are: json, yaml; see 'kubectl job version --help'`},
		{[]string{"explain", "a", "b"}, `error: kubectl job explain takes one Job name, got 2: a b; see 'kubectl job explain --help'`},
		{[]string{"completion"}, `error: kubectl job completion needs a subcommand: one of bash, fish, powershell, zsh; see 'kubectl job completion --help'`},
		{[]string{"completion", "fish2"}, `error: unknown command "fish2" for "kubectl job completion" (did you mean "fish"?); see 'kubectl job completion --help'`},
		{[]string{"completion", "cmd"}, `error: unknown command "cmd" for "kubectl job completion": want one of bash, fish, powershell, zsh; see 'kubectl job completion --help'`},
		{[]string{"completion", "bash", "x"}, `error: kubectl job completion bash takes no arguments, got ["x"]; see 'kubectl job completion bash --help'`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			root := NewCmdJob(streams)
			root.SetArgs(tt.args)
			code := Execute(root, streams)
			if code != exitcode.Error || out.Len() != 0 || errOut.String() != tt.want+"\n" {
				t.Errorf("exit %d\nstdout: %q\nstderr: %q\nwant:   %q", code, out, errOut, tt.want)
			}
		})
	}
}

// TestRootHelp: the root without arguments prints its help and exits 0, like kubectl.
func TestRootHelp(t *testing.T) {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := NewCmdJob(streams)
	root.SetArgs([]string{})
	if code := Execute(root, streams); code != exitcode.OK || !strings.Contains(out.String(), "Available Commands:") || errOut.Len() != 0 {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// TestThrottlingNamedOnTimeout: when --request-timeout passes while
// client-go retries 429s, the one error line says the server was throttling.
func TestThrottlingNamedOnTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	throttled.Store(false)
	defer throttled.Store(false)
	timeout := &url.Error{Op: "Get", URL: srv.URL, Err: context.DeadlineExceeded}
	if msg := errorMessage(timeout); strings.Contains(msg, "throttling") {
		t.Errorf("not throttled yet: %q", msg)
	}
	res, err := throttleWatch{http.DefaultTransport}.RoundTrip(httptest.NewRequest(http.MethodGet, srv.URL, nil).WithContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	want := "Unable to connect to the server: context deadline exceeded; the API server was throttling these requests (429 Too Many Requests: API Priority and Fairness): retry later or allow more time with --request-timeout"
	if msg := errorMessage(timeout); msg != want {
		t.Errorf("after a 429: %q, want %q", msg, want)
	}
	if msg := errorMessage(errors.New("boom")); strings.Contains(msg, "throttling") {
		t.Errorf("not a timeout: %q", msg)
	}
}

// TestVersionOutput: -o json and yaml carry the same fields as the line.
func TestVersionOutput(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		streams, _, out, errOut := genericiooptions.NewTestIOStreams()
		root := NewCmdJob(streams)
		root.SetArgs([]string{"version", "-o", format})
		if code := Execute(root, streams); code != exitcode.OK || errOut.Len() != 0 {
			t.Fatalf("-o %s: exit %d stderr %s", format, code, errOut)
		}
		var got map[string]string
		if err := yaml.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("-o %s: %v\n%s", format, err, out)
		}
		for _, key := range []string{"version", "commit", "buildDate", "goVersion", "platform"} {
			if got[key] == "" {
				t.Errorf("-o %s: no %s in %s", format, key, out)
			}
		}
	}
}
