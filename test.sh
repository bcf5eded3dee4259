#!/usr/bin/env bash
# Runs every test of the solution against real components: SQLite, a throwaway PostgreSQL cluster on loopback,
# and (when the console tests exist) headless Chromium. Installs what is missing with apt-get.
# Last line: "tests: N passed, N failed, N skipped". Exit status non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="$(mktemp -d /tmp/mandate-test.XXXXXX)"
pg_bin=""
pg_data="$work/pg"

log() { printf 'test.sh: %s\n' "$*" >&2; }

cleanup() {
  if [[ -n "$pg_bin" && -f "$pg_data/postmaster.pid" ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  dotnet build-server shutdown >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    log "missing $*; run as root or install it: apt-get install -y $*"
    return 1
  fi
  log "installing $* with apt-get"
  if [[ -z "${MANDATE_APT_UPDATED:-}" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    export MANDATE_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# free_port: a loopback port below the kernel's ephemeral range (build/free-port.sh says why).
source "$root/build/free-port.sh"

start_postgres() {
  pg_bin="$(find_pg_bin)" || { apt_install postgresql && pg_bin="$(find_pg_bin)"; } || {
    log "PostgreSQL server binaries are not available"; return 1; }
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$pg_data"
  chmod 755 "$work"
  [[ $(id -u) -eq 0 ]] && chown postgres "$pg_data"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --no-instructions >"$work/initdb.log" 2>&1 || {
    cat "$work/initdb.log" >&2; return 1; }
  # Loopback logins need a SCRAM password for every role but postgres: the dynamic credential tests prove a minted
  # role's password is checked (and fails once the role is dropped), which trust would not.
  cat >"$pg_data/pg_hba.conf" <<'HBA'
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
HBA
  [[ $(id -u) -eq 0 ]] && chown postgres "$pg_data/pg_hba.conf"
  local port attempt started=
  # A port that is taken between the check and the bind only costs another try.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)" || { log "no free loopback port"; return 1; }
    if as_pg "$pg_bin/pg_ctl" -D "$pg_data" -w -t 60 -l "$pg_data/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then
      started=1
      break
    fi
    log "PostgreSQL did not start on port $port (attempt $attempt of 5)"
  done
  [[ -n "$started" ]] || { cat "$pg_data/server.log" >&2; return 1; }
  export MANDATE_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=20"
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

summary() {
  local passed=0 failed=0 skipped=0 file line
  for file in "$work"/results/*.trx; do
    [[ -f "$file" ]] || continue
    line="$(grep -o '<Counters [^>]*>' "$file" | head -n 1)"
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$line")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line")
    # A skipped xUnit test is in the total but neither passed nor failed (trx leaves notExecuted at 0 for it).
    s=$(( ${t:-0} - ${p:-0} - ${f:-0} - ${e:-0} ))
    (( s < 0 )) && s=0
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + s))
  done
  echo "$passed $failed $skipped"
}

# The docs test runs every shell block of the documentation, './test.sh' included; under MANDATE_DOCS_SMOKE=1 this
# script checks what it needs and names what it would run, in a second, instead of running the whole suite inside it.
if [[ "${MANDATE_DOCS_SMOKE:-}" == "1" ]]; then
  command -v dotnet >/dev/null 2>&1 || { log "the .NET 10 SDK is required (dotnet not on PATH)"; exit 1; }
  projects="$(grep -o 'Path="tests/[^"]*\.csproj"' Mandate.slnx | sed 's/Path="//; s/"$//')"
  [[ -n "$projects" ]] || { log "Mandate.slnx lists no test project"; exit 1; }
  log "docs smoke: would start PostgreSQL, build Mandate.slnx (Release) and run:"
  printf '  %s\n' $projects >&2
  echo "tests: 0 passed, 0 failed, 0 skipped (docs smoke: nothing run)"
  exit 0
fi

if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET 10 SDK is required (dotnet not on PATH)"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

if ! start_postgres; then
  log "could not start PostgreSQL; the PostgreSQL tests cannot run"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

if [[ -d tests/Mandate.Console.Tests ]] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium || log "could not install chromium; the console tests will fail"
fi
export MANDATE_TEST_CHROMIUM="${MANDATE_TEST_CHROMIUM:-$(command -v chromium || true)}"

# The MCP gateway tests run MCP servers nobody here wrote (tests/tools/mcp/package.json, pinned by its lock file).
if command -v npm >/dev/null 2>&1; then
  log "installing the MCP test servers (npm ci in tests/tools/mcp)"
  if ! (cd tests/tools/mcp && npm ci --no-audit --no-fund >"$work/npm.log" 2>&1); then
    cat "$work/npm.log" >&2
    log "npm ci failed: the MCP gateway tests that run the reference servers will fail"
  fi
else
  log "npm is not installed: the MCP gateway tests that run the reference MCP servers are skipped"
fi

log "building"
if ! dotnet build Mandate.slnx -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  log "build failed"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

# What users install, each built here and tested by the suite as a user would use it: the single-file binary, the OCI
# image and the NuGet packages. A step that fails counts as a failed test in the last line.
step_failed=0
log "publishing the single-file binary (build/publish.sh)"
if build/publish.sh >"$work/publish.log" 2>&1; then
  export MANDATE_TEST_PUBLISHED="$root/artifacts/publish/mandate"
else
  cat "$work/publish.log" >&2
  log "publish failed"
  step_failed=$((step_failed + 1))
fi

# The OCI image, built without a Docker daemon (build/image.sh) and run without one by its test (build/run-image.sh).
image_tools=()
for tool in mmdebstrap umoci skopeo docker-registry jq; do
  command -v "$tool" >/dev/null 2>&1 || image_tools+=("$tool")
done
if [[ ${#image_tools[@]} -gt 0 ]]; then
  apt_install "${image_tools[@]}" || log "could not install ${image_tools[*]}: the image cannot be built"
fi
log "building the OCI image (build/image.sh)"
if build/image.sh "$root/artifacts/image/mandate.tar" >"$work/image.log" 2>&1; then
  export MANDATE_TEST_IMAGE="$root/artifacts/image/mandate.tar"
else
  cat "$work/image.log" >&2
  log "image build failed"
  step_failed=$((step_failed + 1))
fi

# The NuGet packages, packed from the Release build above into a local feed that their test consumes.
log "packing the NuGet packages (build/pack.sh)"
if build/pack.sh --no-build "$root/artifacts/package/release" >"$work/pack.log" 2>&1; then
  export MANDATE_TEST_PACKAGES="$root/artifacts/package/release"
else
  cat "$work/pack.log" >&2
  log "pack failed"
  step_failed=$((step_failed + 1))
fi

log "running tests"
dotnet test Mandate.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$work/results" -- xUnit.StopOnFail=false
status=$?

read -r passed failed skipped < <(summary)
failed=$((failed + step_failed))
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  log "dotnet test exited with $status although no test failed (a test host crashed?)"
  failed=1
fi
if [[ $passed -eq 0 && $failed -eq 0 ]]; then
  log "no test ran"
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
