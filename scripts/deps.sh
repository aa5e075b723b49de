#!/usr/bin/env bash
# deps.sh — make sure the Debian packages PostDesk needs are installed.
#
#   scripts/deps.sh run    C compiler and X11/OpenGL headers to build the app (cgo, Fyne)
#   scripts/deps.sh test   tools the tests call: pdftotext, zbarimg, sqlite3, cupsd and lp (a private print queue),
#                          PostgreSQL's server binaries (internal/pgtest starts a throwaway cluster)
#   scripts/deps.sh e2e    Xvfb, xdotool, ImageMagick for end-to-end tests, plus "run"
#   scripts/deps.sh windows  mingw-w64, NSIS, osslsigncode, Wine (64-bit) and what the
#                          Wine suite drives it with (Xvfb, xdotool, ImageMagick, sqlite3)
#
# Several groups may be given at once. Packages already installed (dpkg -s) are
# left alone and nothing is printed; missing ones are installed with apt-get
# when running as root (one `apt-get update` first), otherwise the script names
# them and the command to install them, and exits 1. Debian 12 (bookworm).
set -euo pipefail

run_pkgs=(gcc libc6-dev pkg-config
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
test_pkgs=(poppler-utils zbar-tools sqlite3 chromium cups-daemon cups-client postgresql)
e2e_pkgs=(xvfb xauth xdotool imagemagick "${run_pkgs[@]}")
windows_pkgs=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis osslsigncode openssl wine wine64
	xvfb xauth xdotool imagemagick sqlite3 poppler-utils git "${run_pkgs[@]}")

usage() {
	echo "usage: $0 run|test|e2e|windows [...]" >&2
	exit 2
}

[ $# -gt 0 ] || usage
want=()
for group in "$@"; do
	case "$group" in
	run) want+=("${run_pkgs[@]}") ;;
	test) want+=("${test_pkgs[@]}") ;;
	e2e) want+=("${e2e_pkgs[@]}") ;;
	windows) want+=("${windows_pkgs[@]}") ;;
	*) usage ;;
	esac
done

# installed prints, one a line, those of the named packages that are installed.
installed() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: this is not a Debian-based system (no dpkg-query); install the equivalents of:" >&2
	echo "  ${want[*]}" >&2
	exit 1
fi

have=" $(installed "${want[@]}" | tr '\n' ' ') "
missing=()
for p in "${want[@]}"; do
	if [[ "$have" != *" $p "* && " ${missing[*]} " != *" $p "* ]]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: install them as root, then run make again:" >&2
	echo "  sudo sh -c '$cmd'" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt=(apt-get -q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
echo "deps.sh: installing ${missing[*]}"
if ! "${apt[@]}" update >"$log" 2>&1 ||
	! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	cat "$log" >&2
	echo "deps.sh: apt-get failed; the command was: $cmd" >&2
	exit 1
fi
have=" $(installed "${missing[@]}" | tr '\n' ' ') "
for p in "${missing[@]}"; do
	if [[ "$have" != *" $p "* ]]; then
		cat "$log" >&2
		echo "deps.sh: $p is still not installed" >&2
		exit 1
	fi
done
