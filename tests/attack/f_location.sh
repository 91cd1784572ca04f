#!/bin/bash
# The location is the session's (docs/design.md, "The privilege model"): the
# controlling terminal of the caller's session as the kernel reports it,
# accepted only when its utmp entry belongs to that session (its pid the
# session leader, a process of the session, or the leader's parent, as
# login records itself); or systemd-logind's record of the session. Never
# a terminal the caller merely holds open. Each case runs guardctl in a
# session of its own on a new terminal (tests/attack/pty_drive.c), with the
# utmp entries sshd or login would write (utmp_entry.c). No logind here:
# its path is tested at the unit level (tests/unit/test_session.c).
#
#   F1 remote session, her local terminal as fd 0/1/2 ... case_other_terminal
#   F2 utmp entry of another session ................... case_foreign_entry
#   F3 no controlling terminal ......................... case_no_ctty
#   F4 local session (control) ......................... case_local
#   F5 remote session and a `from` network (control) ... case_network
#   F6 su through pam_guard: the session, not PAM_TTY .. case_su

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# helpdesk creates accounts from the local host or from 10.20.0.0/16 only.
location_policy() {
	cat <<'EOF'
settings {
  mode      = enforce
  default   = deny
  audit     = off
  journal   = no
  approvers = { "%guard-approvers" }
  timezone  = "UTC"
}

rule "helpdesk-local" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  from     = { "local" }
  decision = allow
}

rule "helpdesk-office" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  from     = { "10.20.0.0/16" }
  decision = allow
}

rule "helpdesk-su" {
  actions  = { "role.escalate" }
  actors   = { "%helpdesk" }
  targets  = { "fsutgt" }
  from     = { "local", "10.20.0.0/16" }
  decision = allow
}

command "useradd" { path = "/usr/sbin/useradd" }
service "su" { action = "role.escalate" }
EOF
}
location_policy >"$T/location.conf"
install_policy "$T/location.conf"
build_helper pty_drive
build_helper utmp_entry

# $T/session.sh PID HOST ADDR SNIPPET, run by pty_drive as the leader of a
# new session on a new terminal: writes the terminal's utmp entry as sshd
# (PID "leader": this shell) or login ("parent": the process that started
# the leader) would, or another PID, or none ("none"); HOST "" is a local
# login. Then alice runs SNIPPET (bash) in this session; "status=N" follows.
cat >"$T/session.sh" <<EOF
#!/bin/bash
set -u
line=\$(tty) || exit 90
line=\${line#/dev/}
case \$1 in
leader) pid=\$\$ ;;
parent) pid=\$PPID ;;
none) pid= ;;
*) pid=\$1 ;;
esac
if [[ -n \$pid ]]; then
	"$T/utmp_entry" -p "\$pid" "\$line" "\$2" \${3:+"\$3"} || exit 91
fi
echo "line=\$line"
env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- bash -c "\$4"
echo "status=\$?"
EOF
chmod 0755 "$T/session.sh"

# in_session PID HOST ADDR SNIPPET: session.sh on a new terminal; OUT holds
# what the session printed, without carriage returns.
in_session() {
	run_cmd "$T/pty_drive" -t 30 -- bash "$T/session.sh" "$@"
	OUT=$(tr -d '\r' <<<"$OUT")
	[[ $OUT == *line=* ]] || fail "no terminal session: $OUT $ERR"
}

# session_status: the status= line of the last in_session.
session_status() {
	sed -n 's/^status=//p' <<<"$OUT" | tail -n 1
}

