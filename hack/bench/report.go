package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is everything docs/benchmarks.md shows.
type report struct {
	Started     time.Time
	Rounds      int
	Fleet       fleet
	Comparisons []*comparison
	Wait        []waitResult
	GoBench     string
}

func writeReport(path string, r *report) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Benchmarks\n\n")
	p("Written by `make bench` (hack/bench.sh, hack/bench/) on %s; do not edit by hand.\n", r.Started.UTC().Format("2006-01-02 15:04 MST"))
	p("Every number below comes from one run on one local cluster; ratios compare commands measured in that same run.\n\n")
	p("## Machine and versions\n\n")
	p("| | |\n|---|---|\n")
	p("| CPU | %s (%d cores) |\n", cpuModel(), runtime.NumCPU())
	p("| Memory | %s |\n", memTotal())
	p("| Go | %s |\n", runtime.Version())
	p("| kubectl | %s |\n", firstLine(output("kubectl", "version", "--client")))
	p("| kubectl-job | %s |\n", firstLine(output("kubectl-job", "version")))
	p("| Cluster | %s |\n\n", strings.ReplaceAll(firstLineMatching(output("kubectl", "version"), "Server Version"), "|", "/"))
	p("## Method\n\n")
	p("- A fresh local cluster (hack/cluster-up.sh: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK nodes).\n")
	p("- The fleet: %s, in %s. ", r.Fleet, r.Fleet.Took.Round(time.Second))
	p("Jobs with `spec.managedBy: %s` are ignored by the job controller: the bench creates their pods (as the controller names and labels them, owned by the Job) and writes pod and Job status itself, ", managedBy)
	p("the way the controller would (SuccessCriteriaMet/FailureTarget before Complete/Failed), for every phase and reason: Complete (NonIndexed and Indexed with 120 indexes), Failed by BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy and MaxFailedIndexesExceeded, running, Pending (unschedulable, image pull), suspended. ")
	p("Pods carry `sim.kubectl-job.io/outcome: external` so KWOK leaves their status alone. ")
	p("The 100-pod logs Job is a real one, run by the job controller, scheduler and KWOK. ")
	p("The 1,000-pod Job `%s/%s` is Indexed: 900 indexes done, 50 failed once and running again.\n", bigNS, bigJob)
	p("- Each comparison runs every command once untimed, then %d rounds (fewer for the slow logs loop, more for start-up) in rotating order, so load drift hits all commands alike; tables show medians. ", r.Rounds)
	p("Output goes to /dev/null. Peak RSS is the kernel's ru_maxrss of the process (`kubectl job` execs the plugin in kubectl's process, so its figure covers both). ")
	p("Requests are counted from one extra run at `-v=6` (client-go logs one line per request).\n")
	p("- `kubectl job` runs as users run it: kubectl finds `kubectl-job` on PATH and execs it.\n\n")

	p("## Targets\n\n| Comparison | Target | Measured | Met |\n|---|---|---|---|\n")
	for _, c := range r.Comparisons {
		for _, t := range c.Targets {
			v, ok := t.Check(c)
			p("| %s | %s | %s | %s |\n", c.Title, t.What, v, yesNo(ok))
		}
	}
	if len(r.Wait) > 0 {
		ours := r.Wait[0]
		m := medianDuration(ours.Reactions)
		p("| wait | reacts within 0.5 s of the terminal condition | %s | %s |\n", m.Round(time.Millisecond), yesNo(m <= 500*time.Millisecond))
		p("| wait | no polling requests | %s | %s |\n", strings.Join(ours.Requests.Lines, ", "), yesNo(!polls(ours.Requests)))
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
		p("| Command | Wall (median of %d) | vs first | Peak RSS | vs first | API requests |\n|---|---|---|---|---|---|\n", c.Rounds)
		for i, ct := range c.Contenders {
			p("| `%s` | %s | %.2f× | %.0f MB | %.2f× | %d |\n", ct.Label, c.wall(i).Round(time.Millisecond),
				float64(c.wall(i))/float64(c.wall(0)), c.rssMB(i), c.rssMB(i)/c.rssMB(0), c.Requests[i].Count)
		}
		p("\n<details><summary>requests</summary>\n\n")
		for i, ct := range c.Contenders {
			p("- `%s`: %s\n", ct.Label, summarizeRequests(c.Requests[i].Lines))
		}
		p("\n</details>\n\n")
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
	if r.GoBench != "" {
		p("## Go benchmarks of the pure code\n\n")
		p("`go test -run '^$' -bench . -benchmem ./pkg/explain ./pkg/kube ./pkg/printers`:\n\n```\n%s```\n", keepBenchLines(r.GoBench))
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
