package explain

// Stalls named with the user's own setting: which nodeSelector, affinity
// term, toleration or resource request of an unschedulable pod matches no
// node, and pods that wait forever because nothing times them out.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// longPending is how long a pod may wait (unschedulable, image pull, config
// error) before a Job without activeDeadlineSeconds is warned about.
const longPending = 5 * time.Minute

// unschedulableFindings says which of the pod's own settings match no node.
// Nodes are those of Input.Nodes; nil when they were not read.
func unschedulableFindings(p *corev1.Pod, nodes []corev1.Node) []string {
	if nodes == nil {
		return nil
	}
	n := len(nodes)
	var out []string
	keys := make([]string, 0, len(p.Spec.NodeSelector))
	for k := range p.Spec.NodeSelector {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := p.Spec.NodeSelector[k]
		if m := countNodes(nodes, func(nd *corev1.Node) bool { return nd.Labels[k] == v }); m == 0 {
			out = append(out, fmt.Sprintf("nodeSelector %s=%s matches 0 of %d nodes", k, v, n))
		}
	}
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		matched := false
		for i := range terms {
			if countNodes(nodes, func(nd *corev1.Node) bool { return termMatches(&terms[i], nd) }) > 0 {
				matched = true
			}
		}
		if !matched {
			for i := range terms {
				out = append(out, fmt.Sprintf("required node affinity term %d (%s) matches 0 of %d nodes", i, termText(&terms[i]), n))
			}
		}
	}
	untolerated := map[string]int{}
	for i := range nodes {
		for _, t := range nodes[i].Spec.Taints {
			if (t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute) && !tolerated(p.Spec.Tolerations, &t) {
				untolerated[taintText(&t)]++
			}
		}
	}
	for _, t := range sortedKeys(untolerated) {
		if untolerated[t] == n {
			out = append(out, fmt.Sprintf("no toleration for taint %s, which all %d nodes have", t, n))
		}
	}
	requests := podRequests(p)
	for _, name := range sortedKeys(requests) {
		req := requests[name]
		var largest resource.Quantity
		for i := range nodes {
			if q, ok := nodes[i].Status.Allocatable[corev1.ResourceName(name)]; ok && q.Cmp(largest) > 0 {
				largest = q
			}
		}
		if req.Cmp(largest) > 0 {
			out = append(out, fmt.Sprintf("requests %s %s > largest node allocatable %s", name, req.String(), largest.String()))
		}
	}
	return out
}

func countNodes(nodes []corev1.Node, match func(*corev1.Node) bool) int {
	n := 0
	for i := range nodes {
		if match(&nodes[i]) {
			n++
		}
	}
	return n
}

// termMatches is a node selector term against a node's labels and name.
func termMatches(t *corev1.NodeSelectorTerm, nd *corev1.Node) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false // an empty term matches no node
	}
	for _, r := range t.MatchExpressions {
		if !requirementMatches(r, labels.Set(nd.Labels)) {
			return false
		}
	}
	for _, r := range t.MatchFields {
		if !requirementMatches(r, labels.Set{"metadata.name": nd.Name}) {
			return false
		}
	}
	return true
}

func requirementMatches(r corev1.NodeSelectorRequirement, set labels.Set) bool {
	op := map[corev1.NodeSelectorOperator]selection.Operator{
		corev1.NodeSelectorOpIn: selection.In, corev1.NodeSelectorOpNotIn: selection.NotIn,
		corev1.NodeSelectorOpExists: selection.Exists, corev1.NodeSelectorOpDoesNotExist: selection.DoesNotExist,
		corev1.NodeSelectorOpGt: selection.GreaterThan, corev1.NodeSelectorOpLt: selection.LessThan,
	}[r.Operator]
	req, err := labels.NewRequirement(r.Key, op, r.Values)
	if err != nil {
		return false
	}
	return req.Matches(set)
}

func termText(t *corev1.NodeSelectorTerm) string {
	var parts []string
	for _, r := range append(append([]corev1.NodeSelectorRequirement(nil), t.MatchExpressions...), t.MatchFields...) {
		s := r.Key + " " + string(r.Operator)
		if len(r.Values) > 0 {
			s += " [" + strings.Join(r.Values, ", ") + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// tolerated follows the scheduler's TaintToleration filter.
func tolerated(tols []corev1.Toleration, t *corev1.Taint) bool {
	for _, tol := range tols {
		if tol.Effect != "" && tol.Effect != t.Effect {
			continue
		}
		switch tol.Operator {
		case corev1.TolerationOpExists:
			if tol.Key == "" || tol.Key == t.Key {
				return true
			}
		default:
			if tol.Key == t.Key && tol.Value == t.Value {
				return true
			}
		}
	}
	return false
}

func taintText(t *corev1.Taint) string {
	s := t.Key
	if t.Value != "" {
		s += "=" + t.Value
	}
	return s + ":" + string(t.Effect)
}

// podRequests are the pod's effective requests: the larger of the sum of
// its containers and its largest init container, plus its overhead.
func podRequests(p *corev1.Pod) map[string]resource.Quantity {
	out := map[string]resource.Quantity{}
	for _, c := range p.Spec.Containers {
		for name, q := range c.Resources.Requests {
			sum := out[string(name)]
			sum.Add(q)
			out[string(name)] = sum
		}
	}
	for _, c := range p.Spec.InitContainers {
		for name, q := range c.Resources.Requests {
			if cur := out[string(name)]; q.Cmp(cur) > 0 {
				out[string(name)] = q.DeepCopy()
			}
		}
	}
	for name, q := range p.Spec.Overhead {
		sum := out[string(name)]
		sum.Add(q)
		out[string(name)] = sum
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// longWaitWarnings warns about pods that have waited long while the Job has
// no activeDeadlineSeconds: the job controller never fails it for that.
func (s *state) longWaitWarnings(stuck []stuckPod) []string {
	if s.job.Spec.ActiveDeadlineSeconds != nil {
		return nil
	}
	var out []string
	for _, st := range stuck {
		since := st.since
		if since.IsZero() || s.now.Sub(since) < longPending {
			continue
		}
		out = append(out, fmt.Sprintf("pod %s waiting in %s for %s; this Job never fails on its own without activeDeadlineSeconds",
			st.pod, st.reason, FormatDuration(s.now.Sub(since))))
		if len(out) == maxPodEvidence {
			break
		}
	}
	return out
}
