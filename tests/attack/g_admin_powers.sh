#!/bin/bash
# Guard's own administration: who may freeze, thaw, lift a lockout, read
# everyone's history, status and requests. Through the installed setuid
# guardctl in the sandbox (private /var/lib/guard), as the sandbox's users:
# alice (helpdesk), bob (admins: a rule's approver only), carol
# (guard-approvers: the settings' approvers, so the admins when the policy
# names none), dave (no role), erin (oncall: break-glass).
#
#   G4 admin powers ......... case_rule_approver_freeze, _thaw, _unlock,
#                             _history, _list_all: a rule's approver (bob) is
#                             not an admin: refused, the state unchanged;
#                             case_admins_list: with `admins` set, the
#                             settings' approvers are not admins either;
#                             case_self_unlock: a locked-out admin does not
#                             lift his own lockout (root does);
#                             case_root_freeze_thaw, _replace: an admin
#                             neither thaws root's freeze nor swaps it for
#                             his own 366-day one; case_watch_rearms: after
#                             an unlock the watch counts the denials after it
#                             and locks out again at its threshold.
#                             Controls: case_admin_unlocks_other (an admin
#                             named in `admins` unlocks someone else),
#                             case_root_thaws, case_admin_own_freeze (an
#                             admin freezes, replaces and thaws his own
#                             freeze, and another admin's)
#   G5 status ............... case_status_others: an ordinary user's status
#                             shows the freeze and their own lockout and
#                             break-glass, never anyone else's or its
#                             reason; root and admins see all

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

G=$GUARDCTL
DB=/var/lib/guard/guard.db

# admin_policy [ADMINS]: carol approves by the settings, bob by a rule's
# own approvers; with ADMINS, an `admins = { ADMINS }` line.
admin_policy() {
	local admins=""
	[[ -z ${1:-} ]] || admins="admins      = { $1 }"
	cat <<EOF
settings {
  audit       = off
  journal     = no
  timezone    = "UTC"
  approvers   = { "%guard-approvers" }
  break_glass = { "%oncall" }
  $admins
}
protected_users = { "root", "uid:0-999" }
rule "deny-protected" {
  actions  = { "user.delete", "user.lock" }
  targets  = { "@protected" }
  decision = deny
}
rule "helpdesk-delete" {
  actions  = { "user.delete" }
  actors   = { "%helpdesk" }
  decision = approve
}
rule "escalation" {
  actions   = { "role.escalate" }
  actors    = { "%admins" }
  decision  = approve
  approvers = { "%admins" }
}
watch "denial-burst" {
  decisions = { "deny" }
  threshold = "3/10m"
  lockout   = 30m
}
command "userdel" { path = "/usr/sbin/userdel" }
command "usermod" { path = "/usr/sbin/usermod" }
EOF
}

# fresh [ADMINS]: the policy above and no store yet.
fresh() {
	admin_policy "${1:-}" >"$T/policy.conf"
	install_policy "$T/policy.conf"
	rm -f -- "$DB" "$DB-wal" "$DB-shm"
}

# status_as USER: that user's `guardctl status` in OUT (root: "root").
status_as() {
	if [[ $1 == root ]]; then
		assert_exit 0 "$G" status
	else
		assert_exit 0 as_user "$1" "$G" status
	fi
}

# lock_out USER: three refusals in a row; the watch locks USER out.
lock_out() {
	local i
	for i in 1 2 3; do
		assert_exit 1 as_user "$1" "$G" request userdel root
	done
	status_as root
	assert_contains "$OUT" "locked out: $1 by watch denial-burst" "$1's lockout"
}

case_rule_approver_freeze() {
	fresh
	assert_exit 1 as_user bob "$G" freeze --reason "bob's freeze"
	assert_contains "$ERR" "only root or an admin"
	status_as root
	assert_contains "$OUT" "not frozen"
}

case_rule_approver_thaw() {
	fresh
	assert_exit 0 "$G" freeze --reason "root's freeze"
	assert_exit 1 as_user bob "$G" thaw
	assert_contains "$ERR" "only root or an admin"
	status_as root
	assert_contains "$OUT" "frozen by root"
}

case_rule_approver_unlock() {
	fresh
	lock_out dave
	assert_exit 1 as_user bob "$G" unlock dave
	assert_contains "$ERR" "only root or an admin"
	status_as root
	assert_contains "$OUT" "locked out: dave"
}

case_rule_approver_history() {
	fresh
	assert_exit 1 as_user dave "$G" request userdel root
	assert_exit 1 as_user bob "$G" history --actor dave
	assert_contains "$ERR" "only root and admins"
	assert_exit 0 as_user bob "$G" history
	assert_not_contains "$OUT" "dave" "bob's own history shows dave's decisions"
	step "control: carol (an admin by default) reads dave's history"
	assert_exit 0 as_user carol "$G" history --actor dave
	assert_contains "$OUT" "dave"
}

case_rule_approver_list_all() {
	fresh
	assert_exit 0 as_user alice "$G" request --reason "offboarding" userdel gleaver
	assert_exit 0 as_user carol "$G" deny 1 --comment "not today"
	assert_exit 0 as_user bob "$G" list --all
	assert_not_contains "$OUT" "alice" "bob lists alice's decided request"
	step "control: carol (an admin by default) lists it, alice her own"
	assert_exit 0 as_user carol "$G" list --all
	assert_contains "$OUT" "alice"
	assert_exit 0 as_user alice "$G" list --all
	assert_contains "$OUT" "denied"
}

