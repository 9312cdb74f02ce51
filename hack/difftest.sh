#!/usr/bin/env bash
# make difftest: the differential test (test/difftest) on fresh local
# clusters: the main one with the 1 s test pod-failure backoff, and a second
# one with the stock 10 s backoff for the nextRetryAt cases. Both are stopped
# on exit. docs/accuracy.md is written only by a passing run.
#   DIFFTEST_N, DIFFTEST_SEED, DIFFTEST_PARALLEL, DIFFTEST_REPORT   see test/difftest
#   KJ_E2E_PORT_BASE   ports of the main cluster (default 27300; the stock one uses +10)
#   KJ_E2E_CLUSTER_DIR its directory (default $KJ_CACHE/difftest-cluster; the stock one adds -stock)
#   KJ_E2E_KUBECONFIG  use this running main cluster instead
#   DIFFTEST_STOCK_KUBECONFIG  use this running stock-backoff cluster instead
#   DIFFTEST_NO_STOCK=1        no stock-backoff cluster (the retry column is then not run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"

base=${KJ_E2E_PORT_BASE:-27300}
dir=${KJ_E2E_CLUSTER_DIR:-$KJ_CACHE/difftest-cluster}
stock_env=(env -u KJ_POD_FAILURE_BACKOFF KJ_CLUSTER_DIR="$dir-stock" KJ_PORT_BASE=$((base + 10)) KJ_NODES=1)
make -s build
if [ -z "${DIFFTEST_STOCK_KUBECONFIG:-}" ] && [ -z "${DIFFTEST_NO_STOCK:-}" ]; then
  trap '"${stock_env[@]}" hack/cluster-down.sh' EXIT
  "${stock_env[@]}" hack/cluster-down.sh >/dev/null 2>&1 || true
  DIFFTEST_STOCK_KUBECONFIG=$("${stock_env[@]}" hack/cluster-up.sh)
  export DIFFTEST_STOCK_KUBECONFIG
fi
kj_log "difftest: seed ${DIFFTEST_SEED:-1}, ${DIFFTEST_N:-12} cases (reproduce with make difftest N=${DIFFTEST_N:-12} SEED=${DIFFTEST_SEED:-1}); load average $(cut -d' ' -f1-3 /proc/loadavg)"
KJ_E2E_PKGS=./test/difftest/ KJ_E2E_RUN='^TestDifferential$' KJ_E2E_CLUSTER_DIR=$dir KJ_E2E_PORT_BASE=$base \
  KJ_E2E_LOG=${KJ_E2E_LOG:-$KJ_CACHE/difftest.log} hack/e2e.sh
