#!/bin/bash
# tests/packaging/test_deb.sh: installs build/deb/guard_*.deb and
# libpam-guard_*.deb with apt/dpkg into a throwaway Debian 12 root and checks
# what an administrator relies on: guardctl setuid root, `guardctl check`
# passing on the shipped policy (as root and as another user), the policy a
# conffile, /var/lib/guard root's with mode 0700, the pam-auth-update
# profile off until enabled and limited to su and sudo, a dpkg-statoverride
# kept across a reinstall, and remove/purge leaving nothing behind.
#
# The root is a debootstrap'd Debian 12 (minbase), used read-only through an
# overlay in a private mount namespace: nothing on the host changes. It is
# /var/tmp/guard-fresh/root when that exists (built by fresh-check), else
# it is built once under /var/tmp/guard-deb-test/root (about 1.5 minutes).
# Needs root and the network (apt fetches the packages' dependencies).
# Usage: tests/packaging/test_deb.sh [DEBDIR]     default: build/deb (make deb)
set -euo pipefail

TOP=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
DEBDIR=$(cd -- "${1:-$TOP/build/deb}" 2>/dev/null && pwd -P) || {
	echo "test_deb: no ${1:-build/deb}: run make deb first" >&2
	exit 2
}
[[ $(id -u) -eq 0 ]] || {
	echo "test_deb: must run as root (mount namespace, chroot)" >&2
	exit 2
}
shopt -s nullglob
debs=("$DEBDIR"/guard_*.deb "$DEBDIR"/libpam-guard_*.deb)
[[ ${#debs[@]} -eq 2 ]] || {
	echo "test_deb: expected one guard and one libpam-guard .deb in $DEBDIR (make deb)" >&2
	exit 2
}

ROOT=
for r in /var/tmp/guard-fresh/root /var/tmp/guard-deb-test/root; do
	if [[ -x $r/usr/bin/apt-get && -x $r/usr/bin/dpkg ]]; then
		ROOT=$r
		break
	fi
done
if [[ -z $ROOT ]]; then
	ROOT=/var/tmp/guard-deb-test/root
	echo "test_deb: building a Debian 12 root in $ROOT (once)..."
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	rm -rf "$ROOT" && mkdir -p "$ROOT"
	debootstrap --variant=minbase bookworm "$ROOT" >"$ROOT.log" 2>&1 || {
		echo "test_deb: debootstrap failed, see $ROOT.log" >&2
		exit 2
	}
fi

W=$(mktemp -d /var/tmp/guard-deb-test.XXXXXX)
trap 'rm -rf -- "$W"' EXIT
mkdir -p "$W/upper" "$W/work" "$W/m" "$W/debs"
cp -- "${debs[@]}" "$W/debs/"

# The checks, run inside the root.
cat >"$W/debs/checks.sh" <<'CHECKS'
set -u
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >/tmp/out 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    | /' /tmp/out; fi; }

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 2; }
if ! apt-get install -y -qq --no-install-recommends /debs/guard_*.deb /debs/libpam-guard_*.deb >/tmp/apt.log 2>&1; then
	cat /tmp/apt.log
	echo "FAIL: apt-get install of the packages"
	exit 1
fi
ok "apt-get install ./guard_*.deb ./libpam-guard_*.deb"
check "dpkg -s: both installed" sh -c 'dpkg -s guard libpam-guard | grep -c "^Status: install ok installed" | grep -qx 2'
check "guardctl is setuid root (4755 root:root)" sh -c '[ "$(stat -c %a:%U:%G /usr/sbin/guardctl)" = 4755:root:root ]'
check "guardctl --version" sh -c 'guardctl --version | grep -q "^guardctl [0-9]"'
check "the shipped policy's role groups exist, empty system groups" sh -c 'for g in guard-approvers oncall helpdesk admins; do getent group "$g" | awk -F: "\$3 < 1000 && \$4 == \"\" { f = 1 } END { exit !f }" || exit 1; done'
check "guardctl check passes on the shipped policy" guardctl check
check "guardctl check as another user" setpriv --reuid=nobody --regid=nogroup --clear-groups guardctl check
check "/etc/guard/guard.conf is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" guard | grep -q "/etc/guard/guard.conf "'
check "/etc/guard/guard.d exists, root's, 0755" sh -c '[ "$(stat -c %a:%U /etc/guard/guard.d)" = 755:root ]'
check "/var/lib/guard is root's, 0700" sh -c '[ "$(stat -c %a:%U:%G /var/lib/guard)" = 700:root:root ]'
check "tmpfiles.d entry" grep -q '^d /var/lib/guard 0700 root root' /usr/lib/tmpfiles.d/guard.conf
check "journald catalog" test -s /usr/lib/systemd/catalog/guard.catalog
check "audit rules example" test -s /usr/share/doc/guard/examples/guard.rules
check "bash completion" test -s /usr/share/bash-completion/completions/guardctl
check "man pages" test -s /usr/share/man/man8/guardctl.8.gz -a -s /usr/share/man/man5/guard.conf.5.gz -a -s /usr/share/man/man8/pam_guard.8.gz
check "pam_guard.so where libpam looks" sh -c 'ls /lib/*/security/pam_guard.so /usr/lib/*/security/pam_guard.so 2>/dev/null | grep -q .'
check "the PAM helper, root's" sh -c '[ "$(stat -c %U /usr/libexec/guard/guard-pam-helper)" = root ]'
check "the sudo plugin, root's, not writable by others" sh -c '[ "$(stat -c %U /usr/libexec/guard/sudo_guard.so)" = root ] && [ -z "$(find /usr/libexec/guard/sudo_guard.so -perm /022)" ]'
check "/etc/sudo.conf is not edited" sh -c '! grep -qs guard_approval /etc/sudo.conf'
check "the pam-auth-update profile is off after install" sh -c '! grep -q pam_guard /etc/pam.d/common-*'
check "pam-auth-update --enable guard: su, sudo, doas and pkexec only, session stage" sh -c '
	pam-auth-update --enable guard &&
	grep -q "pam_succeed_if.so quiet service notin su:su-l:sudo:sudo-i:doas:polkit-1" /etc/pam.d/common-session &&
	grep -q "required.*pam_guard.so" /etc/pam.d/common-session &&
	grep -q "required.*pam_guard.so" /etc/pam.d/common-session-noninteractive &&
	! grep -q pam_guard /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password'
check "pam-auth-update --disable guard" sh -c 'pam-auth-update --disable guard && ! grep -q pam_guard /etc/pam.d/common-*'
check "a dpkg-statoverride survives a reinstall" sh -c '
	dpkg-statoverride --update --add root root 0755 /usr/sbin/guardctl &&
	dpkg -i /debs/guard_*.deb >/dev/null &&
	[ "$(stat -c %a /usr/sbin/guardctl)" = 755 ] &&
	dpkg-statoverride --remove /usr/sbin/guardctl && dpkg -i /debs/guard_*.deb >/dev/null &&
	[ "$(stat -c %a /usr/sbin/guardctl)" = 4755 ]'
check "a changed policy is kept on reinstall" sh -c '
	echo "# local change" >>/etc/guard/guard.conf &&
	dpkg -i --force-confold /debs/guard_*.deb >/dev/null && grep -q "# local change" /etc/guard/guard.conf'
check "remove libpam-guard takes its profile out" sh -c '
	pam-auth-update --enable guard && apt-get remove -y -qq libpam-guard >/dev/null &&
	! grep -q pam_guard /etc/pam.d/common-* && [ ! -e /usr/share/pam-configs/guard ]'
check "purge guard removes the policy and the state" sh -c '
	apt-get purge -y -qq guard >/dev/null && [ ! -e /etc/guard ] && [ ! -e /var/lib/guard ] && [ ! -e /usr/sbin/guardctl ]'
[ "$fails" -eq 0 ] || { echo "test_deb: $fails failure(s)"; exit 1; }
echo "test_deb: the packages install, work and go away cleanly"
CHECKS

unshare -m --propagation private bash -c '
	set -e; R=$1; W=$2
	mount -t overlay overlay -o "lowerdir=$R,upperdir=$W/upper,workdir=$W/work" "$W/m"
	mount -t proc proc "$W/m/proc"
	mount --rbind /sys "$W/m/sys"
	mount --rbind /dev "$W/m/dev"
	mount -t tmpfs tmpfs "$W/m/run"
	mount -t tmpfs tmpfs "$W/m/tmp"
	mkdir -p "$W/m/debs" && mount --bind "$W/debs" "$W/m/debs"
	cp /etc/resolv.conf "$W/m/etc/resolv.conf"
	chroot "$W/m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		bash /debs/checks.sh
' _ "$ROOT" "$W"
