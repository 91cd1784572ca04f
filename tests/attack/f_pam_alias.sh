#!/bin/bash
# pam_guard's "the target is the actor: no escalation" (docs/design.md,
# pam_guard.so) holds for one's own account only. An alias that root made
# with the caller's uid under another name and other groups (useradd -o -u
# UID -G sudo alias) is another account: su loads its groups, so su to it
# is a role.escalate the policy decides. audit = off: no auditd here.
#
#   F8 su to an alias sharing the caller's uid ... case_alias

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

alias_policy() {
	cat <<'EOF'
settings {
  default   = deny
  audit     = off
  journal   = no
  approvers = { "%guard-approvers" }
  timezone  = "UTC"
}

privileged_groups = { "root", "sudo", "admins" }
protected_users   = { "root", "uid:0-999" }

rule "admins" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = allow
}

service "su"   { action = "role.escalate" }
service "sudo" { action = "role.escalate" }
EOF
}
alias_policy >"$T/alias.conf"
install_policy "$T/alias.conf"

# F8: alice su's to "alias" (alice's uid, in sudo): decided and refused
# before su's password prompt, not ignored. Controls: su to herself and
# sudo's account stage (PAM_USER is the caller) are still no escalation.
case_alias() {
	local pam_dir
	pam_dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $pam_dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	[[ -x /usr/local/libexec/guard/guard-pam-helper ]] || skip "guard-pam-helper is not installed"
	: >/run/utmp
	cp /etc/pam.d/su "$T/su.pam"
	cp /etc/pam.d/sudo "$T/sudo.pam"
	sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su
	sed -i '1i account  required  pam_guard.so' /etc/pam.d/sudo
	echo "session  required  pam_guard.so" >>/etc/pam.d/sudo
	echo "dave ALL=(ALL:ALL) NOPASSWD: ALL" >/etc/sudoers.d/guard-alias
	chmod 0440 /etc/sudoers.d/guard-alias
	getent group sudo >/dev/null || groupadd -r sudo
	useradd -o -u "$(id -u alice)" -g alice -G sudo -M -s /bin/sh falias
	# shellcheck disable=SC2064 # expand now
	trap "cp '$T/su.pam' /etc/pam.d/su; cp '$T/sudo.pam' /etc/pam.d/sudo; rm -f /etc/sudoers.d/guard-alias; userdel falias 2>/dev/null || true" EXIT

	step "alice: su falias (her uid, in sudo) is refused by the policy, before the password"
	run_cmd as_user alice su -c true falias </dev/null
	assert_eq 1 "$STATUS" "su to the alias"
	assert_contains "$OUT$ERR" "guard: denied: role.escalate to falias"
	assert_not_contains "$OUT$ERR" "Password"
	step "control: alice: su alice reaches su's own password prompt"
	run_cmd as_user alice su -c true alice </dev/null
	assert_contains "$OUT$ERR" "Password"
	assert_not_contains "$OUT$ERR" "guard:"
	step "control: dave: sudo -u dave (account stage: PAM_USER is dave) is no escalation"
	run_cmd as_user dave sudo -n -u dave true
	assert_eq 0 "$STATUS" "sudo -u dave as dave: $OUT$ERR"
	assert_not_contains "$OUT$ERR" "guard:"
	step "control: dave: sudo -u root is decided (account stage names dave, session root)"
	run_cmd as_user dave sudo -n true
	assert_eq 1 "$STATUS" "sudo as dave: $OUT$ERR"
	assert_contains "$OUT$ERR" "guard: denied: role.escalate to root"
}

attack_case "G13 pam_guard: su to an alias sharing the caller's uid is an escalation" case_alias
attack_done
