#!/bin/bash
# guardctl COMMAND as a setuid-root wrapper: what the caller controls never
# reaches the child (ATTACKS.md A and B, the run path). A policy `command`
# block runs tests/integration/run_probe.c, which prints what it sees.
#
#   A1  argc==0 ............ "argc 0"
#   A4  fds 0-2 closed ..... "closed standard fds"
#   A5  inherited fds ...... "inherited fds 3-200"
#   A6  rlimits ............ "resource limits"
#   A7  signals ............ "signals ignored by the caller", "forwarding"
#   A8  core dumps ......... covered for every path by tests/attack (guardctl
#                            is non-dumpable from its step 3 on); the child is
#                            a plain root process, not the caller's to trace
#   A9  umask .............. "umask"
#   A10 environment ........ "environment"
#   A11 PATH hijack ........ test_run.sh "path tricks"
#   A12 TZ ................. "environment" (TZ never reaches the child)
#   B15 Baron Samedit ...... "arguments"
#   B16 uid -1 ............. test_run.sh
#   B25 TIOCSTI ............ "TIOCSTI", "interactive passwd"
#   exit status, death by signal: "exit status"

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl

PROBE=/usr/local/libexec/guard-probe
T=$(mktemp -d)
chmod 0755 "$T"
trap 'rm -rf -- "$T"' EXIT

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

step "setup: the probe and a policy that lets alice run it"
install -d -m 0755 /usr/local/libexec
cc -O1 -Wall -Werror -o "$T/probe" "$GUARD_SRC/tests/integration/run_probe.c"
install -m 0755 -o root -g root "$T/probe" "$PROBE"
cat >/etc/guard/guard.conf <<EOF
settings {
  audit    = off
  journal  = no
  timezone = "UTC"
}
rule "probe" {
  actions  = { "user.modify", "user.create", "user.delete", "user.password", "group.create",
               "group.delete" }
  actors   = { "%helpdesk" }
  decision = allow
}
command "probe" {
  path    = "$PROBE"
  actions = { "user.modify" }
}
EOF
chmod 0644 /etc/guard/guard.conf
guardctl check >/dev/null || fail "the test policy does not pass check"
assert_exit 0 as alice guardctl probe exit 0

step "environment: only the allowlist reaches the child"
assert_exit 0 as alice env -i \
	LD_PRELOAD=/tmp/evil.so LD_LIBRARY_PATH=/tmp/evil LD_AUDIT=/tmp/evil.so \
	GCONV_PATH=. CHARSET=PWNKIT LOCPATH=/tmp/evil NLSPATH=/tmp/evil/%N LANGUAGE=../../tmp \
	HOSTALIASES=/tmp/evil RES_OPTIONS=debug IFS=x BASH_ENV=/tmp/evil ENV=/tmp/evil \
	SHELLOPTS=xtrace PS4='$(id)' PERL5LIB=/tmp/evil PERL5OPT=-d PYTHONPATH=/tmp/evil \
	PYTHONSTARTUP=/tmp/evil TMPDIR=/tmp/evil TZ=/etc/shadow SSH_CLIENT='10.20.0.1 1 22' \
	SSH_CONNECTION='10.20.0.1 1 10.0.0.1 22' GUARD_USER=root SUDO_USER=root USER=root \
	LOGNAME=root HOME=/tmp/evil SHELL=/tmp/evil PATH=/tmp/evil LANG=xx LC_ALL=xx \
	TERM=xterm-256color /usr/local/sbin/guardctl probe env
expected="GUARD_USER=alice
HOME=/root
LANG=C.UTF-8
LOGNAME=root
PATH=/usr/sbin:/usr/bin:/sbin:/bin
SHELL=/bin/sh
TERM=xterm-256color
USER=root"
assert_eq "$expected" "$(LC_ALL=C sort <<<"$OUT")" "the child's environment"

step "environment: an odd TERM is dropped, TZ of any shape is ignored"
for term in '../../etc/shadow' 'xterm;id' "$(printf 'x%.0s' {1..100})" ''; do
	assert_exit 0 as alice env -i TERM="$term" TZ=":../../x" /usr/local/sbin/guardctl probe env
	assert_not_contains "$OUT" "TERM=" "TERM '$term'"
	assert_not_contains "$OUT" "TZ=" "TZ"
