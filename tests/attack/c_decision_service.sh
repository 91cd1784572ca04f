#!/bin/bash
# docs/threat-model.md C30-C35: the decision service (guard-decided). It
# keeps the policy and the store between requests: each must be taken
# again whenever a fresh load or open would differ. Only root's processes
# may ask, a request cannot name another host, a stalled asker cannot hold
# it, and once it has a request the module never falls back to the
# helper. Requests come from the real pam_guard.so through pamtester, as
# root vouching for PAM_RUSER. Runs inside the sandbox.
#
#   C30 the service decides ............ case_decides
#   C31 a policy changed under it ...... case_policy_changes,
#                                         case_sudoers_changes
#   C32 a store changed under it ....... case_store_changes
#   C33 only root may ask .............. case_root_only
#   C34 a request naming another host .. case_other_pid
#   C35 stalled askers, a stopped
#       service, no service ............ case_stalled, case_no_service
#   C36 accounts changed under it ...... case_accounts_change,
#                                         case_accounts_keep_bound
#   C36 a policy naming many groups .... case_many_groups

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

DECIDED=/usr/local/libexec/guard/guard-decided
HELPER=$(make_var PAM_HELPER)
SOCK=/run/guard/decide.sock
STORE=/var/lib/guard/guard.db

service_policy() {
	cat <<'POLICY'
settings {
  audit    = off
  journal  = no
  timezone = "UTC"
}
rule "admins" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = allow
}
POLICY
}

need_service() {
	local pam_dir
	[[ -e $T/helper ]] && mv -f "$T/helper" "$HELPER"
	[[ -x $DECIDED ]] || skip "guard-decided is not installed in the sandbox"
	[[ -x $HELPER ]] || skip "$HELPER is not installed in the sandbox"
	command -v pamtester >/dev/null || skip "pamtester is not installed"
	pam_dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $pam_dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	printf '%s\n' 'account required pam_guard.so action=role.escalate' \
		'account required pam_permit.so' >/etc/pam.d/guard-svc
	service_policy >"$T/service.conf"
	install_policy "$T/service.conf"
	find /var/lib/guard -mindepth 1 -delete
}

# start_service: guard-decided in the background, its stderr in
# $T/decided.log; stopped when the case ends.
start_service() {
	rm -rf /run/guard
	"$DECIDED" 2>"$T/decided.log" &
	DECIDED_PID=$!
	# shellcheck disable=SC2064 # expand now
	trap "kill -CONT $DECIDED_PID 2>/dev/null || true; kill $DECIDED_PID 2>/dev/null || true; wait $DECIDED_PID 2>/dev/null || true; mv -f '$T/helper' '$HELPER' 2>/dev/null || true" EXIT
	for _ in $(seq 100); do
		[[ -S $SOCK ]] && return 0
		sleep 0.05
	done
	fail "guard-decided did not make $SOCK: $(cat "$T/decided.log")"
}

# without_helper / with_helper: the exec'd helper moved away and back, so
# that only the service can decide.
without_helper() { mv "$HELPER" "$T/helper"; }
with_helper() { mv "$T/helper" "$HELPER"; }

# ask USER: pamtester's acct_mgmt for USER (PAM_RUSER) becoming root.
ask() {
	run_cmd pamtester -I ruser="$1" guard-svc root acct_mgmt
}

allowed() {
	ask "$1"
	assert_eq 0 "$STATUS" "$1 through the service: $OUT $ERR"
}

refused() {
	ask "$1"
	[[ $STATUS -ne 0 ]] || fail "$1 was allowed: $OUT $ERR"
	assert_contains "$OUT$ERR" "${2:-guard: }"
}

# ledger_rows: the decisions in the store (0 when there is none; never
# made by asking).
ledger_rows() {
	if [[ -e $STORE ]]; then
		sqlite3 "$STORE" 'SELECT count(*) FROM decisions'
	else
		echo 0
	fi
}

# C30: with the helper gone only the service can answer: bob (admins) is
# allowed, dave refused, both in the store's ledger.
case_decides() {
	need_service
	start_service
	without_helper
	step "bob is allowed, dave denied, by the service alone"
	allowed bob
	refused dave "guard: denied"
	assert_eq 2 "$(ledger_rows)" "the ledger's rows"
	step "control: with the service stopped and no helper, nothing is decided"
	kill "$DECIDED_PID"
	wait "$DECIDED_PID" || true
	refused bob "no decision"
}

