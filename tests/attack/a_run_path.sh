#!/bin/bash
# docs/threat-model.md A and B on the run path: guardctl COMMAND as a setuid-root
# wrapper, where what the caller controls never reaches the child. A policy
# `command` block runs tests/integration/run_probe.c, which prints what it
# sees; the prompt cases run the real passwd in the pty guardctl gives it.
# Runs inside the sandbox.
#
#   A1  argc==0 ............ case_argc0 (the run path; the rest: a_process.sh)
#   A4  fds 0-2 closed ..... case_closed_fds
#   A5  inherited fds ...... case_inherited_fds
#   A6  rlimits ............ case_soft_limits, case_hard_limits
#   A7  signals ............ case_ignored_signals, case_forwarding,
#                            case_exit_status (death by signal)
#   A8  core dumps ......... a_process.sh for every path (guardctl is
#                            non-dumpable from its step 3 on); the child is a
#                            plain root process, not the caller's to trace
#   A9  umask .............. case_umask
#   A10 environment ........ case_environment
#   A11 PATH hijack ........ a_environment.sh; test_run.sh "path tricks"
#   A12 TZ ................. case_term_tz (TZ never reaches the child)
#   B15 Baron Samedit ...... case_arguments
#   B16 uid -1 ............. b_arguments.sh; test_run.sh
#   B24 passwd's prompt .... case_prompt_eof, case_prompt_kill,
#                            case_prompt_long_line
#   B25 TIOCSTI ............ case_child_state, case_tiocsti,
#                            case_interactive_passwd
#   D30 messages ........... case_escapes (an unknown command's name)

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

PROBE=/usr/local/libexec/guard-probe
# passwd's target in the prompt cases.
PROMPT_USER=promptuser

# The probe, and a policy that lets alice (and root: A4) run it and change
# accounts; a user for passwd to prompt about. Once, before the cases.
run_path_setup() {
	step "setup: the probe and a policy that lets alice run it"
	install -d -m 0755 /usr/local/libexec
	cc -O1 -Wall -Werror -o "$T/probe" "$GUARD_SRC/tests/integration/run_probe.c" ||
		fail "cannot compile the probe"
	install -m 0755 -o root -g root "$T/probe" "$PROBE"
	cat >"$T/run-path.conf" <<EOF
settings {
  audit    = off
  journal  = no
  timezone = "UTC"
}
rule "probe" {
  actions  = { "user.modify", "user.create", "user.delete", "user.password", "group.create",
               "group.delete", "group.member.add" }
  actors   = { "%helpdesk", "root" }
  decision = allow
}
command "probe" {
  path    = "$PROBE"
  actions = { "user.modify" }
}
EOF
	install_policy "$T/run-path.conf"
	"$GUARDCTL" check >/dev/null || fail "the test policy does not pass check"
	assert_exit 0 as_user alice "$GUARDCTL" probe exit 0

	build_helper pty_drive
	userdel -r "$PROMPT_USER" >/dev/null 2>&1 || true
	useradd -m "$PROMPT_USER"
	# Any hash: root's passwd asks no old password; the cases compare bytes.
	usermod -p '$6$attack$notarealhashbutafixedone' "$PROMPT_USER"
}

# A10: hostile variables of every kind; the child's environment is exactly
# the allowlist.
case_environment() {
	assert_exit 0 as_user alice env -i \
		LD_PRELOAD=/tmp/evil.so LD_LIBRARY_PATH=/tmp/evil LD_AUDIT=/tmp/evil.so \
		GCONV_PATH=. CHARSET=PWNKIT LOCPATH=/tmp/evil NLSPATH=/tmp/evil/%N LANGUAGE=../../tmp \
		HOSTALIASES=/tmp/evil RES_OPTIONS=debug IFS=x BASH_ENV=/tmp/evil ENV=/tmp/evil \
		SHELLOPTS=xtrace PS4='$(id)' PERL5LIB=/tmp/evil PERL5OPT=-d PYTHONPATH=/tmp/evil \
		PYTHONSTARTUP=/tmp/evil TMPDIR=/tmp/evil TZ=/etc/shadow SSH_CLIENT='10.20.0.1 1 22' \
		SSH_CONNECTION='10.20.0.1 1 10.0.0.1 22' GUARD_USER=root SUDO_USER=root USER=root \
		LOGNAME=root HOME=/tmp/evil SHELL=/tmp/evil PATH=/tmp/evil LANG=xx LC_ALL=xx \
		TERM=xterm-256color "$GUARDCTL" probe env
	local expected="GUARD_USER=alice
HOME=/root
LANG=C.UTF-8
LOGNAME=root
PATH=/usr/sbin:/usr/bin:/sbin:/bin
SHELL=/bin/sh
TERM=xterm-256color
USER=root"
	assert_eq "$expected" "$(LC_ALL=C sort <<<"$OUT")" "the child's environment"
}

