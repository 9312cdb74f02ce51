//go:build e2e && (faults || pressure)

package e2e

// Helpers of the fault and pressure tests: commands running in the
// background, their output with when each line came, and short quotes of it
// for docs/reliability.md.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// timedBuffer keeps a process's output and when each line arrived.
type timedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []timedLine
	part  []byte
}

type timedLine struct {
	at   time.Time
	text string
}

func (b *timedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	now := time.Now()
	for _, c := range p {
		if c == '\n' {
			b.lines = append(b.lines, timedLine{at: now, text: string(b.part)})
			b.part = b.part[:0]
			continue
		}
		b.part = append(b.part, c)
	}
	return len(p), nil
}

func (b *timedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// firstLine returns the first line matching re and when it arrived.
func (b *timedBuffer) firstLine(re *regexp.Regexp) (timedLine, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if re.MatchString(l.text) {
			return l, true
		}
	}
	return timedLine{}, false
}

// proc is a `kubectl job ...` running in the background.
type proc struct {
	args           string
	cmd            *exec.Cmd
	stdout, stderr timedBuffer
	done           chan struct{}
	code           int
	startedAt      time.Time
	exitedAt       time.Time
	maxRSS         int64 // peak resident memory in bytes, once exited
}

// startKubectlJob starts `kubectl job ARGS...` and returns at once; the
// process is killed at the end of the test if still running.
func startKubectlJob(t *testing.T, args ...string) *proc {
	t.Helper()
	return startPlugin(t, kubeconfig, true, args...)
}

// startPlugin starts the plugin with ARGS against the cluster of kubeconfig
// path: as `kubectl job` (kubectl execs the plugin, keeping the process), or
// as the kubectl-job binary itself, whose peak memory is then the plugin's
// alone.
func startPlugin(t *testing.T, kubeconfigPath string, viaKubectl bool, args ...string) *proc {
	t.Helper()
	p := &proc{args: strings.Join(args, " "), done: make(chan struct{})}
	if viaKubectl {
		p.cmd = exec.Command("kubectl", append([]string{"job"}, args...)...)
	} else {
		p.cmd = exec.Command("kubectl-job", args...)
	}
	p.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfigPath, "NO_COLOR=1")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.startedAt = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting kubectl job %s: %v", p.args, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.exitedAt = time.Now()
		p.code = p.cmd.ProcessState.ExitCode()
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
		if err != nil && p.code == 0 {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// took is how long the finished process ran.
func (p *proc) took() string { return secs(p.exitedAt.Sub(p.startedAt)) }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait waits for the exit, failing the test (and killing the process) when
// it takes longer than timeout: a hang.
func (p *proc) wait(t *testing.T, timeout time.Duration) Result {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("kubectl job %s still ran after %s (a hang); stdout:\n%s\nstderr:\n%s", p.args, timeout, p.stdout.String(), p.stderr.String())
	}
	r := Result{Stdout: p.stdout.String(), Stderr: p.stderr.String(), Code: p.code}
	t.Logf("$ kubectl job %s -> exit %d\n%s%s", p.args, r.Code, lastLines(r.Stdout, 40), lastLines(r.Stderr, 40))
	return r
}

// lastLines keeps -v=6 output readable in the test log.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		return fmt.Sprintf("[%d lines cut]\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "")
	}
	return s
}

// waitStarted waits until the Job's pods run (startTime set, one pod
// active), so a fault does not hit the controller's first sync.
func waitStarted(t *testing.T, ns, name string) {
	t.Helper()
	WaitFor(t, time.Minute, "job "+name+" to have an active pod", func() (bool, error) {
		job, err := client.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return job.Status.StartTime != nil && job.Status.Active > 0, nil
	})
}

// settle gives background commands time to list and start watching, and
// checks they are still running.
func settle(t *testing.T, d time.Duration, procs ...*proc) {
	t.Helper()
	time.Sleep(d)
	for _, p := range procs {
		if !p.running() {
			r := p.wait(t, time.Second)
			t.Fatalf("kubectl job %s ended before the fault: exit %d\n%s%s", p.args, r.Code, r.Stdout, r.Stderr)
		}
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return "`" + l + "`"
}

// grepLine returns the first line containing substr, shortened, in backquotes.
func grepLine(s, substr string) string {
	for l := range strings.Lines(s) {
		if strings.Contains(strings.ToLower(l), strings.ToLower(substr)) {
			l = strings.TrimSpace(l)
			// klog's header (I1128 08:46:59.187770 7609 file.go:1]) is noise here.
			if i := strings.Index(l, "] "); i > 0 && i < 60 {
				l = l[i+2:]
			}
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return "`" + l + "`"
		}
	}
	return ""
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
