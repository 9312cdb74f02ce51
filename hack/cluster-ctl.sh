#!/usr/bin/env bash
# Stops, starts or restarts one component of a cluster that hack/cluster-up.sh
# started (fault tests stop the API server or etcd under running commands):
#   hack/cluster-ctl.sh stop|start|restart|pause|resume COMPONENT [--kill]
# COMPONENT is etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kwok or simlogs. start re-runs the exact command line cluster-up.sh recorded
# in $KJ_CLUSTER_DIR/cmd/COMPONENT (etcd keeps its data: it lives in
# /dev/shm until cluster-down.sh) and, for etcd and the API server, returns
# once they answer. stop sends SIGTERM (SIGKILL with --kill, a crash), then
# SIGKILL after KJ_STOP_GRACE seconds (default 10; a stopping API server
# drains open requests for up to a minute), and returns once the process is
# gone. pause and resume send SIGSTOP and SIGCONT: a hung component whose port
# still accepts connections.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dir=${KJ_CLUSTER_DIR:-$KJ_CACHE/cluster}

usage() { kj_die "usage: hack/cluster-ctl.sh stop|start|restart|pause|resume COMPONENT [--kill]"; }
[ $# -ge 2 ] || usage
action=$1 name=$2 signal=TERM
[ "${3:-}" = --kill ] && signal=KILL
case $name in
  etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok | simlogs) ;;
  *) kj_die "unknown component $name: give etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok or simlogs" ;;
esac

stop() {
  local pidfile=$dir/pids/$name
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(<"$pidfile")
  rm -f "$pidfile"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  # Only our own process: its command line names the component.
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name\|kcm-fastbackoff" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true # a paused process handles TERM only once resumed
  for _ in $(seq $((${KJ_STOP_GRACE:-10} * 10))); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 50); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
  kj_die "$name (pid $pid) did not stop"
}

# start runs the recorded command line in its own session; the child writes
# its own pid (with setsid, $! would be the wrong process). The log is
# appended to, so one file tells the story across restarts.
start() {
  local cmdfile=$dir/cmd/$name
  [ -f "$cmdfile" ] || kj_die "no recorded command line in $cmdfile: start the cluster with hack/cluster-up.sh"
  local -a argv
  eval "argv=($(<"$cmdfile"))"
  rm -f "$dir/pids/$name"
  # shellcheck disable=SC2016 # $$, $0 and $@ are the inner shell's
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$dir/pids/$name" "${argv[@]}" \
    >>"$dir/logs/$name.log" 2>&1 </dev/null &
  for _ in $(seq 50); do [ -s "$dir/pids/$name" ] && break; sleep 0.1; done
  [ -s "$dir/pids/$name" ] || kj_die "$name did not start; see $dir/logs/$name.log"
  local check=() deadline=$((SECONDS + 60))
  case $name in
    etcd) check=(etcd_healthy) ;;
    kube-apiserver) check=(kubectl --kubeconfig "$dir/kubeconfig" get --raw /readyz) ;;
  esac
  [ ${#check[@]} -gt 0 ] || return 0
  until "${check[@]}" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || kj_die "$name did not become ready in 60 s; see $dir/logs/$name.log"
    [ -d "/proc/$(<"$dir/pids/$name")" ] || kj_die "$name exited; see $dir/logs/$name.log"
    sleep 0.2
  done
}

etcd_healthy() {
  local url
  url=$(grep -o -- '--listen-client-urls=[^ ]*' "$dir/cmd/etcd" | cut -d= -f2)
  curl -fsS "$url/health" | grep -q '"health":"true"'
}

# signal SIG sends SIG to the running component.
signal() {
  local pid; pid=$(<"$dir/pids/$name")
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name\|kcm-fastbackoff" || kj_die "pid $pid is not $name"
  kill "-$1" "$pid"
}

case $action in
  stop) stop ;;
  pause) signal STOP ;;
  resume) signal CONT ;;
  start) start ;;
  restart) stop; start ;;
  *) usage ;;
esac
