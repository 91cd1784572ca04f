#!/bin/bash
# sudo_guard.so through the real sudo, in the sandbox's private /etc: the
# export check; /etc/sudo.conf loads the plugin and sudoers gives the test
# users (ALL:ALL). A guarded tool run through sudo is decided per action
# (helpdesk's `sudo useradd` allowed, `sudo usermod -aG sudo` refused with
# group.member.add named); any other command is role.escalate to the run-as
# user and every privileged run-as group (`sudo -g shadow`, `sudo -u self
# -g root`); an approval round trip through `guardctl approve`; a broken
# policy, a missing helper refuse; `sudo -l`, `-v`, `-k` are no decisions;
# the plugin's monitor argument. Hostile argv and environment through sudo
# are tests/attack/h_sudo.sh's.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

in_sandbox "$@"
PLUGIN=$GUARD_SRC/build/sudo_guard.so

step "exports: only guard_approval, linked with libc alone"
[[ -f $PLUGIN ]] || skip "build/sudo_guard.so is not built"
exports=$(nm -D --defined-only "$PLUGIN" | awk '{print $3}' | sort | tr '\n' ' ')
assert_eq "guard_approval " "$exports" "dynamic symbols of sudo_guard.so"
needed=$(readelf -d "$PLUGIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
assert_eq "libc.so.6 " "$needed" "libraries sudo_guard.so needs"
assert_contains "$(readelf -d "$PLUGIN")" "BIND_NOW" "sudo_guard.so is linked -z now"

require_root
require_guardctl
INSTALLED=/usr/local/libexec/guard/sudo_guard.so
HELPER=/usr/local/libexec/guard/guard-pam-helper
[[ -f $INSTALLED ]] || skip "sudo_guard.so is not installed in the sandbox"
[[ -x $HELPER ]] || skip "guard-pam-helper is not installed in the sandbox"
command -v sudo >/dev/null || skip "sudo is not installed"
: >/run/utmp

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

write_policy() {
	cat >/etc/guard/guard.conf <<POLICY
settings {
  audit     = off
  journal   = no
  default   = deny
  timezone  = "UTC"
  approvers = { "%guard-approvers" }
}
privileged_groups = { "root", "sudo", "shadow", "adm" }
protected_users   = { "root", "uid:0-999" }

rule "helpdesk-onboarding" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  groups   = { "!@privileged" }
  decision = allow
  message  = "Helpdesk onboards standard accounts."
}
rule "escalation-two-person" {
  actions   = { "role.escalate" }
  actors    = { "%admins" }
  decision  = approve
  approvals = 1
  message   = "Using root needs a second admin's approval."
}
$1
command "useradd" { path = "/usr/sbin/useradd" }
command "usermod" { path = "/usr/sbin/usermod" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
POLICY
	chmod 0644 /etc/guard/guard.conf
}

# sudo.conf PLUGIN_ARGS...: the sudoers plugins and Guard's.
write_sudo_conf() {
	cat >/etc/sudo.conf <<CONF
Plugin sudoers_policy sudoers.so
Plugin sudoers_io sudoers.so
Plugin sudoers_audit sudoers.so
Plugin guard_approval $INSTALLED $*
CONF
}

write_policy ""
write_sudo_conf
cat >/etc/sudoers.d/guard-test <<'SUDOERS'
alice ALL=(ALL:ALL) NOPASSWD: ALL
bob   ALL=(ALL:ALL) NOPASSWD: ALL
dave  ALL=(ALL:ALL) NOPASSWD: ALL
SUDOERS
chmod 0440 /etc/sudoers.d/guard-test

step "a helpdesk member's sudo useradd is allowed by the helpdesk rule"
assert_exit 0 as alice sudo -n useradd -m newbie
getent passwd newbie >/dev/null || fail "newbie was not created"
assert_not_contains "$OUT$ERR" "guard:"

step "sudo usermod -aG sudo is refused per action, with group.member.add named"
assert_exit 1 as alice sudo -n usermod -aG sudo newbie
assert_contains "$ERR" "guard: denied: group.member.add"
assert_not_contains "$(id -nG newbie)" "sudo"
step "through another path to the same file (/sbin is /usr/sbin): the same"
assert_exit 1 as alice sudo -n /sbin/usermod -aG sudo newbie
assert_contains "$ERR" "guard: denied: group.member.add"
assert_not_contains "$(id -nG newbie)" "sudo"
step "an ordinary group is allowed"
assert_exit 0 as alice sudo -n usermod -aG users newbie
assert_contains "$(id -nG newbie)" "users"

step "a guarded tool's refusals are guardctl's (-R)"
assert_exit 1 as alice sudo -n useradd -R /tmp x
assert_contains "$ERR" "guard: refused:"
getent passwd x >/dev/null && fail "x was created"

step "chpasswd's batch is not read through sudo: refused, guardctl named"
assert_exit 1 as alice sudo -n chpasswd </dev/null
assert_contains "$ERR" "guardctl"

step "any other command: role.escalate to the run-as user"
assert_exit 1 as alice sudo -n id
assert_contains "$ERR" "guard: denied: role.escalate to root"
assert_exit 1 as dave sudo -n -u alice id
assert_contains "$ERR" "role.escalate to alice"

step "the caller's own user and groups: no escalation, no decision"
assert_exit 0 as alice sudo -n -u alice id -u
assert_eq "$(id -u alice)" "$OUT" "id ran as alice"
assert_exit 0 as alice sudo -n -u alice -g helpdesk true

step "a privileged run-as group is an escalation: sudo -g shadow, sudo -u self -g root"
assert_exit 1 as alice sudo -n -g shadow id
assert_contains "$ERR" "guard: denied: role.escalate"
assert_contains "$ERR" "shadow"
assert_exit 1 as alice sudo -n -u alice -g root id
assert_contains "$ERR" "guard: denied: role.escalate"
step "... allowed when a rule allows that group"
write_policy 'rule "shadow-readers" {
  actions  = { "role.escalate" }
  actors   = { "alice" }
  groups   = { "shadow" }
  decision = allow
}'
assert_exit 0 as alice sudo -n -g shadow id -gn
assert_eq "shadow" "$OUT" "id ran with group shadow"
assert_exit 1 as alice sudo -n -u alice -g root id
assert_contains "$ERR" "guard: denied: role.escalate"
step "... but not 'from local' without a terminal: the location is unknown"
write_policy 'rule "shadow-readers" {
  actions  = { "role.escalate" }
  actors   = { "alice" }
  groups   = { "shadow" }
  from     = { "local" }
  decision = allow
}'
assert_exit 1 as alice sudo -n -g shadow id -gn
assert_contains "$ERR" "guard: denied: role.escalate"
write_policy ""

