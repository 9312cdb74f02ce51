#!/usr/bin/env bash
# Proves the krew manifest with real krew (sigs.k8s.io/krew, pinned in
# hack/tools/krew, built once into the cache), offline:
#   1. plugin.yaml is fresh (hack/krew-manifest.sh --check);
#   2. validate-krew-manifest passes on plugin.yaml (copied to job.yaml: the
#      validator takes the plugin name from the file name), structure only, as
#      its install step would download the release URLs;
#   3. validate-krew-manifest with its install step (every platform installed
#      by `kubectl krew install`, a LICENSE extracted) passes on the manifest of
#      dist/, downloaded from dist/ served on 127.0.0.1: all 6 platforms after
#      `make dist`, linux/amd64 after `hack/dist.sh --single-target`;
#   4. `kubectl krew install --manifest --archive` into a throwaway KREW_ROOT,
#      then `kubectl job version` and `kubectl job <TAB>` (through the
#      kubectl_complete-job helper, installed as the caveats say) run from
#      krew's bin dir, and `kubectl krew uninstall job` removes it all.
# krew never fetches an index: install with --manifest skips it, and list and
# uninstall get an empty local one.
# Needs dist/kubectl-job_<VERSION>_linux_amd64.tar.gz (built if missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"

if [ ! -x "$KJ_KREW_BIN/krew" ] || [ ! -x "$KJ_KREW_BIN/validate-krew-manifest" ]; then
  kj_log "building krew and validate-krew-manifest (once; a few minutes on a cold Go cache)"
  (cd hack/tools/krew && go build -o "$KJ_KREW_BIN.tmp/" sigs.k8s.io/krew/cmd/krew sigs.k8s.io/krew/cmd/validate-krew-manifest)
  rm -rf "$KJ_KREW_BIN"; mv "$KJ_KREW_BIN.tmp" "$KJ_KREW_BIN"
fi
command -v kubectl >/dev/null || kj_die "kubectl is not on PATH"

version=$(tr -d '[:space:]' < VERSION)
archive=dist/kubectl-job_${version}_linux_amd64.tar.gz
if [ ! -f "$archive" ]; then
  kj_log "$archive is missing: building it (hack/dist.sh --single-target)"
  hack/dist.sh --single-target
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kj-krew.XXXXXX")
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# kubectl finds krew as the kubectl-krew plugin; krew itself never phones home.
mkdir -p "$tmp/tools"
ln -s "$KJ_KREW_BIN/krew" "$tmp/tools/kubectl-krew"
ln -s "$KJ_KREW_BIN/validate-krew-manifest" "$tmp/tools/validate-krew-manifest"
export PATH="$tmp/tools:$PATH" KREW_NO_UPGRADE_CHECK=1
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. plugin.yaml is fresh"
hack/krew-manifest.sh --check

step "2. validate-krew-manifest on plugin.yaml (structure)"
mkdir -p "$tmp/plugin" && cp plugin.yaml "$tmp/plugin/job.yaml"
run validate-krew-manifest -manifest "$tmp/plugin/job.yaml" -skip-install

step "3. validate-krew-manifest installing every platform built, from dist/ on 127.0.0.1"
go build -o "$tmp/tools/krewmanifest" ./hack/krewmanifest
"$tmp/tools/krewmanifest" -serve -dist dist > "$tmp/url" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
url=$(head -1 "$tmp/url"); [ -n "$url" ] || kj_die "the dist/ server did not start"
platforms=
for a in dist/kubectl-job_"${version}"_*_*.tar.gz dist/kubectl-job_"${version}"_*_*.zip; do
  [ -f "$a" ] || continue
  osarch=$(basename "$a"); osarch=${osarch#kubectl-job_"${version}"_}; osarch=${osarch%%.*}
  platforms+=${platforms:+,}${osarch/_//}
done
mkdir -p "$tmp/local"
"$tmp/tools/krewmanifest" -template .krew.yaml -tag "$version" -dist dist -allow-missing \
  -download-base "$url" -platforms "$platforms" > "$tmp/local/job.yaml"
run validate-krew-manifest -manifest "$tmp/local/job.yaml"

step "4. kubectl krew install --manifest --archive into a throwaway KREW_ROOT"
# krew checks the archive against the manifest's sha256: use plugin.yaml when
# it was rendered from this dist/, else the manifest hack/krew-manifest.sh
# renders from it now (plugin.yaml differs only in sha256s, step 1).
manifest=plugin.yaml
sum=$(sha256sum "$archive" | cut -d' ' -f1)
if ! grep -q "sha256: $sum\$" plugin.yaml; then
  manifest=$tmp/rendered/plugin.yaml
  mkdir -p "$tmp/rendered"
  "$tmp/tools/krewmanifest" -template .krew.yaml -tag "$version" -dist dist -allow-missing -platforms linux/amd64 > "$manifest"
  echo "(plugin.yaml was rendered from another build of dist/; installing with the manifest of this one)"
fi
export KREW_ROOT=$tmp/krew KREW_OS=linux KREW_ARCH=amd64
export PATH="$KREW_ROOT/bin:$PATH"
run kubectl krew install --manifest="$manifest" --archive="$archive"
# krew list and uninstall refuse to run without a local plugin index (a git
# clone); an empty repository stands in for it, so nothing is ever fetched.
git init -q "$KREW_ROOT/index/default"
run kubectl krew list
[ "$(command -v kubectl-job)" = "$KREW_ROOT/bin/kubectl-job" ] || kj_die "kubectl-job on PATH is $(command -v kubectl-job), not krew's"
out=$(run kubectl job version); echo "$out"
grep -q "^kubectl-job $version" <<<"$out" || kj_die "kubectl job version did not print $version"
ls "$KREW_ROOT/store/job/$version"
# The caveats' one-time step, then what the shell runs on "kubectl job <TAB>".
cp "$KREW_ROOT/store/job/$version/kubectl_complete-job" "$KREW_ROOT/bin/"
out=$(run kubectl __complete job ex 2>/dev/null); echo "$out"
grep -q '^explain' <<<"$out" || kj_die "kubectl job <TAB> did not offer explain"
rm "$KREW_ROOT/bin/kubectl_complete-job"

step "5. kubectl krew uninstall job"
run kubectl krew uninstall job
if [ -e "$KREW_ROOT/bin/kubectl-job" ] || [ -e "$KREW_ROOT/store/job" ] || [ -e "$KREW_ROOT/receipts/job.yaml" ]; then
  kj_die "uninstall left files behind: $(find "$KREW_ROOT" -name '*job*')"
fi
if kubectl job version >/dev/null 2>&1 && [ "$(command -v kubectl-job)" = "$KREW_ROOT/bin/kubectl-job" ]; then
  kj_die "kubectl job still runs krew's copy after uninstall"
fi
echo "krew's bin dir and store hold no trace of job"

echo
echo "krew-test: ok"
