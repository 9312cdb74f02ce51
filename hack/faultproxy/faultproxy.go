// Package faultproxy is test equipment, not product: an HTTP reverse proxy on
// the loopback interface in front of a Kubernetes API server that injects the
// faults a test scripts, so the e2e tests (test/e2e/pressure_test.go) can
// show what the plugin does when a real cluster's network and control plane
// misbehave.
//
// A test starts a Proxy for the cluster's admin rest.Config, writes a
// kubeconfig that points at it (plain HTTP on 127.0.0.1, no credentials: the
// proxy authenticates upstream with the admin's, so --as impersonation still
// works), and adds rules. Each rule selects requests (Match: method, path,
// query, from a point in time, the n-th matching request) and says what
// happens to them (Fault): added latency and jitter; an answer of the
// proxy's own instead of the server's (429 with Retry-After, 410 Expired on a
// continue token, 401, 5xx), as a metav1.Status like the API server's; a
// connection broken after N bytes of the response body, or at random after
// any chunk (a lossy link), or half-way through a buffered body
// (truncation). CutStreams breaks every response in flight, and Expire makes
// the credentials stop working from now on (every open stream is broken and
// every new request is answered 401).
package faultproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Match selects requests. The zero Match selects every request.
type Match struct {
	// Method, when set, is the HTTP method (GET, DELETE, ...).
	Method string
	// Path, when set, must match the URL path.
	Path *regexp.Regexp
	// Query, when set, must be a substring of the raw query, e.g.
	// "watch=true", "continue=" or "follow=true".
	Query string
	// After, when set, selects only requests arriving at or after it.
	After time.Time
	// Skip lets the first Skip selected requests through untouched.
	Skip int
	// Times faults this many selected requests after the skipped ones; 0
	// faults every one.
	Times int
}

// Fault is what happens to a selected request.
type Fault struct {
	// Delay and a random Jitter in [0, Jitter) are added before the
	// request is answered or forwarded.
	Delay, Jitter time.Duration
	// Status, when set, answers the request with this code and a
	// metav1.Status body instead of forwarding it.
	Status int
	// Reason and Message override the Status body's defaults for Status.
	Reason  metav1.StatusReason
	Message string
	// RetryAfter, when set, is the Retry-After header (seconds) of the
	// answer, as API Priority and Fairness sends with 429.
	RetryAfter int
	// CutAfter, when set, forwards the request and breaks the connection
	// once this many bytes of the response body went through.
	CutAfter int64
	// CutRate, when set, forwards the request and, after each chunk of the
	// response body (and once before the response), breaks the connection
	// with this probability.
	CutRate float64
	// Truncate forwards the request, reads the whole response body, sends
	// the first half and breaks the connection (the client was promised the
	// whole length).
	Truncate bool
}

// Rule is a Match and its Fault, with how often it applied.
type Rule struct {
	Name  string
	Match Match
	Fault Fault

	mu       sync.Mutex
	selected int
	hits     int
}

// Hits is how many requests the rule faulted.
func (r *Rule) Hits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

// applies counts req against the rule and reports whether it faults it.
func (r *Rule) applies(req *http.Request, now time.Time) bool {
	m := r.Match
	if (m.Method != "" && req.Method != m.Method) ||
		(m.Path != nil && !m.Path.MatchString(req.URL.Path)) ||
		(m.Query != "" && !strings.Contains(req.URL.RawQuery, m.Query)) ||
		(!m.After.IsZero() && now.Before(m.After)) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.selected++
	if r.selected <= m.Skip || (m.Times > 0 && r.selected > m.Skip+m.Times) {
		return false
	}
	r.hits++
	return true
}

// Entry is one request the proxy saw.
type Entry struct {
	At     time.Time
	Method string
	URL    string
	// Status is the code sent (0 when the connection was broken before a
	// response).
	Status int
	// Rules names the rules that applied.
	Rules []string
	// Cut says the response was broken off.
	Cut bool
}

// Proxy is a running fault-injection proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	// URL is where clients connect: http://127.0.0.1:PORT.
	URL string

	proxy    *httputil.ReverseProxy
	server   *http.Server
	listener net.Listener

	mu      sync.Mutex
	rules   []*Rule
	log     []Entry
	cancels map[int]context.CancelFunc // by log entry
	rng     *rand.Rand
}

