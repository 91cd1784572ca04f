#!/bin/bash
# Events reach the real auditd and systemd-journald and read back right:
# decisions (allowed, refused), an alert, a command's end and a policy
# error; log injection; a stopped journald; the cost per decision. Audit
# unavailable (docs/threat-model.md D31: a kernel without audit, no CAP_AUDIT_WRITE,
# auditd stopped) is tests/attack/d_logging.sh's.
#
# Inside the sandbox, the test starts its own journald (on the sandbox's
# private /run/systemd/journal) and its own auditd (private config and
# log). The kernel's audit is one per machine: when an audit daemon is
# already registered, its log is read instead (through its /proc root).
#
# Needs build/tests/events_driver (make integration builds it);
# GUARD_TEST_BUILD overrides the build directory.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"

BUILD=${GUARD_TEST_BUILD:-$GUARD_BUILD}
DRIVER=$BUILD/tests/events_driver
[[ -x $DRIVER ]] || skip "events_driver not built (make integration)"
for t in auditd auditctl ausearch aureport journalctl python3; do
	command -v "$t" >/dev/null || skip "missing $t"
done
[[ -x /lib/systemd/systemd-journald ]] || skip "missing systemd-journald"

# The MESSAGE_IDs of libguard/events_format_journal.c.
ID_ALLOWED=b446d3c34a0f4257852816d5cb239f57
ID_REFUSED=0b3e963dfb56467a88442e7300534a3e
ID_EXEC=a3a355af4316467eaba485ba927ff074
ID_ALERT=afb972462dd8404e8fd719212b3bc671
ID_POLICY_ERROR=3688c8af3fe94a88ad59b32941ad1002

. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

work=$(mktemp -d)
cleanup() {
	stop_daemons
	rm -rf -- "$work"
}
trap cleanup EXIT

# json_field ID MATCH... : the entries of MESSAGE_ID=ID (and matches) as JSON.
journal_json() {
	journalctl --no-pager --all -o json "MESSAGE_ID=$1" "${@:2}"
}

# check_json FILE FIELD=HEXVALUE...: the last entry in FILE has each field
# with exactly those bytes (values given in hex, so that any byte can be).
check_json() {
	python3 - "$@" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1], 'rb').read().splitlines() if l.strip()]
if not lines:
    sys.exit("no journal entry")
e = json.loads(lines[-1])
def raw(v):
    if isinstance(v, list) and v and isinstance(v[0], int):
        return bytes(v)
    if isinstance(v, list):
        sys.exit("field repeated: %r" % (v,))
    return v.encode('utf-8', 'surrogateescape')
bad = 0
for kv in sys.argv[2:]:
    k, v = kv.split('=', 1)
    want = bytes.fromhex(v)
    if k not in e:
        print("missing field %s" % k); bad = 1; continue
    got = raw(e[k])
    if got != want:
        print("field %s: want %r got %r" % (k, want[:200], got[:200])); bad = 1
sys.exit(bad)
EOF
}

hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }

step "journald and auditd of the sandbox"
start_journald || fail "journald did not start"
# A real audit daemon already registered: its log is read instead.
if ! start_auditd "$work"; then
	[[ $(audit_pid) == 0 ]] || skip "an audit daemon runs, and its log is not readable"
	fail "auditd did not start"
fi
LOG=$(audit_log)
# journald may have switched auditing off when it started.
auditctl -e 1 >/dev/null

step "the catalog is installed in the sandbox's private catalog database"
install -D -m 0644 "$GUARD_SRC/packaging/journald/guard.catalog" \
	/usr/local/lib/systemd/catalog/guard.catalog
[[ $(findmnt -n -o FSTYPE -T /var/lib/systemd | tail -n 1) == overlay ]] ||
	fail "/var/lib/systemd is not private"
journalctl --update-catalog
assert_contains "$(journalctl --list-catalog 2>/dev/null)" "$ID_REFUSED" "catalog entry"

cat >"$work/policy.conf" <<'EOF'
settings {
  mode    = enforce
  default = deny
  audit   = required
  journal = yes
}
rule "deny-protected" {
  actions  = { "user.delete", "user.modify" }
  targets  = { "root" }
  decision = deny
  message  = "System accounts are managed by configuration management."
}
rule "escalation-watch" {
  actions  = { "role.escalate" }
  decision = allow
  alert    = yes
}
rule "helpdesk-create" {
  actions  = { "user.create" }
  actors   = { "%helpdesk" }
  decision = allow
}
EOF

