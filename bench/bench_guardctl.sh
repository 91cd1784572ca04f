#!/bin/bash
# bench/bench_guardctl.sh [RUNS]: the cost of running a command through
# guardctl, against sudo and doas doing the same, and the command alone. In
# the sandbox: a bench user may run /bin/true through each, without a
# password (guardctl: a policy `command` block; sudo: a sudoers.d entry;
# doas: doas.conf), and hyperfine compares them in one run. Prints the
# table, then each time as a ratio to doas's. Needs root (it starts the
# sandbox), hyperfine and opendoas (tools/install-deps).

set -euo pipefail

SRC=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
RUNS=${1:-${BENCH_RUNS:-500}}

if [[ ${GUARD_SANDBOX:-} != 1 ]]; then
	[[ $(id -u) -eq 0 ]] || {
		echo "bench_guardctl: run it as root (it starts tests/sandbox/guard-sandbox)" >&2
		exit 2
	}
	exec "$SRC/tests/sandbox/guard-sandbox" "$(readlink -f -- "${BASH_SOURCE[0]}")" "$RUNS"
fi

for t in hyperfine doas sudo python3; do
	command -v "$t" >/dev/null || {
		echo "bench_guardctl: $t is missing (tools/install-deps)" >&2
		exit 2
	}
done
[[ -x /usr/local/sbin/guardctl ]] || {
	echo "bench_guardctl: build/guardctl is not built (make all)" >&2
	exit 2
}

USER_NAME=guardbench
useradd -m -s /bin/bash "$USER_NAME"

# guardctl: a command block for /bin/true, allowed for the bench user. The
# sandbox has no audit daemon: audit off; the journal as configured.
cat >/etc/guard/guard.conf <<EOF
settings {
  audit    = off
  journal  = yes
  timezone = "UTC"
}
rule "bench" {
  actions  = { "user.modify" }
  actors   = { "$USER_NAME" }
  decision = allow
}
command "true-cmd" {
  path    = "/bin/true"
  actions = { "user.modify" }
}
EOF
chmod 0644 /etc/guard/guard.conf
# sudo and doas: the same permission, no password.
echo "$USER_NAME ALL=(root) NOPASSWD: /bin/true" >/etc/sudoers.d/guardbench
chmod 0440 /etc/sudoers.d/guardbench
echo "permit nopass $USER_NAME as root cmd /bin/true" >/etc/doas.conf
chmod 0600 /etc/doas.conf

as_bench() {
	setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- "$@"
}
# Each must work before it is timed.
as_bench /usr/local/sbin/guardctl true-cmd
as_bench sudo -n /bin/true
as_bench doas -n /bin/true

json=$(mktemp)
chmod 0666 "$json"
cd /
as_bench hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$json" \
	-n guardctl '/usr/local/sbin/guardctl true-cmd' \
	-n sudo 'sudo -n /bin/true' \
	-n doas 'doas -n /bin/true' \
	-n true '/bin/true'

python3 - "$json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
doas = r["doas"]["mean"]
print("\nmean time, and as a ratio to doas -n /bin/true:")
for name in ("guardctl", "sudo", "doas", "true"):
    m = r[name]["mean"]
    print(f"  {name:9s} {m * 1e3:8.3f} ms  ± {r[name]['stddev'] * 1e3:6.3f}   ratio {m / doas:5.2f}")
EOF
rm -f "$json"
