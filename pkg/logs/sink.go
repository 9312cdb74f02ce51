package logs

import (
	"bufio"
	"errors"
	"io"
	"sync"

	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// source is one container of one attempt: what its lines are labelled with.
type source struct {
	label  string // prefix text, "2/1" or the pod name
	header string // "==> pod ... <==", used without prefixes
	seq    int    // colour slot
	// pod and container name the log, for Saver.
	pod, container string
}

// sink writes whole lines from any number of streams to one writer: each
// line is one Write under a lock, so lines of concurrent streams never
// interleave mid-line. With prefixes every line starts with "[label] ";
// without, a header line is written whenever the source changes (as
// tail -f does with several files).
type sink struct {
	mu     sync.Mutex
	w      io.Writer
	prefix bool
	color  bool
	// escape replaces terminal control characters in log lines: set when
	// writing to a terminal, so a log cannot drive it; raw otherwise, so
	// `kubectl job logs x > file` keeps the bytes.
	escape bool
	last   *source
	wrote  bool // a header was written; later ones get a blank line first
	// save, when set, also keeps every line per attempt (--save).
	save *Saver
	buf  []byte
	err  error
}

// palette are the prefix colours: green, yellow, blue, magenta, cyan and
// their bright forms; red is left for errors.
var palette = []string{"32", "33", "34", "35", "36", "92", "93", "94", "95", "96"}

// begin makes src the current source, writing its header when lines carry
// no prefix, so an attempt with no output still shows up.
func (s *sink) begin(src *source) error {
	s.save.begin(src)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prefix || s.last == src {
		return s.err
	}
	s.buf = s.buf[:0]
	s.appendHeader(src)
	return s.flush()
}

// line writes one line of src; line has no trailing newline.
func (s *sink) line(src *source, line []byte) error {
	s.save.line(src, line)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.buf = s.buf[:0]
	if s.prefix {
		s.buf = append(s.buf, s.paint(src, "["+src.label+"]")...)
		s.buf = append(s.buf, ' ')
	} else if s.last != src {
		s.appendHeader(src)
	}
	if s.escape {
		s.buf = printers.AppendSanitizedLine(s.buf, line)
	} else {
		s.buf = append(s.buf, line...)
	}
	s.buf = append(s.buf, '\n')
	return s.flush()
}

func (s *sink) appendHeader(src *source) {
	if s.wrote {
		s.buf = append(s.buf, '\n')
	}
	s.buf = append(s.buf, s.paint(src, src.header)...)
	s.buf = append(s.buf, '\n')
	s.wrote, s.last = true, src
}

func (s *sink) paint(src *source, text string) string {
	text = printers.Sanitize(text)
	if !s.color {
		return text
	}
	return "\x1b[" + palette[src.seq%len(palette)] + "m" + text + "\x1b[0m"
}

func (s *sink) flush() error {
	// A big line is still one Write: the lock makes it atomic for us, and
	// one write(2) keeps it whole for readers of a pipe up to PIPE_BUF and
	// contiguous beyond.
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = err
	}
	if cap(s.buf) > 1<<16 {
		s.buf = nil // do not keep one huge line's buffer forever
	}
	return s.err
}

// maxLine bounds a line kept whole. Longer lines are cut into pieces of this
// size, each written as a line, so memory stays bounded per stream.
const maxLine = 1 << 20

// readLines calls fn for every line of r, without its newline; a last line
// without a newline is passed too at EOF, but not when r fails: the line was
// cut by a broken connection, and a reopened stream sends it whole (printing
// the piece would print a line that never was, and the resume point would
// then count it as printed). It returns r's error (nil at EOF) or fn's.
func readLines(r io.Reader, fn func(line []byte) error) error {
	br := bufio.NewReaderSize(r, 32<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			chunk = chunk[:len(chunk)-1]
			if len(long) > 0 {
				chunk = append(long, chunk...)
				long = long[:0]
			}
			if ferr := fn(trimCR(chunk)); ferr != nil {
				return ferr
			}
			continue
		case errors.Is(err, bufio.ErrBufferFull):
			long = append(long, chunk...)
			if len(long) >= maxLine {
				if ferr := fn(long); ferr != nil {
					return ferr
				}
				long = long[:0]
			}
			continue
		}
		// EOF: flush what is left. A read error: drop it (see above).
		if errors.Is(err, io.EOF) && (len(long) > 0 || len(chunk) > 0) {
			if ferr := fn(append(long, chunk...)); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
