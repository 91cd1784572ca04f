#!/bin/bash
# Events end to end, through the real programs: the installed setuid
# guardctl and pam_guard.so in the real su, with the sandbox's own auditd
# and systemd-journald and a policy with audit = required.
#
# - an allowed `guardctl useradd` by alice (helpdesk), a refused one by dave,
#   a request refused before any rule (a chroot option: op=guard-request),
#   an su refused by pam_guard, an alerting rule (bob adds a member to sudo):
#   `ausearch -i -m USER_ACCT,USER_CMD,ANOM_... --input LOG` shows each record
#   with its fields and result, `aureport --anomaly` lists the alerts,
#   `journalctl -o json MESSAGE_ID=...` has exactly the GUARD_* fields
#   expected with their values, `journalctl -x` shows the catalog text;
# - auditd stopped: guardctl useradd and su are refused, the account files
#   do not change, and the journal says why.
#
# The kernel's audit is one per machine: when an audit daemon already runs,
# its log is read and the auditd-stopped part is skipped.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

for t in auditd auditctl ausearch aureport journalctl python3 su setpriv; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[[ -x /lib/systemd/systemd-journald ]] || skip "missing systemd-journald"
PAM_DIR=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
[[ -f $PAM_DIR/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
[[ -x /usr/local/libexec/guard/guard-pam-helper ]] || skip "guard-pam-helper is not installed"

# The MESSAGE_IDs of libguard/events_format_journal.c.
ID_ALLOWED=b446d3c34a0f4257852816d5cb239f57
ID_REFUSED=0b3e963dfb56467a88442e7300534a3e
ID_EXEC=a3a355af4316467eaba485ba927ff074
ID_ALERT=afb972462dd8404e8fd719212b3bc671
ID_AUDIT_FAILURE=2b77ccfbe368446c86da86017fc44782
ID_REQUEST_REFUSED=6fe76d30a4754fb19edce824bef81e3d

G=/usr/local/sbin/guardctl
# GUARD_E2E_DECIDED=1 (test_run_decided.sh): every step again with
# guard-decided deciding, for guardctl's front and for pam_guard.
DECIDED=/usr/local/libexec/guard/guard-decided
PAM_EXE=/usr/local/libexec/guard/guard-pam-helper
[[ ${GUARD_E2E_DECIDED:-} == 1 ]] && PAM_EXE=$DECIDED
work=$(mktemp -d)
cleanup() {
	stop_decided
	stop_daemons
	rm -rf -- "$work"
}
trap cleanup EXIT

as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# The host's utmp names the host's terminals: none of them here.
: >/run/utmp

# ausearch_guard TYPES PATTERN: the interpreted records of TYPES whose text
# has PATTERN (fixed string).
ausearch_guard() {
	ausearch -i -m "$1" --start "${SINCE[@]}" --input "$LOG" 2>/dev/null | grep -a -F -- "$2" || true
}

# journal_json ID MATCH...: the entries of MESSAGE_ID=ID (and MATCHes).
journal_json() {
	journalctl --no-pager --all -o json "MESSAGE_ID=$1" "${@:2}"
}

# check_entry FILE FIELD=VALUE...: the last entry of FILE has these fields
# with these values, its GUARD_EVENT_ID, and no GUARD_* field but those
# named (FIELD=- names a GUARD_* field that must be absent and is not
# counted).
check_entry() {
	python3 - "$@" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1], 'rb').read().splitlines() if l.strip()]
if not lines:
    sys.exit("no journal entry")
e = json.loads(lines[-1])
want = {}
for kv in sys.argv[2:]:
    k, v = kv.split('=', 1)
    want[k] = v
bad = 0
for k, v in want.items():
    if v == '-':
        if k in e:
            print("field %s should be absent, is %r" % (k, e[k])); bad = 1
    elif k not in e:
        print("missing field %s (want %r)" % (k, v)); bad = 1
    elif e[k] != v:
        print("field %s: want %r, got %r" % (k, v, e[k])); bad = 1
# Every event carries its own id: 32 hex digits, checked here, never named.
eid = e.get("GUARD_EVENT_ID", "")
if len(eid) != 32 or any(c not in "0123456789abcdef" for c in eid):
    print("GUARD_EVENT_ID is not 32 hex digits: %r" % (eid,)); bad = 1
