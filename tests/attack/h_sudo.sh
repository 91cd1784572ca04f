#!/bin/bash
# sudo_guard.so through the real sudo: what a caller whom sudoers lets run
# ALL as (ALL:ALL) tries, against the attack policy (alice is helpdesk:
# ordinary accounts only, no role.escalate). Runs inside the sandbox, with
# the plugin in the sandbox's /etc/sudo.conf.
#
#   H1 hostile argv through sudo ... case_argv (the B17/B18 requests:
#                                    guardctl's refusals, the account files
#                                    byte for byte)
#   H2 the tool's environment ...... case_tool_env (sudo VAR=value, sudo -E:
#                                    LD_PRELOAD, POSIXLY_CORRECT never reach
#                                    a guarded tool)
#   H3 run-as groups ............... case_runas_groups (sudo -g shadow, -u
#                                    self -g root, numeric ids)
#   H4 the caller's environment .... case_caller_env (USER, SUDO_USER, TZ,
#                                    GUARD_* in sudo's environment decide
#                                    nothing)
#   H5 signals to sudo ............. case_signals (SIGSTOP, SIGKILL to the
#                                    caller's sudo while the helper waits for
#                                    the store: nothing the caller stops holds
#                                    the store; a killed sudo runs nothing)
#   H6 a path the caller can change  case_caller_path (a symlink to useradd in
#                                    ~/bin is what sudo runs after the
#                                    decision: no guarded tool, an escalation)
#   H7 sudo -R ..................... case_chroot (the jail's useradd is not
#                                    the host's: an escalation)
#   H8 delgroup is not deluser ..... case_link_name (deluser's file under
#                                    another name: the mode is the name's)

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

PLUGIN=/usr/local/libexec/guard/sudo_guard.so
[[ -f $PLUGIN ]] || skip "sudo_guard.so is not installed in the sandbox"
command -v sudo >/dev/null || skip "sudo is not installed"
: >/run/utmp
cat >/etc/sudo.conf <<CONF
Plugin sudoers_policy sudoers.so
Plugin sudoers_io sudoers.so
Plugin sudoers_audit sudoers.so
Plugin guard_approval $PLUGIN
CONF
cat >/etc/sudoers.d/guard-attack <<'SUDOERS'
alice ALL=(ALL:ALL) NOPASSWD: ALL
SUDOERS
chmod 0440 /etc/sudoers.d/guard-attack

# The account files, to compare before and after a refused run.
accounts_sum() {
	cat /etc/passwd /etc/group /etc/shadow /etc/gshadow | sha256sum
}

# sudo_as_alice ARGS...: sudo -n ARGS as alice, with a standard PATH only.
sudo_as_alice() {
	run_cmd as_alice_clean sudo -n "$@"
}

case_argv() {
	local req before
	local -a reqs=(
		"useradd -R /tmp/x newu"
		"useradd --root=/tmp/x newu"
		"useradd --ro /tmp/x newu"
		"useradd -P /tmp/x newu"
		"useradd -m -- --root=/tmp/x"
		"useradd -c -R newu"
		"useradd --gro sudo newu"
		"useradd -mG sudo newu"
		"useradd newu -G sudo"
		"useradd -ou0 newu"
		"useradd -mou0 newu"
		"useradd --ui=0 newu"
		"useradd -u 4294967295 newu"
		"useradd -g 0 newu"
		"useradd --badname -- -x"
		"usermod -aGsudo dave"
		"usermod dave -aG root"
		"usermod --append --groups adm dave"
		"usermod -c x -- -ou0"
		"gpasswd -a dave sudo"
		"gpasswd -A dave sudo"
	)
	step "the control: an ordinary account is created through sudo"
	sudo_as_alice useradd -m h1ok
	assert_eq 0 "$STATUS" "sudo useradd -m h1ok: $ERR"
	getent passwd h1ok >/dev/null || fail "h1ok was not created"
	for req in "${reqs[@]}"; do
		step "$req"
		# shellcheck disable=SC2086 # req is a list of words
		run_cmd as_alice_clean "$GUARDCTL" explain $req </dev/null
		assert_not_allowed "guardctl explain $req"
		before=$(accounts_sum)
		# shellcheck disable=SC2086
		sudo_as_alice $req </dev/null
		assert_eq 1 "$STATUS" "sudo $req: $OUT $ERR"
		assert_contains "$ERR" "guard: "
		assert_eq "$before" "$(accounts_sum)" "sudo $req changed the account files"
	done
	[[ ! -e /tmp/x ]] || fail "a tool ran under /tmp/x"
}

