// Package prune decides which Jobs `kubectl job prune` deletes and which it
// keeps, and why. It is pure: Jobs with their explanations, options and now
// in, a Plan out; no client, no clock, no I/O.
//
// The safety rule it exists to enforce: only finished Jobs (verdict Complete
// or Failed) are ever selected for deletion, whatever the options. A Job that
// is Failing, Succeeding, Running, Pending, Suspended, NotStarted, Terminating
// or managed by another controller (spec.managedBy, whatever its status says)
// is always kept.
package prune

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
)

// JobControllerName is the spec.managedBy value of the built-in job
// controller; Jobs managed by anything else are never pruned.
const JobControllerName = "kubernetes.io/job-controller"

// Options are the user's filters. The zero value selects every finished Job.
type Options struct {
	// Succeeded and Failed select outcomes; neither set selects both.
	Succeeded bool
	Failed    bool
	// OlderThan keeps Jobs that finished less than this long ago; 0 keeps none
	// for their age.
	OlderThan time.Duration
	// KeepLast keeps the KeepLast newest selected Jobs of each owner (a
	// CronJob, or for Jobs without an owner controller, the namespace), like a
	// CronJob's history limit; 0 keeps none for their rank.
	KeepLast int
}

// Item is one Job with its verdict from explain.Explain.
type Item struct {
	Job         *batchv1.Job
	Explanation *explain.JobExplanation
}

// Action is what the plan does with a Job.
type Action string

// The actions.
const (
	Delete Action = "delete"
	Keep   Action = "keep"
)

// Decision is the plan for one Job.
type Decision struct {
	Job         *batchv1.Job
	Explanation *explain.JobExplanation
	Action      Action
	// Why is the human reason for Action, such as "finished 3d ago, older
	// than 24h" or "Running: prune never deletes unfinished Jobs".
	Why string
	// Owner is the controller owner as kind/name ("cronjob/nightly"), or ""
	// for a Job without one.
	Owner string
	// FinishedAt is when the Job finished (its verdict's Since), nil when
	// its verdict is not Complete or Failed, or the time is unknown.
	FinishedAt *metav1.Time
}

// Plan is every Job considered, each with its decision, sorted by namespace,
// owner and newest first, so the Jobs --keep-last keeps sit above the ones it
// deletes.
type Plan struct {
	Options   Options
	Now       time.Time
	Decisions []Decision
}

// ToDelete returns the decisions with Action Delete, in plan order.
func (p *Plan) ToDelete() []Decision {
	var out []Decision
	for _, d := range p.Decisions {
		if d.Action == Delete {
			out = append(out, d)
		}
	}
	return out
}

// Make decides, for each item, whether prune deletes it. A Job is deleted
// only if all hold:
//   - its verdict is Complete or Failed, it carries the matching condition
//     with status True, and it is not being deleted (belt and braces: a bug in
//     a verdict must not be able to delete a live Job);
//   - it is managed by the built-in job controller (spec.managedBy unset);
//   - its outcome is selected (--succeeded / --failed);
//   - it finished at least OlderThan ago (a Job whose finish time is unknown
//     is kept when OlderThan is set);
//   - it is not one of the KeepLast newest selected Jobs of its owner.
func Make(items []Item, opts Options, now time.Time) *Plan {
	p := &Plan{Options: opts, Now: now, Decisions: make([]Decision, 0, len(items))}
	// Candidates per owner group, for --keep-last.
	groups := map[string][]int{}
	for _, it := range items {
		d := Decision{Job: it.Job, Explanation: it.Explanation, Action: Keep}
		if it.Job != nil {
			d.Owner = Owner(it.Job)
		}
		if it.Explanation != nil && it.Explanation.Verdict.Phase.Finished() {
			d.FinishedAt = it.Explanation.Verdict.Since
		}
		if why, ok := finished(it); !ok {
			d.Why = why
			p.Decisions = append(p.Decisions, d)
			continue
		}
		phase := it.Explanation.Verdict.Phase
		switch {
		case !opts.selects(phase):
			d.Why = fmt.Sprintf("%s; %s", phase, opts.outcomeFlagText())
		case opts.OlderThan > 0 && d.FinishedAt == nil:
			d.Why = "finish time unknown; --older-than needs it"
		case opts.OlderThan > 0 && now.Sub(d.FinishedAt.Time) < opts.OlderThan:
			d.Why = fmt.Sprintf("finished %s ago, within --older-than=%s", age(now, d.FinishedAt.Time), duration.HumanDuration(opts.OlderThan))
		default:
			d.Action = Delete
			d.Why = "finished"
			if d.FinishedAt != nil {
				d.Why = fmt.Sprintf("finished %s ago", age(now, d.FinishedAt.Time))
			}
			if opts.OlderThan > 0 {
				d.Why += fmt.Sprintf(", older than %s", duration.HumanDuration(opts.OlderThan))
			}
		}
		// Every selected outcome counts towards --keep-last, whatever its age:
		// "keep the newest N" means the newest N, even if they are young.
		if opts.selects(phase) {
			key := groupKey(it.Job)
			groups[key] = append(groups[key], len(p.Decisions))
		}
		p.Decisions = append(p.Decisions, d)
	}
	if opts.KeepLast > 0 {
		for _, idx := range groups {
			sort.SliceStable(idx, func(a, b int) bool {
				return newer(p.Decisions[idx[a]].Job, p.Decisions[idx[b]].Job)
			})
			for rank, i := range idx {
				d := &p.Decisions[i]
				switch {
				case rank < opts.KeepLast:
					if d.Action == Delete {
						d.Action = Keep
						d.Why = newestText(opts.KeepLast, d.Job, d.Owner) + " (--keep-last)"
						if opts.KeepLast > 1 {
							d.Why = "one of " + d.Why
						}
					}
				case d.Action == Delete:
					d.Why += ", beyond " + newestText(opts.KeepLast, d.Job, d.Owner)
				}
			}
		}
	}
	sort.SliceStable(p.Decisions, func(a, b int) bool {
		ja, jb := p.Decisions[a].Job, p.Decisions[b].Job
		if ja == nil || jb == nil {
			return jb == nil && ja != nil
		}
		if ja.Namespace != jb.Namespace {
			return ja.Namespace < jb.Namespace
		}
		if oa, ob := p.Decisions[a].Owner, p.Decisions[b].Owner; oa != ob {
			return oa < ob
		}
		return newer(ja, jb)
	})
	return p
}

