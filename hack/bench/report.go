package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is everything docs/benchmarks.md shows.
type report struct {
	Started time.Time
	Rounds  int
	Scale   string // 2k or 10k
	Commit  string
	Stern   string
	// StartFloor is the startfloor binary, measured with the start-up
	// comparison when set.
	StartFloor string
	// AuditLog is the API server's audit log, the request floor's clock.
	AuditLog    string
	Fleet       fleet
	Comparisons []*comparison
	Wait        []waitResult
	Follow      *followResult
	GoBench     string
}

// checked is one target with what was measured.
type checked struct {
	Where, What, Value string
	OK                 bool
}

// targets checks every target of the run.
func (r *report) targets() []checked {
	var out []checked
	for _, c := range r.Comparisons {
		for _, t := range c.Targets {
			v, ok := t.Check(c)
			out = append(out, checked{c.Title, t.What, v, ok})
		}
	}
	if len(r.Wait) == 2 {
		ours, theirs := medianDuration(r.Wait[0].Reactions), medianDuration(r.Wait[1].Reactions)
		out = append(out,
			checked{"wait", "reacts within 0.5 s of the terminal condition", ours.Round(time.Millisecond).String(), ours <= 500*time.Millisecond},
			checked{"wait", "reacts no later than kubectl wait", fmt.Sprintf("%s vs %s", ours.Round(time.Millisecond), theirs.Round(time.Millisecond)), ours <= theirs},
			checked{"wait", "no polling requests", strings.Join(r.Wait[0].Requests.Lines, ", "), !polls(r.Wait[0].Requests)})
	}
	if f := r.Follow; f != nil {
		ours, theirs := medianDuration(f.Latencies[0]), medianDuration(f.Latencies[1])
		later, n := f.later()
		out = append(out, checked{"logs -f", "first line of a new pod no later than stern (per pod: later on no more pods than a tie explains, sign test at 97.5 %)",
			fmt.Sprintf("%s vs %s; per pod %+.2f ms (median), later on %d of %d (at most %d for a tie)", ours.Round(time.Millisecond), theirs.Round(time.Millisecond),
				float64(medianDuration(f.Paired))/1e6, later, n, tieBound(n)), n > 0 && later <= tieBound(n)})
	}
	return out
}

func (r *report) missedTargets() []checked {
	var out []checked
	for _, t := range r.targets() {
		if !t.OK {
			out = append(out, t)
		}
	}
	return out
}

// printTargets is the run's verdict on stderr.
func printTargets(w io.Writer, r *report) {
	fmt.Fprintln(w, "targets:")
	for _, t := range r.targets() {
		fmt.Fprintf(w, "  %-4s %s: %s: %s\n", map[bool]string{true: "ok", false: "MISS"}[t.OK], t.Where, t.What, t.Value)
	}
}

