#!/bin/bash
# Guard demo: a policy, `guardctl check` on it, what check says about broken
# copies of it, and a tour of `guardctl explain`: what the policy decides for
# given requests, and why. Then Guard at work, with the sandbox's own auditd
# and journald: an operator creates a user through guardctl, a refused
# privileged-group add (through guardctl and through sudo with Guard's
# approval plugin), a two-person approval, su through pam_guard, a refused
# join of a Guard role and password reset of a sudo member, auditd
# stopped, and the SOC's view (ausearch, aureport, journalctl -x). Every step
# checks its outcome: the demo fails when one is not as expected.
# Runs inside tests/sandbox/guard-sandbox (make demo), where /etc, /home, the
# state and the logs are private; started elsewhere it enters the sandbox
# itself.

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
  actions  = { "user.create", "user.modify", "user.password", "group.create", "group.member.add" }
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
	--as alice --at "$MON" --from local usermod -aG sudo dave
tour approve "Approval needed: an admin (bob) may add dave to sudo once a second person approves." \
	--as bob --at "$MON" --from local usermod -aG sudo dave
tour deny "A near miss: bob is not in helpdesk, the one condition the onboarding rule misses." \
	--as bob --at "$MON" --from "$OFFICE" passwd dave
tour deny "No near miss: on a Saturday and from outside, two conditions fail; Guard says whom to ask." \
	--as alice --at "$SAT" --from 192.0.2.7 passwd dave
[[ $tour_failed -eq 0 ]] || die "guardctl explain did not decide as expected (see above)"

# ---------------------------------------------------------------------------
# Guard at work: the setuid guardctl and pam_guard.so in su, with the
# sandbox's own auditd and journald, under the policy above.

. "$SRC/tests/integration/daemons.sh"
trap stop_daemons EXIT

# shown ARGS...: ARGS as one would type them.
shown() {
	local a out=""
	for a in "$@"; do
		[[ $a =~ ^[A-Za-z0-9_./:%@=,+-]+$ ]] || a="'$a'"
		out+="${out:+ }$a"
	done
	printf '%s' "$out"
}

# act USER WANT CMD [ARGS...]: runs CMD as USER (with ACT_INPUT on stdin),
# shows it after USER's prompt with its output indented, keeps the output
# in ACT_OUT; the demo fails unless CMD exits WANT.
act() {
	local user=$1 want=$2 status=0
	shift 2
	echo "$user\$ $(shown "$@")"
	if [[ $user == root ]]; then
		ACT_OUT=$("$@" 2>&1 <<<"${ACT_INPUT:-}") || status=$?
	else
		ACT_OUT=$(setpriv --reuid="$user" --regid="$user" --init-groups -- "$@" 2>&1 \
			<<<"${ACT_INPUT:-}") || status=$?
	fi
	if [[ -n $ACT_OUT ]]; then
		printf '%s\n' "$ACT_OUT" | sed 's/^/  /'
	fi
	[[ $status -eq $want ]] || die "expected exit $want from \"$(shown "$@")\" as $user, got $status"
}

# expect TEXT WHAT: the last act's output has TEXT.
expect() {
	[[ $ACT_OUT == *"$1"* ]] || die "$2: expected \"$1\" in the output above"
}

# reject TEXT WHAT: the last act's output does not have TEXT.
reject() {
	[[ $ACT_OUT != *"$1"* ]] || die "$2: unexpected \"$1\" in the output above"
}

account_sums() {
	sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow
}

# passwd_line USER: USER's line of /etc/passwd, or that there is none.
passwd_line() {
	grep "^$1:" /etc/passwd || echo "(no $1 in /etc/passwd)"
}

say "5. The SOC's pipes: auditd and journald start in the sandbox"
grep -E '^ *audit *=' "$POLICY" | sed -E 's/^ */(the policy: /; s/ *= */ = /; s/ *(#.*)?$/)/'
start_journald || die "journald did not start"
start_auditd "$WORK/audit" || die "auditd did not start"
# A machine's audit log holds more than the demo: the SOC's view starts here.
SINCE=("$(date +%x)" "$(date +%T)")
if own_auditd; then
	echo "auditd (pid $AUDITD_PID), log $(audit_log)"
