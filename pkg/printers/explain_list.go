package printers

import (
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// ExplanationListKind identifies a JobExplanationList in json/yaml output:
// kubectl job explain -l SELECTOR / --all -o json|yaml. Its apiVersion is the
// JobExplanation's, and its items are JobExplanations, field for field.
const ExplanationListKind = "JobExplanationList"

// JobExplanationList is the explanations of many Jobs as one object, as
// kubectl prints a list of resources.
type JobExplanationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	Items           []*explain.JobExplanation `json:"items"`
}

// NewJobExplanationList returns items as a typed JobExplanationList; items
// get their own apiVersion and kind when they lack them.
func NewJobExplanationList(items []*explain.JobExplanation) *JobExplanationList {
	if items == nil {
		items = []*explain.JobExplanation{}
	}
	return &JobExplanationList{
		TypeMeta: metav1.TypeMeta{APIVersion: explain.APIVersion, Kind: ExplanationListKind},
		Items:    items,
	}
}

// GetObjectKind and DeepCopyObject make a JobExplanationList a
// runtime.Object, so cli-runtime's json, yaml and jsonpath printers take it.
func (l *JobExplanationList) GetObjectKind() schema.ObjectKind { return &l.TypeMeta }

// DeepCopyObject copies the list and each explanation.
func (l *JobExplanationList) DeepCopyObject() runtime.Object {
	out := &JobExplanationList{TypeMeta: l.TypeMeta, ListMeta: *l.ListMeta.DeepCopy(), Items: make([]*explain.JobExplanation, 0, len(l.Items))}
	for _, e := range l.Items {
		out.Items = append(out.Items, e.DeepCopyObject().(*explain.JobExplanation))
	}
	return out
}

// ExplainListColumns are the columns of kubectl job explain -l / --all, one
// row per Job: the verdict (PHASE, REASON, and VERDICT, its message with the
// numbers) beside the counts it is decided from. They share list's cells,
// so list and explain cannot word a Job two ways.
var ExplainListColumns = []ListColumn{
	{Header: "NAMESPACE", Show: func(o ListOptions) bool { return o.AllNamespaces }, Cell: func(r JobRow, _ time.Time) string { return r.Job.Namespace }},
	{Header: "NAME", Cell: func(r JobRow, _ time.Time) string { return r.Job.Name }},
	{Header: "PHASE", Cell: statusCell},
	{Header: "REASON", Cell: reasonCell},
	{Header: "COMPLETIONS", Cell: func(r JobRow, _ time.Time) string { return CompletionsCell(r.Job) }},
	{Header: "FAILED", Cell: func(r JobRow, _ time.Time) string { return FailedCell(r.Job, r.Explanation) }},
	{Header: "ACTIVE", Cell: func(r JobRow, _ time.Time) string { return fmt.Sprint(r.Job.Status.Active) }},
	{Header: "VERDICT", Cell: messageCell},
	{Header: "NEXT", Wide: true, Cell: nextStepCell},
	{Header: "AGE", Cell: func(r JobRow, now time.Time) string { return Age(r.Job.CreationTimestamp, now) }},
}

// nextStepCell is the first of the explanation's next steps.
func nextStepCell(r JobRow, _ time.Time) string {
	if r.Explanation == nil || len(r.Explanation.NextSteps) == 0 {
		return "<none>"
	}
	return r.Explanation.NextSteps[0]
}

// PrintExplanationList writes one line per Job: kubectl job explain -l /
// --all. -o wide adds the first next step.
func PrintExplanationList(w io.Writer, rows []JobRow, o ListOptions) error {
	return PrintTable(w, columnsTable(selectColumns(ExplainListColumns, o), rows, o), o.NoHeaders)
}
