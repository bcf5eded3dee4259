#!/usr/bin/env bash
# Allowed AuthZEN decisions over HTTP against the same server's /healthz as the ceiling, measured by outside load
# generators: wrk (HTTP/1.1 keep-alive) and h2load (cleartext HTTP/2, prior knowledge). Every allow is audited (the
# default AuditAllowSampleRate 1.0); the PEP authenticates with an operator-issued PEP credential. After the runs the
# server is stopped and the ledger is counted: answered decisions must equal the decision events in the chain (plus
# any audit.dropped/audit.sampled counts, which only a configured lossy mode writes). The decision rate limits
# (Mandate:RateLimits:AuthenticatedDecisions, 10,000/s per authenticated caller, and Mandate:RateLimits:Decisions,
# 1,000/s per client network for unauthenticated callers) are turned off: the load generators are one PEP asking for
# more than one caller's default budget, and a 429 would be counted as a request. A run with any answer other than
# 2xx exits 1. Before the measured runs each of the four runs is done once for --warmup seconds, not reported: the first
# seconds of load on a fresh server pay for tiered JIT compilation of the decision path, the ledger file's first
# growth and the first pages of every index, which /healthz does not, and would otherwise be counted against the
# decisions only. The warm-up's decisions are audited and counted in the chain check like the others.
#
#   benchmarks/http/decisions.sh [--seconds S] [--connections C] [--streams M] [--warmup W]
#
# Needs wrk, h2load (Debian: apt-get install wrk nghttp2-client) and sqlite3. Loopback only; stops by itself.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=10
connections=32
streams=10
warmup=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds S] [--connections C] [--streams M] [--warmup W]" >&2; exit 2 ;;
  esac
done
if [[ "${MANDATE_DOCS_SMOKE:-}" == "1" ]]; then seconds=1; connections=4; warmup=1; fi
for tool in wrk h2load sqlite3 curl; do
  command -v "$tool" >/dev/null || { echo "decisions.sh: $tool is required (apt-get install wrk nghttp2-client sqlite3 curl)" >&2; exit 2; }
done

source "$root/build/free-port.sh"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

http1="$(free_port)"
h2c="$(free_port)"
token="pep_bench_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
body='{"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"INV-2026-001"}}'
printf '%s' "$body" > "$work/body.json"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

"$root/mandate" --help >/dev/null   # builds the CLI (Release) if needed, before anything is timed
Mandate__Decisions__PepCredentials__0__Name=bench Mandate__Decisions__PepCredentials__0__TokenSha256="$hash" \
Mandate__Decisions__AllowAnonymousPeps=None \
Mandate__RateLimits__Decisions__Enabled=false Mandate__RateLimits__AuthenticatedDecisions__Enabled=false \
  "$root/mandate" serve --demo --state "$work/state" --urls "http://127.0.0.1:$http1" --http2-urls "http://127.0.0.1:$h2c" \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$http1/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$http1/readyz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
