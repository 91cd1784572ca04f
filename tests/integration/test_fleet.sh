#!/bin/bash
# Events leave a host and reach a collector through the shipped snippets of
# packaging/forwarding/ (README "Many hosts"; docs/design.md "Events"): two
# hosts on one machine, each with a network and UTS namespace of its own,
# joined by a veth pair (10.231.0.1 and 10.231.0.2: no other address is
# ever reached).
#
# - Host A (this shell, guard-fleet-a) runs the auditd registered with the
#   kernel, name_format = hostname, with audisp-remote set up by
#   au-remote.conf and audisp-remote.conf (mode = forward), and journald
#   with systemd-journal-upload set up by journal-upload.conf and run with
#   --save-state as its unit runs it.
# - Host B (guard-fleet-b) runs an auditd listening as
#   auditd-collector.conf shows (with local_events = no: the kernel's audit
#   is one per machine, and it is A's) and systemd-journal-remote
#   --listen-http.
#
# Proves:
# - decisions on A (an allowed and a refused guardctl useradd) are found
#   on B by `ausearch --input B's log --node guard-fleet-a` and by
#   `journalctl --file B's journal _HOSTNAME=guard-fleet-a`, with the same
#   id in both (guard_id=, GUARD_EVENT_ID);
# - B stopped (both receivers): A keeps deciding, each decision gives its
#   answer within DECISION_BOUND seconds (nothing waits for the collector),
#   and the audit records wait in audisp-remote's queue file;
# - B restarted: the records kept meanwhile arrive, none lost: every
#   guard_id= of A's log is in B's, every GUARD_EVENT_ID of A's journal in
#   B's; a record or entry sent twice is the same one with the same id, and
#   B has no id that A did not make.
#
# The kernel's audit is one per machine: when an audit daemon of the
# machine is already registered, the audit half is skipped (the test says
# so) and the journal half still runs.
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

for t in auditd auditctl ausearch journalctl ip ss nsenter unshare hostname setpriv python3; do
	command -v "$t" >/dev/null || skip "missing $t (tools/install-deps)"
done
JOURNAL_REMOTE=/lib/systemd/systemd-journal-remote
JOURNAL_UPLOAD=/lib/systemd/systemd-journal-upload
for b in /lib/systemd/systemd-journald "$JOURNAL_REMOTE" "$JOURNAL_UPLOAD" /sbin/audisp-remote; do
	[[ -x $b ]] || skip "missing $b (tools/install-deps)"
done

HOST_A=guard-fleet-a
HOST_B=guard-fleet-b
ADDR_A=10.231.0.1
ADDR_B=10.231.0.2
JOURNAL_PORT=19532
FWD=$GUARD_SRC/packaging/forwarding
# Seconds after which a decision counts as blocked, and within which the
# records must have crossed.
DECISION_BOUND=10
ARRIVAL_BOUND=60

# This shell becomes host A: a network of its own (loopback and the veth
# alone) and its own host name.
if [[ ${GUARD_FLEET_HOST:-} != "$HOST_A" ]]; then
	exec env GUARD_FLEET_HOST="$HOST_A" unshare --net --uts -- bash "$(readlink -f -- "$0")" "$@"
fi
hostname "$HOST_A"
ip link set lo up

G=/usr/local/sbin/guardctl
work=$(mktemp -d)
B_PID=""
B_AUDITD=""
B_REMOTE=""
A_UPLOAD=""

# stop_pid PID: ends a process this test started and waits for it.
stop_pid() {
	[[ -n $1 ]] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	stop_pid "$A_UPLOAD" || true
	stop_pid "$B_REMOTE" || true
	stop_pid "$B_AUDITD" || true
	stop_daemons || true
	# The veth pair goes with B's network namespace; A's with this shell.
	stop_pid "$B_PID" || true
	rm -rf -- "$work" || true
}
trap cleanup EXIT

# on_b CMD...: runs CMD on host B (its network and host name).
on_b() {
	nsenter -t "$B_PID" --net --uts -- "$@"
}

# setting FILE KEY: the value of KEY in a shipped snippet (key = value).
setting() {
	sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "$FWD/$1"
}

# listening_b PORT: host B accepts connections on PORT.
listening_b() {
	[[ -n $(on_b ss -Hltn "sport = :$1") ]]
}

# wait_for WHAT CMD...: waits until CMD succeeds, at most ARRIVAL_BOUND s.
wait_for() {
	local what=$1 end=$((SECONDS + ARRIVAL_BOUND))
	shift
	until "$@"; do
		if [[ $SECONDS -ge $end ]]; then
			echo "waited ${ARRIVAL_BOUND}s for $what" >&2
			return 1
		fi
		sleep 0.2
	done
}

