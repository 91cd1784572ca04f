#!/bin/bash
# docs/threat-model.md B23 with the real setuid guardctl: the account database fails
# (EIO, ENOMEM) while guardctl asks who calls, in which groups, and about
# the target. Every such failure refuses (exit 1 or 2, a message that says
# the look-up failed), is never read as "no such user" nor as root, and
# never allows. Runs inside the sandbox.
#
# The failures come from tests/attack/nss_fail.c, an NSS module that a
# control file steers, bind-mounted over an installed module that the
# sandbox does not use (hesiod) and named first for passwd and group in a
# copy of nsswitch.conf, also bind-mounted: each run under fault_run gets a
# mount namespace of its own, so both mounts end with the run and neither
# the sandbox nor the host ever sees them.
#
#   B23 identity failure ... case_caller_fails (getpwuid: EIO, ENOMEM),
#                            case_caller_later (the second look-up fails),
#                            case_caller_groups (getgrgid, initgroups),
#                            case_target (getpwnam), case_target_group
#                            (getgrnam), case_group_list_deny (initgroups
#                            under deny rules and "!%group")
#   A uid with no passwd entry at all: b_identity.sh.

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

FAULTS=$T/nss-fault
# A program run by fault_run, as alice (a function cannot be exec'd).
AS_ALICE=(setpriv --reuid=alice --regid=alice --init-groups --)
NSS_MODULE=""

# The module built, the nsswitch.conf that names it, and the script that
# mounts both in a new mount namespace: once, before the cases.
nss_setup() {
	step "setup: the failing NSS module, in a mount namespace of its own per run"
	# Only ever inside the sandbox's own mount namespace, never the host's.
	[[ ${GUARD_SANDBOX:-} == 1 ]] || fail "not in the sandbox"
	[[ ! /proc/self/ns/mnt -ef /proc/1/ns/mnt ]] || fail "in the host's mount namespace"
	[[ -n $(findmnt -n --mountpoint /etc) ]] || fail "/etc is not the sandbox's copy"
	# awk reads to the end: leaving early would kill ldconfig with SIGPIPE,
	# a failure under pipefail.
	NSS_MODULE=$(ldconfig -p | awk '$1 == "libnss_hesiod.so.2" && !found { print $NF; found = 1 }')
	[[ -n $NSS_MODULE ]] || skip "no libnss_hesiod.so.2 to stand in for"
	NSS_MODULE=$(readlink -f -- "$NSS_MODULE")
	grep -Eq '^(passwd|group):.*hesiod' /etc/nsswitch.conf && skip "this system uses hesiod"
	cc -std=gnu11 -shared -fPIC -O2 -Wall -Wextra -Werror -DNSS_SERVICE=hesiod \
		-DFAULT_FILE="\"$FAULTS\"" -o "$T/nss_fail.so" "$ATTACK_DIR/nss_fail.c" ||
		fail "cannot compile tests/attack/nss_fail.c"
	chmod 0644 "$T/nss_fail.so"
	# UNAVAIL and TRYAGAIN end the look-up; NOTFOUND (no fault) goes on.
	sed -E 's/^(passwd|group):.*/\1: hesiod [UNAVAIL=return TRYAGAIN=return] files/' \
		/etc/nsswitch.conf >"$T/nsswitch.conf"
	grep -q '^passwd: hesiod' "$T/nsswitch.conf" || fail "no passwd line in nsswitch.conf"
	grep -q '^group: hesiod' "$T/nsswitch.conf" || fail "no group line in nsswitch.conf"
	cat >"$T/nss-enter" <<EOF
#!/bin/bash
set -e
mount --bind "$T/nss_fail.so" "$NSS_MODULE"
mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf
exec "\$@"
EOF
	chmod 0755 "$T/nss-enter"
	: >"$FAULTS"

	local uid
	uid=$(id -u alice)
	step "the module answers: no fault, then alice's entry failing"
	run_cmd fault_run "" getent passwd "$uid"
	assert_eq 0 "$STATUS" "getent passwd $uid with no fault: $ERR"
	run_cmd fault_run "getpwuid $uid unavail EIO" getent passwd "$uid"
	assert_ne 0 "$STATUS" "getent passwd $uid with its look-up failing: the module is not used"
	run_cmd fault_run "getpwuid $uid unavail EIO" getent passwd root
	assert_eq 0 "$STATUS" "getent passwd root with alice's look-up failing"
	step "the reference: with no fault, alice's requests are allowed"
	run_cmd fault_run "" "${AS_ALICE[@]}" "$GUARDCTL" explain useradd -m b23ref
	assert_eq 0 "$STATUS" "reference explain: $OUT $ERR"
	run_cmd fault_run "" "${AS_ALICE[@]}" "$GUARDCTL" explain useradd -m -G oncall b23ref
	assert_eq 0 "$STATUS" "reference explain with -G oncall: $OUT $ERR"
	run_cmd fault_run "" "${AS_ALICE[@]}" "$GUARDCTL" explain usermod -c x dave
	assert_eq 0 "$STATUS" "reference explain on dave: $OUT $ERR"
	[[ -z $(findmnt -n --mountpoint "$NSS_MODULE") ]] || fail "the module's mount outlived its run"
}

