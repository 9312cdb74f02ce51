package printers

import "github.com/kubectl-job/kubectl-job/pkg/explain"

// causeSummary is the CAUSE cell of an attempt: its class with the key fact.
func causeSummary(c *explain.Cause) string {
	if c == nil {
		return ""
	}
	return c.Summary
}
