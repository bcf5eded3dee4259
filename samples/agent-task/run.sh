#!/usr/bin/env bash
# samples/agent-task/run.sh: the whole agent story from a fresh clone, in one command (needs the .NET 10 SDK only).
# Starts `mandate serve --demo` and `mandate gateway mcp` (in front of this sample's "tickets" and "admin" MCP servers)
# on free loopback ports with their state in a temporary directory, runs the scripted orchestrator and sub-agent
# (AgentTaskStory.cs), and stops everything. Exit status 0 when every step went as it should.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
artifacts="${MANDATE_ARTIFACTS:-$root/artifacts}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="$(mktemp -d /tmp/mandate-agent-task.XXXXXX)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

source "$root/build/free-port.sh"

wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "agent-task: nothing listens on 127.0.0.1:$1 ($2); its log:" >&2
  cat "$work/$2.log" >&2
  return 1
}

# The server listens before its start-up steps run (/healthz answers at once, everything else says "starting"), so
# the sample waits for /readyz, asked over bash's own /dev/tcp so that nothing but the SDK is needed.
wait_ready() {
  local status=""
  for _ in $(seq 1 600); do
    if exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null; then
      printf 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$1" >&3
      read -r _ status _ <&3 || true
      exec 3<&- 3>&-
      if [[ "$status" == "200" ]]; then return 0; fi
    fi
    sleep 0.1
  done
  echo "agent-task: the server on 127.0.0.1:$1 did not become ready (last /readyz status: ${status:-none}); its log:" >&2
  cat "$work/server.log" >&2
  return 1
}

"$root/mandate" --version >/dev/null
echo "agent-task: building the sample (Release)..." >&2
dotnet build "$here/Mandate.Samples.AgentTask.csproj" -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
sample="$artifacts/bin/Mandate.Samples.AgentTask/release/Mandate.Samples.AgentTask.dll"

server_port="$(free_port)"
gateway_port="$(free_port)"
server="http://127.0.0.1:$server_port"
gateway="http://127.0.0.1:$gateway_port"

"$root/mandate" serve --demo --urls "$server" --state "$work/state" >"$work/server.log" 2>&1 &
pids+=("$!")
wait_ready "$server_port"

# The gateway is an enforcement point: it gets its own PEP credential, not the admin token.
"$root/mandate" pep-credential create agent-task-gateway --output "$work/gateway.token" \
  --server "$server" --token-file "$work/state/admin.token" >/dev/null
cat >"$work/gateway.json" <<JSON
{
  "upstreams": [
    { "name": "tickets", "command": ["dotnet", "$sample", "upstream", "tickets"] },
    { "name": "admin", "command": ["dotnet", "$sample", "upstream", "admin"] }
  ]
}
JSON
"$root/mandate" gateway mcp --config "$work/gateway.json" --listen "$gateway" \
  --server "$server" --token-file "$work/gateway.token" >"$work/gateway.log" 2>&1 &
pids+=("$!")
wait_port "$gateway_port" gateway

echo "Mandate at $server, the MCP gateway at $gateway/tickets/mcp and $gateway/admin/mcp"
echo
dotnet "$sample" story --server "$server" --gateway "$gateway" --token-file "$work/state/admin.token"
