package printers

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// ProgressLine shows how a wait is doing: on a terminal one line redrawn in
// place (every second too, so countdowns move); otherwise one line per
// change. Set gives it what to draw; Stop clears it.
type ProgressLine struct {
	out    io.Writer
	tty    bool
	mu     sync.Mutex
	render func() string // nil: nothing to show
	last   string
	quit   chan struct{}
	done   sync.WaitGroup
}

// NewProgressLine returns a ProgressLine on out; tty redraws in place.
func NewProgressLine(out io.Writer, tty bool) *ProgressLine {
	p := &ProgressLine{out: out, tty: tty}
	if tty {
		p.quit = make(chan struct{})
		p.done.Go(func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-p.quit:
					return
				case <-tick.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				}
			}
		})
	}
	return p
}

// Set draws render's line now (and on each tick); nil clears the line.
func (p *ProgressLine) Set(render func() string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.render = render
	if render == nil {
		p.clear()
		return
	}
	p.draw()
}

func (p *ProgressLine) draw() {
	if p.render == nil {
		return
	}
	line := p.render()
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		p.last = line
		return
	}
	if line != p.last {
		fmt.Fprintln(p.out, line)
		p.last = line
	}
}

func (p *ProgressLine) clear() {
	if p.tty && p.last != "" {
		fmt.Fprint(p.out, "\r\033[K")
		p.last = ""
	}
}

// Stop ends the redraws and clears the line.
func (p *ProgressLine) Stop() {
	if p.quit != nil {
		close(p.quit)
		p.done.Wait()
		p.quit = nil
	}
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