done
assert_exit 0 as alice env -i TZ="$(printf 'A%.0s' {1..4096})" /usr/local/sbin/guardctl probe exit 0

step "state: root in every id, no groups, umask 022, own session, cwd /"
(cd /home/alice && as alice bash -c 'umask 777; exec guardctl probe state') >"$T/state"
assert_contains "$(cat "$T/state")" "uid 0 0 0"
assert_contains "$(cat "$T/state")" "gid 0 0 0"
assert_contains "$(cat "$T/state")" $'groups\n'
assert_contains "$(cat "$T/state")" "umask 022"
assert_contains "$(cat "$T/state")" "session-leader yes"
assert_contains "$(cat "$T/state")" "ctty no"
assert_contains "$(cat "$T/state")" "cwd /"$'\n'

step "umask: 000 and 777 from the caller, a fixed one for the child"
for m in 000 777; do
	OUT=$(as alice bash -c "umask $m; exec guardctl probe state")
	assert_contains "$OUT" "umask 022" "umask of the child under $m"
done

step "signals ignored by the caller are reset for the child"
OUT=$(as alice bash -c 'trap "" INT TERM HUP QUIT PIPE USR1; exec guardctl probe state')
assert_contains "$OUT" $'ignored\n' "ignored signals in the child"
assert_contains "$OUT" $'blocked\n' "blocked signals in the child"

step "inherited fds 3-200: the child sees only 0-2"
OUT=$(as alice bash -c 'for i in $(seq 3 200); do eval "exec $i</dev/null"; done; exec guardctl probe fds')
assert_eq $'0\n1\n2' "$OUT" "the child's fds"

step "closed standard fds: reopened on /dev/null, the command still runs"
OUT=$(as alice bash -c 'exec guardctl probe fds 0<&- 2>&-')
assert_eq $'0\n1\n2' "$OUT" "the child's fds with 0 and 2 closed"
assert_exit 0 as alice bash -c 'guardctl groupadd closedfds 0<&- 1>&- 2>&-'
assert_contains "$(getent group closedfds)" "closedfds:x:"
assert_exit 0 as alice guardctl groupdel closedfds

step "resource limits: lowered soft limits are reset for the child"
assert_exit 0 prlimit --fsize=1: --nofile=8: --nproc=1: --as=100000000: --stack=65536: -- \
	setpriv --reuid=alice --regid=alice --init-groups guardctl probe limits
assert_contains "$OUT" "FSIZE unlimited unlimited"
assert_contains "$OUT" "NOFILE 1024 "
# NPROC: unlimited, or (without CAP_SYS_RESOURCE) the soft limit raised to the hard one.
nproc=$(awk '$1 == "NPROC" { print ($2 == $3) ? "raised" : $2 }' <<<"$OUT")
assert_eq raised "$nproc" "NPROC soft limit of the child"
assert_contains "$OUT" "AS unlimited unlimited"
assert_contains "$OUT" "STACK 8388608 "
assert_contains "$OUT" "CORE 0 0"
cp /etc/passwd "$T/passwd.before"
assert_exit 0 prlimit --fsize=1: --nofile=8: -- \
	setpriv --reuid=alice --regid=alice --init-groups guardctl useradd limituser
assert_contains "$(grep '^limituser:' /etc/passwd)" ":/home/limituser:" "the whole passwd line"

step "resource limits: lowered hard limits: a clean refusal or a full run, never half"
cp /etc/passwd "$T/passwd.before"
# stderr on a pipe: a regular file would take 1 byte of the message.
STATUS=0
ERR=$(prlimit --fsize=1:1 -- setpriv --reuid=alice --regid=alice --init-groups \
	guardctl useradd hardlimit 2>&1 >/dev/null) || STATUS=$?
if [[ $STATUS == 0 ]]; then
	assert_contains "$(grep '^hardlimit:' /etc/passwd)" ":/home/hardlimit:"
else
	assert_eq 2 "$STATUS" "exit status with FSIZE hard 1"
	assert_contains "$ERR" "resource limits"
	cmp -s /etc/passwd "$T/passwd.before" || fail "a refused run changed /etc/passwd"
fi