# fault_run SPEC CMD...: CMD (run by root: $AS_ALICE for alice) with the
# faults in SPEC (lines of nss_fail.c's control file), in a new mount
# namespace with the module and nsswitch.conf in place.
fault_run() {
	printf '%s\n' "$1" >"$FAULTS"
	shift
	unshare --mount --propagation private -- "$T/nss-enter" "$@"
}

# refused WANT: the last run_cmd refused, cleanly, with a message that
# contains WANT (when not empty); it neither allowed nor took the caller
# for root.
refused() {
	local want=$1
	assert_clean_exit 1 2
	if [[ -n $want ]]; then
		assert_contains "$ERR" "$want" "the refusal names the failed look-up"
	fi
	assert_not_contains "$OUT" "decision: allow" "a decision to allow"
	assert_not_contains "$OUT$ERR" "(uid 0)" "the caller taken for root"
	assert_not_contains "$OUT$ERR" "actor:    root" "the caller taken for root"
}

# fault_requests SPEC WANT CHECK_WANT NAME [OPTION...]: as alice, under
# SPEC, `explain useradd -m OPTION... NAME` and the guarded useradd refuse
# saying WANT, and NAME is not created; `check` says CHECK_WANT (empty:
# check decides nothing here and must only exit cleanly).
fault_requests() {
	local spec=$1 want=$2 check_want=$3 name=$4
	shift 4
	step "$spec: guardctl explain useradd -m $name $*"
	run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" explain useradd -m "$@" "$name"
	refused "$want"
	step "$spec: guardctl useradd -m $name $*"
	run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" useradd -m "$@" "$name"
	refused "$want"
	if getent passwd "$name" >/dev/null; then
		fail "$name was created with its look-up failing"
	fi
	step "$spec: guardctl check"
	run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" check
	if [[ -n $check_want ]]; then
		assert_clean_exit 2
		assert_contains "$ERR" "$check_want"
		assert_not_contains "$OUT" "OK" "check passed for a caller it cannot identify"
	else
		assert_clean_exit 0 1 2
	fi
}

# The caller's own passwd entry: EIO (UNAVAIL) and ENOMEM (TRYAGAIN, the
# errno that is not ERANGE, so no bigger buffer helps).
case_caller_fails() {
	local uid spec
	uid=$(id -u alice)
	for spec in "getpwuid $uid unavail EIO" "getpwuid $uid tryagain ENOMEM"; do
		fault_requests "$spec" "cannot identify the calling user (uid $uid)" \
			"cannot identify the calling user" b23caller
	done
}

# The first look-up of the caller answers, a later one (the request's
# actor) fails: the refusal comes from that one.
case_caller_later() {
	local uid spec
	uid=$(id -u alice)
	for spec in "getpwuid $uid unavail EIO 1" "getpwuid $uid tryagain ENOMEM 1"; do
		fault_requests "$spec" "cannot look up the calling user \"alice\"" "" b23later
	done
}

# The caller's groups. A gid whose name cannot be looked up is not
# silently dropped from the list (alice would merely lose %helpdesk here;
# a rule that denies a group would lose its member). A failing group list:
# glibc's getgrouplist() hides the failure and returns the primary group
# alone; guardctl looks the groups the policy names up by name, so alice
# is still in %helpdesk and the decision is the one without the fault.
case_caller_groups() {
	local gid spec
	gid=$(getent group helpdesk | cut -d: -f3)
	for spec in "getgrgid $gid unavail EIO" "getgrgid $gid tryagain ENOMEM"; do
		fault_requests "$spec" "cannot look up the calling user \"alice\"" "" b23groups
	done
	for spec in "initgroups alice unavail EIO" "initgroups alice tryagain ENOMEM"; do
		step "$spec: guardctl explain useradd -m b23list"
		run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" explain useradd -m b23list
		assert_clean_exit 0
		assert_contains "$(grep '^actor:' <<<"$OUT")" "%helpdesk" "alice's groups"
	done
}

