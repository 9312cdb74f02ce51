package explain

// Explain computes the verdict on in.Job from its conditions, counters, pods
// and events at in.Now. It is pure: same input, same output.
func Explain(in Input) *JobExplanation {
	e := &JobExplanation{}
	e.APIVersion, e.Kind = APIVersion, Kind
	if in.Job != nil {
		e.Name, e.Namespace, e.UID = in.Job.Name, in.Job.Namespace, in.Job.UID
	}
	e.Verdict = Verdict{Phase: PhaseNotStarted}
	return e
}
