#!/usr/bin/env bash
# Runs Mandate's OCI image without Docker or any container runtime, the way a runtime would run it with a read-only
# root file system: for CI and for a look inside. Needs root, umoci, jq and util-linux's unshare.
#
#   build/run-image.sh unpack ARCHIVE BUNDLE        unpack the OCI tarball (build/image.sh) into BUNDLE
#   build/run-image.sh run BUNDLE STATE [ARG...]    run the image's entrypoint with ARGs (default: the image's own)
#
# run: in new mount and PID namespaces (the host's network: listen on 127.0.0.1), the bundle's root file system is
# mounted read-only, STATE (created, owned by uid 1654) is mounted read-write on /var/lib/mandate, a fresh /proc
# and a 64 MB tmpfs on /tmp (as `docker run --read-only --tmpfs /tmp`) are mounted, and the entrypoint runs as the
# image's user, in its working directory, with only the image's environment (and HOME from the image's /etc/passwd,
# as runtimes set it). Nothing else is writable.
set -euo pipefail
die() { printf 'run-image.sh: %s\n' "$*" >&2; exit 2; }
[[ $# -ge 3 ]] || die "usage: run-image.sh unpack ARCHIVE BUNDLE | run BUNDLE STATE [ARG...]"
command -v umoci >/dev/null && command -v jq >/dev/null || die "needs umoci and jq"

case "$1" in
  unpack)
    archive="$2" bundle="$3"
    layout="$(mktemp -d /tmp/mandate-layout.XXXXXX)"
    trap 'rm -rf "$layout"' EXIT
    tar -xf "$archive" -C "$layout"
    tag="$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$layout/index.json")"
    umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
    ;;
  run)
    bundle="$(realpath "$2")" state="$(realpath -m "$3")"
    shift 3
    config="$bundle/config.json"
    rootfs="$bundle/rootfs"
    uid="$(jq -r .process.user.uid "$config")" gid="$(jq -r .process.user.gid "$config")"
    cwd="$(jq -r .process.cwd "$config")"
    mapfile -t image_env < <(jq -r '.process.env[]' "$config")
    mapfile -t entry < <(jq -r '.process.args[]' "$config")
    [[ $# -gt 0 ]] && entry=("${entry[0]}" "$@")
    home="$(awk -F: -v u="$uid" '$3 == u { print $6 }' "$rootfs/etc/passwd")"
    mkdir -p "$state"
    chown "$uid:$gid" "$state"
    chmod 0700 "$state"
    # The inner script runs in the new mount namespace (private: nothing leaks to the host's mounts).
    exec unshare --mount --pid --fork --kill-child --propagation private -- bash -euc '
      rootfs="$1" state="$2" uid="$3" gid="$4" cwd="$5"; shift 5
      mount --bind "$rootfs" "$rootfs"
      mount -o remount,bind,ro "$rootfs"
      mount --bind "$state" "$rootfs/var/lib/mandate"
      mount -t proc proc "$rootfs/proc"
      mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tmpfs "$rootfs/tmp"
      # Not exec: this root shell stays the namespace'"'"'s process 1, so when unshare dies (--kill-child) everything in
      # the namespace dies with it; the entrypoint changes its user, which clears its own parent-death signal.
      "$@"
    ' run-image "$rootfs" "$state" "$uid" "$gid" "$cwd" \
      env -i "${image_env[@]}" "HOME=${home:-/}" \
      unshare --root="$rootfs" --wd="$cwd" --setuid="$uid" --setgid="$gid" -- "${entry[@]}"
    ;;
  *) die "unknown mode $1" ;;
esac
