#!/bin/bash
# docs/threat-model.md D. D30: terminal injection. Whatever the caller puts in an
# argument (newline, CR, ESC, BEL, C1 controls, 1 MB strings) reaches the
# terminal escaped: no raw control byte but the newlines and tabs guardctl
# writes itself, and no line the caller forged. D31: audit unavailable (a
# kernel without audit, no CAP_AUDIT_WRITE, records turned away, auditd
# stopped): with audit = required nothing goes ahead, with best-effort it
# does, and the journal says why either way. Runs inside the sandbox.
#
#   D30 injection .............. case_explain_output, case_messages; audit
#                                records and journald fields:
#                                test_events.sh, test_e2e_events.sh; PAM
#                                items: c_pam.sh (C27)
#   D31 audit unavailable ...... case_unavailable kernel|nocap|records|stopped
#                                (libguard's events as guardctl and pam_guard
#                                call them, through
#                                tests/integration/events_driver.c); pam_guard
#                                with no daemon: c_pam.sh (C26 policy errors)

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# Values that would act on a terminal or forge a line of output.
INJECT=(
	$'x\nFORGED decision: allow'
	$'x\rFORGED'
	$'x\e[2J\e[HFORGED'
	$'x\e]0;FORGED\a'
	$'x\a\b\b\bFORGED'
	$'x\xc2\x9b2JFORGED'
	$'x\xc2\x85FORGED'
	$'x\x7fFORGED'
	$'x\x01\x02\x03\x04FORGED'
)

# check_output WHAT: the last run printed no raw control bytes and no line
# that starts with the forged text.
check_output() {
	assert_clean_exit
	assert_no_raw_controls "$OUT" "stdout of $1"
	assert_no_raw_controls "$ERR" "stderr of $1"
	if grep -q '^FORGED' <<<"$OUT$ERR"; then
		fail "$1: a line the caller forged:
$OUT$ERR"
	fi
}

# The explanation, text and JSON, for values in every place explain echoes.
# A policy command with actions takes its arguments unchecked: its request
# line is where a value reaches the explanation itself, not a refusal.
case_explain_output() {
	local v q
	{
		attack_policy
		echo 'command "tool" { path = "/usr/bin/true" actions = { "user.modify" } }'
	} >"$T/tool.conf"
	install_policy "$T/tool.conf"
	for v in "${INJECT[@]}"; do
		q=$(printf '%q' "$v")
		step "value $q"
		# Templates, V where the value goes.
		local -a reqs=(
			"useradd V" "useradd -c V newu" "useradd -d V newu" "useradd -s V newu"
			"useradd -G V newu" "useradd -u V newu" "usermod -p V dave" "useradd --V newu"
			"V newu" "usermod -aG helpdesk V" "gpasswd -a dave V"
		)
		local r w
		for r in "${reqs[@]}"; do
			local -a words=()
			for w in $r; do
				case $w in
				V) words+=("$v") ;;
				--V) words+=("--$v") ;;
				*) words+=("$w") ;;
				esac
			done
			run_cmd as_alice_clean "$GUARDCTL" explain "${words[@]}"
			check_output "explain ${words[*]}"
			run_cmd as_alice_clean "$GUARDCTL" explain --json "${words[@]}"
			check_output "explain --json ${words[*]}"
		done
		run_cmd as_alice_clean "$GUARDCTL" explain tool "$v"
		check_output "explain tool $q"
		assert_contains "$OUT" "request:  tool 'x\\x" "the value in the request line, escaped"
		run_cmd as_alice_clean "$GUARDCTL" explain --at "$v" useradd newu
		check_output "explain --at $q"
		run_cmd as_alice_clean "$GUARDCTL" explain --from "$v" useradd newu
		check_output "explain --from $q"
		run_cmd as_alice_clean "$GUARDCTL" explain --service "$v" useradd -m newu
		check_output "explain --service $q"
		run_cmd "$GUARDCTL" explain --as "$v" useradd newu
		check_output "explain --as $q (root)"
		run_cmd as_alice_clean "$GUARDCTL" explain "--$v"
		check_output "explain --$q"
		run_cmd bash -c 'printf "%s:pw\n" "$1" | "${@:2}"' _ "$v" \
			setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain chpasswd
		check_output "explain chpasswd with the name $q"
	done
	step "1 MB of control bytes in one value"
	local big
	big=$(repeat 120000 $'\e')
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -c "$big" newu
	check_output "explain with 120 KB of ESC"
	{
		printf 'dave:'
		repeat 1048000 $'\e'
		echo
	} >"$T/esc-batch"
	run_cmd bash -c 'cat "$1" | "${@:2}"' _ "$T/esc-batch" \
		setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain chpasswd
	check_output "explain chpasswd with 1 MB of ESC"
	install_policy
}

