# The audit daemon and systemd-journald of the sandbox, for the tests and
# the demo. Source it inside tests/sandbox/guard-sandbox (GUARD_SANDBOX=1):
#
#   . tests/integration/daemons.sh
#   trap stop_daemons EXIT
#   start_journald                 # on the sandbox's private /run/systemd/journal
#   start_auditd DIR [LINE...]     # private auditd.conf and log under DIR
#   ausearch -i --input "$(audit_log)" ...
#
# The kernel's audit is one per machine: when an audit daemon is already
# registered with it (a real server's auditd), start_auditd starts none,
# says so on stderr and audit_log names that daemon's log (through its
# /proc root); own_auditd then fails, and nothing may stop that daemon.
#
# Sets: JOURNALD_PID, AUDITD_PID (empty when not started here), AUDIT_LOG.
# A function that fails says why on stderr and returns 1.
# shellcheck shell=bash

JOURNALD_PID=""
AUDITD_PID=""
AUDIT_LOG=""
_DAEMONS_DIR=""
_DAEMONS_OWN_DIR=0
# The kernel's audit enabled flag before the first daemon started: journald
# switches auditing off when it starts, auditd may switch it on; the flag is
# the machine's, and stop_daemons puts it back.
_DAEMONS_AUDIT_ENABLED=""

_daemons_fail() {
	echo "daemons: $*" >&2
	return 1
}

# _daemons_dir [DIR]: where the daemons' own output goes.
_daemons_dir() {
	if [[ -n ${1:-} ]]; then
		mkdir -p -- "$1"
		_DAEMONS_DIR=$1
	elif [[ -z $_DAEMONS_DIR ]]; then
		_DAEMONS_DIR=$(mktemp -d)
		_DAEMONS_OWN_DIR=1
	fi
}

# audit_status FIELD: a field of the kernel's audit status (auditctl -s).
audit_status() {
	auditctl -s 2>/dev/null | awk -v f="$1" '$1 == f { print $2 }'
}

# audit_pid: the pid of the audit daemon registered with the kernel (0: none).
audit_pid() {
	audit_status pid
}

_daemons_save_audit_enabled() {
	if [[ -z $_DAEMONS_AUDIT_ENABLED ]] && command -v auditctl >/dev/null; then
		_DAEMONS_AUDIT_ENABLED=$(audit_status enabled)
	fi
}

_daemons_restore_audit_enabled() {
	local now
	[[ -n $_DAEMONS_AUDIT_ENABLED ]] || return 0
	now=$(audit_status enabled)
	if [[ -n $now && $now != 2 && $now != "$_DAEMONS_AUDIT_ENABLED" ]]; then
		auditctl -e "$_DAEMONS_AUDIT_ENABLED" >/dev/null 2>&1 ||
			echo "daemons: could not restore the kernel's audit enabled flag" \
				"($_DAEMONS_AUDIT_ENABLED)" >&2
	fi
	_DAEMONS_AUDIT_ENABLED=""
}

_daemons_reenable_audit() {
	if [[ -n $_DAEMONS_AUDIT_ENABLED && $_DAEMONS_AUDIT_ENABLED != 0 &&
		$(audit_status enabled) == 0 ]]; then
		auditctl -e "$_DAEMONS_AUDIT_ENABLED" >/dev/null 2>&1 || true
	fi
}

# own_auditd: true when start_auditd started the daemon in use.
own_auditd() {
	[[ -n $AUDITD_PID ]]
}

# audit_log: the file to read with ausearch --input / aureport --input.
audit_log() {
	[[ -n $AUDIT_LOG ]] || _daemons_fail "audit_log: start_auditd first"
	printf '%s\n' "$AUDIT_LOG"
}

# _other_auditd_log PID: the log of an audit daemon this shell did not start,
# as seen through its root (its own mount namespace may differ).
_other_auditd_log() {
	local pid=$1 root conf="" log="" a prev=""
	root=/proc/$pid/root
	while IFS= read -r -d '' a; do
		[[ $prev == -c ]] && conf=$a
		prev=$a
	done <"/proc/$pid/cmdline"
	if [[ -n $conf && -d $root$conf ]]; then
		conf=$conf/auditd.conf
	fi
	conf=${conf:-/etc/audit/auditd.conf}
	if [[ -r $root$conf ]]; then
		log=$(sed -n 's/^[[:space:]]*log_file[[:space:]]*=[[:space:]]*//p' "$root$conf" | tail -n 1)
	fi
	printf '%s\n' "$root${log:-/var/log/audit/audit.log}"
}

