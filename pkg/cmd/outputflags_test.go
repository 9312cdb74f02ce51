package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/scheme"

	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// The plugin's own -o, error wording and terminal check replace kubectl's
// (k8s.io/kubectl stays a test-only dependency): these tests hold them to
// kubectl's output, which is the oracle.

// TestOutputFlagsMatchKubectl: every format outputFlags offers prints what
// kubectl's PrintFlags prints, for a Job as typed clients return it (no
// apiVersion/kind) and with each --dry-run strategy.
func TestOutputFlagsMatchKubectl(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tmpl")
	if err := os.WriteFile(file, []byte(`{.metadata.name}/{.kind}`), 0o600); err != nil {
		t.Fatal(err)
	}
	job := func() *batchv1.Job {
		return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: "ns", Labels: map[string]string{"a": "b"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl-job"}}}}
	}
	formats := []string{"", "json", "yaml", "kyaml", "name", "jsonpath={.metadata.name} {.kind}", "jsonpath-as-json={.metadata}", "jsonpath-file=" + file}
	for _, format := range formats {
		for _, dry := range []dryRunStrategy{dryRunNone, dryRunClient, dryRunServer} {
			for _, managed := range []bool{false, true} {
				name := fmt.Sprintf("%q dry-run %d managed-fields %v", format, dry, managed)
				ours := newOutputFlags("created", printers.JobTypeSetter)
				ours.Format, ours.jsonYAML.ShowManagedFields = format, managed
				ours.setDryRun(dry)
				theirs := genericclioptions.NewPrintFlags("created").WithTypeSetter(scheme.Scheme)
				*theirs.OutputFormat, theirs.JSONYamlPrintFlags.ShowManagedFields = format, managed
				cmdutil.PrintFlagsWithDryRunStrategy(theirs, map[dryRunStrategy]cmdutil.DryRunStrategy{
					dryRunNone: cmdutil.DryRunNone, dryRunClient: cmdutil.DryRunClient, dryRunServer: cmdutil.DryRunServer}[dry])
				var got, want bytes.Buffer
				p, err := ours.ToPrinter()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				kp, err := theirs.ToPrinter()
				if err != nil {
					t.Fatalf("%s: kubectl: %v", name, err)
				}
				if err := p.PrintObj(job(), &got); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if err := kp.PrintObj(job(), &want); err != nil {
					t.Fatalf("%s: kubectl: %v", name, err)
				}
				if got.String() != want.String() || got.Len() == 0 {
					t.Errorf("%s:\n got %q\nwant %q", name, got.String(), want.String())
				}
			}
		}
	}
}

// TestOutputFlagsTemplateFlag: --template without -o means jsonpath, as in
// kubectl; Go template formats are refused with the jsonpath hint.
func TestOutputFlagsTemplateFlag(t *testing.T) {
	f := newOutputFlags("", nil)
	*f.jsonPath.TemplateArgument = "{.metadata.name}"
	p, err := f.ToPrinter()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := p.PrintObj(&batchv1.Job{TypeMeta: metav1.TypeMeta{Kind: "Job", APIVersion: "batch/v1"}, ObjectMeta: metav1.ObjectMeta{Name: "pi"}}, &out); err != nil || out.String() != "pi" {
		t.Errorf("got %q, %v", out.String(), err)
	}
	for _, format := range goTemplateFormats {
		f := newOutputFlags("", nil)
		f.Format = format + "={{.metadata.name}}"
		if _, err := f.ToPrinter(); err == nil || errorMessage(err) != fmt.Sprintf("error: -o %s is not supported: kubectl-job leaves out Go templates, which would add 20 MB to the plugin and slow every command's start-up; use -o jsonpath=... (the same {.field} paths), or -o json and a JSON tool", format) {
			t.Errorf("%s: %v", format, err)
		}
	}
}

// TestErrorWordingMatchesKubectl: API and connection errors read exactly as
// kubectl's StandardErrorMessage words them.
func TestErrorWordingMatchesKubectl(t *testing.T) {
	gr := schema.GroupResource{Group: "batch", Resource: "jobs"}
	for _, err := range []error{
		apierrors.NewNotFound(gr, "pi"),
		apierrors.NewForbidden(gr, "pi", errors.New("no")),
		apierrors.NewUnauthorized("token expired"),
		apierrors.NewTooManyRequests("slow down", 3),
		&apierrors.StatusError{ErrStatus: metav1.Status{Message: "odd"}},
		&url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api", Err: syscall.ECONNREFUSED},
		&url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api", Err: errors.New("tls: bad certificate")},
	} {
		want, _ := cmdutil.StandardErrorMessage(err)
		var got string
		var status apierrors.APIStatus
		var urlErr *url.Error
		switch {
		case errors.As(err, &status):
			got = serverErrorMessage(status)
		case errors.As(err, &urlErr):
			got = connectionErrorMessage(urlErr)
		}
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
}

// TestIsTerminalInput: a pipe, /dev/null and a non-file are not terminals
// (prune then asks for --yes).
func TestIsTerminalInput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(); _ = w.Close() }()
	if isTerminalInput(r) || isTerminalInput(bytes.NewBufferString("y\n")) {
		t.Error("a pipe or a buffer counted as a terminal")
	}
	// /dev/null is a character device, not a terminal: prune once deleted
	// without --yes when stdin was /dev/null (e2e TestPrune caught it).
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = devNull.Close() }()
	if isTerminalInput(devNull) {
		t.Error("/dev/null counted as a terminal")
	}
	if tty, err := os.Open("/dev/tty"); err == nil {
		defer func() { _ = tty.Close() }()
		if !isTerminalInput(tty) {
			t.Error("/dev/tty is not a terminal")
		}
	}
}
