package printers

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes a string from the cluster (a name, a message, a log line)
// safe to print on one line of a terminal: ESC becomes "^[" as kubectl
// prints it, other C0/C1 control characters, DEL, newlines and the Unicode
// bidirectional overrides become visible escapes (\n, \x07, \u009b,
// \u202e), so no string can move the cursor, recolour, retitle the terminal
// or break a table row.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeText is Sanitize for multi-line text: newlines and tabs are kept.
func SanitizeText(s string) string { return sanitize(s, true) }

func sanitize(s string, keepLines bool) string {
	if !needsEscape(s, keepLines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r == '\n' || r == '\t') && keepLines:
			b.WriteRune(r)
		case r == 0x1b:
			b.WriteString("^[")
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isUnsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == 0x7f || (c < 0x20 && !(keepLines && (c == '\n' || c == '\t'))) {
			if c < 0x80 {
				return true
			}
			// Multi-byte: check the runes properly.
			for _, r := range s[i:] {
				if r == utf8.RuneError || isUnsafeRune(r) || r < 0x20 && !(keepLines && (r == '\n' || r == '\t')) || r == 0x7f {
					return true
				}
			}
			return false
		}
	}
	return false
}

// isUnsafeRune reports C1 controls and the bidi embedding, override and
// isolate characters ("trojan source").
func isUnsafeRune(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
