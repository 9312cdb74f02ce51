# shellcheck shell=bash
# Shared settings for the hack/ scripts. Source it; do not run it.
# The KJ_* variables are read by the scripts that source it:
# shellcheck disable=SC2034
# Everything built is cached outside the clone, keyed by version and by the
# content of the tools modules, so a warm machine rebuilds nothing.

KJ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KJ_CACHE=${KUBECTL_JOB_CACHE:-$HOME/.cache/kubectl-job}

K8S_VERSION=v1.37.2
ETCD_VERSION=v3.7.3
KWOK_VERSION=v0.8.0

kj_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kj_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# kj_tools_hash DIR prints a short hash of a tools module's files, so an edit
# to it (a new wrapper, a bumped version) gets a fresh cache entry.
kj_tools_hash() {
  [ -d "$1" ] || { echo missing; return; }
  (cd "$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-10)
}

KJ_K8S_BIN=$KJ_CACHE/bin/k8s-$K8S_VERSION-$(kj_tools_hash "$KJ_ROOT/hack/tools/k8s")
KJ_ETCD_BIN=$KJ_CACHE/bin/etcd-$ETCD_VERSION-$(kj_tools_hash "$KJ_ROOT/hack/tools/etcd")
KJ_KWOK_BIN=$KJ_CACHE/bin/kwok-$KWOK_VERSION-$(kj_tools_hash "$KJ_ROOT/hack/tools/kwok")
KJ_LINT_BIN=$KJ_CACHE/bin/golangci-lint-$(kj_tools_hash "$KJ_ROOT/hack/tools/lint")
KJ_GORELEASER_BIN=$KJ_CACHE/bin/goreleaser-$(kj_tools_hash "$KJ_ROOT/hack/tools/goreleaser")
KJ_KREW_BIN=$KJ_CACHE/bin/krew-$(kj_tools_hash "$KJ_ROOT/hack/tools/krew")
KJ_STERN_BIN=$KJ_CACHE/bin/stern-$(kj_tools_hash "$KJ_ROOT/hack/tools/stern")
