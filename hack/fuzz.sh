#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME (default 15s) from its committed seed
# corpus (testdata/fuzz/<FuzzName>/) and prints how many inputs each tried.
# With KJ_UPDATE_DOCS=1 the table goes into docs/reliability.md, section 5.
# go test -fuzz takes one package and one target per run, hence the loop.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KJ_ROOT"
FUZZTIME=${FUZZTIME:-15s}

# target  package  properties checked
targets=(
  "FuzzExplain|./pkg/explain/|never panics; the phase is one of the documented phases; the counters, completions and indexes mirror the Job's status and spec; the backoff budget is limit - failures (never more for OnFailure), nil exactly when the budget is per index and once the Job ended, negative only once the controller's rule says the limit is reached; the numbers the verdict quotes (\`S/C completions\`, \`fails after N more\`) are those; no negative duration; TTL state consistent with the phase; the explanation marshals to JSON"
  "FuzzParseIndexes|./pkg/explain/|never panics; whatever parses prints back (\`1,3-5,7\`) to a string that parses to the same set, normalised (sorted, merged), and equals the formatting of its expansion"
  "FuzzJobSpec|./pkg/jobspec/|never panics on any manifest \`kubectl job create -f\` reads (seeded with specs the API server accepts, such as an Indexed Job with neither completions nor parallelism, and specs it rejects) with any --completions/--parallelism/--backoff-limit-per-index/--max-failed-indexes/--completion-mode/--restart values: Apply, Validate, Rerun (also --failed-indexes-only over any completedIndexes) and RerunIndexes; Validate is deterministic"
  "FuzzSanitize|./pkg/printers/|Sanitize and SanitizeText leave no C0/C1 control character (SanitizeText keeps newline and tab), no ESC, BEL or CR, no bidi override; idempotent; text that needed no escaping comes out unchanged"
)

table="| Target | Properties checked | Executions in a $FUZZTIME run |"$'\n'"|---|---|---|"$'\n'
for t in "${targets[@]}"; do
  IFS='|' read -r name pkg props <<<"$t"
  log=$(mktemp)
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    kj_die "$name found a failing input (written under ${pkg}testdata/fuzz/$name/); fix it and commit the input as a seed"
  fi
  execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  rm -f "$log"
  kj_log "$name: $execs executions in $FUZZTIME, no failure"
  table+="| \`$name\` (${pkg#./}) | $props | $execs |"$'\n'
done
printf '%s' "$table"

if [ -n "${KJ_UPDATE_DOCS:-}" ]; then
  tmp=$(mktemp)
  TABLE="$table" awk '
    /^<!-- end fuzzing -->/ { skip = 0 }
    !skip { print }
    /^<!-- begin fuzzing -->/ { printf "%s", ENVIRON["TABLE"]; skip = 1 }
  ' docs/reliability.md >"$tmp"
  mv "$tmp" docs/reliability.md
  kj_log "wrote the fuzzing table into docs/reliability.md"
fi
