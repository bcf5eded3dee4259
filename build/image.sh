#!/usr/bin/env bash
# Builds Mandate's OCI image with the .NET SDK's container support (dotnet publish -t:PublishContainer), without a
# Docker daemon, to an OCI layout tarball: build/image.sh [ARCHIVE] (default artifacts/image/mandate.tar).
#
# The base image is built here from Debian bookworm packages (mcr.microsoft.com is not needed): mmdebstrap extracts
# the runtime's real needs (glibc, libgcc, libstdc++, libssl3, the CA certificates, tzdata, netbase; no ICU, as
# globalization is invariant; no zlib, which the runtime links statically), a hook adds /etc/passwd and /etc/group
# with the non-root user app (uid and gid 1654), the CA bundle, and /var/lib/mandate owned by app. umoci makes it an
# OCI image, a throwaway registry on 127.0.0.1 (docker-registry) serves it to the SDK, and is stopped at the end.
# Needs root (mmdebstrap) and: apt-get install -y docker-registry umoci skopeo mmdebstrap
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$root/artifacts/image/mandate.tar}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf 'image.sh: %s\n' "$*" >&2; }

for tool in mmdebstrap umoci skopeo docker-registry; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is missing: apt-get install -y docker-registry umoci skopeo mmdebstrap"; exit 1; }
done

work="$(mktemp -d /tmp/mandate-image.XXXXXX)"
registry_pid=""
cleanup() {
  local status=$?
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  # The registry's own exit status (143, killed) is not the script's.
  exit "$status"
}
trap cleanup EXIT

packages=base-files,libc6,libgcc-s1,libstdc++6,libssl3,ca-certificates,tzdata,netbase
hook='set -e
printf "root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/var/lib/mandate:/usr/sbin/nologin\n" >"$1/etc/passwd"
printf "root:x:0:\napp:x:1654:\n" >"$1/etc/group"
cat "$1"/usr/share/ca-certificates/mozilla/*.crt >"$1/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$1/var/lib/mandate" "$1/tmp" "$1/proc" "$1/dev"
chown 1654:1654 "$1/var/lib/mandate"; chmod 0700 "$1/var/lib/mandate"; chmod 1777 "$1/tmp"'
# The base only changes with its recipe: keep it between runs, keyed by the recipe's hash.
key="$(printf '%s\n%s\n' "$packages" "$hook" | sha256sum | cut -c1-16)"
base="$root/artifacts/image/base-bookworm-$key.tar"
mkdir -p "$(dirname "$base")" "$(dirname "$out")"
if [[ ! -f "$base" ]]; then
  log "building the base root file system (mmdebstrap, bookworm)"
  mmdebstrap --quiet --format=tar --variant=extract --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --extract-hook="$hook" bookworm "$base.new" >&2
  mv "$base.new" "$base"
fi

log "making it an OCI image (umoci)"
umoci init --layout "$work/oci" >/dev/null
umoci new --image "$work/oci:base"
umoci unpack --image "$work/oci:base" "$work/bundle" >/dev/null
# Left out: apt's configuration (mmdebstrap's, the image has no apt) and the build host's resolv.conf and hostname
# (runtimes mount their own).
tar -xpf "$base" -C "$work/bundle/rootfs" --exclude=./etc/apt --exclude=./var/lib/apt --exclude=./var/cache/apt \
  --exclude=./etc/resolv.conf --exclude=./etc/hostname
umoci repack --image "$work/oci:base" "$work/bundle"
umoci config --image "$work/oci:base" --config.user 1654:1654 --config.workingdir /app \
  --config.volume /var/lib/mandate --config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

source "$root/build/free-port.sh"

for attempt in 1 2 3; do
  port="$(free_port)"
  mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/registry" "$port" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break 2
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; registry_pid=""
  log "the registry did not start on 127.0.0.1:$port (attempt $attempt of 3)"
done
[[ -n "$registry_pid" ]] || { cat "$work/registry.log" >&2; exit 1; }

base_ref="127.0.0.1:$port/mandate/runtime-deps:bookworm"
skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci:base" "docker://$base_ref"

log "publishing the image (dotnet publish -t:PublishContainer)"
rm -f "$out"
DOTNET_CONTAINER_INSECURE_REGISTRIES="127.0.0.1:$port" dotnet publish "$root/src/Mandate.Cli/Mandate.Cli.csproj" \
  -c Release -r linux-x64 -t:PublishContainer -p:EnableSdkContainerSupport=true -p:MandateNativeBesideBinary=true \
  -p:PublishDir="$work/app/" -p:ContainerBaseImage="$base_ref" -p:ContainerArchiveOutputPath="$out" \
  -p:ContainerImageTag="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")" \
  --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
[[ -f "$out" ]] || { log "the SDK wrote no archive at $out"; exit 1; }
echo "$out"