case_tool_env() {
	cat >"$T/evil.c" <<'C'
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void)
{
	if (geteuid() == 0)
		close(open("/tmp/h2-pwned", O_WRONLY | O_CREAT, 0644));
}
C
	cc -shared -fPIC -o "$T/evil.so" "$T/evil.c" || fail "cannot build evil.so"
	chmod 0755 "$T/evil.so"
	step "the control: the same tool without the variable runs"
	sudo_as_alice useradd -m h2ok
	assert_eq 0 "$STATUS" "sudo useradd -m h2ok: $ERR"
	step "sudo LD_PRELOAD=... useradd: refused, the library never loaded as root"
	sudo_as_alice LD_PRELOAD="$T/evil.so" useradd -m h2u
	assert_eq 1 "$STATUS" "sudo LD_PRELOAD=evil.so useradd: $ERR"
	assert_contains "$ERR" "LD_PRELOAD"
	[[ ! -e /tmp/h2-pwned ]] || fail "evil.so ran as root inside useradd"
	getent passwd h2u >/dev/null && fail "h2u was created"
	step "sudo POSIXLY_CORRECT=1 usermod: refused"
	sudo_as_alice POSIXLY_CORRECT=1 usermod -c x dave
	assert_eq 1 "$STATUS" "sudo POSIXLY_CORRECT=1 usermod: $ERR"
	assert_contains "$ERR" "POSIXLY_CORRECT"
	step "sudo -E with a variable of the caller's: refused"
	run_cmd env -i PATH="$CLEAN_PATH" POSIXLY_CORRECT=1 \
		setpriv --reuid=alice --regid=alice --init-groups -- sudo -n -E useradd -m h2w
	assert_eq 1 "$STATUS" "sudo -E useradd: $ERR"
	getent passwd h2w >/dev/null && fail "h2w was created"
	step "sudo LANG=../../x useradd: refused"
	sudo_as_alice LANG=../../tmp/x useradd -m h2x
	assert_eq 1 "$STATUS" "sudo LANG=../../tmp/x useradd: $ERR"
	step "an escalation is decided as always: the caller's own user, any variable"
	run_cmd as_alice_clean sudo -n -u alice LD_PRELOAD="$T/evil.so" true
	assert_eq 0 "$STATUS" "sudo -u alice LD_PRELOAD=... true: $ERR"
	[[ ! -e /tmp/h2-pwned ]] || fail "evil.so ran as root"
}

case_runas_groups() {
	local shadow_gid
	shadow_gid=$(getent group shadow | cut -d: -f3)
	step "the control: alice's own user and groups"
	sudo_as_alice -u alice -g helpdesk id -gn
	assert_eq 0 "$STATUS" "sudo -u alice -g helpdesk: $ERR"
	assert_eq "helpdesk" "$OUT"
	step "sudo -g shadow cat /etc/shadow"
	sudo_as_alice -g shadow cat /etc/shadow
	assert_eq 1 "$STATUS" "sudo -g shadow: $OUT"
	assert_contains "$ERR" "role.escalate"
	assert_not_contains "$OUT" "root:"
	step "sudo -u alice -g root id"
	sudo_as_alice -u alice -g root id
	assert_eq 1 "$STATUS" "sudo -u alice -g root: $OUT"
	step "numeric ids: sudo -u '#UID' -g '#GID'"
	sudo_as_alice -u "#$(id -u alice)" -g "#$shadow_gid" id
	assert_eq 1 "$STATUS" "sudo -u #uid -g #shadow: $OUT"
	sudo_as_alice -g "#0" id
	assert_eq 1 "$STATUS" "sudo -g #0: $OUT"
	step "another user: role.escalate to dave"
	sudo_as_alice -u dave id
	assert_eq 1 "$STATUS" "sudo -u dave: $OUT"
	assert_contains "$ERR" "role.escalate to dave"
}