step "an allowed user.create: USER_ACCT res=success, USER_CMD exit=0, journal fields"
run_cmd "$DRIVER" --policy "$work/policy.conf" --actor alice --uid 1001 --actor-group helpdesk \
	--action user.create --target newbie1 --tty pts/3 --rhost 192.0.2.7 \
	--reason "ticket 42" --exit 0 -- useradd -m newbie1
assert_contains "$OUT" "open=0 decision=0 exec=0 decided=allow"
wait_audit "acct=\"newbie1\""
rec=$(ausearch --input "$LOG" -m USER_ACCT -i 2>/dev/null | grep -a 'acct=newbie1' || true)
assert_contains "$rec" "op=guard-user.create" "op"
assert_contains "$rec" "rule=\"helpdesk-create\"" "rule"
assert_contains "$rec" "decision=allow" "decision"
assert_contains "$rec" "guard_mode=enforce" "mode"
assert_contains "$rec" "actor=\"alice\"" "actor"
assert_contains "$rec" "addr=192.0.2.7" "addr"
assert_contains "$rec" "terminal=pts/3" "terminal"
assert_contains "$rec" "res=success" "res"
rec=$(ausearch --input "$LOG" -m USER_CMD -i 2>/dev/null | grep -a 'acct=newbie1' || true)
assert_contains "$rec" "cmd=useradd -m newbie1" "USER_CMD cmd"
assert_contains "$rec" "exit=0" "USER_CMD exit"
assert_contains "$rec" "res=success" "USER_CMD res"
sync_journal
journal_json $ID_ALLOWED GUARD_TARGET=newbie1 >"$work/j"
check_json "$work/j" SYSLOG_IDENTIFIER="$(hex guardctl)" PRIORITY="$(hex 6)" \
	GUARD_EVENT="$(hex decision)" GUARD_DECISION="$(hex allow)" \
	GUARD_ACTION="$(hex user.create)" GUARD_ACTOR="$(hex alice)" \
	GUARD_ACTOR_UID="$(hex 1001)" GUARD_TARGET="$(hex newbie1)" \
	GUARD_RULE="$(hex helpdesk-create)" GUARD_REASON="$(hex "ticket 42")" \
	GUARD_SERVICE="$(hex guardctl)" GUARD_TTY="$(hex pts/3)" \
	GUARD_RHOST="$(hex 192.0.2.7)" GUARD_ARGV="$(hex "useradd -m newbie1")" \
	GUARD_MODE="$(hex enforce)" || fail "journal fields of the allowed decision"
journal_json $ID_EXEC GUARD_TARGET=newbie1 >"$work/j"
check_json "$work/j" GUARD_EVENT="$(hex exec)" GUARD_EXIT="$(hex 0)" \
	GUARD_ARGV="$(hex "useradd -m newbie1")" PRIORITY="$(hex 6)" ||
	fail "journal fields of the command's end"
assert_contains "$(journalctl --no-pager -x MESSAGE_ID=$ID_ALLOWED GUARD_TARGET=newbie1)" \
	"Guard allowed a privileged account operation" "journalctl -x catalog text"

step "a refused user.delete root from pam_guard: res=failed, PRIORITY warning"
run_cmd "$DRIVER" --policy "$work/policy.conf" --source pam --actor mallory --uid 1666 \
	--action user.delete --target root --service su -- userdel root
assert_contains "$OUT" "open=0 decision=0 exec=0 decided=deny"
wait_audit "actor=\"mallory\""
rec=$(ausearch --input "$LOG" -m USER_ACCT -i 2>/dev/null | grep -a 'actor="mallory"' || true)
assert_contains "$rec" "op=guard-user.delete" "op"
assert_contains "$rec" "acct=root" "acct"
assert_contains "$rec" "decision=deny" "decision"
assert_contains "$rec" "rule=\"deny-protected\"" "rule"
assert_contains "$rec" "res=failed" "res"
sync_journal
journal_json $ID_REFUSED GUARD_ACTOR=mallory >"$work/j"
check_json "$work/j" SYSLOG_IDENTIFIER="$(hex pam_guard)" PRIORITY="$(hex 4)" \
	GUARD_DECISION="$(hex deny)" GUARD_ACTION="$(hex user.delete)" \
	GUARD_TARGET="$(hex root)" GUARD_RULE="$(hex deny-protected)" \
	GUARD_SERVICE="$(hex su)" GUARD_ACTOR_UID="$(hex 1666)" ||
	fail "journal fields of the refusal"
