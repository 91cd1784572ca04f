#!/bin/bash
# docs/threat-model.md C37-C41: guardctl's setuid front and the decision
# service (guardctl/front/front.c, pam_guard/decided_guardctl.c). With
# guard-decided listening the front asks it; guardctl's own program runs
# only for what the service leaves to it. Through the installed setuid
# guardctl in the sandbox, with the service started here.
#
#   C37 the service decides ........... case_front_decides: guardctl's own
#                                       program replaced by one that fails;
#                                       alice's allowed command runs, dave's
#                                       is refused with its guidance, both in
#                                       the ledger; a subcommand is the
#                                       program's. Control: the program back.
#   C38 the caller cannot stop it ..... case_front_not_stoppable: the store
#                                       held locked by root, so the service
#                                       waits; alice's SIGSTOP to her own
#                                       waiting guardctl is refused (every id
#                                       is 0). Control: once decided, the
#                                       command runs.
#   C39 a service gone mid-run ........ case_front_service_dies: the service
#                                       killed while the tool runs: the
#                                       tool's exit status reaches the
#                                       caller, the warning says it was not
#                                       stored, the ledger has none. Control:
#                                       with the service up, it is stored.
#                                       case_front_service_dies_deciding:
#                                       killed while it decides: refused
#                                       with the way forward, nothing run,
#                                       the program not asked.
#   C40 runs that never end ........... case_front_runs_bounded: 96 tools
#                                       waiting (as many as the service has
#                                       slots): 64 hold every run slot, the
#                                       rest and the next guardctl are
#                                       decided by guardctl's own program,
#                                       and pam_guard's request is answered
#                                       by the service at once.
#   C41 the tool's environment ........ case_front_environment: a hostile
#                                       environment to the front: the tool
#                                       gets the allowlist only, as from
#                                       guardctl's own program.
#   C42 the records are the caller's .. case_front_records: with the
#                                       sandbox's auditd and journald, alice's
#                                       command from a login session of hers:
#                                       the decision's and the end's audit
#                                       records carry her login uid and name
#                                       the front as exe=, the journal entry
#                                       her login uid and guardctl's _COMM.
#                                       Control: the same from guardctl's own
#                                       program, the service stopped.

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
. "$GUARD_SRC/tests/integration/daemons.sh"
attack_init "$@"

G=$GUARDCTL
DECIDED=/usr/local/libexec/guard/guard-decided
PROGRAM=/usr/local/libexec/guard/guardctl
STORE=/var/lib/guard/guard.db
SLOW=/usr/local/sbin/guard-slowtool
SHOWENV=/usr/local/sbin/guard-showenv

