#!/usr/bin/env bash
# make difftest-mutants: negative controls for the differential test. Each
# mutant is a deliberate bug injected into a COPY of the tree (never into
# this one); the copy's plugin is built and the difftest run with it on PATH
# must fail. First the unmutated plugin must pass the same run. Prints the
# mutant table; exits non-zero if a mutant survives.
#   MUTANTS_N (default 40), MUTANTS_SEED (default 7): the cases each run uses
#   MUTANTS_ONLY=a,b: only these mutants (after the unmutated control)
#   KJ_E2E_KUBECONFIG: a running cluster (else one is started on
#   KJ_E2E_PORT_BASE, default 27320, and stopped at the end)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
n=${MUTANTS_N:-40}
seed=${MUTANTS_SEED:-7}

# name | file | perl substitution (must change the file) | what it breaks
mutants=(
  "backoff-off-by-one|pkg/explain/counters.go|s/rem := int64\(b\.Limit\) - int64\(b\.FailedPods\)/rem := int64(b.Limit) - int64(b.FailedPods) - 1/|the backoff budget is one failure short"
  "ignore-counted|pkg/explain/pods.go|s/v\.counted = action != batchv1\.PodFailurePolicyActionIgnore/v.counted = true/|failures matched by an Ignore rule count"
  "deadline-as-backoff|pkg/explain/terminal.go|s/s\.verdict\(phase, Reason\(c\.Reason\), msg, &c\.LastTransitionTime\)/s.verdict(phase, Reason(strings.Replace(c.Reason, \"DeadlineExceeded\", \"BackoffLimitExceeded\", 1)), msg, &c.LastTransitionTime)/|DeadlineExceeded is reported as BackoffLimitExceeded"
  "ttl-from-completion-time|pkg/explain/ttl.go|s/finish := terminal\.LastTransitionTime\.Time\n/finish := time.Time{}\n/|the TTL is counted from completionTime instead of the terminal condition"
  "failed-pod-wrong-index|pkg/explain/pods.go|s/(\t\t\tv\.failed = true\n)/\$1\t\t\tif v.index != nil { w := *v.index + 1; v.index = &w }\n/|a failed pod of an Indexed Job is attributed to the next index"
  "pending-while-running|pkg/explain/live.go|s/if p\.PodsRunning > 0 \{/if p.PodsRunning > 1 {/|Pending is reported while one pod runs"
  "list-trusts-ready|pkg/explain/listrow.go|s/(\tcase PhaseExternal, PhaseSuspended:\n)/\tcase PhaseRunning:\n\t\treturn derefInt32(job.Status.Ready, 0) == 0\n\$1/|list takes Running from status.ready without reading pods"
)

make -s build
if [ -z "${KJ_E2E_KUBECONFIG:-}" ]; then
  export KJ_CLUSTER_DIR=${KJ_E2E_CLUSTER_DIR:-$KJ_CACHE/mutants-cluster} KJ_PORT_BASE=${KJ_E2E_PORT_BASE:-27320}
  export KJ_POD_FAILURE_BACKOFF=${KJ_POD_FAILURE_BACKOFF:-1s}
  trap 'hack/cluster-down.sh' EXIT
  hack/cluster-down.sh >/dev/null 2>&1 || true
  KJ_E2E_KUBECONFIG=$(hack/cluster-up.sh)
  export KJ_E2E_KUBECONFIG
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -z "${KJ_CLUSTER_DIR:-}" ] || hack/cluster-down.sh' EXIT

# difftest TREE NAME: runs the difftest of TREE with its plugin (TREE/bin)
# first on PATH, so the checks made in the test's process (list's verdicts)
# use TREE's engine too; prints the failed checks (the test's
# DIFFTEST-FAILED-CHECKS line); returns go test's status.
difftest() {
  local log=$work/$2.log status=0
  (cd "$1" && PATH="$1/bin:$PATH" DIFFTEST_MUTANT=$2 DIFFTEST_N=$n DIFFTEST_SEED=$seed DIFFTEST_INVALID=0 \
    go test -tags e2e -count=1 -timeout 20m -run '^TestDifferential$' ./test/difftest/) >"$log" 2>&1 || status=$?
  grep -oE 'DIFFTEST-FAILED-CHECKS: .*' "$log" | tail -1 | cut -d' ' -f2- || echo "no result line (see $log)"
  return $status
}

kj_log "control: the unmutated plugin, $n cases, seed $seed"
if ! failed=$(difftest "$KJ_ROOT" unmutated); then
  cat "$work/unmutated.log" >&2
  kj_die "the difftest fails without any mutant ($failed): fix that first"
fi

table="| mutant | injected bug | difftest | failed checks |"$'\n'"|---|---|---|---|"$'\n'
survivors=0
for m in "${mutants[@]}"; do
  IFS='|' read -r name file subst what <<<"$m"
  if [ -n "${MUTANTS_ONLY:-}" ] && [[ ",$MUTANTS_ONLY," != *",$name,"* ]]; then continue; fi
  copy=$work/$name
  mkdir -p "$copy"
  git ls-files -z --cached --others --exclude-standard | (cd "$KJ_ROOT" && xargs -0 cp --parents -t "$copy" 2>/dev/null) || true
  cp "$copy/$file" "$work/orig.go"
  perl -0pi -e "$subst" "$copy/$file"
  if cmp -s "$copy/$file" "$work/orig.go"; then
    kj_die "mutant $name: the pattern no longer matches $file; update hack/difftest-mutants.sh"
  fi
  (cd "$copy" && CGO_ENABLED=0 go build -o "$copy/bin/kubectl-job" ./cmd/kubectl-job) || kj_die "mutant $name does not build"
  kj_log "mutant $name: $what"
  if failed=$(difftest "$copy" "$name"); then
    verdict="**survived**"
    survivors=$((survivors + 1))
  else
    verdict="caught"
  fi
  table+="| $name | $what | $verdict | $failed |"$'\n'
  rm -rf "$copy"
done
printf '%s' "$table"
[ "$survivors" -eq 0 ] || kj_die "$survivors mutants survived: the difftest cannot see those bugs"
kj_log "every mutant was caught"
