package printers

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// skippedAnnotations are left out of Annotations, as kubectl describe does.
var skippedAnnotations = []string{corev1.LastAppliedConfigAnnotation}

// DescribeJob writes "kubectl job describe" for one Job: the explain
// headline, everything "kubectl describe job" shows, every spec knob (with
// <unset>), conditions, counters, the attempts and per-index tables, a
// timeline of the attempts and the merged Job and pod events. Relative times
// are measured from e.ObservedAt; every cluster string is sanitized.
func DescribeJob(w io.Writer, job *batchv1.Job, e *explain.JobExplanation) error {
	now := e.ObservedAt.Time
	var b bytes.Buffer
	b.WriteString(Headline(e) + "\n\n")

	// Key: value lines go through a tabwriter, as in kubectl describe; the
	// tables below are PrintTable output and contain no tabs.
	var kvBuf bytes.Buffer
	tw := tabwriter.NewWriter(&kvBuf, 0, 8, 2, ' ', 0)
	kv := func(indent int, key, value string) {
		fmt.Fprintf(tw, "%s%s:\t%s\n", strings.Repeat("  ", indent), key, value)
	}
	kv(0, "Name", Sanitize(job.Name))
	kv(0, "Namespace", Sanitize(job.Namespace))
	kv(0, "Selector", selectorText(job.Spec.Selector))
	describeMap(tw, 0, "Labels", job.Labels, nil)
	describeMap(tw, 0, "Annotations", job.Annotations, skippedAnnotations)
	if ref := metav1.GetControllerOf(job); ref != nil {
		kv(0, "Controlled By", Sanitize(ref.Kind+"/"+ref.Name))
	} else {
		kv(0, "Controlled By", "<none>")
	}

	s := job.Spec
	kv(0, "Parallelism", int32Text(s.Parallelism))
	kv(0, "Completions", int32Text(s.Completions))
	kv(0, "Completion Mode", completionMode(job))
	kv(0, "Suspend", boolText(s.Suspend))
	kv(0, "Backoff Limit", int32Text(s.BackoffLimit))
	kv(0, "Backoff Limit Per Index", int32Text(s.BackoffLimitPerIndex))
	kv(0, "Max Failed Indexes", int32Text(s.MaxFailedIndexes))
	kv(0, "Active Deadline Seconds", secondsText(s.ActiveDeadlineSeconds))
	var ttl *int64
	if s.TTLSecondsAfterFinished != nil {
		ttl = new(int64(*s.TTLSecondsAfterFinished))
	}
	kv(0, "TTL Seconds After Finished", secondsText(ttl))
	if s.PodReplacementPolicy != nil {
		kv(0, "Pod Replacement Policy", string(*s.PodReplacementPolicy))
	} else {
		kv(0, "Pod Replacement Policy", "<unset>")
	}
	if s.ManagedBy != nil {
		kv(0, "Managed By", Sanitize(*s.ManagedBy))
	} else {
		kv(0, "Managed By", "<unset> (kubernetes.io/job-controller)")
	}
	if s.PodFailurePolicy == nil || len(s.PodFailurePolicy.Rules) == 0 {
		kv(0, "Pod Failure Policy", "<unset>")
	} else {
		kv(0, "Pod Failure Policy", "")
		for i, r := range s.PodFailurePolicy.Rules {
			kv(1, fmt.Sprintf("Rule %d", i), Sanitize(explain.FormatPodFailurePolicyRule(r)))
		}
	}
	if s.SuccessPolicy == nil || len(s.SuccessPolicy.Rules) == 0 {
		kv(0, "Success Policy", "<unset>")
	} else {
		kv(0, "Success Policy", "")
		for i, r := range s.SuccessPolicy.Rules {
			kv(1, fmt.Sprintf("Rule %d", i), Sanitize(explain.FormatSuccessPolicyRule(r)))
		}
	}

	st := job.Status
	kv(0, "Start Time", timeText(st.StartTime, now))
	kv(0, "Completed At", timeText(st.CompletionTime, now))
	if d := e.Duration; d != nil {
		text := ExactDuration(d.End.Sub(d.Start.Time))
		if d.EndedBy != "" && d.EndedBy != "now" {
			text += " (to " + d.EndedBy + ")"
		} else {
			text += " (running)"
		}
		kv(0, "Duration", text)
	} else {
		kv(0, "Duration", "<none>")
	}
	if d := e.Deadline; d != nil {
		kv(0, "Deadline", deadlineLine(e, d, now))
	}
	kv(0, "TTL", Sanitize(placeholder(e.TTL.Message)))
	if bo := e.Backoff; bo != nil {
		kv(0, "Backoff", Sanitize(backoffLine(e, bo)))
	}
	ready := int32(0)
	if st.Ready != nil {
		ready = *st.Ready
	}
	terminating := "<unknown>"
	if st.Terminating != nil {
		terminating = fmt.Sprint(*st.Terminating)
	}
	kv(0, "Pods Statuses", fmt.Sprintf("%d Active (%d Ready) / %d Succeeded / %d Failed / %s Terminating", st.Active, ready, st.Succeeded, st.Failed, terminating))
	kv(0, "Uncounted Terminated Pods", fmt.Sprintf("%d Succeeded / %d Failed", e.Progress.UncountedSucceeded, e.Progress.UncountedFailed))
	if completionMode(job) == string(batchv1.IndexedCompletion) {
		kv(0, "Completed Indexes", placeholder(explain.ShortIndexes(st.CompletedIndexes)))
		kv(0, "Failed Indexes", placeholder(explain.ShortIndexes(ptrText(st.FailedIndexes))))
	}
	describeTemplate(tw, &job.Spec.Template)
	if err := tw.Flush(); err != nil {
		return err
	}
	// Keys without a value on their line (sections) leave the padding behind.
	for line := range strings.Lines(kvBuf.String()) {
		b.WriteString(strings.TrimRight(line, " \n") + "\n")
	}

	b.WriteString("Conditions:\n")
	if len(st.Conditions) == 0 {
		b.WriteString("  <none>\n")
	} else if err := printIndented(&b, conditionsTable(st.Conditions, now)); err != nil {
		return err
	}

	if len(e.Evidence) > 0 {
		b.WriteString("Evidence:\n")
		for _, ev := range e.Evidence {
			line := "  - " + Sanitize(ev.Message)
			if ev.Field != "" {
				line += "  (" + Sanitize(ev.Field) + ")"
			}
			b.WriteString(line + "\n")
		}
	}

	if len(e.Attempts) > 0 {
		t, hidden := AttemptsTable(e, false)
		fmt.Fprintf(&b, "Attempts (%d):\n", len(e.Attempts))
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "  (%d earlier attempts not shown; kubectl job explain %s -o wide lists all)\n", hidden, explainRef(job))
		}
	} else {
		b.WriteString("Attempts:  <none>\n")
	}
	if len(e.Indexes) > 0 {
		t, note := IndexesTable(e, false)
		b.WriteString("Indexes:\n")
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if note != "" {
			b.WriteString("  (" + note + ")\n")
		}
	}

	b.WriteString("Timeline:\n")
	if err := PrintTimeline(&b, e, now, "  "); err != nil {
		return err
	}

	if len(e.Events) > 0 {
		t, hidden := EventsTable(e, false)
		b.WriteString("Events:\n")
		if err := printIndented(&b, t); err != nil {
			return err
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "  (%d more events not shown; kubectl job explain %s -o wide lists all)\n", hidden, explainRef(job))
		}
	} else {
		b.WriteString("Events:  <none>\n")
	}
	if len(e.Warnings) > 0 {
		b.WriteString("Warnings:\n")
		for _, w := range e.Warnings {
			b.WriteString("  ! " + Sanitize(w) + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// conditionsTable lists the Job's conditions; AGE is since the last
// transition. MESSAGE is last, as in kubectl describe's Events, because it is
// the long one.
func conditionsTable(conds []batchv1.JobCondition, now time.Time) Table {
	t := Table{Headers: []string{"TYPE", "STATUS", "REASON", "AGE", "MESSAGE"}}
	for _, c := range conds {
		age := "<unknown>"
		if !c.LastTransitionTime.IsZero() {
			age = HumanDuration(now.Sub(c.LastTransitionTime.Time))
		}
		t.Rows = append(t.Rows, []string{string(c.Type), string(c.Status), placeholder(Sanitize(c.Reason)), age, placeholder(Sanitize(c.Message))})
	}
	return t
}

// describeTemplate writes the pod template the way kubectl describe does:
// labels, service account, node selector, then each container's image,
// command, args, requests and limits, and environment.
func describeTemplate(tw io.Writer, tpl *corev1.PodTemplateSpec) {
	kv := func(indent int, key, value string) {
		fmt.Fprintf(tw, "%s%s:\t%s\n", strings.Repeat("  ", indent), key, value)
	}
	kv(0, "Pod Template", "")
	describeMap(tw, 1, "Labels", tpl.Labels, nil)
	describeMap(tw, 1, "Annotations", tpl.Annotations, skippedAnnotations)
	spec := tpl.Spec
	kv(1, "Restart Policy", placeholder(string(spec.RestartPolicy)))
	if spec.ServiceAccountName != "" {
		kv(1, "Service Account", Sanitize(spec.ServiceAccountName))
	}
	if len(spec.NodeSelector) > 0 {
		describeMap(tw, 1, "Node-Selectors", spec.NodeSelector, nil)
	}
	describeContainers(tw, "Init Containers", spec.InitContainers, false)
	describeContainers(tw, "Containers", spec.Containers, true)
}

func describeContainers(tw io.Writer, title string, cs []corev1.Container, always bool) {
	kv := func(indent int, key, value string) {
		fmt.Fprintf(tw, "%s%s:\t%s\n", strings.Repeat("  ", indent), key, value)
	}
	if len(cs) == 0 {
		if always {
			kv(1, title, "<none>")
		}
		return
	}
	kv(1, title, "")
	for _, c := range cs {
		kv(2, Sanitize(c.Name), "")
		kv(3, "Image", Sanitize(c.Image))
		if len(c.Command) > 0 {
			kv(3, "Command", Sanitize(strings.Join(c.Command, " ")))
		}
		if len(c.Args) > 0 {
			kv(3, "Args", Sanitize(strings.Join(c.Args, " ")))
		}
		describeResources(tw, "Requests", c.Resources.Requests)
		describeResources(tw, "Limits", c.Resources.Limits)
		if len(c.Env) == 0 && len(c.EnvFrom) == 0 {
			kv(3, "Environment", "<none>")
			continue
		}
		kv(3, "Environment", "")
		for _, env := range c.Env {
			kv(4, Sanitize(env.Name), Sanitize(envValue(env)))
		}
		for _, from := range c.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				kv(4, "(from ConfigMap)", Sanitize(from.ConfigMapRef.Name))
			case from.SecretRef != nil:
				kv(4, "(from Secret)", Sanitize(from.SecretRef.Name))
			}
		}
	}
}

func describeResources(tw io.Writer, title string, rl corev1.ResourceList) {
	if len(rl) == 0 {
		return
	}
	fmt.Fprintf(tw, "      %s:\t\n", title)
	names := make([]string, 0, len(rl))
	for n := range rl {
		names = append(names, string(n))
	}
	slices.Sort(names)
	for _, n := range names {
		q := rl[corev1.ResourceName(n)]
		fmt.Fprintf(tw, "        %s:\t%s\n", Sanitize(n), q.String())
	}
}

// envValue is what kubectl describe shows for a variable; secret values are
// never read, only named.
func envValue(env corev1.EnvVar) string {
	f := env.ValueFrom
	switch {
	case f == nil:
		return env.Value
	case f.FieldRef != nil:
		return fmt.Sprintf("(%s:%s)", f.FieldRef.APIVersion, f.FieldRef.FieldPath)
	case f.ResourceFieldRef != nil:
		return fmt.Sprintf("(resource %s of container %s)", f.ResourceFieldRef.Resource, f.ResourceFieldRef.ContainerName)
	case f.ConfigMapKeyRef != nil:
		return fmt.Sprintf("<set to the key '%s' of config map '%s'>", f.ConfigMapKeyRef.Key, f.ConfigMapKeyRef.Name)
	case f.SecretKeyRef != nil:
		return fmt.Sprintf("<set to the key '%s' in secret '%s'>", f.SecretKeyRef.Key, f.SecretKeyRef.Name)
	}
	return "<unknown source>"
}

// describeMap writes a map one key=value per line, like kubectl describe's
// Labels and Annotations, sorted, <none> when empty.
func describeMap(tw io.Writer, indent int, title string, m map[string]string, skip []string) {
	var keys []string
	for k := range m {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	pad := strings.Repeat("  ", indent)
	if len(keys) == 0 {
		fmt.Fprintf(tw, "%s%s:\t<none>\n", pad, title)
		return
	}
	for i, k := range keys {
		label := title + ":"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(tw, "%s%s\t%s\n", pad, label, Sanitize(k+"="+m[k]))
	}
}

func selectorText(sel *metav1.LabelSelector) string {
	if sel == nil {
		return "<unset>"
	}
	return Sanitize(metav1.FormatLabelSelector(sel))
}

func int32Text(p *int32) string {
	if p == nil {
		return "<unset>"
	}
	return fmt.Sprint(*p)
}

func secondsText(p *int64) string {
	if p == nil {
		return "<unset>"
	}
	return fmt.Sprintf("%ds (%s)", *p, ExactDuration(time.Duration(*p)*time.Second))
}

func boolText(p *bool) string {
	if p == nil {
		return "<unset>"
	}
	return fmt.Sprint(*p)
}

func ptrText(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// timeText is kubectl describe's timestamp (RFC 1123 with zone) and how long ago.
func timeText(t *metav1.Time, now time.Time) string {
	if t == nil {
		return "<unset>"
	}
	return t.Time.In(now.Location()).Format(time.RFC1123Z) + " (" + Relative(t.Time, now) + ")"
}

// explainRef is "NAME -n NS" for a next-step command about job.
func explainRef(job *batchv1.Job) string {
	ref := Sanitize(job.Name)
	if job.Namespace != "" {
		ref += " -n " + Sanitize(job.Namespace)
	}
	return ref
}
