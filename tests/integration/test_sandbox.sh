#!/bin/bash
# The sandbox keeps the host unchanged: a run that adds and removes users and
# groups, changes passwords and writes a policy, the state store, homes, logs
# and /tmp leaves the host's /etc byte for byte as it was, and the test
# accounts exist only inside. Runs on the host and starts the sandbox itself.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly TEST_USERS=(alice bob carol dave erin)
readonly EXIT_INSIDE_OK=42

# ---------------------------------------------------------------------------
# Inside the sandbox (this file run again with --inside).

inside() {
	step "inside: environment"
	assert_eq 1 "${GUARD_SANDBOX:-}" "GUARD_SANDBOX"
	assert_eq "$EXPECTED_SRC" "${GUARD_SRC:-}" "GUARD_SRC"

	step "inside: test accounts"
	local u uid home
	for u in "${TEST_USERS[@]}"; do
		getent passwd "$u" >/dev/null || fail "user $u does not exist inside"
		uid=$(id -u "$u")
		[[ $uid -ge 1000 ]] || fail "user $u has uid $uid, expected >= 1000"
		home=$(getent passwd "$u" | cut -d: -f6)
		assert_eq "/home/$u" "$home" "home of $u"
		assert_eq "$u" "$(stat -c %U "$home")" "owner of $home"
	done
	assert_contains " $(id -Gn alice) " " helpdesk " "groups of alice"
	assert_contains " $(id -Gn bob) " " admins " "groups of bob"
	assert_contains " $(id -Gn carol) " " guard-approvers " "groups of carol"
	assert_contains " $(id -Gn erin) " " oncall " "groups of erin"
	assert_eq "dave" "$(id -Gn dave)" "groups of dave"
	getent group sudo >/dev/null || fail "group sudo does not exist inside"

	step "inside: private, empty policy and state directories"
	assert_eq "755 root root" "$(stat -c '%a %U %G' /etc/guard)" "/etc/guard"
	assert_eq "guard.d" "$(ls -A /etc/guard)" "contents of /etc/guard"
	assert_eq "" "$(ls -A /etc/guard/guard.d)" "contents of /etc/guard/guard.d"
	assert_eq "700 root root" "$(stat -c '%a %U %G' /var/lib/guard)" "/var/lib/guard"
	assert_eq "" "$(ls -A /var/lib/guard)" "contents of /var/lib/guard"
	assert_eq "alice bob carol dave erin" "$(cd /home && echo *)" "contents of /home"
	assert_eq "tmpfs" "$(findmnt -n -o FSTYPE -T /home)" "filesystem of /home"
	local d
	for d in /run/systemd/journal /run/log /var/log/audit; do
		assert_eq "" "$(ls -A "$d")" "contents of $d"
	done

	step "inside: the source tree is read-only"
	if touch "$GUARD_SRC/.sandbox-write-test" 2>/dev/null; then
		rm -f "$GUARD_SRC/.sandbox-write-test"
		fail "could write into the source tree"
	fi

	step "inside: a setuid program runs setuid"
	if [[ -e /usr/local/sbin/guardctl ]]; then
		assert_eq "4755 root" "$(stat -c '%a %U' /usr/local/sbin/guardctl)" "mode of guardctl"
	fi
	install -m 4755 -o root -g root "$(command -v id)" /usr/local/bin/sandbox-suid-id
	assert_exit 0 setpriv --reuid=dave --regid=dave --clear-groups /usr/local/bin/sandbox-suid-id -u
	assert_eq 0 "$OUT" "effective uid of a setuid-root program run by dave"

	step "inside: change accounts, policy, state, homes, logs, /tmp"
	groupadd sandboxgrp
	useradd -m -G sandboxgrp,sudo sandboxusr
	echo 'bob:Sandbox-Pass-1' | chpasswd
	usermod -aG admins alice
	userdel -r carol
	groupdel oncall 2>/dev/null || {
		gpasswd -d erin oncall >/dev/null
		groupdel oncall
	}
	printf 'settings {\n  mode = monitor\n}\n' >/etc/guard/guard.conf
	echo state >/var/lib/guard/sandbox-marker
	echo home >/home/sandbox-marker
	echo tmp >/tmp/sandbox-marker
	echo root >/root/.sandbox-marker
	echo log >>/var/log/lastlog
	getent passwd sandboxusr >/dev/null || fail "useradd had no effect inside"
	if getent passwd carol >/dev/null; then fail "userdel had no effect inside"; fi

	exit "$EXIT_INSIDE_OK"
}

if [[ ${1:-} == --inside ]]; then
	inside
fi

# ---------------------------------------------------------------------------
# On the host.

require_root
[[ ${GUARD_SANDBOX:-} != 1 ]] || fail "this test must start on the host, not in the sandbox"

scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

# fingerprint DIR MANIFEST: writes a manifest of every entry under DIR (path,
# type, mode, owner, size, mtime, link target, and the SHA-256 of each
# regular file) and prints its hash.
fingerprint() {
	local dir=$1 manifest=$2
	(
		cd -- "$dir" || exit 1
		# A directory's size is the file system's business (ext4 and tmpfs
		# differ for the same entries): left out.
		{
			find . ! -type d -printf '%p %y %m %U %G %s %T@ %l\n'
			find . -type d -printf '%p %y %m %U %G - %T@\n'
		} | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum --
	) >"$manifest"
	sha256sum <"$manifest" | cut -d' ' -f1
}

