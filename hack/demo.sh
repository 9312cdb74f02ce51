#!/usr/bin/env bash
# make demo: start the local cluster (stock controller manager), run Jobs that
# succeed, fail, hit a deadline, fail an index and cannot be scheduled, then
# show them with kubectl and with the plugin. The cluster keeps running:
#   export KUBECONFIG=$HOME/.cache/kubectl-job/cluster/kubeconfig
#   make cluster-down    # when done
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"

KUBECONFIG=$(hack/cluster-up.sh)
export KUBECONFIG PATH="$KJ_ROOT/bin:$PATH"
kubectl delete namespace demo --ignore-not-found --wait=true >/dev/null
kubectl apply -f hack/demo/jobs.yaml
kj_log "waiting for the Jobs to finish (the failing one retries twice, 10 s apart)..."
kubectl wait -n demo --for=condition=Complete job/report --timeout=120s >/dev/null
kubectl wait -n demo --for=condition=Failed job/migrate job/nightly-train job/shards --timeout=120s >/dev/null

section() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
section kubectl get jobs -n demo
kubectl get jobs -n demo
section kubectl job list -n demo
kubectl job list -n demo || true
section kubectl job explain migrate -n demo
kubectl job explain migrate -n demo || true
section kubectl job explain gpu-batch -n demo
kubectl job explain gpu-batch -n demo || true
# shellcheck disable=SC2016 # $PATH is for the user to expand
printf '\nThe cluster is still running. Try:\n  export KUBECONFIG=%s PATH=%s/bin:$PATH\n  kubectl job describe shards -n demo\n  make cluster-down\n' "$KUBECONFIG" "$KJ_ROOT"
