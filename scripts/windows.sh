#!/usr/bin/env bash
# windows.sh — the Windows build, cross-compiled on Debian with mingw-w64.
#
#   scripts/windows.sh exe         bin/postdesk.exe (GUI subsystem, icon, version, manifest)
#                                  and bin/postdesk-hub.exe when cmd/postdesk-hub exists
#   scripts/windows.sh installer   dist/PostDesk-<version>-windows-amd64-setup.exe (NSIS)
#
# The exe is built once per source tree: it is kept in $POSTDESK_WIN_CACHE
# (default ~/.cache/postdesk-windows) under a hash of every tracked and
# untracked-but-not-ignored source file, so `make windows installer test`
# compiles it once. VERSION overrides FyneApp.toml's version (the upgrade
# test builds an "older" installer that way). SIGN_CERT and SIGN_KEY (PEM
# files; SIGN_PASS optional) sign the exe, the uninstaller and the installer
# with osslsigncode; without them the build says it is unsigned.
set -euo pipefail
cd "$(dirname "$0")/.."

toml() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -n1; }
VERSION=${VERSION:-$(toml Version)}
BUILD=$(toml Build)
CC=${CC_WINDOWS:-x86_64-w64-mingw32-gcc}
WINDRES=${WINDRES:-x86_64-w64-mingw32-windres}
cache_root=${POSTDESK_WIN_CACHE:-$HOME/.cache/postdesk-windows}

# source_hash names the build: every source file's content, the version and the toolchain.
source_hash() {
	{
		git ls-files -co --exclude-standard -- '*.go' go.mod go.sum assets i18n FyneApp.toml packaging/windows |
			LC_ALL=C sort | while IFS= read -r f; do [ -f "$f" ] && sha256sum "$f"; done
		echo "$VERSION $BUILD $(go version) $($CC --version | head -n1)"
	} | sha256sum | cut -c1-20
}

sign() { # sign FILE in place, when a certificate is given
	local f=$1
	if [ -z "${SIGN_CERT:-}" ] || [ -z "${SIGN_KEY:-}" ]; then
		return 0
	fi
	local pass=()
	[ -n "${SIGN_PASS:-}" ] && pass=(-pass "$SIGN_PASS")
	osslsigncode sign -certs "$SIGN_CERT" -key "$SIGN_KEY" "${pass[@]}" -n "PostDesk" -h sha256 \
		-in "$f" -out "$f.signed" >/dev/null
	mv -f "$f.signed" "$f"
}

build_exe() {
	local hash dir
	hash=$(source_hash)
	dir="$cache_root/$hash"
	if [ ! -f "$dir/postdesk.exe" ]; then
		echo "windows.sh: building postdesk.exe $VERSION (cache $dir)"
		local work
		work=$(mktemp -d)
		# Resources: icon from assets/icon.png, version from FyneApp.toml.
		convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$work/postdesk.ico"
		local v4 vc
		v4="$(echo "$VERSION" | sed 's/[^0-9.].*//').$BUILD"
		while [ "$(echo "$v4" | tr -cd . | wc -c)" -lt 3 ]; do v4="$v4.0"; done
		vc=$(echo "$v4" | tr . ,)
		sed "s/@VERSION4@/$v4/g" packaging/windows/postdesk.manifest >"$work/postdesk.manifest"
		sed -e "s/@VERSION4@/$v4/g" -e "s/@VERSIONC@/$vc/g" -e "s/@VERSION@/$VERSION/g" -e "s/@NAME@/postdesk/g" \
			packaging/windows/postdesk.rc.in >"$work/postdesk.rc"
		(cd "$work" && "$WINDRES" -c 65001 -O coff -i postdesk.rc -o rsrc.syso)
		# The .syso must sit in the main package; it is named for windows/amd64 only.
		cp "$work/rsrc.syso" rsrc_windows_amd64.syso
		mkdir -p "$dir.tmp"
		GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$CC" go build -tags migrated_fynedo \
			-ldflags "-H windowsgui -s -w -X postdesk/internal/cli.Version=$VERSION" \
			-o "$dir.tmp/postdesk.exe" . || { rm -rf rsrc_windows_amd64.syso "$work"; exit 1; }
		rm -f rsrc_windows_amd64.syso
		rm -rf "$work"
		if [ -d cmd/postdesk-hub ]; then
			GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath \
				-ldflags "-s -w -X postdesk/internal/cli.Version=$VERSION" \
				-o "$dir.tmp/postdesk-hub.exe" ./cmd/postdesk-hub
		fi
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	mkdir -p bin
	rm -f bin/postdesk-hub.exe
	cp -f "$dir"/*.exe bin/
	sign bin/postdesk.exe
	[ -f bin/postdesk-hub.exe ] && sign bin/postdesk-hub.exe
	ls bin/*.exe
}

build_installer() {
	build_exe >/dev/null
	mkdir -p dist
	convert assets/icon.png -define icon:auto-resize=64,48,32,16 bin/postdesk-setup.ico
	local out="dist/PostDesk-$VERSION-windows-amd64-setup.exe"
	local signer=()
	if [ -n "${SIGN_CERT:-}" ] && [ -n "${SIGN_KEY:-}" ]; then
		signer=("-DSIGN_CMD=$(realpath scripts/windows.sh) sign-file")
	fi
	local hub=()
	[ -f bin/postdesk-hub.exe ] && hub=(-DWITH_HUB)
	makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$VERSION" -DSRC="$(pwd)" -DOUT="$(pwd)/$out" \
		"${hub[@]}" "${signer[@]}" packaging/windows/postdesk.nsi
	sign "$out"
	if [ ${#signer[@]} -eq 0 ]; then
		echo "windows.sh: UNSIGNED build (set SIGN_CERT and SIGN_KEY to sign): Windows SmartScreen will warn" >&2
	fi
	echo "$out"
}

case "${1:-}" in
exe) build_exe ;;
installer) build_installer ;;
sign-file) sign "$2" ;; # called by makensis for the uninstaller
*)
	echo "usage: $0 exe|installer" >&2
	exit 2
	;;
esac
