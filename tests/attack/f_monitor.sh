#!/bin/bash
# Monitor mode never grants through guardctl (docs/design.md, "Settings that change what a decision means").
# For PAM (and sudo) Guard is a layer over the program's own authorization:
# monitor mode logs "would deny" and lets the program decide. guardctl is
# the only authorization of its tools: in monitor mode too it refuses what
# the policy denies, leaves what needs approval pending, and records the
# decision as it is (deny, mode monitor); `check` says so. audit = off: no
# auditd here, the ledger is the record.
#
#   F6 guardctl in monitor mode .......... case_guardctl
#   F7 PAM in monitor mode (control) ..... case_pam

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

monitor_policy() {
	cat <<'EOF'
settings {
  mode      = monitor
  default   = deny
  audit     = off
  journal   = no
  approvers = { "%guard-approvers" }
  timezone  = "UTC"
}

privileged_groups = { "root", "sudo", "admins" }
protected_users   = { "root", "uid:0-999" }

rule "no-system-accounts" {
  actions  = { "role.escalate" }
  targets  = { "@protected", "!root" }
  decision = deny
}

rule "helpdesk" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  groups   = { "!@privileged" }
  decision = allow
}

rule "escalation" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}

rule "admins-members" {
  actions  = { "group.member.add" }
  actors   = { "%admins" }
  decision = allow
}

service "su"   { action = "role.escalate" }

command "useradd"  { path = "/usr/sbin/useradd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
EOF
}
monitor_policy >"$T/monitor.conf"
install_policy "$T/monitor.conf"

# history_rows FILTER: the ledger's rows (guardctl history --json, as root)
# whose command or target contains FILTER: their distinct "decision mode
# service exit" lines.
history_rows() {
	"$GUARDCTL" history --json |
		python3 -c '
import json, sys
for d in json.load(sys.stdin)["decisions"]:
    if sys.argv[1] in (d.get("command") or "") or sys.argv[1] == d.get("target"):
        print(d["decision"], d["mode"], d["service"], d["exit"])
' "$1" | sort -u
}

# F6: an ordinary user asks guardctl for uid 0 and root's password; an
# admin asks for sudo (approval needed). Refused, pending, nothing changed.
case_guardctl() {
	local shadow
	shadow=$(sha256sum </etc/shadow)
	step "dave: guardctl useradd -o -u 0 -g 0 toor is refused"
	run_cmd as_user dave "$GUARDCTL" useradd -o -u 0 -g 0 toor
	assert_eq 1 "$STATUS" "useradd -o -u 0 in monitor mode: $ERR"
	assert_contains "$ERR" "guard: denied:"
	assert_not_contains "$ERR" "would be denied"
	if getent passwd toor >/dev/null; then
		fail "monitor mode: guardctl created toor"
	fi
	step "dave: guardctl chpasswd for root is refused"
	run_cmd as_user dave bash -c 'printf "root:x\n" | "$1" chpasswd' _ "$GUARDCTL"
	assert_eq 1 "$STATUS" "chpasswd root in monitor mode: $ERR"
	assert_eq "$shadow" "$(sha256sum </etc/shadow)" "/etc/shadow after a refused chpasswd"
	step "bob: usermod -aG sudo dave needs approval: pending, not run"
	run_cmd as_user bob "$GUARDCTL" usermod -aG sudo dave
	assert_eq 1 "$STATUS" "usermod -aG sudo in monitor mode: $ERR"
	assert_contains "$ERR" "request"
	assert_contains "$ERR" "filed"
	if id -nG dave | grep -qw sudo; then
		fail "monitor mode: dave joined sudo without approval"
	fi
	step "the ledger: deny, mode monitor, not run"
	assert_eq "deny monitor guardctl None" "$(history_rows toor)" "the ledger's row of toor"
	step "control: what the policy allows runs"
	run_cmd as_user alice "$GUARDCTL" useradd fmonitor
	assert_eq 0 "$STATUS" "useradd by helpdesk in monitor mode: $ERR"
	getent passwd fmonitor >/dev/null || fail "useradd fmonitor did not run"
	userdel fmonitor
	step "check says what monitor mode leaves enforced"
	run_cmd as_user dave "$GUARDCTL" check
	assert_eq 0 "$STATUS" "check: $ERR"
	assert_contains "$ERR" "monitor mode: PAM decisions are logged, not enforced; guardctl always enforces"
}

# F7 (control): through PAM monitor mode still lets su through, with a
# "would deny" record in the ledger.
case_pam() {
	local pam_dir
	pam_dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $pam_dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	[[ -x /usr/local/libexec/guard/guard-pam-helper ]] || skip "guard-pam-helper is not installed"
	: >/run/utmp
	cp /etc/pam.d/su "$T/su.pam"
	sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su
	# shellcheck disable=SC2064 # expand now
	trap "cp '$T/su.pam' /etc/pam.d/su" EXIT
	step "root: su to daemon (a protected target) goes through, would be denied"
	run_cmd su -s /bin/sh -c 'echo su-ran' daemon
	assert_eq 0 "$STATUS" "su daemon in monitor mode: $ERR"
	assert_contains "$OUT" "su-ran"
	assert_contains "$OUT$ERR" "guard: would be denied (monitor mode)"
	assert_eq "deny monitor su None" "$(history_rows daemon)" "the ledger's row of su daemon"
	step "dave: su to alice reaches su's own password prompt"
	run_cmd as_user dave su -c true alice </dev/null
	assert_contains "$OUT$ERR" "guard: would be denied (monitor mode)"
	assert_contains "$OUT$ERR" "Password"
}

attack_case "G12 monitor mode: guardctl refuses what the policy denies" case_guardctl
attack_case "G12 monitor mode: PAM still lets su through, with a would-deny record" case_pam
attack_done