extra = sorted(k for k in e
               if k.startswith("GUARD_") and k not in want and k != "GUARD_EVENT_ID")
if extra:
    print("unexpected fields: %s" % ", ".join("%s=%r" % (k, e[k]) for k in extra)); bad = 1
sys.exit(bad)
EOF
}

# sums: checksums of the account files.
sums() {
	sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow
}

step "auditd and journald of the sandbox; the catalog in the sandbox's database"
start_journald || fail "journald did not start"
if ! start_auditd "$work/audit"; then
	[[ $(audit_pid) == 0 ]] || skip "an audit daemon runs, and its log is not readable"
	fail "auditd did not start"
fi
LOG=$(audit_log)
# A machine's audit log holds earlier runs: only this one's records count.
SINCE=("$(date +%x)" "$(date +%T)")
install -D -m 0644 "$GUARD_SRC/packaging/journald/guard.catalog" \
	/usr/local/lib/systemd/catalog/guard.catalog
[[ $(findmnt -n -o FSTYPE -T /var/lib/systemd | tail -n 1) == overlay ]] ||
	fail "/var/lib/systemd is not private"
journalctl --update-catalog
assert_contains "$(journalctl --list-catalog 2>/dev/null)" "$ID_REFUSED" "catalog entry"
if [[ ${GUARD_E2E_DECIDED:-} == 1 ]]; then
	start_decided "$work/decided.log" || fail "guard-decided did not start"
fi

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  mode      = enforce
  default   = deny
  audit     = required
  journal   = yes
  timezone  = "UTC"
  approvers = { "%guard-approvers" }
}
privileged_groups = { "root", "sudo" }
protected_users   = { "root", "uid:0-999" }

rule "helpdesk-create" {
  actions  = { "user.create" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  decision = allow
}
rule "admins-grant" {
  actions  = { "group.member.add", "role.escalate" }
  actors   = { "%admins" }
  groups   = { "@privileged" }
  decision = allow
  alert    = yes
}
rule "admins-su" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  targets  = { "!@protected" }
  services = { "su" }
  decision = allow
}

service "su" { action = "role.escalate" }
command "useradd" { path = "/usr/sbin/useradd" }
command "usermod" { path = "/usr/sbin/usermod" }
POLICY
chmod 0644 /etc/guard/guard.conf
assert_exit 0 "$G" check
# su as pam_guard(8) stacks it: refused before the password prompt.
sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su

ALICE_UID=$(id -u alice)
DAVE_UID=$(id -u dave)
BOB_UID=$(id -u bob)

step "an allowed useradd through guardctl: USER_ACCT res=success, USER_CMD exit=0"
# -N: no user-private group, so the command raises user.create alone.
# From a login session of alice's: the records carry her login uid, as
# the kernel stamps them on the process that sends them.
assert_exit 0 as_login alice "$G" --reason "ticket 42" useradd -m -N e2e-new1
getent passwd e2e-new1 >/dev/null || fail "useradd did not run"
wait_audit 'op=guard-exec .*acct="e2e-new1"'
rec=$(ausearch_guard USER_ACCT 'acct=e2e-new1')
assert_eq 1 "$(grep -c '^type=USER_ACCT' <<<"$rec")" "one USER_ACCT record"
assert_contains "$rec" "op=guard-user.create" "op"
assert_contains "$rec" "actor=\"alice\"" "actor"
assert_contains "$rec" "rule=\"helpdesk-create\"" "rule"
assert_contains "$rec" "decision=allow" "decision"
assert_contains "$rec" "guard_mode=enforce" "mode"
assert_contains "$rec" "service=\"guardctl\"" "service"
assert_contains "$rec" "cmd=useradd -m -N e2e-new1" "cmd"
assert_contains "$rec" "exe=/usr/local/sbin/guardctl" "exe"
assert_contains "$rec" "auid=alice" "the caller's login uid"
assert_contains "$rec" "res=success" "res"
rec=$(ausearch_guard USER_CMD 'acct=e2e-new1')
assert_eq 1 "$(grep -c '^type=USER_CMD' <<<"$rec")" "one USER_CMD record"
assert_contains "$rec" "auid=alice" "the caller's login uid"
assert_contains "$rec" "op=guard-exec" "op"
assert_contains "$rec" "exit=0" "exit"
assert_contains "$rec" "res=success" "res"
sync_journal
journal_json $ID_ALLOWED GUARD_TARGET=e2e-new1 >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=6 \
	GUARD_EVENT=decision GUARD_DECISION=allow GUARD_ACTION=user.create \
	GUARD_ACTOR=alice GUARD_ACTOR_UID="$ALICE_UID" GUARD_TARGET=e2e-new1 \
	GUARD_RULE=helpdesk-create GUARD_REASON="ticket 42" GUARD_SERVICE=guardctl \
	GUARD_ARGV="useradd -m -N e2e-new1" GUARD_MODE=enforce ||
	fail "journal fields of the allowed decision"