# C31: the kept policy is never used once a fresh load would differ: the
# same size and mtime but new content (ctime), a mode that makes the load
# refuse, a new drop-in, a broken line.
case_policy_changes() {
	need_service
	start_service
	without_helper
	sleep 3.1 # past the racy window (whole seconds: up to 3 s): the next load is kept
	allowed bob
	allowed bob
	step "same size, same mtime, dave instead of bob: follows the file"
	touch -r /etc/guard/guard.conf "$T/stamp"
	sed 's/"%admins"/"dave"   /' /etc/guard/guard.conf >"$T/dave.conf"
	assert_eq "$(stat -c %s /etc/guard/guard.conf)" "$(stat -c %s "$T/dave.conf")" "sizes"
	cat "$T/dave.conf" >/etc/guard/guard.conf
	touch -r "$T/stamp" /etc/guard/guard.conf
	assert_eq "$(stat -c %y "$T/stamp")" "$(stat -c %y /etc/guard/guard.conf)" "mtime kept"
	refused bob "guard: denied"
	allowed dave
	sleep 3.1
	allowed dave
	step "group-writable policy: refused as a fresh load refuses"
	chmod 0664 /etc/guard/guard.conf
	refused dave "cannot be loaded"
	chmod 0644 /etc/guard/guard.conf
	allowed dave
	sleep 3.1
	allowed dave
	step "a drop-in that allows erin is read"
	refused erin "guard: denied"
	printf 'rule "erin" {\n  actions = { "role.escalate" }\n  actors = { "erin" }\n  decision = allow\n}\n' \
		>"$T/erin.conf"
	install -m 0644 "$T/erin.conf" /etc/guard/guard.d/00-erin.conf
	allowed erin
	step "a broken line: refused, the file and line in the log"
	echo 'rule "x" { decision = maybe }' >>/etc/guard/guard.conf
	refused dave "cannot be loaded"
}

# C31: sudoers is an input of the policy (what it grants is privileged):
# a grant added under a kept policy makes its account @protected at the
# next request, and its removal frees it again.
case_sudoers_changes() {
	need_service
	printf '%s\n' 'account required pam_guard.so action=user.password' \
		'account required pam_permit.so' >/etc/pam.d/guard-pw
	{
		service_policy
		printf 'rule "passwords" {\n  actions = { "user.password" }\n  actors = { "bob" }\n  targets = { "!@protected" }\n  decision = allow\n}\n'
	} >"$T/pw.conf"
	install_policy "$T/pw.conf"
	rm -f /etc/sudoers.d/c31
	start_service
	without_helper
	sleep 3.1 # past the racy window (whole seconds: up to 3 s): the next load is kept
	step "bob may set dave's password, twice from the kept policy"
	run_cmd pamtester -I ruser=bob guard-pw dave acct_mgmt
	assert_eq 0 "$STATUS" "dave's password: $OUT $ERR"
	run_cmd pamtester -I ruser=bob guard-pw dave acct_mgmt
	assert_eq 0 "$STATUS" "dave's password again: $OUT $ERR"
	step "sudoers grants dave: refused at once"
	echo 'dave ALL=(ALL) ALL' >/etc/sudoers.d/c31
	chmod 0440 /etc/sudoers.d/c31
	run_cmd pamtester -I ruser=bob guard-pw dave acct_mgmt
	[[ $STATUS -ne 0 ]] || fail "dave's password with sudoers granting dave: $OUT $ERR"
	assert_contains "$OUT$ERR" "guard: denied"
	step "control: the grant gone, allowed again"
	rm -f /etc/sudoers.d/c31
	run_cmd pamtester -I ruser=bob guard-pw dave acct_mgmt
	assert_eq 0 "$STATUS" "dave's password without the grant: $OUT $ERR"
	rm -f /etc/pam.d/guard-pw
}

# C32: the kept store is never written once it is no longer the checked
# file at its path.
case_store_changes() {
	need_service
	start_service
	without_helper
	allowed bob
	step "the store removed: a new one is made, the decision lands in it"
	rm -f "$STORE" "$STORE-wal" "$STORE-shm"
	allowed bob
	assert_eq 1 "$(ledger_rows)" "rows in the new store"
	step "the store made 0644: refused, as a fresh open refuses"
	chmod 0644 "$STORE"
	refused bob "state store"
	chmod 0600 "$STORE"
	allowed bob
	step "the store replaced by a symlink: refused"
	mv "$STORE" "$T/real.db"
	ln -s "$T/real.db" "$STORE"
	refused bob "guard: refused"
	rm "$STORE"
	mv "$T/real.db" "$STORE"
	allowed bob
}

