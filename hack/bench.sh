#!/usr/bin/env bash
# make bench: starts a fresh local cluster of its own (KJ_BENCH_CLUSTER_DIR,
# ports from KJ_BENCH_PORT_BASE), fills it with a fleet of 2,000 Jobs and
# ~11,000 pods (hack/bench), measures kubectl-job against kubectl on it, runs
# the Go benchmarks of the pure code, writes docs/benchmarks.md and stops the
# cluster.
#   BENCH_ROUNDS=5        A/B rounds per comparison
#   KJ_BENCH_KEEP=1       leave the cluster running afterwards
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
started=$SECONDS

make -s build
export KJ_CLUSTER_DIR=${KJ_BENCH_CLUSTER_DIR:-$KJ_CACHE/bench-cluster} KJ_PORT_BASE=${KJ_BENCH_PORT_BASE:-27500}
export KJ_NODES=4
unset KJ_POD_FAILURE_BACKOFF # the stock job controller
if [ -z "${KJ_BENCH_KEEP:-}" ]; then trap 'hack/cluster-down.sh' EXIT; fi
hack/cluster-down.sh >/dev/null 2>&1 || true
KUBECONFIG=$(hack/cluster-up.sh)
export KUBECONFIG PATH="$KJ_ROOT/bin:$PATH"

gobench=$KJ_CACHE/bench-go.txt
kj_log "Go benchmarks of the pure code"
go test -run '^$' -bench . -benchmem -count 1 ./pkg/explain ./pkg/kube ./pkg/printers ./pkg/cmd | tee "$gobench" | grep -E '^Benchmark' >&2

go build -o "$KJ_CLUSTER_DIR/bin/bench" ./hack/bench
"$KJ_CLUSTER_DIR/bin/bench" -kubeconfig "$KUBECONFIG" -rounds "${BENCH_ROUNDS:-5}" -nodes "$KJ_NODES" \
  -go-bench "$gobench" -out docs/benchmarks.md
kj_log "make bench took $((SECONDS - started)) s; results in docs/benchmarks.md"
