#!/usr/bin/env bash
# Builds the release archives into dist/ with goreleaser (pinned in
# hack/tools/goreleaser, built once into the cache): a snapshot release named
# after the VERSION file, exactly what a release of that tag would upload.
#
#   hack/dist.sh                  all 6 targets, archives, checksums.txt (make dist)
#   hack/dist.sh --single-target  linux/amd64 only, for make test's krew check
#   hack/dist.sh --check          goreleaser check of .goreleaser.yaml
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"

if [ ! -x "$KJ_GORELEASER_BIN/goreleaser" ]; then
  kj_log "building goreleaser (once; many minutes on a cold Go cache)"
  (cd hack/tools/goreleaser && go build -o "$KJ_GORELEASER_BIN.tmp/" github.com/goreleaser/goreleaser/v2)
  rm -rf "$KJ_GORELEASER_BIN"; mv "$KJ_GORELEASER_BIN.tmp" "$KJ_GORELEASER_BIN"
fi

# goreleaser names snapshots after the current tag: make it the VERSION file,
# so archive names match the release URLs of .krew.yaml.
GORELEASER_CURRENT_TAG=$(tr -d '[:space:]' < VERSION)
export GORELEASER_CURRENT_TAG
# goreleaser reads the remote's URL and, when that fails in a snapshot, drops
# all git state (commit v0.0.0/none, no commit times: not reproducible). A
# clone without a remote gets the project's URL for this run only.
if ! git ls-remote --get-url >/dev/null 2>&1; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/kubectl-job/kubectl-job.git
fi

config=.goreleaser.yaml
case "${1:-}" in
  "") ;;
  --check) exec "$KJ_GORELEASER_BIN/goreleaser" check ;;
  --single-target)
    # goreleaser release has no --single-target (only build has, without
    # archives): narrow the build matrix of a copy of the config instead.
    config=$(mktemp "${TMPDIR:-/tmp}/kj-goreleaser.XXXXXX.yaml")
    trap 'rm -f "$config"' EXIT
    sed -e 's/^    goos: \[.*\]$/    goos: [linux]/' -e 's/^    goarch: \[.*\]$/    goarch: [amd64]/' .goreleaser.yaml > "$config"
    [ "$(diff .goreleaser.yaml "$config" | grep -c '^>')" = 2 ] || kj_die "could not narrow goos/goarch in .goreleaser.yaml"
    ;;
  *) kj_die "usage: hack/dist.sh [--single-target | --check]" ;;
esac

"$KJ_GORELEASER_BIN/goreleaser" release --snapshot --clean --config "$config"
ls -l dist/*.tar.gz dist/*.zip dist/checksums.txt 2>/dev/null >&2 || true
