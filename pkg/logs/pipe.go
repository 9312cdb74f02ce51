package logs

import (
	"io"
	"sync"
)

// pipe is an in-memory pipe holding at most max bytes: a fetch writes a
// pod's log into it while earlier pods are still being printed, and blocks
// once it is full, so memory stays bounded whatever the number and size of
// the logs.
type pipe struct {
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	max      int
	closed   bool  // the writer is done
	err      error // the writer's error, returned after the data
	released bool  // the reader is gone; writes fail
}

func newPipe(max int) *pipe {
	p := &pipe{max: max}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// Write copies b into the pipe, waiting for room.
func (p *pipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for len(b) > 0 {
		for len(p.buf) >= p.max && !p.released {
			p.cond.Wait()
		}
		if p.released {
			return n, io.ErrClosedPipe
		}
		k := min(len(b), p.max-len(p.buf))
		p.buf = append(p.buf, b[:k]...)
		b, n = b[k:], n+k
		p.cond.Broadcast()
	}
	return n, nil
}

// CloseWithError ends the data; Read returns err (io.EOF for nil) once the
// buffer is drained.
func (p *pipe) CloseWithError(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		err = io.EOF
	}
	p.closed, p.err = true, err
	p.cond.Broadcast()
}

// Read waits for data or the end.
func (p *pipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.closed {
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, p.err
	}
	n := copy(b, p.buf)
	// Shift rather than reslice so the backing array never exceeds max.
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
	p.cond.Broadcast()
	return n, nil
}

// Release tells the writer nobody will read any more.
func (p *pipe) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.released = true
	p.buf = nil
	p.cond.Broadcast()
}
