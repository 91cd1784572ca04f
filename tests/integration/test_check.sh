#!/bin/bash
# guardctl check, through the installed setuid binary: the shipped policy
# passes, a broken one names file:line and exits 2, the owner and mode rules
# hold for root and non-root callers, and a non-root caller checks a FILE
# with their own privileges only.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl

G=/usr/local/sbin/guardctl
as_dave() { setpriv --reuid=dave --regid=dave --init-groups -- "$@"; }

step "the shipped policy passes"
install -m 0644 "$GUARD_SRC/conf/guard.conf" /etc/guard/guard.conf
assert_exit 0 "$G" check
assert_contains "$OUT" "/etc/guard/guard.conf: OK: 1 file, 5 rules"
assert_exit 0 as_dave "$G" check

step "warnings: unknown names, shadowed rules; exit 0"
cat >/etc/guard/guard.d/50-extra.conf <<'POLICY'
rule "catch-all" {
  actions  = { "user.modify" }
  decision = deny
}
rule "never" {
  actions  = { "user.modify" }
  actors   = { "%nosuchgroup", "nosuchuser" }
  decision = deny
}
POLICY
chmod 0644 /etc/guard/guard.d/50-extra.conf
assert_exit 0 "$G" check
assert_contains "$ERR" "/etc/guard/guard.d/50-extra.conf:5: warning: rule \"never\" can never decide: rule \"catch-all\""
assert_contains "$ERR" "/etc/guard/guard.d/50-extra.conf:5: warning: rule \"never\": actors: no group \"nosuchgroup\" on this system"
assert_contains "$OUT" "OK: 2 files, 7 rules"
rm /etc/guard/guard.d/50-extra.conf

step "PAM stacks: pam_guard for a service the policy does not map, and the reverse"
pamd=$(mktemp -d)
printf 'auth  required  pam_guard.so\n' >"$pamd/cockpit"
printf '@include common-session\n' >"$pamd/su"
printf 'session [success=1 default=ignore] pam_succeed_if.so service notin su\nsession required pam_guard.so\n' \
	>"$pamd/common-session"
printf 'session [default=die] /usr/lib/x86_64-linux-gnu/security/pam_guard.so\n' >"$pamd/sudo"
printf 'session required pam_unix.so # pam_guard.so\n' >"$pamd/sudo-i"
printf 'account required pam_guard.so action=role.escalate\n' >"$pamd/mapped-by-module"
chmod -R a+rX "$pamd"
assert_exit 0 "$G" check --pam-dir "$pamd"
assert_contains "$ERR" "warning: $pamd/cockpit loads pam_guard.so, but the policy has no service \"cockpit\""
assert_contains "$ERR" "warning: service \"sudo-i\": $pamd/sudo-i does not load pam_guard.so"
assert_contains "$ERR" "warning: service \"runuser\": $pamd/runuser does not load pam_guard.so"
assert_not_contains "$ERR" "service \"su\": " "su loads pam_guard through common-session"
assert_not_contains "$ERR" "service \"sudo\": " "sudo loads pam_guard (a bracketed control)"
assert_not_contains "$ERR" "common-session loads" "common-* files are not services"
assert_not_contains "$ERR" "mapped-by-module loads" "action= maps the service in the module"
assert_exit 0 as_dave "$G" check --pam-dir "$pamd"
assert_contains "$ERR" "cockpit loads pam_guard.so"
rm -rf -- "$pamd"

step "a role group that does not exist is an error: creating it would grant the role"
cat >/etc/guard/guard.d/50-extra.conf <<'POLICY'
# a comment
rule "sre-may" {
  actions  = { "user.modify" }
  actors   = { "%nosuchgroup" }
  decision = allow
}
POLICY
chmod 0644 /etc/guard/guard.d/50-extra.conf
assert_exit 2 "$G" check
assert_contains "$ERR" "/etc/guard/guard.d/50-extra.conf:2: error: role group %nosuchgroup does not exist: creating it would grant the role (%nosuchgroup is an actor of allow rule \"sre-may\")"
assert_eq "" "$OUT" "no OK line"
# At run time every guarded decision refuses, with the same reason.
assert_exit 1 as_dave "$G" usermod -c x dave
assert_contains "$ERR" "role group %nosuchgroup does not exist"
groupadd nosuchgroup
assert_exit 0 "$G" check
groupdel nosuchgroup
rm /etc/guard/guard.d/50-extra.conf

step "an error names file:line and exits 2"
mkdir -p /root/policies
cat >/root/policies/bad.conf <<'POLICY'
# a comment
rule "r" {
  actions = { "user.create" }
  from    = { "10.0.0.0/33" }
  decision = allow
}
POLICY
assert_exit 2 "$G" check /root/policies/bad.conf
assert_contains "$ERR" "/root/policies/bad.conf:4: error: from: \"10.0.0.0/33\""
assert_eq "" "$OUT" "no OK line for a broken policy"

