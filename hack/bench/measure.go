package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// contender is one command of a comparison.
type contender struct {
	Label string
	Args  []string // argv; a loop is ["sh", "-c", script]
	// Slow contenders (the shell loop) get no warm-up run, and their
	// requests are counted by RequestsOf instead of a verbose run.
	Slow       bool
	RequestsOf func() (requestLog, error)
	// Expect checks the warm-up run's output, so no contender is timed
	// doing less than the others (a peer that finds nothing to print is
	// fast and wrong).
	Expect func(stdout string) error
}

type sample struct {
	wall  time.Duration
	rssKB int64
}

// comparison is one row group of the report: contenders measured in
// alternating order over rounds, so drift on a loaded machine hits all alike.
type comparison struct {
	Title      string
	Contenders []contender
	Rounds     int
	Samples    [][]sample
	Requests   []requestLog
	// Targets are checked against the medians once measured.
	Targets []target
	Note    string
	// Size is the fleet's Jobs (list) or the Job's pods (explain), for the
	// cost-growth tables; 0 elsewhere.
	Size int
	// Floor, when set, is measured after the comparison from contender 0's
	// own requests.
	Floor *requestFloor
}

type target struct {
	What  string
	Check func(c *comparison) (value string, ok bool)
}

// requestLog is what a contender asked the API server, from its -v=6 log.
type requestLog struct {
	Count int
	Lines []string // "GET /apis/batch/v1/jobs?limit=500"
	// Latency is the sum of the requests' latencies as client-go logs them
	// (to the response's headers).
	Latency time.Duration
}

func (c *comparison) wall(i int) time.Duration {
	return median(c.Samples[i], func(s sample) float64 { return float64(s.wall) })
}

func (c *comparison) rssMB(i int) float64 {
	return float64(median(c.Samples[i], func(s sample) float64 { return float64(s.rssKB) })) / 1024
}

// spread is the fastest and slowest wall time of contender i.
func (c *comparison) spread(i int) (time.Duration, time.Duration) {
	lo, hi := time.Duration(0), time.Duration(0)
	for k, s := range c.Samples[i] {
		if k == 0 || s.wall < lo {
			lo = s.wall
		}
		hi = max(hi, s.wall)
	}
	return lo, hi
}

func median(ss []sample, f func(sample) float64) time.Duration {
	if len(ss) == 0 {
		return 0
	}
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return time.Duration(v[len(v)/2])
	}
	return time.Duration((v[len(v)/2-1] + v[len(v)/2]) / 2)
}

// ratio of contender i's median wall time to contender j's.
func (c *comparison) ratio(i, j int) float64 { return float64(c.wall(i)) / float64(c.wall(j)) }

func (c *comparison) measure() error {
	c.Samples = make([][]sample, len(c.Contenders))
	c.Requests = make([]requestLog, len(c.Contenders))
	// One untimed warm-up each: page cache, TLS session, watch cache.
	for _, ct := range c.Contenders {
		if ct.Slow {
			continue
		}
		if ct.Expect != nil {
			out, err := exec.Command(ct.Args[0], ct.Args[1:]...).Output()
			if err != nil {
				return fmt.Errorf("%s: %w", ct.Label, err)
			}
			if err := ct.Expect(string(out)); err != nil {
				return fmt.Errorf("%s printed the wrong output: %w", ct.Label, err)
			}
			continue
		}
		if _, err := runTimed(ct.Args); err != nil {
			return fmt.Errorf("%s: %w", ct.Label, err)
		}
	}
	for r := range c.Rounds {
		for k := range c.Contenders {
			i := (k + r) % len(c.Contenders) // rotate who goes first
			s, err := runTimed(c.Contenders[i].Args)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Contenders[i].Label, err)
			}
			c.Samples[i] = append(c.Samples[i], s)
		}
	}
	for i, ct := range c.Contenders {
		count := ct.RequestsOf
		if count == nil {
			count = func() (requestLog, error) { return requestsOf(append(slices.Clone(ct.Args), "-v=6")) }
		}
		log, err := count()
		if err != nil {
			return fmt.Errorf("%s -v=6: %w", ct.Label, err)
		}
		c.Requests[i] = log
	}
	return nil
}