case_caller_env() {
	cat >/etc/guard/guard.d/20-erin.conf <<'POLICY'
rule "erin-reads-shadow" {
  actions  = { "role.escalate" }
  actors   = { "erin" }
  groups   = { "shadow" }
  decision = allow
}
POLICY
	chmod 0644 /etc/guard/guard.d/20-erin.conf
	step "the control: the rule is erin's"
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=erin --regid=erin --init-groups -- \
		sudo -n -g shadow true
	# erin has no sudoers entry here: sudoers refuses, not Guard.
	assert_ne 0 "$STATUS" "erin is not in sudoers"
	echo 'erin ALL=(ALL:ALL) NOPASSWD: ALL' >/etc/sudoers.d/guard-attack-erin
	chmod 0440 /etc/sudoers.d/guard-attack-erin
	run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=erin --regid=erin --init-groups -- \
		sudo -n -g shadow true
	assert_eq 0 "$STATUS" "erin's sudo -g shadow: $ERR"
	step "alice dressed as erin: USER, LOGNAME, SUDO_USER, SUDO_UID, TZ, GUARD_*"
	run_cmd env -i PATH="$CLEAN_PATH" USER=erin LOGNAME=erin SUDO_USER=erin \
		SUDO_UID="$(id -u erin)" TZ=/etc/shadow GUARD_CONFIG=/tmp/x HOME=/home/erin \
		setpriv --reuid=alice --regid=alice --init-groups -- sudo -n -E -g shadow true
	assert_eq 1 "$STATUS" "alice's sudo -E -g shadow as 'erin': $ERR"
	assert_contains "$ERR" "role.escalate to alice"
	rm -f /etc/sudoers.d/guard-attack-erin /etc/guard/guard.d/20-erin.conf
}

DB=/var/lib/guard/guard.db

# hold_lock / release_lock: a sqlite3 shell holds the store's write lock.
hold_lock() {
	local i err
	rm -f "$T/holder.fifo"
	mkfifo "$T/holder.fifo"
	sqlite3 -batch "$DB" <"$T/holder.fifo" >"$T/holder.out" 2>&1 &
	HOLDER=$!
	exec 8>"$T/holder.fifo"
	printf '.timeout 5000\nBEGIN IMMEDIATE;\n' >&8
	for ((i = 0; i < 100; i++)); do
		err=$(sqlite3 -batch "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1 >/dev/null) ||
			[[ $err != *"database is locked"* ]] || return 0
		sleep 0.05
	done
	fail "the sqlite3 shell did not take the write lock: $(cat "$T/holder.out")"
}

release_lock() {
	printf 'ROLLBACK;\n.quit\n' >&8
	exec 8>&-
	wait "$HOLDER" 2>/dev/null || true
}

decisions() {
	sqlite3 -batch "$DB" "SELECT count(*) FROM decisions;" 2>/dev/null || echo 0
}

case_signals() {
	local pid n
	step "the control: the store exists, a sudo useradd goes through"
	sudo_as_alice useradd -m h5ok
	assert_eq 0 "$STATUS" "sudo useradd -m h5ok: $ERR"
	step "SIGSTOP to alice's sudo while the helper waits for the store"
	hold_lock
	# One process from env to sudo (each execs the next): $! is sudo.
	env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		sudo -n useradd -m h5a >"$T/h5a.out" 2>&1 </dev/null 8>&- &
	pid=$!
	sleep 1
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == sudo ]] || fail "no sudo at pid $pid"
	kill -STOP "$pid" || fail "alice's sudo is gone: $(cat "$T/h5a.out")"
	release_lock
	step "... the helper decides all the same; another sudo of alice's is not held up"
	run_cmd timeout 10 setpriv --reuid=alice --regid=alice --init-groups -- \
		env -i PATH="$CLEAN_PATH" sudo -n useradd -m h5b
	assert_eq 0 "$STATUS" "a second sudo while the first is stopped: $ERR"
	kill -CONT "$pid"
	timeout 15 tail --pid="$pid" -f /dev/null || fail "the resumed sudo did not end"
	wait "$pid" || true
	step "SIGKILL to alice's sudo while the helper waits: the decision is recorded, nothing runs"
	hold_lock
	n=$(decisions)
	env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
		sudo -n useradd -m h5k >"$T/h5k.out" 2>&1 </dev/null 8>&- &
	pid=$!
	sleep 1
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == sudo ]] || fail "no sudo at pid $pid"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	release_lock
	sleep 2
	getent passwd h5k >/dev/null && fail "a killed sudo ran useradd"
	assert_ne "$n" "$(decisions)" "the helper recorded the decision after sudo died"
	sudo_as_alice useradd -m h5c
	assert_eq 0 "$STATUS" "sudo after the kill: $ERR"
}

