#!/usr/bin/env bash
# Stops exactly the processes hack/cluster-up.sh started for KJ_CLUSTER_DIR,
# after checking each pid still runs the binary we started, and drops etcd's
# in-memory data. Keeps the PKI and binaries for the next start.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
dir=${KJ_CLUSTER_DIR:-$KJ_CACHE/cluster}

stop() {
  local name=$1 pidfile=$dir/pids/$1
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(<"$pidfile")
  rm -f "$pidfile"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  # Only our own process: its command line names the component.
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name\|kcm-fastbackoff" || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

for name in simlogs kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  stop "$name"
done
if [ -f "$dir/datadir" ]; then
  rm -rf "$(<"$dir/datadir")"
  rm -f "$dir/datadir"
fi
rm -f "$dir/running"
rm -rf "$dir/podlogs"
kj_log "cluster in $dir stopped"