else
	echo "this machine's auditd is in use (pid $(audit_pid)): reading its log $(audit_log)"
fi
echo "journald (pid $JOURNALD_PID), on the sandbox's private /run/systemd/journal"
[[ $(audit_pid) != 0 ]] || die "no audit daemon is registered with the kernel"
install -D -m 0644 "$SRC/packaging/journald/guard.catalog" \
	/usr/local/lib/systemd/catalog/guard.catalog
journalctl --update-catalog
echo "packaging/journald/guard.catalog is installed: journalctl -x explains Guard's entries"
# The host's utmp names the host's terminals: the demo's commands have none.
: >/run/utmp
# The accounts as they are now: what guardctl verify compares with (step 11b).
guardctl verify --init >/dev/null || die "guardctl verify --init failed"

say "6. An operator (alice, helpdesk) creates a user through guardctl"
printf '%s\n' 'rule "demo-onboarding" {' \
	'  actions  = { "user.create", "group.create", "group.member.add" }' \
	'  actors   = { "%helpdesk" }' \
	'  targets  = { "!@protected" }' \
	'  groups   = { "!@privileged" }' \
	'  decision = allow' \
	'}' >"$WORK/50-demo.conf"
install -m 0644 -o root -g root "$WORK/50-demo.conf" /etc/guard/guard.d/50-demo.conf
echo "(helpdesk-onboarding also wants office hours and a known place; this demo-only"
echo " drop-in lets helpdesk create standard accounts at any hour, so the demo runs any day)"
echo "/etc/guard/guard.d/50-demo.conf:"
show_file /etc/guard/guard.d/50-demo.conf
run_check
[[ $CHECK_STATUS -eq 0 ]] || die "guardctl check refused the demo policy (exit $CHECK_STATUS)"
echo "before: $(passwd_line newhire)"
act alice 0 guardctl useradd -m newhire
echo "after:  $(passwd_line newhire)"
getent passwd newhire >/dev/null || die "useradd did not create newhire"
[[ -d /home/newhire ]] || die "useradd did not make /home/newhire"

say "7. A refused privileged-group add: alice puts newhire in sudo"
before=$(account_sums)
act alice 1 guardctl usermod -aG sudo newhire
expect "guard: denied: group.member.add of newhire, group sudo" "the refusal"
[[ $(account_sums) == "$before" ]] || die "the account files changed"
echo "(passwd, group, shadow and gshadow unchanged: same sha256 as before)"
echo "newhire: $(id -nG newhire)"

say "8. Two-person approval: bob (admins) asks, a second admin approves, it runs once"
usermod -aG admins carol
echo "(demo-only: carol joins admins; the rule's approvers are %admins, never the requester)"
act bob 1 guardctl usermod -aG sudo newhire
expect "approval needed" "the request"
req=$(sed -n 's/.*request \([0-9][0-9]*\) filed.*/\1/p' <<<"$ACT_OUT" | head -n 1)
[[ -n $req ]] || die "no request id"
act carol 0 guardctl list
expect "pending   bob" "the pending request"
act carol 0 guardctl approve "$req"
expect "request $req approved" "the approval"
act bob 0 guardctl usermod -aG sudo newhire
echo "newhire: $(id -nG newhire)"
[[ " $(id -nG newhire) " == *" sudo "* ]] || die "newhire is not in sudo"
act bob 1 guardctl run "$req"
expect "request $req is used" "the spent approval"

say "8b. Approved from another machine: carol signs the request's token with her SSH key"
# The approver's laptop is a directory here: her key, and what she saves
# from the notification. --sign reads no policy and needs no privilege.
laptop=/var/tmp/guard-demo-laptop
notes=/var/tmp/guard-demo-notify
install -d -m 0755 -o carol -g carol "$laptop"
install -d -m 0755 -o nobody -g nogroup "$notes"
setpriv --reuid=carol --regid=carol --init-groups -- \
	ssh-keygen -q -t ed25519 -N '' -C carol@laptop -f "$laptop/id_ed25519"
