#!/usr/bin/env bash
# Starts a local real control plane on 127.0.0.1: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, KWOK (simulated nodes and pods) and
# simlogs (per-pod log text). Builds the binaries first when they are not
# cached. Several clusters can run side by side: give each its own
#   KJ_CLUSTER_DIR  (default $HOME/.cache/kubectl-job/cluster)
#   KJ_PORT_BASE    (default 27100; the cluster uses this port and the next 5)
# Other settings:
#   KJ_NODES=2              simulated nodes
#   KJ_POD_FAILURE_BACKOFF  e.g. 1s: shorten the job controller's 10 s retry
#                           delay (test clusters only; unset = stock controller)
#   KJ_TERMINATED_POD_GC_THRESHOLD  finished pods kept before the pod GC deletes
#                           the oldest (default 12500, the stock value; make
#                           bench's fleets have more)
#   KJ_KCM_API_QPS          the controller manager's client QPS (stock 20):
#                           make bench's job controller creates thousands of pods
#   KJ_AUDIT_POLICY         an audit policy file: the API server writes the
#                           events it selects to $KJ_CLUSTER_DIR/logs/audit.log
#                           (make bench times requests with it)
# Prints the kubeconfig path on stdout when the cluster is ready.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=${KJ_CLUSTER_DIR:-$KJ_CACHE/cluster}
base=${KJ_PORT_BASE:-27100}
nodes=${KJ_NODES:-2}
port_api=$base port_etcd=$((base + 1)) port_peer=$((base + 2))
port_kcm=$((base + 3)) port_sched=$((base + 4)) port_kwok=$((base + 5))
kubeconfig=$dir/kubeconfig
kc() { kubectl --kubeconfig "$kubeconfig" "$@"; }

if [ -f "$dir/running" ] && kc get --raw /readyz >/dev/null 2>&1; then
  kj_log "cluster already running in $dir"
  echo "$kubeconfig"
  exit 0
fi

for p in $port_api $port_etcd $port_peer $port_kcm $port_sched $port_kwok; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    kj_die "port $p on 127.0.0.1 is taken; stop what uses it, or pick other ports with KJ_PORT_BASE=NNNNN"
  fi
done

"$KJ_ROOT/hack/build-cluster.sh"
mkdir -p "$dir/bin" "$dir/logs" "$dir/pids" "$dir/podlogs" "$dir/cmd"
(cd "$KJ_ROOT" && go build -o "$dir/bin/" ./hack/pki ./hack/simlogs)

pki=$dir/pki
[ -f "$pki/sa.pub" ] || "$dir/bin/pki" -dir "$pki"

cat > "$kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: kubectl-job-local
  cluster:
    server: https://127.0.0.1:$port_api
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: kubectl-job-local
  context:
    cluster: kubectl-job-local
    user: admin
    namespace: default
current-context: kubectl-job-local
KUBECONFIG

# etcd's data lives in memory: fsync is cheap and nothing is worth keeping.
data=/dev/shm/kubectl-job-$base
rm -rf "$data"; mkdir -p "$data"
echo "$data" > "$dir/datadir"

# start NAME BINARY ARGS... records the component's command line in
# $dir/cmd/NAME and runs it with hack/cluster-ctl.sh, which can stop and
# start it again later with exactly the same command line (fault tests).
start() {
  local name=$1; shift
  printf '%q ' "$@" > "$dir/cmd/$name"
  : > "$dir/logs/$name.log"
  KJ_CLUSTER_DIR=$dir "$KJ_ROOT/hack/cluster-ctl.sh" start "$name"
}

# wait_for WHAT SECONDS COMMAND... polls until COMMAND succeeds.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      kj_die "timed out after ${seconds}s waiting for $what; logs are in $dir/logs"
    fi
    sleep 0.2
  done
}

started=$SECONDS
touch "$dir/running"
start etcd "$KJ_ETCD_BIN/etcd" --name=kubectl-job --data-dir="$data/etcd" \
  --listen-client-urls="http://127.0.0.1:$port_etcd" --advertise-client-urls="http://127.0.0.1:$port_etcd" \
  --listen-peer-urls="http://127.0.0.1:$port_peer" --initial-advertise-peer-urls="http://127.0.0.1:$port_peer" \
  --initial-cluster="kubectl-job=http://127.0.0.1:$port_peer" --log-level=warn

