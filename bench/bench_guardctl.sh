#!/bin/bash
# bench/bench_guardctl.sh [RUNS]: the cost of running a command through
# guardctl, against sudo and doas doing the same, a setuid program that does
# nothing, and the command alone. In the sandbox, with its own auditd and
# journald: a bench user may run /bin/true through each, without a password
# (guardctl: a policy `command` block under a limit rule, audit required,
# the journal on and the shipped privileged groups, so every run writes the
# ledger and both logs; sudo: a sudoers.d entry; doas: doas.conf), and
# hyperfine compares them in one run. Prints the table, each time as a
# ratio to doas's, and the goals. Needs root (it starts the sandbox),
# hyperfine and opendoas (tools/install-deps).

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

. "$SRC/tests/integration/daemons.sh"
# shellcheck source=bench/team_groups.sh
. "$SRC/bench/team_groups.sh"
trap stop_daemons EXIT
start_journald || exit 2
start_auditd "$(mktemp -d)" || exit 2

USER_NAME=guardbench
useradd -m -s /bin/bash "$USER_NAME"

# guardctl: a command block for /bin/true, allowed for the bench user under
# a limit no run reaches; the shipped list of privileged groups (each
# confirmed by name for every identity).
privileged=$(sed -n '/^privileged_groups = {/,/^}/p' "$SRC/conf/guard.conf")
cat >/etc/guard/guard.conf <<EOF
settings {
  audit    = required
  journal  = yes
  timezone = "UTC"
}
$privileged
rule "bench" {
  actions  = { "user.modify" }
  actors   = { "$USER_NAME" }
  limit    = "100000/1h"
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

# A setuid root program that does nothing: what any setuid wrapper costs.
noop=$(mktemp -d)
printf 'int main(void) { return 0; }\n' >"$noop/noop.c"
cc -O2 -o /usr/local/bin/guardbench-setuid-noop "$noop/noop.c"
chmod 4755 /usr/local/bin/guardbench-setuid-noop
# The least any setuid wrapper pays that runs a command and learns how it
# ended, as guardctl does to record the exit status: its own start, the
# command's, the wait. No goal: it shows how much of guardctl's time is
# Guard's own.
cat >"$noop/run.c" <<'EOF'
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int status;
	pid_t pid = vfork();

	if (pid == 0) {
		execl("/bin/true", "true", (char *)0);
		_exit(127);
	}
	return pid < 0 || waitpid(pid, &status, 0) < 0 || status != 0;
}
EOF
cc -O2 -o /usr/local/bin/guardbench-setuid-run "$noop/run.c"
chmod 4755 /usr/local/bin/guardbench-setuid-run

# guard-decided, as its socket unit starts it where Guard is installed:
# guardctl's front asks it (guardctl/front/front.c).
start_decided "$noop/decided.log" || exit 2
trap 'stop_decided; stop_daemons' EXIT

as_bench() {
	setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- "$@"
}
# Each must work before it is timed. guardctl's policy is timed as
# installed: settled, so compiled after its first load (policy_cache.h).
sleep 3
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
	-n setuid-noop '/usr/local/bin/guardbench-setuid-noop' \
	-n setuid-run-true '/usr/local/bin/guardbench-setuid-run' \
	-n true '/bin/true'

python3 "$SRC/bench/report.py" "$json" doas "guardctl/doas<=0.5" "guardctl/setuid-noop<=3" \
	setuid-run-true/setuid-noop guardctl-setuid-run-true

echo "== guardctl check on 1,000 rules against visudo -cf on 1,000 sudoers lines (root, as an admin checks an edit; each rule names its own group, which exists)"
add_team_groups 1000 "$noop"
{
	sed -n '/^settings {/,/^}/p; /^privileged_groups = {/,/^}/p' "$SRC/conf/guard.conf"
	for ((i = 0; i < 1000; i++)); do
		printf 'rule "r%s" {\n  actions  = { "user.create", "group.member.add" }\n  actors   = { "%%team%s", "uid:%s" }\n  targets  = { "uid:1000-59999" }\n  groups   = { "!@privileged" }\n  time     = { "Mon-Fri 08:00-18:00" }\n  from     = { "local", "10.%s.0.0/16" }\n  limit    = "10/1h"\n  decision = allow\n}\n' \
			"$i" "$i" $((10000 + i)) $((i % 256))
	done
} >"$noop/check.conf"
for ((i = 0; i < 500; i++)); do
	echo "%team$i ALL=(root) /usr/sbin/useradd, /usr/sbin/usermod"
	echo "user$i host$((i % 7))=(ALL) NOPASSWD: /bin/true"
done >"$noop/check.sudoers"
/usr/local/sbin/guardctl check "$noop/check.conf"
visudo -cf "$noop/check.sudoers"
hyperfine -N --warmup 5 --runs "$(((RUNS + 9) / 10))" --export-json "$json" \
	-n guardctl-check "/usr/local/sbin/guardctl check $noop/check.conf" \
	-n visudo "visudo -cf $noop/check.sudoers"
python3 "$SRC/bench/report.py" "$json" visudo "guardctl-check/visudo<=1"
restore_groups "$noop"
rm -f "$json"