echo "carol $(cat "$laptop/id_ed25519.pub")" >/etc/guard/allowed_signers
chmod 0644 /etc/guard/allowed_signers
cat >/usr/local/libexec/guard-demo-notify <<EOF
#!/bin/sh
cat >"$notes/\$(date +%s%N).json"
EOF
chmod 0755 /usr/local/libexec/guard-demo-notify
sed -i '/^settings {/a\  notify        = { "/usr/local/libexec/guard-demo-notify" }' "$POLICY"
echo "(the policy gains a notify program that keeps each event's JSON, and"
echo " /etc/guard/allowed_signers names carol's public key:)"
sed 's/^/  /' /etc/guard/allowed_signers
act alice 0 guardctl useradd -m contractor
act bob 1 guardctl usermod -aG sudo contractor
expect "approval needed" "the request"
req=$(sed -n 's/.*request \([0-9][0-9]*\) filed.*/\1/p' <<<"$ACT_OUT" | head -n 1)
[[ -n $req ]] || die "no request id"
for _ in $(seq 50); do
	grep -qs '"event":"decision".*"token"' "$notes"/*.json && break
	sleep 0.1
done
note=$(grep -hs '"event":"decision".*"token"' "$notes"/*.json | sed -n 1p)
[[ -n $note ]] || die "no notification with the request's token"
echo "(what the notify program was given, as nobody; the token is what carol signs:)"
python3 -c 'import json,sys; e=json.loads(sys.argv[1]); t=e.pop("token"); print(json.dumps(e, indent=1)); print("token:"); print(t, end="")' "$note" |
	sed 's/^/  /'
python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"], end="")' "$note" |
	setpriv --reuid=carol --regid=carol --init-groups -- sh -c "cat >$laptop/token.txt"
act carol 0 sh -c "guardctl approve --sign $laptop/id_ed25519 $laptop/token.txt >$laptop/token.sig"
expect "You are approving" "what carol is shown"
echo "(carol sends token.sig back; dave, who may approve nothing, presents it)"
act dave 0 guardctl approve --signature "$laptop/token.sig" "$req"
expect "approved by carol (SSH signature)" "the signed approval"
act bob 0 guardctl usermod -aG sudo contractor
echo "contractor: $(id -nG contractor)"
act dave 1 guardctl approve --signature "$laptop/token.sig" "$req"
expect "request $req is used" "the replayed signature"

say "9. su through pam_guard: refused before the password prompt, or approved"
sed -i '1i auth     requisite pam_guard.so\naccount  required  pam_guard.so' /etc/pam.d/su
echo "/etc/pam.d/su (the sandbox's), first lines:"
head -n 3 /etc/pam.d/su | sed 's/^/  /'
act dave 1 su -c id root
expect "guard: denied: role.escalate to root" "the su refusal"
reject "Password" "the su refusal"
echo "(the sandbox's root gets a password, for bob's su below)"
echo 'root:demo-root-password' | chpasswd
act bob 1 su -c 'id -un' root
expect "approval request" "the su request"
req=$(sed -n 's/.*approval request \([0-9][0-9]*\) filed.*/\1/p' <<<"$ACT_OUT" | head -n 1)
[[ -n $req ]] || die "no request id"
act carol 0 guardctl approve "$req"
echo "(bob types root's password)"
ACT_INPUT=demo-root-password act bob 0 su -c 'id -un' root
expect "root" "the approved su"

say "10. A limit, a freeze and break-glass"
printf '%s\n' 'rule "demo-locks" {' \
	'  actions  = { "user.lock", "user.unlock" }' \
	'  actors   = { "%helpdesk" }' \
	'  targets  = { "!@protected" }' \
	'  limit    = "2/1h"' \
	'  decision = allow' \
	'}' >"$WORK/60-demo-limits.conf"
