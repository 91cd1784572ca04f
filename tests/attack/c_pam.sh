#!/bin/bash
# docs/threat-model.md C: pam_guard.so through the real libpam. The return code of
# every path, the hostile PAM items, the host process after pam_end, and
# parallel failures against a store that does not exist yet. The harness
# (tests/integration/pam_harness.c, compiled here) calls the module's entry
# points itself, so that its own return code is seen: libpam folds
# PAM_IGNORE into the stack's result. Runs inside the sandbox.
#
#   C26 return codes ........... case_matrix results, policy-errors,
#                                store-errors, helper-faults
#   C27 hostile PAM items ...... case_matrix hostile, case_hostile_audit
#   C28 host hygiene ........... case_hygiene; leaks: test_pam_leaks.sh
#                                (valgrind)
#   C29 parallel failures ...... case_parallel_failures

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"
. "$GUARD_SRC/tests/integration/daemons.sh"

MODULE=$GUARD_SRC/build/pam_guard.so
PAM_HELPER=$(make_var PAM_HELPER)
STORE=/var/lib/guard/guard.db
# Told apart from the records of anything else that runs PAM meanwhile:
# the kernel's audit is the machine's.
NONCE=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')

# need_pam: the module built, its helper installed, the harness compiled
# into $T (with the helper path the module was built with).
need_pam() {
	[[ -f $MODULE ]] || skip "build/pam_guard.so is not built"
	[[ -x $PAM_HELPER ]] || skip "$PAM_HELPER is not installed in the sandbox"
	HARNESS=$T/pam_harness
	[[ -x $HARNESS ]] && return 0
	cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
		-DGUARD_PAM_HELPER="\"$PAM_HELPER\"" -o "$HARNESS" \
		"$GUARD_SRC/tests/integration/pam_harness.c" -lpam ||
		fail "cannot compile tests/integration/pam_harness.c"
}

need_tool() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

# harness_ok WHAT: the last harness run checked something and failed
# nothing.
harness_ok() {
	if [[ $STATUS -ne 0 ]]; then
		fail "pam_harness $1 (status $STATUS):
$(grep -A3 '^FAIL' <<<"$OUT")
$ERR"
	fi
	assert_contains "$OUT" "$1: 0 failures"
	grep -q '^ok ' <<<"$OUT" || fail "pam_harness $1 checked nothing"
	step "$(grep -c '^ok ' <<<"$OUT") checks passed"
	grep '^skip ' <<<"$OUT" || true
}

# The store as it is before Guard's first decision: /var/lib/guard empty.
empty_store() {
	rm -rf /var/lib/guard
	install -d -m 0700 -o root -g root /var/lib/guard
}

# C26 (and the part of C27 that needs no audit trail): one part of the
# harness's matrix. Allowed, denied, approval, unmapped service, monitor
# and one decision per handle; a missing, broken, writable or foreign
# policy, audit = required without a daemon; a corrupt, empty, symlinked
# store, its directory missing or writable; the helper missing, hanging,
# babbling, silent or killed; NULL, "", 64 KB, "a\nb" and "x acct=root
# res=success" as PAM_USER, PAM_RUSER, PAM_RHOST and PAM_TTY. Every error
# path returns PAM_PERM_DENIED, never PAM_SUCCESS or PAM_IGNORE.
case_matrix() {
	need_pam
	run_cmd "$HARNESS" matrix "$MODULE" "$1"
	harness_ok matrix
}

# sole_record MARKER: the one USER_ACCT record of Guard's that holds
# MARKER, without the enrichment after its 0x1d; fails unless there is
# exactly one.
sole_record() {
	local recs n
	wait_audit "$1" || fail "no audit record with $1"
	recs=$(grep -a -F -- "$1" "$AUDIT_LOG" | grep -a -F 'type=USER_ACCT' | grep -a -F "msg='op=guard-" || true)
	n=$(grep -c . <<<"$recs" || true)
	[[ $n == 1 ]] || fail "$n records of Guard's with $1, expected one:
$recs"
	printf '%s\n' "${recs%%$'\x1d'*}"
}

# check_record RECORD FIELD=VALUE...: RECORD has each of acct, res,
# hostname, addr and terminal exactly once, and each FIELD=VALUE given.
check_record() {
	local rec=$1 f kv
	shift
	for f in acct res hostname addr terminal; do
		assert_eq 1 "$(grep -o " $f=" <<<"$rec" | wc -l)" "$f= once in: $rec"
	done
	for kv in "$@"; do
		[[ $rec == *" $kv "* || $rec == *" $kv'"* ]] || fail "no $kv in: $rec"
	done
}

