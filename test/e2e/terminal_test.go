//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hostile strings a cluster can hold: a window-title change (OSC 0), a
// screen clear (CSI 2J), a carriage return that overwrites the line, a bell,
// an OSC 8 hyperlink, a bidi override and, in the event, an 8-bit CSI
// (U+009B; the simulator cannot put that one into a pod's status).
const (
	evilReason  = "Oops\x1b]0;pwned\x07"
	evilMessage = "disk full\x1b[2J\rEverything is fine\x07 \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \u202eatad"
	evilEvent   = evilMessage + " \u009b2J"
	evilLog     = "starting\x1b]0;pwned\x07 \x1b[2J\rall tests passed\x07 \x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\ \u202eatad"
	evilNote    = "owner \x1b[31mred\x1b[0m\rteam\x07"
)

// unsafeBytes are what must never reach a terminal from a cluster string.
var unsafeBytes = []string{"\x1b", "\x07", "\r", "\u009b", "\u202e"}

func findUnsafe(s string) []string {
	var found []string
	for _, b := range unsafeBytes {
		if strings.Contains(s, b) {
			found = append(found, fmt.Sprintf("%q", b))
		}
	}
	return found
}

// TestTerminalSafety: a Job whose pods fail with escape sequences in their
// termination reason and message, print them in their logs, and carry them
// in annotations, env, command and a Warning event. Every human output shows
// them escaped; -o json keeps them exactly (JSON-escaped); logs is raw when
// piped and escaped on a terminal.
func TestTerminalSafety(t *testing.T) {
	t.Parallel()
	ns := Namespace(t)
	doc := NewDocSection(t, "terminal")

	job := NewJob(ns, "evil").Fail(3, "1s").BackoffLimit(0).
		Sim(SimReason, evilReason).Sim(SimMessage, evilMessage).Sim(SimLogs, evilLog).
		With(func(j *batchv1.Job) {
			j.Annotations = map[string]string{"note": evilNote}
			c := &j.Spec.Template.Spec.Containers[0]
			c.Command = []string{"sh", "-c", "printf '\x1b]0;pwned\x07'"}
			c.Env = []corev1.EnvVar{{Name: "GREETING", Value: "hi\x1b[2J\x07"}}
		}).Create(t)
	WaitForCondition(t, ns, "evil", batchv1.JobFailed, 3*time.Minute)
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: "evil-", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1", Name: job.Name, Namespace: ns, UID: job.UID},
		Type:           corev1.EventTypeWarning, Reason: "Evil", Message: evilEvent,
		Source: corev1.EventSource{Component: "e2e"}, FirstTimestamp: metav1.Now(), LastTimestamp: metav1.Now(), Count: 1,
	}
	if _, err := client.CoreV1().Events(ns).Create(context.Background(), ev, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the event: %v", err)
	}
	// A Job whose verdict quotes the cluster: a quota (created once the evil
	// Job ended) forbids its pods, and
	// the latest FailedCreate event (ours, dated later than the
	// controller's) carries the hostile message into wait's timeout line.
	NoPodsQuota(t, ns)
	blocked := NewJob(ns, "blocked").Create(t)
	later := metav1.NewTime(time.Now().Add(10 * time.Minute))
	fc := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: "blocked-", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1", Name: blocked.Name, Namespace: ns, UID: blocked.UID},
		Type:           corev1.EventTypeWarning, Reason: "FailedCreate", Message: evilEvent,
		Source: corev1.EventSource{Component: "job-controller"}, FirstTimestamp: later, LastTimestamp: later, Count: 1,
	}
	if _, err := client.CoreV1().Events(ns).Create(context.Background(), fc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the event: %v", err)
	}
	// The simulated pods print their logs from a file written after they start.
	WaitFor(t, time.Minute, "the evil logs", func() (bool, error) {
		return strings.Contains(KubectlJob(t, "logs", "evil", "-n", ns).Stdout, "all tests passed"), nil
	})

	human := []struct {
		args []string
		code int
		// shows is what the output must contain: the escaped form of a
		// hostile string, proving it was printed and not dropped, or for
		// commands that print no cluster text, the line they print.
		shows string
	}{
		{[]string{"explain", "evil"}, 0, `\u009b2J`},
		{[]string{"explain", "evil", "-o", "wide"}, 0, `^[]0;pwned\x07`},
		{[]string{"describe", "evil"}, 0, `note=owner ^[[31mred^[[0m\rteam\x07`},
		{[]string{"list"}, 0, "BackoffLimitExceeded"},
		{[]string{"list", "evil", "-o", "wide"}, 0, "BackoffLimitExceeded"},
		{[]string{"wait", "evil", "--for=complete", "--timeout=30s"}, 2, "job.batch/evil failed"},
		// wait reads only the Job: its lines quote the Job's conditions,
		// which the controller writes; this proves nothing leaks around them.
		{[]string{"wait", "blocked", "--for=complete", "--timeout=3s"}, 3, "job.batch/blocked timed out waiting for complete"},
		{[]string{"explain", "blocked"}, 0, `^[]8;;https://evil.example/^[\click`},
		{[]string{"logs", "evil", "--prefix"}, 0, "all tests passed"},
	}
	for _, h := range human {
		args := append(h.args, "-n", ns)
		res := KubectlJob(t, args...)
		out := res.Stdout + res.Stderr
		unsafe := findUnsafe(out)
		isLogs := h.args[0] == "logs"
		cmdline := "kubectl job " + strings.Join(h.args, " ")
		switch {
		case res.Code != h.code:
			t.Errorf("%s: exit %d, want %d", cmdline, res.Code, h.code)
		case !strings.Contains(out, h.shows):
			t.Errorf("%s: output does not show %q:\n%s", cmdline, h.shows, out)
		case isLogs && (len(unsafe) == 0 || !strings.Contains(res.Stdout, evilLog)):
			// Piped, logs are the container's bytes, like kubectl logs.
			t.Errorf("%s | cat: the log line is not kept byte for byte: %q", cmdline, res.Stdout)
		case !isLogs && len(unsafe) > 0:
			t.Errorf("%s: raw %s reached the output:\n%q", cmdline, strings.Join(unsafe, ", "), out)
		}
		if isLogs {
			doc.Add(DocRow{Case: "`" + cmdline + " | cat` (stdout is a pipe)", Expected: "the log bytes as the container wrote them, like `kubectl logs`",
				Observed: fmt.Sprintf("exit %d; the log line byte for byte: %v", res.Code, strings.Contains(res.Stdout, evilLog))})
			continue
		}
		shows := fmt.Sprintf("the hostile strings shown escaped (`%s`)", h.shows)
		if !strings.ContainsAny(h.shows, `\^`) {
			shows = fmt.Sprintf("`%s` (the hostile strings are not part of this output)", h.shows)
		}
		doc.Add(DocRow{Case: "`" + cmdline + "`", Expected: fmt.Sprintf("exit %d; %s; no raw ESC, BEL, CR, C1 or bidi override", h.code, shows),
			Observed: fmt.Sprintf("exit %d; raw control characters: %s", res.Code, joinOrNone(unsafe))})
	}

	// On a terminal, logs escapes (and so do logs -f and wait's progress line).
	for _, args := range [][]string{{"logs", "evil"}, {"logs", "evil", "-f"}, {"wait", "blocked", "--for=complete", "--timeout=3s"}} {
		cmdline := "kubectl job " + strings.Join(args, " ")
		out, code, ok := onTerminal(t, append(args, "-n", ns)...)
		if !ok {
			t.Logf("no script(1) to give %q a terminal; skipped", cmdline)
			continue
		}
		// The terminal's line discipline turns "\n" into "\r\n", and wait
		// redraws its own progress line with "\r\x1b[K"; any other CR or
		// ESC came from the cluster.
		out = strings.NewReplacer("\r\n", "\n", "\r\x1b[K", "").Replace(out)
		unsafe := findUnsafe(out)
		shown := strings.Contains(out, `^[]0;pwned\x07`) || args[0] == "wait"
		if len(unsafe) > 0 || !shown {
			t.Errorf("%s on a terminal: raw %s, or the escaped log missing:\n%q", cmdline, joinOrNone(unsafe), out)
		}
		doc.Add(DocRow{Case: "`" + cmdline + "` (stdout is a terminal)", Expected: "the hostile strings shown escaped, no raw ESC, BEL, CR, C1 or bidi override",
			Observed: fmt.Sprintf("exit %d; raw control characters: %s", code, joinOrNone(unsafe))})
	}

	// -o json is data: the strings come back exactly, JSON-escaped.
	for _, args := range [][]string{{"explain", "evil", "-o", "json"}, {"list", "evil", "-o", "json"}} {
		cmdline := "kubectl job " + strings.Join(args, " ")
		res := KubectlJob(t, append(args, "-n", ns)...)
		var v any
		if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
			t.Fatalf("%s: not JSON: %v", cmdline, err)
		}
		want := evilNote
		if args[0] == "explain" {
			want = evilMessage
		}
		faithful := containsString(v, want)
		raw := findUnsafe(strings.NewReplacer("\u009b", "", "\u202e", "").Replace(res.Stdout))
		if !faithful || len(raw) > 0 {
			t.Errorf("%s: the hostile string is not kept exactly (%v), or raw %v in the JSON text", cmdline, faithful, raw)
		}
		doc.Add(DocRow{Case: "`" + cmdline + "`", Expected: "the strings exactly as the API has them, JSON-escaped (`\\u001b`)",
			Observed: fmt.Sprintf("exit %d; decodes to the original string: %v; raw ESC/BEL/CR in the text: %s", res.Code, faithful, joinOrNone(raw))})
	}
}

// onTerminal runs kubectl job ARGS with its stdout and stderr on a
// pseudo-terminal, through script(1).
func onTerminal(t *testing.T, args ...string) (string, int, bool) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		return "", 0, false
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-q", "-e", "-c", "kubectl job "+strings.Join(quoted, " "), "/dev/null")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "NO_COLOR=1", "TERM=xterm")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("script: %v", err)
	}
	t.Logf("$ (on a terminal) kubectl job %s -> exit %d\n%q", strings.Join(args, " "), code, out.String())
	return out.String(), code, true
}

func joinOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// containsString reports whether a decoded JSON value holds s as a string.
func containsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return v == s
	case []any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	}
	return false
}