step "an approval round trip: filed, approved, used once"
assert_exit 1 as bob sudo -n id -u
assert_contains "$ERR" "guard: approval needed: role.escalate to root"
assert_contains "$ERR" "guardctl approve"
# The safe path names what works: the same sudo again, never a guardctl
# request for a command line guardctl cannot run.
assert_contains "$ERR" "the same command again once approved by"
assert_not_contains "$ERR" "guardctl request"
id=$(sed -n 's/.*approval request \([0-9]*\) filed.*/\1/p' <<<"$ERR" | head -n 1)
[[ -n $id ]] || fail "no request id in: $ERR"
assert_exit 1 as bob sudo -n id -u
assert_contains "$ERR" "approval request $id is pending"
assert_exit 0 as carol guardctl list
assert_contains "$OUT" "/usr/bin/id -u" "the approver sees the command sudo runs"
assert_contains "$OUT" "-u '#0' -g '#0'" "and the run-as ids"
assert_exit 0 as carol guardctl approve "$id"
assert_exit 1 as bob sudo -n id -g
assert_contains "$ERR" "approval needed" "another command does not use it"
assert_exit 0 as bob sudo -n id -u
assert_eq "0" "$OUT" "the approved command ran as root"
assert_exit 1 as bob sudo -n id -u
assert_contains "$ERR" "approval needed" "the approval is spent"

step "the ledger records the decisions with service sudo"
assert_exit 0 guardctl history --json
assert_contains "$OUT" '"service":"sudo"'

step "sudo -l, -v, -k are no decisions (a broken policy does not stop them)"
printf 'rule "broken" {\n  decision = perhaps\n}\n' >/etc/guard/guard.conf
assert_exit 0 as alice sudo -n -l
assert_contains "$OUT" "(ALL : ALL) NOPASSWD: ALL"
assert_exit 0 as alice sudo -n -v
assert_exit 0 as alice sudo -k
step "a broken policy refuses commands, with the reason"
assert_exit 1 as alice sudo -n useradd brokenu
assert_contains "$ERR" "the Guard policy cannot be loaded"
getent passwd brokenu >/dev/null && fail "brokenu was created"
rm -f /etc/guard/guard.conf
assert_exit 1 as alice sudo -n -u alice -g root true
assert_contains "$ERR" "the Guard policy cannot be loaded"
write_policy ""

step "a missing helper refuses"
mv "$HELPER" "$HELPER.away"
assert_exit 1 as alice sudo -n useradd -m nohelper
assert_contains "$ERR" "guard: refused: no decision could be made"
mv "$HELPER.away" "$HELPER"
getent passwd nohelper >/dev/null && fail "nohelper was created"

step "an unknown plugin argument refuses commands, not sudo -l"
write_sudo_conf "enforce"
assert_exit 1 as alice sudo -n useradd -m badarg
assert_contains "$ERR" "not set up"
assert_exit 0 as alice sudo -n -l

step "monitor: would deny is logged, sudoers decides"
write_sudo_conf "monitor"
assert_exit 0 as alice sudo -n -g shadow id -gn
assert_eq "shadow" "$OUT" "id ran with group shadow (the guidance on stderr)"
assert_contains "$ERR" "would be denied (monitor mode): role.escalate"
write_sudo_conf

step "a positive control after all that"
assert_exit 0 as alice sudo -n useradd -m newbie2
getent passwd newbie2 >/dev/null || fail "newbie2 was not created"
echo "PASS"