journal_json $ID_EXEC GUARD_TARGET=e2e-new1 >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=6 \
	GUARD_EVENT=exec GUARD_ACTION=user.create GUARD_ACTOR=alice \
	GUARD_ACTOR_UID="$ALICE_UID" GUARD_TARGET=e2e-new1 GUARD_SERVICE=guardctl \
	GUARD_ARGV="useradd -m -N e2e-new1" GUARD_EXIT=0 || fail "journal fields of the command's end"
out=$(journalctl --no-pager -x MESSAGE_ID=$ID_ALLOWED GUARD_TARGET=e2e-new1)
assert_contains "$out" "Guard allowed a privileged account operation" "catalog subject"
assert_contains "$out" "alice (uid $ALICE_UID) asked for user.create on" "catalog text"
assert_contains "$out" "(rule: helpdesk-create, mode: enforce)" "catalog text"

step "a refused useradd through guardctl: USER_ACCT res=failed, no USER_CMD, nothing changed"
before=$(sums)
assert_exit 1 as dave "$G" useradd -N e2e-new2
assert_contains "$ERR" "guard: denied: user.create of e2e-new2" "guidance"
assert_eq "$before" "$(sums)" "account files unchanged"
wait_audit 'acct="e2e-new2"'
rec=$(ausearch_guard USER_ACCT 'acct=e2e-new2')
assert_eq 1 "$(grep -c '^type=USER_ACCT' <<<"$rec")" "one USER_ACCT record"
assert_contains "$rec" "op=guard-user.create" "op"
assert_contains "$rec" "actor=\"dave\"" "actor"
assert_contains "$rec" "rule=?" "no rule decided: the default"
assert_contains "$rec" "decision=deny" "decision"
assert_contains "$rec" "res=failed" "res"
assert_eq "" "$(ausearch_guard USER_CMD 'acct=e2e-new2')" "no USER_CMD for a refused command"
sync_journal
journal_json $ID_REFUSED GUARD_TARGET=e2e-new2 >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=4 \
	GUARD_EVENT=decision GUARD_DECISION=deny GUARD_ACTION=user.create \
	GUARD_ACTOR=dave GUARD_ACTOR_UID="$DAVE_UID" GUARD_TARGET=e2e-new2 \
	GUARD_RULE="(default)" GUARD_WHY="actor dave is not in %helpdesk" GUARD_SERVICE=guardctl \
	GUARD_ARGV="useradd -N e2e-new2" GUARD_MODE=enforce || fail "journal fields of the refusal"
out=$(journalctl --no-pager -x MESSAGE_ID=$ID_REFUSED GUARD_TARGET=e2e-new2)
assert_contains "$out" "Guard refused a privileged account operation" "catalog subject"
assert_contains "$out" "Why: actor dave is not in %helpdesk" "catalog text"

