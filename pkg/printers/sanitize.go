package printers

import (
	"fmt"
	"unicode/utf8"
)

// Sanitize makes a string from the cluster (a name, a message, a reason)
// safe to print on one line of a terminal: ESC becomes "^[" as kubectl
// prints it, other C0/C1 control characters, DEL, newlines and the Unicode
// bidirectional overrides become visible escapes (\n, \x07, \u009b,
// \u202e), so no string can move the cursor, recolour, retitle the terminal
// or break a table row. It is the one escaping rule of every human output;
// only bytes a user asks for raw (logs on a pipe, -o json) are left as
// they are.
func Sanitize(s string) string { return sanitize(s, keepNone) }

// SanitizeText is Sanitize for multi-line text: newlines and tabs are kept.
func SanitizeText(s string) string { return sanitize(s, keepLines) }

// AppendSanitizedLine appends one log line to dst with Sanitize's rule,
// keeping tabs: what kubectl job logs prints on a terminal.
func AppendSanitizedLine(dst, line []byte) []byte {
	if !needsEscape(string(line), keepTabs) {
		return append(dst, line...)
	}
	return appendSanitized(dst, string(line), keepTabs)
}

// What sanitizing keeps of the whitespace controls.
type keep int

const (
	keepNone  keep = iota
	keepTabs       // a log line
	keepLines      // text: newlines and tabs
)

func (k keep) keeps(r rune) bool {
	return r == '\t' && k != keepNone || r == '\n' && k == keepLines
}

func sanitize(s string, k keep) string {
	if !needsEscape(s, k) {
		return s
	}
	return string(appendSanitized(make([]byte, 0, len(s)+8), s, k))
}

func appendSanitized(b []byte, s string, k keep) []byte {
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			b = fmt.Appendf(b, `\x%02x`, s[i])
		case k.keeps(r):
			b = append(b, byte(r))
		case r == 0x1b:
			b = append(b, "^["...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20 || r == 0x7f:
			b = fmt.Appendf(b, `\x%02x`, r)
		case isUnsafeRune(r):
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, s[i:i+size]...)
		}
	}
	return b
}

func needsEscape(s string, k keep) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == 0x7f || (c < 0x20 && !k.keeps(rune(c))) {
			if c < 0x80 {
				return true
			}
			// Multi-byte: check the runes properly.
			for _, r := range s[i:] {
				if r == utf8.RuneError || isUnsafeRune(r) || r < 0x20 && !k.keeps(r) || r == 0x7f {
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