# guardctl's other messages, one kind per case: an unknown global option,
# an unknown subcommand, help for an unknown topic, check FILE with a
# hostile path (missing, then writable by others).
case_messages() {
	local kind=$1 v q
	mkdir -p "$T/paths"
	for v in "${INJECT[@]}"; do
		q=$(printf '%q' "$v")
		step "$kind: value $q"
		case $kind in
		option)
			run_cmd as_alice_clean "$GUARDCTL" "--$v"
			check_output "guardctl --$q"
			;;
		subcommand)
			run_cmd as_alice_clean "$GUARDCTL" "$v"
			check_output "guardctl $q"
			;;
		help)
			run_cmd as_alice_clean "$GUARDCTL" help "$v"
			check_output "guardctl help $q"
			;;
		check)
			run_cmd as_alice_clean "$GUARDCTL" check "$T/paths/$v.conf"
			check_output "guardctl check $q (missing)"
			attack_policy >"$T/paths/$v.conf"
			chmod 0666 "$T/paths/$v.conf"
			run_cmd as_alice_clean "$GUARDCTL" check "$T/paths/$v.conf"
			check_output "guardctl check $q (writable)"
			rm -f "$T/paths/$v.conf"
			;;
		esac
	done
}

attack_case "D30 injection: explain output" case_explain_output
attack_case "D30 injection: unknown global option" case_messages option
attack_case "D30 injection: unknown subcommand" case_messages subcommand
attack_case "D30 injection: help topic" case_messages help
attack_case "D30 injection: check FILE path" case_messages check

# ---------------------------------------------------------------------------
# D31. The driver is compiled here against build/libguard.a, so that it is
# the library `make all` built; journald and auditd are the sandbox's own
# (tests/integration/daemons.sh).

. "$GUARD_SRC/tests/integration/daemons.sh"
# shellcheck disable=SC2064 # expand now
trap "stop_daemons; rm -rf -- '$T'" EXIT

# The MESSAGE_IDs of libguard/events_format_journal.c.
ID_ALLOWED=b446d3c34a0f4257852816d5cb239f57
ID_AUDIT_FAILURE=2b77ccfbe368446c86da86017fc44782

DRIVER=$T/events_driver
NOAUDIT=$T/noaudit.so
D31_SKIP=""
D31_BROKEN=""
# This run's targets: the audit log may hold an earlier run's.
D31_RUN=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')

# d31_setup: the driver, the shim and the daemons; on a failure D31_SKIP
# (a tool is missing) or D31_BROKEN says why.
d31_setup() {
	local t cf libs
	for t in auditd auditctl journalctl setpriv; do
		command -v "$t" >/dev/null || {
			D31_SKIP="$t is not installed"
			return
		}
	done
	[[ -x /lib/systemd/systemd-journald ]] || {
		D31_SKIP="systemd-journald is not installed"
		return
	}
	cf=$(make_var PKG_CFLAGS)
	libs=$(make_var PKG_LIBS)
	# shellcheck disable=SC2086 # word splitting of pkg-config's flags
	cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$GUARD_SRC/libguard" $cf \
		-o "$DRIVER" "$GUARD_SRC/tests/integration/events_driver.c" \
		"$GUARD_SRC/build/libguard.a" $libs || {
		D31_BROKEN="cannot compile tests/integration/events_driver.c"
		return
	}
	cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$NOAUDIT" "$ATTACK_DIR/noaudit.c" -ldl || {
		D31_BROKEN="cannot compile tests/attack/noaudit.c"
		return
	}
	cat >"$T/d31.conf" <<'EOF'
settings {
  default = deny
  audit   = required
  journal = yes
}
rule "helpdesk-create" {
  actions  = { "user.create" }
  actors   = { "%helpdesk" }
  decision = allow
}
EOF
	start_journald || {
		D31_BROKEN="journald did not start"
		return
	}
	if ! start_auditd "$T/audit"; then
		if [[ $(audit_pid) != 0 ]]; then
			D31_SKIP="an audit daemon runs, and its log is not readable"
		else
			D31_BROKEN="auditd did not start"
		fi
	fi
}

d31_ready() {
	[[ -z $D31_SKIP ]] || skip "$D31_SKIP"
	[[ -z $D31_BROKEN ]] || fail "$D31_BROKEN"
}

# decide MODE TARGET [WRAPPER...]: user.create of TARGET by alice
# (helpdesk: allowed) with audit = MODE, the driver run under WRAPPER;
# DRIVER_PID is its pid, by which the journal knows its entries.
decide() {
	local mode=$1 target=$2
	shift 2
	# shellcheck disable=SC2016 # for the inner shell
	run_cmd "$@" bash -c 'echo "pid $$"; exec "$0" "$@"' "$DRIVER" --policy "$T/d31.conf" \
		--audit "$mode" --actor alice --uid 1001 --actor-group helpdesk --action user.create \
		--target "$target"
	DRIVER_PID=$(sed -n 's/^pid //p' <<<"$OUT")
}

# journal MATCH...: the messages the last decide journaled (the journal
# also imports the kernel's audit records, the machine's).
journal() {
	sync_journal
	journalctl --no-pager -o cat _PID="$DRIVER_PID" "$@"
}

# failure_journaled WHY MODE: the journal has the audit failure entry,
# WHY and what followed.
failure_journaled() {
	local what="the action is refused"
	[[ $2 == required ]] || what="going on"
	assert_contains "$(journal MESSAGE_ID=$ID_AUDIT_FAILURE)" \
		"audit record not written: $1; $what (audit = $2)" "the journal says why"
}

