package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/utils/ptr"
)

func TestParseRequestsBothLogFormats(t *testing.T) {
	log := `I1128 08:46:40.317457    7645 round_trippers.go:560] GET https://127.0.0.1:27200/apis/batch/v1/jobs?limit=500 200 OK in 4 milliseconds
I1128 08:46:56.034438    8256 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:27200/api/v1/pods?limit=500" status="200 OK" milliseconds=16
I1128 08:46:56.034438    8256 loader.go:402] Config loaded from file
`
	got := parseRequests(log)
	if got.Count != 2 || got.Lines[0] != "GET /apis/batch/v1/jobs?limit=500" || got.Lines[1] != "GET /api/v1/pods?limit=500" {
		t.Fatalf("got %+v", got)
	}
	if got.Latency != 20*time.Millisecond {
		t.Errorf("latency %s, want 4ms + 16ms", got.Latency)
	}
	if s := summarizeRequests(append(got.Lines, "GET /api/v1/pods?continue=x")); s != "`GET /apis/batch/v1/jobs`, `GET /api/v1/pods` ×2" {
		t.Errorf("summary %q", s)
	}
}

func TestPolls(t *testing.T) {
	watchOnly := requestLog{Lines: []string{"GET /apis/batch/v1/namespaces/x/jobs?fieldSelector=a", "GET /apis/batch/v1/namespaces/x/jobs?watch=true"}}
	if polls(watchOnly) {
		t.Error("a list and a watch is not polling")
	}
	twice := requestLog{Lines: []string{"GET /apis/batch/v1/namespaces/x/jobs/a", "GET /apis/batch/v1/namespaces/x/jobs/a"}}
	if !polls(twice) {
		t.Error("reading the Job twice is polling")
	}
}

func TestFleetStatusIsConsistent(t *testing.T) {
	if got := ranges([]int{0, 1, 2, 5, 7, 8}); got != "0-2,5,7-8" {
		t.Errorf("ranges: %q", got)
	}
	kinds := fleetKinds()
	perNS := 0
	for _, k := range kinds {
		perNS += k.perNS
	}
	if perNS != jobsPerNamespace {
		t.Errorf("a fleet namespace has %d Jobs, the tiers count %d", perNS, jobsPerNamespace)
	}
	for _, n := range bigSizes {
		k := bigKind(n)
		if pods := k.podsOf(nil, time.Unix(1800000000, 0)); len(pods) != n {
			t.Errorf("%s: %d pods, want %d", k.name, len(pods), n)
		}
		kinds = append(kinds, k)
	}
	for _, k := range kinds {
		if k.real != nil {
			continue // the job controller runs those
		}
		j := newJob("ns", k.name, true)
		k.build(j)
		var pods []podFate
		if k.podsOf != nil {
			pods = k.podsOf(j, time.Unix(1800000000, 0))
		}
		st := k.statusOf(j, pods, time.Unix(1800000000, 0))
		s, f, a := count(pods)
		if st.Succeeded != s || st.Failed != f || st.Active != a {
			t.Errorf("%s: status %d/%d/%d, pods %d/%d/%d", k.name, st.Succeeded, st.Failed, st.Active, s, f, a)
		}
		if c := j.Spec.Completions; c != nil && st.Succeeded > *c {
			t.Errorf("%s: %d succeeded > completions %d", k.name, st.Succeeded, *c)
		}
		if j.Spec.CompletionMode != nil && *j.Spec.CompletionMode == batchv1.IndexedCompletion && st.CompletedIndexes == "" && s > 0 {
			t.Errorf("%s: Indexed without completedIndexes", k.name)
		}
		if ptr.Deref(j.Spec.ManagedBy, "") != managedBy {
			t.Errorf("%s: not managed by the bench", k.name)
		}
	}
}

func TestAuditLogTook(t *testing.T) {
	path := t.TempDir() + "/audit.log"
	event := func(agent, uri string, ms int) string {
		return fmt.Sprintf(`{"stage":"ResponseComplete","requestURI":%q,"userAgent":%q,"requestReceivedTimestamp":"2026-12-01T03:00:00.000000Z","stageTimestamp":"2026-12-01T03:00:00.%03d000Z"}`+"\n", uri, agent, ms)
	}
	before := event("kubectl-job/v0.0.0 (linux/amd64)", "/old", 900)
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &auditLog{path: path, wait: 100 * time.Millisecond}
	if err := a.mark(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(event("kubectl-job/v0.0.0 (linux/amd64)", "/pods", 24) + event("kubectl/v1.32.4", "/pods", 50) +
		event("kubectl-job/v0.0.0 (linux/amd64)", "/job", 2) + `{"stage":"ResponseCo`)
	_ = f.Close()

	got, err := a.took("kubectl-job/", []string{"/job", "/pods"})
	if err != nil || got != 26*time.Millisecond {
		t.Errorf("took = %v, %v; want 26ms: the plugin's two requests since the mark, not kubectl's or the older one", got, err)
	}
	if got, err := a.took("kubectl/", []string{"/pods"}); err != nil || got != 50*time.Millisecond {
		t.Errorf("kubectl's took = %v, %v; want 50ms", got, err)
	}
	if _, err := a.took("kubectl-job/", []string{"/job", "/pods", "/events"}); err == nil {
		t.Error("a request missing from the log: want an error")
	}
	if _, err := a.took("kubectl-job/", []string{"/job"}); err == nil {
		t.Error("a request that was not asked for: want an error")
	}
}

func TestRatioStringNeverRoundsAMissToTheLimit(t *testing.T) {
	for _, tc := range []struct {
		v, limit float64
		want     string
	}{
		{0.2048, 0.2, "0.205×"},
		{0.2, 0.2, "0.20×"},
		{0.1951, 0.2, "0.20×"},
		{0.62, 0.8, "0.62×"},
		{1.47, 1.3, "1.47×"},
	} {
		if got := ratioString(tc.v, tc.limit); got != tc.want {
			t.Errorf("ratioString(%v, %v) = %q, want %q", tc.v, tc.limit, got, tc.want)
		}
	}
}
