#!/bin/sh
# ci/install-deps.sh - install the Debian packages mdtorture needs.
#
# Idempotent: checks every package with dpkg-query first and does nothing
# (not even `apt-get update`) when all are present.  Needs root or sudo only
# when something is missing.
#
# Exit: 0 all present (or installed), 3 cannot install (no apt, no root).
set -eu

PKGS="clang-19 libclang-rt-19-dev libfuzzer-19-dev llvm-19 libck-dev \
meson ninja-build afl++ libclang-rt-14-dev pkgconf gnuplot-nox zip yamllint python3-yaml"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	[ "${1:-}" = "-q" ] || echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: installing:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: apt-get not found; install by hand:$missing" >&2
	exit 3
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: not root and no sudo; install by hand:$missing" >&2
		exit 3
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "install-deps: apt-get update failed" >&2; exit 3; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing ||
	{ echo "install-deps: apt-get install failed:$missing" >&2; exit 3; }
echo "install-deps: done"