# allowed_entries TARGET: how many times the journal has TARGET's request
# as allowed.
allowed_entries() {
	journal MESSAGE_ID=$ID_ALLOWED GUARD_TARGET="$1" | grep -c . || true
}

# no_other_daemon: no audit daemon is registered. The kernel's audit is
# the machine's: another test may start one at any time.
no_other_daemon() {
	local pid
	pid=$(audit_pid)
	[[ $pid == 0 ]] || skip "another audit daemon registered meanwhile (pid $pid)"
}

# case_unavailable FAULT MODE: a request made under FAULT, audit = MODE.
#   kernel   a kernel built without CONFIG_AUDIT: every NETLINK_AUDIT
#            socket fails with EPROTONOSUPPORT (noaudit.c, preloaded)
#   nocap    root without CAP_AUDIT_WRITE (dropped from the bounding set):
#            libaudit would take that for auditing switched off
#   records  the socket opens and a daemon is registered, but the kernel
#            turns each record away (noaudit.c, NOAUDIT_RECORDS=1): libaudit
#            returns 0 for that, not an error
#   stopped  no audit daemon: the kernel would acknowledge the record and
#            only print it
# required: refused (at the start, or when the record is not written),
# never journaled as allowed; best-effort: goes ahead, journaled. Either
# way the journal says why, and the audit log has nothing of it. Unless
# the daemon is stopped, a like request goes ahead and is recorded first,
# without the fault: what refuses is the fault, nothing else.
case_unavailable() {
	local fault=$1 mode=$2 target=d31-$D31_RUN-$1-$2 refusal why
	local -a wrap=()
	d31_ready
	case $fault in
	kernel)
		wrap=(env LD_PRELOAD="$NOAUDIT")
		refusal="open=-93 "
		why="kernel without audit support (Protocol not supported)"
		;;
	nocap)
		wrap=(setpriv --inh-caps=-audit_write --bounding-set=-audit_write)
		refusal="open=-1 "
		why="missing CAP_AUDIT_WRITE: cannot write audit records"
		;;
	records)
		wrap=(env NOAUDIT_RECORDS=1 LD_PRELOAD="$NOAUDIT")
		refusal="open=0 decision=-111 "
		why="the kernel does not accept audit records"
		;;
	stopped)
		refusal="open=-107 "
		why="no audit daemon is running: the kernel would only print the record"
		;;
	esac
	if [[ $fault == stopped ]]; then
		[[ $D31_AUDITD_STOPPED == 1 ]] || skip "the audit daemon is not this test's to stop"
		no_other_daemon
	else
		step "with the audit daemon"
		decide required "$target-ctl"
		assert_contains "$OUT" "open=0 decision=0 exec=0 decided=allow" "with an audit daemon"
		wait_audit "acct=\"$target-ctl\"" || fail "no audit record of $target-ctl"
	fi
	step "$fault, audit = $mode"
	decide "$mode" "$target" "${wrap[@]}"
	[[ $fault != stopped ]] || no_other_daemon
	if [[ $mode == required ]]; then
		assert_contains "$OUT" "$refusal" "refused"
		[[ $refusal == "open=0 "* ]] ||
			assert_contains "$OUT" "error=audit = required, but $why" "the caller is told why"
		failure_journaled "$why" required
		assert_eq 0 "$(allowed_entries "$target")" "a refused request journaled as allowed"
	else
		assert_contains "$OUT" "open=0 decision=0 exec=0 decided=allow" "best-effort goes ahead"
		failure_journaled "$why" best-effort
		assert_eq 1 "$(allowed_entries "$target")" "the decision journaled once"
	fi
	assert_eq 0 "$(grep -a -c "acct=\"$target\"" "$AUDIT_LOG" || true)" "audit records of $target"
}

d31_setup
attack_case "D31 audit unavailable: kernel without audit, required refuses" \
	case_unavailable kernel required
attack_case "D31 audit unavailable: kernel without audit, best-effort goes on" \
	case_unavailable kernel best-effort
attack_case "D31 audit unavailable: no CAP_AUDIT_WRITE, required refuses" \
	case_unavailable nocap required
attack_case "D31 audit unavailable: no CAP_AUDIT_WRITE, best-effort goes on" \
	case_unavailable nocap best-effort
attack_case "D31 audit unavailable: records turned away, required refuses" \
	case_unavailable records required
attack_case "D31 audit unavailable: records turned away, best-effort goes on" \
	case_unavailable records best-effort
# The daemon stops here, in the shell that started it and reaps it.
D31_AUDITD_STOPPED=0
if [[ -z $D31_SKIP$D31_BROKEN ]] && own_auditd; then
	step "stopping auditd"
	stop_auditd && D31_AUDITD_STOPPED=1
fi
attack_case "D31 audit unavailable: auditd stopped, required refuses" \
	case_unavailable stopped required
attack_case "D31 audit unavailable: auditd stopped, best-effort goes on" \
	case_unavailable stopped best-effort
attack_done