# start_local_terminal: a terminal of alice's own (she opened it, as a
# local login on the console would give her one) whose session leader the
# utmp entry names with no host: a local login. Sets LOCAL_TTY (/dev/pts/N)
# and LOCAL_LEADER.
start_local_terminal() {
	install -d -m 0755 -o alice "$T/local"
	rm -f "$T/local/tty" "$T/local/pid"
	as_user alice "$T/pty_drive" -t 120 -- bash -c \
		'echo $$ >"$1/pid"; tty >"$1/tty.tmp" && mv "$1/tty.tmp" "$1/tty"; exec sleep 110' \
		_ "$T/local" >/dev/null 2>&1 &
	LOCAL_DRIVER=$!
	local i
	for i in $(seq 100); do
		[[ -s $T/local/tty ]] && break
		sleep 0.1
	done
	LOCAL_TTY=$(cat "$T/local/tty")
	LOCAL_LEADER=$(cat "$T/local/pid")
	[[ $LOCAL_TTY == /dev/pts/* ]] || fail "no local terminal: $LOCAL_TTY"
	[[ $(stat -c %U "$LOCAL_TTY") == alice ]] || fail "$LOCAL_TTY is not alice's"
	"$T/utmp_entry" -p "$LOCAL_LEADER" "${LOCAL_TTY#/dev/}" "" || fail "utmp entry"
	# shellcheck disable=SC2064 # expand now
	trap "kill $LOCAL_LEADER $LOCAL_DRIVER 2>/dev/null || true" EXIT
}

no_account() {
	if getent passwd "$1" >/dev/null; then
		fail "$2: account $1 was created"
	fi
}

has_account() {
	getent passwd "$1" >/dev/null || fail "$2: account $1 was not created"
	userdel "$1" 2>/dev/null || true
}

# F1: alice's session is remote (from 192.0.2.66, which no rule names); she
# holds a local terminal of her own open as fd 0, 1 or 2 (the others on
# files): still remote, never local.
case_other_terminal() {
	: >/run/utmp
	start_local_terminal
	local fd redir name
	for fd in 0 1 2; do
		name=floc$fd
		case $fd in
		0) redir="0<>$LOCAL_TTY 1>/dev/null 2>/dev/null" ;;
		1) redir="0</dev/null 1<>$LOCAL_TTY 2>/dev/null" ;;
		2) redir="0</dev/null 1>/dev/null 2<>$LOCAL_TTY" ;;
		esac
		step "remote session, her local terminal $LOCAL_TTY as fd $fd: useradd $name is refused"
		in_session leader 192.0.2.66 192.0.2.66 "$GUARDCTL useradd $name $redir"
		assert_eq 1 "$(session_status)" "useradd from a remote session with a local fd $fd: $OUT"
		no_account "$name" "remote session, local terminal as fd $fd"
	done
	step "explain says where: the remote host, the session's terminal"
	in_session leader 192.0.2.66 192.0.2.66 "$GUARDCTL explain useradd floc 0<>$LOCAL_TTY"
	assert_contains "$(grep '^where:' <<<"$OUT")" "192.0.2.66"
	assert_not_contains "$(grep '^where:' <<<"$OUT")" "${LOCAL_TTY#/dev/},"
	assert_not_contains "$(grep '^where:' <<<"$OUT")" "local host"
}

# F2: the session's terminal has a utmp entry, but its pid is another
# session's (alice's local one, a process that is gone, the leader of an
# earlier session on the same line): unknown.
case_foreign_entry() {
	: >/run/utmp
	start_local_terminal
	step "the entry names the leader of another session (local, alive)"
	in_session "$LOCAL_LEADER" "" "" "$GUARDCTL useradd fforeign1"
	assert_eq 1 "$(session_status)" "useradd with another session's utmp entry: $OUT"
	no_account fforeign1 "another session's utmp entry"
	in_session "$LOCAL_LEADER" "" "" "$GUARDCTL explain useradd fforeign1"
	assert_contains "$(grep '^where:' <<<"$OUT")" "unknown location"
	step "the entry names a process that is gone"
	local gone
	gone=$(sh -c 'echo $$')
	in_session "$gone" "" "" "$GUARDCTL useradd fforeign2"
	assert_eq 1 "$(session_status)" "useradd with a dead pid's utmp entry: $OUT"
	no_account fforeign2 "a dead pid's utmp entry"
	step "no entry of its own: the stale one an earlier session on that line left"
	in_session leader "" "" "true"
	in_session none "" "" "$GUARDCTL useradd fforeign3"
	assert_eq 1 "$(session_status)" "useradd on a terminal with a stale utmp entry: $OUT"
	no_account fforeign3 "a stale utmp entry"
}

# F3: no controlling terminal (setsid), fds 0-2 on alice's local terminal,
# which has its own local utmp entry: unknown, not local.
case_no_ctty() {
	: >/run/utmp
	start_local_terminal
	local redir="0<>$LOCAL_TTY 1<>$LOCAL_TTY 2<>$LOCAL_TTY"
	step "setsid: no controlling terminal; fds 0-2 on $LOCAL_TTY"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		bash -c "setsid -w $GUARDCTL useradd fnotty $redir; echo status=\$? >$T/local/status"
	assert_eq "status=1" "$(cat "$T/local/status")" "useradd without a controlling terminal"
	no_account fnotty "no controlling terminal"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		setsid -w "$GUARDCTL" explain useradd fnotty 0<>"$LOCAL_TTY"
	assert_contains "$(grep '^where:' <<<"$OUT")" "unknown location"
	assert_not_contains "$(grep '^where:' <<<"$OUT")" "tty"
}

# F4 (control): a local session's own terminal and entry is local; so is
# login's entry, which records login's pid, the session leader's parent.
case_local() {
	: >/run/utmp
	step "sshd-style entry (the leader's pid), no host: local"
	in_session leader "" "" "$GUARDCTL useradd flocal1"
	assert_eq 0 "$(session_status)" "useradd from a local session: $OUT"
	has_account flocal1 "local session"
	in_session leader "" "" "$GUARDCTL explain useradd flocal1"
	assert_contains "$(grep '^where:' <<<"$OUT")" "local host"
	step "login-style entry (the leader's parent's pid), no host: local"
	in_session parent "" "" "$GUARDCTL useradd flocal2"
	assert_eq 0 "$(session_status)" "useradd from a login session: $OUT"
	has_account flocal2 "login session"
}

# F5 (control): a remote session from 10.20.1.7 matches `from = {
# "10.20.0.0/16" }`; from 192.0.2.66 it matches nothing.
case_network() {
	: >/run/utmp
	step "remote from 10.20.1.7: allowed by helpdesk-office"
	in_session leader 10.20.1.7 10.20.1.7 "$GUARDCTL useradd fnet1"
	assert_eq 0 "$(session_status)" "useradd from 10.20.1.7: $OUT"
	has_account fnet1 "remote session from 10.20.1.7"
	step "remote by name only, host 10.20.9.9 in ut_host: allowed"
	in_session leader 10.20.9.9 "" "$GUARDCTL useradd fnet2"
	assert_eq 0 "$(session_status)" "useradd from 10.20.9.9: $OUT"
	has_account fnet2 "remote session from 10.20.9.9"
	step "remote from 192.0.2.66: refused"
	in_session leader 192.0.2.66 192.0.2.66 "$GUARDCTL useradd fnet3"
	assert_eq 1 "$(session_status)" "useradd from 192.0.2.66: $OUT"
	no_account fnet3 "remote session from 192.0.2.66"
}

attack_case "F5 location: a remote session's local terminal as fd 0, 1 or 2 is not local" case_other_terminal
# F6: su is setuid and alice starts it, so PAM_TTY is the terminal su finds
# on fd 0, 1 or 2: hers to pick. pam_guard locates su by the session it
# runs in, as guardctl is located. A refusal ends before su's password
# prompt; an allowed su reaches it (and fails on /dev/null).
case_su() {
	local pam_dir redir
	pam_dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $pam_dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	getent passwd fsutgt >/dev/null || useradd -M fsutgt
	: >/run/utmp
	start_local_terminal
	redir="0</dev/null 1<>$LOCAL_TTY"
	cp /etc/pam.d/su "$T/su.pam"
	sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su
	# shellcheck disable=SC2064 # expand now
	trap "cp '$T/su.pam' /etc/pam.d/su; kill $LOCAL_LEADER $LOCAL_DRIVER 2>/dev/null || true" EXIT
	step "remote session from 192.0.2.66, su's stdout on her local terminal: refused"
	in_session leader 192.0.2.66 192.0.2.66 "su -c true fsutgt $redir"
	assert_contains "$OUT" "guard: denied: role.escalate to fsutgt"
	assert_contains "$OUT" "192.0.2.66"
	assert_not_contains "$OUT" "Password"
	step "no controlling terminal, su's stdout on her local terminal: refused (unknown)"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		bash -c "setsid -w su -c true fsutgt $redir 2>$T/local/err"
	assert_contains "$(cat "$T/local/err")" "guard: denied: role.escalate to fsutgt"
	assert_contains "$(cat "$T/local/err")" "unknown location"
	step "control: her local session reaches su's password prompt"
	in_session leader "" "" "su -c true fsutgt 0</dev/null"
	assert_not_contains "$OUT" "guard:"
	assert_contains "$OUT" "Password"
	step "control: a remote session from 10.20.1.7 reaches su's password prompt"
	in_session leader 10.20.1.7 10.20.1.7 "su -c true fsutgt 0</dev/null"
	assert_not_contains "$OUT" "guard:"
	assert_contains "$OUT" "Password"
	cp "$T/su.pam" /etc/pam.d/su
}

attack_case "F5 location: a utmp entry of another session is unknown" case_foreign_entry
attack_case "F5 location: no controlling terminal is unknown, whatever fds 0-2 are" case_no_ctty
attack_case "F5 location: a local session's own terminal and entry is local" case_local
attack_case "F5 location: a remote session from 10.20.1.7 matches 10.20.0.0/16" case_network
attack_case "F5 location: su through pam_guard is where its session is, not PAM_TTY" case_su
attack_done
