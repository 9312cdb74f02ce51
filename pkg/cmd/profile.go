package cmd

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"
)

// profiling is kubectl's --profile and --profile-output: a pprof profile of
// one run, for performance work on a real cluster (make bench's numbers come
// from the command as users run it; this says where its time goes).
type profiling struct {
	name, output string
	cpu          *os.File
}

var profile profiling

func (p *profiling) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&p.name, "profile", "none", "Name of profile to capture. One of (none|cpu|heap|goroutine|threadcreate|block|mutex)")
	fs.StringVar(&p.output, "profile-output", "profile.pprof", "Name of the file to write the profile to")
}

// start begins a CPU profile, or arranges the others for flush.
func (p *profiling) start() error {
	switch p.name {
	case "none", "":
		return nil
	case "cpu":
		f, err := os.Create(p.output)
		if err != nil {
			return fmt.Errorf("--profile-output: %w", err)
		}
		p.cpu = f
		return pprof.StartCPUProfile(f)
	case "block":
		runtime.SetBlockProfileRate(1)
	case "mutex":
		runtime.SetMutexProfileFraction(1)
	default:
		if pprof.Lookup(p.name) == nil {
			return fmt.Errorf("unknown --profile %q: one of none, cpu, heap, goroutine, threadcreate, block, mutex", p.name)
		}
	}
	return nil
}

// flush writes the profile once the command has run.
func (p *profiling) flush() {
	switch {
	case p.name == "none" || p.name == "":
	case p.cpu != nil:
		pprof.StopCPUProfile()
		_ = p.cpu.Close()
		p.cpu = nil
	default:
		f, err := os.Create(p.output)
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: --profile-output: %v\n", err)
			return
		}
		defer func() { _ = f.Close() }()
		if prof := pprof.Lookup(p.name); prof != nil {
			_ = prof.WriteTo(f, 0)
		}
	}
}
