package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
)

// outputFlags is kubectl's -o (genericclioptions.PrintFlags) without the Go
// template formats (go-template, go-template-file, template, templatefile).
// Any reachable text/template execution makes the Go linker keep every
// exported method of every type in the binary: with PrintFlags the plugin
// was 53 MB instead of 33 MB and started slower. jsonpath covers what
// templates are used for with Jobs; -o json | jq covers the rest.
type outputFlags struct {
	Format     string
	jsonYAML   *genericclioptions.JSONYamlPrintFlags
	name       *genericclioptions.NamePrintFlags
	jsonPath   *genericclioptions.JSONPathPrintFlags
	typeSetter func() *cliprinters.TypeSetterPrinter
	// extra formats the command renders itself ("wide", "custom-columns"),
	// listed in help and in the unknown-format error.
	extra []string
}

// goTemplateFormats are refused with a hint instead of "unknown format".
var goTemplateFormats = []string{"go-template", "go-template-file", "template", "templatefile"}

// newOutputFlags: operation is the name printer's verb ("created"); a nil
// typeSetter keeps objects' apiVersion/kind as they are.
func newOutputFlags(operation string, typeSetter func() *cliprinters.TypeSetterPrinter, extra ...string) *outputFlags {
	return &outputFlags{
		jsonYAML:   genericclioptions.NewJSONYamlPrintFlags(),
		name:       genericclioptions.NewNamePrintFlags(operation),
		jsonPath:   genericclioptions.NewJSONPathPrintFlags("", true),
		typeSetter: typeSetter,
		extra:      extra,
	}
}

// AllowedFormats lists every -o value, kubectl's order (sorted).
func (f *outputFlags) AllowedFormats() []string {
	formats := append(f.jsonYAML.AllowedFormats(), f.name.AllowedFormats()...)
	formats = append(formats, f.jsonPath.AllowedFormats()...)
	formats = append(formats, f.extra...)
	return sortedUnique(formats)
}

// AddFlags adds -o, --show-managed-fields, --template and
// --allow-missing-template-keys, as kubectl's PrintFlags does.
func (f *outputFlags) AddFlags(cmd *cobra.Command) {
	f.jsonYAML.AddFlags(cmd)
	f.name.AddFlags(cmd)
	f.jsonPath.AddFlags(cmd)
	cmd.Flags().StringVarP(&f.Format, "output", "o", f.Format,
		fmt.Sprintf("Output format. One of: (%s).", strings.Join(f.AllowedFormats(), ", ")))
}

// setDryRun makes -o name say "created (server dry run)" as kubectl does.
func (f *outputFlags) setDryRun(strategy dryRunStrategy) {
	switch strategy {
	case dryRunClient:
		f.name.Operation += " (dry run)"
	case dryRunServer:
		f.name.Operation += " (server dry run)"
	}
}

// ToPrinter returns the printer for the -o format, or an error listing the
// allowed formats. A --template without -o means -o jsonpath.
func (f *outputFlags) ToPrinter() (cliprinters.ResourcePrinter, error) {
	format := f.Format
	if format == "" && *f.jsonPath.TemplateArgument != "" {
		format = "jsonpath"
	}
	for _, lookup := range []func(string) (cliprinters.ResourcePrinter, error){
		f.jsonYAML.ToPrinter, f.name.ToPrinter, f.jsonPath.ToPrinter,
	} {
		if p, err := lookup(format); !genericclioptions.IsNoCompatiblePrinterError(err) {
			if f.typeSetter != nil {
				return f.typeSetter().WrapToPrinter(p, err)
			}
			return p, err
		}
	}
	return nil, f.unknownFormat(format)
}

func (f *outputFlags) unknownFormat(format string) error {
	base, _, _ := strings.Cut(format, "=")
	for _, t := range goTemplateFormats {
		if base == t {
			return withHint(fmt.Errorf("-o %s is not supported: kubectl-job leaves out Go templates, which would add 20 MB to the plugin and slow every command's start-up", base),
				"use -o jsonpath=... (the same {.field} paths), or -o json and a JSON tool")
		}
	}
	return fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: %s", format, strings.Join(f.AllowedFormats(), ","))
}

// dryRunStrategy is --dry-run: none, client (nothing is sent) or server
// (sent with dryRun=All).
type dryRunStrategy int

const (
	dryRunNone dryRunStrategy = iota
	dryRunClient
	dryRunServer
)

// sortedUnique sorts and drops repeats.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
