#!/bin/sh
# workflows.sh ROOT - the GitHub workflows and .clusterfuzzlite/ pass
# yamllint --strict (Debian's, with the project's .yamllint) and
# tests/workflows.py's checks of what GitHub and ClusterFuzzLite read
# (an interpreter with Debian's python3-yaml: ci/install-deps.sh).  TAP.
set -u
ROOT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
PY=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ] || ! command -v yamllint >/dev/null 2>&1; then
	echo "not ok 1 - yamllint and python3-yaml are missing: run ci/install-deps.sh"
	echo "1..1"
	exit 1
fi
cd "$ROOT" || exit 1
if out=$(yamllint --strict .github/workflows .clusterfuzzlite 2>&1); then
	echo "ok 1 - yamllint --strict: .github/workflows and .clusterfuzzlite"
	status=0
else
	echo "not ok 1 - yamllint --strict"
	printf '%s\n' "$out" | sed 's/^/# /'
	status=1
fi
# the checks, numbered after this one
out=$("$PY" "$HERE/workflows.py" "$ROOT")
rc=$?
printf '%s\n' "$out" | awk '/^1\.\./ { sub(/^1\.\./, ""); print "1.." $0 + 1; next }
	/^(not )?ok [0-9]+/ { n = ($1 == "ok") ? 2 : 3; $n = $n + 1 } { print }'
[ $rc -eq 0 ] && exit $status
exit 1
