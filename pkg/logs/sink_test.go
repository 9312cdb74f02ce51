package logs

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"lines", "a\nb\n", []string{"a", "b"}},
		{"no trailing newline", "a\nb", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"blank lines kept", "a\n\nb\n", []string{"a", "", "b"}},
		{"medium line kept whole", strings.Repeat("y", 100000) + "\n", []string{strings.Repeat("y", 100000)}},
		{"huge line cut at maxLine", long + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := readLines(strings.NewReader(tt.in), func(l []byte) error {
				got = append(got, string(l))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "huge line cut at maxLine" {
				if len(got) != 2 || len(got[0]) != maxLine || got[0]+got[1] != long {
					t.Fatalf("got %d pieces", len(got))
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	boom := errors.New("boom")
	var got []string
	err := readLines(io.MultiReader(strings.NewReader("a\npart"), &errReader{boom}), func(l []byte) error {
		got = append(got, string(l))
		return nil
	})
	// The piece of a line a broken connection cut is not a line.
	if !errors.Is(err, boom) || len(got) != 1 || got[0] != "a" {
		t.Errorf("read error %v, lines %q; want boom and only the whole line", err, got)
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

func TestSink(t *testing.T) {
	a := &source{label: "0/1", header: "==> pod a <==", seq: 0}
	b := &source{label: "pod-b", header: "==> pod b <==", seq: 1}
	tests := []struct {
		name          string
		prefix, color bool
		want          string
	}{
		{"prefix", true, false, "[0/1] one\n[pod-b] two\n[0/1] th^[[2Jree\n"},
		{"headers on change", false, false, "==> pod a <==\none\n\n==> pod b <==\ntwo\n\n==> pod a <==\nth^[[2Jree\n"},
		{"colour", true, true, "\x1b[32m[0/1]\x1b[0m one\n\x1b[33m[pod-b]\x1b[0m two\n\x1b[32m[0/1]\x1b[0m th^[[2Jree\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			s := &sink{w: &out, prefix: tt.prefix, color: tt.color, escape: true}
			for _, l := range []struct {
				src  *source
				text string
			}{{a, "one"}, {b, "two"}, {a, "th\x1b[2Jree"}} {
				if err := s.line(l.src, []byte(l.text)); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSinkLinesWhole writes from many goroutines and checks every line
// arrived whole.
func TestSinkLinesWhole(t *testing.T) {
	var out bytes.Buffer
	s := &sink{w: &out, prefix: true}
	var wg sync.WaitGroup
	for g := range 8 {
		src := &source{label: string(rune('a' + g))}
		wg.Go(func() {
			line := bytes.Repeat([]byte{byte('a' + g)}, 5000)
			for range 200 {
				_ = s.line(src, line)
			}
		})
	}
	wg.Wait()
	for l := range strings.Lines(out.String()) {
		l = strings.TrimSuffix(l, "\n")
		label, text, _ := strings.Cut(l, " ")
		if len(text) != 5000 || strings.Trim(text, label[1:2]) != "" {
			t.Fatalf("interleaved line: %.40q", l)
		}
	}
}

func TestPipeBounded(t *testing.T) {
	p := newPipe(10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, err := p.Write([]byte("0123456789abcdefghij"))
		if n != 20 || err != nil {
			t.Errorf("Write = %d, %v", n, err)
		}
		p.CloseWithError(nil)
	}()
	got, err := io.ReadAll(p)
	<-done
	if err != nil || string(got) != "0123456789abcdefghij" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if cap(p.buf) > 2*10 {
		t.Errorf("buffer grew to %d", cap(p.buf))
	}

	q := newPipe(4)
	go q.Release()
	if _, err := q.Write([]byte("0123456789")); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Write after Release: %v", err)
	}
}
