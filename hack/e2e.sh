#!/usr/bin/env bash
# Runs the e2e tests: the built bin/kubectl-job on PATH, invoked as
# `kubectl job ...`, against a local real cluster. Starts its own cluster (own
# ports and directory, fast pod-failure backoff) and stops it on exit, unless
# KJ_E2E_KUBECONFIG points at a running one.
#   KJ_E2E_RUN=REGEX   run only matching tests
#   KJ_E2E_PKGS        packages (default ./test/e2e/ ./test/difftest/)
#   KJ_E2E_TAGS        build tags (default e2e; the fault tests need "e2e faults")
#   KJ_E2E_CLUSTER_DIR, KJ_E2E_PORT_BASE   the cluster started (the tests get
#                      KJ_E2E_CLUSTER_DIR to stop and start its components)
#   KJ_E2E_LOG         the full go test output (default $KJ_CACHE/e2e.log)
#   DIFFTEST_N, DIFFTEST_SEED, DIFFTEST_REPORT   the differential test (default 12 cases, a new seed each run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"

make -s build
if [ -z "${KJ_E2E_KUBECONFIG:-}" ]; then
  export KJ_CLUSTER_DIR=${KJ_E2E_CLUSTER_DIR:-$KJ_CACHE/e2e-cluster} KJ_PORT_BASE=${KJ_E2E_PORT_BASE:-27200}
  export KJ_POD_FAILURE_BACKOFF=${KJ_POD_FAILURE_BACKOFF:-1s}
  trap 'hack/cluster-down.sh' EXIT
  hack/cluster-down.sh >/dev/null 2>&1 || true
  KJ_E2E_KUBECONFIG=$(hack/cluster-up.sh)
  export KJ_E2E_KUBECONFIG KJ_E2E_CLUSTER_DIR=$KJ_CLUSTER_DIR
fi
log=${KJ_E2E_LOG:-$KJ_CACHE/e2e.log}
export PATH="$KJ_ROOT/bin:$PATH"
# The small difftest of `make e2e` takes a new seed each run unless one is given.
export DIFFTEST_N=${DIFFTEST_N:-12} DIFFTEST_SEED=${DIFFTEST_SEED:-$(( $(date +%s) % 100000 ))}
kj_log "difftest seed $DIFFTEST_SEED (reproduce with SEED=$DIFFTEST_SEED)"
# shellcheck disable=SC2086 # the package list is meant to split
# -p 1: the packages run one after the other, so the difftest's timing checks
# (deadline, TTL, retry: ±2 s) never share the controller with the e2e load.
go test -tags "${KJ_E2E_TAGS:-e2e}" -count=1 -timeout 45m -p 1 -parallel 16 -v ${KJ_E2E_RUN:+-run "$KJ_E2E_RUN"} ${KJ_E2E_PKGS:-./test/e2e/ ./test/difftest/} >"$log" 2>&1 &
gotest=$!
# The grep only trims what is shown; the verdict is go test's exit status
# (a go test killed mid-way is a failure, however green its log looks).
tail -n +1 -f --pid=$gotest "$log" | grep --line-buffered -E '^(=== RUN|--- |PASS|FAIL|ok|panic|\s+\S+_test.go)' || true
status=0
wait "$gotest" || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: go test exited $status; the full output is in $log" >&2
fi
exit "$status"
