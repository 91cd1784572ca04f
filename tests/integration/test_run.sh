#!/bin/bash
# guardctl COMMAND: each shadow tool run by an unprivileged user through the
# setuid binary. An allowed run really changes the sandbox's passwd, group,
# shadow and gshadow; a refused one changes none of them (byte for byte) and
# prints the guidance. Also: approval needed, monitor mode (enforced), path tricks, the
# batch tools, secrets kept out of messages, exit statuses.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl

ACCOUNT_FILES=(/etc/passwd /etc/group /etc/shadow /etc/gshadow)
SNAP=$(mktemp -d)
trap 'rm -rf -- "$SNAP"' EXIT

# as USER CMD [ARGS...]: CMD with USER's real and effective ids and groups.
as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

snapshot() {
	local f
	for f in "${ACCOUNT_FILES[@]}"; do
		cp -- "$f" "$SNAP/$(basename -- "$f")"
	done
}

# unchanged WHAT: every account file is byte for byte as at the last snapshot.
unchanged() {
	local f
	for f in "${ACCOUNT_FILES[@]}"; do
		cmp -s -- "$f" "$SNAP/$(basename -- "$f")" || fail "$1: $f changed"
	done
}

# changed FILE WHAT: FILE differs from the last snapshot.
changed() {
	if cmp -s -- "$1" "$SNAP/$(basename -- "$1")"; then
		fail "$2: $1 did not change"
	fi
}

write_policy() {
	cat >/etc/guard/guard.conf <<EOF
settings {
  mode      = ${1:-enforce}
  default   = deny
  audit     = off
  journal   = no
  timezone  = "UTC"
  approvers = { "%guard-approvers" }
}
privileged_groups = { "root", "sudo", "admins", "shadow" }
protected_users   = { "root", "uid:0-999" }

rule "deny-protected" {
  actions  = { "user.delete", "user.modify", "user.password", "user.lock", "user.unlock" }
  targets  = { "@protected" }
  decision = deny
  message  = "System accounts are managed by configuration management."
}
rule "helpdesk" {
  actions  = { "user.create", "user.delete", "user.modify", "user.password", "user.lock",
               "user.unlock", "group.create", "group.delete", "group.modify",
               "group.member.add", "group.member.remove" }
  actors   = { "%helpdesk" }
  groups   = { "!@privileged" }
  decision = allow
}
rule "admins-delete-approved" {
  actions  = { "user.delete" }
  actors   = { "%admins" }
  decision = approve
}
EOF
	chmod 0644 /etc/guard/guard.conf
	guardctl check >/dev/null || fail "the test policy does not pass check"
}

write_policy

step "useradd: allowed for alice, the account appears in all four files"
snapshot
assert_exit 0 as alice guardctl useradd -m -s /bin/bash newbie
changed /etc/passwd useradd
changed /etc/shadow useradd
changed /etc/group useradd
changed /etc/gshadow useradd
assert_contains "$(getent passwd newbie)" ":/home/newbie:/bin/bash"
[[ -d /home/newbie ]] || fail "useradd -m made no home"
assert_eq "newbie" "$(stat -c %U /home/newbie)" "owner of the new home"

step "useradd: refused for dave (no rule), nothing changes"
snapshot
assert_exit 1 as dave guardctl useradd -m intruder
assert_contains "$ERR" "guard: denied: user.create of intruder"
unchanged "refused useradd"
[[ ! -e /home/intruder ]] || fail "a refused useradd made a home"

step "usermod: allowed, the GECOS changes"
snapshot
assert_exit 0 as alice guardctl usermod -c "New Bie" newbie
assert_contains "$(getent passwd newbie)" ":New Bie:"
unchanged_but_passwd() {
	local f
	for f in /etc/group /etc/shadow /etc/gshadow; do
		cmp -s -- "$f" "$SNAP/$(basename -- "$f")" || fail "$1: $f changed"
	done
}
unchanged_but_passwd "usermod -c"

step "usermod: a privileged group is refused, with its guidance"
snapshot
assert_exit 1 as alice guardctl usermod -aG sudo newbie
assert_contains "$ERR" "guard: denied:"
assert_contains "$ERR" "sudo"
unchanged "refused usermod -aG sudo"