// New starts a proxy on 127.0.0.1 (never another interface) in front of the
// API server of cfg, whose credentials it uses upstream. seed makes the
// random faults (jitter, CutRate) repeatable.
func New(cfg *rest.Config, seed uint64) (*Proxy, error) {
	target, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("parsing the API server address %q: %w", cfg.Host, err)
	}
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		URL:      "http://" + l.Addr().String(),
		listener: l,
		cancels:  map[int]context.CancelFunc{},
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
		},
		Transport:     rt,
		FlushInterval: -1, // watches and followed logs go through as they come
		ErrorLog:      discardLogger(),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				panic(http.ErrAbortHandler) // cut by CutStreams while connecting
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
		},
		ModifyResponse: p.modifyResponse,
	}
	p.server = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: time.Minute, ErrorLog: discardLogger()}
	go func() { _ = p.server.Serve(l) }()
	return p, nil
}

// Close stops the proxy and breaks every open connection.
func (p *Proxy) Close() {
	p.CutStreams()
	_ = p.server.Close()
}

// Add appends a rule; every rule whose Match selects a request applies to it,
// in the order added (delays add up; the first Status answers).
func (p *Proxy) Add(name string, m Match, f Fault) *Rule {
	r := &Rule{Name: name, Match: m, Fault: f}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, r)
	return r
}

// Clear removes every rule; the requests in flight keep theirs.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// CutStreams breaks every response in flight (watches, followed logs) and
// returns how many it broke.
func (p *Proxy) CutStreams() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for entry, cancel := range p.cancels {
		p.log[entry].Cut = true
		cancel()
	}
	n := len(p.cancels)
	p.cancels = map[int]context.CancelFunc{}
	return n
}

// Expire makes the credentials stop working now: every later request is
// answered 401 Unauthorized and every open stream is broken, as when a
// token expires and the server closes a watch.
func (p *Proxy) Expire() {
	p.Add("expired credentials", Match{}, Fault{Status: http.StatusUnauthorized})
	p.CutStreams()
}

// Log returns the requests seen so far.
func (p *Proxy) Log() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Entry(nil), p.log...)
}

// Count is how many requests seen so far m selects (m.Skip and m.Times are
// ignored).
func (p *Proxy) Count(m Match) int {
	n := 0
	for _, e := range p.Log() {
		u, err := url.Parse(e.URL)
		if err != nil {
			continue
		}
		req := &http.Request{Method: e.Method, URL: u}
		r := &Rule{Match: Match{Method: m.Method, Path: m.Path, Query: m.Query, After: m.After}}
		if r.applies(req, e.At) {
			n++
		}
	}
	return n
}

// WriteKubeconfig writes a kubeconfig whose only context points at the proxy
// with namespace as its default namespace.
func (p *Proxy) WriteKubeconfig(path, namespace string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["faultproxy"] = &clientcmdapi.Cluster{Server: p.URL}
	cfg.AuthInfos["faultproxy"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["faultproxy"] = &clientcmdapi.Context{Cluster: "faultproxy", AuthInfo: "faultproxy", Namespace: namespace}
	cfg.CurrentContext = "faultproxy"
	return clientcmd.WriteToFile(*cfg, path)
}

type ctxKey struct{}

// plan is what the matched rules ask of one request.
type plan struct {
	entry    int
	delay    time.Duration
	answer   *Fault
	cutAfter int64
	cutRate  float64
	truncate bool
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	p.mu.Lock()
	rules := append([]*Rule(nil), p.rules...)
	p.mu.Unlock()
	pl := &plan{}
	var names []string
	for _, rule := range rules {
		if !rule.applies(r, now) {
			continue
		}
		f := rule.Fault
		names = append(names, rule.Name)
		pl.delay += f.Delay
		if f.Jitter > 0 {
			pl.delay += time.Duration(p.random() * float64(f.Jitter))
		}
		if f.Status != 0 && pl.answer == nil {
			pl.answer = &f
		}
		if f.CutAfter > 0 && (pl.cutAfter == 0 || f.CutAfter < pl.cutAfter) {
			pl.cutAfter = f.CutAfter
		}
		pl.cutRate = max(pl.cutRate, f.CutRate)
		pl.truncate = pl.truncate || f.Truncate
	}
	p.mu.Lock()
	pl.entry = len(p.log)
	p.log = append(p.log, Entry{At: now, Method: r.Method, URL: r.URL.String(), Rules: names})
	id := pl.entry
	ctx, cancel := context.WithCancel(r.Context())
	p.cancels[id] = cancel
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.cancels, id)
		p.mu.Unlock()
		cancel()
	}()

	if pl.delay > 0 {
		select {
		case <-time.After(pl.delay):
		case <-ctx.Done():
			p.markCut(pl.entry)
			panic(http.ErrAbortHandler)
		}
	}
	if pl.answer != nil {
		p.setStatus(pl.entry, pl.answer.Status)
		writeStatus(w, pl.answer)
		return
	}
	if pl.cutRate > 0 && p.random() < pl.cutRate {
		p.markCut(pl.entry)
		panic(http.ErrAbortHandler) // reset before any response
	}
	p.proxy.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, pl)))
}

