#!/bin/bash
# Golden policy tests, in the manner of sudo's testsudoers: a policy and
# requests in, the exact `guardctl explain` output compared with a file.
#
#   tests/policy/NAME.conf       a policy (installed as /etc/guard/golden/NAME.conf
#                                inside the sandbox, so that rule locations
#                                read /etc/guard/golden/NAME.conf:LINE)
#   tests/policy/NAME.requests   one request per line: explain's options and
#                                the command, quoted as in a shell, e.g.
#                                  --as alice --at "2026-11-30 10:02" --from 10.20.1.5 useradd -m bob
#                                Every request names --at and --from, so that
#                                no output depends on the clock, the host's
#                                time zone or the terminal; give --at in the
#                                policy's own timezone. Lines starting with #
#                                are comments, copied into the output; blank
#                                lines are skipped.
#   tests/policy/NAME.expected   for each request: "$ guardctl explain
#                                REQUEST", its standard output, its standard
#                                error as "stderr: " lines, "[exit N]".
#
# Each request runs as root inside the sandbox as
#   guardctl --config /etc/guard/golden/NAME.conf explain REQUEST </dev/null
# with the test accounts renumbered to fixed ids (alice 3001 ... erin 3005),
# so that "uid" values in the output do not depend on the host.
#
# A difference fails the test and shows the diff (- expected, + actual).
# To accept new output, review the diff, then rewrite the expected files:
#   GUARD_GOLDEN_UPDATE=1 tests/integration/run golden
# (or run this file directly) and read `git diff tests/policy` before
# committing: the expected files are the product's text, reviewed as such.
# GUARD_GOLDEN_ONLY=NAME limits the run to tests/policy/NAME.*.
# Then every safe path that names a guardctl command ("next: guardctl
# request ...") is run as printed, under its policy: a usage error fails.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

POLICY_DIR=$GUARD_SRC/tests/policy
INSTALL_DIR=/etc/guard/golden
readonly POLICY_DIR INSTALL_DIR

# Fixed ids for the sandbox's test accounts; each user's private group gets
# the user's id.
readonly PINNED_USERS=(alice:3001 bob:3002 carol:3003 dave:3004 erin:3005)
readonly PINNED_GROUPS=(helpdesk:3101 admins:3102 guard-approvers:3103 oncall:3104)

# ---------------------------------------------------------------------------
# On the host, in update mode: run inside the sandbox, which hands the new
# expected files back as a tar stream on fd 3 (the source tree is read-only
# inside), then unpack them into tests/policy.

if [[ ${GUARD_SANDBOX:-} != 1 && -n ${GUARD_GOLDEN_UPDATE:-} ]]; then
	require_root
	tarball=$(mktemp)
	trap 'rm -f -- "$tarball"' EXIT
	rc=0
	"$SANDBOX" bash "$(readlink -f -- "$0")" "$@" 3>"$tarball" || rc=$?
	if [[ $rc -eq 0 ]]; then
		tar -x --no-same-owner --no-same-permissions -f "$tarball" -C "$POLICY_DIR"
		# Owned like the directory, not by root when root ran the update.
		for f in $(tar -t -f "$tarball"); do
			chown --reference="$POLICY_DIR" -- "$POLICY_DIR/$f"
			chmod 0644 -- "$POLICY_DIR/$f"
		done
		echo "updated: $(tar -t -f "$tarball" | tr '\n' ' ')"
	fi
	exit "$rc"
fi

in_sandbox "$@"

# ---------------------------------------------------------------------------
# Inside the sandbox.

require_guardctl

# pin_id KIND NAME ID: gives the group or user NAME the id ID, unless another
# one holds it.
pin_id() {
	local kind=$1 name=$2 id=$3 holder
	holder=$(getent "$kind" "$id" | cut -d: -f1 || true)
	[[ -z $holder || $holder == "$name" ]] || fail "$kind id $id is taken by $holder"
	if [[ $kind == group ]]; then
		groupmod -g "$id" "$name"
	else
		# The sandbox's own /etc/passwd, edited in place of `usermod -u`,
		# which refuses while any process on the machine runs as that uid
		# (another sandbox's test user, say): only explain reads the ids.
		awk -F: -v OFS=: -v n="$name" -v id="$id" '$1 == n { $3 = id; $4 = id } 1' \
			/etc/passwd >/etc/passwd.golden && mv -f /etc/passwd.golden /etc/passwd &&
			chmod 0644 /etc/passwd
	fi
}

pin_test_ids() {
	local entry
	for entry in "${PINNED_GROUPS[@]}" "${PINNED_USERS[@]}"; do
		pin_id group "${entry%%:*}" "${entry#*:}"
	done
	for entry in "${PINNED_USERS[@]}"; do
		pin_id passwd "${entry%%:*}" "${entry#*:}"
	done
}

