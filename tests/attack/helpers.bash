# Shared helpers of the attack tests. Source it from a tests/attack/*.sh:
#
#   . "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
#   attack_init "$@"              # enter the sandbox, scratch dir, policy
#   attack_case "A1 argc==0" case_argc0
#   ...
#   attack_done
#
# Each case runs in a subshell: an assertion that fails ends that case, the
# others still run, and attack_done exits 1 when any failed. A case that
# calls `skip REASON` is reported as skipped.
# shellcheck shell=bash

. "$(dirname -- "${BASH_SOURCE[0]}")/../integration/lib.sh"

ATTACK_DIR=$GUARD_SRC/tests/attack
GUARDCTL=/usr/local/sbin/guardctl
# A standard PATH for the runs that must not depend on the caller's.
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ATTACK_FAILED=()
ATTACK_SKIPPED=()
ATTACK_PASSED=0

# attack_init "$@": runs this file inside the sandbox, makes the scratch
# directory $T (root's, 0755: the test users may read and run what is in it,
# not change it) and installs the attack policy.
attack_init() {
	in_sandbox "$@"
	require_guardctl
	T=$(mktemp -d /tmp/attack.XXXXXX)
	chmod 0755 "$T"
	# shellcheck disable=SC2064 # expand now
	trap "rm -rf -- '$T'" EXIT
	install_policy
	# Each file starts from an empty store: files share one sandbox under
	# test_attack.sh, and one file's refusals must not lock out the next
	# file's users (a watch counts them).
	find /var/lib/guard -mindepth 1 -delete
}

# attack_case NAME FUNCTION [ARGS...]
attack_case() {
	local name=$1 rc=0
	shift
	echo "== $name"
	set +e
	(
		set -e
		"$@"
	)
	rc=$?
	set -e
	case $rc in
	0)
		ATTACK_PASSED=$((ATTACK_PASSED + 1))
		echo "ok   $name"
		;;
	77)
		ATTACK_SKIPPED+=("$name")
		echo "skip $name"
		;;
	*)
		ATTACK_FAILED+=("$name")
		echo "FAIL $name"
		;;
	esac
}

