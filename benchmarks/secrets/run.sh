#!/usr/bin/env bash
# Side-by-side run: `mandate secrets scan` against secretlint (npm, recommended rule preset) on one planted-secret
# corpus (Mandate.Benchmarks secrets-corpus: format-valid secrets of every detector's kind, with correct checksums, and
# decoys: documented example keys, placeholders, public keys, certificates, wrong-checksum tokens, test-mode keys).
# Prints, for each scanner, the recall (planted secrets reported at their file:line), the decoys it reported, anything
# else it reported, and MB/s per core (bytes over user+sys CPU time of the whole process, start-up included); then
# mandate's scanner in process on one warmed thread.
#
# Environment:
#   MEGABYTES  corpus size (default 64)
#   SEED       corpus seed (default 1)
#   WORK       output directory (default artifacts/secrets-compare)
#
# MANDATE_DOCS_SMOKE=1 (the docs test) makes a 1 MB corpus and one in-process round. The figures of such a run mean
# nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
megabytes="${MEGABYTES:-64}"
if [[ "${MANDATE_DOCS_SMOKE:-}" == "1" ]]; then
  megabytes="${MEGABYTES:-1}"
  echo "== docs smoke (MANDATE_DOCS_SMOKE=1): MEGABYTES=$megabytes"
fi
seed="${SEED:-1}"
work="${WORK:-$root/artifacts/secrets-compare}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: '$tool' is not installed; the comparator (secretlint) needs node and npm (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
done
mkdir -p "$work"
echo "== start: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== installing the comparator (npm ci)"
if ! (cd "$here" && npm ci --silent --no-audit --no-fund --loglevel=error); then
  echo "run.sh: 'npm ci' failed in $here: the comparator could not be installed (is the npm registry reachable?)" >&2
  exit 1
fi

bench=("$root/benchmarks/bench")
echo "== writing the corpus ($megabytes MB, seed $seed)"
"${bench[@]}" secrets-corpus "$work/corpus" --megabytes "$megabytes" --seed "$seed"
bytes="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).bytes)' "$work/corpus.manifest.json")"

# Each scanner runs as a whole process; bash's `time` gives its wall, user and system seconds.
TIMEFORMAT='%R %U %S'
key="$work/scan.key"
head -c 32 /dev/urandom | base64 > "$key"

# ./mandate builds the CLI on first use: build it before the timed run, not inside it.
"$root/mandate" secrets scan --help > /dev/null
echo "== mandate secrets scan"
set +e
{ time "$root/mandate" secrets scan "$work/corpus" --json --key-file "$key" > "$work/mandate.json" 2> "$work/mandate.err"; } 2> "$work/mandate.time"
code=$?
set -e
if [[ $code -gt 1 ]]; then cat "$work/mandate.err" >&2; echo "run.sh: mandate secrets scan failed ($code)" >&2; exit 1; fi

echo "== secretlint (recommended preset)"
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' > "$work/secretlintrc.json"
set +e
{ time (cd "$work/corpus" && "$here/node_modules/.bin/secretlint" --secretlintrc "$work/secretlintrc.json" --format compact --no-color "**/*" > "$work/secretlint.txt" 2> "$work/secretlint.err"); } 2> "$work/secretlint.time"
code=$?
set -e
if [[ $code -gt 1 ]]; then cat "$work/secretlint.err" >&2; echo "run.sh: secretlint failed ($code)" >&2; exit 1; fi

node "$here/compare.mjs" "$work/corpus.manifest.json" "$work/corpus" "$work/mandate.json" "$work/mandate.time" "$work/secretlint.txt" "$work/secretlint.time" "$bytes"

echo "== mandate's scanner in process (one thread, warmed)"
rounds=5
if [[ "${MANDATE_DOCS_SMOKE:-}" == "1" ]]; then rounds=1; fi
"${bench[@]}" secrets-throughput "$work/corpus" --rounds "$rounds"
echo "== end: load average $(cut -d' ' -f1-3 /proc/loadavg)"