assert_contains "$(journalctl --no-pager -x MESSAGE_ID=$ID_REFUSED GUARD_ACTOR=mallory)" \
	"Guard refused a privileged account operation" "journalctl -x catalog text"

step "an alerting rule: ANOM_ROOT_TRANS listed by aureport --anomaly, journal alert"
run_cmd "$DRIVER" --policy "$work/policy.conf" --source pam --actor bob --uid 1002 \
	--action role.escalate --target root --grant "group sudo" --service sudo
assert_contains "$OUT" "decision=0"
wait_audit "type=ANOM_ROOT_TRANS.*actor=\"bob\""
rec=$(ausearch --input "$LOG" -m ANOM_ROOT_TRANS -i 2>/dev/null | grep -a 'actor="bob"' || true)
assert_contains "$rec" "alert=escalation" "alert kind"
assert_contains "$rec" "rule=\"escalation-watch\"" "alert rule"
assert_contains "$(aureport --anomaly -i --input "$LOG" 2>/dev/null)" "ANOM_ROOT_TRANS" \
	"aureport --anomaly"
sync_journal
journal_json $ID_ALERT GUARD_ACTOR=bob >"$work/j"
check_json "$work/j" PRIORITY="$(hex 1)" GUARD_EVENT="$(hex alert)" \
	GUARD_ALERT="$(hex escalation)" GUARD_ACTION="$(hex role.escalate)" \
	GUARD_GRANT="$(hex "group sudo")" || fail "journal fields of the alert"

step "a policy error: USYS_CONFIG, journal names file and line"
run_cmd "$DRIVER" --policy "$work/policy.conf" --policy-error "unknown option 'bogus'"
assert_contains "$OUT" "open=0 decision=0"
wait_audit "op=guard-policy-error"
sync_journal
journal_json $ID_POLICY_ERROR >"$work/j"
check_json "$work/j" GUARD_FILE="$(hex "$work/policy.conf")" GUARD_LINE="$(hex 7)" \
	GUARD_WHY="$(hex "unknown option 'bogus'")" PRIORITY="$(hex 3)" ||
	fail "journal fields of the policy error"

step "log injection: one well-formed record, res unchanged, the journal keeps the bytes"
evil_target=$'ev\nil" res=success acct=root =\x01\xff\xfe'"$(head -c 10240 /dev/zero | tr '\0' 'A')"
evil_arg=$'x\n res=success\r\x1b[31m"=\xc3\x28'"$(head -c 10240 /dev/zero | tr '\0' 'B')"
run_cmd "$DRIVER" --policy "$work/policy.conf" --actor eve --uid 1003 --action user.create \
	--target "$evil_target" --tty $'pts/1 res=success' --rhost $'h\nres=success' \
	--exit 3 -- useradd "$evil_arg"
assert_contains "$OUT" "open=0 decision=0 exec=0 decided=deny"
wait_audit "actor=\"eve\""
raw=$(grep -a 'actor="eve"' "$LOG")
assert_eq 2 "$(printf '%s\n' "$raw" | wc -l)" "one USER_ACCT and one USER_CMD line"
for line in "$(printf '%s\n' "$raw" | head -n 1)" "$(printf '%s\n' "$raw" | tail -n 1)"; do
	assert_eq 1 "$(grep -o ' res=' <<<"$line" | wc -l)" "exactly one res= in a record"
	assert_eq 1 "$(grep -o ' acct=' <<<"$line" | wc -l)" "exactly one acct= in a record"
	assert_contains "$line" "terminal=? res=" "a hostile tty is not passed through"
	assert_contains "$line" "hostname=? " "a hostile host name is not passed through"
done
rec=$(ausearch --input "$LOG" -m USER_ACCT -i 2>/dev/null | grep -a -c 'actor="eve"' || true)
assert_eq 1 "$rec" "ausearch parses one USER_ACCT record"
assert_contains "$(grep -a 'type=USER_ACCT.*actor="eve"' "$LOG")" "res=failed" "res unchanged"
assert_contains "$(grep -a 'type=USER_CMD.*actor="eve"' "$LOG")" "exit=3" "exit"
assert_contains "$(grep -a 'type=USER_CMD.*actor="eve"' "$LOG")" "res=failed" "USER_CMD res"
# The acct field is the target's first 256 bytes, hex-encoded.
acct_hex=$(grep -a 'type=USER_ACCT.*actor="eve"' "$LOG" | grep -o ' acct=[0-9A-F]*' | cut -d= -f2)
assert_eq "$(printf '%s' "$evil_target" | head -c 256 | od -An -tx1 -v | tr -d ' \n' |
	tr a-f A-F)" "$acct_hex" "acct hex-encodes the target's bytes"
