package cmd

// The one-line, kubectl-style error messages every command ends with.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-job/kubectl-job/pkg/exitcode"
	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// errorMessage formats an error the way kubectl does: API status errors as
// "Error from server (NotFound): ...", everything else as "error: ...".
// A hint attached with withHint follows on the same line after "; ".
func errorMessage(err error) string {
	msg := ""
	var status apierrors.APIStatus
	var urlErr *url.Error
	switch {
	case errors.As(err, &status):
		msg = serverErrorMessage(status)
	case errors.As(err, &urlErr):
		msg = connectionErrorMessage(urlErr)
	}
	if msg == "" {
		msg = err.Error()
		if !strings.HasPrefix(msg, "error: ") {
			msg = "error: " + msg
		}
	}
	// client-go words a missing context two ways depending on the call;
	// say it one way, with how to list the contexts there are.
	if m := contextNotFound().FindStringSubmatch(msg); m != nil || clientcmd.IsContextNotFound(err) {
		if m != nil {
			msg = fmt.Sprintf("error: context %q does not exist in the kubeconfig", m[1]+m[2])
		}
		msg += "; list contexts with: kubectl config get-contexts"
	}
	var netErr net.Error
	if throttled.Load() && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()) {
		msg += "; the API server was throttling these requests (429 Too Many Requests: API Priority and Fairness): retry later or allow more time with --request-timeout"
	}
	var h *hintError
	if errors.As(err, &h) && !strings.Contains(msg, h.hint) {
		msg += "; " + h.hint
	}
	// An error can quote the cluster (a name, a webhook's message): it stays
	// one line and cannot drive the terminal.
	return printers.Sanitize(msg)
}

var contextNotFound = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^error: (?:invalid configuration: )?(?:context was not found for specified context: (\S+)|context "([^"]*)" does not exist)$`)
}) // on the error path only

// hintError attaches what to run next to an error without changing its
// identity (apierrors.IsNotFound still works through Unwrap).
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() + "; " + h.hint }
func (h *hintError) Unwrap() error { return h.err }

// errorLineAbout is errorMessage for an error about one object of many,
// named first: "error: cannot delete job.batch/x: Error from server
// (TooManyRequests): ..." (errorMessage alone keeps only the API's part).
func errorLineAbout(what string, err error) string {
	return "error: " + what + ": " + strings.TrimPrefix(errorMessage(err), "error: ")
}

// withHint returns err with a suggestion of what to run next, or nil for nil.
func withHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hint: fmt.Sprintf(format, args...)}
}

// jobNotFound gives a Job's NotFound error the one hint every command uses:
// where to list Jobs, and, when a CronJob has that name, its own form (one
// more request, only on this error path), then also, the command's own
// words. Other errors pass through.
func (c *commandCore) jobNotFound(ctx context.Context, err error, name string, also ...string) error {
	if !apierrors.IsNotFound(err) {
		return err
	}
	hint := "list Jobs with: kubectl job list" + namespaceFlag(c.Namespace)
	if kube.CronJobExists(ctx, c.Client, c.Namespace, name) {
		ns := namespaceFlag(c.Namespace)
		hint = fmt.Sprintf("%s is a CronJob: kubectl job explain cronjob/%s%s, or its Jobs: kubectl job list --cronjob %s%s", name, name, ns, name, ns)
	}
	return withHint(err, "%s", strings.Join(append([]string{hint}, also...), "; "))
}

// serverErrorMessage words an API status error as kubectl does:
// "Error from server (Reason): message", and a login hint for 401.
func serverErrorMessage(status apierrors.APIStatus) string {
	s := status.Status()
	err := status.(error)
	switch {
	case s.Reason == metav1.StatusReasonUnauthorized:
		return fmt.Sprintf("error: You must be logged in to the server (%s)", s.Message)
	case s.Reason != "":
		return fmt.Sprintf("Error from server (%s): %s", s.Reason, err)
	}
	return fmt.Sprintf("Error from server: %s", err)
}

// connectionErrorMessage words a failed connection as kubectl does, naming
// the host when it refused the connection.
func connectionErrorMessage(err *url.Error) string {
	if strings.Contains(err.Err.Error(), "connection refused") {
		host := err.URL
		if u, perr := url.Parse(err.URL); perr == nil {
			host = u.Host
		}
		return fmt.Sprintf("The connection to the server %s was refused - did you specify the right host or port?", host)
	}
	return fmt.Sprintf("Unable to connect to the server: %v", err.Err)
}

// namespaceFlag is " -n NS", what every printed next-step command carries so
// it can be pasted as is whatever the current namespace; "" for no namespace.
func namespaceFlag(ns string) string {
	if ns == "" {
		return ""
	}
	return " -n " + ns
}

// warnPartial names on errOut each read that failed and, when there was one,
// returns the partial exit code: what could be read was shown.
func warnPartial(errOut io.Writer, problems []error) error {
	for _, p := range problems {
		fmt.Fprintf(errOut, "Warning: %s\n", printers.Sanitize(p.Error()))
	}
	if len(problems) > 0 {
		return exitcode.New(exitcode.Partial, nil)
	}
	return nil
}

// explainCommand is the explain command for the first of the Jobs a wait
// timed out on ("-l SELECTOR" when none was read), with how many more.
func explainCommand(pending []waitOutcome) string {
	cmd := "kubectl job explain " + printers.Sanitize(pending[0].Name) + namespaceFlag(pending[0].Namespace)
	if pending[0].Namespace == "" {
		cmd += " -A" // a selector over every namespace that was never read
	}
	if n := len(pending) - 1; n > 0 {
		cmd += fmt.Sprintf(" (and likewise for the %d other %s)", n, explain.PluralWord(n, "Job", "Jobs"))
	}
	return cmd
}