# A12: TZ of any shape is ignored; an odd TERM is dropped.
case_term_tz() {
	local term
	for term in '../../etc/shadow' 'xterm;id' "$(printf 'x%.0s' {1..100})" ''; do
		assert_exit 0 as_user alice env -i TERM="$term" TZ=":../../x" "$GUARDCTL" probe env
		assert_not_contains "$OUT" "TERM=" "TERM '$term'"
		assert_not_contains "$OUT" "TZ=" "TZ"
	done
	assert_exit 0 as_user alice env -i TZ="$(printf 'A%.0s' {1..4096})" "$GUARDCTL" probe exit 0
}

# B25 (setsid) and the rest of the child's state: root in every id, no
# groups, umask 022, its own session without a terminal, cwd /.
case_child_state() {
	(cd /home/alice && as_user alice bash -c 'umask 777; exec guardctl probe state') >"$T/state"
	assert_contains "$(cat "$T/state")" "uid 0 0 0"
	assert_contains "$(cat "$T/state")" "gid 0 0 0"
	assert_contains "$(cat "$T/state")" $'groups\n'
	assert_contains "$(cat "$T/state")" "umask 022"
	assert_contains "$(cat "$T/state")" "session-leader yes"
	assert_contains "$(cat "$T/state")" "ctty no"
	assert_contains "$(cat "$T/state")" "cwd /"$'\n'
}

# A9: umask 000 and 777 from the caller, a fixed one for the child.
case_umask() {
	local m
	for m in 000 777; do
		OUT=$(as_user alice bash -c "umask $m; exec guardctl probe state")
		assert_contains "$OUT" "umask 022" "umask of the child under $m"
	done
}

# A7: signals ignored or blocked by the caller are reset for the child.
case_ignored_signals() {
	OUT=$(as_user alice bash -c 'trap "" INT TERM HUP QUIT PIPE USR1; exec guardctl probe state')
	assert_contains "$OUT" $'ignored\n' "ignored signals in the child"
	assert_contains "$OUT" $'blocked\n' "blocked signals in the child"
	# Every signal, glibc's own two (32, 33, which its sigaction refuses)
	# and the real-time ones too, ignored and blocked by the kernel's own
	# calls: none reaches the tool so.
	build_helper ignore_signals
	OUT=$(as_user alice "$T/ignore_signals" "$GUARDCTL" probe state)
	assert_contains "$OUT" $'sigign 0000000000000000\n' "signals 1-64 ignored in the child"
	assert_contains "$OUT" $'sigblk 0000000000000000\n' "signals 1-64 blocked in the child"
}

# A5: fds 3-200 open in the caller; the child has 0-2 only.
case_inherited_fds() {
	OUT=$(as_user alice bash -c 'for i in $(seq 3 200); do eval "exec $i</dev/null"; done; exec guardctl probe fds')
	assert_eq $'0\n1\n2' "$OUT" "the child's fds"
}

# A4: standard fds closed by the caller are reopened on /dev/null; the
# command still runs.
case_closed_fds() {
	groupdel closedfds >/dev/null 2>&1 || true
	OUT=$(as_user alice bash -c 'exec guardctl probe fds 0<&- 2>&-')
	assert_eq $'0\n1\n2' "$OUT" "the child's fds with 0 and 2 closed"
	# For a setuid run glibc reopens them itself; for root only guardctl does.
	run_cmd bash -c 'exec "$@" 0<&- 2>&-' _ "$GUARDCTL" probe fds
	assert_eq 0 "$STATUS" "root: guardctl probe fds with 0 and 2 closed: $ERR"
	assert_eq $'0\n1\n2' "$OUT" "the child's fds with 0 and 2 closed, run by root"
	assert_exit 0 as_user alice bash -c 'guardctl groupadd closedfds 0<&- 1>&- 2>&-'
	assert_contains "$(getent group closedfds)" "closedfds:x:"
	assert_exit 0 as_user alice "$GUARDCTL" groupdel closedfds
}

