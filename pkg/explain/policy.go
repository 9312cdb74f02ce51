package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// matchPodFailurePolicy mirrors the job controller: the first rule whose
// onExitCodes or onPodConditions matches the failed pod decides.
func matchPodFailurePolicy(policy *batchv1.PodFailurePolicy, p *corev1.Pod) (int, batchv1.PodFailurePolicyAction, bool) {
	for i, rule := range policy.Rules {
		switch {
		case rule.OnExitCodes != nil:
			if _, _, ok := matchOnExitCodes(p, rule.OnExitCodes); ok {
				return i, rule.Action, true
			}
		case len(rule.OnPodConditions) > 0:
			for _, c := range p.Status.Conditions {
				for _, want := range rule.OnPodConditions {
					if c.Type == want.Type && c.Status == want.Status {
						return i, rule.Action, true
					}
				}
			}
		}
	}
	return -1, "", false
}

// matchOnExitCodes returns the container whose non-zero exit code matches:
// app containers first, then init containers, as the controller does.
func matchOnExitCodes(p *corev1.Pod, req *batchv1.PodFailurePolicyOnExitCodesRequirement) (string, int32, bool) {
	for _, list := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
		for _, cs := range list {
			t := cs.State.Terminated
			if t == nil || t.ExitCode == 0 {
				continue
			}
			if req.ContainerName != nil && *req.ContainerName != cs.Name {
				continue
			}
			in := slices.Contains(req.Values, t.ExitCode)
			if (req.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && in) ||
				(req.Operator == batchv1.PodFailurePolicyOnExitCodesOpNotIn && !in) {
				return cs.Name, t.ExitCode, true
			}
		}
	}
	return "", 0, false
}

// FormatPodFailurePolicyRule renders a rule on one line:
// "FailJob onExitCodes{container: main, operator: In, values: [42]}".
func FormatPodFailurePolicyRule(rule batchv1.PodFailurePolicyRule) string {
	var b strings.Builder
	b.WriteString(string(rule.Action))
	if r := rule.OnExitCodes; r != nil {
		b.WriteString(" onExitCodes{")
		if r.ContainerName != nil {
			fmt.Fprintf(&b, "container: %s, ", *r.ContainerName)
		}
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = strconv.Itoa(int(v))
		}
		fmt.Fprintf(&b, "operator: %s, values: [%s]}", r.Operator, strings.Join(vals, ","))
	}
	if len(rule.OnPodConditions) > 0 {
		conds := make([]string, len(rule.OnPodConditions))
		for i, c := range rule.OnPodConditions {
			conds[i] = string(c.Type) + "=" + string(c.Status)
		}
		fmt.Fprintf(&b, " onPodConditions[%s]", strings.Join(conds, ","))
	}
	return b.String()
}

// FormatSuccessPolicyRule renders a successPolicy rule on one line:
// "succeededIndexes: 0-2, succeededCount: 2".
func FormatSuccessPolicyRule(rule batchv1.SuccessPolicyRule) string {
	var parts []string
	if rule.SucceededIndexes != nil {
		parts = append(parts, "succeededIndexes: "+*rule.SucceededIndexes)
	}
	if rule.SucceededCount != nil {
		parts = append(parts, "succeededCount: "+strconv.Itoa(int(*rule.SucceededCount)))
	}
	if len(parts) == 0 {
		return "<empty rule>"
	}
	return strings.Join(parts, ", ")
}

// The job controller's messages (pod_failure_policy.go, success_policy.go).
var (
	reContainerRule    = lazyRegexp(`^Container (\S+) for pod ([^/\s]+)/(\S+) failed with exit code (-?\d+) matching (\w+) rule at index (\d+)`)
	rePodConditionRule = lazyRegexp(`^Pod ([^/\s]+)/(\S+) has condition (\S+) matching (\w+) rule at index (\d+)`)
	reSuccessRule      = lazyRegexp(`^Matched rules at index (\d+)`)
)

// policyMatch is what a PodFailurePolicy condition message says.
type policyMatch struct {
	Pod, Container, PodCondition string
	ExitCode                     *int32
	Action                       string
	Rule                         int
}

// parsePodFailurePolicyMessage parses the controller's FailJob message; ok is
// false for any other text.
func parsePodFailurePolicyMessage(msg string) (policyMatch, bool) {
	if m := reContainerRule().FindStringSubmatch(msg); m != nil {
		code, err1 := strconv.ParseInt(m[4], 10, 32)
		rule, err2 := strconv.Atoi(m[6])
		if err1 != nil || err2 != nil {
			return policyMatch{}, false
		}
		c := int32(code)
		return policyMatch{Container: m[1], Pod: m[3], ExitCode: &c, Action: m[5], Rule: rule}, true
	}
	if m := rePodConditionRule().FindStringSubmatch(msg); m != nil {
		rule, err := strconv.Atoi(m[5])
		if err != nil {
			return policyMatch{}, false
		}
		return policyMatch{Pod: m[2], PodCondition: m[3], Action: m[4], Rule: rule}, true
	}
	return policyMatch{}, false
}

// parseSuccessPolicyMessage returns the rule index of "Matched rules at index {i}".
func parseSuccessPolicyMessage(msg string) (int, bool) {
	m := reSuccessRule().FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	return i, err == nil
}