// runTimed runs a command with its output thrown away and returns its wall
// time and peak RSS (the kernel's ru_maxrss, which an exec'd plugin inherits
// from the kubectl process it replaced).
func runTimed(args []string) (sample, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer func() { _ = devnull.Close() }()
	var stderr bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = devnull, &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w: %s", shellQuote(args), err, tail(stderr.String()))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	s := sample{wall: wall}
	if ru != nil {
		s.rssKB = ru.Maxrss
	}
	return s, nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

// Both log formats of client-go's -v=6 request lines: kubectl 1.32's
// "GET https://... 200 OK in 4 milliseconds" and the structured
// `"Response" verb="GET" url="https://..."` of newer ones.
var (
	requestLine    = regexp.MustCompile(`(?:"Response" verb="([A-Z]+)" url="https?://[^/"]+([^"]*)"|\] ([A-Z]+) https?://[^/ ]+(\S*) )`)
	requestLatency = regexp.MustCompile(`(?: milliseconds=(\d+)| in (\d+) milliseconds)`)
)

func requestsOf(args []string) (requestLog, error) {
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := cmd.Run(); err != nil {
		return requestLog{}, fmt.Errorf("%w: %s", err, tail(stderr.String()))
	}
	return parseRequests(stderr.String()), nil
}

func parseRequests(log string) requestLog {
	var out requestLog
	for _, line := range strings.Split(log, "\n") {
		m := requestLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		verb, path := m[1]+m[3], m[2]+m[4]
		out.Count++
		out.Lines = append(out.Lines, verb+" "+path)
		if l := requestLatency.FindStringSubmatch(line); l != nil {
			ms, _ := strconv.Atoi(l[1] + l[2])
			out.Latency += time.Duration(ms) * time.Millisecond
		}
	}
	return out
}

func kj(args ...string) []string { return append([]string{"kubectl", "job"}, args...) }
func kc(args ...string) []string { return append([]string{"kubectl"}, args...) }

// measureTier measures the fleet at its current size: list at every size
// (the cost-growth table), and at 2,000 Jobs (main) everything else.
func measureTier(ctx context.Context, c kubernetes.Interface, r *report, jobs int, main bool) error {
	list := listComparison(r, jobs)
	cmps := []*comparison{list}
	if main {
		cmps = append(cmps, explainComparisons(r)...)
		cmps = append(cmps, describeComparison(r), logsComparison(r), startupComparison(r))
	}
	for _, cmp := range cmps {
		logf("measuring: %s (%d rounds)", cmp.Title, cmp.Rounds)
		if err := cmp.measure(); err != nil {
			return fmt.Errorf("%s: %w", cmp.Title, err)
		}
		r.Comparisons = append(r.Comparisons, cmp)
	}
	if !main {
		return nil
	}
	for _, cmp := range cmps {
		if cmp.Floor != nil {
			logf("measuring: the raw request floor of %s", cmp.Title)
			if err := cmp.Floor.measure(cmp); err != nil {
				return fmt.Errorf("%s: request floor: %w", cmp.Title, err)
			}
		}
	}
	logf("measuring: wait reaction (%d rounds)", r.Rounds)
	w, err := measureWait(ctx, c, r.Rounds)
	if err != nil {
		return fmt.Errorf("wait reaction: %w", err)
	}
	r.Wait = w
	logf("measuring: logs -f first-line latency")
	// 4 pods per round (28 at 7 rounds): with 8 the sign test allows 6
	// later pods for a tie, too coarse to tell one from a slower follower.
	if r.Follow, err = measureFollow(ctx, c, r.Stern, 4*r.Rounds); err != nil {
		return fmt.Errorf("logs -f latency: %w", err)
	}
	return nil
}

// listComparison is list -A against kubectl get jobs -A on the whole fleet.
// Its targets: 0.8x kubectl's wall at 2,000 Jobs, 1.0x at 10,000 (none at
// 500, which only feeds the cost-growth table).
func listComparison(r *report, jobs int) *comparison {
	// A row per Job of the fleet (and the bench's few others), a header.
	rows := func(out string) error {
		if n := strings.Count(out, "\n") - 1; n < jobs {
			return fmt.Errorf("%d rows for a fleet of %d Jobs", n, jobs)
		}
		return nil
	}
	c := &comparison{
		Title: fmt.Sprintf("list every Job (-A), %s Jobs", thousands(jobs)),
		Size:  jobs,
		Contenders: []contender{
			{Label: "kubectl job list -A", Args: kj("list", "-A"), Expect: rows},
			{Label: "kubectl get jobs -A", Args: kc("get", "jobs", "-A"), Expect: rows},
			{Label: "kubectl-job list -A (the plugin binary alone)", Args: []string{"kubectl-job", "list", "-A"}, Expect: rows},
			{Label: "kubectl get --raw /apis/batch/v1/jobs (one unpaginated read, no printing)", Args: kc("get", "--raw", "/apis/batch/v1/jobs")},
			// No target: the cost of reading every live Job's pods (MESSAGE).
			{Label: "kubectl job list -A -o wide (reads the pods of every live Job)", Args: kj("list", "-A", "-o", "wide"), Expect: rows},
		},
		Rounds: r.Rounds,
	}
	limit := map[int]float64{2000: 0.8, 10000: 1.0}[jobs]
	if limit > 0 {
		c.Targets = []target{
			{fmt.Sprintf("wall ≤ %.1f× kubectl get jobs -A", limit), ratioAtMost(0, limit)},
			{"peak RSS ≤ 1.5× kubectl get jobs -A", rssAtMost(0, 1, 1.5)},
			{"requests: Jobs pages + at most one Pods read per page of live Jobs", listRequests(0, jobs)},
		}
	}
	return c
}

// explainComparisons: explain against what a user runs to learn the same
// from kubectl (describe, then the pods), on Jobs of 100, 1,000 and 5,000
// pods; the targets are on the 1,000-pod Job.
func explainComparisons(r *report) []*comparison {
	var out []*comparison
	for _, n := range bigSizes {
		name := bigName(n)
		both := fmt.Sprintf("kubectl describe job %s -n %s >/dev/null && kubectl get pods -n %s -l batch.kubernetes.io/job-name=%s", name, bigNS, bigNS, name)
		c := &comparison{
			Title: fmt.Sprintf("explain a Job with %s pods", thousands(n)),
			Size:  n,
			Contenders: []contender{
				{Label: "kubectl job explain " + name, Args: kj("explain", name, "-n", bigNS)},
				{Label: "kubectl describe job " + name + " && kubectl get pods -l batch.kubernetes.io/job-name=" + name, Args: []string{"sh", "-c", both},
					RequestsOf: func() (requestLog, error) {
						return requestsOf([]string{"sh", "-c", strings.ReplaceAll(both, " -n ", " -v=6 -n ")})
					}},
				{Label: "kubectl describe job " + name, Args: kc("describe", "job", name, "-n", bigNS)},
				{Label: "kubectl-job explain " + name + " (the plugin binary alone)", Args: []string{"kubectl-job", "explain", name, "-n", bigNS}},
			},
			Rounds: r.Rounds,
		}
		if n == 1000 {
			c.Targets = []target{
				{"wall ≤ 1.0× kubectl describe job + kubectl get pods", ratioAtMost(0, 1.0)},
				{"≤ 4 requests", requestsAtMost(0, 4)},
				{fmt.Sprintf("request time (API server, receipt to last byte) ≤ %.1f× the raw floor of the same requests", floorLimit), floorAtMost(floorLimit)},
			}
			c.Floor = &requestFloor{Rounds: r.Rounds, Audit: &auditLog{path: r.AuditLog}}
		}
		out = append(out, c)
	}
	return out
}

func describeComparison(r *report) *comparison {
	return &comparison{
		Title: "describe a Job with 1,000 pods",
		Contenders: []contender{
			{Label: "kubectl job describe big", Args: kj("describe", bigJob, "-n", bigNS)},
			{Label: "kubectl describe job big", Args: kc("describe", "job", bigJob, "-n", bigNS)},
		},
		Rounds: r.Rounds,
	}
}

// logsComparison: the peer is stern, which reads many pods' logs at once
// like kubectl job logs. stern --no-follow reads 5 pods at a time unless told
// otherwise (--max-log-requests); both settings are measured, the target is
// on the faster. kubectl's rows are what users get from kubectl alone.
func logsComparison(r *report) *comparison {
	listPods := kc("get", "pods", "-n", logsNS, "-l", "batch.kubernetes.io/job-name="+logsJob, "-o", "name")
	loop := fmt.Sprintf(`for p in $(%s); do kubectl logs -n %s "$p"; done`, shellQuote(listPods), logsNS)
	// The loop's requests: its list, then what one kubectl logs asks, per pod.
	loopRequests := func() (requestLog, error) {
		list, err := requestsOf(append(slices.Clone(listPods), "-v=6"))
		if err != nil {
			return list, err
		}
		pod, err := exec.Command(listPods[0], listPods[1:]...).Output()
		if err != nil {
			return list, err
		}
		one, err := requestsOf(kc("logs", "-n", logsNS, strings.Fields(string(pod))[0], "-v=6"))
		if err != nil {
			return list, err
		}
		for range logsPods {
			list.Count += one.Count
			list.Lines = append(list.Lines, one.Lines...)
		}
		return list, nil
	}
	stern := func(extra ...string) []string {
		return append([]string{r.Stern, "-n", logsNS, "-l", "batch.kubernetes.io/job-name=" + logsJob, "--no-follow", "--color", "never"}, extra...)
	}
	sternRequests := func(extra ...string) func() (requestLog, error) {
		return func() (requestLog, error) { return requestsOf(append(stern(extra...), "--verbosity", "6")) }
	}
	// Every pod's log ends with this line: each command must print it
	// once per pod.
	allPods := func(out string) error {
		if n := strings.Count(out, "wrote 1000 records"); n != logsPods {
			return fmt.Errorf("%d of the %d pods' logs", n, logsPods)
		}
		return nil
	}
	return &comparison{
		Title: "logs of a Job with 100 pods",
		Contenders: []contender{
			{Label: "kubectl job logs logs", Args: kj("logs", logsJob, "-n", logsNS), Expect: allPods},
			{Label: "stern -l batch.kubernetes.io/job-name=logs --no-follow", Args: stern(), RequestsOf: sternRequests(), Expect: allPods},
			{Label: "stern … --no-follow --max-log-requests 100", Args: stern("--max-log-requests", "100"), RequestsOf: sternRequests("--max-log-requests", "100"), Expect: allPods},
			{Label: "kubectl logs job/logs --all-pods (kubectl)", Args: kc("logs", "job/"+logsJob, "-n", logsNS, "--all-pods"), Expect: allPods},
			{Label: "a shell loop of kubectl logs (kubectl)", Args: []string{"sh", "-c", loop}, Slow: true, RequestsOf: loopRequests},
		},
		Rounds: max(1, r.Rounds-2),
		Targets: []target{
			{"wall ≤ 1.0× stern --no-follow (the faster of its two settings)", func(c *comparison) (string, bool) {
				v := float64(c.wall(0)) / float64(min(c.wall(1), c.wall(2)))
				return fmt.Sprintf("%.2f×", v), v <= 1.0
			}},
		},
		Note: "stern prints every pod's lines with its pod and container names; kubectl job logs prefixes each line with the pod's index and attempt. " +
			"Each reads each pod's log once (the bench checks that every command printed all 100 pods' last line before timing it); output goes to /dev/null. " +
			"stern, like kubectl, keeps client-go's default client-side rate limit (5 requests/s, burst 10), which neither lets its users change " +
			"(stern has no flag for it): 101 requests take about 18 s whatever --max-log-requests says. kubectl job sets its own limit (50/s, burst 100; " +
			"the server's API Priority and Fairness still applies).",
	}
}

// startupComparison: the plugin's own start-up, absolute and against
// kubectl's; the binary's size is checked with it.
func startupComparison(r *report) *comparison {
	c := &comparison{
		Title: "start-up",
		Contenders: []contender{
			{Label: "kubectl-job version (the plugin binary)", Args: []string{"kubectl-job", "version"}},
			{Label: "kubectl version --client", Args: kc("version", "--client")},
			{Label: "kubectl job version (kubectl execs the plugin)", Args: kj("version")},
			{Label: "kubectl job --help", Args: kj("--help")},
		},
		Rounds: 4 * r.Rounds,
		Note: "`kubectl job ...` is two start-ups: kubectl finds the plugin on PATH and execs it, " +
			"so its cost is kubectl's own start-up plus the plugin's; the targets are on the plugin's share.",
		Targets: []target{
			{"plugin start-up ≤ 15 ms", func(c *comparison) (string, bool) {
				return c.wall(0).Round(100 * time.Microsecond).String(), c.wall(0) <= 15*time.Millisecond
			}},
			{"plugin start-up ≤ 0.2× kubectl version --client", func(c *comparison) (string, bool) {
				v, ok := ratioAtMost(0, 0.2)(c)
				// Beside it, what the mandated libraries alone cost.
				if last := len(c.Contenders) - 1; strings.HasPrefix(c.Contenders[last].Label, "startfloor") {
					v += fmt.Sprintf(" (startfloor %s)", ratioString(c.ratio(last, 1), 0.2))
				}
				return v, ok
			}},
			{"binary ≤ 40 MB", func(*comparison) (string, bool) {
				mb := float64(binarySize("kubectl-job")) / 1e6
				return fmt.Sprintf("%.1f MB", mb), mb > 0 && mb <= 40
			}},
		},
	}
	if r.StartFloor != "" {
		c.Contenders = append(c.Contenders, contender{Label: "startfloor: ConfigFlags and tablewriter linked, nothing done (hack/bench/startfloor)", Args: []string{r.StartFloor}})
		c.Note += " The last row is the floor: a program linking only cli-runtime's ConfigFlags and tablewriter, which the plugin must use, " +
			"pays their package inits (client-go's full API scheme among them) before it does anything."
	}
	return c
}

// binarySize is the size of the named program on PATH, 0 when missing.
func binarySize(name string) int64 {
	path, err := exec.LookPath(name)
	if err != nil {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func thousands(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%d,000", n/1000)
	}
	if n >= 1000 {
		return fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return fmt.Sprint(n)
}

// ratioAtMost checks contender i's median wall time against the reference,
// kubectl's command, which every comparison lists second.
func ratioAtMost(i int, limit float64) func(*comparison) (string, bool) {
	return func(c *comparison) (string, bool) {
		v := c.ratio(i, 1)
		return ratioString(v, limit), v <= limit
	}
}

// ratioString prints v to two decimals, or three where two would round a
// miss down to the limit (0.204 is not "0.20×" against ≤ 0.2).
func ratioString(v, limit float64) string {
	if s := fmt.Sprintf("%.2f", v); v > limit && s == fmt.Sprintf("%.2f", limit) {
		return fmt.Sprintf("%.3f×", v)
	}
	return fmt.Sprintf("%.2f×", v)
}

func rssAtMost(i, j int, limit float64) func(*comparison) (string, bool) {
	return func(c *comparison) (string, bool) {
		v := c.rssMB(i) / c.rssMB(j)
		return fmt.Sprintf("%.2f×", v), v <= limit
	}
}

func requestsAtMost(i, n int) func(*comparison) (string, bool) {
	return func(c *comparison) (string, bool) {
		return fmt.Sprintf("%d", c.Requests[i].Count), c.Requests[i].Count <= n
	}
}

// listRequests checks that contender i only read collections: Jobs pages
// (the fleet in pages of 500, as kubectl reads it) and at most one Pods
// request per Jobs page; events only as one extra read.
func listRequests(i, jobs int) func(*comparison) (string, bool) {
	return func(c *comparison) (string, bool) {
		kinds := map[string]int{}
		for _, l := range c.Requests[i].Lines {
			path := strings.SplitN(strings.TrimPrefix(l, "GET "), "?", 2)[0]
			switch {
			case strings.HasSuffix(path, "/jobs"):
				kinds["jobs"]++
			case strings.HasSuffix(path, "/pods"):
				kinds["pods"]++
			case strings.HasSuffix(path, "/events"):
				kinds["events"]++
			default:
				return l, false
			}
		}
		pages := (jobs + 499) / 500
		ok := kinds["jobs"] <= pages+1 && kinds["pods"] <= kinds["jobs"] && kinds["events"] <= 1
		return fmt.Sprintf("%d Jobs pages + %d Pods reads + %d events reads", kinds["jobs"], kinds["pods"], kinds["events"]), ok
	}
}

// requestFloor compares the time the API server spent on the requests
// contender 0 made with the same requests replayed alone, one at a time, by
// kubectl get --raw (no decoding into objects, no explaining): the floor any
// client of that data pays. The times are the server's (auditLog), receipt to
// the response's last byte; client-go's logged latencies, to the response
// headers, are kept beside them for comparison.
type requestFloor struct {
	Rounds int
	Audit  *auditLog
	Paths  []string
	// Ours and Raw are each round's summed server times; OursHeaders and
	// RawHeaders the same rounds' client-go latencies.
	Ours, Raw, OursHeaders, RawHeaders []time.Duration
	// Control is the negative control, proof that the comparison can fail:
	// the raw replay with the pods read stripped of its label selector (every
	// pod of the namespace), against Raw.
	ControlPaths []string
	Control      []time.Duration
}

func (f *requestFloor) measure(c *comparison) error {
	for _, l := range c.Requests[0].Lines {
		verb, path, _ := strings.Cut(l, " ")
		if verb != "GET" {
			return fmt.Errorf("cannot replay %s", l)
		}
		f.Paths = append(f.Paths, path)
		if p, _, _ := strings.Cut(path, "?"); strings.HasSuffix(p, "/pods") {
			path = p
		}
		f.ControlPaths = append(f.ControlPaths, path)
	}
	if slices.Equal(f.Paths, f.ControlPaths) {
		return fmt.Errorf("no pods read among %q to build the negative control from", f.Paths)
	}
	replay := func(paths []string) (server, headers time.Duration, err error) {
		for _, path := range paths {
			if err := f.Audit.mark(); err != nil {
				return 0, 0, err
			}
			one, err := requestsOf(kc("get", "--raw", path, "-v=6"))
			if err != nil {
				return 0, 0, err
			}
			took, err := f.Audit.took("kubectl/", []string{path})
			if err != nil {
				return 0, 0, err
			}
			server += took
			headers += one.Latency
		}
		return server, headers, nil
	}
	for range f.Rounds {
		if err := f.Audit.mark(); err != nil {
			return err
		}
		ours, err := requestsOf(append(slices.Clone(c.Contenders[0].Args), "-v=6"))
		if err != nil {
			return err
		}
		took, err := f.Audit.took("kubectl-job/", f.Paths)
		if err != nil {
			return err
		}
		f.Ours, f.OursHeaders = append(f.Ours, took), append(f.OursHeaders, ours.Latency)
		raw, headers, err := replay(f.Paths)
		if err != nil {
			return err
		}
		f.Raw, f.RawHeaders = append(f.Raw, raw), append(f.RawHeaders, headers)
		control, _, err := replay(f.ControlPaths)
		if err != nil {
			return err
		}
		f.Control = append(f.Control, control)
	}
	return nil
}

// floorLimit is the most explain's requests may take against their raw floor.
const floorLimit = 1.3

// controlRead is the read the negative control changed.
func (f *requestFloor) controlRead() string {
	for i, p := range f.ControlPaths {
		if p != f.Paths[i] {
			return p
		}
	}
	return ""
}

func floorAtMost(limit float64) func(*comparison) (string, bool) {
	return func(c *comparison) (string, bool) {
		f := c.Floor
		ours, raw, control := medianDuration(f.Ours), medianDuration(f.Raw), medianDuration(f.Control)
		if raw <= 0 {
			return "no floor measured", false
		}
		v, vc := float64(ours)/float64(raw), float64(control)/float64(raw)
		out := fmt.Sprintf("%s (%s vs %s); negative control %.2f×", ratioString(v, limit), roundWall(ours), roundWall(raw), vc)
		if vc <= limit {
			// The comparison could not tell a costlier read from the floor:
			// its verdict on ours means nothing.
			return out + ", which should have missed", false
		}
		return out, v <= limit
	}
}

// waitResult is the reaction of a waiting command to a Job turning Complete.
type waitResult struct {
	Label     string
	Reactions []time.Duration
	Requests  requestLog
}

// measureWait starts the waiting command on a running Job, lets it settle
// into its watch, then writes the Complete condition (the Job is managed by
// the bench, so that write is the terminal transition) and times how long the
// process takes to exit after the write returns. lastTransitionTime has
// whole-second precision, so the write's own clock is the reference.
func measureWait(ctx context.Context, c kubernetes.Interface, rounds int) ([]waitResult, error) {
	waiters := []struct {
		label string
		args  func(name string) []string
	}{
		{"kubectl job wait", func(n string) []string { return kj("wait", n, "-n", waitNS, "--for=complete", "--timeout=2m") }},
		{"kubectl wait --for=condition=Complete", func(n string) []string {
			return kc("wait", "job/"+n, "-n", waitNS, "--for=condition=Complete", "--timeout=2m")
		}},
	}
	out := make([]waitResult, len(waiters))
	for i, w := range waiters {
		out[i].Label = w.label
		for r := 0; r <= rounds; r++ {
			name := fmt.Sprintf("wait-%d-%d", i, r)
			verbose := r == rounds // the last, untimed run logs its requests
			d, log, err := reactTo(ctx, c, name, w.args(name), verbose)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w.label, err)
			}
			if verbose {
				out[i].Requests = log
			} else {
				out[i].Reactions = append(out[i].Reactions, d)
			}
		}
	}
	return out, nil
}

func reactTo(ctx context.Context, c kubernetes.Interface, name string, args []string, verbose bool) (time.Duration, requestLog, error) {
	j := newJob(waitNS, name, true)
	completions(1, 1)(j)
	created, err := c.BatchV1().Jobs(waitNS).Create(ctx, j, metav1.CreateOptions{})
	if err != nil {
		return 0, requestLog{}, err
	}
	created.Status = batchv1.JobStatus{
		StartTime: ptr.To(metav1.Now()), Active: 1, Ready: ptr.To[int32](1), Terminating: ptr.To[int32](0),
		UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
	}
	if created, err = c.BatchV1().Jobs(waitNS).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return 0, requestLog{}, err
	}
	if verbose {
		args = append(args, "-v=6")
	}
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, requestLog{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Long enough for either command to start, read the Job and watch it.
	select {
	case err := <-exited:
		return 0, requestLog{}, fmt.Errorf("exited before the Job finished: %w: %s", err, tail(stderr.String()))
	case <-time.After(3 * time.Second):
	}
	now := metav1.Now()
	created.Status.Active, created.Status.Ready, created.Status.Succeeded = 0, ptr.To[int32](0), 1
	created.Status.CompletionTime = &now
	created.Status.Conditions = []batchv1.JobCondition{
		{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastProbeTime: now, LastTransitionTime: now},
		{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached", LastProbeTime: now, LastTransitionTime: now},
	}
	if _, err := c.BatchV1().Jobs(waitNS).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		_ = cmd.Process.Kill()
		return 0, requestLog{}, err
	}
	written := time.Now()
	select {
	case err := <-exited:
		d := time.Since(written)
		if err != nil {
			return d, requestLog{}, fmt.Errorf("exit: %w: %s", err, tail(stderr.String()))
		}
		return d, parseRequests(stderr.String()), nil
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		return 0, requestLog{}, fmt.Errorf("still waiting a minute after the Job completed")
	}
}