# State of the host outside /etc that the sandbox also covers.
host_state() {
	local p
	for p in /var/lib/guard /home /var/log/lastlog /var/log/faillog /var/log/wtmp /usr/local /var/mail; do
		if [[ -e $p ]]; then
			find "$p" -xdev -printf '%p %y %m %U %G %s %T@\n' 2>/dev/null | LC_ALL=C sort
		else
			echo "$p absent"
		fi
	done
}

host_accounts() {
	local u
	for u in "${TEST_USERS[@]}" sandboxusr; do
		echo "$u: $(getent passwd "$u" || echo absent)"
	done
	for u in helpdesk admins guard-approvers oncall sandboxgrp; do
		echo "%$u: $(getent group "$u" || echo absent)"
	done
}

step "fingerprint of the host's /etc is computed over real data"
before=$(fingerprint /etc "$scratch/before")
again=$(fingerprint /etc "$scratch/again")
assert_eq "$before" "$again" "two fingerprints of an unchanged /etc"
entries=$(grep -c '^\./' "$scratch/before")
[[ $entries -ge 50 ]] || fail "the /etc manifest has only $entries entries"
assert_contains "$(cat "$scratch/before")" "$(cd /etc && sha256sum -- ./passwd)" "manifest hashes /etc/passwd"
assert_contains "$(cat "$scratch/before")" "$(cd /etc && sha256sum -- ./group)" "manifest hashes /etc/group"
# The same fingerprint on a copy, then one changed byte in the copy's passwd.
cp -a /etc "$scratch/etc-copy"
assert_eq "$before" "$(fingerprint "$scratch/etc-copy" "$scratch/copy")" "fingerprint of a copy of /etc"
touch -r "$scratch/etc-copy/passwd" "$scratch/etc-copy/.ref"
sed -i '1s/^./X/' "$scratch/etc-copy/passwd"
touch -r "$scratch/etc-copy/.ref" "$scratch/etc-copy/passwd"
rm -f "$scratch/etc-copy/.ref"
touch -r "$scratch/etc-copy" "$scratch/etc-copy"
assert_ne "$before" "$(fingerprint "$scratch/etc-copy" "$scratch/changed")" \
	"fingerprint after changing one byte of passwd (same size and mtime)"
rm -rf "$scratch/etc-copy"

accounts_before=$(host_accounts)
state_before=$(host_state)
for u in "${TEST_USERS[@]}"; do
	if ! getent passwd "$u" >/dev/null; then
		echo "$u" >>"$scratch/absent-users"
	fi
done

step "a sandbox run that changes accounts and writes everywhere"
mkdir "$scratch/tmp"
TMPDIR=$scratch/tmp EXPECTED_SRC=$GUARD_SRC assert_exit "$EXIT_INSIDE_OK" \
	"$SANDBOX" bash "$(readlink -f -- "$0")" --inside
echo "$OUT"

step "the host's /etc is unchanged"
after=$(fingerprint /etc "$scratch/after")
if [[ $before != "$after" ]]; then
	diff "$scratch/before" "$scratch/after" | head -n 20 >&2 || true
fi
assert_eq "$before" "$after" "fingerprint of the host's /etc after the sandbox"

step "the test accounts do not exist on the host"
while read -r u; do
	if getent passwd "$u" >/dev/null; then
		fail "user $u exists on the host after the sandbox"
	fi
done <"$scratch/absent-users"
assert_eq "$accounts_before" "$(host_accounts)" "host accounts"
if getent passwd sandboxusr >/dev/null; then fail "user sandboxusr leaked to the host"; fi

step "state, homes, logs, /root and /usr/local are unchanged on the host"
assert_eq "$state_before" "$(host_state)" "host state outside /etc"
[[ ! -e /var/lib/guard/sandbox-marker ]] || fail "/var/lib/guard/sandbox-marker leaked to the host"
[[ ! -e /home/sandbox-marker ]] || fail "/home/sandbox-marker leaked to the host"
[[ ! -e /tmp/sandbox-marker ]] || fail "/tmp/sandbox-marker leaked to the host"
[[ ! -e /usr/local/bin/sandbox-suid-id ]] || fail "/usr/local/bin/sandbox-suid-id leaked to the host"
[[ ! -e /root/.sandbox-marker ]] || fail "/root/.sandbox-marker leaked to the host"

step "the sandbox's temporary directory is gone"
assert_eq "" "$(ls -A "$scratch/tmp")" "leftovers in the sandbox's TMPDIR"

step "exit status and errors"
assert_exit 0 "$SANDBOX" true
assert_exit 1 "$SANDBOX" false
assert_exit 3 "$SANDBOX" sh -c 'exit 3'
assert_exit 127 "$SANDBOX" guard-no-such-command
assert_contains "$ERR" "command not found"
assert_exit 2 setpriv --reuid=nobody --regid=nogroup --clear-groups "$SANDBOX" true
assert_contains "$ERR" "guard-sandbox: must run as root"

step "--keep keeps the sandbox's files"
assert_exit 0 "$SANDBOX" --keep "$scratch/keep" sh -c 'echo kept >/etc/guard/guard.conf'
assert_eq "kept" "$(cat "$scratch/keep/etc/guard/guard.conf")" "kept policy"
[[ ! -e /etc/guard/guard.conf ]] || [[ $(cat /etc/guard/guard.conf) != kept ]] ||
	fail "--keep wrote the host's /etc/guard/guard.conf"
assert_exit 2 "$SANDBOX" --keep "$scratch/keep" true
assert_contains "$ERR" "is not empty"
assert_eq "$before" "$(fingerprint /etc "$scratch/final")" "fingerprint of the host's /etc at the end"

echo "ok"
