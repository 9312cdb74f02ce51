package explain

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, cpu string, lbls map[string]string, taints ...corev1.Taint) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}, Spec: corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("64Gi")}}}
}

func TestUnschedulableFindings(t *testing.T) {
	nodes := []corev1.Node{node("a", "16", map[string]string{"zone": "x"}, corev1.Taint{Key: "dedicated", Value: "batch", Effect: corev1.TaintEffectNoSchedule}),
		node("b", "8", map[string]string{"zone": "y"}, corev1.Taint{Key: "dedicated", Value: "batch", Effect: corev1.TaintEffectNoSchedule})}
	tests := []struct {
		name string
		spec func(p *corev1.PodSpec)
		want []string
	}{
		{"nodeSelector", func(p *corev1.PodSpec) {
			p.NodeSelector = map[string]string{"accelerator": "nvidia-h100", "zone": "x"}
			p.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		}, []string{"nodeSelector accelerator=nvidia-h100 matches 0 of 2 nodes"}},
		{"requests", func(p *corev1.PodSpec) {
			p.Containers = []corev1.Container{{Name: "main", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("64")}}}}
			p.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "batch"}}
		}, []string{"requests cpu 64 > largest node allocatable 16"}},
		{"taint and affinity", func(p *corev1.PodSpec) {
			p.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"z"}}}}}}}}
		}, []string{"required node affinity term 0 (zone In [z]) matches 0 of 2 nodes", "no toleration for taint dedicated=batch:NoSchedule, which all 2 nodes have"}},
		{"fits", func(p *corev1.PodSpec) {
			p.NodeSelector = map[string]string{"zone": "y"}
			p.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &corev1.Pod{}
			tc.spec(&p.Spec)
			got := unschedulableFindings(p, nodes)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := unschedulableFindings(&corev1.Pod{Spec: corev1.PodSpec{NodeSelector: map[string]string{"a": "b"}}}, nil); got != nil {
		t.Errorf("nodes not read: %q", got)
	}
}

func TestStallNamedInVerdict(t *testing.T) {
	j := newJob("gpu").started(time.Hour).counts(1, 0, 0, 0).build()
	p := newPod(j, "gpu-a", 42*time.Minute).unschedulable("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")
	p.p.Spec.NodeSelector = map[string]string{"accelerator": "nvidia-h100"}
	nodes := []corev1.Node{node("a", "16", nil), node("b", "16", nil)}
	e := Explain(Input{Job: j, Pods: pods(p), Nodes: nodes, Now: now})
	if e.Verdict.Reason != ReasonUnschedulable || !strings.Contains(e.Verdict.Message, "1 pod unschedulable: nodeSelector accelerator=nvidia-h100 matches 0 of 2 nodes") {
		t.Errorf("verdict %s %q", e.Verdict.Reason, e.Verdict.Message)
	}
	fields := map[string]string{}
	for _, ev := range e.Evidence {
		fields[ev.Field] = ev.Message
	}
	if fields["spec.template.spec"] != "nodeSelector accelerator=nvidia-h100 matches 0 of 2 nodes" || !strings.HasPrefix(fields["status.conditions[PodScheduled]"], "unschedulable: 0/2 nodes") {
		t.Errorf("evidence %q", fields)
	}
	want := "pod gpu-a waiting in Unschedulable for 42m00s; this Job never fails on its own without activeDeadlineSeconds"
	if !strings.Contains(strings.Join(e.Warnings, "\n"), want) {
		t.Errorf("warnings %q, want %q", e.Warnings, want)
	}
	// With a deadline, or a short wait, no warning.
	jd := newJob("gpu").started(time.Hour).counts(1, 0, 0, 0).deadline(7200).build()
	if e := Explain(Input{Job: jd, Pods: pods(p), Now: now}); strings.Contains(strings.Join(e.Warnings, "\n"), "never fails") {
		t.Errorf("deadline set, warnings %q", e.Warnings)
	}
	if e := Explain(Input{Job: j, Pods: pods(newPod(j, "gpu-b", time.Minute).waiting("ImagePullBackOff", "")), Now: now}); strings.Contains(strings.Join(e.Warnings, "\n"), "never fails") {
		t.Errorf("short wait, warnings %q", e.Warnings)
	}
}
