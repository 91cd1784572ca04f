#!/bin/bash
# docs/threat-model.md A. Process state: what the caller controls before guardctl's
# first instruction (argv, argv[0], comm, the standard fds, core dumps and
# ptrace). Runs inside the sandbox.
#
#   A1  argc==0 ................ case_argc0_exec, case_argc0_unit
#   A2  argv[0] spoofing ....... case_argv0
#   A3  hostile comm ........... case_comm
#   A4  fds 0-2 closed ......... case_closed_fds (the DB part: with the store)
#   A5  inherited fds .......... a_run_path.sh (the child's fds)
#   A6  rlimits ................ a_run_path.sh (soft limits reset for the
#                                child, a lowered hard one refused)
#   A7  signals ................ a_run_path.sh (reset for the child,
#                                forwarded to it)
#   A8  core dumps, ptrace ..... case_core_ptrace_setuid, case_core_ptrace_plain,
#                                case_core_root
#   A9  umask .................. a_run_path.sh (the child's is fixed)
#   A10-A12 environment, PATH, TZ: a_environment.sh; A13-A14: a_config.sh.

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# A1: execve(guardctl, {NULL}, {"GCONV_PATH=.", ...}), setuid as a user and
# as root. Linux >= 5.18 hands the program argc 1 and argv[0] == "": the same
# attack, and the same answer is owed: 127, before any parsing (no usage
# text, no NSS look-up, nothing on stdout or stderr).
case_argc0_exec() {
	build_helper argc0
	local who
	for who in alice root; do
		step "argc0 as $who"
		if [[ $who == root ]]; then
			run_cmd "$T/argc0" "$GUARDCTL"
		else
			run_cmd as_user "$who" "$T/argc0" "$GUARDCTL"
		fi
		assert_eq 127 "$STATUS" "exit status of guardctl exec'd with an empty argv as $who (stderr: $ERR)"
		assert_eq "" "$OUT" "stdout of guardctl with an empty argv"
		assert_eq "" "$ERR" "stderr of guardctl with an empty argv"
	done
}

# A1, the unit call: guardctl's main() with argc 0 and {NULL}, and with a
# NULL argv, under ASan; then as Linux >= 5.18 delivers an empty argv: argc 1
# and {""}.
case_argc0_unit() {
	build_asan
	local mode
	for mode in "$@"; do
		step "guardctl main() with argv mode $mode"
		run_cmd "$ASAN_MAIN_ARGC0" "$mode"
		assert_eq 127 "$STATUS" "main() with argv mode '$mode' (stderr: $ERR)"
		assert_eq "" "$OUT$ERR" "output of main() with argv mode '$mode'"
	done
}

# A2: argv[0] is the caller's: `exec -a`, and symlinks named after a
# guarded tool or full of control bytes, change nothing: same output, same
# status, messages always say "guardctl".
case_argv0() {
	# (An empty argv[0] is how Linux >= 5.18 delivers an empty argv: A1.)
	local names=(useradd "-x" $'gu\e[31mard\nctl' "/usr/sbin/useradd")
	local invocations=(
		"explain useradd -m newu"
		"explain --bogus newu"
		"explain userdel root"
		"no-such-subcommand"
		"--version"
	)
	mkdir -p "$T/argv0"
	ln -s "$GUARDCTL" "$T/argv0/useradd"
	ln -s "$GUARDCTL" "$T/argv0/"$'x\e[2J\ny'
	local inv ref_out ref_err ref_status name link
	for inv in "${invocations[@]}"; do
		# shellcheck disable=SC2086 # inv is a list of words
		run_cmd as_alice_clean "$GUARDCTL" $inv
		ref_out=$(without_clock "$OUT") ref_err=$ERR ref_status=$STATUS
		if [[ -n $ref_err ]]; then
			assert_contains "$ref_err" "guardctl: " "program name in messages"
		fi
		for name in "${names[@]}"; do
			step "exec -a '$(printf '%q' "$name")' guardctl $inv"
			run_cmd as_alice_clean bash -c 'n=$1; shift; exec -a "$n" "$@"' _ "$name" "$GUARDCTL" $inv
			assert_eq "$ref_status" "$STATUS" "exit status with argv[0] '$name'"
			assert_eq "$ref_out" "$(without_clock "$OUT")" "stdout with argv[0] '$name'"
			assert_eq "$ref_err" "$ERR" "stderr with argv[0] '$name'"
		done
		for link in "$T/argv0/useradd" "$T/argv0/"$'x\e[2J\ny'; do
			step "symlink $(printf '%q' "$(basename -- "$link")") $inv"
			run_cmd as_alice_clean "$link" $inv
			assert_eq "$ref_status" "$STATUS" "exit status through symlink"
			assert_eq "$ref_out" "$(without_clock "$OUT")" "stdout through symlink"
			assert_eq "$ref_err" "$ERR" "stderr through symlink"
		done
	done
}

