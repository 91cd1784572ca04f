#!/bin/bash
# docs/threat-model.md B19, B23, B24: who asks, from where, and the batch on stdin.
# The actor is the real uid the kernel reports, the location what utmp
# records for the caller's terminal; variables, --as and --config from a
# user change nothing or are refused; a uid without a passwd entry is
# refused, never root; batches are read with a bound. Runs inside the
# sandbox.
#
#   B19 user-supplied context .. case_context, case_root_only_options
#                                (location from utmp on a terminal: a_process.sh A3)
#   B23 identity failure ....... case_unknown_uid (ENOMEM/EIO injected into
#                                the real look-ups: b_nss_failure.sh; the
#                                refusal's audit record: tests/integration/
#                                test_e2e_events.sh, op=guard-request)
#   B24 batch input ............ case_batch (^U and EOF at passwd's own
#                                prompt: a_run_path.sh)
#   B25 TIOCSTI ................ a_run_path.sh

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# B19: variables naming another user, host or terminal change neither the
# actor nor the location nor the decision.
case_context() {
	build_helper exec_env
	local ref
	run_cmd as_alice_clean "$GUARDCTL" explain --json useradd -m newu
	assert_eq 0 "$STATUS" "reference: $ERR"
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -m newu
	ref=$(grep -E '^(actor|where|decision):' <<<"$OUT")
	assert_contains "$ref" "alice (uid $(id -u alice))"
	local vars=(
		USER=root LOGNAME=root USERNAME=root HOME=/root SUDO_USER=root SUDO_UID=0 SUDO_GID=0
		SUDO_COMMAND=/bin/sh GUARD_USER=root GUARD_ACTOR=root GUARD_ACTOR_UID=0
		GUARD_CONFIG=/tmp/evil.conf GUARD_SANDBOX=0 GUARD_RHOST=10.20.0.1 GUARD_TTY=pts/0
		"SSH_CONNECTION=10.20.1.1 50000 10.0.0.1 22" "SSH_CLIENT=10.20.1.1 50000 22"
		SSH_TTY=/dev/pts/0 REMOTEHOST=10.20.1.1 DISPLAY=10.20.1.1:0 PAM_RHOST=10.20.1.1
	)
	step "all the variables at once, as carol (no group) and as alice"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		"$T/exec_env" PATH="$CLEAN_PATH" "${vars[@]}" -- "$GUARDCTL" explain useradd -m newu
	assert_eq 0 "$STATUS" "$ERR"
	assert_eq "$ref" "$(grep -E '^(actor|where|decision):' <<<"$OUT")" "actor and location with hostile variables"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=dave --regid=dave --init-groups -- \
		"$T/exec_env" PATH="$CLEAN_PATH" "${vars[@]}" -- "$GUARDCTL" explain useradd -m newu
	assert_eq 1 "$STATUS" "dave (not helpdesk) with USER=alice-like variables: $OUT"
	assert_contains "$OUT" "dave (uid $(id -u dave))"
	assert_not_contains "$OUT" "from 10.20"
	step "--service does not change who asks"
	run_cmd as_alice_clean "$GUARDCTL" explain --service sshd useradd -m newu
	assert_contains "$OUT" "alice (uid $(id -u alice))"
}

# B19: --as another user and --config are root's; a user gets exit 2.
case_root_only_options() {
	local who
	for who in alice dave; do
		step "$who: --as root, --as another user, --config"
		run_cmd as_user "$who" "$GUARDCTL" explain --as root useradd -m newu
		assert_clean_exit 2
		assert_not_contains "$OUT" "decision:"
		run_cmd as_user "$who" "$GUARDCTL" explain --as bob usermod -aG sudo dave
		assert_clean_exit 2
		run_cmd as_user "$who" "$GUARDCTL" explain --as=root useradd -m newu
		assert_clean_exit 2
		run_cmd as_user "$who" "$GUARDCTL" --config /etc/guard/guard.conf explain useradd -m newu
		assert_clean_exit 2
		assert_contains "$ERR" "root only"
		run_cmd as_user "$who" "$GUARDCTL" --config=/etc/guard/guard.conf check
		assert_clean_exit 2
		run_cmd as_user "$who" "$GUARDCTL" --config /etc/guard/guard.conf
		assert_clean_exit 2
	done
	step "alice: --as herself is allowed"
	run_cmd as_user alice "$GUARDCTL" explain --as alice useradd -m newu
	assert_eq 0 "$STATUS" "$ERR"
	step "root: --as alice shows alice's decision"
	run_cmd "$GUARDCTL" explain --as alice useradd -m newu
	assert_eq 0 "$STATUS" "$ERR"
	assert_contains "$OUT" "alice (uid $(id -u alice))"
}