# A6: lowered soft limits are reset for the child; a write-heavy tool
# completes.
case_soft_limits() {
	userdel -r limituser >/dev/null 2>&1 || true
	assert_exit 0 prlimit --fsize=1: --nofile=8: --nproc=1: --as=100000000: --stack=65536: -- \
		setpriv --reuid=alice --regid=alice --init-groups "$GUARDCTL" probe limits
	assert_contains "$OUT" "FSIZE unlimited unlimited"
	assert_contains "$OUT" "NOFILE 1024 "
	# NPROC: unlimited, or (without CAP_SYS_RESOURCE) the soft limit raised to the hard one.
	local nproc
	nproc=$(awk '$1 == "NPROC" { print ($2 == $3) ? "raised" : $2 }' <<<"$OUT")
	assert_eq raised "$nproc" "NPROC soft limit of the child"
	assert_contains "$OUT" "AS unlimited unlimited"
	assert_contains "$OUT" "STACK 8388608 "
	assert_contains "$OUT" "CORE 0 0"
	assert_exit 0 prlimit --fsize=1: --nofile=8: -- \
		setpriv --reuid=alice --regid=alice --init-groups "$GUARDCTL" useradd limituser
	assert_contains "$(grep '^limituser:' /etc/passwd)" ":/home/limituser:" "the whole passwd line"
	userdel -r limituser >/dev/null 2>&1 || true
}

# A6: a lowered hard limit: a clean refusal or a full run, never half.
case_hard_limits() {
	userdel -r hardlimit >/dev/null 2>&1 || true
	cp /etc/passwd "$T/passwd.before"
	# stderr on a pipe: a regular file would take 1 byte of the message.
	local status=0 err
	err=$(prlimit --fsize=1:1 -- setpriv --reuid=alice --regid=alice --init-groups \
		"$GUARDCTL" useradd hardlimit 2>&1 >/dev/null) || status=$?
	if [[ $status == 0 ]]; then
		assert_contains "$(grep '^hardlimit:' /etc/passwd)" ":/home/hardlimit:"
	else
		assert_eq 2 "$status" "exit status with FSIZE hard 1"
		assert_contains "$err" "resource limits"
		cmp -s /etc/passwd "$T/passwd.before" || fail "a refused run changed /etc/passwd"
	fi
	userdel -r hardlimit >/dev/null 2>&1 || true
}

# B15: arguments of any length and byte pass through exactly; more than
# 4096 are refused.
case_arguments() {
	# 131071 bytes: the kernel's limit for one argument (MAX_ARG_STRLEN) less the NUL.
	local long expected a
	long=$(head -c 131071 /dev/zero | tr '\0' 'x')
	local args=('a\' $'\x01\x7f\xc3\xa9\xff' '' ' ' '--' '-o' '$(id)' "$long")
	run_cmd as_user alice "$GUARDCTL" probe argv "${args[@]}"
	assert_eq 0 "$STATUS" "exit status with odd and long arguments (stderr: ${ERR:0:200})"
	expected=$(for a in probe argv "${args[@]}"; do printf '%s' "$a" | od -An -tx1 -v | tr -d ' \n'; echo; done)
	assert_eq "$(sha256sum <<<"$expected")" "$(sha256sum <<<"$OUT")" "argv as the child sees it (hex, hashed)"
	local many
	mapfile -t many < <(seq 1 5000)
	run_cmd as_user alice "$GUARDCTL" probe argv "${many[@]}"
	assert_eq 1 "$STATUS" "5000 arguments"
	assert_contains "$ERR" "at most 4096"
	mapfile -t many < <(seq 1 4000)
	run_cmd as_user alice "$GUARDCTL" probe argv "${many[@]}"
	assert_eq 0 "$STATUS" "4000 arguments"
	assert_eq 4002 "$(wc -l <<<"$OUT")" "lines printed for 4000 arguments"
}

# D30: an unknown command's name reaches the message escaped.
case_escapes() {
	run_cmd as_user alice "$GUARDCTL" $'user\x1b[31madd' x
	assert_not_contains "$ERR" $'\x1b' "a raw ESC in the message"
	assert_contains "$ERR" '\x1b'
}

# The child's exit status, and its death by a signal, are guardctl's.
case_exit_status() {
	assert_exit 3 as_user alice "$GUARDCTL" probe exit 3
	assert_exit 143 as_user alice "$GUARDCTL" probe kill 15
	assert_exit 137 as_user alice "$GUARDCTL" probe kill 9
	assert_exit 130 as_user alice "$GUARDCTL" probe kill 2
}

# ended PID: PID has exited (reaped, or a zombie).
ended() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)
	[[ -z $state || $state == [ZX] ]]
}