step "two hosts: $HOST_A ($ADDR_A, this shell) and $HOST_B ($ADDR_B), a veth pair between them"
# shellcheck disable=SC2016 # $1 is sh's
unshare --net --uts -- sh -c 'hostname "$1" && exec sleep 3600' sh "$HOST_B" &
B_PID=$!
b_named() { [[ $(nsenter -t "$B_PID" --uts hostname 2>/dev/null) == "$HOST_B" ]]; }
wait_for "host B" b_named || fail "host B did not start"
ip link add fleet-a type veth peer name fleet-b netns "$B_PID"
# IPv4 alone: no neighbour discovery or router solicitation on the link.
# shellcheck disable=SC2016 # $1 is sh's
disable_ipv6='[ ! -e "/proc/sys/net/ipv6/conf/$1" ] || echo 1 >"/proc/sys/net/ipv6/conf/$1/disable_ipv6"'
sh -c "$disable_ipv6" sh fleet-a
on_b sh -c "$disable_ipv6" sh fleet-b
ip addr add "$ADDR_A/24" dev fleet-a
ip link set fleet-a up
on_b ip link set lo up
on_b ip addr add "$ADDR_B/24" dev fleet-b
on_b ip link set fleet-b up
assert_eq "$HOST_A" "$(hostname)" "host A's name"
assert_eq "$HOST_B" "$(on_b hostname)" "host B's name"
assert_contains "$(ip -4 -o addr show dev fleet-a)" "$ADDR_A/24" "host A's address"
assert_contains "$(on_b ip -4 -o addr show dev fleet-b)" "$ADDR_B/24" "host B's address"

step "host B: auditd listening as auditd-collector.conf shows, systemd-journal-remote --listen-http"
B_DIR=$work/b
install -d -m 0750 "$B_DIR" "$B_DIR/plugins.d" "$B_DIR/journal"
B_LOG=$B_DIR/audit.log
AUDIT_PORT=$(setting auditd-collector.conf tcp_listen_port)
[[ $AUDIT_PORT =~ ^[0-9]+$ ]] || fail "auditd-collector.conf has no tcp_listen_port"
{
	cat <<EOF
local_events = no
write_logs = yes
log_file = $B_LOG
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 1
plugin_dir = $B_DIR/plugins.d
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
EOF
	grep -v -e '^#' -e '^[[:space:]]*$' "$FWD/auditd-collector.conf"
} >"$B_DIR/auditd.conf"
chmod 0640 "$B_DIR/auditd.conf"

start_b() {
	# nsenter becomes the daemon: $! is the daemon's pid.
	nsenter -t "$B_PID" --net --uts -- auditd -n -c "$B_DIR" >>"$B_DIR/auditd.out" 2>&1 &
	B_AUDITD=$!
	nsenter -t "$B_PID" --net --uts -- "$JOURNAL_REMOTE" --listen-http="$ADDR_B:$JOURNAL_PORT" \
		--split-mode=none --output="$B_DIR/journal/remote.journal" \
		>>"$B_DIR/journal-remote.out" 2>&1 &
	B_REMOTE=$!
	wait_for "B's auditd on port $AUDIT_PORT" listening_b "$AUDIT_PORT" ||
		fail "B's auditd does not listen: $(cat "$B_DIR/auditd.out")"
	wait_for "B's systemd-journal-remote on port $JOURNAL_PORT" listening_b "$JOURNAL_PORT" ||
		fail "B's journal-remote does not listen: $(cat "$B_DIR/journal-remote.out")"
}

stop_b() {
	stop_pid "$B_AUDITD"
	B_AUDITD=""
	stop_pid "$B_REMOTE"
	B_REMOTE=""
	! listening_b "$AUDIT_PORT" || fail "B's auditd still listens"
	! listening_b "$JOURNAL_PORT" || fail "B's journal-remote still listens"
}
start_b

step "host A: journald and journal-upload (journal-upload.conf), auditd and audisp-remote (au-remote.conf, audisp-remote.conf)"
start_journald || fail "journald did not start"
AUDIT_HALF=1
if [[ $(audit_pid) != 0 ]]; then
	AUDIT_HALF=0
	echo "(an audit daemon of the machine is registered with the kernel: the audit half is skipped)"
