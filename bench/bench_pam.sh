#!/bin/bash
# bench/bench_pam.sh [RUNS]: what pam_guard adds to the programs whose PAM
# stacks carry it. In the sandbox: a bench user may run /bin/true as root
# through sudo without a password, and the policy allows that escalation
# (so the helper decides and the store records it); hyperfine times
# `sudo -n /bin/true` with pam_guard in sudo's session stack and without,
# then pamtester's acct_mgmt through a stack of pam_permit with and without
# pam_guard before it, each pair in one run. journald and auditd run, as on
# a host; the goals are decided with the policy's audit off, and pamtester
# is timed again with audit required for the figure. Prints the tables and
# the goals. Needs root (it starts the sandbox), hyperfine and pamtester.

set -euo pipefail

SRC=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
RUNS=${1:-${BENCH_RUNS:-300}}

# Everything below changes /etc: only ever inside the sandbox.
if [[ ${GUARD_SANDBOX:-} != 1 ]]; then
	[[ $(id -u) -eq 0 ]] || {
		echo "bench_pam: run it as root (it starts tests/sandbox/guard-sandbox)" >&2
		exit 2
	}
	exec "$SRC/tests/sandbox/guard-sandbox" "$(readlink -f -- "${BASH_SOURCE[0]}")" "$RUNS"
fi

for t in hyperfine sudo pamtester python3; do
	command -v "$t" >/dev/null || {
		echo "bench_pam: $t is missing (tools/install-deps)" >&2
		exit 2
	}
done
PAM_DIR=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
[[ -f $PAM_DIR/pam_guard.so ]] || {
	echo "bench_pam: pam_guard.so is not installed in the sandbox (make all)" >&2
	exit 2
}

# The journal the policy reports to, and auditd, as on a host.
. "$SRC/tests/integration/daemons.sh"
# shellcheck source=bench/team_groups.sh
. "$SRC/bench/team_groups.sh"
trap stop_daemons EXIT
start_journald || exit 2
start_auditd "$(mktemp -d)" || exit 2

USER_NAME=guardbench
useradd -m -s /bin/bash "$USER_NAME"
# The shipped list of privileged groups: each is looked up for every
# account a decision is about but root (Debian has six of them not).
privileged=$(sed -n '/^privileged_groups = {/,/^}/p' "$SRC/conf/guard.conf")
# policy AUDIT [RULES]: the bench's policy, its audit setting AUDIT, and
# RULES more rules before its own (0 unless given), each for the same
# action and evaluated to its actors, which are another group and uid.
policy() {
	{
		cat <<POLICY
settings {
  audit    = $1
  journal  = yes
  timezone = "UTC"
}
$privileged
POLICY
		for ((i = 0; i < ${2:-0}; i++)); do
			printf 'rule "team%s" {\n  actions  = { "role.escalate" }\n  actors   = { "%%team%s", "uid:%s" }\n  decision = allow\n}\n' \
				"$i" "$i" $((20000 + i))
		done
		cat <<POLICY
rule "bench" {
  actions  = { "role.escalate" }
  actors   = { "$USER_NAME" }
  decision = allow
}
service "sudo" { action = "role.escalate" }
POLICY
	} >/etc/guard/guard.conf
	chmod 0644 /etc/guard/guard.conf
}
policy off
echo "$USER_NAME ALL=(root) NOPASSWD: /bin/true" >/etc/sudoers.d/guardbench
chmod 0440 /etc/sudoers.d/guardbench

work=$(mktemp -d)
cp /etc/pam.d/sudo "$work/sudo.plain"
{
	cat "$work/sudo.plain"
	echo "session  required  pam_guard.so"
} >"$work/sudo.guarded"
printf '%s\n' 'account required pam_permit.so' >/etc/pam.d/guardbench-plain
printf '%s\n' 'account required pam_guard.so action=role.escalate' \
	'account required pam_permit.so' >/etc/pam.d/guardbench-guarded

sudo_run=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- sudo -n /bin/true)
# Each must work before it is timed.
cp "$work/sudo.guarded" /etc/pam.d/sudo
"${sudo_run[@]}"
cp "$work/sudo.plain" /etc/pam.d/sudo
"${sudo_run[@]}"
pamtester -I ruser="$USER_NAME" guardbench-guarded root acct_mgmt >/dev/null
pamtester -I ruser="$USER_NAME" guardbench-plain root acct_mgmt >/dev/null

# The decision service, as guard-decided.socket starts it where systemd
# runs: the goals are for the shipped set-up. The exec'd helper (no
# service) is timed after, for the figures.
start_decided "$work/decided.log" || exit 2
trap 'stop_decided; stop_daemons' EXIT

cd /
echo "== sudo -n /bin/true, pam_guard in sudo's session stack or not"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/sudo.json" \
	--prepare "cp $work/sudo.plain /etc/pam.d/sudo" -n sudo "${sudo_run[*]}" \
	--prepare "cp $work/sudo.guarded /etc/pam.d/sudo" -n sudo+pam_guard "${sudo_run[*]}"
