#!/usr/bin/env bash
# End-to-end run of the real PostDesk binary: a demo database, a virtual X
# display (Xvfb), and the keyboard only (xdotool), as a clerk would work.
# Screenshots of every step go to e2e-shots/ (override with E2E_SHOTS); the
# database is checked with sqlite3 afterwards. Exits non-zero on any failure.
#
#   make e2e                      # builds bin/postdesk first
#   bash scripts/e2e.sh           # builds bin/postdesk if it is missing
#   E2E_KEEP=1 bash scripts/e2e.sh  # keep the temporary database for a look
#
# Needs: Xvfb, xdotool, ImageMagick (import, identify), sqlite3 — installed
# by scripts/deps.sh e2e (called by make e2e).
set -euo pipefail
cd "$(dirname "$0")/.."

SHOTS=${E2E_SHOTS:-e2e-shots}
DISPLAY_NUM=${E2E_DISPLAY:-:99}
DOSSIERS=${E2E_DOSSIERS:-2000}
BIN=${E2E_BIN:-bin/postdesk}
# The old screens post points have: the window must open no larger.
SCREEN=${E2E_SCREEN:-1024x768}

for tool in Xvfb xdotool import identify sqlite3; do
	command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (run: scripts/deps.sh e2e)" >&2; exit 1; }
done
if [ ! -x "$BIN" ]; then
	echo "e2e: building $BIN"
	CGO_ENABLED=1 go build -tags migrated_fynedo -o "$BIN" .
fi

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
TMP=$(mktemp -d)
DB="$TMP/e2e.db"
XPID=""
APID=""
STEP=0

cleanup() {
	status=$?
	[ -n "$APID" ] && kill "$APID" 2>/dev/null && wait "$APID" 2>/dev/null || true
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null || true
	if [ "${E2E_KEEP:-}" = 1 ] || [ $status -ne 0 ]; then
		cp -f "$DB" "$SHOTS/e2e.db" 2>/dev/null || true
		echo "e2e: database kept as $SHOTS/e2e.db"
	fi
	rm -rf "$TMP"
	if [ $status -eq 0 ]; then
		echo "e2e: PASS ($STEP steps, screenshots in $SHOTS/)"
	else
		echo "e2e: FAIL (screenshots and app.log in $SHOTS/)" >&2
	fi
	exit $status
}
trap cleanup EXIT

fail() { echo "e2e: FAIL: $*" >&2; shot "failure"; exit 1; }

# shot NAME: screenshot of the whole display; a blank image is a failure.
shot() {
	STEP=$((STEP + 1))
	local f
	f=$(printf '%s/%02d-%s.png' "$SHOTS" "$STEP" "$1")
	local colours try
	# A loaded machine may not have drawn the window yet: try a few times.
	for try in 1 2 3 4 5 6 7 8; do
		DISPLAY=$DISPLAY_NUM import -window root "$f"
		colours=$(identify -format '%k' "$f")
		[ "$colours" -ge 3 ] || [ "$1" = failure ] && break
		sleep 0.5
	done
	if [ "$colours" -lt 3 ] && [ "$1" != failure ]; then
		fail "screenshot $f is blank"
	fi
	echo "e2e: $f"
}

sql() { sqlite3 -readonly "$DB" "$1"; }

key() { DISPLAY=$DISPLAY_NUM xdotool key --clearmodifiers --delay 60 "$@"; sleep 0.4; }
# typ TEXT: type text. Letters outside the keymap (Vietnamese ă, ơ, ư, đ and
# tone marks) need a slow pace: xdotool maps a spare keycode for each, and
# a fast typist's mapping is gone before the app reads the key.
typ() {
	local delay=40
	LC_ALL=C.UTF-8 grep -qP '[^\x00-\x7F]' <<<"$1" && delay=200
	DISPLAY=$DISPLAY_NUM xdotool type --clearmodifiers --delay "$delay" "$1"
	sleep 0.3
}

# wait_for SQL EXPECTED: poll the database until the query gives EXPECTED.
wait_for() {
	local i got=""
	for i in $(seq 1 40); do
		got=$(sql "$1" 2>/dev/null || true)
		[ "$got" = "$2" ] && return 0
		sleep 0.25
	done
	fail "waited for [$1] = $2, got [$got]"
}

# xdg-open of the receipt PDF: a stub that records the call instead of
# starting a viewer on the test display.
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "$@" >>"%s/xdg-open.log"\n' "$TMP" >"$TMP/bin/xdg-open"
chmod +x "$TMP/bin/xdg-open"

echo "e2e: demo database with $DOSSIERS dossiers"
LANG=vi_VN.UTF-8 "$BIN" demo seed --db "$DB" --dossiers "$DOSSIERS" --showcase >"$SHOTS/seed.log" 2>&1 ||
	{ cat "$SHOTS/seed.log" >&2; fail "demo seed failed"; }

echo "e2e: Xvfb on $DISPLAY_NUM"
Xvfb "$DISPLAY_NUM" -screen 0 "${SCREEN}x24" -nolisten tcp >"$SHOTS/xvfb.log" 2>&1 &
XPID=$!
for i in $(seq 1 50); do
	DISPLAY=$DISPLAY_NUM xdotool getmouselocation >/dev/null 2>&1 && break
	sleep 0.1
done

