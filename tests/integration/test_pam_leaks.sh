#!/bin/bash
# pam_guard.so leaks nothing and leaves the host as it was over 1000
# pam_start/pam_acct_mgmt/pam_end cycles under valgrind (definite leaks and
# memory errors fail). GUARD_PAM_LEAK_CYCLES changes the count (the
# benchmark runs 10000).

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root

MODULE=$GUARD_SRC/build/pam_guard.so
HARNESS=$GUARD_SRC/build/tests/pam_harness
CYCLES=${GUARD_PAM_LEAK_CYCLES:-1000}
[[ -x $HARNESS && -f $MODULE ]] || skip "build/tests/pam_harness or build/pam_guard.so is not built"
[[ -x /usr/local/libexec/guard/guard-pam-helper ]] || skip "guard-pam-helper is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed"

step "valgrind: $CYCLES cycles, allowed and denied in turn"
run_cmd valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99 "$HARNESS" hygiene "$MODULE" "$CYCLES"
if [[ $STATUS -ne 0 ]]; then
	fail "valgrind or the harness failed (status $STATUS): $OUT $ERR"
fi
assert_contains "$OUT" "hygiene: 0 failures"
assert_eq "" "$ERR" "valgrind reports nothing"

# The decision service keeps the policy and the store between requests:
# the same cycles answered by guard-decided under valgrind, which must end
# (SIGTERM) with no memory error and no definite leak.
DECIDED=/usr/local/libexec/guard/guard-decided
[[ -x $DECIDED ]] || skip "guard-decided is not installed"
SERVICE_CYCLES=$((CYCLES / 5))
T=$(mktemp -d)
# shellcheck disable=SC2064 # expand now
trap "rm -rf -- '$T'" EXIT
step "valgrind: guard-decided answering $SERVICE_CYCLES cycles"
rm -rf /run/guard
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	"$DECIDED" 2>"$T/decided.valgrind" &
decided=$!
for _ in $(seq 200); do
	[[ -S /run/guard/decide.sock ]] && break
	sleep 0.05
done
[[ -S /run/guard/decide.sock ]] || fail "guard-decided did not start: $(cat "$T/decided.valgrind")"
run_cmd "$HARNESS" hygiene "$MODULE" "$SERVICE_CYCLES"
kill -TERM "$decided"
rc=0
wait "$decided" || rc=$?
assert_contains "$OUT" "hygiene: 0 failures"
assert_eq 0 "$rc" "guard-decided under valgrind: $(cat "$T/decided.valgrind")"
assert_eq "" "$(cat "$T/decided.valgrind")" "valgrind reports nothing about guard-decided"