# C33: the socket is root's and 0600; made 0666 by mistake, the service
# still closes a connection from anyone but root unanswered.
case_root_only() {
	need_service
	start_service
	step "dave cannot connect"
	run_cmd as_user dave python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])' "$SOCK"
	[[ $STATUS -ne 0 ]] || fail "dave connected to $SOCK"
	assert_contains "$ERR" "Permission denied"
	step "socket made 0666: dave's connection is closed unanswered"
	chmod 0666 "$SOCK"
	run_cmd as_user dave python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
# The service may close before the bytes are sent, or while they are.
try:
    s.sendall(b"PGW1" + bytes(8))
    n = len(s.recv(4096))
except (BrokenPipeError, ConnectionResetError):
    n = 0
print("answer bytes:", n)' "$SOCK"
	assert_eq 0 "$STATUS" "dave's client: $ERR"
	assert_contains "$OUT" "answer bytes: 0"
	assert_contains "$(cat "$T/decided.log")" "refused a connection from uid $(id -u dave)"
	step "control: root is answered"
	allowed bob
}

# C34: a request is bound to the process that sent it. pamtester's request
# is captured by a stand-in listener, then replayed to the service by
# another process: refused, and the reason says why.
case_other_pid() {
	need_service
	rm -rf /run/guard
	install -d -m 0755 /run/guard
	python3 - "$SOCK" "$T/request" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
data = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
open(sys.argv[2], "wb").write(data)
PY
	local grabber=$!
	for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.05; done
	ask bob
	wait "$grabber"
	[[ -s $T/request ]] || fail "no request captured"
	start_service
	step "the captured request, replayed by another process: refused"
	run_cmd python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(open(sys.argv[2], "rb").read())
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.write(data.replace(b"\0", b" ").decode("latin-1"))' "$SOCK" "$T/request"
	assert_eq 0 "$STATUS" "replay client: $ERR"
	assert_contains "$OUT" "names another process"
	assert_eq 0 "$(ledger_rows)" "rows after the replay"
	step "control: pamtester's own request is allowed"
	allowed bob
}

# C35: a root process that connects and stalls holds one slot for two
# seconds, not the service; a stopped service is not worked around (the
# module refuses after its time-out, it does not start the helper), and
# the request it gave up on is not decided when the service resumes.
case_stalled() {
	need_service
	start_service
	step "a stalled asker: bob is still decided, the staller is dropped"
	python3 - "$SOCK" >"$T/staller.out" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"PGW1")
s.settimeout(30)
start = time.monotonic()
s.recv(1)
print("dropped after", int(time.monotonic() - start), "s")
PY
	local staller=$!
	sleep 0.2
	without_helper
	allowed bob
	wait "$staller"
	assert_contains "$(cat "$T/staller.out")" "dropped after"
	[[ $(cat "$T/staller.out") != *"after 3"* ]] || fail "the staller was held 30 s"
	with_helper
	step "a stopped service: refused after the module's wait, no helper"
	kill -STOP "$DECIDED_PID"
	refused bob "no decision"
	kill -CONT "$DECIDED_PID"
	sleep 0.5
	assert_eq 1 "$(ledger_rows)" "rows: the request the module gave up on is not decided late"
	allowed bob
}

# C35: no service listening, or a socket directory that is not root's
# alone: the module starts the helper instead, and never talks to it.
case_no_service() {
	need_service
	start_service
	step "a stale socket (the service gone): the helper decides"
	kill "$DECIDED_PID"
	wait "$DECIDED_PID" || true
	[[ -S $SOCK ]] || fail "the service's socket is gone: no stale socket to test"
	allowed bob
	step "/run/guard writable by others: the service is not asked"
	start_service
	chmod 0777 /run/guard
	without_helper
	refused bob "no decision"
	chmod 0755 /run/guard
	allowed bob
}