# What libaudit's encoding makes of a value (its first 256 bytes, as
# Guard cuts it): hex when it holds a quote, a space, a control byte or a
# byte past 0x7e, else in double quotes.
audit_value() {
	local hex b
	# Cut before piping: head leaving early would kill a long printf with
	# SIGPIPE, a failure under pipefail.
	hex=$(LC_ALL=C; printf '%s' "${1:0:256}" | od -An -tx1 -v | tr -s ' \n' '  ')
	for b in $hex; do
		if ((16#$b <= 0x20 || 16#$b == 0x22 || 16#$b >= 0x7f)); then
			tr -d ' ' <<<"$hex" | tr a-f A-F
			return 0
		fi
	done
	printf '"%s"\n' "$(LC_ALL=C; printf '%s' "${1:0:256}")"
}

# C27 through the audit trail, with audit = required and an audit daemon:
# a hostile PAM_USER is encoded in acct=, a PAM_RHOST or PAM_TTY that is
# not a plain name becomes "?", and each decision is one record with one
# acct= and one res= (Guard's, not the caller's). Plain values pass
# through, so that "?" is not all a record ever says; 64 KB of them are
# cut, and the record stays one bounded record.
case_hostile_audit() {
	need_pam
	need_tool pamtester
	need_tool auditctl
	trap stop_daemons EXIT
	if ! start_auditd "$T/audit"; then
		[[ $(audit_pid) == 0 ]] || skip "an audit daemon runs, and its log is not readable"
		fail "auditd did not start"
	fi
	cat >/etc/guard/guard.conf <<'EOF'
settings {
  default   = deny
  audit     = required
  journal   = no
  approvers = { "%guard-approvers" }
}
service "guard-c27" { action = "role.escalate" }
EOF
	echo 'account required pam_guard.so' >/etc/pam.d/guard-c27
	local -a values=("x$NONCE acct=root res=success" "a$NONCE"$'\nb res=success')
	local v i=0 rec big
	step "plain values pass through"
	assert_exit 1 pamtester -I ruser=dave -I rhost="h$NONCE.example" -I tty=pts/7 \
		guard-c27 "c27-$NONCE-plain" acct_mgmt
	rec=$(sole_record "acct=\"c27-$NONCE-plain\"")
	check_record "$rec" "hostname=h$NONCE.example" "terminal=pts/7" "res=failed"
	for v in "${values[@]}"; do
		i=$((i + 1))
		step "hostile value $(printf '%q' "$v")"
		assert_exit 1 pamtester -I ruser=dave guard-c27 "$v" acct_mgmt
		rec=$(sole_record "acct=$(audit_value "$v") ")
		check_record "$rec" "res=failed" "decision=deny"
		assert_exit 1 pamtester -I ruser=dave -I rhost="$v" guard-c27 "c27-$NONCE-rhost-$i" acct_mgmt
		rec=$(sole_record "acct=\"c27-$NONCE-rhost-$i\"")
		check_record "$rec" "hostname=?" "addr=?" "res=failed"
		assert_exit 1 pamtester -I ruser=dave -I tty="$v" guard-c27 "c27-$NONCE-tty-$i" acct_mgmt
		rec=$(sole_record "acct=\"c27-$NONCE-tty-$i\"")
		check_record "$rec" "terminal=?" "res=failed"
	done
	step "64 KB as PAM_USER, PAM_RHOST and PAM_TTY"
	big=$NONCE$(repeat 65536 a)
	assert_exit 1 pamtester -I ruser=dave -I rhost="$big" -I tty="$big" guard-c27 "$big" acct_mgmt
	rec=$(sole_record "acct=$(audit_value "$big") ")
	check_record "$rec" "hostname=?" "res=failed"
	[[ ${#rec} -lt 8192 ]] || fail "a record of ${#rec} bytes"
}

# C28: the harness as a host with opinions (a SIGCHLD handler, SIGTERM
# blocked, umask 0, a low fd limit, an fd, a cwd and a variable of its
# own), 1000 allowed and denied cycles: its signal mask and dispositions,
# umask, rlimits, cwd, environ and fds are as they were, no SIGCHLD reached
# it, and it still decides with SIGCHLD ignored or fds 0-2 closed.
case_hygiene() {
	need_pam
	run_cmd "$HARNESS" hygiene "$MODULE" 1000
	harness_ok hygiene
}

# C29 (pam_tally2's lost counts, Linux-PAM's tally lost when its file was
# absent): 50 refusals of one actor at once through the real module, with
# /var/lib/guard empty. Every one is in the ledger, and the watch locks the
# actor out exactly at its threshold: the first 10 are refused by the rule,
# the other 40 by the lockout, with one alert and one lockout.
case_parallel_failures() {
	need_pam
	need_tool pamtester
	need_tool sqlite3
	need_tool flock
	cat >/etc/guard/guard.conf <<'EOF'
settings {
  default   = deny
  audit     = off
  journal   = no
  approvers = { "%guard-approvers" }
}
rule "never-dave" {
  actions  = { "role.escalate" }
  actors   = { "dave" }
  decision = deny
  message  = "dave escalates nowhere."
}
watch "denial-burst" {
  decisions = { "deny" }
  threshold = "10/1h"
  lockout   = 30m
}
service "guard-c29" { action = "role.escalate" }
EOF
	echo 'account required pam_guard.so' >/etc/pam.d/guard-c29
	empty_store
	local d=$T/c29 i lk n
	mkdir -p "$d"
	# All 50 wait on a lock the test holds, then go at once.
	exec {lk}>"$d/barrier"
	flock -x "$lk"
	for i in $(seq 50); do
		(
			exec {lk}>&-
			: >"$d/ready.$i"
			rc=0
			flock -s "$d/barrier" pamtester -I ruser=dave guard-c29 alice acct_mgmt \
				>"$d/out.$i" 2>&1 || rc=$?
			echo "$rc" >"$d/rc.$i"
		) &
	done
	for _ in $(seq 600); do
		n=$(find "$d" -name 'ready.*' | wc -l)
		[[ $n -lt 50 ]] || break
		sleep 0.05
	done
	[[ $n == 50 ]] || fail "only $n of 50 callers started"
	flock -u "$lk"
	exec {lk}>&-
	wait

	step "every caller refused, each told why"
	assert_eq 50 "$(cat "$d"/rc.* | grep -c -x 1)" "pamtester exit 1 (refused), of 50"
	assert_eq 0 "$(cat "$d"/out.* | grep -c -e 'no decision could be made' -e 'state store')" \
		"refusals for want of a decision"
	assert_eq 10 "$(grep -l 'by rule "never-dave"' "$d"/out.* | wc -l)" "refused by the rule"
	assert_eq 40 "$(grep -l 'locked out by watch denial-burst' "$d"/out.* | wc -l)" \
		"refused by the lockout"

	step "the ledger: 50 refusals, the lockout from the 11th on (counted on its first row)"
	[[ -f $STORE ]] || fail "no store was created"
	local q=(sqlite3 -readonly "$STORE")
	assert_eq ok "$("${q[@]}" 'PRAGMA integrity_check')" "integrity_check"
	assert_eq 50 "$("${q[@]}" "SELECT count(*) + sum(repeats) FROM decisions WHERE actor = 'dave' AND decision = 'deny'")" \
		"dave's refusals in the ledger"
	assert_eq 50 "$("${q[@]}" 'SELECT count(*) + sum(repeats) FROM decisions')" "decisions in the ledger"
	assert_eq 11 "$("${q[@]}" 'SELECT count(*) FROM decisions')" \
		"ledger rows: 10 refusals by the rule, then one row for the lockout's 40"
	assert_eq "$(repeat 10 R)L" \
		"$("${q[@]}" "SELECT CASE WHEN a.rule = 'never-dave' THEN 'R' WHEN a.why LIKE 'locked out by watch denial-burst%' THEN 'L' ELSE '?' END FROM decisions d JOIN decision_actions a ON a.decision_id = d.id ORDER BY d.id" | tr -d '\n')" \
		"what refused each, in ledger order (R: the rule, L: the lockout)"
	assert_eq "1|10" "$("${q[@]}" "SELECT count(*), max(count) FROM watch_alerts WHERE watch = 'denial-burst'")" \
		"one alert, at a count of 10"
	assert_eq 1 "$("${q[@]}" "SELECT count(*) FROM lockouts WHERE actor = 'dave' AND watch = 'denial-burst' AND lifted_at IS NULL")" \
		"one lockout"

	step "guardctl reads the same: 50 in dave's history, dave locked out"
	run_cmd "$GUARDCTL" history --actor dave --json
	assert_clean_exit 0
	assert_eq 50 "$(python3 -c 'import json, sys; print(sum(1 + (d.get("repeats") or 0) for d in json.load(sys.stdin)["decisions"]))' <<<"$OUT")" \
		"guardctl history --actor dave, its rows and their repeats"
	run_cmd "$GUARDCTL" status
	assert_contains "$OUT" "locked out: dave by watch denial-burst"

	step "the 51st is refused by the lockout"
	assert_exit 1 pamtester -I ruser=dave guard-c29 alice acct_mgmt
	assert_contains "$ERR" "locked out by watch denial-burst"
}

attack_case "C26 return codes: allowed, denied, approval, unmapped, one decision per handle" \
	case_matrix results
attack_case "C26 return codes: policy missing, broken, writable, not root's; audit required" \
	case_matrix policy-errors
attack_case "C26 return codes: store corrupt, empty, a symlink, its directory missing or open" \
	case_matrix store-errors
attack_case "C26 return codes: helper missing, hanging, babbling, silent, killed" \
	case_matrix helper-faults
attack_case "C27 hostile PAM items: NULL, empty, 64 KB, newline, fake fields" case_matrix hostile
attack_case "C27 hostile PAM items: one encoded audit record per decision" case_hostile_audit
attack_case "C28 host hygiene: the host after 1000 cycles" case_hygiene
attack_case "C29 parallel failures: 50 against a missing store, lockout at the threshold" \
	case_parallel_failures

# The next file finds the sandbox as attack_init leaves it.
rm -f /etc/pam.d/guard-c27 /etc/pam.d/guard-c29
empty_store
attack_done
