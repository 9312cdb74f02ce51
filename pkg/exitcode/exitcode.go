// Package exitcode is the one table of process exit codes shared by every
// command: wait, create --wait, logs -f, rerun --follow, delete and prune all
// report outcomes through it (README "Exit codes").
package exitcode

import (
	"errors"
	"fmt"
)

// The exit codes. They are a contract with scripts and CI: never renumber.
const (
	// OK: the command did what was asked; for waits, the Job completed.
	OK = 0
	// Error: bad input, an API error, or an operation that did not go through.
	Error = 1
	// JobFailed: the Job failed (Failed, or Failing with --early).
	JobFailed = 2
	// Timeout: --timeout passed before the awaited state.
	Timeout = 3
	// EndedOtherwise: the Job ended in no outcome: suspended, deleted, or
	// managed by another controller.
	EndedOtherwise = 4
	// Partial: output is incomplete because some reads were forbidden or
	// failed (for example events or pods); what could be read was shown.
	Partial = 5
)

// ExitError carries an exit code with an error. A nil Err means "exit with Code
// and print nothing more": the command already said what happened.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// New returns an error that makes the process exit with code. err may be nil.
func New(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Of returns the exit code for err: 0 for nil, the code of an ExitError, and
// Error for anything else.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return Error
}