func (p *Proxy) modifyResponse(res *http.Response) error {
	pl, _ := res.Request.Context().Value(ctxKey{}).(*plan)
	if pl == nil {
		return nil
	}
	p.setStatus(pl.entry, res.StatusCode)
	if pl.truncate {
		body, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil {
			return err
		}
		res.Body = &faultyBody{r: strings.NewReader(string(body)), limit: int64(len(body) / 2), onCut: func() { p.markCut(pl.entry) }}
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	if pl.cutAfter > 0 || pl.cutRate > 0 {
		res.Body = &faultyBody{r: res.Body, closer: res.Body, limit: pl.cutAfter, rate: pl.cutRate, random: p.random, onCut: func() { p.markCut(pl.entry) }}
	}
	return nil
}

func (p *Proxy) random() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64()
}

func (p *Proxy) setStatus(entry, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log[entry].Status = status
}

func (p *Proxy) markCut(entry int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log[entry].Cut = true
}

// errCut is what the body returns when the proxy breaks the connection; the
// reverse proxy then aborts the response.
var errCut = errors.New("faultproxy: connection cut")

// faultyBody passes a response body through until its fault says to break.
type faultyBody struct {
	r      io.Reader
	closer io.Closer
	limit  int64 // cut after this many bytes (0: no limit)
	rate   float64
	random func() float64
	n      int64
	onCut  func()
}

func (b *faultyBody) Read(buf []byte) (int, error) {
	if b.limit > 0 && b.n >= b.limit {
		b.onCut()
		return 0, errCut
	}
	if b.limit > 0 && int64(len(buf)) > b.limit-b.n {
		buf = buf[:b.limit-b.n]
	}
	n, err := b.r.Read(buf)
	b.n += int64(n)
	if n > 0 && b.rate > 0 && b.random() < b.rate {
		// This chunk still goes out; the connection breaks after it.
		b.limit = b.n
	}
	return n, err
}

func (b *faultyBody) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// writeStatus answers like the API server: a metav1.Status in JSON.
func writeStatus(w http.ResponseWriter, f *Fault) {
	reason, message := f.Reason, f.Message
	if reason == "" || message == "" {
		r, m := defaultStatus(f.Status)
		reason = orDefault(reason, r)
		message = orDefault(message, m)
	}
	st := metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Code: int32(f.Status), Reason: reason, Message: message,
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		st.Details = &metav1.StatusDetails{RetryAfterSeconds: int32(f.RetryAfter)}
	}
	body, _ := json.Marshal(st)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

func orDefault[T ~string](a, b T) T {
	if a != "" {
		return a
	}
	return b
}

// defaultStatus is the reason and message the API server sends with code.
func defaultStatus(code int) (metav1.StatusReason, string) {
	switch code {
	case http.StatusUnauthorized:
		return metav1.StatusReasonUnauthorized, "Unauthorized"
	case http.StatusGone:
		return metav1.StatusReasonExpired, "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
	case http.StatusTooManyRequests:
		return metav1.StatusReasonTooManyRequests, "Too many requests, please try again later."
	case http.StatusServiceUnavailable:
		return metav1.StatusReasonServiceUnavailable, "the server is currently unable to handle the request"
	case http.StatusGatewayTimeout:
		return metav1.StatusReasonTimeout, "the server was unable to return a response in the time allotted"
	}
	if code >= 500 {
		return metav1.StatusReasonInternalError, "Internal error occurred: injected by faultproxy"
	}
	return metav1.StatusReasonUnknown, http.StatusText(code)
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