step "a request refused before any rule (a chroot option): USER_ACCT op=guard-request res=failed"
before=$(sums)
assert_exit 1 as alice "$G" --reason probe-7 useradd -R /tmp e2e-chroot
assert_contains "$ERR" "refused:" "refusal on stderr"
assert_eq "$before" "$(sums)" "account files unchanged"
wait_audit 'op=guard-request'
rec=$(ausearch_guard USER_ACCT 'op=guard-request')
assert_eq 1 "$(grep -c '^type=USER_ACCT' <<<"$rec")" "one USER_ACCT record"
assert_contains "$rec" "actor=\"alice\"" "actor"
assert_contains "$rec" "rule=\"(request)\"" "rule"
assert_contains "$rec" "decision=deny" "decision"
assert_contains "$rec" "reason=\"probe-7\"" "the caller's reason"
assert_contains "$rec" "res=failed" "res"
assert_not_contains "$rec" "e2e-chroot" "only the command name is logged"
sync_journal
journal_json $ID_REQUEST_REFUSED >"$work/j"
why=$(sed -n 's/^guardctl: refused: //p' <<<"$ERR")
assert_ne "" "$why" "the refusal line"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=4 \
	GUARD_EVENT=decision GUARD_DECISION=deny GUARD_ACTOR=alice GUARD_ACTOR_UID="$ALICE_UID" \
	GUARD_RULE="(request)" GUARD_WHY="$why" GUARD_REASON=probe-7 GUARD_SERVICE=guardctl \
	GUARD_ARGV=useradd || fail "journal fields of the refused request"
out=$(journalctl --no-pager -x MESSAGE_ID=$ID_REQUEST_REFUSED)
assert_contains "$out" "Guard refused a request before any rule was tried" "catalog subject"
assert_contains "$out" "alice (uid $ALICE_UID) ran guardctl useradd, and Guard" "catalog text"

step "su refused by pam_guard before the password prompt: USER_ACCT res=failed"
assert_exit 1 as dave su -c true root </dev/null
assert_contains "$ERR" "guard: denied: role.escalate to root" "guidance"
assert_not_contains "$OUT$ERR" "Password" "refused before the password prompt"
wait_audit 'actor="dave".*service="su"'
rec=$(ausearch_guard USER_ACCT 'service="su"')
assert_eq 1 "$(grep -c '^type=USER_ACCT' <<<"$rec")" "one USER_ACCT record"
assert_contains "$rec" "op=guard-role.escalate" "op"
assert_contains "$rec" "actor=\"dave\"" "actor"
assert_contains "$rec" "acct=root" "acct"
assert_contains "$rec" "decision=deny" "decision"
assert_contains "$rec" "exe=$PAM_EXE" "exe"
assert_contains "$rec" "res=failed" "res"
sync_journal
journal_json $ID_REFUSED SYSLOG_IDENTIFIER=pam_guard >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=pam_guard PRIORITY=4 \
	GUARD_EVENT=decision GUARD_DECISION=deny GUARD_ACTION=role.escalate \
	GUARD_ACTOR=dave GUARD_ACTOR_UID="$DAVE_UID" GUARD_TARGET=root GUARD_RULE="(default)" \
	GUARD_WHY="no rule allows it" GUARD_SERVICE=su GUARD_MODE=enforce ||
	fail "journal fields of the su refusal"
out=$(journalctl --no-pager -x MESSAGE_ID=$ID_REFUSED SYSLOG_IDENTIFIER=pam_guard)
assert_contains "$out" "root through su, and Guard refused it." "catalog text"