# C36: the service keeps NSS's answers between requests (accounts_memo.c):
# never once the account files or nss_systemd's drop-in directories
# changed, and an answer that no file shows changing (a drop-in record
# edited in place, a varlink service, a directory service) for
# GUARD_ACCOUNTS_KEEP_MS (1 s) at most. Each step below runs well within
# that second of the answer it makes stale.
case_accounts_change() {
	need_service
	start_service
	without_helper
	allowed bob
	step "bob taken out of admins (/etc/group replaced): refused at once"
	gpasswd -d bob admins >/dev/null
	refused bob "guard: denied"
	step "control: back in admins, allowed at once"
	gpasswd -a bob admins >/dev/null
	allowed bob
	step "/etc/group edited in place, same size: bob out of admins, refused at once"
	cp -p /etc/group "$T/group"
	python3 - <<'PY'
import re
with open("/etc/group", "r+") as f:
    t = f.read()
    u = re.sub(r"^(admins:[^:]*:[^:]*:.*)\bbob\b", lambda m: m.group(1) + "xxx", t, flags=re.M)
    assert u != t and len(u) == len(t)
    f.seek(0)
    f.write(u)
PY
	refused bob "guard: denied"
	cat "$T/group" >/etc/group
	allowed bob
	step "dave's primary group made admins (/etc/passwd): allowed at once"
	refused dave "guard: denied"
	usermod -g admins dave
	allowed dave
	usermod -g dave dave
	refused dave "guard: denied"
	step "a userdb membership record added, then removed: seen at once"
	mkdir -p /etc/userdb
	echo '{"userName":"dave","groupName":"admins"}' >/etc/userdb/dave:admins.membership
	id -Gn dave | grep -qw admins || skip "nss_systemd does not read /etc/userdb here"
	allowed dave
	rm /etc/userdb/dave:admins.membership
	refused dave "guard: denied"
}

# C36: a membership record edited in place changes no directory: the kept
# answers follow it within GUARD_ACCOUNTS_KEEP_MS (an empty record is no
# membership, nss_systemd reads the file's content).
case_accounts_keep_bound() {
	local rec=/etc/userdb/dave:admins.membership
	need_service
	mkdir -p /etc/userdb
	: >"$rec"
	id -Gn dave | grep -qw admins && skip "nss_systemd counts an empty membership record here"
	start_service
	without_helper
	refused dave "guard: denied"
	step "the record filled in place: dave allowed within the second"
	echo '{"userName":"dave","groupName":"admins"}' >"$rec"
	id -Gn dave | grep -qw admins || skip "nss_systemd does not read /etc/userdb here"
	sleep 1.2
	allowed dave
	step "the record emptied in place: dave refused again within the second"
	: >"$rec"
	sleep 1.2
	refused dave "guard: denied"
	rm -f "$rec"
}

# C36: a policy that names WALK_MIN (64) groups or more has them read in
# one walk of the group database (accounts_walk.c), not one
# getgrnam each: the walk must answer as getgrnam would. A member found by
# it is allowed; a role group the walk does not list still does not exist
# (it would grant its role to whoever creates it); a change to
# /etc/group counts at once.
case_many_groups() {
	need_service
	for i in $(seq 0 69); do groupadd "team$i"; done
	gpasswd -a carol team42 >/dev/null
	{
		service_policy
		for i in $(seq 0 70); do
			printf 'rule "team%s" {\n  actions  = { "role.escalate" }\n  actors   = { "%%team%s" }\n  decision = allow\n}\n' "$i" "$i"
		done
	} >"$T/many.conf"
	install_policy "$T/many.conf"
	start_service
	without_helper
	step "%team70, a role group, does not exist: every decision refuses"
	refused bob "role group %team70 does not exist"
	groupadd team70
	step "control: it exists, carol (team42) and bob (admins) allowed, dave refused"
	allowed carol
	allowed bob
	refused dave "guard: denied"
	step "carol taken out of team42: refused at once"
	gpasswd -d carol team42 >/dev/null
	refused carol "guard: denied"
	step "dave put in team69: allowed at once"
	gpasswd -a dave team69 >/dev/null
	allowed dave
}

attack_case "C30 decision service: decides alone" case_decides
attack_case "C31 decision service: a changed policy is read again" case_policy_changes
attack_case "C31 decision service: a changed sudoers is read again" case_sudoers_changes
attack_case "C32 decision service: a changed store is opened again" case_store_changes
attack_case "C33 decision service: only root may ask" case_root_only
attack_case "C34 decision service: a request is its sender's" case_other_pid
attack_case "C35 decision service: a stalled asker holds a slot, not the service" case_stalled
attack_case "C35 decision service: no service, or one not root's alone, means the helper" case_no_service
attack_case "C36 decision service: changed accounts are read again" case_accounts_change
attack_case "C36 decision service: answers no file shows changing are kept a second at most" case_accounts_keep_bound
attack_case "C36 decision service: a policy naming many groups reads them as getgrnam would" case_many_groups
attack_done