fi
A_DIR=$work/a
install -d -m 0750 "$A_DIR" "$A_DIR/plugins.d"
install -m 0640 "$FWD/au-remote.conf" "$A_DIR/plugins.d/au-remote.conf"
plugin=$(setting au-remote.conf path)
[[ -x $plugin ]] || fail "au-remote.conf runs $plugin, which is not installed"
sed "s/^remote_server[[:space:]]*=.*/remote_server = $ADDR_B/" "$FWD/audisp-remote.conf" \
	>/etc/audit/audisp-remote.conf
chmod 0640 /etc/audit/audisp-remote.conf
assert_eq "$AUDIT_PORT" "$(setting audisp-remote.conf port)" \
	"audisp-remote.conf sends to auditd-collector.conf's tcp_listen_port"
QUEUE=$(setting audisp-remote.conf queue_file)
[[ $QUEUE == /* ]] || fail "audisp-remote.conf has no queue_file"
# As the snippet says: its directory must exist (audisp-remote makes the
# file, not the directory, and exits without it).
install -d -m 0700 "$(dirname -- "$QUEUE")"
if [[ $AUDIT_HALF -eq 1 ]]; then
	start_auditd "$A_DIR" "name_format = hostname" "plugin_dir = $A_DIR/plugins.d" ||
		fail "A's auditd did not start"
	A_LOG=$(audit_log)
	audisp_up() { pgrep -x -P "$AUDITD_PID" audisp-remote >/dev/null; }
	wait_for "audisp-remote" audisp_up || fail "auditd did not start audisp-remote"
fi
[[ $(setting journal-upload.conf URL) == *":$JOURNAL_PORT" ]] ||
	fail "journal-upload.conf does not send to journal-remote's port $JOURNAL_PORT"
sed "s|^URL=.*|URL=http://$ADDR_B:$JOURNAL_PORT|" "$FWD/journal-upload.conf" \
	>/etc/systemd/journal-upload.conf

# start_upload: journal-upload as its unit runs it (the URL and the rest
# from journal-upload.conf).
start_upload() {
	"$JOURNAL_UPLOAD" --save-state="$work/upload.state" >>"$work/upload.out" 2>&1 &
	A_UPLOAD=$!
}
start_upload

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  mode     = enforce
  default  = deny
  audit    = required
  journal  = yes
  timezone = "UTC"
}
protected_users = { "root", "uid:0-999" }
rule "helpdesk-create" {
  actions  = { "user.create" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  decision = allow
}
command "useradd" { path = "/usr/sbin/useradd" }
POLICY
chmod 0644 /etc/guard/guard.conf
assert_exit 0 "$G" check

n=0
events=0
# decide WHO STATUS: guardctl useradd fleet-N on A by WHO, answered with
# STATUS within DECISION_BOUND seconds. Counts the events it makes: the
# decision, and the command's end when it ran.
decide() {
	local who=$1 want=$2
	n=$((n + 1))
	run_cmd timeout "$DECISION_BOUND" setpriv --reuid="$who" --regid="$who" --init-groups -- \
		"$G" --reason "fleet $n" useradd -N "fleet-$n"
	[[ $STATUS != 124 ]] || fail "decision $n ($who) still waited after ${DECISION_BOUND}s"
	[[ $STATUS == "$want" ]] || fail "decision $n ($who): status $STATUS, want $want: $ERR"
	events=$((events + 1))
	[[ $STATUS != 0 ]] || events=$((events + 1))
}

# The ids of Guard's events: A's audit log, B's records from A, A's
# journal, B's entries from A.
a_audit_ids() {
	grep -a -o ' guard_id=[0-9a-f]*' "$A_LOG" | cut -d= -f2 | sort -u
}
b_audit_ids() {
	{ grep -a "^node=$HOST_A " "$B_LOG" 2>/dev/null || true; } |
		grep -a -o ' guard_id=[0-9a-f]*' | cut -d= -f2 | sort -u
}
a_journal_ids() {
	journalctl --no-pager -o export 2>/dev/null | sed -n 's/^GUARD_EVENT_ID=//p' | sort -u
}
b_journal() {
	journalctl --no-pager --file="$B_DIR/journal/*.journal*" "$@" 2>/dev/null
}
b_journal_ids() {
	b_journal -o export "_HOSTNAME=$HOST_A" | sed -n 's/^GUARD_EVENT_ID=//p' | sort -u
}
audit_on_b() {
	[[ -z $(comm -23 <(a_audit_ids) <(b_audit_ids)) ]]
}
journal_on_b() {
	sync_journal
	[[ -z $(comm -23 <(a_journal_ids) <(b_journal_ids)) ]]
}
# id_of N TYPE: the guard_id= of decision N's TYPE record on A.
id_of() {
	grep -a "type=$2 .*acct=\"fleet-$1\"" "$A_LOG" | grep -a -o ' guard_id=[0-9a-f]*' | cut -d= -f2
}
# wait_a_audit N: decision N is in A's log.
wait_a_audit() {
	wait_audit "op=guard-user.create .*acct=\"fleet-$1\"" || fail "decision $1 is not in A's log"
}

step "decisions on A are found on B: ausearch --node $HOST_A, journalctl --file _HOSTNAME=$HOST_A"
decide alice 0
decide dave 1
sync_journal
assert_eq "$events" "$(a_journal_ids | wc -l)" "two decisions and the command's end in A's journal"
if [[ $AUDIT_HALF -eq 1 ]]; then
	wait_a_audit 2
	wait_for "A's records on B" audit_on_b ||
		fail "records of A missing on B: $(comm -23 <(a_audit_ids) <(b_audit_ids))"
	allowed=$(id_of 1 USER_ACCT)
	refused=$(id_of 2 USER_ACCT)
	[[ $allowed =~ ^[0-9a-f]{32}$ && $refused =~ ^[0-9a-f]{32}$ ]] || fail "no guard_id on A"
	run_cmd ausearch -i --input "$B_LOG" --node "$HOST_A" -m USER_ACCT
	assert_eq 0 "$STATUS" "ausearch --node $HOST_A on B's log: $ERR"
	rec=$(grep -a -F "guard_id=$allowed" <<<"$OUT" || true)
	assert_contains "$rec" "node=$HOST_A type=USER_ACCT" "the allowed decision on B"
	assert_contains "$rec" 'actor="alice"' "actor"
	assert_contains "$rec" "acct=fleet-1" "target"
	assert_contains "$rec" "decision=allow" "decision"
	assert_contains "$rec" "res=success" "res"
	rec=$(grep -a -F "guard_id=$refused" <<<"$OUT" || true)
	assert_contains "$rec" "node=$HOST_A type=USER_ACCT" "the refused decision on B"
	assert_contains "$rec" 'actor="dave"' "actor"
	assert_contains "$rec" "decision=deny" "decision"
	assert_contains "$rec" "res=failed" "res"
	run_cmd ausearch -i --input "$B_LOG" --node "$HOST_B" -m USER_ACCT
	assert_not_contains "$OUT" "guard_id=" "B made no decision: no record under B's name"
fi
wait_for "A's journal on B" journal_on_b ||
	fail "entries of A missing on B: $(comm -23 <(a_journal_ids) <(b_journal_ids))"
out=$(b_journal -o verbose "_HOSTNAME=$HOST_A" GUARD_TARGET=fleet-1 GUARD_EVENT=decision)
assert_contains "$out" "GUARD_DECISION=allow" "the allowed decision in B's journal"
assert_contains "$out" "GUARD_ACTOR=alice" "actor"
assert_contains "$out" "_HOSTNAME=$HOST_A" "A's host name"
[[ $AUDIT_HALF -eq 0 ]] || assert_contains "$out" "GUARD_EVENT_ID=$allowed" "the id of the audit record"
out=$(b_journal -o verbose "_HOSTNAME=$HOST_A" GUARD_TARGET=fleet-2)
assert_contains "$out" "GUARD_DECISION=deny" "the refused decision in B's journal"
assert_contains "$out" "GUARD_ACTOR=dave" "actor"
[[ $AUDIT_HALF -eq 0 ]] || assert_contains "$out" "GUARD_EVENT_ID=$refused" "the id of the audit record"

step "B stopped: A keeps deciding, each answer within ${DECISION_BOUND}s; records wait in audisp-remote's queue"
stop_b
first=$((n + 1))
for _ in 1 2 3; do
	decide alice 0
	decide dave 1
done
last=$n
if [[ $AUDIT_HALF -eq 1 ]]; then
	wait_a_audit "$last"
	for ((i = first; i <= last; i++)); do
		id=$(id_of "$i" USER_ACCT)
		# The file keeps sent records too (a slot is reused, not
		# cleared); these were never sent.
		grep -a -q -F "guard_id=$id" "$QUEUE" ||
			fail "decision $i ($id) is not in audisp-remote's queue $QUEUE"
	done
	# No record of A reached B while it was down.
	assert_eq "" "$(grep -a -F "acct=\"fleet-$last\"" "$B_LOG" || true)" "B's log while B is down"
fi
# journal-upload gives up when an upload fails (its unit's Restart= starts
# it again): here it is stopped, and started again once B is back.
stop_pid "$A_UPLOAD"
A_UPLOAD=""

step "B restarted: the kept records arrive, none lost; a copy sent again is the same record"
start_b
# audisp-remote reconnects on the next record (remote_ending_action =
# reconnect): A decides again.
decide alice 0
start_upload
if [[ $AUDIT_HALF -eq 1 ]]; then
	wait_a_audit "$n"
	wait_for "the kept records on B" audit_on_b ||
		fail "records of A lost on B: $(comm -23 <(a_audit_ids) <(b_audit_ids))"
	python3 - "$A_LOG" "$B_LOG" "$HOST_A" <<'EOF' || fail "B's audit records against A's"
import re, sys
host = sys.argv[3]
def records(path):
    out = []
    for line in open(path, 'rb').read().decode('utf-8', 'replace').splitlines():
        if not line.startswith('node=%s ' % host):
            continue
        m = re.search(r' guard_id=([0-9a-f]{32})\b', line)
        if m:
            # Without the enriched part (after GS), which the writer adds.
            out.append((m.group(1), line.split('\x1d')[0]))
    return out
a, b = records(sys.argv[1]), records(sys.argv[2])
mine = {}
bad = 0
for i, text in a:
    if i in mine:
        print("A wrote two records with guard_id=%s" % i); bad = 1
    mine[i] = text
seen = {}
for i, text in b:
    seen[i] = seen.get(i, 0) + 1
    if i not in mine:
        print("B has guard_id=%s, which A never wrote: %s" % (i, text)); bad = 1
    elif text != mine[i]:
        print("B's copy of guard_id=%s differs:\n  A: %s\n  B: %s" % (i, mine[i], text)); bad = 1
lost = sorted(set(mine) - set(seen))
for i in lost:
    print("lost: %s" % mine[i]); bad = 1
print("   audit: %d records of A, %d on B, %d distinct ids, %d sent twice"
      % (len(a), len(b), len(seen), len(b) - len(seen)))
sys.exit(bad)
EOF
fi
wait_for "the kept journal entries on B" journal_on_b ||
	fail "entries of A lost on B: $(comm -23 <(a_journal_ids) <(b_journal_ids))"
journalctl --no-pager -o json >"$work/a.json"
b_journal -o json >"$work/b.json"
python3 - "$work/a.json" "$work/b.json" "$HOST_A" "$events" <<'EOF' || fail "B's journal entries against A's"
import json, sys
host = sys.argv[3]
# What a copy must keep: the event, its text, its origin and its time.
KEEP = ("MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "_PID",
        "_HOSTNAME", "_BOOT_ID", "_MACHINE_ID", "__REALTIME_TIMESTAMP")
def entries(path):
    out = []
    for line in open(path, 'rb').read().splitlines():
        if line.strip():
            e = json.loads(line)
            if "GUARD_EVENT_ID" in e:
                key = {k: v for k, v in e.items() if k.startswith("GUARD_") or k in KEEP}
                out.append((e["GUARD_EVENT_ID"], json.dumps(key, sort_keys=True), e))
    return out
a, b = entries(sys.argv[1]), entries(sys.argv[2])
mine = {}
bad = 0
for i, key, e in a:
    if i in mine:
        print("A's journal has GUARD_EVENT_ID=%s twice" % i); bad = 1
    mine[i] = key
seen = {}
for i, key, e in b:
    seen[i] = seen.get(i, 0) + 1
    if e.get("_HOSTNAME") != host:
        print("B has GUARD_EVENT_ID=%s from %r" % (i, e.get("_HOSTNAME"))); bad = 1
    if i not in mine:
        print("B has GUARD_EVENT_ID=%s, which A never wrote" % i); bad = 1
    elif key != mine[i]:
        print("B's copy of GUARD_EVENT_ID=%s differs:\n  A: %s\n  B: %s" % (i, mine[i], key)); bad = 1
for i in sorted(set(mine) - set(seen)):
    print("lost: %s" % mine[i]); bad = 1
if len(mine) != int(sys.argv[4]):
    print("A's journal has %d events, want %s" % (len(mine), sys.argv[4])); bad = 1
print("   journal: %d entries of A, %d on B, %d distinct ids, %d sent twice"
      % (len(a), len(b), len(seen), len(b) - len(seen)))
sys.exit(bad)
EOF

echo "ok"
