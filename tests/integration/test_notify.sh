#!/bin/bash
# Notify programs (settings notify, notify_user): told of an approval
# request, its approval, a freeze and thaw and break-glass, each as one
# line of JSON on stdin; run as nobody with only PATH and LANG and fds 0-2;
# a program that hangs is killed after 5 s and one that fails is logged,
# and neither delays or changes the decision.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root
require_guardctl
GUARDCTL=/usr/local/sbin/guardctl
command -v python3 >/dev/null || skip "missing python3"
[[ -x /lib/systemd/systemd-journald ]] || skip "missing systemd-journald"
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

work=$(mktemp -d)
chmod 0755 "$work"
install -d -m 0777 "$work/out"
cleanup() {
	stop_daemons
	rm -rf -- "$work"
}
trap cleanup EXIT
start_journald || fail "journald did not start"

cat >"$work/capture" <<'PY'
#!/usr/bin/python3 -I
# What a notify program is given: its user, environment, open fds, stdin.
import os, sys, time
fds = []
for fd in range(256):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
with open(os.path.join(out, "%d.txt" % time.time_ns()), "w") as f:
    f.write("uid=%d\n" % os.getuid())
    for k in sorted(os.environ):
        f.write("env %s=%s\n" % (k, os.environ[k]))
    for fd in fds:
        f.write("fd %d\n" % fd)
    f.write("json " + sys.stdin.read())
PY
cat >"$work/hang" <<'SH'
#!/bin/sh
out=$(dirname "$0")/out
: >"$out/hang.started"
sleep 30
: >"$out/hang.done"
SH
printf '#!/bin/sh\nexit 3\n' >"$work/fail"
chmod 0755 "$work/capture" "$work/hang" "$work/fail"

cat >/etc/guard/guard.conf <<POLICY
settings {
  audit       = off
  journal     = yes
  timezone    = "UTC"
  approvers   = { "%guard-approvers" }
  admins      = { "%admins" }
  break_glass = { "%oncall" }
  notify      = { "$work/capture", "$work/hang", "$work/fail" }
}
privileged_groups = { "root", "sudo", "admins" }
rule "admins-grant" {
  actions  = { "group.member.add", "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}
command "usermod" { path = "/usr/sbin/usermod" }
POLICY
chmod 0644 /etc/guard/guard.conf
find /var/lib/guard -mindepth 1 -delete
useradd notified

as() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }

step "a request, its approval, a freeze and thaw, break-glass: the decisions are not held up"
as bob "$GUARDCTL" usermod -aG sudo notified 2>"$work/usermod.err" && fail "usermod ran unapproved"
id=$(grep -o 'request [0-9]* filed' "$work/usermod.err" | cut -d' ' -f2)
[[ $id =~ ^[0-9]+$ ]] || fail "no request id: $(cat "$work/usermod.err")"
[[ ! -e $work/out/hang.done ]] || fail "the request waited for a notify program"
as carol "$GUARDCTL" approve "$id" >/dev/null || fail "approve"
"$GUARDCTL" freeze --reason "notify test" --for 10m >/dev/null || fail "freeze"
"$GUARDCTL" thaw >/dev/null || fail "thaw"
as erin "$GUARDCTL" break-glass --reason "notify test" --for 1m >/dev/null || fail "break-glass"

step "each event reached the capturing program as JSON, as nobody, with PATH and LANG only"
# The programs run detached, one event after another: wait for the last.
for _ in $(seq 300); do
	grep -qs '"event":"break-glass"' "$work"/out/*.txt && break
	sleep 0.1
done
all=$(cat "$work"/out/*.txt)
for want in '"event":"decision"' '"event":"approval"' '"event":"freeze"' '"event":"thaw"' \
	'"event":"break-glass"' '"actor":"bob"' '"target":"notified"' '"request":"'"$id"'"' \
	'"event_id":"'; do
	assert_contains "$all" "$want"
done
for f in "$work"/out/*.txt; do
	assert_eq "uid=65534" "$(head -1 "$f")" "the program's user ($f)"
	assert_eq "env LANG=C.UTF-8
env PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$(grep '^env ' "$f" | sort)" "the program's environment"
	assert_eq "fd 0 fd 1 fd 2" "$(grep '^fd ' "$f" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"the program's fds"
	python3 -c 'import json,sys; json.loads(sys.argv[1][5:])' "$(grep '^json ' "$f")" ||
		fail "not one JSON object: $f"
done

step "a waiting request's notice names it and carries its token, from guardctl run and guardctl request"
# token_of ID: the token the decision notice for request ID carried.
token_of() {
	python3 - "$1" "$work"/out/*.txt <<'PY'
import json, sys
for path in sys.argv[2:]:
    for line in open(path):
        if line.startswith("json "):
            e = json.loads(line[5:])
            if e.get("event") == "decision" and e.get("request") == sys.argv[1]:
                print(e.get("token", "(no token)"), end="")
                sys.exit(0)
print("(no decision notice for request %s)" % sys.argv[1], end="")
PY
}
t=$(token_of "$id")
assert_contains "$t" "guard-approval-request v1"
assert_contains "$t" "request: $id"
assert_contains "$t" "nonce: "
useradd notified2
id2=$(as bob "$GUARDCTL" request usermod -aG sudo notified2 2>"$work/request.err" | tail -1)
[[ $id2 =~ ^[0-9]+$ ]] || fail "no request id from guardctl request: $(cat "$work/request.err")"
for _ in $(seq 100); do
	[[ $(token_of "$id2") == guard-approval-request* ]] && break
	sleep 0.1
done
t=$(token_of "$id2")
assert_contains "$t" "request: $id2"
assert_contains "$t" "notified2"
journal_request=$(journalctl --no-pager -o verbose GUARD_REQUEST="$id2" 2>/dev/null)
assert_contains "$journal_request" "GUARD_DECISION=approve"

step "the hanging program was killed after 5 s; the failing one logged"
for _ in $(seq 150); do
	journalctl --no-pager SYSLOG_IDENTIFIER=guard-notify 2>/dev/null | grep -q "was killed" && break
	sleep 0.1
done
[[ -e $work/out/hang.started ]] || fail "the hanging program never started"
[[ ! -e $work/out/hang.done ]] || fail "the hanging program was not killed"
log=$(journalctl --no-pager SYSLOG_IDENTIFIER=guard-notify)
assert_contains "$log" "took longer than 5 s and was killed"
assert_contains "$log" "$work/fail failed (exit 3)"

step "the approved request still runs"
run_cmd as bob "$GUARDCTL" run "$id"
assert_eq 0 "$STATUS" "run: $ERR"