# The target: a new name whose look-up fails is not "no such user" (a
# useradd allowed), an existing one not a stranger (protections by uid
# lost).
case_target() {
	local spec
	for spec in "getpwnam b23target unavail EIO" "getpwnam b23target tryagain ENOMEM"; do
		fault_requests "$spec" "cannot look up user 'b23target'" "" b23target
	done
	local user
	for spec in "daemon unavail EIO" "dave tryagain ENOMEM"; do
		read -r user _ <<<"$spec"
		step "getpwnam $spec: guardctl explain usermod -c x $user"
		run_cmd fault_run "getpwnam $spec" "${AS_ALICE[@]}" "$GUARDCTL" explain usermod -c x "$user"
		refused "cannot look up user"
	done
}

# A group named in the command: a failing look-up is not an unknown,
# unprivileged group.
case_target_group() {
	local spec
	for spec in "getgrnam oncall unavail EIO" "getgrnam oncall tryagain ENOMEM"; do
		fault_requests "$spec" "cannot look up group 'oncall'" "" b23tgroup -G oncall
	done
}

# A failing group list under a policy that names groups in deny rules and
# in a negation: glibc's getgrouplist() returns the primary group alone and
# says nothing, so guardctl looks each group the policy names up by name
# (where a failure is an error): erin (oncall) is still denied, "!%oncall"
# still excludes her, bob (admins) is still a protected target, and a
# failing look-up of such a group refuses.
case_group_list_deny() {
	local policy=$T/groups.conf spec
	cat >"$policy" <<'EOF'
settings {
  audit   = off
  journal = no
}
rule "no-oncall" {
  actions  = { "user.create" }
  actors   = { "%oncall" }
  decision = deny
}
rule "no-admin-targets" {
  actions  = { "user.modify" }
  targets  = { "%admins" }
  decision = deny
}
rule "anyone-but-oncall" {
  actions  = { "user.create", "user.modify" }
  actors   = { "!%oncall" }
  decision = allow
}
EOF
	install_policy "$policy"
	for spec in "" "initgroups erin unavail EIO" "initgroups erin tryagain ENOMEM"; do
		step "[$spec] erin (oncall): useradd is denied by no-oncall"
		run_cmd fault_run "$spec" setpriv --reuid=erin --regid=erin --init-groups -- \
			"$GUARDCTL" explain useradd -m b23erin
		assert_clean_exit 1
		assert_contains "$OUT" '"no-oncall"' "the deny rule on %oncall decides"
		step "[$spec] erin (oncall): usermod is not allowed through !%oncall"
		run_cmd fault_run "$spec" setpriv --reuid=erin --regid=erin --init-groups -- \
			"$GUARDCTL" explain usermod -c x dave
		assert_not_allowed "erin's usermod through !%oncall"
	done
	for spec in "" "initgroups bob unavail EIO"; do
		step "[$spec] alice: usermod of bob (admins) is denied by no-admin-targets"
		run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" explain usermod -c x bob
		assert_clean_exit 1
		assert_contains "$OUT" '"no-admin-targets"' "the deny rule on %admins targets decides"
	done
	for spec in "getgrnam oncall unavail EIO" "getgrnam admins tryagain ENOMEM"; do
		step "[$spec] a group the policy names cannot be looked up: refused"
		run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" explain usermod -c x bob
		refused "cannot look up"
		run_cmd fault_run "$spec" "${AS_ALICE[@]}" "$GUARDCTL" usermod -c x bob
		refused "cannot look up"
	done
	install_policy
}

nss_setup
attack_case "B23 identity lookup failure: the caller's passwd entry (EIO, ENOMEM)" case_caller_fails
attack_case "B23 identity lookup failure: a later look-up of the caller" case_caller_later
attack_case "B23 identity lookup failure: the caller's groups" case_caller_groups
attack_case "B23 identity lookup failure: the target user" case_target
attack_case "B23 identity lookup failure: a group in the command" case_target_group
attack_case "B23 identity lookup failure: a failing group list never skips a group rule" case_group_list_deny
[[ -z $(findmnt -n --mountpoint "$NSS_MODULE") ]] || fail "the module's mount outlived its run"
[[ -z $(findmnt -n --mountpoint /etc/nsswitch.conf) ]] || fail "nsswitch.conf's mount outlived its run"
attack_done
