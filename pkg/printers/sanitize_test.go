package printers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":            "plain text",
		"héllo wörld ✓":         "héllo wörld ✓",
		"\x1b[31mred\x1b[0m":    "^[[31mred^[[0m",
		"a\nb\r\tc":             `a\nb\r\tc`,
		"bell\x07del\x7f":       `bell\x07del\x7f`,
		"csi\u009b2J":           `csi\u009b2J`,
		"title\x1b]0;pwned\x07": `title^[]0;pwned\x07`,
		"trojan\u202esource":    `trojan\u202esource`,
		"bad utf8 \xff":         `bad utf8 \xff`,
		"":                      "",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SanitizeText("line1\n\tline2\x1b[2J\r"); got != "line1\n\tline2^[[2J\\r" {
		t.Errorf("SanitizeText = %q", got)
	}
}

// FuzzSanitize: whatever a cluster string holds, the sanitized text holds
// no control character (SanitizeText: except newline and tab), no ESC byte
// and no bidi override; sanitizing twice changes nothing more; and text that
// needed no escaping is printed as it is.
func FuzzSanitize(f *testing.F) {
	f.Add("\x1b[31m\u009b\n\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{"Sanitize": Sanitize, "SanitizeText": SanitizeText} {
			out := fn(s)
			for _, r := range out {
				kept := name == "SanitizeText" && (r == '\n' || r == '\t')
				if !kept && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isUnsafeRune(r)) {
					t.Fatalf("%s(%q) kept control rune %U", name, s, r)
				}
			}
			if strings.ContainsAny(out, "\x1b\x07\r") {
				t.Fatalf("%s(%q) = %q holds ESC, BEL or CR", name, s, out)
			}
			if again := fn(out); again != out {
				t.Fatalf("%s is not idempotent on %q: %q then %q", name, s, out, again)
			}
			if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
				return r < 0x20 || r == 0x7f || isUnsafeRune(r)
			}) && out != s {
				t.Fatalf("%s(%q) = %q changed safe text", name, s, out)
			}
		}
	})
}

// TestSanitizedLogLine: a log line on a terminal gets Sanitize's rule but
// keeps its tabs.
func TestSanitizedLogLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"tab\tok":          "tab\tok",
		"bell\a":           `bell\x07`,
		"csi\u009b2J":      `csi\u009b2J`,
		"ünïcode ✓":        "ünïcode ✓",
		"bad \xff byte":    `bad \xff byte`,
		"del\x7f":          `del\x7f`,
		"\x1b]0;title\x07": `^[]0;title\x07`,
		"trojan\u202esrc":  `trojan\u202esrc`,
		"iso\u2066late":    `iso\u2066late`,
	} {
		if got := string(AppendSanitizedLine(nil, []byte(in))); got != want {
			t.Errorf("AppendSanitizedLine(%q) = %q, want %q", in, got, want)
		}
	}
}