case_caller_path() {
	step "the control: useradd by its own path, and through root's /sbin link"
	sudo_as_alice /usr/sbin/useradd -M h6ok
	assert_eq 0 "$STATUS" "sudo /usr/sbin/useradd: $ERR"
	if [[ -L /sbin ]]; then
		sudo_as_alice /sbin/useradd -M h6ok2
		assert_eq 0 "$STATUS" "sudo /sbin/useradd: $ERR"
	fi
	step "a symlink to useradd in alice's own directory: an escalation to root"
	run_cmd as_alice_clean sh -c 'mkdir -p /home/alice/h6bin && ln -sfn /usr/sbin/useradd /home/alice/h6bin/useradd'
	assert_eq 0 "$STATUS" "$ERR"
	sudo_as_alice /home/alice/h6bin/useradd -M h6sym
	assert_eq 1 "$STATUS" "sudo ~/h6bin/useradd: $ERR"
	assert_contains "$ERR" "role.escalate to root"
	getent passwd h6sym >/dev/null && fail "h6sym was created"
	step "a directory of alice's on the way, through a symlink of root's"
	ln -sfn /home/alice/h6bin /usr/local/sbin/h6dir
	sudo_as_alice /usr/local/sbin/h6dir/useradd -M h6sym2
	rm -f /usr/local/sbin/h6dir
	assert_eq 1 "$STATUS" "sudo /usr/local/sbin/h6dir/useradd: $ERR"
	if getent passwd h6sym2 >/dev/null; then fail "h6sym2 was created"; fi
}

case_chroot() {
	local before
	echo 'Defaults:alice runchroot=*' >/etc/sudoers.d/h7-chroot
	chmod 0440 /etc/sudoers.d/h7-chroot
	run_cmd as_alice_clean sh -c 'mkdir -p /home/alice/jail/usr/sbin && cp /usr/sbin/useradd /home/alice/jail/usr/sbin/'
	assert_eq 0 "$STATUS" "$ERR"
	step "the control: useradd without -R"
	sudo_as_alice /usr/sbin/useradd -M h7ok
	assert_eq 0 "$STATUS" "sudo useradd: $ERR"
	step "sudo -R ~/jail useradd: the jail's file, an escalation to root"
	before=$(accounts_sum)
	sudo_as_alice -R /home/alice/jail /usr/sbin/useradd -M h7chr
	rm -f /etc/sudoers.d/h7-chroot
	assert_eq 1 "$STATUS" "sudo -R ~/jail useradd: $ERR"
	assert_contains "$ERR" "role.escalate to root"
	assert_eq "$before" "$(accounts_sum)" "the account files changed"
}

case_link_name() {
	printf '%s\n' 'command "adduser" { path = "/usr/sbin/adduser" }' \
		'command "deluser" { path = "/usr/sbin/deluser" }' >/etc/guard/guard.d/h8.conf
	chmod 0644 /etc/guard/guard.d/h8.conf
	groupadd h8grp
	useradd -M h8user
	step "the control: deluser removes an ordinary account"
	sudo_as_alice /usr/sbin/deluser h8user
	assert_eq 0 "$STATUS" "sudo deluser h8user: $ERR"
	getent passwd h8user >/dev/null && fail "h8user is still there"
	step "delgroup (deluser's file): group.delete, which helpdesk does not have"
	sudo_as_alice /usr/sbin/delgroup h8grp
	rm -f /etc/guard/guard.d/h8.conf
	assert_eq 1 "$STATUS" "sudo delgroup h8grp: $ERR"
	assert_contains "$ERR" "group.delete"
	getent group h8grp >/dev/null || fail "group h8grp was deleted"
}

attack_case "H1 hostile argv through sudo: guardctl's refusals" case_argv
attack_case "H2 sudo VAR=value and -E never reach a guarded tool" case_tool_env
attack_case "H3 run-as groups: sudo -g, sudo -u self -g" case_runas_groups
attack_case "H4 the caller's environment decides nothing" case_caller_env
attack_case "H5 signals to sudo while the helper decides" case_signals
attack_case "H6 a path the caller can change is no guarded tool" case_caller_path
attack_case "H7 sudo -R: the file in the chroot is no guarded tool" case_chroot
attack_case "H8 delgroup through a deluser command block" case_link_name
attack_done
