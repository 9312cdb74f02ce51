// Package printers renders kubectl-job's human output. It is the only
// importer of tablewriter: every table in the plugin goes through PrintTable
// so all of them look like kubectl's (borderless, left aligned, no wrapping,
// three spaces between columns, no trailing blanks).
package printers

import (
	"bytes"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// columnGap separates columns, as in kubectl get.
const columnGap = "   "

// Table is a header and rows of already formatted cells.
type Table struct {
	Headers []string
	Rows    [][]string
}

// alignedRowsThreshold is the size above which PrintTable lays out plain
// tables itself. tablewriter spends ~150 µs a row on this layout (a profile
// of `list -A` over 2,000 Jobs put most of the command's CPU there); the
// aligned writer produces the same bytes, which a test checks against
// tablewriter on random tables, at a few µs a row.
const alignedRowsThreshold = 200

// PrintTable writes t like kubectl get does. With noHeaders the header line
// is left out (--no-headers).
func PrintTable(w io.Writer, t Table, noHeaders bool) error {
	if len(t.Rows) > alignedRowsThreshold && plainTable(t) {
		return printAligned(w, t, noHeaders)
	}
	return printWithTablewriter(w, t, noHeaders)
}

func printWithTablewriter(w io.Writer, t Table, noHeaders bool) error {
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{ShowHeader: tw.Off, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone, AutoFormat: tw.Off},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: columnGap, Overwrite: true}},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: columnGap, Overwrite: true}},
			},
		}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	if !noHeaders {
		table.Header(toAny(t.Headers)...)
	}
	for _, row := range t.Rows {
		if err := table.Append(toAny(row)...); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	// Trailing blanks come from the right padding of the last column.
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func toAny(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	return out
}

// plainTable reports whether every row has the header's number of cells and
// no cell holds a line break or tab, which tablewriter would lay out across
// lines: the aligned writer handles exactly the tables without those.
func plainTable(t Table) bool {
	for _, row := range t.Rows {
		if len(row) != len(t.Headers) {
			return false
		}
		for _, c := range row {
			if strings.ContainsAny(c, "\n\r\t") {
				return false
			}
		}
	}
	return !strings.ContainsAny(strings.Join(t.Headers, ""), "\n\r\t")
}

// printAligned writes a plain table the way printWithTablewriter does: each
// column as wide as its widest cell (display width, as tablewriter measures
// it) plus the gap, no trailing blanks.
func printAligned(w io.Writer, t Table, noHeaders bool) error {
	widths := make([]int, len(t.Headers))
	cellWidths := make([][]int, len(t.Rows))
	measure := func(cells []string) []int {
		ws := make([]int, len(cells))
		for i, c := range cells {
			ws[i] = displayWidth(c)
			widths[i] = max(widths[i], ws[i])
		}
		return ws
	}
	var headerWidths []int
	if !noHeaders {
		headerWidths = measure(t.Headers)
	}
	for i, row := range t.Rows {
		cellWidths[i] = measure(row)
	}
	var b strings.Builder
	line := func(cells []string, ws []int) {
		var l strings.Builder
		for i, c := range cells {
			l.WriteString(c)
			if i < len(cells)-1 {
				l.WriteString(strings.Repeat(" ", widths[i]-ws[i]+len(columnGap)))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	if !noHeaders {
		line(t.Headers, headerWidths)
	}
	for i, row := range t.Rows {
		line(row, cellWidths[i])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is a cell's width on a terminal as tablewriter measures it,
// with a fast path for printable ASCII (almost every cell), where it is the
// byte length: twwidth's general path was a fifth of list -A's rendering.
func displayWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return twwidth.Width(s)
		}
	}
	return len(s)
}
