#!/bin/bash
# The state subcommands through the installed setuid guardctl, in the
# sandbox (private /var/lib/guard): request, list, approve, deny and run ID
# with the approver rules; freeze, thaw and status; break-glass; watches,
# lockouts and unlock; history and who sees what. (A hostile store:
# tests/attack/e_store.sh, E38.)

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl

G=/usr/local/sbin/guardctl
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  audit        = off
  journal      = no
  timezone     = "UTC"
  approvers    = { "%guard-approvers" }
  break_glass  = { "%oncall" }
  approval_ttl = 30m
}
rule "deny-protected" {
  actions  = { "user.delete", "user.lock" }
  targets  = { "@protected" }
  decision = deny
}
rule "helpdesk-create" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  limit    = "3/1h"
  decision = allow
}
rule "delete-with-approval" {
  actions  = { "user.delete" }
  actors   = { "%admins", "%guard-approvers" }
  decision = approve
}
watch "denial-burst" {
  decisions = { "deny" }
  threshold = "3/10m"
  lockout   = 30m
}
POLICY
chmod 0644 /etc/guard/guard.conf
useradd -M leaver1
useradd -M leaver2
useradd -M leaver3

step "a request is filed once, with its id and the approver's command"
assert_exit 0 as bob "$G" request --reason "offboarding" userdel leaver1
assert_eq 1 "$OUT" "request id"
assert_contains "$ERR" "request 1 filed: needs 1 approval"
assert_contains "$ERR" "guardctl approve 1"
assert_exit 0 as bob "$G" request --reason "offboarding" userdel leaver1
assert_eq 1 "$OUT" "the identical pending request is reused"
assert_contains "$ERR" "request 1 is pending"
assert_eq "600 root" "$(stat -c '%a %U' /var/lib/guard/guard.db)" "store file"
assert_eq "700 root" "$(stat -c '%a %U' /var/lib/guard)" "store directory"

step "list: the requester and approvers see it, others do not"
assert_exit 0 as bob "$G" list
assert_contains "$OUT" "pending   bob"
assert_contains "$OUT" "userdel leaver1"
assert_contains "$OUT" "reason: offboarding"
assert_exit 0 as dave "$G" list
assert_eq "no pending requests" "$OUT"
assert_exit 0 as carol "$G" list --json
assert_contains "$OUT" '"requester":"bob"'
assert_contains "$OUT" '"status":"pending"'
assert_contains "$OUT" '"request":['
assert_contains "$OUT" '"approvals":['

step "approve: never the requester, never a non-approver"
assert_exit 1 as bob "$G" approve 1
assert_contains "$ERR" "refused: bob is not an approver for request 1"
assert_exit 1 as dave "$G" approve 1
assert_contains "$ERR" "not an approver"
assert_exit 0 as carol "$G" request userdel leaver3
id3=$OUT
assert_exit 1 as carol "$G" approve "$id3"
assert_contains "$ERR" "is your own: another approver must approve it"
assert_exit 2 as carol "$G" approve 999
assert_contains "$ERR" "no request 999"

step "approved: run ID runs it once, for the requester only"
assert_exit 0 as carol "$G" approve 1
assert_contains "$OUT" "request 1 approved"
assert_exit 1 as dave "$G" run 1
assert_contains "$ERR" "not a command you asked for"
assert_exit 0 as bob "$G" request userdel leaver1
assert_contains "$OUT" "request 1 is approved"
assert_exit 0 as bob "$G" run 1
getent passwd leaver1 >/dev/null && fail "userdel leaver1 did not run"
assert_exit 1 as bob "$G" run 1
assert_contains "$ERR" "request 1 is used"

step "deny: the request is refused for good"
assert_exit 0 as bob "$G" request userdel leaver2
id2=$OUT
assert_exit 0 as carol "$G" deny "$id2" --comment "not this week"
assert_contains "$OUT" "request $id2 denied"
assert_exit 1 as bob "$G" run "$id2"
assert_contains "$ERR" "is denied"
assert_exit 0 as bob "$G" list --all --json
assert_contains "$OUT" '"comment":"not this week"'
getent passwd leaver2 >/dev/null || fail "a denied request ran"

step "freeze: root or admins (by default the approvers); every guarded action refused, naming who and why"
assert_exit 1 as dave "$G" freeze --reason "x"
assert_contains "$ERR" "only root or an admin"
assert_exit 2 as carol "$G" freeze
assert_exit 0 as carol "$G" freeze --reason "incident 7" --for 1h
assert_exit 0 as dave "$G" status
assert_contains "$OUT" "frozen by carol since"
assert_contains "$OUT" "incident 7"
assert_exit 1 as alice "$G" request useradd newbie
assert_contains "$ERR" "frozen by carol"
assert_contains "$ERR" "incident 7"

step "break-glass: members only; passes the freeze"
assert_exit 1 as dave "$G" break-glass --reason "x"
assert_contains "$ERR" "not in the policy's break_glass"
assert_exit 2 as erin "$G" break-glass --for 15m
assert_exit 2 as erin "$G" break-glass --reason "db down" --for 2d
assert_exit 0 as erin "$G" break-glass --reason "db down" --for 15m
assert_contains "$OUT" "break-glass until"
assert_exit 0 "$G" status
assert_contains "$OUT" "break-glass: erin until"

step "thaw"
assert_exit 1 as alice "$G" thaw
assert_exit 0 as carol "$G" thaw
assert_exit 0 "$G" status
assert_contains "$OUT" "not frozen"
assert_exit 1 as carol "$G" thaw
assert_contains "$ERR" "not frozen"
assert_exit 0 as alice "$G" request useradd newbie
assert_contains "$OUT" "no approval needed"

step "watch: three denials lock dave out; an admin unlocks"
for _ in 1 2 3; do
	assert_exit 1 as dave "$G" request userdel root
done
assert_exit 0 "$G" status
assert_contains "$OUT" "locked out: dave by watch denial-burst until"
assert_exit 1 as dave "$G" request userdel root
assert_contains "$ERR" "locked out by watch denial-burst"
assert_exit 1 as alice "$G" unlock dave
assert_contains "$ERR" "only root or an admin"
assert_exit 0 as carol "$G" unlock dave
assert_exit 0 "$G" status
assert_contains "$OUT" "no lockouts"
assert_exit 1 as carol "$G" unlock dave
assert_contains "$ERR" "no active lockout"

step "history: root and admins see all, others their own"
assert_exit 0 as dave "$G" history
assert_contains "$OUT" "dave"
assert_not_contains "$OUT" " bob "
assert_exit 1 as dave "$G" history --actor bob
assert_contains "$ERR" "only root and admins"
assert_exit 0 as carol "$G" history --actor bob
assert_contains "$OUT" "user.delete leaver1"
assert_contains "$OUT" "approval 1 exit 0"
assert_exit 0 "$G" history --since 1h --json
assert_contains "$OUT" '"decisions":['
assert_contains "$OUT" '"actor":"dave"'
assert_exit 2 "$G" history --since "yesterday-ish"

step "fds 0-2 closed: refused or fine, never the store on a standard stream"
run_cmd bash -c "exec 0<&- 1>&- 2>&-; $G status; echo \$? >/root/status.rc"
rc=$(cat /root/status.rc)
[[ $rc == 0 ]] || fail "status with fds 0-2 closed: exit $rc"
