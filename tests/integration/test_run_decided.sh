#!/bin/bash
# guardctl COMMAND through guard-decided: with the decision service
# listening, the setuid front asks it and runs the tool itself; guardctl's
# own program runs only for what the service leaves to it (subcommands,
# the batch tools). test_run.sh's every step again, then what only this
# path has: the service's ledger row and exit status, the journal entry
# sent from the caller's own process, and guardctl's own program taking
# over when the service is gone. Then test_e2e_events.sh's every step with
# the service, whose audit records must carry the caller's login uid.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

DECIDED=/usr/local/libexec/guard/guard-decided
PROGRAM=/usr/local/libexec/guard/guardctl
[[ -x $DECIDED ]] || skip "guard-decided is not installed in the sandbox"
T=$(mktemp -d)

# guardctl's own program behind a wrapper that notes each start: which
# requests did not go through the service.
mv "$PROGRAM" "$T/program"
cat >"$T/wrapper.c" <<EOF
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv, char **envp)
{
	int fd = open("$T/started", O_WRONLY | O_APPEND | O_CREAT, 0644);
	for (int i = 1; fd >= 0 && i < argc; i++) {
		write(fd, argv[i], strlen(argv[i]));
		write(fd, i + 1 < argc ? " " : "\n", 1);
	}
	execve("$T/program", argv, envp);
	return 127;
}
EOF
cc -o "$PROGRAM" "$T/wrapper.c" || fail "cannot build the wrapper"
chmod 0755 "$PROGRAM" "$T"

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	stop_decided
	mv -f "$T/program" "$PROGRAM" 2>/dev/null || true
	rm -rf -- "$T"
}
trap cleanup EXIT

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

start_decided "$T/decided.log" || fail "guard-decided did not start"

step "test_run.sh, every step, with the service deciding"
bash "$(dirname -- "${BASH_SOURCE[0]}")/test_run.sh" || fail "test_run.sh failed with the service"
started=$(cat "$T/started" 2>/dev/null || true)
# Only these reach guardctl's own program: the subcommands (check), the
# batch tool, a --reason out of bounds (its error is the program's), and
# the two requests the service leaves to it before deciding: a caller NSS
# cannot name, a policy that does not load.
long=$(printf 'x%.0s' {1..1100})
while read -r line; do
	case $line in
	"" | check* | chpasswd | "useradd ghost" | "groupadd broken") ;;
	"--reason  groupadd reasoned" | "--reason $long groupadd reasoned") ;;
	"--reason x explain groupadd reasoned") ;;
	*) fail "guardctl's own program decided \"$line\", not the service" ;;
	esac
done <<<"$started"
assert_contains "$started" "chpasswd" "the batch tool went to guardctl's own program"

step "an allowed command: the service's ledger row has the tool's exit status"
start_journald || fail "no journald"
cat >/etc/guard/guard.conf <<'EOF'
settings {
  mode     = enforce
  default  = deny
  audit    = off
  journal  = yes
  timezone = "UTC"
}
privileged_groups = { "root", "sudo" }
rule "helpdesk" {
  actions  = { "user.modify", "group.create" }
  actors   = { "alice" }
  limit    = "100/1h"
  decision = allow
}
EOF
chmod 0644 /etc/guard/guard.conf
find /var/lib/guard -mindepth 1 -delete
: >"$T/started"
as alice /usr/local/sbin/guardctl groupadd decidedgrp || fail "groupadd through the service"
getent group decidedgrp >/dev/null || fail "the group was not made"
assert_eq "" "$(cat "$T/started")" "guardctl's own program did not run"
row=$(sqlite3 /var/lib/guard/guard.db \
	"SELECT decision || ' ' || exit_status FROM decisions ORDER BY id DESC LIMIT 1")
assert_eq "allow 0" "$row" "ledger: decision and exit status"
sync_journal
comm=$(journalctl --no-pager -o verbose --since=-1min GUARD_EVENT=exec 2>/dev/null |
	sed -n 's/^ *_COMM=//p' | tail -n 1)
assert_eq "guardctl" "$comm" "the end of the tool is journaled by the caller's own process"

step "a refused command: the service's text and exit status, nothing run"
rc=0
as alice /usr/local/sbin/guardctl usermod -aG sudo alice >"$T/out" 2>&1 || rc=$?
assert_eq 1 "$rc" "refused"
assert_contains "$(cat "$T/out")" "guard:" "the refusal's guidance is printed"
id -nG alice | grep -qw sudo && fail "alice joined sudo"
assert_eq "" "$(cat "$T/started")" "guardctl's own program did not run"

step "a failing tool: its exit status reaches the caller and the ledger"
rc=0
as alice /usr/local/sbin/guardctl groupadd decidedgrp >/dev/null 2>&1 || rc=$?
assert_eq 9 "$rc" "groupadd's own status for an existing group"
row=$(sqlite3 /var/lib/guard/guard.db "SELECT exit_status FROM decisions ORDER BY id DESC LIMIT 1")
assert_eq "$((9 << 8))" "$row" "ledger: the wait status"
# The end's records for an exit 0 come with the decision, any other end's
# after it: each run's end is journaled once, with the status it had.
sync_journal
ends=$(journalctl --no-pager -o cat --output-fields=GUARD_EXIT --since=-1min GUARD_EVENT=exec \
	GUARD_ARGV="groupadd decidedgrp" 2>/dev/null)
assert_eq $'0\n9' "$ends" "one end journaled per run: exit 0, then exit 9"

step "control: the service stopped, guardctl's own program decides"
stop_decided
stop_daemons
as alice /usr/local/sbin/guardctl groupadd decidedgrp2 || fail "groupadd without the service"
assert_contains "$(cat "$T/started")" "groupadd decidedgrp2" "guardctl's own program ran"

step "test_e2e_events.sh, every step, with the service deciding: the records come from the caller's process"
: >"$T/started"
GUARD_E2E_DECIDED=1 bash "$(dirname -- "${BASH_SOURCE[0]}")/test_e2e_events.sh" ||
	fail "test_e2e_events.sh failed with the service"
assert_not_contains "$(cat "$T/started")" "useradd" "the service decided guardctl's requests"

echo "ok"
