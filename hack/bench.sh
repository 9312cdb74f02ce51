#!/usr/bin/env bash
# make bench: starts a fresh local cluster of its own (KJ_BENCH_CLUSTER_DIR,
# ports from KJ_BENCH_PORT_BASE), grows a fleet of Jobs in it (hack/bench:
# 500, then 2,000 Jobs; with BENCH_SCALE=10k also 10,000 Jobs and ~60,000
# pods), measures kubectl-job against kubectl and stern on it, runs the Go
# benchmarks, and stops the cluster. When every target is met it writes
# docs/benchmarks.md (docs/benchmarks-10k.md for 10k); when one is missed it
# writes the report beside it as .failed.md and exits 1.
#   BENCH_ROUNDS=7        A/B rounds per comparison
#   BENCH_SCALE=2k|10k    fleet size (10k takes ~20 more minutes)
#   KJ_BENCH_KEEP=1       leave the cluster running afterwards
# One figure alone, on a running cluster (KUBECONFIG, bin/ and stern on PATH):
#   go run ./hack/bench -only follow -kubeconfig "$KUBECONFIG" -rounds 20 -stern "$(command -v stern)"
#   go run ./hack/bench -only floor -kubeconfig "$KUBECONFIG" -rounds 7 -audit-log "$KJ_CLUSTER_DIR/logs/audit.log"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
started=$SECONDS
scale=${BENCH_SCALE:-2k}
case $scale in
  2k) out=docs/benchmarks.md ;;
  10k) out=docs/benchmarks-10k.md ;;
  *) kj_die "BENCH_SCALE must be 2k or 10k, got $scale" ;;
esac

make -s build
if [ ! -x "$KJ_STERN_BIN/stern" ]; then
  kj_log "building stern, the peer of kubectl job logs (once; a few minutes on a cold Go cache)"
  (cd hack/tools/stern && go build -o "$KJ_STERN_BIN.tmp/" github.com/stern/stern)
  rm -rf "$KJ_STERN_BIN"; mv "$KJ_STERN_BIN.tmp" "$KJ_STERN_BIN"
fi
export KJ_CLUSTER_DIR=${KJ_BENCH_CLUSTER_DIR:-$KJ_CACHE/bench-cluster} KJ_PORT_BASE=${KJ_BENCH_PORT_BASE:-27500}
export KJ_NODES=4
# The fleets have more finished pods than the stock pod GC keeps (12,500): it
# would delete them, the logs Job's too, while the bench measures.
export KJ_TERMINATED_POD_GC_THRESHOLD=1000000
# The job controller creates the pods of the fleet's real Jobs (4 of every 25).
export KJ_KCM_API_QPS=200
# The request floor times requests by the API server's own clock (hack/bench/audit.go).
export KJ_AUDIT_POLICY=$KJ_ROOT/hack/bench/audit-policy.yaml
unset KJ_POD_FAILURE_BACKOFF # the stock job controller
if [ -z "${KJ_BENCH_KEEP:-}" ]; then trap 'hack/cluster-down.sh' EXIT; fi
hack/cluster-down.sh >/dev/null 2>&1 || true
KUBECONFIG=$(hack/cluster-up.sh)
export KUBECONFIG PATH="$KJ_ROOT/bin:$KJ_STERN_BIN:$PATH"

gobench=$KJ_CACHE/bench-go.txt
kj_log "Go benchmarks"
go test -run '^$' -bench . -benchmem -count 1 ./pkg/explain ./pkg/kube ./pkg/printers ./pkg/cmd | tee "$gobench" | grep -E '^Benchmark' >&2

go build -o "$KJ_CLUSTER_DIR/bin/bench" ./hack/bench
# Built as the plugin is (Makefile), so the two start-ups compare.
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$KJ_CLUSTER_DIR/bin/startfloor" ./hack/bench/startfloor
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain)" ]; then commit="$commit (with uncommitted changes)"; fi
"$KJ_CLUSTER_DIR/bin/bench" -kubeconfig "$KUBECONFIG" -rounds "${BENCH_ROUNDS:-7}" -nodes "$KJ_NODES" -scale "$scale" \
  -stern "$KJ_STERN_BIN/stern" -start-floor "$KJ_CLUSTER_DIR/bin/startfloor" -audit-log "$KJ_CLUSTER_DIR/logs/audit.log" -go-bench "$gobench" -commit "$commit" -out "$out"
kj_log "make bench took $((SECONDS - started)) s; results in $out"