step "arguments of any length and byte pass through exactly"
# 131071 bytes: the kernel's limit for one argument (MAX_ARG_STRLEN) less the NUL.
long=$(head -c 131071 /dev/zero | tr '\0' 'x')
args=('a\' $'\x01\x7f\xc3\xa9\xff' '' ' ' '--' '-o' '$(id)' "$long")
run_cmd as alice guardctl probe argv "${args[@]}"
assert_eq 0 "$STATUS" "exit status with odd and long arguments (stderr: ${ERR:0:200})"
expected=$(for a in probe argv "${args[@]}"; do printf '%s' "$a" | od -An -tx1 -v | tr -d ' \n'; echo; done)
assert_eq "$(sha256sum <<<"$expected")" "$(sha256sum <<<"$OUT")" "argv as the child sees it (hex, hashed)"
mapfile -t many < <(seq 1 5000)
run_cmd as alice guardctl probe argv "${many[@]}"
assert_eq 1 "$STATUS" "5000 arguments"
assert_contains "$ERR" "at most 4096"
mapfile -t many < <(seq 1 4000)
run_cmd as alice guardctl probe argv "${many[@]}"
assert_eq 0 "$STATUS" "4000 arguments"
assert_eq 4002 "$(wc -l <<<"$OUT")" "lines printed for 4000 arguments"

step "control characters are escaped in messages"
run_cmd as alice guardctl $'user\x1b[31madd' x
assert_not_contains "$ERR" $'\x1b' "a raw ESC in the message"
assert_contains "$ERR" '\x1b'

step "exit status and death by signal"
assert_exit 3 as alice guardctl probe exit 3
assert_exit 143 as alice guardctl probe kill 15
assert_exit 137 as alice guardctl probe kill 9
assert_exit 130 as alice guardctl probe kill 2

step "SIGTERM and SIGINT to guardctl are forwarded to the child"
for sig in TERM INT HUP; do
	rm -f "$T/out"
	# setpriv execs guardctl: $! is guardctl's pid.
	setpriv --reuid=alice --regid=alice --init-groups guardctl probe sleep >"$T/out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		grep -q ready "$T/out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q ready "$T/out" || fail "the probe did not start"
	# The caller may signal its own guardctl.
	as alice kill -s "$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "exit status after SIG$sig"
	assert_contains "$(cat "$T/out")" "got $(kill -l "$sig")" "the child got SIG$sig"
done

step "argc 0 (pwnkit): exit 127, nothing run, nothing said"
assert_exit 127 as alice "$PROBE" exec0 /usr/local/sbin/guardctl
assert_eq "" "$OUT$ERR" "output of guardctl with argc 0"

step "TIOCSTI: the child has no fd on the caller's terminal"
command -v script >/dev/null || skip "script(1) is not installed"
OUT=$(script -qec "setpriv --reuid=alice --regid=alice --init-groups guardctl probe tiocsti" /dev/null </dev/null | tr -d '\r')
assert_contains "$OUT" "fd0 " "the probe's output through the relay"
assert_not_contains "$OUT" " ok" "a TIOCSTI that worked"
assert_not_contains "$OUT" "uid=" "an injected command ran"

step "interactive passwd: a new pty, relayed; TIOCSTI there reaches only the tool"
assert_exit 0 as alice guardctl useradd ttyuser
before=$(grep '^ttyuser:' /etc/shadow | cut -d: -f2)
cat >"$T/passwd.sh" <<'EOF'
#!/bin/bash
# Types the new password twice once the prompts appear.
exec setpriv --reuid=alice --regid=alice --init-groups guardctl passwd ttyuser
EOF
chmod 0755 "$T/passwd.sh"
(
	sleep 1
	printf 'Tty-Pass-Word-9\r'
	sleep 0.5
	printf 'Tty-Pass-Word-9\r'
	sleep 1
) | script -qec "$T/passwd.sh" /dev/null >"$T/passwd.out" 2>&1 || true
after=$(grep '^ttyuser:' /etc/shadow | cut -d: -f2)
assert_ne "$before" "$after" "ttyuser's hash after an interactive passwd ($(tr -d '\r' <"$T/passwd.out"))"
assert_not_contains "$(cat "$T/passwd.out")" "Tty-Pass-Word-9" "the typed password echoed"
assert_exit 0 as alice guardctl userdel ttyuser

echo "ok"