func writeReport(path string, r *report) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Benchmarks\n\n")
	regen := "make bench"
	if r.Scale == "10k" {
		regen = "make bench BENCH_SCALE=10k"
	}
	p("Written by `%s` (hack/bench.sh, hack/bench/) on %s at commit %s; do not edit by hand: rerun `%s` to regenerate it. ", regen, r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Commit, regen)
	p("A run writes this file only when every target below is met; otherwise it writes the report next to it (`.failed.md`) and exits 1.\n")
	p("Every number below comes from one run on one local cluster; ratios compare commands measured in that same run, medians with the fastest and slowest run beside them.\n\n")
	p("## Machine and versions\n\n")
	p("| | |\n|---|---|\n")
	p("| CPU | %s (%d cores) |\n", cpuModel(), runtime.NumCPU())
	p("| Memory | %s |\n", memTotal())
	p("| Go | %s |\n", runtime.Version())
	p("| kubectl | %s |\n", firstLine(output("kubectl", "version", "--client")))
	p("| kubectl-job | %s (%.1f MB) |\n", firstLine(output("kubectl-job", "version")), float64(binarySize("kubectl-job"))/1e6)
	p("| stern | %s (hack/tools/stern) |\n", sternVersion())
	p("| Cluster | %s |\n\n", strings.ReplaceAll(firstLineMatching(output("kubectl", "version"), "Server Version"), "|", "/"))
	p("## Method\n\n")
	p("- A fresh local cluster (hack/cluster-up.sh: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK nodes).\n")
	p("- The fleet: %s, in %s. It grows in namespaces of 500 Jobs (1, 4", r.Fleet, r.Fleet.Took.Round(time.Second))
	if r.Scale == "10k" {
		p(", 20")
	}
	p(" namespaces) and `list` is measured at each size. ")
	p("Jobs with `spec.managedBy: %s` are ignored by the job controller: the bench creates their pods (as the controller names and labels them, owned by the Job) and writes pod and Job status itself, ", managedBy)
	p("the way the controller would (SuccessCriteriaMet/FailureTarget before Complete/Failed), for every phase and reason: Complete (NonIndexed and Indexed with 120 indexes), Failed by BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy and MaxFailedIndexesExceeded, suspended, and the three explain Jobs below, which stay External. ")
	p("Pods carry `sim.kubectl-job.io/outcome: external` so KWOK leaves their status alone. ")
	p("The live Jobs are real ones, run by the job controller, scheduler and KWOK, so `list` reads their pods as in any cluster: in every 500, 80 Running (4 pods each, running for an hour) and 20 Pending (one pod, unschedulable or failing its image pull). ")
	p("The 100-pod logs Job and the follow Job are real ones, run by the job controller, scheduler and KWOK. ")
	p("The explain Jobs `%s/big-100`, `big` and `big-5000` are Indexed with 100, 1,000 and 5,000 pods: 90%% of the indexes done, 5%% failed once and running again.\n", bigNS)
	p("- Each comparison runs every command once untimed, then %d rounds (fewer for the slow logs loop, more for start-up) in rotating order, so load drift hits all commands alike; tables show the median and the min–max. ", r.Rounds)
	p("Output goes to /dev/null. Peak RSS is the kernel's ru_maxrss of the process (`kubectl job` execs the plugin in kubectl's process, so its figure covers both). ")
	p("Requests are counted from one extra run at `-v=6` (client-go logs one line per request, with its latency to the response headers).\n")
	p("- `kubectl job` runs as users run it: kubectl finds `kubectl-job` on PATH and execs it. kubectl's client-side rate limit (5 requests/s, burst 10) is a setting kubectl users cannot change; it does not bind any command measured here except the shell loop of `kubectl logs`, which makes one request per process.\n\n")

	p("## Targets\n\n| Where | Target | Measured | Met |\n|---|---|---|---|\n")
	for _, t := range r.targets() {
		p("| %s | %s | %s | %s |\n", t.Where, t.What, strings.ReplaceAll(t.Value, "|", "/"), yesNo(t.OK))
	}
	p("\n")
	if exec := execOverhead(r); exec > 0 {
		p("`kubectl job …` pays kubectl's own start-up before kubectl execs the plugin: %s in this run (`kubectl job version` minus `kubectl-job version`). ", exec.Round(time.Millisecond))
		p("No plugin can avoid it; the \"plugin binary alone\" rows show the plugin's own share. Scripts that call the plugin in a loop can run `kubectl-job` directly.\n\n")
	}

	for _, c := range r.Comparisons {
		p("## %s\n\n", c.Title)
		if c.Note != "" {
			p("%s\n\n", c.Note)
		}
		p("| Command | Wall: median (min–max) | vs first | Peak RSS | vs first | API requests |\n|---|---|---|---|---|---|\n")
		for i, ct := range c.Contenders {
			lo, hi := c.spread(i)
			p("| `%s` | %s (%s–%s) | %.2f× | %.0f MB | %.2f× | %d |\n", ct.Label, roundWall(c.wall(i)), roundWall(lo), roundWall(hi),
				float64(c.wall(i))/float64(c.wall(0)), c.rssMB(i), c.rssMB(i)/c.rssMB(0), c.Requests[i].Count)
		}
		p("\n<details><summary>requests</summary>\n\n")
		for i, ct := range c.Contenders {
			p("- `%s`: %s\n", ct.Label, summarizeRequests(c.Requests[i].Lines))
		}
		p("\n</details>\n\n")
	}

	if f := r.Floor(); f != nil {
		p("## explain's requests against their raw floor\n\n")
		p("`kubectl job explain big` made these requests; each was replayed alone with `kubectl get --raw PATH`, in the same round. ")
		p("The target is on the API server's own time for them, from receipt to the response's last byte, summed over the requests (its audit log, `hack/bench/audit-policy.yaml`), median of %d rounds. ", len(f.Ours))
		p("client-go's logged latencies, which stop at the response headers, are shown beside it but are no measure of the work: ")
		p("the server sends a JSON list's headers with its first item and a protobuf list's only once the list is encoded, so by that clock the plugin's protobuf read of 1,000 pods looks slower than kubectl's JSON read though it ends sooner.\n\n")
		p("| Requests | explain, server time | kubectl get --raw, server time | explain, to headers | kubectl get --raw, to headers |\n|---|---|---|---|---|\n")
		p("| %s | %s | %s | %s | %s |\n\n", summarizeRequests(f.Paths), medianSpan(f.Ours), medianSpan(f.Raw), medianSpan(f.OursHeaders), medianSpan(f.RawHeaders))
		p("Negative control, proof that this comparison can fail: the same replay with the pods read stripped of its label selector (%s, every pod of the namespace) took %s of server time, %.2f× the floor; a target the control met would fail the run.\n\n",
			"`"+f.controlRead()+"`", medianSpan(f.Control), float64(medianDuration(f.Control))/float64(medianDuration(f.Raw)))
	}
	growthTables(p, r)
	if f := r.Follow; f != nil {
		p("## logs -f: first line of a new pod\n\n")
		p("Both followers run side by side on one real Job whose pods the job controller creates one after the other. Latency is from the bench's own watch seeing a pod created to the follower printing that pod's first line (so it includes KWOK starting the container, the same for both). %d pods created before both followers had settled into their watches are not measured.\n\n", f.Early)
		p("| Follower | Latency: median (min–max) | Pods shown | Pods never shown |\n|---|---|---|---|\n")
		for i, l := range f.Labels {
			p("| `%s` | %s | %d | %d |\n", l, medianSpan(f.Latencies[i]), len(f.Latencies[i]), f.Missed[i])
		}
		later, n := f.later()
		p("\nPer pod, kubectl job's latency minus stern's: median %+.2f ms (%+.2f to %+.2f); kubectl job was later on %d of %d pods. ",
			float64(medianDuration(f.Paired))/1e6, float64(slicesMin(f.Paired))/1e6, float64(slicesMax(f.Paired))/1e6, later, n)
		p("Both react to the same watch event with one log request, whose round trip through the API server to the node is most of the latency, so the two are level: the target is met unless kubectl job is later on more pods than a tie explains (more than %d of %d, a one-sided sign test at 97.5 %%). ", tieBound(n), n)
		p("A follower built with a 3 ms sleep before each log request (the negative control, measured with `bench -only follow`) was later on 27 of 30 pods and missed it.\n\n")
	}
	if len(r.Wait) > 0 {
		p("## wait: reaction to the terminal condition\n\n")
		p("The bench starts the command on a running Job, waits 3 s, writes the Job's Complete condition and times from the write's return to the process's exit.\n\n")
		p("| Command | Reaction (median of %d) | Min | Max | API requests |\n|---|---|---|---|---|\n", len(r.Wait[0].Reactions))
		for _, w := range r.Wait {
			p("| `%s` | %s | %s | %s | %d: %s |\n", w.Label, medianDuration(w.Reactions).Round(time.Millisecond),
				slicesMin(w.Reactions).Round(time.Millisecond), slicesMax(w.Reactions).Round(time.Millisecond),
				w.Requests.Count, summarizeRequests(w.Requests.Lines))
		}
		p("\n")
	}
	p("## What the binary's size buys\n\n%s\n\n", sizeNote)
	if r.GoBench != "" {
		p("## Go benchmarks\n\n")
		p("`go test -run '^$' -bench . -benchmem ./pkg/explain ./pkg/kube ./pkg/printers ./pkg/cmd`:\n\n```\n%s```\n", keepBenchLines(r.GoBench))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// polls reports whether a wait repeated a read: a watch-based wait reads the
// Job once and watches it.
func polls(l requestLog) bool {
	seen := map[string]bool{}
	for _, line := range l.Lines {
		key := strings.SplitN(line, "?", 2)[0]
		if strings.Contains(line, "watch=true") {
			continue
		}
		if seen[key] {
			return true
		}
		seen[key] = true
	}
	return false
}

// summarizeRequests collapses repeated request lines: "GET /api/v1/pods ×20".
func summarizeRequests(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	var order []string
	n := map[string]int{}
	for _, l := range lines {
		key := strings.SplitN(l, "?", 2)[0]
		if strings.Contains(l, "watch=true") {
			key += " (watch)"
		}
		if strings.HasPrefix(key, "GET /api/v1/namespaces/") && strings.Contains(key, "/pods/") && strings.HasSuffix(key, "/log") {
			key = "GET /api/v1/namespaces/…/pods/…/log"
		} else if strings.HasPrefix(key, "GET /api/v1/namespaces/") && strings.Count(key, "/") == 6 && strings.Contains(key, "/pods/") {
			key = "GET /api/v1/namespaces/…/pods/…"
		}
		if n[key] == 0 {
			order = append(order, key)
		}
		n[key]++
	}
	out := make([]string, len(order))
	for i, k := range order {
		out[i] = "`" + k + "`"
		if n[k] > 1 {
			out[i] += fmt.Sprintf(" ×%d", n[k])
		}
	}
	return strings.Join(out, ", ")
}

func medianDuration(ds []time.Duration) time.Duration {
	ss := make([]sample, len(ds))
	for i, d := range ds {
		ss[i].wall = d
	}
	return median(ss, func(s sample) float64 { return float64(s.wall) })
}

func slicesMin(ds []time.Duration) time.Duration {
	m := time.Duration(0)
	for i, d := range ds {
		if i == 0 || d < m {
			m = d
		}
	}
	return m
}

func slicesMax(ds []time.Duration) time.Duration {
	m := time.Duration(0)
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

func keepBenchLines(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "goos") || strings.HasPrefix(l, "goarch") || strings.HasPrefix(l, "cpu") || strings.HasPrefix(l, "pkg") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func output(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	return strings.TrimSpace(string(out))
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func firstLineMatching(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return "unknown"
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "model name") {
			return strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	data, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "MemTotal:") {
			var kb int64
			_, _ = fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
			return fmt.Sprintf("%.0f GiB", float64(kb)/1024/1024)
		}
	}
	return "unknown"
}

// execOverhead is what kubectl costs before it execs a plugin: the start-up
// comparison's `kubectl job version` minus the plugin binary's own.
func execOverhead(r *report) time.Duration {
	for _, c := range r.Comparisons {
		if c.Title == "start-up" {
			return c.wall(2) - c.wall(0)
		}
	}
	return 0
}

// Floor is the request floor of the run, if one was measured.
func (r *report) Floor() *requestFloor {
	for _, c := range r.Comparisons {
		if c.Floor != nil && len(c.Floor.Ours) > 0 {
			return c.Floor
		}
	}
	return nil
}

// growthTables show how list's and explain's cost grows with the fleet and
// the Job: requests, wall and peak RSS per size.
func growthTables(p func(string, ...any), r *report) {
	for _, g := range []struct{ title, prefix, unit string }{
		{"Cost growth: list -A by fleet size", "list every Job", "Jobs"},
		{"Cost growth: explain by the Job's pods", "explain a Job with", "pods"},
	} {
		var rows []*comparison
		for _, c := range r.Comparisons {
			if c.Size > 0 && strings.HasPrefix(c.Title, g.prefix) {
				rows = append(rows, c)
			}
		}
		if len(rows) < 2 {
			continue
		}
		p("## %s\n\n", g.title)
		p("| %s | `kubectl job` wall (min–max) | per 1,000 %s | peak RSS | requests | kubectl's wall (min–max) |\n|---|---|---|---|---|---|\n", g.unit, g.unit)
		for _, c := range rows {
			lo, hi := c.spread(0)
			klo, khi := c.spread(1)
			p("| %s | %s (%s–%s) | %s | %.0f MB | %d: %s | %s (%s–%s) |\n", thousands(c.Size), roundWall(c.wall(0)), roundWall(lo), roundWall(hi),
				roundWall(c.wall(0)*1000/time.Duration(c.Size)), c.rssMB(0), c.Requests[0].Count, summarizeRequests(c.Requests[0].Lines),
				roundWall(c.wall(1)), roundWall(klo), roundWall(khi))
		}
		p("\nkubectl's column is `%s`.\n\n", rows[0].Contenders[1].Label)
	}
}

// roundWall keeps two or three significant digits.
// medianSpan is "median (min–max)" of ds, each rounded by roundWall.
func medianSpan(ds []time.Duration) string {
	return fmt.Sprintf("%s (%s–%s)", roundWall(medianDuration(ds)), roundWall(slicesMin(ds)), roundWall(slicesMax(ds)))
}

func roundWall(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

func sternVersion() string {
	out := output("go", "version", "-m", lookPath("stern"))
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/stern/stern" {
			return "stern " + f[2]
		}
		if len(f) >= 3 && f[0] == "path" {
			continue
		}
	}
	return "stern"
}

func lookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return name
	}
	return p
}

// sizeNote says where the binary's megabytes go (measured when -o lost Go
// templates; see pkg/cmd/outputflags.go).
const sizeNote = "The plugin links client-go's typed clients and the full client-go scheme (cli-runtime's ConfigFlags needs its discovery client, which registers every built-in API type: about 25 MB of the binary and 2–3 ms of start-up that no cli-runtime plugin avoids), " +
	"cli-runtime's printers (-o json, yaml, kyaml, name, jsonpath), cobra and tablewriter. " +
	"It leaves out k8s.io/kubectl (used in tests only, as the oracle for the plugin's error wording, -o output and last-applied annotation) " +
	"and Go templates (-o go-template): any text/template execution in a Go program makes the linker keep every exported method of every type, which made the binary 53 MB instead of 33 MB. " +
	"logs -f builds its two informers directly rather than through a SharedInformerFactory, which links an informer for every API group."
