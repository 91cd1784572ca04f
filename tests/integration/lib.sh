# Shared helpers for the integration tests. Source it from a test:
#
#   . "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
#   in_sandbox "$@"          # re-run this test inside tests/sandbox/guard-sandbox
#
# Every assertion prints what was expected and what came, then ends the test
# with status 1. `skip REASON` ends it with 77 (reported as SKIP by run).
# shellcheck shell=bash

set -euo pipefail

GUARD_SRC=${GUARD_SRC:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)}
SANDBOX=$GUARD_SRC/tests/sandbox/guard-sandbox

# Output and status of the last assert_exit / run_cmd.
OUT=""
ERR=""
STATUS=0

# Where an assertion was called from: "test_x.sh:42".
_where() {
	local i=1
	while [[ ${BASH_SOURCE[$i]:-} == "${BASH_SOURCE[0]}" ]]; do
		i=$((i + 1))
	done
	echo "$(basename -- "${BASH_SOURCE[$i]:-?}"):${BASH_LINENO[$((i - 1))]:-?}"
}

fail() {
	echo "FAIL at $(_where): $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# Prints one progress line of a test.
step() {
	echo "-- $*"
}

# Shows a value on several lines, indented, for failure messages.
_show() {
	if [[ -z $1 ]]; then
		echo "    (empty)"
	else
		printf '%s\n' "$1" | sed 's/^/    | /'
	fi
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	if [[ $1 != "$2" ]]; then
		echo "FAIL at $(_where): ${3:-values differ}" >&2
		echo "  expected:" >&2
		_show "$1" >&2
		echo "  got:" >&2
		_show "$2" >&2
		exit 1
	fi
}

# assert_ne UNEXPECTED ACTUAL [WHAT]
assert_ne() {
	if [[ $1 == "$2" ]]; then
		echo "FAIL at $(_where): ${3:-values are equal}" >&2
		echo "  expected anything but:" >&2
		_show "$1" >&2
		exit 1
	fi
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		echo "FAIL at $(_where): ${3:-text not found}" >&2
		echo "  expected to contain: $2" >&2
		echo "  got:" >&2
		_show "$1" >&2
		exit 1
	fi
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains() {
	if [[ $1 == *"$2"* ]]; then
		echo "FAIL at $(_where): ${3:-unexpected text found}" >&2
		echo "  expected not to contain: $2" >&2
		echo "  got:" >&2
		_show "$1" >&2
		exit 1
	fi
}

# run_cmd CMD [ARGS...]: runs CMD, keeps its stdout in OUT, stderr in ERR and
# exit status in STATUS; never fails by itself.
run_cmd() {
	local out_f err_f
	out_f=$(mktemp)
	err_f=$(mktemp)
	STATUS=0
	"$@" >"$out_f" 2>"$err_f" || STATUS=$?
	OUT=$(cat "$out_f")
	ERR=$(cat "$err_f")
	rm -f "$out_f" "$err_f"
}

# assert_exit CODE CMD [ARGS...]: runs CMD (as run_cmd) and checks its status.
assert_exit() {
	local want=$1
	shift
	run_cmd "$@"
	if [[ $STATUS != "$want" ]]; then
		echo "FAIL at $(_where): exit status of: $*" >&2
		echo "  expected: $want" >&2
		echo "  got:      $STATUS" >&2
		echo "  stdout:" >&2
		_show "$OUT" >&2
		echo "  stderr:" >&2
		_show "$ERR" >&2
		exit 1
	fi
}

require_root() {
	[[ $(id -u) -eq 0 ]] || skip "needs root"
}

# in_sandbox "$@": when not yet inside the sandbox, runs this test again
# inside it and ends with its status.
in_sandbox() {
	if [[ ${GUARD_SANDBOX:-} != 1 ]]; then
		require_root
		exec "$SANDBOX" bash "$(readlink -f -- "$0")" "$@"
	fi
}

# require_guardctl: the installed setuid guardctl of the sandbox, else skip.
require_guardctl() {
	[[ ${GUARD_SANDBOX:-} == 1 ]] || fail "require_guardctl outside the sandbox"
	[[ -x /usr/local/sbin/guardctl ]] || skip "build/guardctl is not built"
}

# as_login USER CMD [ARGS...]: CMD with USER's ids and groups, from a new
# login session of USER's (its own login uid: the kernel stamps it on the
# audit records CMD sends). A builtin's redirection sets this subshell's
# loginuid, not a child's.
as_login() {
	local u=$1
	shift
	(
		echo "$(id -u "$u")" >/proc/self/loginuid || exit 99
		exec setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
	)
}
