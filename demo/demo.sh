#!/bin/bash
# Guard demo: a policy, `guardctl check` on it, and what check says about
# broken copies of it. Runs inside tests/sandbox/guard-sandbox (make demo),
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

say "Done: the sandbox's policy, users and state vanish with it"
