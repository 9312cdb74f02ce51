#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, KWOK) from the Go module proxy into $KUBECTL_JOB_CACHE/bin.
# Cold: about 25 minutes on 2 cores; with a warm Go build cache about 45 s;
# when the binaries are cached, nothing happens.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# build_into DEST MODULE_DIR LDFLAGS PACKAGES... builds into a temporary
# directory and renames it into place, so an interrupted build never leaves a
# half-filled cache entry behind.
build_into() {
  local dest=$1 dir=$2 ldflags=$3; shift 3
  if [ -f "$dest/.complete" ]; then
    kj_log "cached: $dest"
    return
  fi
  local tmp="$dest.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  kj_log "building $(basename "$dest") (this can take many minutes on a cold Go cache)"
  local start=$SECONDS
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" "$@")
  touch "$tmp/.complete"
  rm -rf "$dest"; mv "$tmp" "$dest"
  kj_log "built $(basename "$dest") in $((SECONDS - start)) s"
}

k8s_version_ldflags() {
  local v=${K8S_VERSION#v} flags="-s -w"
  local major=${v%%.*} rest=${v#*.}; local minor=${rest%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

build_into "$KJ_ETCD_BIN" "$KJ_ROOT/hack/tools/etcd" "-s -w" go.etcd.io/etcd/server/v3
# The etcd main package is named after its directory (v3); give it its real name.
for name in server v3; do [ -x "$KJ_ETCD_BIN/$name" ] && mv "$KJ_ETCD_BIN/$name" "$KJ_ETCD_BIN/etcd"; done
build_into "$KJ_KWOK_BIN" "$KJ_ROOT/hack/tools/kwok" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
build_into "$KJ_K8S_BIN" "$KJ_ROOT/hack/tools/k8s" "$(k8s_version_ldflags)" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  ./kcm-fastbackoff

# KWOK serves per-pod logs from Logs objects: the API server needs their CRD.
if [ ! -f "$KJ_KWOK_BIN/logs-crd.yaml" ]; then
  kwok_dir=$(cd "$KJ_ROOT/hack/tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  cp "$kwok_dir/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$KJ_KWOK_BIN/logs-crd.yaml"
  chmod 644 "$KJ_KWOK_BIN/logs-crd.yaml"
fi
