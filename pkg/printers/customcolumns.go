package printers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/util/jsonpath"
)

// CustomColumns is -o custom-columns=HEADER:PATH,... and
// custom-columns-file=FILE as kubectl get prints them: a column per path,
// "<none>" for a missing value, several values joined by commas, aligned by
// a tab writer as kubectl aligns them. kubectl's own printer lives in
// k8s.io/kubectl/pkg/cmd/get, which the plugin does not link (it pulls in Go
// templates and kubectl's whole scheme); its tests hold this one to it.
type CustomColumns struct {
	headers   []string
	parsers   []*jsonpath.JSONPath
	noHeaders bool
}

// relaxedPath accepts kubectl's path forms: name1.name2, .name1.name2,
// {name1.name2} and {.name1.name2}.
var relaxedPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`) })

// NewCustomColumns parses spec, "HEADER:PATH" pairs separated by commas.
func NewCustomColumns(spec string, noHeaders bool) (*CustomColumns, error) {
	if spec == "" {
		return nil, errors.New("custom-columns format specified but no custom columns given")
	}
	var headers, paths []string
	for _, part := range strings.Split(spec, ",") {
		header, path, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
		}
		headers, paths = append(headers, header), append(paths, path)
	}
	return newCustomColumns(headers, paths, noHeaders)
}

// NewCustomColumnsFromFile reads a custom-columns file: a line of headers and
// a line of paths, separated by blanks.
func NewCustomColumnsFromFile(r io.Reader) (*CustomColumns, error) {
	sc := bufio.NewScanner(r)
	// kubectl's wording, so the two agree (its sentences end in a period).
	const layout = "Expected format is one line of space separated headers, one line of space separated column specs."
	if !sc.Scan() {
		return nil, errors.New("invalid template, missing header line. " + layout) //nolint:staticcheck // kubectl's message
	}
	headers := strings.Fields(sc.Text())
	if !sc.Scan() {
		return nil, errors.New("invalid template, missing spec line. " + layout) //nolint:staticcheck // kubectl's message
	}
	paths := strings.Fields(sc.Text())
	if len(headers) != len(paths) {
		return nil, fmt.Errorf("number of headers (%d) and field specifications (%d) don't match", len(headers), len(paths))
	}
	return newCustomColumns(headers, paths, false)
}

func newCustomColumns(headers, paths []string, noHeaders bool) (*CustomColumns, error) {
	c := &CustomColumns{headers: headers, noHeaders: noHeaders}
	for i, path := range paths {
		expr := path
		if path != "" {
			m := relaxedPath().FindStringSubmatch(path)
			if m == nil {
				return nil, errors.New("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
			}
			expr = "{." + m[1] + m[2] + "}"
		}
		p := jsonpath.New(fmt.Sprintf("column%d", i)).AllowMissingKeys(true)
		if err := p.Parse(expr); err != nil {
			return nil, err
		}
		c.parsers = append(c.parsers, p)
	}
	return c, nil
}

// PrintObj prints obj, or each item of a list, as a row; the header first.
// Objects are read as their JSON reads (unstructured), like kubectl get's.
func (c *CustomColumns) PrintObj(obj runtime.Object, out io.Writer) error {
	w := cliprinters.GetNewTabWriter(out)
	if !c.noHeaders {
		fmt.Fprintln(w, strings.Join(c.headers, "\t"))
	}
	items := []runtime.Object{obj}
	if meta.IsListType(obj) {
		var err error
		if items, err = meta.ExtractList(obj); err != nil {
			return err
		}
	}
	for _, item := range items {
		if err := c.printRow(w, item); err != nil {
			return err
		}
	}
	return w.Flush()
}

func (c *CustomColumns) printRow(w io.Writer, obj runtime.Object) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	cells := make([]string, len(c.parsers))
	for i, p := range c.parsers {
		results, err := p.FindResults(content)
		if err != nil {
			return err
		}
		var values []string
		for _, r := range results {
			for _, v := range r {
				values = append(values, Sanitize(fmt.Sprint(v.Interface())))
			}
		}
		if len(values) == 0 {
			values = []string{"<none>"}
		}
		cells[i] = strings.Join(values, ",")
	}
	_, err = fmt.Fprintln(w, strings.Join(cells, "\t"))
	return err
}