step "usermod -p HASH: refused for dave; the hash appears nowhere"
snapshot
hash='$6$saltsalt$Q9Vx0nVzSecretHashValueThatMustNotLeak0123456789abcdefghijkl'
assert_exit 1 as dave guardctl usermod -p "$hash" newbie
assert_not_contains "$ERR$OUT" "SecretHashValue" "the hash in guardctl's messages"
unchanged "refused usermod -p"

step "groupadd: allowed"
snapshot
assert_exit 0 as alice guardctl groupadd projects
assert_contains "$(getent group projects)" "projects:x:"
changed /etc/group groupadd
changed /etc/gshadow groupadd

step "groupadd: refused for erin, nothing changes"
snapshot
assert_exit 1 as erin guardctl groupadd rogue
assert_contains "$ERR" "guard: denied: group.create"
unchanged "refused groupadd"

step "groupmod: allowed (rename)"
snapshot
assert_exit 0 as alice guardctl groupmod -n projects2 projects
getent group projects2 >/dev/null || fail "groupmod -n had no effect"
changed /etc/group groupmod

step "groupmod: renaming a privileged group is refused"
snapshot
assert_exit 1 as alice guardctl groupmod -n wheel2 sudo
unchanged "refused groupmod of sudo"

step "gpasswd -a: allowed"
snapshot
assert_exit 0 as alice guardctl gpasswd -a newbie projects2
assert_contains "$(getent group projects2)" "newbie"
changed /etc/gshadow gpasswd

step "gpasswd -a onto a privileged group: refused"
snapshot
assert_exit 1 as alice guardctl gpasswd -a newbie sudo
unchanged "refused gpasswd -a sudo"

step "chpasswd: an allowed batch reaches the tool byte for byte"
snapshot
before=$(grep '^newbie:' /etc/shadow | cut -d: -f2)
OUT=$(as alice guardctl chpasswd <<<'newbie:Batch-Secret-Pass-1' 2>&1) || fail "chpasswd: $OUT"
assert_not_contains "$OUT" "Batch-Secret-Pass-1" "the batch password in guardctl's output"
after=$(grep '^newbie:' /etc/shadow | cut -d: -f2)
assert_ne "$before" "$after" "newbie's hash after chpasswd"
[[ $after == '$'* ]] || fail "chpasswd left no hash: $after"

step "chpasswd: one refused line refuses the whole batch"
snapshot
err=$(printf 'newbie:Other-Secret-2\nroot:Root-Secret-3\n' | as alice guardctl chpasswd 2>&1) && fail "a batch with root ran"
assert_contains "$err" "guard: denied"
assert_not_contains "$err" "Secret-2"
assert_not_contains "$err" "Root-Secret-3"
unchanged "refused chpasswd batch"

step "chpasswd: an empty batch changes nothing"
snapshot
run_cmd as alice guardctl chpasswd </dev/null
assert_ne 0 "$STATUS" "exit status of an empty batch"
unchanged "empty chpasswd batch"

step "passwd -l: allowed, the shadow entry is locked"
snapshot
assert_exit 0 as alice guardctl passwd -l newbie
assert_contains "$(grep '^newbie:' /etc/shadow)" "newbie:!"
changed /etc/shadow "passwd -l"

step "passwd -l root: refused by deny-protected, with the rule's message"
snapshot
assert_exit 1 as alice guardctl passwd -l root
assert_contains "$ERR" "deny-protected"
assert_contains "$ERR" "System accounts are managed by configuration management."
unchanged "refused passwd -l root"

step "chage: allowed"
snapshot
assert_exit 0 as alice guardctl chage -M 90 newbie
assert_eq "90" "$(grep '^newbie:' /etc/shadow | cut -d: -f5)" "max days of newbie"

step "chage of root: refused"
snapshot
assert_exit 1 as alice guardctl chage -M 90 root
unchanged "refused chage root"

step "userdel by an admin needs approval: refused, naming guardctl request"
snapshot
assert_exit 1 as bob guardctl userdel newbie
assert_contains "$ERR" "approval needed"
assert_contains "$ERR" "guardctl request"
unchanged "userdel pending approval"

