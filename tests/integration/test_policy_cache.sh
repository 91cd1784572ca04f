#!/bin/bash
# The compiled policy (/var/lib/guard/policy.cache, libguard/policy_cache.h)
# through the installed guardctl: written as root's 0600 after a load whose
# files had settled; never used once a policy file changed (the change
# decides at once), never for a broken policy (the error, not the old
# rules); a cache that is someone else's, readable by others, damaged or a
# symlink is ignored and replaced, the link's target untouched; check
# always reads the text.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root
require_guardctl

G=/usr/local/sbin/guardctl
CACHE=/var/lib/guard/policy.cache
as_dave() { setpriv --reuid=dave --regid=dave --init-groups -- "$@"; }

# policy DECISION: dave may (allow) or may not (deny) create accounts.
policy() {
	cat >/etc/guard/guard.conf <<POLICY
settings {
  audit    = off
  journal  = no
  timezone = "UTC"
}
rule "dave-creates" {
  actions  = { "user.create", "group.create", "group.member.add" }
  actors   = { "dave" }
  decision = $1
}
command "useradd" { path = "/usr/sbin/useradd" }
POLICY
	chmod 0644 /etc/guard/guard.conf
}

# decides WANT: dave's explain of a useradd says decision WANT.
decides() {
	run_cmd as_dave "$G" explain useradd -m newbie
	assert_contains "$OUT" "decision: $1" "explain (exit $STATUS: $ERR)"
}

# opens FILE CMD...: how many times CMD opened FILE (inotify IN_OPEN).
opens() {
	python3 - "$@" <<'PY'
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x20) < 0:
    sys.exit("inotify: %s" % os.strerror(ctypes.get_errno()))
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
n = 0
try:
    while True:
        n += len(os.read(fd, 65536)) // 16  # events without a name: 16 bytes
except BlockingIOError:
    pass
print(n)
PY
}

# settle: files changed in the last seconds are never compiled (the
# file system's timestamps cannot tell a later change in the same tick).
settle() { sleep 3.2; }

install -d -m 0700 /var/lib/guard
rm -f "$CACHE"

step "a settled policy is compiled after its load: root's, 0600"
policy allow
decides allow
[[ ! -e $CACHE ]] || fail "compiled while the policy file was changing"
settle
decides allow
[[ -f $CACHE ]] || fail "no compiled policy after a load of settled files"
assert_eq "root:root 600" "$(stat -c '%U:%G %a' "$CACHE")" "the compiled policy's owner and mode"
decides allow
assert_eq 0 "$(opens /etc/guard/guard.conf setpriv --reuid=dave --regid=dave --init-groups -- "$G" explain useradd -m newbie)" \
	"guard.conf opened by a load that had the compiled policy"
assert_ne 0 "$(opens /etc/guard/guard.conf "$G" check)" "guard.conf opened by check"

step "a changed policy decides at once: the compiled one is stale"
before=$(sha256sum <"$CACHE")
# The same size and the same mtime to the nanosecond: only the inode's
# change time tells (what a careful rewrite by root would leave).
size=$(stat -c %s /etc/guard/guard.conf)
mtime=$(stat -c %.9Y /etc/guard/guard.conf)
policy "deny "
assert_eq "$size" "$(stat -c %s /etc/guard/guard.conf)" "the rewritten policy's size"
touch -m -d "@$mtime" /etc/guard/guard.conf
assert_eq "$mtime" "$(stat -c %.9Y /etc/guard/guard.conf)" "the rewritten policy's mtime"
decides deny
settle
decides deny
assert_ne "$before" "$(sha256sum <"$CACHE")" "the compiled policy after the change"

step "a broken policy is refused, whatever was compiled before"
echo 'rule "broken" {' >>/etc/guard/guard.conf
run_cmd as_dave "$G" explain useradd -m newbie
assert_eq 2 "$STATUS" "explain with a broken policy: $OUT"
assert_contains "$ERR" "/etc/guard/guard.conf:"
settle
run_cmd as_dave "$G" explain useradd -m newbie
assert_eq 2 "$STATUS" "explain with a broken, settled policy: $OUT"
policy allow
settle
decides allow

step "someone else's, loose, damaged or linked: ignored and replaced"
chown nobody "$CACHE"
decides allow
assert_eq "root:root 600" "$(stat -c '%U:%G %a' "$CACHE")" "after a foreign cache"
chmod 0644 "$CACHE"
decides allow
assert_eq "root:root 600" "$(stat -c '%U:%G %a' "$CACHE")" "after a readable cache"
head -c 2000 /dev/urandom >"$CACHE"
chmod 0600 "$CACHE"
damaged=$(sha256sum <"$CACHE")
decides allow
assert_ne "$damaged" "$(sha256sum <"$CACHE")" "a damaged cache is replaced"
echo "not a policy" >/root/target
rm -f "$CACHE"
ln -s /root/target "$CACHE"
decides allow
[[ -f $CACHE && ! -L $CACHE ]] || fail "the symlink was not replaced by a file"
assert_eq "not a policy" "$(cat /root/target)" "the link's target"
