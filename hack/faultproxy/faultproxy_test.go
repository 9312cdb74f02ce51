package faultproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// upstream answers /lines with 10 numbered lines, flushed one by one 10 ms
// apart, /big with 1,000 bytes, /hang with nothing until the client goes,
// and everything else with the request's method and query.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/lines":
			for i := range 10 {
				fmt.Fprintf(w, "line %d\n", i)
				w.(http.Flusher).Flush()
				time.Sleep(10 * time.Millisecond)
			}
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 1000)))
		case "/hang":
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			fmt.Fprintf(w, "%s %s", r.Method, r.URL.RawQuery)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func start(t *testing.T) *Proxy {
	t.Helper()
	p, err := New(&rest.Config{Host: upstream(t).URL}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func get(t *testing.T, p *Proxy, path string) (*http.Response, string, error) {
	t.Helper()
	res, err := http.Get(p.URL + path)
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

func TestListensOnLoopbackOnly(t *testing.T) {
	p := start(t)
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Errorf("URL %s, want 127.0.0.1", p.URL)
	}
}

func TestPassesThroughAndLogs(t *testing.T) {
	p := start(t)
	res, body, err := get(t, p, "/api?x=1")
	if err != nil || res.StatusCode != 200 || body != "GET x=1" {
		t.Fatalf("got %v %q %v", res, body, err)
	}
	log := p.Log()
	if len(log) != 1 || log[0].Status != 200 || log[0].Cut || log[0].URL != "/api?x=1" {
		t.Errorf("log %+v", log)
	}
}

func TestStatusOnTheNthSelectedRequest(t *testing.T) {
	p := start(t)
	rule := p.Add("410 on the 2nd page", Match{Method: "GET", Query: "continue=", Skip: 1, Times: 1}, Fault{Status: http.StatusGone})
	var codes []int
	for _, q := range []string{"limit=5", "continue=a", "continue=b", "continue=c"} {
		res, body, err := get(t, p, "/apis/batch/v1/jobs?"+q)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, res.StatusCode)
		if res.StatusCode == http.StatusGone {
			var st metav1.Status
			if err := json.Unmarshal([]byte(body), &st); err != nil || st.Reason != metav1.StatusReasonExpired || st.Code != 410 || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("410 body %q (%v), content type %q", body, err, res.Header.Get("Content-Type"))
			}
		}
	}
	if fmt.Sprint(codes) != "[200 200 410 200]" || rule.Hits() != 1 {
		t.Errorf("codes %v, hits %d; want the 2nd continue page only", codes, rule.Hits())
	}
}

func TestTooManyRequestsWithRetryAfter(t *testing.T) {
	p := start(t)
	p.Add("429", Match{Path: regexp.MustCompile(`^/apis/`)}, Fault{Status: http.StatusTooManyRequests, RetryAfter: 2})
	res, body, err := get(t, p, "/apis/batch/v1/jobs")
	if err != nil || res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" || !strings.Contains(body, `"reason":"TooManyRequests"`) {
		t.Errorf("got %v %q %v", res, body, err)
	}
	if res, _, _ := get(t, p, "/api/v1/pods"); res.StatusCode != 200 {
		t.Errorf("a path the rule does not select: %d", res.StatusCode)
	}
}

func TestDelayAndAfter(t *testing.T) {
	p := start(t)
	p.Add("later", Match{After: time.Now().Add(time.Hour)}, Fault{Status: http.StatusUnauthorized})
	p.Add("slow", Match{}, Fault{Delay: 100 * time.Millisecond, Jitter: 50 * time.Millisecond})
	begin := time.Now()
	res, _, err := get(t, p, "/x")
	// A lower bound: the delay was added (no upper bound: a loaded machine).
	if err != nil || res.StatusCode != 200 || time.Since(begin) < 100*time.Millisecond {
		t.Errorf("got %v %v after %s; want 200 after at least 100ms", res, err, time.Since(begin))
	}
}

func TestCutAfterBytes(t *testing.T) {
	p := start(t)
	p.Add("cut", Match{Path: regexp.MustCompile(`^/lines$`)}, Fault{CutAfter: 21})
	_, body, err := get(t, p, "/lines")
	if err == nil || body != "line 0\nline 1\nline 2\n" {
		t.Errorf("got %q, %v; want the first 21 bytes and an error", body, err)
	}
	if log := p.Log(); !log[0].Cut {
		t.Errorf("log %+v: not marked cut", log)
	}
}

func TestCutRate(t *testing.T) {
	p := start(t)
	p.Add("always", Match{}, Fault{CutRate: 1})
	if res, _, err := get(t, p, "/lines"); err == nil {
		t.Errorf("rate 1 answered %v; want the connection broken", res.Status)
	}
	p.Clear()
	p.Add("never", Match{}, Fault{CutRate: 0.000001})
	if _, body, err := get(t, p, "/lines"); err != nil || strings.Count(body, "\n") != 10 {
		t.Errorf("a tiny rate: %q %v", body, err)
	}
}

func TestTruncate(t *testing.T) {
	p := start(t)
	p.Add("half", Match{}, Fault{Truncate: true})
	res, body, err := get(t, p, "/big")
	if res == nil || res.ContentLength != 1000 || len(body) != 500 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got length %v, %d bytes, %v; want 500 of a promised 1000 and unexpected EOF", res, len(body), err)
	}
}

func TestExpireBreaksStreamsAndAnswers401(t *testing.T) {
	p := start(t)
	res, err := http.Get(p.URL + "/hang")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	read := make(chan error, 1)
	go func() { _, err := io.ReadAll(res.Body); read <- err }()
	time.Sleep(50 * time.Millisecond)
	p.Expire()
	select {
	case err := <-read:
		if err == nil {
			t.Error("the open stream ended cleanly; want it broken")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the open stream was not broken")
	}
	if res, _, _ := get(t, p, "/x"); res.StatusCode != 401 {
		t.Errorf("after Expire: %d, want 401", res.StatusCode)
	}
}

// TestClientGoSeesAPIErrors: client-go reads the proxy's answers as the API
// server's: 410 Expired is IsResourceExpired, 429 with Retry-After is retried.
func TestClientGoSeesAPIErrors(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"JobList","apiVersion":"batch/v1","metadata":{"resourceVersion":"7"},"items":[]}`))
	}))
	defer api.Close()
	p, err := New(&rest.Config{Host: api.URL}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := p.WriteKubeconfig(kc, "ns"); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	jobs := client.BatchV1().Jobs("ns")

	throttle := p.Add("429 once", Match{Times: 1}, Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
	if _, err := jobs.List(context.Background(), metav1.ListOptions{}); err != nil || throttle.Hits() != 1 || len(p.Log()) != 2 {
		t.Errorf("after one 429: %v, hits %d, %d requests; want a retry that succeeds", err, throttle.Hits(), len(p.Log()))
	}
	p.Add("410", Match{Query: "continue="}, Fault{Status: http.StatusGone})
	_, err = jobs.List(context.Background(), metav1.ListOptions{Continue: "abc"})
	if !apierrors.IsResourceExpired(err) {
		t.Errorf("410: %v, want IsResourceExpired", err)
	}
	p.Expire()
	if _, err := jobs.List(context.Background(), metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("expired: %v, want IsUnauthorized", err)
	}
	if n := p.Count(Match{Query: "continue="}); n != 1 {
		t.Errorf("Count: %d continue requests, want 1", n)
	}
	if _, err := os.Stat(kc); err != nil {
		t.Error(err)
	}
}