step "a relative FILE is read from the caller's directory"
assert_exit 2 bash -c "cd /root/policies && $G check bad.conf"
assert_contains "$ERR" "/root/policies/bad.conf:4: error"

step "the environment never reaches the policy"
cat >/root/policies/env.conf <<'POLICY'
rule "r" {
  actions = { "user.create" }
  message = "${HOME}/x"
  decision = allow
}
POLICY
assert_exit 2 env HOME=/tmp/evil "$G" check /root/policies/env.conf
assert_contains "$ERR" "/root/policies/env.conf:3: error: '\${' is not allowed"

step "owner and mode: refused with the file named"
printf '# ok\n' >/root/policies/ok.conf
chmod 0644 /root/policies/ok.conf
assert_exit 0 "$G" check /root/policies/ok.conf
chmod 0664 /root/policies/ok.conf
assert_exit 2 "$G" check /root/policies/ok.conf
assert_contains "$ERR" "/root/policies/ok.conf: error: writable by group or others (mode 0664)"
chmod 0644 /root/policies/ok.conf
chown dave /root/policies/ok.conf
assert_exit 2 "$G" check /root/policies/ok.conf
assert_contains "$ERR" "owned by uid $(id -u dave), not root"
chown root /root/policies/ok.conf
ln -sf /root/policies/ok.conf /root/policies/link.conf
assert_exit 2 "$G" check /root/policies/link.conf
assert_contains "$ERR" "/root/policies/link.conf: error: is a symlink"
chmod 0777 /root/policies
assert_exit 2 "$G" check /root/policies/ok.conf
assert_contains "$ERR" "/root/policies: error: writable by group or others"
chmod 0700 /root/policies

step "a non-root caller reads FILE with their own privileges"
# root's 0700 directory hides the file from dave: guardctl must not read it for him
assert_exit 2 as_dave "$G" check /root/policies/ok.conf
assert_contains "$ERR" "Permission denied"
# dave's own file is readable by him, but it is not root's: refused
as_dave bash -c 'printf "# mine\n" > /tmp/dave.conf; chmod 0644 /tmp/dave.conf'
assert_exit 2 as_dave "$G" check /tmp/dave.conf
assert_contains "$ERR" "/tmp/dave.conf: error: owned by uid"

step "--config is root's"
assert_exit 2 as_dave "$G" --config /etc/guard/guard.conf check
assert_contains "$ERR" "guardctl: --config is for root only"
assert_exit 0 "$G" --config /etc/guard/guard.conf check

step "usage errors exit 2"
assert_exit 2 "$G" check a b
assert_exit 2 "$G" frobnicate
assert_contains "$ERR" "is neither a guardctl subcommand nor a command the policy guards"
assert_exit 2 "$G" --bogus
assert_exit 2 "$G"
assert_exit 0 "$G" --version
assert_contains "$OUT" "guardctl "
assert_exit 0 "$G" help check
assert_contains "$OUT" "usage: guardctl check [--pam-dir DIR] [FILE]"
for sub in check explain request run list approve deny unlock break-glass freeze thaw status \
	history help; do
	assert_exit 0 "$G" "$sub" --help
	assert_contains "$OUT" "usage: guardctl $sub"
done

step "what sudoers adds to @privileged and @protected is named"
mkdir -p /etc/sudoers.d
printf '%s\n' '%checkops ALL=(ALL) ALL' 'checkdeploy ALL=(ALL) NOPASSWD: ALL' '%sudo ALL=(ALL) ALL' \
	'#64999 ALL=(ALL) ALL' >/etc/sudoers.d/checksite
chmod 0440 /etc/sudoers.d/checksite
assert_exit 0 "$G" check
assert_contains "$ERR" "/etc/sudoers.d/checksite:1: note: sudoers grants %checkops: @privileged, its members @protected"
assert_contains "$ERR" "/etc/sudoers.d/checksite:2: note: sudoers grants checkdeploy: @protected"
assert_not_contains "$ERR" "sudoers grants %sudo" # listed in privileged_groups
assert_contains "$ERR" "/etc/sudoers.d/checksite:4: note: sudoers grants uid 64999, which nothing holds yet: a new account whose uid the tool chooses is role.escalate (name one with -u)"
# dave cannot read sudoers: his check of a file says so, and still checks
install -m 0644 /root/policies/ok.conf /etc/guard/check-dave.conf
assert_exit 0 as_dave "$G" check /etc/guard/check-dave.conf
assert_contains "$ERR" "note: sudoers and doas.conf not read (not root)"
rm -f /etc/sudoers.d/checksite /etc/guard/check-dave.conf
