#!/usr/bin/env bash
# Packs the NuGet packages (Mandate.Cedar, Mandate.Protocol, Mandate.Client, Mandate.Client.AspNetCore) with their
# symbol packages (.snupkg) into a folder that works as a local feed: build/pack.sh [--no-build] [OUTPUT_DIR]
# (default artifacts/package/release; --no-build packs what `dotnet build Mandate.slnx -c Release` built). CI=true (test.sh sets it) makes the build deterministic for CI
# (ContinuousIntegrationBuild: source paths normalized in the PDBs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=()
if [[ "${1:-}" == "--no-build" ]]; then build=(--no-build); shift; fi
out="$(realpath -m "${1:-$root/artifacts/package/release}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$out"
for project in Mandate.Cedar Mandate.Protocol Mandate.Client Mandate.Client.AspNetCore; do
  rm -f "$out/$project".[0-9]*.nupkg "$out/$project".[0-9]*.snupkg
done
dotnet pack "$root/Mandate.slnx" -c Release "${build[@]}" -o "$out" --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
ls "$out"/*.nupkg
