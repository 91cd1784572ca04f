#!/bin/bash
# docs/threat-model.md, G. The store cannot be filled by a user: each decision adds a
# bounded amount to the ledger, whatever the batch or the number of
# refusals, old rows expire, and what is refused before any rule is in the
# ledger like any refusal (so that a watch sees the probing). Through the
# installed setuid guardctl in the sandbox.
#
#   G3 batches ............. case_batches: ten `guardctl chpasswd` batches
#                            of 10,000 names each, refused (dave has no
#                            rule), grow the store (database and -wal) by
#                            less than 1 MB;
#                            each is one ledger row with at most 8 action
#                            rows, the last a summary that counts the rest;
#                            `guardctl history` shows them. Control: an
#                            allowed chpasswd of one account still runs.
#   G4 locked out .......... case_locked_out: once a watch has locked alice
#                            out, 1,000 more refusals grow the store by
#                            less than 64 KB: counted on one row
#                            (repeats), which `guardctl history` shows
#   G5 retention ........... case_retention: a ledger row 500 days old (put
#                            there with sqlite3) is gone after the next
#                            decision, a 100-day-old one stays (retention
#                            400d by default); with `retention = 1d` and a
#                            limit over 7 days, `guardctl check` warns that
#                            the ledger is kept 7 days and a 3-day-old row
#                            stays
#   G6 probing ............. case_probing: a watch on denials ("3/10m",
#                            lockout 30m) locks alice out after three
#                            requests the classifier refuses (`useradd -R
#                            /x`): her next, allowed, useradd is refused.
#                            Control: before the third, an allowed useradd
#                            runs.
#
# Needs the sqlite3 command line tool (tools/install-deps).

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

G=$GUARDCTL
DB=/var/lib/guard/guard.db

need_sqlite() {
	command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (tools/install-deps)"
}

q() {
	sqlite3 -batch -noheader "$DB" "$@"
}

# store_bytes: the database and its -wal, in bytes.
store_bytes() {
	local f n=0
	# A WAL is space SQLite reuses, not the ledger's: what the ledger takes
	# is the database once checkpointed.
	q "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	for f in "$DB" "$DB-wal"; do
		[[ -e $f ]] && n=$((n + $(stat -c %s "$f")))
	done
	echo "$n"
}

# fresh_store [EXTRA-POLICY [SETTINGS-LINE]]: the attack policy with
# EXTRA-POLICY appended and SETTINGS-LINE added to its settings; an empty
# store.
fresh_store() {
	attack_policy | sed "s|^  home_roots = { \"/home\" }|&\n  ${2:-}|" >"$T/policy.conf"
	printf '%s\n' "${1:-}" >>"$T/policy.conf"
	install_policy "$T/policy.conf"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$G" status >/dev/null || fail "the store does not open"
}

as_alice() {
	setpriv --reuid=alice --regid=alice --init-groups -- "$G" "$@"
}

# dave has no rule: the default (deny) refuses what he asks.
as_dave() {
	setpriv --reuid=dave --regid=dave --init-groups -- "$G" "$@"
}

case_batches() {
	local before after i rows
	need_sqlite
	fresh_store
	for ((i = 1; i <= 10000; i++)); do
		echo "nosuch$i:secret$i"
	done >"$T/batch"
	chmod 0644 "$T/batch"
	as_dave status >/dev/null
	before=$(store_bytes)
	for ((i = 1; i <= 10; i++)); do
		run_cmd as_dave chpasswd <"$T/batch"
		[[ $STATUS -eq 1 && $ERR == *"denied"* ]] ||
			fail "dave's batch was not refused: status $STATUS: ${ERR:0:300}"
	done
	after=$(store_bytes)
	echo "   10 batches of 10,000: the store grew by $((after - before)) bytes"
	((after - before < 1048576)) || fail "the store grew by $((after - before)) bytes"
	rows=$(q "SELECT count(*) FROM decisions WHERE argv LIKE 'chpasswd%'")
	[[ $rows -eq 10 ]] || fail "$rows ledger rows for 10 batches"
	rows=$(q "SELECT max(n) FROM (SELECT count(*) AS n FROM decision_actions GROUP BY decision_id)")
	((rows <= 8)) || fail "a decision has $rows action rows"
	run_cmd "$G" history
	[[ $OUT == *"more actions"* ]] || fail "history does not summarise the batch: ${OUT:0:600}"
	# Control: one account's password still changes.
	id g3user >/dev/null 2>&1 || useradd -m g3user
	run_cmd as_alice chpasswd <<<"g3user:Another-secret-1"
	[[ $STATUS -eq 0 ]] || fail "an allowed chpasswd: status $STATUS: $ERR"
}

WATCH='watch "probe" {
  decisions = { "deny" }
  threshold = "3/10m"
  lockout   = 30m
}'

