package cmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
	"github.com/kubectl-job/kubectl-job/pkg/logs"
	"github.com/kubectl-job/kubectl-job/pkg/printers"
)

// saveFlagUsage is the help of --save on logs, create, rerun and wait.
const saveFlagUsage = "Keep the evidence in this directory as it happens: per attempt DIR/POD/CONTAINER.log (the log as it streamed), state.json and termination messages; at the end explanation.json and explanation.txt (for CI artifacts: it outlives the pods and the Job's TTL)"

// newSaver opens a --save directory; explanation.txt is explain's wide view.
func newSaver(dir string) (*logs.Saver, error) {
	return logs.NewSaver(dir, func(e *explain.JobExplanation) ([]byte, error) {
		var b bytes.Buffer
		err := printers.PrintExplanation(&b, e, printers.ExplainOptions{Wide: true})
		return b.Bytes(), err
	})
}

// saveWhileWaiting follows the Job's logs into dir in the background, for
// wait --save; the returned stop waits for the follower to finish (the Job
// has ended) or, after grace, stops it, so the evidence is written either way.
func saveWhileWaiting(ctx context.Context, client kube.Client, namespace, name, dir string, errOut io.Writer) (func(grace time.Duration), error) {
	saver, err := newSaver(dir)
	if err != nil {
		return nil, err
	}
	job, err := client.BatchV1().Jobs(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	opts := logs.DefaultOptions()
	opts.Save = saver
	opts.EndGrace = 5 * time.Second
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = logs.Follow(fctx, client, job, opts, io.Discard, &savedNote{w: errOut})
	}()
	return func(grace time.Duration) {
		select {
		case <-done:
		case <-time.After(grace):
			cancel()
			<-done
		}
		cancel()
	}, nil
}

// savedNote passes on only the follower's "evidence saved" and warning
// lines: wait prints its own verdict.
type savedNote struct{ w io.Writer }

func (n *savedNote) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("evidence saved to ")) || bytes.HasPrefix(p, []byte("Warning: saving")) {
		if _, err := n.w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// validateSave checks create's and rerun's --save: it keeps what --follow streams.
func (w *jobWriteOptions) validateSave() error {
	return validateSave(w.Save, w.Follow, "--save needs --follow: it keeps the logs as they stream")
}

// validateSave checks --save against the flag it needs.
func validateSave(dir string, needs bool, rule string) error {
	if dir != "" && !needs {
		return errors.New(rule)
	}
	return nil
}
