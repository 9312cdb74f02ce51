#!/usr/bin/env bash
# Fails when docs/accuracy.md is stale: pkg/explain changed after the commit
# the report's run tested (or that run had uncommitted changes). Tests and
# testdata do not count: the report measures the engine. Regenerate
# with `make difftest N=200`. Part of `make test`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
# shellcheck disable=SC2016 # the backticks are the report's literal Markdown
commit=$(grep -oE '^- Commit: `[0-9a-f]{40}(\+dirty)?`' docs/accuracy.md | grep -oE '[0-9a-f]{40}(\+dirty)?' || true)
[ -n "$commit" ] || kj_die "docs/accuracy.md records no commit: regenerate it with make difftest N=200"
case $commit in *+dirty) kj_die "docs/accuracy.md was written by a run with uncommitted changes: commit, then make difftest N=200" ;; esac
git cat-file -e "$commit^{commit}" 2>/dev/null || kj_die "docs/accuracy.md names commit $commit, which is not in this repository's history: make difftest N=200"
if changed=$(git diff --name-only "$commit" -- pkg/explain ':!pkg/explain/testdata' ':!pkg/explain/*_test.go' | head -5) && [ -n "$changed" ]; then
  kj_die "pkg/explain changed after the commit docs/accuracy.md was measured on (${commit:0:12}): ${changed//$'\n'/ }; rerun make difftest N=200 and commit the report"
fi
kj_log "docs/accuracy.md is current: pkg/explain unchanged since ${commit:0:12}"
