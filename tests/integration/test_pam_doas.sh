#!/bin/bash
# pam_guard.so in OpenDoas's session stack (service doas), through the real
# doas in the sandbox's private /etc: the account stage names the caller (no
# escalation, PAM_IGNORE), the session stage the target with the caller in
# PAM_RUSER; an unprivileged caller is refused with the guidance, an admin
# goes through, a system account is refused by its rule. The shipped policy
# and the pam-auth-update profile cover doas and pkexec (polkit-1); pkexec
# itself needs polkitd on the system bus, which the sandbox does not have.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

in_sandbox "$@"
require_root

step "the shipped policy and the pam-auth-update profile cover doas and pkexec"
for s in doas polkit-1; do
	assert_contains "$(cat "$GUARD_SRC/conf/guard.conf")" "service \"$s\"" "conf/guard.conf maps $s"
done
assert_contains "$(cat "$GUARD_SRC/packaging/pam-configs/guard")" \
	"service notin su:su-l:sudo:sudo-i:doas:polkit-1" "the profile's service filter"

PAM_DIR=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
[[ -f $PAM_DIR/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
[[ -x /usr/local/libexec/guard/guard-pam-helper ]] || skip "guard-pam-helper is not installed"
command -v doas >/dev/null || skip "doas (opendoas) is not installed"
[[ -f /etc/pam.d/doas ]] || skip "/etc/pam.d/doas is missing"
: >/run/utmp

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  audit     = off
  journal   = no
  default   = deny
  approvers = { "%guard-approvers" }
}
protected_users = { "root", "uid:0-999" }
rule "no-system-accounts" {
  actions  = { "role.escalate" }
  targets  = { "@protected", "!root" }
  decision = deny
  message  = "System accounts are entered by configuration management only."
}
rule "admins" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = allow
}
service "doas" { action = "role.escalate" }
POLICY
chmod 0644 /etc/guard/guard.conf
cat >/etc/doas.conf <<'DOAS'
permit nopass alice as root
permit nopass bob
permit nopass dave as dave
DOAS
chmod 0600 /etc/doas.conf

step "without pam_guard, doas lets alice become root (the control)"
assert_exit 0 as alice doas -n id -u
assert_eq "0" "$OUT"

echo "session    required   pam_guard.so" >>/etc/pam.d/doas

step "doas: an unprivileged caller is refused with the guidance"
assert_exit 1 as alice doas -n id -u
assert_contains "$ERR" "guard: denied: role.escalate to root"
assert_not_contains "$OUT" "0"

step "doas: an admin goes through, as root and as another user"
assert_exit 0 as bob doas -n id -u
assert_eq "0" "$OUT"
assert_exit 0 as bob doas -n -u erin id -un
assert_eq "erin" "$OUT"

step "doas: an account doas.conf lets become root is @protected"
assert_exit 1 as bob doas -n -u alice id -un
assert_contains "$ERR" "alice is granted by doas.conf: /etc/doas.conf:1"

step "doas: a system account is refused by its rule"
assert_exit 1 as bob doas -n -u daemon /bin/true
assert_contains "$ERR" "by rule \"no-system-accounts\""

step "doas: one's own account is no escalation"
assert_exit 0 as dave doas -n -u dave true

step "doas: a broken policy refuses"
printf 'rule "broken" {\n  decision = perhaps\n}\n' >/etc/guard/guard.conf
assert_exit 1 as bob doas -n id
assert_contains "$ERR" "the Guard policy cannot be loaded"
echo "PASS"
