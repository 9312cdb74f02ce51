package printers

import "testing"

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

func FuzzSanitize(f *testing.F) {
	f.Add("\x1b[31m\u009b\n\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range Sanitize(s) {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isUnsafeRune(r) {
				t.Fatalf("Sanitize(%q) kept control rune %U", s, r)
			}
		}
	})
}