echo "e2e: starting PostDesk"
PATH="$TMP/bin:$PATH" DISPLAY=$DISPLAY_NUM LANG=vi_VN.UTF-8 LC_ALL=vi_VN.UTF-8 "$BIN" --db "$DB" >"$SHOTS/app.log" 2>&1 &
APID=$!
WIN=$(DISPLAY=$DISPLAY_NUM timeout 30 xdotool search --sync --onlyvisible --name PostDesk | head -n1) ||
	fail "no PostDesk window within 30 s"
[ -n "$WIN" ] || fail "no PostDesk window"
# No window manager under Xvfb: give the window the keyboard ourselves
# (once it is mapped; focusing an unmapped window is an X error).
focused=""
for i in $(seq 1 30); do
	if DISPLAY=$DISPLAY_NUM xdotool windowmove "$WIN" 0 0 windowfocus --sync "$WIN" 2>/dev/null; then
		focused=1
		break
	fi
	sleep 0.2
done
[ -n "$focused" ] || fail "could not give the PostDesk window the keyboard"
sleep 1.5
shot signin

# The window fits the screen (it used to widen itself to 1144 px).
geom=$(DISPLAY=$DISPLAY_NUM xdotool getwindowgeometry --shell "$WIN")
ww=$(sed -n 's/^WIDTH=//p' <<<"$geom")
wh=$(sed -n 's/^HEIGHT=//p' <<<"$geom")
[ "$ww" -le "${SCREEN%x*}" ] && [ "$wh" -le "${SCREEN#*x}" ] ||
	fail "the window is ${ww}x${wh}, larger than the ${SCREEN} screen"
echo "e2e: window ${ww}x${wh} on a ${SCREEN} screen"

# 1. Sign in as a clerk, keyboard only: username, Enter, PIN, Enter.
typ gdv1
key Return
typ 1234
key Return
wait_for "SELECT count(*) FROM events WHERE kind = 'staff.signed_in' AND staff = 'gdv1'" 1
sleep 1
shot desk-after-signin

# 2. Every screen of the clerk by its key, and back to Intake; the window
#    never grows past the screen.
for k in F1 F5 F4 F11 F12 F6 F7; do
	key "$k"
	shot "key-$k"
	geom=$(DISPLAY=$DISPLAY_NUM xdotool getwindowgeometry --shell "$WIN")
	ww=$(sed -n 's/^WIDTH=//p' <<<"$geom")
	[ "$ww" -le "${SCREEN%x*}" ] || fail "after $k the window is $ww px wide, wider than the screen"
done
key F3
shot intake

# 3. Intake of one dossier at the counter, keyboard only (the intake form's
#    keys: Tab follows the paper slip, Ctrl+D marks every paper received,
#    Enter saves and prints the receipt).
before=$(sql "SELECT count(*) FROM dossiers")
key ctrl+n                       # a new, empty slip; the cursor is in "Dịch vụ"
sleep 0.3
shot intake-new-slip
key Tab                          # → Thủ tục
typ '1.001193'
key Return                       # the first match: Đăng ký khai sinh
key Tab                          # → Họ và tên
typ "Rơ Mah H'Bích"
key Tab Tab                      # (Loại giấy tờ: CCCD) → Số giấy tờ
typ '064301000045'
key Tab                          # → Điện thoại
typ '0905123456'
key Tab Tab                      # (Xã/phường: the post point's) → Thôn, làng
typ 'Làng Mrông Yố'
key ctrl+d                       # every paper received
shot intake-filled
key Return                       # save: the dossier, its event, the receipt PDF
wait_for "SELECT count(*) FROM dossiers" $((before + 1))
new=$(sql "SELECT id FROM dossiers WHERE applicant_name = 'Rơ Mah H''Bích' AND citizen_id = '064301000045' ORDER BY id DESC LIMIT 1")
[ -n "$new" ] || fail "no dossier for Rơ Mah H'Bích"
by=$(sql "SELECT staff FROM events WHERE kind = 'dossier.intake' AND dossier = '$new'")
[ "$by" = gdv1 ] || fail "dossier $new was recorded by [$by], not gdv1"
proc=$(sql "SELECT procedure_code FROM dossiers WHERE id = '$new'")
[ "$proc" = 1.001193 ] || fail "dossier $new has procedure [$proc]"
echo "e2e: new dossier $new"
sleep 1
shot intake-saved
receipt="$TMP/receipts/$new.pdf"
for i in $(seq 1 20); do [ -s "$receipt" ] && break; sleep 0.25; done
[ -s "$receipt" ] || fail "no receipt PDF at $receipt"
cp "$receipt" "$SHOTS/receipt-$new.pdf"
grep -q "$new" "$TMP/xdg-open.log" 2>/dev/null || fail "the receipt was not handed to the system viewer"
if command -v pdftotext >/dev/null; then
	pdftotext "$receipt" - | grep -q "Rơ Mah H'Bích" || fail "the receipt does not name Rơ Mah H'Bích"
fi

# 4. Scan it back from anywhere (F2): the receipt number opens its dossier.
key F7                           # somewhere else first
key F2
typ "$new"
key Return
sleep 1
shot scan-receipt
key Escape

# 5. Lock (Ctrl+L) and unlock with the PIN: the desk comes back as it was.
key ctrl+l
shot locked
typ 1234
key Return
wait_for "SELECT count(*) FROM events WHERE kind = 'staff.signed_in' AND staff = 'gdv1'" 2
shot unlocked

if grep -Eq 'panic:|fatal error:' "$SHOTS/app.log"; then
	fail "the app log has a panic (see $SHOTS/app.log)"
fi
kill -0 "$APID" 2>/dev/null || fail "PostDesk exited during the run"
