#!/bin/sh
# crash_fiber.sh BINARY - in an ASan build, a wild call on a fiber stack
# (tests/crash_fiber.c) gets ASan's whole report and its exit code (67,
# sanitizers/asan.options), not a second fault inside the report.  TAP.
set -u
. "$(dirname "$0")/../sanitizers/env.sh"
md_sanitizer_env "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$1" 2>"$TMP/err"
rc=$?
echo "1..2"
if [ $rc -eq 67 ] && grep -q 'SUMMARY: AddressSanitizer: SEGV' "$TMP/err"; then
	echo "ok 1 - a wild call on a fiber: ASan's report to its summary, exit 67"
else
	echo "not ok 1 - a wild call on a fiber: exit $rc, no whole ASan report"
	tail -n 5 "$TMP/err" | sed 's/^/# /'
fi
if grep -q 'nested bug' "$TMP/err"; then
	echo "not ok 2 - the report faulted while unwinding the fiber stack (nested bug)"
else
	echo "ok 2 - no nested fault in the report"
fi
