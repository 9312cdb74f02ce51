package logs

import (
	"bytes"
	"time"
)

// resumePoint lets a followed stream that broke (an API server restart)
// continue exactly where it stopped: every line is requested with the
// runtime's timestamp, and the reopened request asks for lines since the
// newest timestamp seen. sinceTime has whole-second precision, so the server
// sends some lines again: those older than the newest timestamp, and as many
// lines carrying it as were already printed, are dropped. The timestamp
// prefix is removed again unless the user asked for --timestamps.
type resumePoint struct {
	keepTimestamps bool
	// at is the newest timestamp printed, n how many lines carried it.
	at time.Time
	n  int
	// dup counts the lines at `at` the current request must still drop.
	dup int
}

// reopened is called before each new request after the first.
func (r *resumePoint) reopened() { r.dup = r.n }

// since is the sinceTime of a reopened request; zero before any line.
func (r *resumePoint) since() time.Time { return r.at }

// filter returns the line to print without its timestamp (unless kept), or
// false for a line already printed before the stream was reopened. A line
// without a timestamp (the rest of a line too long for one read) is printed
// as it is.
func (r *resumePoint) filter(line []byte) ([]byte, bool) {
	stamp, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return line, true
	}
	ts, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		return line, true
	}
	switch {
	case ts.Before(r.at):
		return nil, false
	case ts.Equal(r.at):
		if r.dup > 0 {
			r.dup--
			return nil, false
		}
		r.n++
	default:
		r.at, r.n, r.dup = ts, 1, 0
	}
	if r.keepTimestamps {
		return line, true
	}
	return rest, true
}
