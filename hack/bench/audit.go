package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// auditLog reads the API server's audit log (hack/bench/audit-policy.yaml:
// reads in the explain Jobs' namespace), the server's own account of how long
// each request took from its receipt to the last byte of its response. It is
// the clock the request floor trusts: client-go's logged latency stops at the
// response headers, which the server sends after the first item of a JSON
// list but only after a whole protobuf list is encoded, so it rewards the
// slower format.
type auditLog struct {
	path   string
	offset int64
	// wait is how long took waits for missing events (10 s when 0).
	wait time.Duration
}

type auditEvent struct {
	Stage      string    `json:"stage"`
	RequestURI string    `json:"requestURI"`
	UserAgent  string    `json:"userAgent"`
	Received   time.Time `json:"requestReceivedTimestamp"`
	Completed  time.Time `json:"stageTimestamp"`
}

// mark remembers the log's end: events later read are the ones after it.
func (a *auditLog) mark() error {
	fi, err := os.Stat(a.path)
	if err != nil {
		return fmt.Errorf("the API server's audit log: %w (the bench cluster writes it with KJ_AUDIT_POLICY)", err)
	}
	a.offset = fi.Size()
	return nil
}

// took waits for the completed requests of paths sent by the client whose
// user agent starts with agent since mark, and returns their summed server
// time. The server writes an event once the response is sent, so it may
// lag the client's exit a little; a request still missing after the wait,
// or one that was not asked for, is an error.
func (a *auditLog) took(agent string, paths []string) (time.Duration, error) {
	wait := a.wait
	if wait == 0 {
		wait = 10 * time.Second
	}
	deadline := time.Now().Add(wait)
	want := slices.Sorted(slices.Values(paths))
	for {
		events, err := a.since()
		if err != nil {
			return 0, err
		}
		var total time.Duration
		var seen []string
		for _, e := range events {
			if e.Stage != "ResponseComplete" || !strings.HasPrefix(e.UserAgent, agent) {
				continue
			}
			seen = append(seen, e.RequestURI)
			total += e.Completed.Sub(e.Received)
		}
		slices.Sort(seen)
		if slices.Equal(seen, want) {
			return total, nil
		}
		if len(seen) > len(want) || time.Now().After(deadline) {
			return 0, fmt.Errorf("the audit log has %s requests %q, want %q", agent, seen, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *auditLog) since() ([]auditEvent, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Seek(a.offset, io.SeekStart); err != nil {
		return nil, err
	}
	var out []auditEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var e auditEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// The server may be writing this very line: read it next time.
			break
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