answer="$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$http1/access/v1/evaluation")"
[[ "$answer" == *'"decision":true'* ]] || { echo "decisions.sh: the sample request is not allowed: $answer" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; ${seconds}s per run after ${warmup}s of each, $connections connections, h2c $streams streams each"
wrk_run() { # url [script] [seconds] -> "requests_per_s completed non2xx"
  local out
  out="$(wrk -t2 -c"$connections" -d"${3:-$seconds}s" ${2:+-s "$2"} "$1")"
  local rps total errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  total="$(awk '/requests in/ {print $1}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  echo "$rps ${total:-0} ${errors:-0}"
}
h2_run() { # url [post] [seconds] -> "requests_per_s 2xx requests"
  local out
  if [[ -n "${2:-}" ]]; then
    out="$(h2load -D "${3:-$seconds}" -c "$connections" -m "$streams" -t 2 -d "$work/body.json" -H 'content-type: application/json' -H "authorization: Bearer $token" "$1")"
  else
    out="$(h2load -D "${3:-$seconds}" -c "$connections" -m "$streams" -t 2 "$1")"
  fi
  local rps ok
  rps="$(awk '/^finished in/ {print $4}' <<<"$out")"
  ok="$(awk '/^status codes:/ {print $3}' <<<"$out")"
  total="$(awk '/^requests:/ {print $2}' <<<"$out")"
  echo "$rps ${ok:-0} ${total:-0}"
}

warm_total=0 warm_errors=0 warm_ok=0 warm_h2_total=0
if (( warmup > 0 )); then
  wrk_run "http://127.0.0.1:$http1/healthz" "" "$warmup" >/dev/null
  read -r _ warm_total warm_errors <<<"$(wrk_run "http://127.0.0.1:$http1/access/v1/evaluation" "$work/post.lua" "$warmup")"
  h2_run "http://127.0.0.1:$h2c/healthz" "" "$warmup" >/dev/null
  read -r _ warm_ok warm_h2_total <<<"$(h2_run "http://127.0.0.1:$h2c/access/v1/evaluation" post "$warmup")"
  echo "warm-up done (${warmup}s of each run): load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
read -r h1_ceiling _ _ <<<"$(wrk_run "http://127.0.0.1:$http1/healthz")"
read -r h1_rps h1_total h1_errors <<<"$(wrk_run "http://127.0.0.1:$http1/access/v1/evaluation" "$work/post.lua")"
read -r h2_ceiling _ _ <<<"$(h2_run "http://127.0.0.1:$h2c/healthz")"
read -r h2_rps h2_ok h2_total <<<"$(h2_run "http://127.0.0.1:$h2c/access/v1/evaluation" post)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The load generators' requests/s count every answer: a run with any answer other than 2xx (a 429 from a rate limit,
# a 503) measured something else than allowed decisions, so it is refused rather than reported.
if (( h1_errors > 0 || h2_ok < h2_total || warm_errors > 0 || warm_ok < warm_h2_total )); then
  echo "decisions.sh: answers other than 2xx (HTTP/1.1: $h1_errors of $h1_total; h2c: $(( h2_total - h2_ok )) of $h2_total; warm-up: $warm_errors of $warm_total and $(( warm_h2_total - warm_ok )) of $warm_h2_total): the figures would not be allowed decisions" >&2
  exit 1
fi

kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
answered=$(( h1_total - h1_errors + h2_ok + warm_total - warm_errors + warm_ok + 1 ))
in_chain="$(sqlite3 "$work/state/mandate.db" "SELECT COUNT(*) FROM audit_events WHERE type = 'decision' AND decision = 'allow'")"
unwritten="$(sqlite3 "$work/state/mandate.db" "SELECT COALESCE(SUM(CAST(json_extract(details, '\$.count') AS INTEGER)), 0) FROM audit_events WHERE type IN ('audit.dropped', 'audit.sampled')")"

printf '\n| run | protocol | requests/s | vs /healthz |\n|---|---|---:|---:|\n'
printf '| /healthz (ceiling) | HTTP/1.1 | %s | - |\n' "$h1_ceiling"
printf '| allowed evaluation, every allow audited | HTTP/1.1 | %s | %s %% |\n' "$h1_rps" "$(awk -v a="$h1_rps" -v b="$h1_ceiling" 'BEGIN {printf "%.0f", 100 * a / b}')"
printf '| /healthz (ceiling) | h2c | %s | - |\n' "$h2_ceiling"
printf '| allowed evaluation, every allow audited | h2c | %s | %s %% |\n' "$h2_rps" "$(awk -v a="$h2_rps" -v b="$h2_ceiling" 'BEGIN {printf "%.0f", 100 * a / b}')"
# Requests still in flight when a run's time is up are answered (and audited) but not counted by the load generator:
# at most one per HTTP/1.1 connection and one per h2c stream.
accounted=$(( in_chain + unwritten ))
slack=$(( connections + connections * streams ))
if (( warmup > 0 )); then slack=$(( 2 * slack )); fi
printf '\nanswered allowed decisions (counted by wrk and h2load): %s; allow events in the chain: %s; counted in audit.dropped/audit.sampled: %s\n' "$answered" "$in_chain" "$unwritten"
if (( accounted < answered || accounted > answered + slack )); then
  echo "decisions.sh: MISMATCH: answered decisions and the chain differ by more than the requests in flight ($slack)" >&2
  exit 1
fi