front_policy() {
	cat <<POLICY
settings {
  audit    = ${FRONT_AUDIT:-off}
  journal  = ${FRONT_JOURNAL:-no}
  timezone = "UTC"
}
rule "admins" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = allow
}
rule "helpdesk" {
  actions  = { "user.create", "user.modify", "user.password" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  decision = allow
}
rule "slow" {
  actions  = { "user.lock" }
  actors   = { "%helpdesk" }
  decision = allow
}
command "useradd"  { path = "/usr/sbin/useradd" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "slowtool" { path = "$SLOW" actions = { "user.lock" } }
command "showenv"  { path = "$SHOWENV" actions = { "user.lock" } }
POLICY
}

# A tool that says it started, waits for $T/go (at most 30 s), exits 7.
install_slowtool() {
	cat >"$SLOW" <<EOF
#!/bin/sh
touch "$T/started.\$\$"
i=0
while [ ! -e "$T/go" ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
exit 7
EOF
	chmod 0755 "$SLOW"
}

need_front() {
	userdel -f frontnew >/dev/null 2>&1 || true
	# An ordinary account alice may change.
	getent passwd fronttarget >/dev/null || useradd -M -N fronttarget
	[[ -x $DECIDED ]] || skip "guard-decided is not installed in the sandbox"
	[[ -x $PROGRAM ]] || skip "guardctl's own program is not installed in the sandbox"
	front_policy >"$T/front.conf"
	install_policy "$T/front.conf"
	install_slowtool
	rm -f "$T"/started.* "$T/go"
	find /var/lib/guard -mindepth 1 -delete
}

start_service() {
	start_decided "$T/decided.log" || fail "guard-decided did not start"
	# shellcheck disable=SC2064 # expand now
	trap "touch '$T/go'; stop_decided; restore_program; rm -f '$SLOW' '$SHOWENV'" EXIT
}

stop_service() {
	stop_decided
}

# without_program: guardctl's own program replaced by one that says so and
# fails, so that only the service can have decided what succeeds.
without_program() {
	mv "$PROGRAM" "$T/program"
	printf '#!/bin/sh\necho "guardctl own program ran" >&2\nexit 99\n' >"$PROGRAM"
	chmod 0755 "$PROGRAM"
}
restore_program() {
	[[ -e $T/program ]] && mv -f "$T/program" "$PROGRAM"
	return 0
}

ledger() {
	sqlite3 -readonly "$STORE" "$1"
}

# wait_for FILE-GLOB: until a file matches (a tool started), 10 s at most.
wait_started() {
	local n=$1
	for _ in $(seq 200); do
		[[ $(find "$T" -maxdepth 1 -name 'started.*' | wc -l) -ge $n ]] && return 0
		sleep 0.05
	done
	fail "$n tools did not start"
}

case_front_decides() {
	need_front
	start_service
	without_program
	step "alice's allowed useradd: decided by the service, run by the front"
	run_cmd as_user alice "$G" useradd -M -N frontnew
	assert_eq 0 "$STATUS" "exit status"
	assert_not_contains "$ERR" "own program ran" "the program did not run"
	getent passwd frontnew >/dev/null || fail "the account was not made"
	assert_eq "allow 0" "$(ledger "SELECT decision || ' ' || exit_status FROM decisions ORDER BY id DESC LIMIT 1")" "ledger"
	step "dave's: refused by the service, with the guidance"
	run_cmd as_user dave "$G" useradd -M -N frontnew2
	assert_eq 1 "$STATUS" "exit status"
	assert_contains "$ERR" "guard: denied" "the guidance"
	assert_not_contains "$ERR" "own program ran" "the program did not run"
	getent passwd frontnew2 >/dev/null && fail "the account was made"
	step "chpasswd reads a batch: the program's, and the batch reaches the tool"
	local before
	before=$(getent shadow frontnew | cut -d: -f2)
	restore_program
	run_cmd as_user alice bash -c "echo 'frontnew:c37-secret' | $G chpasswd"
	assert_eq 0 "$STATUS" "exit status: $ERR"
	[[ $(getent shadow frontnew | cut -d: -f2) != "$before" ]] || fail "the password did not change"
	without_program
	step "a subcommand is the program's"
	run_cmd as_user alice "$G" status
	assert_eq 99 "$STATUS" "the program ran"
	step "control: the program back, the subcommand works"
	restore_program
	run_cmd as_user alice "$G" status
	assert_eq 0 "$STATUS" "status"
}

# lock_store NAME: root holds the store's write lock (sqlite3 in the
# background, fed through a fifo on fd 7) until unlock_store.
lock_store() {
	mkfifo "$T/$1.fifo"
	sqlite3 "$STORE" <"$T/$1.fifo" >/dev/null 2>&1 &
	LOCKER=$!
	exec 7>"$T/$1.fifo"
	echo 'BEGIN IMMEDIATE;' >&7
	# Held once the locker has the WAL's write lock (byte 120 of the -shm).
	for _ in $(seq 200); do
		grep -Eq "POSIX +ADVISORY +WRITE +$LOCKER [^ ]+ 120 120\$" /proc/locks && return 0
		sleep 0.05
	done
	fail "sqlite3 did not take the store's write lock: $(cat /proc/locks)"
}

# unlock_store COMMIT|ROLLBACK: the lock let go, the locker ended.
unlock_store() {
	echo "$1;" >&7
	exec 7>&-
	wait "$LOCKER" || true
}

# in_syscall PID NRS: PID is blocked in one of the system calls numbered
# NRS (x86_64: 7 poll, 35 nanosleep, 230 clock_nanosleep).
in_syscall() {
	local nr
	nr=$(cut -d ' ' -f 1 "/proc/$1/syscall" 2>/dev/null) || return 1
	[[ " $2 " == *" $nr "* ]]
}

# waiting_front ARGS OUT: FRONT, the pid of the front running "$G ARGS"
# once it waits for its answer (in poll) while the service waits for the
# store's lock (asleep in SQLite's busy handler); else fails, showing OUT,
# its output.
waiting_front() {
	FRONT=""
	for _ in $(seq 200); do
		FRONT=$(pgrep -f "^$G $1" | head -n 1 || true)
		[[ -n $FRONT ]] && in_syscall "$FRONT" 7 && in_syscall "$DECIDED_PID" "35 230" &&
			return 0
		sleep 0.05
	done
	fail "the front did not start, or did not wait: $(cat "$2")"
}

case_front_not_stoppable() {
	need_front
	start_service
	without_program
	run_cmd as_user alice "$G" usermod -c "warm" fronttarget
	assert_eq 0 "$STATUS" "the store made: $ERR"
	step "the store locked by root: the service waits, and so does alice's guardctl"
	lock_store c38
	as_user alice "$G" usermod -c "front c38" fronttarget >"$T/c38.out" 2>&1 &
	local job=$!
	waiting_front "usermod -c front c38" "$T/c38.out"
	step "alice cannot stop her own guardctl while it waits for the decision"
	if as_user alice kill -STOP "$FRONT" 2>/dev/null; then
		kill -CONT "$FRONT" 2>/dev/null || true
		fail "alice stopped her guardctl while the service decided"
	fi
	grep -q '^Uid:[[:space:]]*0[[:space:]]*0[[:space:]]*0' "/proc/$FRONT/status" ||
		fail "the waiting front does not hold every uid 0: $(grep Uid "/proc/$FRONT/status")"
	step "control: the lock released, the command is decided and runs"
	unlock_store COMMIT
	local rc=0
	wait "$job" || rc=$?
	assert_eq 0 "$rc" "guardctl's exit status: $(cat "$T/c38.out")"
	assert_eq "front c38" "$(getent passwd fronttarget | cut -d: -f5)" "the GECOS changed"
}

case_front_service_dies() {
	need_front
	start_service
	step "control: the service up, the tool's exit status is stored"
	touch "$T/go"
	run_cmd as_user alice "$G" slowtool
	assert_eq 7 "$STATUS" "the tool's exit status"
	assert_eq "$((7 << 8))" "$(ledger 'SELECT exit_status FROM decisions ORDER BY id DESC LIMIT 1')" "ledger"
	rm -f "$T/go" "$T"/started.*
	step "the service killed while the tool runs"
	as_user alice "$G" slowtool >"$T/c39.out" 2>&1 &
	local job=$! rc=0
	wait_started 1
	kill -9 "$DECIDED_PID"
	wait "$DECIDED_PID" 2>/dev/null || true
	DECIDED_PID="" # gone: the EXIT trap's stop_decided must not signal its pid reused
	touch "$T/go"
	wait "$job" || rc=$?
	assert_eq 7 "$rc" "the tool's exit status reaches the caller"
	assert_contains "$(cat "$T/c39.out")" "warning: the exit status could not be stored" "said"
	assert_eq "" "$(ledger 'SELECT exit_status FROM decisions ORDER BY id DESC LIMIT 1')" \
		"no exit status in the ledger"
}

# C39: the service killed while it decides. The request was sent, so the
# decision may have been spent (a limit's use): the front refuses with the
# way forward, runs nothing, and never asks guardctl's own program (here
# one that fails, which would say something else).
case_front_service_dies_deciding() {
	need_front
	start_service
	without_program
	run_cmd as_user alice "$G" usermod -c "warm" fronttarget
	assert_eq 0 "$STATUS" "the store made: $ERR"
	step "the store locked by root, alice's guardctl waits for the decision"
	lock_store c39
	as_user alice "$G" usermod -c "front c39" fronttarget >"$T/c39d.out" 2>&1 &
	local job=$! rc=0
	waiting_front "usermod -c front c39" "$T/c39d.out"
	step "the service killed: refused, with what to do next; nothing ran"
	kill -9 "$DECIDED_PID"
	wait "$DECIDED_PID" 2>/dev/null || true
	DECIDED_PID="" # gone: the EXIT trap's stop_decided must not signal its pid reused
	wait "$job" || rc=$?
	unlock_store ROLLBACK
	[[ $rc -ne 0 ]] || fail "guardctl succeeded without a decision: $(cat "$T/c39d.out")"
	assert_contains "$(cat "$T/c39d.out")" "refused: the decision service ended without an answer" \
		"the refusal"
	assert_contains "$(cat "$T/c39d.out")" "next:      nothing ran; run the command again" \
		"the way forward"
	! grep -q "guardctl own program ran" "$T/c39d.out" ||
		fail "guardctl's own program was asked after the request was sent"
	assert_eq "warm" "$(getent passwd fronttarget | cut -d: -f5)" "the GECOS unchanged"
}

case_front_runs_bounded() {
	need_front
	command -v pamtester >/dev/null || skip "pamtester is not installed"
	local pam_dir
	pam_dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $pam_dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	printf '%s\n' 'account required pam_guard.so action=role.escalate' \
		'account required pam_permit.so' >/etc/pam.d/guard-svc
	start_service
	step "96 tools that wait: 64 hold every run slot, the rest are the program's"
	local jobs=()
	for _ in $(seq 96); do
		as_user alice "$G" slowtool >/dev/null 2>&1 &
		jobs+=($!)
	done
	wait_started 96
	step "the next guardctl is decided at once"
	run_cmd timeout 10 setpriv --reuid=alice --regid=alice --init-groups -- \
		"$G" usermod -c "front c40" fronttarget
	assert_eq 0 "$STATUS" "exit status: $ERR"
	assert_eq "front c40" "$(getent passwd fronttarget | cut -d: -f5)" "the GECOS changed"
	step "pam_guard's request is still answered by the service"
	run_cmd timeout 10 pamtester -I ruser=bob guard-svc root acct_mgmt
	assert_eq 0 "$STATUS" "bob (admins) is allowed"
	touch "$T/go"
	for j in "${jobs[@]}"; do
		wait "$j" || true
	done
	assert_eq 96 "$(ledger "SELECT count(*) FROM decisions WHERE exit_status = $((7 << 8))")" \
		"every waiting run's end was recorded"
}

case_front_environment() {
	need_front
	cat >"$SHOWENV" <<EOF
#!/bin/sh
env | sort >"$T/env.out"
EOF
	chmod 0755 "$SHOWENV"
	build_helper exec_env
	start_service
	without_program
	step "a hostile environment to the front: the tool gets the allowlist"
	run_cmd as_user alice "$T/exec_env" LD_PRELOAD=/tmp/evil.so TZ=/tmp/evil GCONV_PATH=/tmp \
		PATH=/tmp/evil:/bin TERM=xterm HOME=/tmp IFS=x -- "$G" showenv
	assert_eq 0 "$STATUS" "exit status: $ERR"
	local env
	env=$(cat "$T/env.out")
	for v in LD_PRELOAD= TZ= GCONV_PATH= IFS= /tmp; do
		assert_not_contains "$env" "$v" "the caller's $v reaches the tool"
	done
	assert_contains "$env" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "the fixed PATH"
	assert_contains "$env" "HOME=/root" "root's HOME"
	assert_contains "$env" "GUARD_USER=alice" "the caller's name"
	assert_contains "$env" "TERM=xterm" "a plain TERM"
}

# record_of MARKER TYPE: the audit record of TYPE that holds MARKER,
# waited for (5 s at most).
record_of() {
	local rec
	for _ in $(seq 100); do
		rec=$(grep -a -F -- "$1" "$AUDIT_LOG" 2>/dev/null | grep -a -F "type=$2 " | tail -n 1 || true)
		[[ -n $rec ]] && break
		sleep 0.05
	done
	[[ -n $rec ]] || fail "no $2 record with $1"
	printf '%s\n' "$rec"
}

# records_of MARKER TYPE N: every audit record of TYPE that holds MARKER,
# once there are N of them (5 s at most), and a moment for a stray one.
records_of() {
	local recs
	for _ in $(seq 100); do
		recs=$(grep -a -F -- "$1" "$AUDIT_LOG" 2>/dev/null | grep -a -F "type=$2 " || true)
		[[ $(grep -c . <<<"$recs") -ge $3 ]] && break
		sleep 0.05
	done
	sleep 0.2
	grep -a -F -- "$1" "$AUDIT_LOG" 2>/dev/null | grep -a -F "type=$2 " || true
}

case_front_records() {
	FRONT_AUDIT=required FRONT_JOURNAL=yes need_front
	start_journald || fail "journald did not start"
	if ! start_auditd "$T/audit"; then
		[[ $(audit_pid) == 0 ]] || skip "an audit daemon runs, and its log is not readable"
		fail "auditd did not start"
	fi
	AUDIT_LOG=$(audit_log)
	local uid rec
	uid=$(id -u alice)
	start_service
	for how in service program; do
		step "the $how decides: the records are alice's own process's"
		[[ $how == program ]] && stop_service
		run_cmd as_login alice "$G" useradd -M -N "c42$how"
		assert_eq 0 "$STATUS" "exit status: $ERR"
		rec=$(record_of "acct=\"c42$how\"" USER_ACCT)
		assert_contains "$rec" " auid=$uid " "the decision's login uid"
		assert_contains "$rec" 'exe="/usr/local/sbin/guardctl"' "the decision's exe"
		rec=$(record_of "acct=\"c42$how\"" USER_CMD)
		assert_contains "$rec" " auid=$uid " "the end's login uid"
		assert_contains "$rec" 'exe="/usr/local/sbin/guardctl"' "the end's exe"
		# The same again fails (9): an end of exit 0 is given with the
		# decision, any other comes after the tool; each is recorded
		# once, with the status the tool had.
		run_cmd as_login alice "$G" useradd -M -N "c42$how"
		assert_eq 9 "$STATUS" "a failing tool's status: $ERR"
		rec=$(records_of "acct=\"c42$how\"" USER_CMD 2)
		assert_eq 2 "$(grep -c . <<<"$rec")" "one end recorded per run"
		assert_contains "$(head -n 1 <<<"$rec")" " exit=0 " "the first run's end"
		assert_contains "$(tail -n 1 <<<"$rec")" " exit=9 " "the failing run's end"
		assert_contains "$(tail -n 1 <<<"$rec")" " auid=$uid " "the failing end's login uid"
		sync_journal
		local j
		j=$(journalctl --no-pager -o export GUARD_TARGET="c42$how" GUARD_EVENT=decision 2>/dev/null)
		assert_contains "$j" "_AUDIT_LOGINUID=$uid" "the journal's login uid"
		assert_contains "$j" "_COMM=guardctl" "the journal's _COMM"
	done
	stop_daemons
}

attack_case "C37 guardctl front: the service decides, the program only what it leaves" case_front_decides
attack_case "C38 guardctl front: the caller cannot stop it while the service decides" case_front_not_stoppable
attack_case "C39 guardctl front: a service gone while the tool runs" case_front_service_dies
attack_case "C39 guardctl front: a service gone while it decides refuses, with the way forward" case_front_service_dies_deciding
attack_case "C40 guardctl front: waiting runs are bounded, the service still answers" case_front_runs_bounded
attack_case "C41 guardctl front: the tool's environment is the allowlist" case_front_environment
attack_case "C42 guardctl front: the records are the caller's process's" case_front_records
attack_done