case_admins_list() {
	fresh '"%admins"'
	assert_exit 1 as_user carol "$G" freeze --reason "carol's freeze"
	assert_contains "$ERR" "only root or an admin"
	assert_exit 0 as_user bob "$G" freeze --reason "bob's freeze"
	assert_exit 0 as_user bob "$G" thaw
}

case_self_unlock() {
	fresh
	lock_out carol
	assert_exit 1 as_user carol "$G" unlock carol
	assert_contains "$ERR" "nobody lifts their own lockout"
	status_as root
	assert_contains "$OUT" "locked out: carol"
	step "control: root lifts it"
	assert_exit 0 "$G" unlock carol
	status_as root
	assert_contains "$OUT" "no lockouts"
}

case_root_freeze_thaw() {
	fresh
	assert_exit 0 "$G" freeze --reason "root's incident"
	assert_exit 1 as_user carol "$G" thaw
	assert_contains "$ERR" "frozen by root: only root may thaw or replace"
	status_as root
	assert_contains "$OUT" "frozen by root"
	assert_contains "$OUT" "root's incident"
}

case_root_freeze_replace() {
	fresh
	assert_exit 0 "$G" freeze --reason "root's incident"
	assert_exit 1 as_user carol "$G" freeze --reason "carol's" --for 366d
	assert_contains "$ERR" "frozen by root: only root may thaw or replace"
	status_as root
	assert_contains "$OUT" "frozen by root"
	assert_contains "$OUT" "until thawed: root's incident"
}

case_watch_rearms() {
	fresh
	lock_out dave
	assert_exit 0 as_user carol "$G" unlock dave
	# The store counts in whole seconds: what shares the unlock's second
	# may have come before it.
	sleep 1
	step "two denials after the unlock: below the threshold"
	assert_exit 1 as_user dave "$G" request userdel root
	assert_exit 1 as_user dave "$G" request userdel root
	status_as root
	assert_contains "$OUT" "no lockouts" "the denials before the unlock counted again"
	step "the third: locked out again"
	assert_exit 1 as_user dave "$G" request userdel root
	status_as root
	assert_contains "$OUT" "locked out: dave by watch denial-burst"
	assert_exit 1 as_user dave "$G" request userdel gleaver
	assert_contains "$ERR" "locked out by watch denial-burst"
}

case_status_others() {
	fresh
	assert_exit 0 as_user erin "$G" break-glass --reason "erin-reason-42"
	lock_out alice
	assert_exit 0 "$G" freeze --reason "change window"
	status_as dave
	assert_contains "$OUT" "frozen by root"
	assert_contains "$OUT" "change window"
	assert_not_contains "$OUT" "erin" "dave sees erin's break-glass"
	assert_not_contains "$OUT" "alice" "dave sees alice's lockout"
	step "control: alice and erin see their own; carol (admin) and root see all"
	status_as alice
	assert_contains "$OUT" "locked out: alice"
	assert_not_contains "$OUT" "erin-reason-42"
	status_as erin
	assert_contains "$OUT" "break-glass: erin"
	assert_contains "$OUT" "erin-reason-42"
	assert_not_contains "$OUT" "alice"
	for who in carol root; do
		status_as "$who"
		assert_contains "$OUT" "erin-reason-42"
		assert_contains "$OUT" "locked out: alice"
	done
}

case_admin_unlocks_other() {
	fresh '"%admins"'
	lock_out dave
	assert_exit 0 as_user bob "$G" unlock dave
	assert_contains "$OUT" "lockout of dave lifted"
	status_as root
	assert_contains "$OUT" "no lockouts"
}

case_root_thaws() {
	fresh
	assert_exit 0 "$G" freeze --reason "root's"
	assert_exit 0 "$G" thaw
	assert_exit 0 as_user carol "$G" freeze --reason "carol's"
	assert_exit 0 "$G" freeze --reason "root's again" --for 1h
	assert_exit 0 "$G" thaw
	status_as root
	assert_contains "$OUT" "not frozen"
}

case_admin_own_freeze() {
	fresh '"bob", "carol"'
	assert_exit 0 as_user carol "$G" freeze --reason "carol's"
	assert_exit 0 as_user carol "$G" freeze --reason "carol's, longer" --for 2h
	assert_exit 0 as_user carol "$G" thaw
	status_as root
	assert_contains "$OUT" "not frozen"
	step "admins thaw each other's"
	assert_exit 0 as_user bob "$G" freeze --reason "bob's"
	assert_exit 0 as_user carol "$G" thaw
	status_as root
	assert_contains "$OUT" "not frozen"
}

id gleaver >/dev/null 2>&1 || useradd -M gleaver

attack_case "G7 a rule's approver does not freeze" case_rule_approver_freeze
attack_case "G7 a rule's approver does not thaw" case_rule_approver_thaw
attack_case "G7 a rule's approver lifts no lockout" case_rule_approver_unlock
attack_case "G7 a rule's approver reads no one else's history" case_rule_approver_history
attack_case "G7 a rule's approver lists no one else's decided requests" case_rule_approver_list_all
attack_case "G7 admins set: the settings' approvers are not admins" case_admins_list
attack_case "G7 a locked-out admin does not lift his own lockout" case_self_unlock
attack_case "G7 an admin does not thaw root's freeze" case_root_freeze_thaw
attack_case "G7 an admin does not replace root's freeze" case_root_freeze_replace
attack_case "G7 a watch fires again after an unlock" case_watch_rearms
attack_case "G8 status shows others' lockouts and break-glass to admins only" case_status_others
attack_case "G7 control: an admin in admins unlocks someone else" case_admin_unlocks_other
attack_case "G7 control: root thaws any freeze" case_root_thaws
attack_case "G7 control: an admin freezes, replaces and thaws his own freeze" case_admin_own_freeze
attack_done