# A7: SIGTERM, SIGINT and SIGHUP that the caller sends its guardctl reach
# the child, which exits cleanly.
case_forwarding() {
	local sig pid rc
	for sig in TERM INT HUP; do
		rm -f "$T/out"
		# setpriv execs guardctl: $! is guardctl's pid.
		setpriv --reuid=alice --regid=alice --init-groups "$GUARDCTL" probe sleep >"$T/out" 2>&1 &
		pid=$!
		for _ in $(seq 50); do
			grep -q ready "$T/out" 2>/dev/null && break
			sleep 0.1
		done
		grep -q ready "$T/out" || fail "the probe did not start"
		# The caller may signal its own guardctl.
		as_user alice kill -s "$sig" "$pid"
		# Bounded: a signal that reaches neither would leave both waiting.
		for _ in $(seq 100); do
			ended "$pid" && break
			sleep 0.1
		done
		if ! ended "$pid"; then
			local child
			child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
			# shellcheck disable=SC2086 # a list of pids
			kill -KILL "$pid" $child 2>/dev/null || true
			wait "$pid" || true
			fail "guardctl still runs 10 s after SIG$sig ($(cat "$T/out"))"
		fi
		rc=0
		wait "$pid" || rc=$?
		assert_eq 0 "$rc" "exit status after SIG$sig"
		assert_contains "$(cat "$T/out")" "got $(kill -l "$sig")" "the child got SIG$sig"
	done
}

# A1 on the run path: argc 0 (pwnkit): exit 127, nothing run, nothing said.
case_argc0() {
	assert_exit 127 as_user alice "$PROBE" exec0 "$GUARDCTL"
	assert_eq "" "$OUT$ERR" "output of guardctl with argc 0"
}

# B25: a command run from the caller's terminal holds no fd on it: its
# TIOCSTI has nothing to push into.
case_tiocsti() {
	command -v script >/dev/null || skip "script(1) is not installed"
	OUT=$(timeout 30 script -qec "setpriv --reuid=alice --regid=alice --init-groups $GUARDCTL probe tiocsti" /dev/null </dev/null | tr -d '\r')
	assert_contains "$OUT" "fd0 " "the probe's output through the relay"
	assert_not_contains "$OUT" " ok" "a TIOCSTI that worked"
	assert_not_contains "$OUT" "uid=" "an injected command ran"
}

# B25: a tool that prompts gets a new pty, relayed to and from the caller's
# terminal; TIOCSTI there reaches only the tool.
case_interactive_passwd() {
	command -v script >/dev/null || skip "script(1) is not installed"
	userdel -r ttyuser >/dev/null 2>&1 || true
	assert_exit 0 as_user alice "$GUARDCTL" useradd ttyuser
	local before after
	before=$(grep '^ttyuser:' /etc/shadow | cut -d: -f2)
	cat >"$T/passwd.sh" <<EOF
#!/bin/bash
exec setpriv --reuid=alice --regid=alice --init-groups $GUARDCTL passwd ttyuser
EOF
	chmod 0755 "$T/passwd.sh"
	# Types the new password twice once the prompts appear; bounded, as a
	# relay that never ends would leave script(1) waiting.
	(
		sleep 1
		printf 'Tty-Pass-Word-9\r'
		sleep 0.5
		printf 'Tty-Pass-Word-9\r'
		sleep 1
	) | timeout 30 script -qec "$T/passwd.sh" /dev/null >"$T/passwd.out" 2>&1 || true
	after=$(grep '^ttyuser:' /etc/shadow | cut -d: -f2)
	assert_ne "$before" "$after" "ttyuser's hash after an interactive passwd ($(tr -d '\r' <"$T/passwd.out"))"
	assert_not_contains "$(cat "$T/passwd.out")" "Tty-Pass-Word-9" "the typed password echoed"
	assert_exit 0 as_user alice "$GUARDCTL" userdel ttyuser
}

