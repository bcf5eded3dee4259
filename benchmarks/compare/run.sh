#!/usr/bin/env bash
# Side-by-side run: Mandate.Cedar against the Rust Cedar reference compiled to WebAssembly (@cedar-policy/cedar-wasm),
# on one exported corpus (same policies, schemas, entities and requests), with the same per-decision method.
# Prints the timings, the ratio per app and whether both engines gave the same answers (exit 1 if not).
#
# Environment:
#   HIERARCHIES   hierarchies per (app, entity count) in the side-by-side corpus (default 2; the paper uses 200, but
#                 cedar-wasm handles every entity and the whole policy set inside every call, so 200 takes hours)
#   FULL          hierarchies for the Mandate-only run on the paper's full shape (default 200; 0 skips it)
#   REQUESTS      requests per hierarchy (default 500, as in the paper)
#   AGENT_REQUESTS requests on the agent model and its scaling sets (default 2000)
#   APPS          apps to export (default gdrive,github,tinytodo,agents,scaling)
#   ENTITIES      entity counts per type of the paper apps (default 5,10,15,20,30,40,50, the paper's)
#   WORK          output directory (default artifacts/cedar-compare)
#   WARMUP_MS     warm-up per app and engine (default 1000)
#
# MANDATE_DOCS_SMOKE=1 (the docs test) changes the defaults to a bounded run of the same steps: one hierarchy of 5
# requests at 5 and 10 entities per type, 20 agent requests, gdrive and the agent model (no scaling sets), a
# one-hierarchy full-shape run, 50 ms warm-ups. Set a knob to override it. The figures of such a run mean nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ "${MANDATE_DOCS_SMOKE:-}" == "1" ]]; then
  : "${HIERARCHIES:=1}" "${FULL:=1}" "${REQUESTS:=5}" "${AGENT_REQUESTS:=20}" "${APPS:=gdrive,agents}" "${ENTITIES:=5,10}" "${WARMUP_MS:=50}"
  echo "== docs smoke (MANDATE_DOCS_SMOKE=1): HIERARCHIES=$HIERARCHIES FULL=$FULL REQUESTS=$REQUESTS AGENT_REQUESTS=$AGENT_REQUESTS APPS=$APPS ENTITIES=$ENTITIES WARMUP_MS=$WARMUP_MS"
fi
work="${WORK:-$root/artifacts/cedar-compare}"
hierarchies="${HIERARCHIES:-2}"
full="${FULL:-200}"
requests="${REQUESTS:-500}"
agent_requests="${AGENT_REQUESTS:-2000}"
apps="${APPS:-gdrive,github,tinytodo,agents,scaling}"
entities=()
if [[ -n "${ENTITIES:-}" ]]; then entities=(--entities "$ENTITIES"); fi
warmup="${WARMUP_MS:-1000}"

# The comparator is an npm package run by node: without them there is nothing to compare against.
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: '$tool' is not installed; the comparator (@cedar-policy/cedar-wasm) needs node and npm (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
done
mkdir -p "$work"

echo "== start: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# benchmarks/bench builds Mandate.Benchmarks (Release) on first use when its sources changed.
bench=("$root/benchmarks/bench")

echo "== installing the comparator (npm ci)"
if ! (cd "$here" && npm ci --silent --no-audit --no-fund); then
  echo "run.sh: 'npm ci' failed in $here: the comparator could not be installed (is the npm registry reachable?)" >&2
  exit 1
fi

echo "== exporting the corpus to $work/corpus ($hierarchies hierarchies x $requests requests per entity count)"
rm -rf "$work/corpus"
"${bench[@]}" export "$work/corpus" --hierarchies "$hierarchies" --requests "$requests" --agent-requests "$agent_requests" --apps "$apps" "${entities[@]}" >/dev/null

echo "== Mandate.Cedar, prepared entity store"
"${bench[@]}" measure "$work/corpus" --mode prepared --warmup-ms "$warmup" --out "$work/mandate.json" --decisions "$work/mandate-decisions.jsonl"
echo "== Mandate.Cedar, entities parsed per call (the work cedar-wasm does per call)"
"${bench[@]}" measure "$work/corpus" --mode per-call --warmup-ms "$warmup" --out "$work/mandate-per-call.json" --decisions "$work/mandate-per-call-decisions.jsonl"
echo "== cedar-wasm, statefulIsAuthorized with pre-parsed policies and schema (one node process per app)"
wasm_results=()
wasm_decisions=()
for app in $(node -e "for (const a of JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).apps) console.log(a.name)" "$work/corpus/manifest.json"); do
  measure=(node "$here/measure.mjs" "$work/corpus" --apps "$app" --warmup-ms "$warmup" --out "$work/wasm-$app.json" --decisions "$work/wasm-$app-decisions.jsonl")
  # node 20's V8 has died once with a deoptimizer fatal error in a long run: one retry per app.
  "${measure[@]}" || "${measure[@]}"
  wasm_results+=("$work/wasm-$app.json")
  wasm_decisions+=("$work/wasm-$app-decisions.jsonl")
done
wasm_json="$(IFS=,; echo "${wasm_results[*]}")"
wasm_jsonl="$(IFS=,; echo "${wasm_decisions[*]}")"

if [[ "$full" != 0 ]]; then
  echo "== Mandate.Cedar alone on the paper's full shape ($full hierarchies x $requests requests, ${ENTITIES:-5..50} entities per type)"
  rm -rf "$work/corpus-full"
  "${bench[@]}" export "$work/corpus-full" --hierarchies "$full" --requests "$requests" --apps gdrive,github,tinytodo "${entities[@]}" >/dev/null
  "${bench[@]}" measure "$work/corpus-full" --mode prepared --warmup-ms "$warmup" --out "$work/mandate-full.json" --decisions "$work/mandate-full-decisions.jsonl"
fi

compare=(node "$here/compare.mjs" --corpus "$work/corpus"
  --wasm "$wasm_json" --wasm-decisions "$wasm_jsonl"
  --mandate "$work/mandate.json" --mandate-decisions "$work/mandate-decisions.jsonl"
  --per-call "$work/mandate-per-call.json" --per-call-decisions "$work/mandate-per-call-decisions.jsonl")
if [[ "$full" != 0 ]]; then compare+=(--full "$work/mandate-full.json"); fi
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"${compare[@]}" --markdown >"$work/report.md" || true
"${compare[@]}" | tee "$work/report.txt"