# A3: comm is the executable's file name, which the caller picks. A name
# that fakes the fields of /proc/PID/stat (sudo CVE-2017-1000367) must not
# change the terminal or the location: the session's terminal is read
# after the last ')', and checked against getsid(2) and the device itself.
case_comm() {
	local hostile="x) R 1 1 1 34817 " ref
	mkdir -p "$T/comm"
	ln -s "$GUARDCTL" "$T/comm/$hostile"

	step "no terminal: the location is unknown, with or without the hostile name"
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -m newu
	assert_clean_exit 0
	ref=$(grep '^where:' <<<"$OUT")
	assert_contains "$ref" "unknown location"
	assert_not_contains "$ref" "tty"
	run_cmd as_alice_clean "$T/comm/$hostile" explain useradd -m newu
	assert_clean_exit 0
	assert_eq "$ref" "$(grep '^where:' <<<"$OUT")" "location with a hostile comm"

	step "on a terminal with a utmp entry: tty and host from there"
	command -v script >/dev/null || skip "script(1) is missing: no pseudo-terminal"
	build_helper utmp_entry
	touch /run/utmp
	cat >"$T/comm/in_pty.sh" <<EOF
#!/bin/bash
line=\$(tty) || exit 90
line=\${line#/dev/}
"$T/utmp_entry" "\$line" 10.20.1.7 10.20.1.7 || exit 91
echo "line=\$line"
for prog in "$GUARDCTL" "$T/comm/$hostile"; do
	env -i PATH="$CLEAN_PATH" SSH_CONNECTION="192.0.2.66 4242 10.0.0.1 22" \
		SSH_CLIENT="192.0.2.66 4242 22" SSH_TTY=/dev/pts/999 \
		setpriv --reuid=alice --regid=alice --init-groups -- \
		"\$prog" explain useradd -m newu 2>&1 | grep '^where:'
done
EOF
	chmod 0755 "$T/comm/in_pty.sh"
	run_cmd script -qec "$T/comm/in_pty.sh" /dev/null
	OUT=$(tr -d '\r' <<<"$OUT")
	[[ $OUT == *line=pts/* ]] || skip "no pseudo-terminal here: $OUT $ERR"
	local line where
	line=$(sed -n 's/^line=//p' <<<"$OUT")
	where=$(grep '^where:' <<<"$OUT")
	assert_eq 2 "$(grep -c . <<<"$where")" "one location line per program"
	assert_eq 1 "$(sort -u <<<"$where" | grep -c .)" "the hostile name changes the location: $where"
	assert_contains "$where" "10.20.1.7" "location from utmp"
	assert_contains "$where" "$line" "the session's terminal"
	assert_not_contains "$where" "192.0.2.66" "location from SSH_CONNECTION"
	assert_not_contains "$where" "34817" "tty from the comm field"
}

# A4: the standard fds closed by the caller. guardctl must behave as with
# them open (same exit status), leave the policy file untouched, and while
# it runs its fds 0-2 must be open (on /dev/null), so that nothing it opens
# later becomes "stdout" or "stderr".
case_closed_fds() {
	local sum bad=$T/fds-bad.conf
	sum=$(sha256sum </etc/guard/guard.conf)
	{
		attack_policy
		echo 'rule "broken" { actions = { "user.nothing" } decision = allow }'
	} >"$bad"
	chmod 0644 "$bad"
	local args fds who want
	install -d -m 0755 -o alice "$T/fds"
	for who in alice root; do
	for fds in '0<&- 1>&- 2>&-' '1>&- 2>&-' '2>&-' '0<&-'; do
		for args in "explain useradd -m newu" "explain userdel root" "explain --bogus" \
			"check" "check /etc/guard/guard.conf" "check $bad" "explain chpasswd"; do
			# chpasswd reads stdin: with it closed, a refusal: an empty
			# batch (1) or an unreadable stdin (2).
			if [[ $args == "explain chpasswd" ]]; then
				[[ $fds == *'0<&-'* ]] || continue
				want="[12]"
			else
				# shellcheck disable=SC2086 # args is a list of words
				run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid="$who" --regid="$who" \
					--init-groups -- "$GUARDCTL" $args
				want=$STATUS
			fi
			step "$who: guardctl $args with $fds (want $want)"
			# shellcheck disable=SC2086
			run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid="$who" --regid="$who" --init-groups -- bash -c "\"\$@\" $fds; echo \"status=\$?\" >\"$T/fds/status\"" _ \
				"$GUARDCTL" $args
			[[ $(cat "$T/fds/status") == status=$want ]] ||
				fail "exit status of guardctl $args with $fds: $(cat "$T/fds/status"), expected $want"
			assert_eq "$sum" "$(sha256sum </etc/guard/guard.conf)" "policy file after guardctl $args with $fds"
		done
	done
	done

	step "only stderr closed: an error message does not land on stdout"
	run_cmd as_alice_clean bash -c '"$@" 2>&-' _ "$GUARDCTL" check "$bad"
	assert_eq 2 "$STATUS" "exit status"
	assert_eq "" "$OUT" "stdout of a failing check with stderr closed"

	# For a setuid run glibc reopens closed standard fds itself (stdin
	# write-only: reading the batch then fails, a refusal all the same); for
	# root nothing does but guardctl.
	for who in alice root; do
		check_fds_while_running "$who"
	done
}

# check_fds_while_running WHO: while guardctl, run by WHO with fds 1 and 2
# closed, blocks reading a batch on stdin, its fds 1 and 2 are /dev/null.
check_fds_while_running() {
	local who=$1 pid fd target i
	step "$who: while guardctl runs with 1 and 2 closed, they are open on /dev/null"
	rm -f "$T/fds-fifo"
	mkfifo -m 0666 "$T/fds-fifo"
	env -i PATH="$CLEAN_PATH" setpriv --reuid="$who" --regid="$who" --init-groups -- \
		bash -c 'exec "$@" 1>&- 2>&-' _ "$GUARDCTL" explain chpasswd <"$T/fds-fifo" &
	pid=$!
	exec {fd}>"$T/fds-fifo"
	for i in $(seq 100); do
		[[ $(cat "/proc/$pid/comm" 2>/dev/null) == guardctl && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == S ]] && break
		sleep 0.05
	done
	for i in 1 2; do
		target=$(readlink "/proc/$pid/fd/$i" 2>/dev/null || echo closed)
		if [[ $target != /dev/null ]]; then
			exec {fd}>&-
			wait "$pid" || true
			fail "$who: fd $i of guardctl with it closed by the caller: $target (expected /dev/null)"
		fi
	done
	echo 'dave:pw' >&"$fd"
	exec {fd}>&-
	wait "$pid" || true
}

# A8: a guardctl blocked reading a batch on stdin, signalled and traced by
# the calling user with `ulimit -c unlimited`: no core file, the kernel
# reports no dump, and PTRACE_ATTACH fails with EPERM.
core_pattern_is_file() {
	local p
	p=$(cat /proc/sys/kernel/core_pattern)
	[[ $p != '|'* ]]
}

# check_traced WHO PROGRAM [NOFILE]: runs PROGRAM explain chpasswd under
# trace_signal as WHO, for SIGSEGV and SIGABRT, in a directory WHO may
# write, and checks. NOFILE: soft and hard limit on open files as well.
check_traced() {
	local who=$1 prog=$2 nofile=${3:-} sig dir
	# shellcheck disable=SC2016 # expanded by the inner shell
	local run='cd "$1" && ulimit -c unlimited && { [[ -z $2 ]] || ulimit -n "$2"; } && shift 2 && exec "$@"'
	build_helper trace_signal
	for sig in 11 6; do
		dir=$T/core-$who-$sig${nofile:+-nofile-$nofile}
		mkdir -p "$dir"
		[[ $who == root ]] || chown "$who" "$dir"
		step "$who: signal $sig to $(basename -- "$prog") explain chpasswd, ulimit -c unlimited${nofile:+ -n $nofile}"
		if [[ $who == root ]]; then
			run_cmd bash -c "$run" _ "$dir" "$nofile" \
				"$T/trace_signal" "$sig" "$prog" explain chpasswd
		else
			run_cmd bash -c "$run" _ "$dir" "$nofile" \
				setpriv --reuid="$who" --regid="$who" --init-groups -- \
				"$T/trace_signal" "$sig" "$prog" explain chpasswd
		fi
		assert_eq 0 "$STATUS" "trace_signal ran (out: $OUT, err: $ERR)"
		echo "   $OUT"
		assert_contains "$OUT" "core_limit=0 " "core limit of the running guardctl"
		assert_contains "$OUT" "signal=$sig core=0" "the kernel dumped core"
		if [[ $who != root ]]; then
			assert_contains "$OUT" "proc_owner=0 " "/proc/PID of a non-dumpable process is root's"
			assert_contains "$OUT" "ptrace=EPERM" "PTRACE_ATTACH by $who"
		fi
		if core_pattern_is_file; then
			assert_eq "" "$(ls -A "$dir")" "files left in the working directory"
		fi
	done
}

# The installed setuid guardctl, run by a user.
case_core_ptrace_setuid() {
	check_traced alice "$GUARDCTL"
}

# guardctl without the setuid bit, run by a user: only guardctl's own
# PR_SET_DUMPABLE and RLIMIT_CORE stand between the user and its memory.
# With a hard limit on open files below what guardctl resets it to, a user
# without CAP_SYS_RESOURCE makes that reset give up early: the core limit
# must not depend on it.
case_core_ptrace_plain() {
	install -m 0755 -o root -g root "$GUARDCTL" "$T/guardctl-plain"
	check_traced alice "$T/guardctl-plain"
	check_traced alice "$T/guardctl-plain" 200
}

# Root running guardctl: no credential change, so no kernel default helps.
case_core_root() {
	check_traced root "$GUARDCTL"
}

attack_case "A1 argc==0: execve with an empty argv exits 127" case_argc0_exec
attack_case "A1 argc==0: main(0, {NULL}) under ASan exits 127" case_argc0_unit none null
attack_case "A1 argc==0: main(1, {\"\"}) under ASan exits 127" case_argc0_unit empty
attack_case "A2 argv[0] spoofing changes nothing" case_argv0
attack_case "A3 hostile comm: location from the session's terminal and utmp" case_comm
attack_case "A4 fds 0-2 closed" case_closed_fds
attack_case "A8 core dumps and ptrace: setuid guardctl run by a user" case_core_ptrace_setuid
attack_case "A8 core dumps and ptrace: guardctl without setuid run by a user" case_core_ptrace_plain
attack_case "A8 core dumps: guardctl run by root" case_core_root
attack_done
