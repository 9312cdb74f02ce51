#!/usr/bin/env bash
# Static checks: gofmt, go vet (with the e2e tag so the e2e tests are checked
# too), golangci-lint (pinned in hack/tools/lint, built once into the cache),
# go mod tidy, shellcheck on hack/, and the generated README sections.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
mapfile -t gofiles < <(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')
unformatted=$(gofmt -l "${gofiles[@]}")
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
if ! tidy=$(go mod tidy -diff); then
  echo "go.mod/go.sum are not tidy; run 'go mod tidy' and commit the change:" >&2
  echo "$tidy" >&2
  exit 1
fi
if ! command -v shellcheck >/dev/null; then
  kj_log "installing shellcheck (apt)"
  apt-get install -y shellcheck >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y shellcheck >/dev/null; }
fi
mapfile -t scripts < <(git ls-files 'hack/*.sh' 'hack/**/*.sh')
shellcheck -x -P hack "${scripts[@]}"
# README's table of verdict reasons is generated from the registry.
go test -count=1 -run 'TestReadmeReasonTable|TestReasonRegistry' ./pkg/explain/ >/dev/null || {
  echo "README's reason table or the reason registry is out of date: go test ./pkg/explain -run TestReadmeReasonTable -update" >&2
  exit 1
}
echo "lint: ok"