step "an alerting rule: ANOM_ROOT_TRANS and ANOM_MOD_ACCT, listed by aureport --anomaly"
assert_exit 0 as bob "$G" usermod -aG sudo erin
assert_contains "$(id -nG erin)" "sudo" "usermod ran"
wait_audit 'op=guard-exec .*acct="erin"'
rec=$(ausearch_guard ANOM_ROOT_TRANS 'acct=erin')
assert_eq 1 "$(grep -c '^type=ANOM_ROOT_TRANS' <<<"$rec")" "one ANOM_ROOT_TRANS record"
assert_contains "$rec" "op=guard-role.escalate" "op"
assert_contains "$rec" "alert=escalation" "alert kind"
assert_contains "$rec" "actor=\"bob\"" "actor"
assert_contains "$rec" "grp=sudo" "group"
assert_contains "$rec" "rule=\"admins-grant\"" "rule"
assert_contains "$rec" "decision=allow" "decision"
assert_contains "$rec" "res=success" "res"
rec=$(ausearch_guard ANOM_MOD_ACCT 'acct=erin')
assert_contains "$rec" "op=guard-group.member.add" "op"
assert_contains "$rec" "alert=modify" "alert kind"
rec=$(ausearch_guard USER_ACCT,USER_CMD 'acct=erin')
assert_eq 3 "$(grep -c '^type=USER_' <<<"$rec")" "two decisions and the command's end"
report=$(aureport --anomaly -i --start "${SINCE[@]}" --input "$LOG" 2>/dev/null)
assert_contains "$report" "ANOM_ROOT_TRANS /usr/local/sbin/guardctl" "aureport --anomaly"
assert_contains "$report" "ANOM_MOD_ACCT /usr/local/sbin/guardctl" "aureport --anomaly"
sync_journal
journal_json $ID_ALERT GUARD_ACTION=role.escalate GUARD_TARGET=erin >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=1 \
	GUARD_EVENT=alert GUARD_ALERT=escalation GUARD_DECISION=allow \
	GUARD_ACTION=role.escalate GUARD_ACTOR=bob GUARD_ACTOR_UID="$BOB_UID" \
	GUARD_TARGET=erin GUARD_GROUP=sudo GUARD_GRANT="group sudo" \
	GUARD_RULE=admins-grant GUARD_SERVICE=guardctl GUARD_ARGV="usermod -aG sudo erin" \
	GUARD_MODE=enforce || fail "journal fields of the alert"
journal_json $ID_ALLOWED GUARD_ACTION=group.member.add GUARD_TARGET=erin >"$work/j"
check_entry "$work/j" SYSLOG_IDENTIFIER=guardctl PRIORITY=6 \
	GUARD_EVENT=decision GUARD_DECISION=allow GUARD_ACTION=group.member.add \
	GUARD_ACTOR=bob GUARD_ACTOR_UID="$BOB_UID" GUARD_TARGET=erin GUARD_GROUP=sudo \
	GUARD_RULE=admins-grant GUARD_SERVICE=guardctl GUARD_ARGV="usermod -aG sudo erin" \
	GUARD_MODE=enforce || fail "journal fields of the group decision"
out=$(journalctl --no-pager -x MESSAGE_ID=$ID_ALERT GUARD_TARGET=erin)
assert_contains "$out" "Guard alert: an operation that the policy watches" "catalog subject"
assert_contains "$out" "admins-grant, kind: escalation)" "catalog text"

step "su allowed by pam_guard reaches the password prompt (the control for the next step)"
assert_exit 1 as bob su -c true dave </dev/null
assert_contains "$OUT$ERR" "Password" "pam_unix asked for the password"
assert_not_contains "$ERR" "guard:" "no guidance when allowed"

if own_auditd; then
	step "auditd stopped, audit = required: guardctl refuses, nothing changes, the journal says why"
	stop_auditd || fail "auditd still registered"
	before=$(sums)
	assert_exit 2 as alice "$G" useradd -m e2e-new3
	assert_contains "$ERR" "refused: the decision cannot be recorded" "guardctl says why"
	assert_contains "$ERR" "no audit daemon is running" "guardctl says why"
	assert_eq "$before" "$(sums)" "account files unchanged"
	[[ ! -e /home/e2e-new3 ]] || fail "a home directory was made"
	sync_journal
	out=$(journalctl --no-pager -o cat MESSAGE_ID=$ID_AUDIT_FAILURE SYSLOG_IDENTIFIER=guardctl)
	assert_contains "$out" "no audit daemon is running" "journal says why"
	assert_contains "$out" "the action is refused (audit = required)" "journal says refused"

	step "auditd stopped: su refused by pam_guard before the password prompt"
	assert_exit 1 as bob su -c true dave </dev/null
	assert_not_contains "$OUT$ERR" "Password" "refused before the password prompt"
	sync_journal
	out=$(journalctl --no-pager -o cat MESSAGE_ID=$ID_AUDIT_FAILURE SYSLOG_IDENTIFIER=pam_guard)
	assert_contains "$out" "no audit daemon is running" "journal says why"
	assert_eq 0 "$(grep -a -c 'e2e-new3' "$LOG" || true)" "nothing audited without auditd"
else
	echo "(an audit daemon of the machine is in use: the auditd-stopped steps are skipped)"
fi

echo "ok"
