#!/bin/bash
# guardctl verify: account changes made around Guard are caught, once each,
# and reach the real auditd and journald; the same changes made through
# guardctl are not reported, also while verify runs beside them. Root runs
# the shadow tools directly (useradd, usermod -aG sudo, passwd -d, groupadd,
# usermod -L) as configuration management or a shell would.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root
require_guardctl
GUARDCTL=/usr/local/sbin/guardctl
for t in auditd auditctl ausearch journalctl useradd usermod groupadd passwd python3; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[[ -x /lib/systemd/systemd-journald ]] || skip "missing systemd-journald"
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

work=$(mktemp -d)
cleanup() {
	stop_daemons
	rm -rf -- "$work"
}
trap cleanup EXIT

step "journald and auditd of the sandbox"
start_journald || fail "journald did not start"
if ! start_auditd "$work"; then
	[[ $(audit_pid) == 0 ]] || skip "an audit daemon runs, and its log is not readable"
	fail "auditd did not start"
fi
LOG=$(audit_log)
auditctl -e 1 >/dev/null

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  audit     = required
  journal   = yes
  timezone  = "UTC"
  approvers = { "%guard-approvers" }
}
privileged_groups = { "root", "sudo", "admins" }
protected_users   = { "root", "uid:0-999" }
rule "helpdesk" {
  actions  = { "user.create", "user.modify", "user.password", "user.lock", "group.create",
               "group.member.add" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  groups   = { "!@privileged" }
  decision = allow
}
command "useradd"  { path = "/usr/sbin/useradd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "groupadd" { path = "/usr/sbin/groupadd" }
command "passwd"   { path = "/usr/bin/passwd" }
POLICY
chmod 0644 /etc/guard/guard.conf
find /var/lib/guard -mindepth 1 -delete

as_alice() { setpriv --reuid=alice --regid=alice --init-groups -- "$@"; }

step "before --init: verify refuses, saying what to do"
run_cmd "$GUARDCTL" verify
assert_eq 2 "$STATUS" "verify before --init"
assert_contains "$ERR" "guardctl verify --init"

step "--init, then nothing to report"
echo 'erin:Erin-secret-1' | chpasswd
[[ $(getent passwd erin | cut -d: -f7) == /bin/bash ]] || usermod -s /bin/bash erin
run_cmd "$GUARDCTL" verify --init
assert_eq 0 "$STATUS" "verify --init: $ERR"
run_cmd "$GUARDCTL" verify
assert_eq 0 "$STATUS" "verify after --init: $OUT $ERR"

step "root changes accounts directly: each change reported"
useradd mallory
usermod -aG sudo mallory
passwd -d bob >/dev/null
groupadd xgrp
usermod -s /bin/sh -L erin
run_cmd "$GUARDCTL" verify
assert_eq 1 "$STATUS" "verify after changes around Guard: $ERR"
for line in "user mallory: added" "group mallory: added" "group sudo: member mallory added" \
	"user bob: password emptied" "group xgrp: added" "user erin: password locked" \
	"user erin: shell"; do
	assert_contains "$OUT" "changed around Guard: $line"
done
assert_eq 7 "$(grep -c '^changed around Guard' <<<"$OUT")" "one line per change: $OUT"

step "the audit log: ANOM_ADD_ACCT, ANOM_MOD_ACCT records"
wait_audit 'guard-account-change'
rec=$(ausearch --input "$LOG" -m ANOM_ADD_ACCT -i 2>/dev/null || true)
assert_contains "$rec" "acct=mallory" "ANOM_ADD_ACCT names mallory"
rec=$(ausearch --input "$LOG" -m ANOM_MOD_ACCT -i 2>/dev/null || true)
assert_contains "$rec" "acct=mallory" "ANOM_MOD_ACCT of the membership"
assert_contains "$rec" "grp=sudo" "ANOM_MOD_ACCT names the group"
assert_contains "$rec" "acct=bob" "ANOM_MOD_ACCT of bob's password"
assert_not_contains "$(cat "$LOG")" '$6$' "no password hash in the audit log"

step "the journal: one alert per change, no hash"
sync_journal
j=$(journalctl --no-pager --all -o json GUARD_ALERT=account-change)
assert_eq 7 "$(grep -c . <<<"$j")" "journal alerts: $j"
assert_contains "$j" '"GUARD_TARGET":"mallory"'
assert_contains "$j" "user bob: password emptied"
assert_contains "$j" "user erin: shell /bin/bash -> /bin/sh"
assert_not_contains "$j" '$6$' "no password hash in the journal"

step "reported once: the next verify is quiet"
run_cmd "$GUARDCTL" verify
assert_eq 0 "$STATUS" "second verify: $OUT"

step "the same kinds of change through guardctl are not reported"
run_cmd as_alice "$GUARDCTL" useradd newbie
assert_eq 0 "$STATUS" "guardctl useradd: $ERR"
run_cmd as_alice "$GUARDCTL" groupadd ygrp
assert_eq 0 "$STATUS" "guardctl groupadd: $ERR"
run_cmd as_alice "$GUARDCTL" usermod -s /bin/bash newbie
assert_eq 0 "$STATUS" "guardctl usermod -s: $ERR"
run_cmd as_alice "$GUARDCTL" usermod -aG ygrp newbie
assert_eq 0 "$STATUS" "guardctl usermod -aG: $ERR"
run_cmd "$GUARDCTL" verify
assert_eq 0 "$STATUS" "verify after guarded changes: $OUT"
assert_contains "$OUT" "explained"

step "control: a decision for one account explains nothing about another"
run_cmd as_alice "$GUARDCTL" usermod -s /bin/sh newbie
usermod -s /bin/sh dave
run_cmd "$GUARDCTL" verify
assert_eq 1 "$STATUS" "verify: $OUT"
assert_contains "$OUT" "changed around Guard: user dave: shell"
assert_not_contains "$OUT" "newbie"

step "what glibc reads that a strict parser would skip: uid \"00\", a password in passwd itself"
cp /etc/passwd "$work/passwd.before"
printf 'toor:x:00:0::/root:/bin/sh\n' >>/etc/passwd
sed -i 's/^dave:x:/dave::/' /etc/passwd
run_cmd "$GUARDCTL" verify
assert_eq 1 "$STATUS" "verify: $OUT"
assert_contains "$OUT" "changed around Guard: user toor: uid (new) -> 0"
assert_contains "$OUT" "changed around Guard: user dave: password emptied"
cp "$work/passwd.before" /etc/passwd
"$GUARDCTL" verify >/dev/null || true
step "a NUL byte in /etc/passwd: refused, not skipped"
python3 -c 'open("/etc/passwd", "ab").write(b"#\0\nhid:x:0:0::/root:/bin/bash\n")'
run_cmd "$GUARDCTL" verify
assert_eq 2 "$STATUS" "verify with a NUL byte: $OUT"
assert_contains "$ERR" "NUL byte"
cp "$work/passwd.before" /etc/passwd

step "50 guarded runs with verify beside them: no false report"
(
	for i in $(seq 50); do
		as_alice "$GUARDCTL" useradd "batch$i" >/dev/null 2>&1 || echo "useradd batch$i failed"
	done
) >"$work/runs.out" &
runs=$!
reports=0
while kill -0 "$runs" 2>/dev/null; do
	if ! "$GUARDCTL" verify >>"$work/verify.out" 2>&1; then
		reports=$((reports + 1))
	fi
done
wait "$runs"
"$GUARDCTL" verify >>"$work/verify.out" 2>&1 || reports=$((reports + 1))
assert_eq "" "$(cat "$work/runs.out")" "guarded runs"
assert_eq 0 "$reports" "verify reported a guarded change: $(grep -v 'no change' "$work/verify.out")"
getent passwd batch50 >/dev/null || fail "the runs did not happen"

step "--json: the unexplained changes as fields"
usermod -aG sudo dave
run_cmd "$GUARDCTL" verify --json
assert_eq 1 "$STATUS" "verify --json"
python3 - "$OUT" <<'PY' || fail "verify --json: $OUT"
import json, sys
d = json.loads(sys.argv[1])
[c] = d["unexplained"]
assert c == {"kind": "group", "name": "sudo", "change": "member-added", "field": None,
             "member": "dave", "old": None, "new": None,
             "text": "group sudo: member dave added"}, c
PY

step "only root verifies"
run_cmd as_alice "$GUARDCTL" verify
assert_eq 2 "$STATUS" "verify as alice"
assert_contains "$ERR" "root's alone"

step "the shipped units that run verify on every change and daily: systemd loads them"
# No systemd runs this machine's services here, so the path unit is not
# triggered; systemd-analyze loads the units as the manager would and refuses
# a bad setting (a misspelled PathChanged leaves the path unit without a path).
if command -v systemd-analyze >/dev/null; then
	units="$(dirname -- "${BASH_SOURCE[0]}")/../../packaging/systemd"
	mkdir "$work/units"
	cp "$units"/guard-verify.{path,service,timer} "$work/units/"
	grep -qx 'ExecStart=/usr/sbin/guardctl verify' "$work/units/guard-verify.service" ||
		fail "guard-verify.service does not run guardctl verify"
	sed -i "s#^ExecStart=/usr/sbin/guardctl#ExecStart=$GUARDCTL#" "$work/units/guard-verify.service"
	for f in passwd group shadow gshadow; do
		grep -qx "PathChanged=/etc/$f" "$work/units/guard-verify.path" || fail "guard-verify.path does not watch /etc/$f"
	done
	run_cmd systemd-analyze verify --man=no "$work"/units/guard-verify.{path,service,timer}
	assert_eq 0 "$STATUS" "systemd-analyze verify: $OUT$ERR"
	assert_eq "" "$OUT$ERR" "systemd-analyze verify's warnings"
else
	echo "  (systemd-analyze missing: units not loaded)"
fi