python3 "$SRC/bench/report.py" "$work/sudo.json" sudo "sudo+pam_guard/sudo<=1.1"

echo "== pamtester acct_mgmt, pam_permit with or without pam_guard before it"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/pamtester.json" \
	-n pam_permit "pamtester -I ruser=$USER_NAME guardbench-plain root acct_mgmt" \
	-n pam_guard+pam_permit "pamtester -I ruser=$USER_NAME guardbench-guarded root acct_mgmt"
python3 "$SRC/bench/report.py" "$work/pamtester.json" pam_permit "pam_guard+pam_permit-pam_permit<=1.0"
# The service's own CPU time per decision (the scheduler's, in ns, from
# /proc; the service has one thread): the part of the delta that is the
# decision; the rest is the round trip (the socket, waking the service,
# waking pamtester).
service_ns() { awk '{ print $1 }' "/proc/$DECIDED_PID/schedstat"; }
# decided_ms [N [PAUSE]]: N decisions (RUNS), PAUSE seconds apart (none).
decided_ms() {
	local before i n=${1:-$RUNS}
	before=$(service_ns)
	for ((i = 0; i < n; i++)); do
		[[ -z ${2:-} ]] || sleep "$2"
		pamtester -I ruser="$USER_NAME" guardbench-guarded root acct_mgmt >/dev/null
	done
	awk -v d="$(($(service_ns) - before))" -v n="$n" 'BEGIN { printf "%.3f", d / 1e6 / n }'
}
echo "figure: guard-decided CPU per decision = $(decided_ms) ms"

echo "== a policy of 10 and of 1,000 rules, loaded and decided as installed: the service keeps the policy and checks its files by stat; every rule is for the action and names its own group, which exists"
add_team_groups 1000 "$work"
# policy_settled RULES: that policy, and no decision before its files
# are older than the racily-clean window (policy_inputs.c): a younger one
# is parsed again at every request.
policy_settled() {
	policy off "$1"
	sleep 3
	pamtester -I ruser="$USER_NAME" guardbench-guarded root acct_mgmt >/dev/null
}
policy_settled 9
ms10=$(decided_ms)
policy_settled 999
ms1000=$(decided_ms)
# NSS's answers are kept a second at most (accounts.c): a decision after
# a pause reads the groups again, in one walk.
ms1000_cold=$(decided_ms 5 1.2)
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/rules.json" \
	-n pam_permit "pamtester -I ruser=$USER_NAME guardbench-plain root acct_mgmt" \
	-n pam_guard+pam_permit "pamtester -I ruser=$USER_NAME guardbench-guarded root acct_mgmt"
python3 "$SRC/bench/report.py" "$work/rules.json" pam_permit
awk -v a="$ms10" -v b="$ms1000" -v c="$ms1000_cold" 'BEGIN {
	printf "figure: guard-decided CPU per decision, 10 rules = %.3f ms, 1000 rules = %.3f ms, 1000 rules with the accounts read again = %.3f ms\n", a, b, c
	printf "goal: 1000 rules loaded and decided, guard-decided CPU per decision = %.3f ms (goal <= 2.00 ms): %s\n", b, (b <= 2 ? "PASS" : "FAIL")
	printf "goal: 1000 rules / 10 rules, loaded and decided = %.2f (goal <= 3.00): %s\n", (a > 0 ? b / a : 0), ((a > 0 && b / a <= 3) ? "PASS" : "FAIL")
}'
policy off
restore_groups "$work"

echo "== the same with audit = required, as guard.conf ships (no goal): each decision waits for the kernel's acknowledgement"
policy required
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/audit.json" \
	-n pam_permit "pamtester -I ruser=$USER_NAME guardbench-plain root acct_mgmt" \
	-n pam_guard+pam_permit "pamtester -I ruser=$USER_NAME guardbench-guarded root acct_mgmt"
python3 "$SRC/bench/report.py" "$work/audit.json" pam_permit
policy off

echo "== the same with passwd and group from the files alone (no nss_systemd; no goal): what the userdb probes cost"
cp /etc/nsswitch.conf "$work/nsswitch.conf"
sed -i -E 's/^(passwd|group):.*/\1: files/' /etc/nsswitch.conf
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/files.json" \
	-n pam_permit "pamtester -I ruser=$USER_NAME guardbench-plain root acct_mgmt" \
	-n pam_guard+pam_permit "pamtester -I ruser=$USER_NAME guardbench-guarded root acct_mgmt"
python3 "$SRC/bench/report.py" "$work/files.json" pam_permit
cp "$work/nsswitch.conf" /etc/nsswitch.conf

stop_decided
echo "== the same without the decision service (the exec'd helper decides; no goal)"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/helper.json" \
	-n pam_permit "pamtester -I ruser=$USER_NAME guardbench-plain root acct_mgmt" \
	-n pam_guard+pam_permit "pamtester -I ruser=$USER_NAME guardbench-guarded root acct_mgmt"
python3 "$SRC/bench/report.py" "$work/helper.json" pam_permit
cp "$work/sudo.plain" /etc/pam.d/sudo
rm -rf -- "$work"