case_locked_out() {
	local before after i rows repeats
	need_sqlite
	fresh_store "$WATCH"
	for ((i = 1; i <= 3; i++)); do
		as_alice usermod -c x root 2>/dev/null && fail "alice's usermod of root ran"
	done
	run_cmd as_alice useradd -m g4user
	[[ $ERR == *"locked out"* || $ERR == *"lockout"* ]] ||
		fail "alice is not locked out after 3 refusals: $ERR"
	before=$(store_bytes)
	# Four at a time: the lock is theirs in turn.
	export G
	seq 1000 | xargs -P 4 -I{} setpriv --reuid=alice --regid=alice --init-groups -- \
		"$G" usermod -c x root 2>/dev/null && fail "one of alice's usermod of root ran"
	after=$(store_bytes)
	echo "   1,000 refusals while locked out: the store grew by $((after - before)) bytes"
	((after - before < 65536)) || fail "the store grew by $((after - before)) bytes"
	rows=$(q "SELECT count(*) FROM decisions WHERE actor = 'alice'")
	repeats=$(q "SELECT sum(repeats) FROM decisions WHERE actor = 'alice'")
	echo "   alice: $rows ledger rows, $repeats refusals counted on them"
	((rows <= 5)) || fail "$rows ledger rows"
	[[ $repeats -eq 1000 ]] || fail "$repeats refusals counted, not 1000"
	run_cmd as_alice history
	[[ $OUT == *"refused 1000 more times while locked out"* ]] ||
		fail "history does not count them: ${OUT:0:600}"
}

# old_row DAYS: a ledger row of alice's, DAYS days old.
old_row() {
	local at=$(($(date +%s) - $1 * 86400))
	q "INSERT INTO decisions(at, actor, actor_uid, service, decision, mode, argv)
	   VALUES ($at, 'alice', $(id -u alice), 'guardctl', 'deny', 'enforce', 'old $1');
	   INSERT INTO decision_actions(decision_id, action, decision)
	   VALUES (last_insert_rowid(), 'user.create', 'deny');"
}

case_retention() {
	need_sqlite
	fresh_store
	old_row 500
	old_row 100
	as_alice usermod -c x root 2>/dev/null && fail "alice's usermod of root ran"
	[[ $(q "SELECT count(*) FROM decisions WHERE argv = 'old 500'") -eq 0 ]] ||
		fail "a 500-day-old row was kept"
	[[ $(q "SELECT count(*) FROM decision_actions WHERE decision_id NOT IN (SELECT id FROM decisions)") -eq 0 ]] ||
		fail "a pruned decision's actions were kept"
	[[ $(q "SELECT count(*) FROM decisions WHERE argv = 'old 100'") -eq 1 ]] ||
		fail "a 100-day-old row was pruned"
	# Never below the longest window: raised, with a warning.
	fresh_store 'rule "weekly" {
  actions  = { "group.create" }
  actors   = { "%helpdesk" }
  limit    = "2/7d"
  decision = allow
}' 'retention = 1d'
	run_cmd "$G" check
	[[ $OUT$ERR == *"retention"*"the ledger is kept 604800s"* ]] ||
		fail "check does not warn about the retention: $OUT $ERR"
	old_row 3
	old_row 9
	as_alice usermod -c x root 2>/dev/null && fail "alice's usermod of root ran"
	[[ $(q "SELECT count(*) FROM decisions WHERE argv = 'old 3'") -eq 1 ]] ||
		fail "a 3-day-old row was pruned under a 7-day limit"
	[[ $(q "SELECT count(*) FROM decisions WHERE argv = 'old 9'") -eq 0 ]] ||
		fail "a 9-day-old row was kept"
}

case_probing() {
	need_sqlite
	fresh_store "$WATCH"
	run_cmd as_alice useradd -R /x g6probe
	[[ $STATUS -ne 0 ]] || fail "useradd -R ran"
	run_cmd as_alice useradd -R /x g6probe
	# Control: not locked out yet.
	run_cmd as_alice useradd -m g6user
	[[ $STATUS -eq 0 ]] || fail "alice's allowed useradd after 2 probes: status $STATUS: $ERR"
	userdel -r g6user 2>/dev/null || true
	# The denials so far: 2 probes. One more reaches the threshold.
	run_cmd as_alice useradd -R /x g6probe
	run_cmd as_alice useradd -m g6user2
	[[ $STATUS -ne 0 ]] || fail "alice was not locked out after 3 refused requests"
	[[ $ERR == *"locked out"* || $ERR == *"lockout"* ]] ||
		fail "alice's useradd refused, but not for a lockout: $ERR"
	[[ $(q "SELECT count(*) FROM decision_actions WHERE rule = '(request)'") -ge 3 ]] ||
		fail "the refused requests are not in the ledger"
}

attack_case "G3 batches" case_batches
attack_case "G4 locked out" case_locked_out
attack_case "G5 retention" case_retention
attack_case "G6 probing" case_probing
attack_done
