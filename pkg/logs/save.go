package logs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// Saver keeps the evidence of a followed Job in a directory, so it outlives
// the pods (a failed Job's active pods, a TTL): per attempt DIR/POD/ holds
// CONTAINER.log (the log as it streamed), state.json (the pod's phase,
// cause and container states with their termination messages) and
// CONTAINER.termination-message; at the end DIR/explanation.json and
// DIR/explanation.txt. It is safe for concurrent use.
type Saver struct {
	dir    string
	render func(*explain.JobExplanation) ([]byte, error)

	mu    sync.Mutex
	files map[string]*os.File
	err   error
}

// NewSaver creates dir (and its parents) for the evidence; render is the
// human view of the explanation (explanation.txt).
func NewSaver(dir string, render func(*explain.JobExplanation) ([]byte, error)) (*Saver, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create --save directory: %w", err)
	}
	return &Saver{dir: dir, render: render, files: map[string]*os.File{}}, nil
}

// Dir is the directory written to.
func (s *Saver) Dir() string { return s.dir }

// podDir is the directory of one attempt: the pod name, which cannot
// contain a path separator.
func (s *Saver) podDir(pod string) (string, error) {
	d := filepath.Join(s.dir, filepath.Base(pod))
	return d, os.MkdirAll(d, 0o755)
}

// open returns the log file of a container, created on first use.
func (s *Saver) open(pod, container string) *os.File {
	key := pod + "/" + container
	if f, ok := s.files[key]; ok {
		return f
	}
	d, err := s.podDir(pod)
	if err == nil {
		var f *os.File
		if f, err = os.OpenFile(filepath.Join(d, filepath.Base(container)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			s.files[key] = f
			return f
		}
	}
	s.fail(err)
	s.files[key] = nil
	return nil
}

func (s *Saver) fail(err error) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("saving to %s: %w", s.dir, err)
	}
}

// begin creates the log file of src, so an attempt without output shows up.
func (s *Saver) begin(src *source) {
	if s == nil || src.pod == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open(src.pod, src.container)
}

// line appends one line of src's log, as it streamed.
func (s *Saver) line(src *source, line []byte) {
	if s == nil || src.pod == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.open(src.pod, src.container); f != nil {
		_, err := f.Write(append(append([]byte(nil), line...), '\n'))
		s.fail(err)
	}
}

// attemptState is state.json: where an attempt ended and why.
type attemptState struct {
	Pod     string          `json:"pod"`
	Index   *int            `json:"index,omitempty"`
	Attempt int             `json:"attempt"`
	Phase   corev1.PodPhase `json:"phase"`
	Reason  string          `json:"reason,omitempty"`
	Message string          `json:"message,omitempty"`
	Node    string          `json:"node,omitempty"`
	Cause   explain.Cause   `json:"cause"`
	// Deleted is set once the pod had a deletionTimestamp.
	Deleted           bool                     `json:"deleted,omitempty"`
	InitContainers    []corev1.ContainerStatus `json:"initContainerStatuses,omitempty"`
	Containers        []corev1.ContainerStatus `json:"containerStatuses,omitempty"`
	Conditions        []corev1.PodCondition    `json:"conditions,omitempty"`
	CreationTimestamp string                   `json:"created"`
}

// pod writes the attempt's state.json and termination messages; called
// whenever the pod changes, so the last state seen is kept.
func (s *Saver) pod(a Attempt) {
	if s == nil {
		return
	}
	p := a.Pod
	st := attemptState{Pod: p.Name, Index: a.Index, Attempt: a.Number, Phase: p.Status.Phase, Reason: p.Status.Reason, Message: p.Status.Message,
		Node: p.Spec.NodeName, Cause: a.Cause, Deleted: p.DeletionTimestamp != nil, InitContainers: p.Status.InitContainerStatuses,
		Containers: p.Status.ContainerStatuses, Conditions: p.Status.Conditions, CreationTimestamp: p.CreationTimestamp.UTC().Format("2006-01-02T15:04:05Z")}
	data, err := json.MarshalIndent(st, "", "  ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.fail(err)
		return
	}
	d, err := s.podDir(p.Name)
	if err != nil {
		s.fail(err)
		return
	}
	s.fail(writeFile(filepath.Join(d, "state.json"), append(data, '\n')))
	for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if t := cs.State.Terminated; t != nil && t.Message != "" {
			s.fail(writeFile(filepath.Join(d, filepath.Base(cs.Name)+".termination-message"), []byte(t.Message)))
		}
	}
}

// finish writes explanation.json and explanation.txt, closes the logs and
// returns the first error met while saving.
func (s *Saver) finish(e *explain.JobExplanation) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e != nil {
		data, err := json.MarshalIndent(e, "", "    ")
		if err == nil {
			err = writeFile(filepath.Join(s.dir, "explanation.json"), append(data, '\n'))
		}
		s.fail(err)
		if s.render != nil {
			text, err := s.render(e)
			if err == nil {
				err = writeFile(filepath.Join(s.dir, "explanation.txt"), text)
			}
			s.fail(err)
		}
	}
	for key, f := range s.files {
		if f != nil {
			s.fail(f.Close())
		}
		delete(s.files, key)
	}
	return s.err
}

// writeFile replaces path atomically, so a reader never sees half a file.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// saveState writes an attempt's state when its pod changed since last
// saved. The attempt number is the one first seen: numbers count the pods
// present, so they shrink once earlier attempts' pods are deleted.
func (f *follower) saveState(a Attempt) {
	if f.opts.Save == nil {
		return
	}
	if f.saved == nil {
		f.saved = map[string]savedAttempt{}
	}
	prev, ok := f.saved[a.Pod.Name]
	if ok {
		a.Number = prev.number
	}
	if rv := a.Pod.ResourceVersion; !ok || rv == "" || prev.resourceVersion != rv {
		f.saved[a.Pod.Name] = savedAttempt{resourceVersion: rv, number: a.Number}
		f.opts.Save.pod(a)
	}
}

// savedAttempt is what Follow remembers of a saved attempt.
type savedAttempt struct {
	resourceVersion string
	number          int
}

// saveExplanation ends the saving: the explanation of the Job as last seen
// with every pod ever seen (the deleted ones in their last state), so the
// saved attempts outlive the pods. in carries the events read, if any.
func (f *follower) saveExplanation(in *explain.Input) {
	if f.opts.Save == nil {
		return
	}
	var e *explain.JobExplanation
	if job := f.last; job != nil {
		all := explain.Input{Job: job, Now: f.opts.Now(), EventsUnknown: true}
		if in != nil {
			all.Events, all.EventsUnknown = in.Events, in.EventsUnknown
		}
		for _, p := range f.seen {
			all.Pods = append(all.Pods, *p)
		}
		e = f.opts.Explain(all)
	}
	if err := f.opts.Save.finish(e); err != nil {
		f.errOut.printf("Warning: %v\n", err)
		return
	}
	f.errOut.printf("evidence saved to %s\n", f.opts.Save.Dir())
}
