#!/usr/bin/env bash
# Publishes the self-contained single-file `mandate` for linux-x64 (no .NET SDK or runtime needed to run it):
# artifacts/publish/mandate. Usage: build/publish.sh [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/publish}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
rm -rf "$out"
dotnet publish "$root/src/Mandate.Cli/Mandate.Cli.csproj" -c Release -r linux-x64 -o "$out" \
  --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
echo "$out/mandate"