# start_auditd DIR [LINE...]: an audit daemon with DIR/auditd.conf and
# DIR/audit.log, or, when one already runs on the machine, that one's log.
# Each LINE ("key = value", a key the base configuration does not set, such
# as name_format or plugin_dir) is added to DIR/auditd.conf.
start_auditd() {
	local dir=${1:?start_auditd DIR} pid
	shift
	[[ ${GUARD_SANDBOX:-} == 1 ]] || {
		_daemons_fail "start_auditd outside the sandbox"
		return
	}
	if ! command -v auditd >/dev/null || ! command -v auditctl >/dev/null; then
		_daemons_fail "auditd is not installed"
		return
	fi
	pid=$(audit_pid)
	[[ -n $pid ]] || {
		_daemons_fail "the kernel has no audit support (auditctl -s failed)"
		return
	}
	if [[ $pid != 0 ]]; then
		AUDIT_LOG=$(_other_auditd_log "$pid")
		echo "daemons: an audit daemon already runs on this machine (pid $pid):" \
			"reading its log $AUDIT_LOG" >&2
		[[ -r $AUDIT_LOG ]] || _daemons_fail "cannot read $AUDIT_LOG"
		return
	fi
	_daemons_dir "$dir"
	dir=$(cd -- "$dir" && pwd -P)
	cat >"$dir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $dir/audit.log
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 1
max_log_file = 64
num_logs = 2
max_log_file_action = ROTATE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
EOF
	[[ $# -eq 0 ]] || printf '%s\n' "$@" >>"$dir/auditd.conf"
	chmod 0640 "$dir/auditd.conf"
	_daemons_save_audit_enabled
	auditd -n -s nochange -c "$dir" >"$dir/auditd.out" 2>&1 &
	AUDITD_PID=$!
	AUDIT_LOG=$dir/audit.log
	for _ in $(seq 100); do
		if [[ $(audit_pid) == "$AUDITD_PID" ]]; then
			# journald may have switched auditing off when it started, and
			# may do so a moment after it answers: keep it on for a second.
			for _ in $(seq 20); do
				[[ $(audit_status enabled) != 0 ]] || auditctl -e 1 >/dev/null
				sleep 0.05
			done
			return 0
		fi
		kill -0 "$AUDITD_PID" 2>/dev/null || break
		sleep 0.05
	done
	_daemons_fail "auditd did not start: $(cat "$dir/auditd.out")"
}

# stop_auditd: stops the audit daemon start_auditd started (never another).
stop_auditd() {
	local pid=$AUDITD_PID
	[[ -n $pid ]] || return 0
	AUDITD_PID=""
	kill -CONT "$pid" 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		[[ $(audit_pid) != "$pid" ]] && break
		sleep 0.05
	done
	[[ $(audit_pid) != "$pid" ]] || _daemons_fail "auditd (pid $pid) is still registered"
}

# start_journald: systemd-journald on the sandbox's private sockets.
start_journald() {
	local bin=/lib/systemd/systemd-journald
	[[ ${GUARD_SANDBOX:-} == 1 ]] || {
		_daemons_fail "start_journald outside the sandbox"
		return
	}
	[[ -x $bin ]] || {
		_daemons_fail "missing $bin"
		return
	}
	_daemons_dir
	_daemons_save_audit_enabled
	"$bin" >"$_DAEMONS_DIR/journald.out" 2>&1 &
	JOURNALD_PID=$!
	for _ in $(seq 100); do
		if [[ -S /run/systemd/journal/socket ]]; then
			# Once journald is set up, auditing is put back as it was:
			# journald switched it off, and it is the machine's.
			journalctl --sync >/dev/null 2>&1 || true
			_daemons_reenable_audit
			return 0
		fi
		kill -0 "$JOURNALD_PID" 2>/dev/null || break
		sleep 0.05
	done
	_daemons_fail "journald did not start: $(cat "$_DAEMONS_DIR/journald.out")"
}

# stop_journald: stops the journald start_journald started.
stop_journald() {
	local pid=$JOURNALD_PID
	[[ -n $pid ]] || return 0
	JOURNALD_PID=""
	kill -CONT "$pid" 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# stop_daemons: stops what was started here; safe in a trap, safe twice.
stop_daemons() {
	local rc=$?
	stop_journald
	stop_auditd || true
	_daemons_restore_audit_enabled
	if [[ $_DAEMONS_OWN_DIR -eq 1 && -n $_DAEMONS_DIR ]]; then
		rm -rf -- "$_DAEMONS_DIR"
	fi
	_DAEMONS_DIR=""
	_DAEMONS_OWN_DIR=0
	return "$rc"
}

# wait_audit PATTERN: waits until PATTERN (grep) shows in the audit log.
wait_audit() {
	for _ in $(seq 100); do
		grep -a -q -- "$1" "$AUDIT_LOG" 2>/dev/null && return 0
		sleep 0.05
	done
	_daemons_fail "no audit record with $1 in $AUDIT_LOG"
}

# sync_journal: journald writes what it received so far.
sync_journal() {
	journalctl --sync 2>/dev/null || sleep 0.3
}

# start_decided LOG: guard-decided of the sandbox in the background, its
# stderr in LOG, until its socket listens (5 s at most). Sets DECIDED_PID.
# stop_decided: ends it (no-op when none runs).
DECIDED_PID=""
start_decided() {
	rm -rf /run/guard
	/usr/local/libexec/guard/guard-decided 2>>"$1" &
	DECIDED_PID=$!
	for _ in $(seq 100); do
		[[ -S /run/guard/decide.sock ]] && return 0
		sleep 0.05
	done
	_daemons_fail "guard-decided did not make /run/guard/decide.sock: $(cat "$1")"
}
stop_decided() {
	[[ -n $DECIDED_PID ]] || return 0
	kill "$DECIDED_PID" 2>/dev/null || true
	wait "$DECIDED_PID" 2>/dev/null || true
	DECIDED_PID=""
}
