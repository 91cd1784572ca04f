#!/bin/bash
# bench/bench_sudo_plugin.sh [RUNS]: what Guard's sudo approval plugin adds to
# sudo. In the sandbox: a bench user may run /bin/true as root without a
# password; hyperfine times `sudo -n /bin/true` with the sandbox's
# /etc/sudo.conf loading sudo_guard.so (the policy allows that escalation, so
# the helper decides and the store records it) and without it, in one run.
# Prints the table and the ratio. Needs root (it starts the sandbox) and
# hyperfine.

set -euo pipefail

SRC=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
RUNS=${1:-${BENCH_RUNS:-300}}

# Everything below changes /etc: only ever inside the sandbox.
if [[ ${GUARD_SANDBOX:-} != 1 ]]; then
	[[ $(id -u) -eq 0 ]] || {
		echo "bench_sudo_plugin: run it as root (it starts tests/sandbox/guard-sandbox)" >&2
		exit 2
	}
	exec "$SRC/tests/sandbox/guard-sandbox" "$(readlink -f -- "${BASH_SOURCE[0]}")" "$RUNS"
fi

for t in hyperfine sudo python3; do
	command -v "$t" >/dev/null || {
		echo "bench_sudo_plugin: $t is missing (tools/install-deps)" >&2
		exit 2
	}
done
PLUGIN=/usr/local/libexec/guard/sudo_guard.so
[[ -f $PLUGIN ]] || {
	echo "bench_sudo_plugin: build/sudo_guard.so is not built (make all)" >&2
	exit 2
}

# The journal the policy reports to, and auditd, as on a host.
. "$SRC/tests/integration/daemons.sh"
trap stop_daemons EXIT
start_journald || exit 2
start_auditd "$(mktemp -d)" || exit 2

USER_NAME=guardbench
useradd -m -s /bin/bash "$USER_NAME"
# The shipped list of privileged groups: each is looked up for every
# account a decision is about but root (Debian has six of them not).
privileged=$(sed -n '/^privileged_groups = {/,/^}/p' "$SRC/conf/guard.conf")
cat >/etc/guard/guard.conf <<POLICY
settings {
  audit    = off
  journal  = yes
  timezone = "UTC"
}
$privileged
rule "bench" {
  actions  = { "role.escalate" }
  actors   = { "$USER_NAME" }
  decision = allow
}
POLICY
chmod 0644 /etc/guard/guard.conf
echo "$USER_NAME ALL=(root) NOPASSWD: /bin/true" >/etc/sudoers.d/guardbench
chmod 0440 /etc/sudoers.d/guardbench

conf=$(mktemp -d)
printf '%s\n' 'Plugin sudoers_policy sudoers.so' 'Plugin sudoers_io sudoers.so' \
	'Plugin sudoers_audit sudoers.so' >"$conf/plain"
{
	cat "$conf/plain"
	echo "Plugin guard_approval $PLUGIN"
} >"$conf/guarded"
chmod 0644 "$conf/plain" "$conf/guarded"

run=(setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- sudo -n /bin/true)
# Each must work before it is timed.
cp "$conf/guarded" /etc/sudo.conf
"${run[@]}"
cp "$conf/plain" /etc/sudo.conf
"${run[@]}"

# The decision service, as guard-decided.socket starts it where systemd
# runs (the shipped set-up).
start_decided "$conf/decided.log" || exit 2
trap 'stop_decided; stop_daemons' EXIT

cd /
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$conf/times.json" \
	--prepare "cp $conf/plain /etc/sudo.conf" -n sudo "${run[*]}" \
	--prepare "cp $conf/guarded /etc/sudo.conf" -n sudo+sudo_guard "${run[*]}"

python3 "$SRC/bench/report.py" "$conf/times.json" sudo "sudo+sudo_guard/sudo<=1.15"
stop_decided
rm -rf -- "$conf"
