#!/bin/bash
# pam_guard.so through the real programs, in the sandbox's private /etc:
# the export check, pamtester through auth and account, the real su and
# su - (auth requisite, account required), sudo and sudo -i (session
# required, the run-as user as the target), runuser and runuser -l
# (session). The time window of the policy is written around the current
# time or away from it: the product has no test clock. The return codes of
# every path, hostile PAM items, the host process after pam_end and
# parallel failures (docs/threat-model.md C26-C29) are tests/attack/c_pam.sh's.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

in_sandbox "$@"
MODULE=$GUARD_SRC/build/pam_guard.so

step "exports: only pam_sm_*, linked with libpam alone"
[[ -f $MODULE ]] || skip "build/pam_guard.so is not built"
exports=$(nm -D --defined-only "$MODULE" | awk '{print $3}' | sort | tr '\n' ' ')
assert_eq "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_chauthtok pam_sm_close_session pam_sm_open_session pam_sm_setcred " \
	"$exports" "dynamic symbols of pam_guard.so"
needed=$(readelf -d "$MODULE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
assert_eq "libc.so.6 libpam.so.0 " "$needed" "libraries pam_guard.so needs"
assert_contains "$(readelf -d "$MODULE")" "BIND_NOW" "pam_guard.so is linked -z now"
assert_contains "$(readelf -l "$MODULE")" "GNU_RELRO" "pam_guard.so is linked -z relro"

require_root
PAM_DIR=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
HELPER=/usr/local/libexec/guard/guard-pam-helper
[[ -f $PAM_DIR/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
[[ -x $HELPER ]] || skip "guard-pam-helper is not installed in the sandbox"
command -v pamtester >/dev/null || skip "pamtester is not installed"

# The host's utmp names the host's terminals: none of them here.
: >/run/utmp

# as USER CMD...: as USER, at the machine: a session of its own on a new
# terminal with a local utmp entry (su and sudo are located by the session
# they run in, and a session nobody logged into is nowhere).
LOCAL_SESSION=$(mktemp /tmp/local_session.XXXXXX)
# shellcheck disable=SC2064 # expand now
trap "rm -f '$LOCAL_SESSION'" EXIT
cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$LOCAL_SESSION" "$GUARD_SRC/tests/integration/local_session.c" ||
	fail "cannot compile tests/integration/local_session.c"
as() {
	local user=$1
	shift
	"$LOCAL_SESSION" setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# A window of two hours around now (UTC), or one that starts in two hours.
hhmm() { date -u -d "@$(($(date +%s) + $1 * 60))" +%H:%M; }
WINDOW_NOW="$(hhmm -60)-$(hhmm 60)"
WINDOW_LATER="$(hhmm 120)-$(hhmm 180)"

write_policy() {
	local window=$1
	cat >/etc/guard/guard.conf <<POLICY
settings {
  audit     = off
  journal   = no
  default   = deny
  timezone  = "UTC"
  approvers = { "%guard-approvers" }
}
protected_users = { "root", "uid:0-999" }

rule "no-system-accounts" {
  actions  = { "role.escalate", "session.login" }
  targets  = { "@protected", "!root" }
  decision = deny
  message  = "System accounts are entered by configuration management only."
}
rule "admins-in-window" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  time     = { "$window" }
  from     = { "local", "10.0.0.0/8" }
  decision = allow
  message  = "Admins escalate in the change window."
}
rule "root-anywhere" {
  actions  = { "role.escalate" }
  actors   = { "root" }
  decision = allow
}
rule "console-logins" {
  actions  = { "session.login" }
  from     = { "tty:tty*" }
  decision = allow
}

service "su"          { action = "role.escalate" }
service "su-l"        { action = "role.escalate" }
service "sudo"        { action = "role.escalate" }
service "sudo-i"      { action = "role.escalate" }
service "runuser"     { action = "role.escalate" }
service "runuser-l"   { action = "role.escalate" }
service "guard-login" { action = "session.login" }
POLICY
	chmod 0644 /etc/guard/guard.conf
}

# Generated service files, in the sandbox's private /etc/pam.d only.
cat >/etc/pam.d/guard-test <<'PAM'
auth     requisite pam_guard.so action=role.escalate
auth     required  pam_permit.so
account  required  pam_guard.so action=role.escalate
PAM
cat >/etc/pam.d/guard-monitor <<'PAM'
auth     requisite pam_guard.so action=role.escalate monitor
auth     required  pam_permit.so
account  required  pam_guard.so action=role.escalate monitor
PAM
cat >/etc/pam.d/guard-login <<'PAM'
auth     required  pam_permit.so
account  required  pam_guard.so
PAM

step "pamtester: allowed in the window, through auth and account"
write_policy "$WINDOW_NOW"
assert_exit 0 pamtester -I ruser=bob guard-test alice authenticate acct_mgmt
assert_not_contains "$OUT$ERR" "guard:"

step "pamtester: denied out of the window, with the near miss and the next window"
write_policy "$WINDOW_LATER"
assert_exit 1 pamtester -I ruser=bob guard-test alice authenticate
assert_contains "$ERR" "guard: denied: role.escalate to alice by default: it is"
assert_contains "$ERR" "(rule \"admins-in-window\""
assert_contains "$ERR" "Admins escalate in the change window."
assert_contains "$ERR" "Next: allowed from"
assert_exit 1 pamtester -I ruser=bob guard-test alice acct_mgmt

step "pamtester: denied from a source address the rule does not name"
write_policy "$WINDOW_NOW"
assert_exit 0 pamtester -I ruser=bob -I rhost=10.1.2.3 guard-test alice acct_mgmt
assert_exit 1 pamtester -I ruser=bob -I rhost=192.0.2.7 guard-test alice acct_mgmt
assert_contains "$ERR" "192.0.2.7"

step "pamtester: a tty rule (session.login at the console, not on a pts)"
assert_exit 0 pamtester -I tty=/dev/tty1 guard-login alice acct_mgmt
assert_exit 1 pamtester -I tty=pts/4 guard-login alice acct_mgmt
assert_contains "$ERR" "guard: denied: session.login"

step "pamtester: a protected target is refused with the rule's message"
assert_exit 1 pamtester -I ruser=bob guard-test daemon acct_mgmt
assert_contains "$ERR" "by rule \"no-system-accounts\""
assert_contains "$ERR" "System accounts are entered by configuration management only."

step "pamtester: monitor mode returns success and says it would deny"
assert_exit 0 pamtester -I ruser=dave guard-monitor alice authenticate acct_mgmt
assert_contains "$OUT$ERR" "guard: would be denied (monitor mode)"

step "pamtester: a broken policy refuses"
printf 'rule "broken" {\n  decision = perhaps\n}\n' >/etc/guard/guard.conf
assert_exit 1 pamtester -I ruser=bob guard-test alice authenticate
assert_contains "$ERR" "the Guard policy cannot be loaded"

step "pamtester: a role group that does not exist refuses, naming it"
write_policy "$WINDOW_NOW"
sed -i 's/"%admins"/"%nosuchrole"/' /etc/guard/guard.conf
assert_exit 1 pamtester -I ruser=bob guard-test alice authenticate
assert_contains "$ERR" "guard: refused: role group %nosuchrole does not exist: creating it would grant the role"
assert_exit 1 pamtester -I ruser=root guard-test alice acct_mgmt
write_policy "$WINDOW_NOW"

# The real programs, with pam_guard where pam_guard(8) puts it.
sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su
for s in sudo sudo-i runuser runuser-l; do
	[[ -f /etc/pam.d/$s ]] || fail "/etc/pam.d/$s is missing"
	echo "session  required  pam_guard.so" >>/etc/pam.d/$s
done
cat >/etc/sudoers.d/guard-test <<'SUDOERS'
bob  ALL=(ALL:ALL) NOPASSWD: ALL
dave ALL=(ALL:ALL) NOPASSWD: ALL
SUDOERS
chmod 0440 /etc/sudoers.d/guard-test

step "su: an unprivileged caller is refused before the password prompt"
assert_exit 1 as dave su -c true alice </dev/null
assert_contains "$ERR" "guard: denied: role.escalate to alice"
assert_not_contains "$OUT$ERR" "Password"
assert_exit 1 as dave su - alice -c true </dev/null
assert_contains "$ERR" "guard: denied: role.escalate to alice"

step "su: an allowed caller reaches the password prompt"
assert_exit 1 as bob su -c true alice </dev/null
assert_contains "$OUT$ERR" "Password"
assert_not_contains "$OUT$ERR" "guard:"

step "su: root skips auth; the account stage decides"
assert_exit 0 su -c true alice
assert_exit 0 su - alice -c true
assert_exit 1 su -s /bin/sh -c true daemon
assert_contains "$ERR" "by rule \"no-system-accounts\""
assert_exit 0 su -c true root

step "sudo: the run-as user is the target, in the window"
assert_exit 0 as bob sudo -n true
assert_exit 0 as bob sudo -n -u alice true
assert_exit 0 as bob sudo -n -i true
assert_exit 1 as dave sudo -n true
assert_contains "$ERR" "guard: denied: role.escalate to root"
assert_exit 1 as bob sudo -n -u daemon true
assert_contains "$ERR" "System accounts are entered by configuration management only."
assert_exit 0 as dave sudo -n -u dave true

step "sudo: out of the window, refused with the guidance"
write_policy "$WINDOW_LATER"
assert_exit 1 as bob sudo -n true
assert_contains "$ERR" "guard: denied: role.escalate to root"
assert_contains "$ERR" "Next: allowed from"
assert_exit 1 as bob sudo -n -i true
assert_contains "$ERR" "guard: denied: role.escalate to root"
write_policy "$WINDOW_NOW"

step "runuser and runuser -l: the session stage decides"
assert_exit 0 runuser -u alice -- true
assert_exit 0 runuser -l alice -c true
assert_exit 1 runuser -u daemon -- /bin/true
assert_contains "$ERR" "by rule \"no-system-accounts\""
assert_exit 1 runuser -l daemon -s /bin/sh -c true
assert_contains "$ERR" "by rule \"no-system-accounts\""

step "the shipped policy maps su, su-l, sudo, sudo-i, runuser, runuser-l"
for s in su su-l sudo sudo-i runuser runuser-l; do
	assert_contains "$(cat "$GUARD_SRC/conf/guard.conf")" "service \"$s\"" "conf/guard.conf maps $s"
done