# B24: what a user types at passwd's own prompt, which guardctl relays
# through the pty it gives passwd. prompt_attack STEP... plays the STEPs
# (tests/attack/pty_drive.c) at a terminal running, first, passwd itself as
# root, then guardctl passwd as alice: guardctl must end when passwd ends,
# within the bound, with passwd's status (a failure: nothing was set), and
# record that status; /etc/shadow stays byte for byte. The pause after a
# prompt: passwd prints it before it flushes the terminal's input (PAM's
# misc_conv), and what comes in between is lost.
prompt_attack() {
	local want shadow
	shadow=$(sha256sum </etc/shadow)
	step "passwd run directly: $*"
	run_cmd "$T/pty_drive" -t 20 "$@" -- passwd "$PROMPT_USER"
	assert_ne 124 "$STATUS" "passwd itself hung: $(tr -d '\r' <<<"$OUT$ERR" | head -c 500)"
	assert_contains "$OUT" "password:" "passwd's prompt"
	want=$STATUS
	assert_ne 0 "$want" "passwd set a password"
	assert_eq "$shadow" "$(sha256sum </etc/shadow)" "/etc/shadow after passwd itself"

	step "guardctl passwd as alice: $*"
	run_cmd "$T/pty_drive" -t 20 "$@" -- \
		setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" passwd "$PROMPT_USER"
	assert_ne 124 "$STATUS" "guardctl hung: $(tr -d '\r' <<<"$OUT$ERR" | head -c 500)"
	assert_contains "$OUT" "password:" "passwd's prompt through guardctl"
	assert_eq "$want" "$STATUS" "guardctl's exit status, passwd's own being $want ($(tr -d '\r' <<<"$OUT$ERR" | head -c 500))"
	assert_eq "$shadow" "$(sha256sum </etc/shadow)" "/etc/shadow after guardctl passwd"
	run_cmd as_user alice "$GUARDCTL" history
	assert_contains "$(tail -n 1 <<<"$OUT")" "exit $want: passwd $PROMPT_USER" "the recorded end of passwd"
}

# B24: EOF (^D) at the first prompt.
case_prompt_eof() {
	prompt_attack wait=password: sleep=300 eof
}

# B24: the caller's terminal hangs up at the first prompt (a dropped ssh
# session): passwd ends as it does on a terminal of its own.
case_prompt_hangup() {
	prompt_attack wait=password: sleep=300 hangup
}

# B24: the line-kill character 10,000 times, then EOF.
case_prompt_kill() {
	prompt_attack wait=password: sleep=300 repeat=10000,'\x15' eof
}

# B24: a 1 MB line without a newline, ended by EOF; EOF again at the
# second prompt.
case_prompt_long_line() {
	prompt_attack wait=password: sleep=300 repeat=1048576,x eof wait=password: sleep=300 eof
}

run_path_setup
attack_case "A10 environment: only the allowlist reaches the child" case_environment
attack_case "A12 TZ of any shape never reaches the child, nor an odd TERM" case_term_tz
attack_case "B25 child state: own session without a terminal, root ids, no groups, cwd /" case_child_state
attack_case "A9 umask: 000 and 777 from the caller, 022 for the child" case_umask
attack_case "A7 signals ignored or blocked by the caller are reset for the child" case_ignored_signals
attack_case "A5 inherited fds: the child sees only 0-2" case_inherited_fds
attack_case "A4 fds 0-2 closed: reopened on /dev/null, the command still runs" case_closed_fds
attack_case "A6 rlimits: lowered soft limits are reset for the child" case_soft_limits
attack_case "A6 rlimits: a lowered hard limit: a clean refusal or a full run" case_hard_limits
attack_case "B15 arguments of any length and byte pass through exactly" case_arguments
attack_case "D30 control characters are escaped in messages" case_escapes
attack_case "A7 exit status and death by signal of the child are guardctl's" case_exit_status
attack_case "A7 signals: SIGTERM, SIGINT and SIGHUP to guardctl reach the child" case_forwarding
attack_case "A1 argc==0 on the run path: exit 127, nothing run, nothing said" case_argc0
attack_case "B25 TIOCSTI: the child has no fd on the caller's terminal" case_tiocsti
attack_case "B25 interactive passwd: a new pty, relayed" case_interactive_passwd
attack_case "B24 EOF at passwd's prompt" case_prompt_eof
attack_case "B24 the caller's terminal hangs up at passwd's prompt" case_prompt_hangup
attack_case "B24 ^U 10000 times, then EOF, at passwd's prompt" case_prompt_kill
attack_case "B24 a 1 MB line without a newline at passwd's prompt" case_prompt_long_line
userdel -r "$PROMPT_USER" >/dev/null 2>&1 || true
install_policy
attack_done