sync_journal
journal_json $ID_REFUSED GUARD_ACTOR=eve >"$work/j"
check_json "$work/j" GUARD_TARGET="$(hex "$evil_target")" \
	GUARD_ARGV="$(hex "useradd $evil_arg")" GUARD_TTY="$(hex $'pts/1 res=success')" \
	GUARD_RHOST="$(hex $'h\nres=success')" || fail "the journal keeps the exact bytes"
msg=$(journalctl --no-pager -o cat MESSAGE_ID=$ID_REFUSED GUARD_ACTOR=eve)
assert_eq 1 "$(printf '%s\n' "$msg" | wc -l)" "MESSAGE is one line"
assert_contains "$msg" 'ev\x0ail"' "MESSAGE quotes control bytes"

# (The kernel caps one argument at 128 kB: the driver cannot take 1 MB.)
step "a 128 kB target and argument: bounded in both, still one record"
big=$(head -c 131000 /dev/zero | tr '\0' 'C')
run_cmd "$DRIVER" --policy "$work/policy.conf" --actor frank --uid 1004 --action user.create \
	--target "$big" -- useradd "$big"
assert_contains "$OUT" "open=0 decision=0"
wait_audit "actor=\"frank\""
assert_eq 1 "$(grep -a -c 'actor="frank"' "$LOG")" "one record"
sync_journal
n=$(journal_json $ID_REFUSED GUARD_ACTOR=frank |
	python3 -c 'import json,sys; e=json.loads(sys.stdin.read().splitlines()[-1]); print(len(e["GUARD_TARGET"]), len(e["GUARD_ARGV"]))')
assert_eq "16384 65536" "$n" "journal fields cut at their bounds"

step "journald stopped (SIGSTOP) with a full queue: decisions return in bounded time, audited"
kill -STOP "$JOURNALD_PID"
python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/run/systemd/journal/socket")
s.setblocking(False)
n = 0
try:
    while n < 100000:
        s.send(b"MESSAGE=filler\n")
        n += 1
except BlockingIOError:
    pass
print("queued", n)
EOF
start=$(date +%s%N)
run_cmd timeout 10 "$DRIVER" --policy "$work/policy.conf" --source pam --actor grace \
	--uid 1005 --actor-group helpdesk --action user.create --target stalled1 --exit 0 -- useradd stalled1
elapsed=$((($(date +%s%N) - start) / 1000000))
kill -CONT "$JOURNALD_PID"
assert_contains "$OUT" "open=0 decision=0 exec=0 decided=allow"
echo "decision with a stopped journald: ${elapsed} ms"
[[ $elapsed -lt 1500 ]] || fail "a stopped journald held the decision for ${elapsed} ms"
wait_audit "acct=\"stalled1\""

step "cost per decision with auditd and journald running"
# One decision per process, as guardctl and pam_guard make them; medians
# of 31 (a tight loop would measure journald's throughput instead). The
# wall time includes journald and the kernel running on a busy CPU when
# our send wakes them; the process's own CPU time is what events add.
wall=()
cpu=()
for _ in $(seq 31); do
	run_cmd "$DRIVER" --policy "$work/policy.conf" --actor alice --uid 1001 \
		--actor-group helpdesk --action user.create --target bench1 -- useradd bench1
	assert_contains "$OUT" "decision=0"
	wall+=("$(sed -n 's/.* us_per_decision=\([0-9]*\).*/\1/p' <<<"$OUT")")
	cpu+=("$(sed -n 's/.*cpu_us_per_decision=\([0-9]*\).*/\1/p' <<<"$OUT")")
	sleep 0.02
done
wall_us=$(printf '%s\n' "${wall[@]}" | sort -n | sed -n 16p)
cpu_us=$(printf '%s\n' "${cpu[@]}" | sort -n | sed -n 16p)
echo "events per decision (USER_ACCT acknowledged + journal entry), median: CPU ${cpu_us} us, wall ${wall_us} us"
[[ $cpu_us -lt 300 ]] || fail "events cost ${cpu_us} us of CPU per decision (limit 300)"
[[ $wall_us -lt 5000 ]] || fail "events took ${wall_us} us per decision"

echo "ok"