install -m 0644 -o root -g root "$WORK/60-demo-limits.conf" /etc/guard/guard.d/60-demo-limits.conf
echo "/etc/guard/guard.d/60-demo-limits.conf (demo-only):"
show_file /etc/guard/guard.d/60-demo-limits.conf
echo "(an expiry date in the past locks an account, an empty one unlocks it)"
act alice 0 guardctl usermod -e 1 dave
act alice 0 guardctl usermod -e "" dave
act alice 1 guardctl usermod -e 1 dave
expect "limit 2/1h reached, next at" "the limit"
echo "(carol, one of the policy's admins, freezes the host during an incident)"
act carol 0 guardctl freeze --reason "incident 4711" --for 1h
act alice 1 guardctl useradd -m newhire3
expect "frozen by carol" "the freeze"
expect "incident 4711" "the freeze's reason"
echo "(erin, on call, breaks the glass to repair an account: every use is an alert)"
act erin 0 guardctl break-glass --reason "restore the backup account" --for 15m
act erin 0 guardctl usermod -e 1 dave
expect "break-glass" "the break-glass use"
act carol 0 guardctl status
expect "frozen" "the status"
expect "locked out: alice by watch denial-burst" "the watch's lockout"
echo "(three refusals in ten minutes: the shipped watch \"denial-burst\" locked alice out)"
act carol 0 guardctl thaw
act alice 1 guardctl useradd -m newhire3
expect "locked out by watch denial-burst" "the lockout"
act carol 0 guardctl unlock alice
act alice 0 guardctl useradd -m newhire3
getent passwd newhire3 >/dev/null || die "useradd did not create newhire3 after the thaw"

say "10b. sudo with Guard's approval plugin in /etc/sudo.conf: the same per-action refusal"
printf '%s\n' 'Plugin sudoers_policy sudoers.so' 'Plugin sudoers_io sudoers.so' \
	'Plugin sudoers_audit sudoers.so' \
	'Plugin guard_approval /usr/local/libexec/guard/sudo_guard.so' >/etc/sudo.conf
echo 'alice ALL=(ALL:ALL) NOPASSWD: ALL' >/etc/sudoers.d/demo
chmod 0440 /etc/sudoers.d/demo
echo "(demo-only: sudoers lets alice run anything as anyone; Guard decides per action)"
echo "/etc/sudo.conf (the sandbox's):"
sed 's/^/  /' /etc/sudo.conf
before=$(account_sums)
act alice 1 sudo -n usermod -aG sudo newhire3
expect "guard: denied: group.member.add of newhire3, group sudo" "the sudo refusal"
[[ $(account_sums) == "$before" ]] || die "the account files changed"
act alice 0 sudo -n useradd -m newhire4
getent passwd newhire4 >/dev/null || die "sudo useradd did not create newhire4"
echo "after:  $(passwd_line newhire4)"

say "11. Guard's own roles and privileged accounts are privileged"
echo "(a role group, here break_glass's %oncall, grants a Guard power: joining it is role.escalate)"
before=$(account_sums)
act alice 1 guardctl usermod -aG oncall alice
expect "guard: denied: group.member.add of alice, group oncall" "the role's refusal"
act alice 1 guardctl explain usermod -aG oncall alice
expect "via group oncall (a Guard role: %oncall may break the glass): deny" "the role named"
echo "(newhire is in sudo since step 8: setting its password would be root)"
act alice 1 guardctl passwd newhire
expect "newhire is in sudo, a privileged group" "the privileged account's refusal"
[[ $(account_sums) == "$before" ]] || die "the account files changed"
echo "(passwd, group, shadow and gshadow unchanged)"
# Refusals count towards the shipped watch: root lifts a lockout they caused.
guardctl unlock alice >/dev/null 2>&1 || :

say "11b. An account made around Guard: root runs useradd itself, verify reports it"
echo "(the accounts changed above through guardctl, but for two changes the demo made"
echo " as root itself: carol joining admins in step 8 and root's password in step 9)"
act root 0 useradd -m -s /bin/bash sidedoor
act root 1 guardctl verify
expect "changed around Guard: user sidedoor: added" "verify's report"
expect "changed around Guard: group admins: member carol added" "verify's report"
expect "changed around Guard: user root: password set" "verify's report"
reject "newhire" "changes Guard decided are not reported"
act root 0 guardctl verify
expect "no change outside Guard's decisions" "each change is reported once"

if own_auditd; then
	say "12. auditd stops: with audit = required, Guard refuses rather than act unrecorded"
	stop_auditd || die "auditd did not stop"
	echo "(auditd stopped)"
	before=$(account_sums)
	act alice 2 guardctl useradd -m newhire2
	expect "no audit daemon is running" "the refusal"
	[[ $(account_sums) == "$before" ]] || die "the account files changed"
	echo "(passwd, group, shadow and gshadow unchanged)"
fi

