#!/bin/bash
# Guard demo: a policy, `guardctl check` on it, what check says about broken
# copies of it, and a tour of `guardctl explain`: what the policy decides for
# given requests, and why. Runs inside tests/sandbox/guard-sandbox (make demo),
# where /etc/guard is private; started elsewhere it enters the sandbox itself.

set -euo pipefail

SRC=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)

if [[ ${GUARD_SANDBOX:-} != 1 ]]; then
	[[ $(id -u) -eq 0 ]] || {
		echo "demo: run it as root (it starts tests/sandbox/guard-sandbox)" >&2
		exit 2
	}
	exec "$SRC/tests/sandbox/guard-sandbox" "$(readlink -f -- "${BASH_SOURCE[0]}")" "$@"
fi

POLICY=/etc/guard/guard.conf
WORK=/root/guard-demo

say() {
	printf '\n== %s\n' "$*"
}

die() {
	echo "demo: $*" >&2
	exit 1
}

# Shows a file with line numbers, as check refers to them.
show_file() {
	nl -ba -w3 -s'  ' "$1"
}

# run_check [FILE]: runs guardctl check, shows its output, sets CHECK_STATUS
# and CHECK_OUT.
run_check() {
	CHECK_STATUS=0
	CHECK_OUT=$(guardctl check "$@" 2>&1) || CHECK_STATUS=$?
	echo "\$ guardctl check${1:+ $1}"
	if [[ -n $CHECK_OUT ]]; then
		printf '%s\n' "$CHECK_OUT" | sed 's/^/  /'
	fi
	echo "  (exit $CHECK_STATUS)"
}

sample_policy() {
	cat <<'EOF'
# Guard policy (sample)
settings {
  mode          = enforce
  default       = deny
  audit         = required
  journal       = yes
  approvers     = { "%guard-approvers" }
  approval_ttl  = 30m
  break_glass   = { "%oncall" }
  timezone      = "system"
  home_roots    = { "/home" }
}

privileged_groups = { "root", "sudo", "wheel", "adm", "shadow", "disk", "docker", "lxd" }
protected_users   = { "root", "uid:0-999" }

rule "deny-protected" {
  actions  = { "user.delete", "user.modify", "user.password", "user.lock" }
  targets  = { "@protected" }
  decision = deny
  message  = "System accounts are managed by configuration management; open a change request."
}

rule "helpdesk-onboarding" {
  actions  = { "user.create", "user.modify", "user.password", "group.member.add" }
  actors   = { "%helpdesk" }
  targets  = { "uid:1000-59999" }
  groups   = { "!@privileged" }
  time     = { "Mon-Fri 08:00-18:00" }
  from     = { "local", "10.20.0.0/16" }
  limit    = "10/1h"
  decision = allow
  message  = "Helpdesk onboards standard accounts in office hours. Out of hours, page identity on-call."
}

rule "escalation-two-person" {
  actions   = { "role.escalate" }
  actors    = { "%admins" }
  decision  = approve
  approvals = 1
  alert     = yes
  message   = "Granting or using root needs a second admin's approval."
}

watch "denial-burst" {
  decisions = { "deny" }
  threshold = "3/10m"
  lockout   = 30m
}

service "su"   { action = "role.escalate" }
service "sudo" { action = "role.escalate" }

command "useradd" { path = "/usr/sbin/useradd" }
EOF
}

# The rule appended to a broken copy; ITEM is its one mistake (replacing
# the actions line when it is one).
broken_rule() {
	local item=$1 actions='  actions  = { "user.create" }'
	if [[ $item == "  actions "* ]]; then
		actions=$item
		item='  targets  = { "uid:1000-59999" }'
	fi
	cat <<EOF

rule "demo-after-hours" {
$actions
  actors   = { "%helpdesk" }
$item
  decision = allow
}
EOF
}

command -v guardctl >/dev/null 2>&1 ||
	die "guardctl is not installed in the sandbox: build it first (make), then run make demo"

say "1. The policy: $POLICY"
if [[ -f $SRC/conf/guard.conf ]]; then
	echo "(the shipped conf/guard.conf)"
	install -m 0644 -o root -g root "$SRC/conf/guard.conf" "$POLICY"
else
	echo "(a sample policy)"
	sample_policy >"$POLICY"
	chown root:root "$POLICY"
	chmod 0644 "$POLICY"
fi
show_file "$POLICY"

say "2. guardctl check validates it: no errors, exit 0"
run_check
[[ $CHECK_STATUS -eq 0 ]] || die "guardctl check refused the policy (exit $CHECK_STATUS)"