// finished reports whether the item may be pruned at all, and if not, why.
func finished(it Item) (string, bool) {
	if it.Job == nil || it.Explanation == nil {
		return "not explained", false
	}
	if it.Explanation.UID != "" && it.Explanation.UID != it.Job.UID {
		return "explanation is of another Job (UID mismatch)", false
	}
	phase := it.Explanation.Verdict.Phase
	if !phase.Finished() {
		if phase == "" {
			phase = "unknown verdict"
		}
		return fmt.Sprintf("%s: prune never deletes unfinished Jobs", phase), false
	}
	if it.Job.DeletionTimestamp != nil {
		return "already being deleted", false
	}
	if m := it.Job.Spec.ManagedBy; m != nil && *m != JobControllerName {
		// Its lifecycle belongs to that controller (it may mirror a Job
		// elsewhere), even when the status it wrote says finished.
		return fmt.Sprintf("managed by %s: prune leaves it to that controller", *m), false
	}
	want := batchv1.JobComplete
	if phase == explain.PhaseFailed {
		want = batchv1.JobFailed
	}
	if !hasCondition(it.Job, want) {
		return fmt.Sprintf("verdict %s without a %s=True condition: not deleted (please report this)", phase, want), false
	}
	return "", true
}

func hasCondition(job *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func (o Options) selects(phase explain.Phase) bool {
	if !phase.Finished() {
		return false
	}
	if o.Succeeded == o.Failed {
		return true
	}
	return (o.Succeeded && phase == explain.PhaseComplete) || (o.Failed && phase == explain.PhaseFailed)
}

func (o Options) outcomeFlagText() string {
	if o.Failed {
		return "--failed selects Failed Jobs only"
	}
	return "--succeeded selects Complete Jobs only"
}

// Owner returns the Job's controller owner as lowercase kind/name
// ("cronjob/nightly"), or "" when it has none.
func Owner(job *batchv1.Job) string {
	ref := metav1.GetControllerOf(job)
	if ref == nil {
		return ""
	}
	return strings.ToLower(ref.Kind) + "/" + ref.Name
}

// groupKey is the --keep-last group: the namespace plus the owner, so Jobs
// without an owner share one group per namespace.
func groupKey(job *batchv1.Job) string {
	return job.Namespace + "\x00" + Owner(job)
}

// newestText names the Jobs --keep-last keeps in a Job's group.
func newestText(n int, job *batchv1.Job, owner string) string {
	switch {
	case n == 1 && owner == "":
		return "the newest unowned Job in " + job.Namespace
	case n == 1:
		return "the newest of " + owner
	case owner == "":
		return fmt.Sprintf("the %d newest unowned Jobs in %s", n, job.Namespace)
	}
	return fmt.Sprintf("the %d newest of %s", n, owner)
}

// newer orders Jobs newest first by start time (creation time when never
// started), as the CronJob controller ranks its history, then by name.
func newer(a, b *batchv1.Job) bool {
	ta, tb := started(a), started(b)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Name < b.Name
}

func started(job *batchv1.Job) time.Time {
	if job.Status.StartTime != nil {
		return job.Status.StartTime.Time
	}
	return job.CreationTimestamp.Time
}

func age(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return duration.HumanDuration(d)
}

// ParseOlderThan parses --older-than: a Go duration ("36h", "90m") or days
// with an optional Go duration after them ("7d", "1d12h"), which Go's parser
// lacks and cleanup policies are usually written in. It must be positive.
func ParseOlderThan(s string) (time.Duration, error) {
	var days time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid --older-than %q: want a duration such as 7d, 36h or 90m", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		rest = s[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil || d < 0 {
			return 0, fmt.Errorf("invalid --older-than %q: want a duration such as 7d, 36h or 90m", s)
		}
	}
	if d+days <= 0 {
		return 0, fmt.Errorf("invalid --older-than %q: must be greater than zero", s)
	}
	return d + days, nil
}
