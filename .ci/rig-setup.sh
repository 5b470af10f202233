#!/usr/bin/env bash
# rig-setup.sh prepares this machine for wsbuild's integration tests and demo:
#   1. Debian packages: runc, debootstrap, docker-registry, ca-certificates, and
#      shellcheck (make lint runs it on the scripts under templates/files);
#   2. buildkitd and buildctl, built at the version pinned in go.mod, into $RIG_DIR/bin,
#      and buildx, built at the version .ci/buildx/go.mod pins as a tool (a module of its
#      own, so buildx's dependencies do not enter wsbuild's graph), into $RIG_DIR/bin too;
#   3. a debootstrapped Debian bookworm (minbase) saved as $RIG_DIR/debian-bookworm.tar,
#      which internal/rig pushes to a local registry as debian:bookworm.
# It is idempotent and quick when everything is already in place. Run it as root.
#
# Environment:
#   RIG_DIR         cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/wsbuild-rig)
#   DEBIAN_MIRROR   mirror for debootstrap (default http://deb.debian.org/debian)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RIG_DIR="${RIG_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wsbuild-rig}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$RIG_DIR/bin"

say() { printf 'rig-setup: %s\n' "$*"; }

# --- 1. Debian packages -----------------------------------------------------
missing=()
for pkg in runc debootstrap docker-registry ca-certificates shellcheck; do
	status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
	say "installing ${missing[*]}"
	if [[ $EUID -ne 0 ]]; then
		say "must run as root to install ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Unreachable third-party sources make update complain; the install below is the check.
	apt-get update -qq >/dev/null || say "apt-get update reported errors; trying the install anyway"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "packages: runc debootstrap docker-registry ca-certificates shellcheck already installed"
fi

# --- 2. buildkitd and buildctl ----------------------------------------------
bk_version="$(cd "$ROOT" && go list -m -f '{{if .Replace}}{{.Replace.Path}}@{{.Replace.Version}}{{else}}{{.Path}}@{{.Version}}{{end}}' github.com/moby/buildkit)"
stamp="$RIG_DIR/bin/buildkit.version"
# The stamp says the binaries carry their version (-X below), so `buildkitd --version` and the
# daemon's Info (which `wsbuild version` prints) say v0.x.y rather than v0.0.0+unknown.
bk_stamp="$bk_version version-stamped"
if [[ -x "$RIG_DIR/bin/buildkitd" && -x "$RIG_DIR/bin/buildctl" && -f "$stamp" && "$(cat "$stamp")" == "$bk_stamp" ]]; then
	say "buildkit: $bk_version already built in $RIG_DIR/bin"
else
	say "buildkit: building $bk_version into $RIG_DIR/bin"
	tmpbin="$(mktemp -d "$RIG_DIR/bin.XXXXXX")"
	trap 'rm -rf "$tmpbin"' EXIT
	(cd "$ROOT" && go build -ldflags "-X github.com/moby/buildkit/version.Version=${bk_version##*@}" \
		-o "$tmpbin/" github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl)
	mv -f "$tmpbin/buildkitd" "$tmpbin/buildctl" "$RIG_DIR/bin/"
	rm -rf "$tmpbin"
	trap - EXIT
	printf '%s\n' "$bk_stamp" >"$stamp"
fi

# buildx: the frontend's end-to-end tests drive it with its remote driver (no Docker
# engine). Its version is the one .ci/buildx/go.mod pins; -X sets what `buildx version` says.
bx_version="$(cd "$ROOT/.ci/buildx" && go list -m -f '{{.Path}}@{{.Version}}' github.com/docker/buildx)"
bx_stamp="$RIG_DIR/bin/buildx.version"
if [[ -x "$RIG_DIR/bin/buildx" && -f "$bx_stamp" && "$(cat "$bx_stamp")" == "$bx_version" ]]; then
	say "buildx: $bx_version already built in $RIG_DIR/bin"
else
	say "buildx: building $bx_version into $RIG_DIR/bin (a minute or two warm, several cold)"
	tmpbin="$(mktemp -d "$RIG_DIR/bin.XXXXXX")"
	trap 'rm -rf "$tmpbin"' EXIT
	(cd "$ROOT/.ci/buildx" && go build \
		-ldflags "-X github.com/docker/buildx/version.Version=${bx_version#*@}" \
		-o "$tmpbin/buildx" github.com/docker/buildx/cmd/buildx)
	mv -f "$tmpbin/buildx" "$RIG_DIR/bin/"
	rm -rf "$tmpbin"
	trap - EXIT
	printf '%s\n' "$bx_version" >"$bx_stamp"
fi

# --- 3. Debian bookworm base tarball ----------------------------------------
tarball="$RIG_DIR/debian-bookworm.tar"
if [[ -s "$tarball" ]]; then
	say "base: $tarball already present"
else
	say "base: debootstrap --variant=minbase bookworm (about a minute)"
	rootfs="$(mktemp -d "$RIG_DIR/rootfs.XXXXXX")"
	cleanup_rootfs() {
		# A failed debootstrap may leave proc/sys mounted inside the target: unmount first.
		local m
		for m in $(awk -v r="$rootfs" 'index($2, r"/") == 1 {print $2}' /proc/mounts | sort -r); do
			umount -l "$m" || true
		done
		rm -rf "$rootfs" "$tarball.tmp"
	}
	trap cleanup_rootfs EXIT
	if ! debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$RIG_DIR/debootstrap.log" 2>&1; then
		say "debootstrap failed; last lines of $RIG_DIR/debootstrap.log:" >&2
		tail -n 20 "$RIG_DIR/debootstrap.log" >&2
		exit 1
	fi
	# Leave out what a container runtime provides and what only debootstrap needed.
	rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/debootstrap
	chmod 0755 "$rootfs" # mktemp made it 0700; it becomes the image's /
	tar --numeric-owner --xattrs -C "$rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
		-cf "$tarball.tmp" .
	mv -f "$tarball.tmp" "$tarball"
	cleanup_rootfs
	trap - EXIT
	say "base: wrote $tarball ($(du -h "$tarball" | cut -f1))"
fi
say "done: RIG_DIR=$RIG_DIR"