# B23: a uid with no passwd entry: exit 2, a clear message, never root's
# view, for every subcommand.
case_unknown_uid() {
	local args
	getent passwd 54321 >/dev/null && skip "uid 54321 exists here"
	for args in "explain useradd -m newu" "explain userdel root" "check" \
		"check /etc/guard/guard.conf" "explain --as root useradd newu" \
		"--config /etc/guard/guard.conf check" "useradd newu"; do
		step "uid 54321: guardctl $args"
		# shellcheck disable=SC2086 # args is a list of words
		run_cmd env -i PATH="$CLEAN_PATH" USER=root LOGNAME=root \
			setpriv --reuid=54321 --regid=54321 --clear-groups -- "$GUARDCTL" $args
		assert_clean_exit 2
		assert_contains "$ERR" "guardctl: " "a message"
		assert_contains "$ERR" "54321" "the message names the uid"
		assert_not_contains "$OUT$ERR" "root (uid 0)" "treated as root"
		assert_not_contains "$OUT" "decision:" "a decision for an unknown user"
		assert_not_contains "$OUT" "OK" "check passed for an unknown user"
	done
	step "uid 54321 with a known gid and groups: still refused"
	run_cmd setpriv --reuid=54321 --regid=0 --groups=0 -- "$GUARDCTL" explain useradd -m newu
	assert_clean_exit 2
	assert_contains "$ERR" "54321"
}

# B24: chpasswd and newusers batches on a pipe: empty, one byte, 10 MB
# without a newline, 1.2 MB of well-formed lines (within the line count and
# length bounds: only the batch's size bound refuses it), an endless stream,
# NUL bytes, control bytes. Bounded (done within seconds), a refusal or a
# decision, never a crash or a hang.
case_batch() {
	local tool f pw
	pw=$(repeat 3990 p)
	for _ in $(seq 300); do
		printf 'dave:%s\n' "$pw"
	done >"$T/big-lines"
	repeat 10485760 a >"$T/10mb"
	{
		printf 'dave:pw\n'
		repeat 10485760 b
	} >"$T/10mb-after-line"
	printf 'dave:p\0w\n' >"$T/nul"
	printf '\0\0\0\0' >"$T/nuls"
	printf 'dave:%s\n' "$(repeat 200 $'\x15')" >"$T/ctrl-u"
	printf 'dave:pw' >"$T/no-newline"
	printf 'dave:pw\r\n' >"$T/crlf"
	printf 'a' >"$T/one-byte"
	: >"$T/empty"
	for tool in chpasswd newusers; do
		for f in empty one-byte 10mb 10mb-after-line big-lines nul nuls ctrl-u no-newline crlf; do
			step "$tool: $f on a pipe"
			run_cmd timeout 20 bash -c 'cat "$1" | "${@:2}"; exit "${PIPESTATUS[1]}"' _ "$T/$f" \
				setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain "$tool"
			assert_clean_exit 0 1
			# A password may hold any byte but NUL and newline: ^U, a
			# final CR or a missing last newline may be decided either way.
			case $f in
			ctrl-u | no-newline | crlf) ;;
			*) assert_not_allowed "$tool with batch $f" ;;
			esac
		done
		step "$tool: an endless stream is cut at the bound"
		run_cmd timeout 20 bash -c 'yes dave:pw | "$@"; exit "${PIPESTATUS[1]}"' _ \
			setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain "$tool"
		assert_clean_exit 1
		assert_not_allowed "$tool with an endless batch"
		step "$tool: stdin a terminal-less /dev/null, a directory"
		run_cmd as_user alice "$GUARDCTL" explain "$tool" </dev/null
		assert_not_allowed "$tool with /dev/null"
		run_cmd as_user alice "$GUARDCTL" explain "$tool" <"$T"
		assert_clean_exit 1 2
	done
}

attack_case "B19 user-supplied context: variables" case_context
attack_case "B19 --as and --config are root's" case_root_only_options
attack_case "B23 a uid without a passwd entry" case_unknown_uid
attack_case "B24 batch input on stdin" case_batch
attack_done