audit=()
if [ -n "${KJ_AUDIT_POLICY:-}" ]; then
  audit=(--audit-policy-file="$KJ_AUDIT_POLICY" --audit-log-path="$dir/logs/audit.log" --audit-log-format=json)
  : > "$dir/logs/audit.log"
fi
start kube-apiserver "$KJ_K8S_BIN/kube-apiserver" "${audit[@]}" \
  --etcd-servers="http://127.0.0.1:$port_etcd" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port_api" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --authorization-mode=Node,RBAC --service-cluster-ip-range=10.96.0.0/16 \
  --endpoint-reconciler-type=none --allow-privileged=true --profiling=false \
  --kubelet-client-certificate="$pki/admin.crt" --kubelet-client-key="$pki/admin.key" \
  --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --cert-dir="$dir/apiserver-certs"
wait_for "kube-apiserver" 60 kc get --raw /readyz

kcm_bin=("$KJ_K8S_BIN/kube-controller-manager")
if [ -n "${KJ_POD_FAILURE_BACKOFF:-}" ]; then
  # env is part of the recorded command line, so a restart keeps it.
  kcm_bin=(env "KUBECTL_JOB_POD_FAILURE_BACKOFF=$KJ_POD_FAILURE_BACKOFF" "$KJ_K8S_BIN/kcm-fastbackoff")
fi
if [ -n "${KJ_KCM_API_QPS:-}" ]; then
  kcm_bin+=(--kube-api-qps="$KJ_KCM_API_QPS" --kube-api-burst="$((2 * KJ_KCM_API_QPS))" --concurrent-job-syncs=10)
fi
start kube-controller-manager "${kcm_bin[@]}" --kubeconfig="$kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$port_kcm" --leader-elect=false \
  --root-ca-file="$pki/ca.crt" --service-account-private-key-file="$pki/sa.key" \
  --use-service-account-credentials=false --authorization-always-allow-paths=/healthz,/readyz,/livez \
  --terminated-pod-gc-threshold="${KJ_TERMINATED_POD_GC_THRESHOLD:-12500}" --profiling=false
start kube-scheduler "$KJ_K8S_BIN/kube-scheduler" --kubeconfig="$kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$port_sched" --leader-elect=false --profiling=false

kc apply -f "$KJ_KWOK_BIN/logs-crd.yaml" >/dev/null
wait_for "the KWOK Logs CRD" 30 kc get logs.kwok.x-k8s.io -A
empty_log=$dir/podlogs/empty.log
: > "$empty_log"
stages=$(<"$KJ_ROOT/hack/cluster/kwok-stages.yaml")
fate=$(<"$KJ_ROOT/hack/cluster/fate.jq")
restarting=$(<"$KJ_ROOT/hack/cluster/restarting.jq")
stages=${stages//"@FATE@"/"$fate"}
stages=${stages//"@RESTARTING@"/"$restarting"}
stages=${stages//"@EMPTY_LOG@"/"$empty_log"}
printf '%s\n' "$stages" > "$dir/kwok-stages.yaml"
start kwok "$KJ_KWOK_BIN/kwok" --kubeconfig="$kubeconfig" --config="$dir/kwok-stages.yaml" \
  --manage-all-nodes=true --node-ip=127.0.0.1 --node-port="$port_kwok" \
  --server-address="127.0.0.1:$port_kwok" --cidr=127.1.0.0/16 \
  --tls-cert-file="$pki/kwok.crt" --tls-private-key-file="$pki/kwok.key" --enable-crds=Logs
start simlogs "$dir/bin/simlogs" -kubeconfig "$kubeconfig" -dir "$dir/podlogs"

for i in $(seq 0 $((nodes - 1))); do
  kc apply -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    type: kwok
NODE
done
wait_for "nodes to be Ready" 60 kc wait --for=condition=Ready node --all --timeout=1s
wait_for "the not-ready taint to go" 60 bash -c "[ -z \"\$(kubectl --kubeconfig '$kubeconfig' get nodes -o jsonpath='{.items[*].spec.taints}')\" ]"
wait_for "the default ServiceAccount" 60 kc get serviceaccount default -n default
kj_log "cluster ready in $((SECONDS - started)) s: export KUBECONFIG=$kubeconfig"
echo "$kubeconfig"
