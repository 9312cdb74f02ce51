package logs

import (
	"context"
	"io"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// Options says which logs to show and how. The zero value is not useful:
// start from DefaultOptions.
type Options struct {
	// Selector chooses attempts. Under Follow, Failed and Succeeded are not
	// allowed (a followed pod has not ended yet), and Active, Last and Attempt
	// apply to the pods that exist when following starts; pods created later
	// are always followed when their index and attempt number match.
	Selector Selector
	// Container names one container; AllContainers shows init containers,
	// containers and ephemeral ones; neither: the default container.
	Container     string
	AllContainers bool
	// Previous shows the previous instance of restarted containers
	// (restartPolicy OnFailure). Not with Follow.
	Previous bool

	// The window, passed to every PodLogOptions; nil means unset.
	TailLines    *int64
	SinceSeconds *int64
	SinceTime    *metav1.Time
	Timestamps   bool
	LimitBytes   *int64

	// Prefix starts every line with "[pod]" or "[index/attempt]"; without it
	// a header line precedes each attempt's logs.
	Prefix bool
	// Color paints prefixes and headers per pod (set only for a terminal
	// without NO_COLOR); Escape replaces control characters in log lines
	// (set for a terminal).
	Color, Escape bool
	// MaxRequests bounds concurrent log requests; under Follow it is also the
	// most streams that may be open at once (--max-log-requests).
	MaxRequests int

	// Now and Explain are the clock and the verdict engine; tests replace them.
	Now     func() time.Time
	Explain func(explain.Input) *explain.JobExplanation
	// DrainIdle is how long a followed stream may stay silent after its
	// container terminated before it is closed: some kubelets (KWOK) never end
	// a follow stream, and a terminated container's log is already complete.
	DrainIdle time.Duration
	// EndGrace bounds how long Follow waits for open streams once the Job
	// has ended.
	EndGrace time.Duration

	// Save, when set, keeps each attempt's log, state and termination
	// messages and, at the end, the explanation (--save DIR; Follow only).
	Save *Saver

	// openStream opens one log request; tests replace it to serve per-pod text.
	openStream streamFunc

	// The Jobs variants (PrintJobs, FollowJobs) set these: jobLabel names
	// the Job in every prefix and header, shared is the one sink and stderr
	// all the Jobs write to, slots bound the followed streams open across
	// Jobs and fetchSlots the one-shot reads of ended containers.
	jobLabel   string
	shared     *sharedOut
	slots      chan struct{}
	fetchSlots chan struct{}
}

// sharedOut is where several Jobs' logs and diagnostics go, whole lines each.
type sharedOut struct {
	out    *sink
	errOut *lockedWriter
}

// streamFunc opens the log of one container.
type streamFunc func(ctx context.Context, namespace, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error)

// DefaultOptions returns the options of `kubectl job logs NAME` with no flags.
func DefaultOptions() Options {
	return Options{
		Prefix:      true,
		MaxRequests: 10,
		Now:         time.Now,
		Explain:     explain.Explain,
		DrainIdle:   time.Second,
		EndGrace:    30 * time.Second,
	}
}

// pipeSize is the most log bytes held in memory per pod fetched ahead of the
// one being printed; with MaxRequests fetches in flight memory stays under
// MaxRequests × pipeSize whatever the number of pods.
const pipeSize = 256 << 10

func (o *Options) defaults(client kube.Client) {
	d := DefaultOptions()
	if o.MaxRequests <= 0 {
		o.MaxRequests = d.MaxRequests
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	if o.Explain == nil {
		o.Explain = d.Explain
	}
	if o.DrainIdle <= 0 {
		o.DrainIdle = d.DrainIdle
	}
	if o.EndGrace <= 0 {
		o.EndGrace = d.EndGrace
	}
	if o.openStream == nil {
		o.openStream = func(ctx context.Context, namespace, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
			return client.CoreV1().Pods(namespace).GetLogs(pod, opts).Stream(ctx)
		}
	}
}

// podLogOptions is the request for one container.
func (o *Options) podLogOptions(container string, follow bool) *corev1.PodLogOptions {
	return &corev1.PodLogOptions{
		Container:    container,
		Follow:       follow,
		Previous:     o.Previous,
		TailLines:    o.TailLines,
		SinceSeconds: o.SinceSeconds,
		SinceTime:    o.SinceTime,
		Timestamps:   o.Timestamps,
		LimitBytes:   o.LimitBytes,
	}
}

func (o *Options) newSink(out io.Writer) *sink {
	if o.shared != nil {
		return o.shared.out
	}
	return &sink{w: out, prefix: o.Prefix, color: o.Color, escape: o.Escape, save: o.Save}
}

// aboutJob names the Job before a diagnostic that does not, when several
// Jobs share stderr.
func (o *Options) aboutJob(line string) string {
	if o.jobLabel == "" {
		return line
	}
	return "job " + o.jobLabel + ": " + line
}

func (o *Options) newErrOut(errOut io.Writer) *lockedWriter {
	if o.shared != nil {
		return o.shared.errOut
	}
	return &lockedWriter{w: errOut}
}

// isIndexed reports whether the Job is Indexed.
func isIndexed(job *batchv1.Job) bool {
	return job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
}