# run_requests NAME: prints the golden output of tests/policy/NAME.requests.
run_requests() {
	local name=$1 line n=0 rc out err
	local -a args
	local conf=$INSTALL_DIR/$name.conf
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		if [[ $line == '#'* ]]; then
			printf '%s\n' "$line"
			continue
		fi
		[[ -n ${line//[[:space:]]/} ]] || continue
		# The requests are the repository's own text, quoted as in a shell.
		eval "args=($line)" || fail "$name.requests:$n: cannot parse: $line"
		has_option "${args[@]}" --at || fail "$name.requests:$n: no --at (the output would depend on the clock)"
		has_option "${args[@]}" --from || fail "$name.requests:$n: no --from (the output would depend on the terminal)"
		out=$(mktemp)
		err=$(mktemp)
		rc=0
		guardctl --config "$conf" explain "${args[@]}" </dev/null >"$out" 2>"$err" || rc=$?
		printf '$ guardctl explain %s\n' "$line"
		cat -- "$out"
		sed 's/^/stderr: /' -- "$err"
		printf '[exit %s]\n\n' "$rc"
		rm -f -- "$out" "$err"
	done <"$POLICY_DIR/$name.requests"
}

# has_option ARGS... OPTION: explain's leading options include OPTION.
has_option() {
	local want=${!#} i
	for ((i = 1; i < $#; i++)); do
		case ${!i} in
		"$want") return 0 ;;
		--json) ;;
		--*) i=$((i + 1)) ;;
		*) return 1 ;;
		esac
	done
	return 1
}

# office.conf is the shipped policy with a fixed time zone: when
# conf/guard.conf changes, so must it (and its expected output).
shipped_rules() {
	sed -e '/^ *#/d' -e '/^$/d' -e 's/^\( *timezone *=\).*/\1/' -- "$1"
}
if [[ -z ${GUARD_GOLDEN_ONLY:-} || $GUARD_GOLDEN_ONLY == office ]]; then
	step "office.conf follows conf/guard.conf"
	diff -u --label conf/guard.conf --label tests/policy/office.conf \
		<(shipped_rules "$GUARD_SRC/conf/guard.conf") <(shipped_rules "$POLICY_DIR/office.conf") ||
		fail "tests/policy/office.conf differs from conf/guard.conf (beyond its header and timezone): copy it again, then review office.expected"
fi

step "pin the test accounts' ids"
pin_test_ids

install -d -m 0755 -o root -g root "$INSTALL_DIR"
actual=$(mktemp -d)
names=()
for conf in "$POLICY_DIR"/*.conf; do
	[[ -f $conf ]] || continue
	name=$(basename -- "$conf" .conf)
	[[ -z ${GUARD_GOLDEN_ONLY:-} || $name == "$GUARD_GOLDEN_ONLY" ]] || continue
	[[ -f $POLICY_DIR/$name.requests ]] || fail "$name.conf has no $name.requests"
	names+=("$name")
done
[[ ${#names[@]} -gt 0 ]] || fail "no golden policies in $POLICY_DIR"

failed=()
cases=0
for name in "${names[@]}"; do
	install -m 0644 -o root -g root "$POLICY_DIR/$name.conf" "$INSTALL_DIR/$name.conf"
	run_requests "$name" >"$actual/$name.expected"
	count=$(grep -c '^\$ guardctl explain ' "$actual/$name.expected" || true)
	cases=$((cases + count))
	if [[ -n ${GUARD_GOLDEN_UPDATE:-} ]]; then
		step "$name: $count requests (written)"
	elif [[ ! -f $POLICY_DIR/$name.expected ]]; then
		step "$name: no $name.expected (write it with GUARD_GOLDEN_UPDATE=1, then review it)"
		failed+=("$name")
	elif diff -u --label "$name.expected" --label "$name (actual)" \
		"$POLICY_DIR/$name.expected" "$actual/$name.expected"; then
		step "$name: $count requests match"
	else
		step "$name: differs from $name.expected (diff above)"
		failed+=("$name")
	fi
done

if [[ -n ${GUARD_GOLDEN_UPDATE:-} ]]; then
	{ true >&3; } 2>/dev/null || fail "GUARD_GOLDEN_UPDATE: run this test from the host, not inside the sandbox"
	tar -c -f - -C "$actual" "${names[@]/%/.expected}" >&3
fi
# Every safe path that names a guardctl command is one that runs as
# printed: run each (as root, under its policy) and accept any answer but
# a usage error.
safe_paths=0
for name in "${names[@]}"; do
	while IFS= read -r cmd; do
		[[ -n $cmd ]] || continue
		# The guidance quotes arguments as a shell would read them.
		eval "words=($cmd)" || fail "$name: a safe path that is not a command line: $cmd"
		rc=0
		out=$(guardctl --config "$INSTALL_DIR/$name.conf" "${words[@]:1}" 2>&1 </dev/null) || rc=$?
		[[ $rc -eq 0 || $rc -eq 1 ]] ||
			fail "$name: the safe path \"$cmd\" does not run as printed (exit $rc): $out"
		safe_paths=$((safe_paths + 1))
	done < <(sed -n -e 's/^  next: *\(guardctl [^,]*\).*/\1/p' \
		-e 's/^ *"safe_path":"\(guardctl [^,"]*\).*/\1/p' "$actual/$name.expected" | sort -u)
done
step "$safe_paths safe paths naming a guardctl command ran as printed"
rm -rf -- "$actual"
[[ ${#failed[@]} -eq 0 ]] || fail "golden output differs: ${failed[*]} (when the new text is right: GUARD_GOLDEN_UPDATE=1 tests/integration/run golden)"
step "$cases golden requests in ${#names[@]} policies"
