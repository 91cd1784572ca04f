#!/bin/bash
# docs/threat-model.md, G. The store's write lock belongs to no user: a caller who
# makes guardctl block or stop while it holds the lock would make every
# other decision (root's su, everyone's sudo and guardctl) wait past the
# busy timeout and be refused. Through the installed setuid guardctl in the
# sandbox.
#
#   G1 full stderr pipe .... case_full_pipe: dave runs `guardctl deny 99999`
#                            and `guardctl approve 99999`, carol `guardctl
#                            thaw` of a host not frozen (each finds its
#                            error inside a transaction), with stderr on a
#                            pipe that is full and never read; meanwhile
#                            alice's allowed useradd and root's refused
#                            usermod are decided at once (well within the
#                            busy timeout), not refused for a locked store.
#                            Control: once the pipe is read, the messages
#                            are there and every guardctl ends.
#   G2 SIGTTOU ............. case_sigttou: on a terminal with `stty tostop`,
#                            dave's `guardctl deny 99999` runs as a
#                            background job (writing to the terminal would
#                            stop it by SIGTTOU); meanwhile alice's and
#                            root's decisions are made at once. Control: the
#                            message reaches the terminal.

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

G=$GUARDCTL
# Well within the store's busy timeout (GUARD_STORE_BUSY_TIMEOUT_MS, 5 s).
QUICK=3

build_helper pty_drive

# decided_quickly WHO ARGS...: guardctl ARGS as WHO (root: as is) ends
# within QUICK seconds with a decision, not a store that is locked.
decided_quickly() {
	local who=$1 t0 t1 ms
	shift
	t0=$(date +%s%N)
	if [[ $who == root ]]; then
		run_cmd timeout 20 "$G" "$@"
	else
		run_cmd timeout 20 setpriv --reuid="$who" --regid="$who" --init-groups -- "$G" "$@"
	fi
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	[[ $ERR != *"locked by another process"* ]] ||
		fail "$who's guardctl $*: refused for a locked store after ${ms} ms: $ERR"
	((ms < QUICK * 1000)) || fail "$who's guardctl $*: took ${ms} ms (status $STATUS): $ERR"
	[[ $STATUS -ne 124 ]] || fail "$who's guardctl $*: did not end"
	echo "   $who: guardctl $1: status $STATUS after ${ms} ms"
}

# Alice's allowed decision and root's refused one: both are ledger writes.
others_decide() {
	local n=$1
	decided_quickly alice useradd -m "g${n}user"
	[[ $STATUS -eq 0 ]] || fail "alice's useradd g${n}user: status $STATUS: $ERR"
	decided_quickly root usermod -c "x" root
	[[ $STATUS -eq 1 ]] || fail "root's usermod of root: status $STATUS (want 1, refused): $ERR"
	[[ $ERR == *"deny-protected"* || $ERR == *"System accounts"* ]] ||
		fail "root's usermod of root was not refused by the policy: $ERR"
}

case_full_pipe() {
	local fifo=$T/full.fifo pid1 pid2 pid3 got
	rm -f "$fifo"
	mkfifo -m 0600 "$fifo"
	chown dave "$fifo"
	"$G" status >/dev/null || fail "the store does not open"
	# Open for reading and writing (nobody ever reads), then fill it.
	exec 7<>"$fifo"
	head -c 65536 /dev/zero >&7
	setpriv --reuid=dave --regid=dave --init-groups -- "$G" deny 99999 2>&7 >/dev/null 7>&- &
	pid1=$!
	setpriv --reuid=dave --regid=dave --init-groups -- "$G" approve 99999 2>&7 >/dev/null 7>&- &
	pid2=$!
	# An approver's thaw of a host that is not frozen: said inside its
	# transaction, too.
	setpriv --reuid=carol --regid=carol --init-groups -- "$G" thaw 2>&7 >/dev/null 7>&- &
	pid3=$!
	sleep 1
	kill -0 "$pid1" 2>/dev/null || fail "dave's guardctl deny did not block on its stderr"
	others_decide 1
	# Control: the messages are there once the pipe is read.
	got=$(timeout 10 cat <&7 | tr -d '\0' | head -c 4096) || true
	wait "$pid1" || true
	wait "$pid2" || true
	wait "$pid3" || true
	exec 7>&-
	[[ $got == *"99999"* ]] || fail "dave's messages did not arrive: '$got'"
	[[ $got == *"thaw"* ]] || fail "carol's message did not arrive: '$got'"
	echo "   they got: $(echo "$got" | head -3 | tr '\n' '|')"
}

case_sigttou() {
	local out=$T/ttou.out pid
	"$G" status >/dev/null || fail "the store does not open"
	# A shell on a new terminal with job control: dave's guardctl is a
	# background job, its message to the terminal stops it (tostop).
	"$T/pty_drive" -t 30 wait=started sleep=6000 -- bash -c '
		set -m
		stty tostop
		setpriv --reuid=dave --regid=dave --init-groups -- '"$G"' deny 99999 &
		echo started
		sleep 8
		jobs -l
	' >"$out" 2>&1 &
	pid=$!
	sleep 1.5
	others_decide 2
	wait "$pid" || true
	echo "   terminal: $(tr -d '\r' <"$out" | tr '\n' '|')"
	# Control: guardctl said why, on the terminal.
	grep -q "99999" "$out" || fail "the message did not reach the terminal: $(cat "$out")"
}

attack_case "G1 full stderr pipe" case_full_pipe
attack_case "G2 SIGTTOU" case_sigttou
attack_done
