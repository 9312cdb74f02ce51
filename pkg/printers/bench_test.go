package printers

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// BenchmarkListTable10000Rows renders `list -A -o wide` of 10,000 Jobs:
// complete, failed and running ones.
func BenchmarkListTable10000Rows(b *testing.B) {
	rows := make([]JobRow, 0, 10000)
	for i := range 10000 {
		j := newTestJob(fmt.Sprintf("ns-%d", i%4), fmt.Sprintf("job-%05d", i), time.Hour).started(time.Hour)
		switch i % 4 {
		case 0, 1:
			j.completed(30 * time.Minute).ttl(86400)
		case 2:
			j.failed(7, 20*time.Minute)
		default:
			j.running()
		}
		rows = append(rows, JobRow{Job: j.job, Explanation: explain.Explain(explain.Input{Job: j.job, Now: listNow, EventsUnknown: true})})
	}
	o := ListOptions{Wide: true, AllNamespaces: true, Now: listNow}
	b.ReportAllocs()
	for b.Loop() {
		if err := PrintJobList(io.Discard, rows, o); err != nil {
			b.Fatal(err)
		}
	}
}