attack_done() {
	echo "$(basename -- "$0" .sh): ${ATTACK_PASSED} passed, ${#ATTACK_FAILED[@]} failed, ${#ATTACK_SKIPPED[@]} skipped"
	if [[ ${#ATTACK_FAILED[@]} -gt 0 ]]; then
		printf 'failed: %s\n' "${ATTACK_FAILED[@]}"
		exit 1
	fi
	exit 0
}

# ---------------------------------------------------------------------------
# Policy

# The policy the attack tests run against: helpdesk (alice) may create and
# change ordinary accounts at any time from anywhere, so that a request that
# is refused is refused because of what it smuggles, not for want of a rule.
attack_policy() {
	cat <<'EOF'
settings {
  mode      = enforce
  default   = deny
  audit     = off
  approvers = { "%guard-approvers" }
  timezone  = "system"
  home_roots = { "/home" }
}

privileged_groups = { "root", "sudo", "wheel", "adm", "shadow", "disk", "admins" }
protected_users   = { "root", "uid:0-999" }

rule "deny-protected" {
  actions  = { "user.delete", "user.modify", "user.password", "user.lock", "user.unlock" }
  targets  = { "@protected" }
  decision = deny
  message  = "System accounts are managed elsewhere."
}

rule "helpdesk" {
  actions  = { "user.create", "user.modify", "user.password", "user.lock", "user.unlock", "user.delete", "group.create", "group.modify", "group.member.add", "group.member.remove" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  groups   = { "!@privileged" }
  decision = allow
  message  = "Helpdesk manages ordinary accounts."
}

rule "escalation" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}

command "useradd"  { path = "/usr/sbin/useradd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "userdel"  { path = "/usr/sbin/userdel" }
command "groupadd" { path = "/usr/sbin/groupadd" }
command "groupmod" { path = "/usr/sbin/groupmod" }
command "groupdel" { path = "/usr/sbin/groupdel" }
command "gpasswd"  { path = "/usr/bin/gpasswd" }
command "passwd"   { path = "/usr/bin/passwd" }
command "chage"    { path = "/usr/bin/chage" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
command "newusers" { path = "/usr/sbin/newusers" }
EOF
}

# install_policy [FILE]: a clean /etc/guard with FILE (default: the attack
# policy) as guard.conf, root's, 0644, and an empty guard.d.
install_policy() {
	rm -rf /etc/guard
	install -d -m 0755 -o root -g root /etc/guard /etc/guard/guard.d
	if [[ $# -gt 0 ]]; then
		install -m 0644 -o root -g root "$1" /etc/guard/guard.conf
	else
		attack_policy >/etc/guard/guard.conf
		chmod 0644 /etc/guard/guard.conf
	fi
}

# ---------------------------------------------------------------------------
# Running guardctl

# as_user USER CMD [ARGS...]: runs CMD with USER's real, effective and saved
# ids and groups, keeping the environment as it is.
as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# as_alice_clean CMD...: as alice, with only a standard PATH in the
# environment: the reference run the hostile ones are compared with.
as_alice_clean() {
	env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- "$@"
}

# without_clock TEXT: TEXT with the date and time explain prints (its
# `time:` line, or the "time" member of --json) replaced by WHEN, the zone
# and offset kept, so that two runs a second apart compare equal.
without_clock() {
	sed -e 's/^\(time: *\)[A-Z][a-z][a-z] [0-9-]* [0-9:]* /\1WHEN /' \
		-e 's/^\( *"time": *"\)[0-9]\{4\}-[0-9-]*T[0-9:]*/\1WHEN/' <<<"$1"
}

# assert_clean_exit [ALLOWED...]: the last run_cmd ended by exit with one
# of the ALLOWED statuses (default 0 1 2), not by a signal, and no sanitizer
# spoke.
assert_clean_exit() {
	local allowed=("$@") s
	[[ ${#allowed[@]} -gt 0 ]] || allowed=(0 1 2)
	for s in "${allowed[@]}"; do
		if [[ $STATUS == "$s" ]]; then
			assert_not_contains "$ERR" "Sanitizer" "sanitizer report"
			assert_not_contains "$ERR" "runtime error:" "undefined behaviour report"
			return 0
		fi
	done
	fail "exit status $STATUS, expected one of: ${allowed[*]}$([[ $STATUS -gt 128 ]] && echo " (signal $((STATUS - 128)))")
  stderr: $(printf '%s' "$ERR" | head -c 2000)"
}

# assert_not_allowed WHAT: the last explain did not allow (exit 1: denied,
# refused or approval needed; never 0).
assert_not_allowed() {
	if [[ $STATUS == 0 ]]; then
		fail "$1: allowed, expected a refusal or a decision other than allow
  stdout: $OUT"
	fi
	assert_clean_exit 1
}

# assert_no_raw_controls TEXT WHAT: TEXT holds no byte a terminal acts on
# but newline and tab: no C0 control, DEL, or UTF-8-encoded C1 control.
assert_no_raw_controls() {
	local bad
	bad=$(printf '%s' "$1" | LC_ALL=C tr -d '\n\t' | LC_ALL=C grep -c -P '[\x00-\x1f\x7f]|\xc2[\x80-\x9f]' || true)
	if [[ $bad != 0 ]]; then
		fail "$2: raw control bytes reach the terminal:
$(printf '%s' "$1" | od -c | head -n 12)"
	fi
}

# ---------------------------------------------------------------------------
# Helper programs

# build_helper NAME: compiles tests/attack/NAME.c into $T/NAME (once).
build_helper() {
	local name=$1
	[[ -x $T/$name ]] && return 0
	cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$T/$name" "$ATTACK_DIR/$name.c" ||
		fail "cannot compile tests/attack/$name.c"
}

# build_asan: guardctl built from the source tree under AddressSanitizer and
# UndefinedBehaviorSanitizer, not setuid, for root to run with --config:
# $ASAN_GUARDCTL; and $ASAN_MAIN_ARGC0, tests/attack/main_argc0.c linked
# with guardctl's main() renamed. Uses build/asan/libguard.a when make says
# it is up to date, else builds one in the scratch directory. ATTACK_ASAN_DIR
# (from test_attack.sh) shares one build between the files.
build_asan() {
	local dir=${ATTACK_ASAN_DIR:-$T/asan}
	ASAN_GUARDCTL=$dir/guardctl
	ASAN_MAIN_ARGC0=$dir/main_argc0
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
	[[ -x $ASAN_GUARDCTL && -x $ASAN_MAIN_ARGC0 ]] && return 0
	mkdir -p "$dir/obj"
	local lib=$GUARD_SRC/build/asan/libguard.a
	if [[ ! -f $lib ]] || ! make -q -C "$GUARD_SRC" build/asan/libguard.a >/dev/null 2>&1; then
		make -s -C "$GUARD_SRC" -j"$(nproc)" B="$dir/b" "$dir/b/asan/libguard.a" >/dev/null ||
			fail "cannot build libguard under ASan"
		lib=$dir/b/asan/libguard.a
	fi
	local flags=(-std=gnu11 -D_GNU_SOURCE -O1 -g -fsanitize=address,undefined
		-fno-omit-frame-pointer -fno-sanitize-recover=all -I"$GUARD_SRC/libguard"
		-DGUARD_VERSION='"attack"' -DGUARDCTL_FRONT='"/usr/local/sbin/guardctl"'
		-DGUARDCTL_PROGRAM='"/usr/local/libexec/guard/guardctl"')
	local cf libs objs=() src
	cf=$(make_var PKG_CFLAGS)
	libs=$(make_var PKG_LIBS)
	for src in "$GUARD_SRC"/guardctl/*.c; do
		[[ $(basename -- "$src") == main.c ]] && continue
		# shellcheck disable=SC2086 # word splitting of pkg-config's flags
		cc "${flags[@]}" $cf -c -o "$dir/obj/$(basename -- "$src" .c).o" "$src" ||
			fail "cannot compile $src under ASan"
		objs+=("$dir/obj/$(basename -- "$src" .c).o")
	done
	# shellcheck disable=SC2086
	cc "${flags[@]}" $cf -c -o "$dir/obj/main.o" "$GUARD_SRC/guardctl/main.c" &&
		cc "${flags[@]}" $cf -Dmain=guardctl_main -c -o "$dir/obj/main_as_fn.o" \
			"$GUARD_SRC/guardctl/main.c" &&
		cc "${flags[@]}" -c -o "$dir/obj/main_argc0.o" "$ATTACK_DIR/main_argc0.c" &&
		cc "${flags[@]}" -o "$ASAN_GUARDCTL" "$dir/obj/main.o" "${objs[@]}" "$lib" $libs &&
		cc "${flags[@]}" -o "$ASAN_MAIN_ARGC0" "$dir/obj/main_argc0.o" "$dir/obj/main_as_fn.o" \
			"${objs[@]}" "$lib" $libs ||
		fail "cannot link guardctl under ASan"
	chmod -R a+rX "$dir"
}

# make_var NAME: the value of the Makefile's variable NAME.
make_var() {
	make -s --no-print-directory -C "$GUARD_SRC" -f Makefile -f - attack-print-var VAR="$1" <<'EOF'
attack-print-var: ; @echo $($(VAR))
EOF
}

# A string of N copies of the character C.
repeat() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}
