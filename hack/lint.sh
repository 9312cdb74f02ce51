#!/usr/bin/env bash
# Static checks: gofmt, go vet (with the e2e tag so the e2e tests are checked
# too), golangci-lint (pinned in hack/tools/lint, built once into the cache)
# and go mod tidy.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
unformatted=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files (run: gofmt -w FILE):" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go vet -tags e2e ./test/...
go vet -tags "e2e faults" ./test/e2e/
go vet -tags "e2e pressure" ./test/e2e/
if [ ! -x "$KJ_LINT_BIN/golangci-lint" ]; then
  kj_log "building golangci-lint (once; a few minutes on a cold Go cache)"
  (cd hack/tools/lint && go build -o "$KJ_LINT_BIN.tmp/" github.com/golangci/golangci-lint/v2/cmd/golangci-lint)
  rm -rf "$KJ_LINT_BIN"; mv "$KJ_LINT_BIN.tmp" "$KJ_LINT_BIN"
fi
"$KJ_LINT_BIN/golangci-lint" run ./...
cp go.mod /tmp/kj-go.mod.$$; cp go.sum /tmp/kj-go.sum.$$
go mod tidy
if ! diff -q go.mod /tmp/kj-go.mod.$$ >/dev/null || ! diff -q go.sum /tmp/kj-go.sum.$$ >/dev/null; then
  rm -f /tmp/kj-go.mod.$$ /tmp/kj-go.sum.$$
  echo "go.mod/go.sum were not tidy; 'go mod tidy' has fixed them: commit the change" >&2
  exit 1
fi
rm -f /tmp/kj-go.mod.$$ /tmp/kj-go.sum.$$
echo "lint: ok"
