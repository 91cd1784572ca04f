#!/bin/bash
# The attack tests of docs/threat-model.md: runs every tests/attack/*.sh inside one
# sandbox, one line per file, and fails when any case of any file fails.
# guardctl under ASan is built once for all of them.
# Bound: 3 x

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl

ATTACK_ASAN_DIR=$(mktemp -d /tmp/attack-asan.XXXXXX)
chmod 0755 "$ATTACK_ASAN_DIR"
export ATTACK_ASAN_DIR
trap 'rm -rf -- "$ATTACK_ASAN_DIR"' EXIT

failed=()
for t in "$GUARD_SRC"/tests/attack/*.sh; do
	name=$(basename -- "$t" .sh)
	start=$(date +%s)
	rc=0
	bash "$t" || rc=$?
	echo "---- $name: $([[ $rc -eq 0 ]] && echo PASS || echo "FAIL (exit $rc)") in $(($(date +%s) - start))s"
	[[ $rc -eq 0 ]] || failed+=("$name")
done
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "attack tests failed: ${failed[*]}"
	exit 1
fi
echo "attack tests: all passed"