say "3. Broken copies, one mistake each: check names file:line and exits 2"
install -d -m 0700 -o root -g root "$WORK"
mistakes=(
	"bad-time|a time window that ends at 25:00|  time     = { \"Mon-Fri 18:00-25:00\" }"
	"bad-cidr|a /33 network|  from     = { \"10.20.0.0/33\" }"
	"env-var|\${HOME} in a value (libconfuse would expand it)|  message  = \"Ask the owner of \${HOME}\""
	"unknown-action|an action that does not exist|  actions  = { \"user.explode\" }"
)
failed=0
for m in "${mistakes[@]}"; do
	IFS='|' read -r name what item <<<"$m"
	file=$WORK/$name.conf
	{
		cat "$POLICY"
		broken_rule "$item"
	} >"$file"
	chmod 0644 "$file"
	total=$(wc -l <"$file")
	first=$((total - 5))
	bad=$(grep -nF -- "$item" "$file" | tail -n 1 | cut -d: -f1)
	echo
	echo "-- $what: $file, line $bad"
	sed -n "${first},${total}p" "$file" | nl -ba -v "$first" -w3 -s'  '
	run_check "$file"
	# The error must name this file and a line of the broken rule.
	named=0
	while IFS= read -r line; do
		n=${line#"$file":}
		n=${n%%:*}
		if [[ $n =~ ^[0-9]+$ && $n -ge $first && $n -le $total ]]; then
			named=1
		fi
	done < <(printf '%s\n' "$CHECK_OUT" | grep -F -- "$file:" | grep -F ': error: ' || true)
	if [[ $CHECK_STATUS -ne 2 || $named -ne 1 ]]; then
		echo "  !! expected exit 2 and an error at $file:$first-$total"
		failed=1
	fi
done
[[ $failed -eq 0 ]] || die "guardctl check missed a mistake (see above)"

say "4. guardctl explain: what the policy decides, why, and the safe way forward"
# The shipped policy in a fixed time zone, and a drop-in that lets admins
# change group members, so that granting privilege comes down to the
# two-person rule. Every request names its time (--at) and its origin
# (--from): the tour decides the same on any host, on any day.
sed 's|^\( *timezone *= *\)"[^"]*"|\1"Europe/Berlin"|' "$POLICY" >"$WORK/guard.conf"
grep -q '^ *timezone *= *"Europe/Berlin"' "$WORK/guard.conf" ||
	die "cannot set the demo policy's time zone"
install -m 0644 -o root -g root "$WORK/guard.conf" "$POLICY"
cat >"$WORK/50-admins.conf" <<'EOF'
rule "admins-members" {
  actions  = { "group.member.add", "group.member.remove" }
  actors   = { "%admins" }
  decision = allow
}
EOF
install -m 0644 -o root -g root "$WORK/50-admins.conf" /etc/guard/guard.d/50-admins.conf
echo "(the policy above with timezone = \"Europe/Berlin\", and a drop-in:)"
echo "/etc/guard/guard.d/50-admins.conf:"
show_file /etc/guard/guard.d/50-admins.conf
run_check
[[ $CHECK_STATUS -eq 0 ]] || die "guardctl check refused the demo policy (exit $CHECK_STATUS)"

# tour WANT NARRATION EXPLAIN-ARGS...: shows one explain and checks that the
# decision is WANT (allow: exit 0; deny or approve: exit 1).
tour_failed=0
tour() {
	local want=$1 what=$2 out status=0 got want_status=1 a shown=""
	shift 2
	[[ $want == allow ]] && want_status=0
	for a in "$@"; do
		[[ $a =~ ^[A-Za-z0-9_./:%@=,+-]+$ ]] || a="\"$a\""
		shown+=" $a"
	done
	echo
	echo "-- $what"
	echo "\$ guardctl explain$shown"
	out=$(guardctl explain "$@" </dev/null 2>&1) || status=$?
	printf '%s\n' "$out" | sed 's/^./  &/'
	got=$(printf '%s\n' "$out" | sed -n 's/^decision: \([a-z]*\).*/\1/p')
	if [[ $status -ne $want_status || $got != "$want" ]]; then
		echo "  !! expected \"$want\" (exit $want_status), got \"${got:-nothing}\" (exit $status)"
		tour_failed=1
	fi
}

MON="2026-11-30 10:02" # a Monday, in office hours
SAT="2026-11-28 10:02" # a Saturday
OFFICE=10.20.1.5       # in the office network, 10.20.0.0/16
tour allow "Allowed: helpdesk (alice) resets a password in office hours, from the office network." \
	--as alice --at "$MON" --from "$OFFICE" passwd dave
tour deny "Denied out of hours: the same on a Saturday; Guard names the next window." \
	--as alice --at "$SAT" --from "$OFFICE" passwd dave
tour deny "Denied from a remote address: the same from outside the office network." \
	--as alice --at "$MON" --from 192.0.2.7 passwd dave
tour deny "A privileged group is refused: helpdesk may add members, but not to sudo." \
	--as alice --at "$MON" --from local usermod -aG sudo bob
tour approve "Approval needed: an admin (bob) may add dave to sudo once a second person approves." \
	--as bob --at "$MON" --from local usermod -aG sudo dave
tour deny "A near miss: dave is not in helpdesk, the one condition the onboarding rule misses." \
	--as dave --at "$MON" --from "$OFFICE" passwd bob
tour deny "No near miss: on a Saturday and from outside, two conditions fail; Guard says whom to ask." \
	--as alice --at "$SAT" --from 192.0.2.7 passwd dave
[[ $tour_failed -eq 0 ]] || die "guardctl explain did not decide as expected (see above)"

say "Done: the sandbox's policy, users and state vanish with it"