step "userdel: allowed for alice"
snapshot
assert_exit 0 as alice guardctl userdel -r newbie
if getent passwd newbie >/dev/null; then fail "userdel had no effect"; fi
[[ ! -e /home/newbie ]] || fail "userdel -r left the home"
changed /etc/shadow userdel

step "groupdel: allowed, refused for a privileged group"
snapshot
assert_exit 1 as alice guardctl groupdel sudo
unchanged "refused groupdel sudo"
assert_exit 0 as alice guardctl groupdel projects2
if getent group projects2 >/dev/null; then fail "groupdel had no effect"; fi

step "path tricks and shell syntax are refused before anything runs"
snapshot
for cmd in ../../bin/sh /tmp/useradd 'useradd;id' './useradd' 'useradd ' 'USERADD' ''; do
	run_cmd as alice guardctl "$cmd" probe
	[[ $STATUS == 1 || $STATUS == 2 ]] || fail "guardctl '$cmd': exit $STATUS"
	assert_not_contains "$OUT" "uid=" "guardctl '$cmd' ran something"
done
# A fake useradd first in PATH changes nothing: the tool runs by absolute path.
mkdir -p /tmp/evil
printf '#!/bin/sh\necho EVIL-USERADD-RAN\n' >/tmp/evil/useradd
chmod 0755 /tmp/evil/useradd
assert_exit 0 as alice env PATH=/tmp/evil:/usr/bin:/bin /usr/local/sbin/guardctl useradd pathuser
assert_not_contains "$OUT$ERR" "EVIL-USERADD-RAN"
getent passwd pathuser >/dev/null || fail "useradd by absolute path did not run"
assert_exit 0 as alice guardctl userdel pathuser
snapshot
assert_exit 2 as alice guardctl frobnicate
assert_contains "$ERR" "neither a guardctl subcommand nor a command the policy guards"
unchanged "path tricks"

step "an unknown caller uid is refused"
snapshot
run_cmd setpriv --reuid=54321 --regid=54321 --clear-groups guardctl useradd ghost
assert_ne 0 "$STATUS" "exit status for uid 54321"
assert_contains "$ERR" "cannot identify the calling user (uid 54321)"
unchanged "unknown uid"

step "uid -1 and friends as operands are refused"
snapshot
for uid in -1 4294967295 4294967296 " 0" +0 0x0 1e3 10abc; do
	run_cmd as alice guardctl useradd -u "$uid" uidtrick
	assert_eq 1 "$STATUS" "useradd -u '$uid'"
done
unchanged "uid tricks"

step "--reason is accepted and bounded"
assert_exit 0 as alice guardctl --reason "ticket 42" groupadd reasoned
assert_exit 0 as alice guardctl groupdel reasoned
assert_exit 2 as alice guardctl --reason "" groupadd reasoned
assert_exit 2 as alice guardctl --reason "$(printf 'x%.0s' {1..1100})" groupadd reasoned
assert_exit 2 as alice guardctl --reason x explain groupadd reasoned

step "monitor mode: guardctl still refuses (it is the tools' only authorization)"
write_policy monitor
snapshot
assert_exit 1 as dave guardctl groupadd monitored
assert_contains "$ERR" "guard: denied:"
assert_not_contains "$ERR" "would be denied"
unchanged "monitor mode, refused"
write_policy

step "a broken policy refuses with exit 2"
snapshot
echo 'rule "x" {' >>/etc/guard/guard.conf
assert_exit 2 as alice guardctl groupadd broken
unchanged "broken policy"
write_policy

step "a policy that asks for audit, with no events possible here, refuses"
sed -i 's/audit     = off/audit     = required/' /etc/guard/guard.conf
snapshot
run_cmd as alice guardctl groupadd audited
if [[ $STATUS == 0 ]]; then
	# Events are available: the run was recorded.
	assert_exit 0 as alice guardctl groupdel audited
else
	assert_eq 2 "$STATUS" "exit status without audit"
	assert_contains "$ERR" "refused"
	unchanged "audit required, unavailable"
fi
write_policy

echo "ok"