say "13. The SOC's view"
LOG=$(audit_log)
echo "\$ ausearch -i --input $LOG --start ${SINCE[*]} -m USER_ACCT,USER_CMD,ANOM_ROOT_TRANS,ANOM_ADD_ACCT,ANOM_MOD_ACCT"
echo "  (Guard's records, some fields left out)"
soc=$(ausearch -i --input "$LOG" --start "${SINCE[@]}" -m USER_ACCT,USER_CMD,ANOM_ROOT_TRANS,ANOM_ADD_ACCT,ANOM_MOD_ACCT 2>/dev/null |
	grep -a "op=guard-" |
	sed -E "s/^type=([A-Z_]+) msg=audit\([^ ]+ ([0-9:]+)\.[0-9]+:[0-9]+\) : .* msg='/\2 \1 /;
		s/ (guard_mode|guard_id|reason|grant|exe|hostname|addr|terminal)=[^ ]*//g;
		s/ cmd=.* res=/ res=/; s/' *$//" || true)
printf '%s\n' "$soc" | sed 's/^/  /'
for want in 'USER_ACCT op=guard-user.create actor="alice" acct=newhire.* res=success' \
	'USER_CMD op=guard-exec actor="alice" acct=newhire.* exit=0 res=success' \
	'USER_ACCT op=guard-group.member.add actor="alice" acct=newhire grp=sudo.* decision=deny.* res=failed' \
	'ANOM_ROOT_TRANS op=guard-role.escalate alert=escalation actor="bob"' \
	'USER_ACCT op=guard-approve actor="carol"' \
	'USER_CMD op=guard-exec actor="bob" acct=newhire grp=sudo.* exit=0' \
	'USER_ACCT op=guard-role.escalate actor="dave" acct=root.* service="su" res=failed' \
	'ANOM_ADD_ACCT op=guard-account-change alert=account-change .*acct=sidedoor'; do
	grep -qE -- "$want" <<<"$soc" || die "no audit record matching: $want"
done
echo
echo "\$ aureport --anomaly -i --input $LOG --start ${SINCE[*]}"
report=$(aureport --anomaly -i --input "$LOG" --start "${SINCE[@]}" 2>/dev/null || true)
printf '%s\n' "$report" | sed '/^$/d; s/^/  /'
grep -q 'ANOM_ROOT_TRANS' <<<"$report" || die "aureport --anomaly lists no ANOM_ROOT_TRANS"
sync_journal
echo
echo "\$ journalctl -o short SYSLOG_IDENTIFIER=guardctl SYSLOG_IDENTIFIER=pam_guard"
journal=$(journalctl --no-pager -o short SYSLOG_IDENTIFIER=guardctl SYSLOG_IDENTIFIER=pam_guard)
printf '%s\n' "$journal" | sed 's/^/  /'
grep -q 'pam_guard\[[0-9]*\]: dave: role.escalate root refused' <<<"$journal" ||
	die "the journal has no entry of dave's su refusal"
echo
echo "\$ journalctl -x -o short -n 1 SYSLOG_IDENTIFIER=pam_guard GUARD_DECISION=deny"
journal=$(journalctl --no-pager -x -o short -n 1 SYSLOG_IDENTIFIER=pam_guard GUARD_DECISION=deny)
printf '%s\n' "$journal" | sed 's/^/  /'
grep -q 'Subject: Guard refused a privileged account operation' <<<"$journal" ||
	die "journalctl -x shows no catalog text"
echo
echo "\$ journalctl -x -o short -n 1 SYSLOG_IDENTIFIER=guardctl GUARD_EVENT=alert"
journal=$(journalctl --no-pager -x -o short -n 1 SYSLOG_IDENTIFIER=guardctl GUARD_EVENT=alert)
printf '%s\n' "$journal" | sed 's/^/  /'
grep -q 'Subject: Guard alert' <<<"$journal" || die "journalctl -x shows no alert text"

echo
echo "\$ guardctl report     (the day's picture for a person; --format json for the SIEM, html for a page)"
report=$(guardctl report)
printf '%s\n' "$report" | sed 's/^/  /'
grep -q 'user sidedoor: added' <<<"$report" || die "the report does not list the change made around Guard"
grep -q '^Decisions: [1-9]' <<<"$report" || die "the report counts no decisions"

say "Done: the sandbox's policy, users, state and logs vanish with it"
