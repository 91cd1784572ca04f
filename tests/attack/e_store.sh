#!/bin/bash
# docs/threat-model.md E. SQLite: the state store under races, a held lock, kill -9, a
# power loss, a full disk and hostile files, through the installed setuid
# guardctl in the sandbox (private /var/lib/guard). A policy `command` block
# runs a small root-owned script that appends "start TOKEN" and "end TOKEN"
# to a file, so that what really ran can be counted.
#
#   E32 approval race ....... case_run_id: 32 concurrent `guardctl run ID` of
#                             one approved request: exactly one runs, 31 are
#                             refused; case_repeat: 32 concurrent repeats of
#                             an approved command: exactly one runs, the 31
#                             others share one new pending request;
#                             case_run_id_queued: 32 `run ID` queued on a
#                             held write lock: exactly one runs
#   E33 rate limit .......... case_limit: 64 concurrent runs under limit =
#                             "5/1h" (racing to create the store, too):
#                             exactly 5 run, 59 are refused with the limit's
#                             guidance; the ledger holds 64 decisions, 5
#                             allowed; case_limit_queued: 64 runs queued on a
#                             held write lock: exactly 5 run
#   E34 busy_timeout ........ case_lock_past_timeout: a sqlite3 shell holds
#                             the write lock (BEGIN IMMEDIATE) for twice the
#                             store's busy timeout: guardctl refuses once the
#                             timeout is over, saying why, and runs nothing;
#                             case_lock_brief: a shorter hold is waited for
#   E35 kill -9 ............. case_kill: GUARD_STATE_KILLS decisions (default
#                             200) in 4 parallel streams, each guardctl killed
#                             with SIGKILL after 0-50 ms: a slow allowed
#                             command (so that kills land during the command,
#                             and some between the decision and the exec), a
#                             limited one and approved requests; the case
#                             says where the kills landed. Afterwards the
#                             store opens, PRAGMA integrity_check is ok, every
#                             decision known to have committed (the command
#                             ran, or guardctl ended by itself) is in the
#                             ledger once, no approval is spent twice, no
#                             limit is overspent, and what is left of the
#                             limit and the approvals is exactly usable.
#                             GUARD_STATE_KILLS=2000 is the long variant (its
#                             kills take about ten times as long).
#   E36 power loss .......... case_power_loss: e_power_loss.c, linked with
#                             build/libguard.a, cuts the power in software
#                             after each commit of a sequence (only what
#                             SQLite synced survives): every commit that
#                             returned is there after the cut
#   E37 disk full ........... case_disk_full: the store on a 1 MB tmpfs,
#                             filled: guardctl refuses and runs nothing, the
#                             ledger is kept; once space is freed it works,
#                             the earlier rows still there
#   E38 hostile DB .......... case_hostile: the store or its directory with
#                             the wrong owner or mode, a symlink, a hard link,
#                             empty, truncated, bit-flipped, a -wal owned by
#                             a user: refused with the file named, and never
#                             recreated or repaired
#
# Needs the sqlite3 command line tool (tools/install-deps).

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

G=$GUARDCTL
DB=/var/lib/guard/guard.db
TICK=/usr/local/libexec/guard-tick
TICKS=$T/ticks
KILLS=${GUARD_STATE_KILLS:-200}
# The store's busy timeout (GUARD_STORE_BUSY_TIMEOUT_MS), in seconds.
BUSY_TIMEOUT=5
# erin's limit during the kills
ELIMIT=20
[[ $KILLS =~ ^[1-9][0-9]*$ ]] || fail "GUARD_STATE_KILLS must be a positive number, not '$KILLS'"

# need_tools: the tools the cases drive the store with, else skip.
need_tools() {
	command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (tools/install-deps)"
	command -v flock >/dev/null || skip "flock is not installed"
}

# q SQL: a query on the store, as root, fields separated by "|".
q() {
	sqlite3 -batch -noheader "$DB" "$@"
}

# ticks WORD TOKEN: how many "WORD TOKEN" lines the command wrote.
ticks() {
	local n
	n=$(grep -cxF -- "$1 $2" "$TICKS" 2>/dev/null) || true
	echo "${n:-0}"
}

# store_files: the names in /var/lib/guard but the database, its -wal and
# -shm, and the compiled policy (race-safe creation leaves nothing else).
store_files() {
	local f out=""
	for f in /var/lib/guard/* /var/lib/guard/.[!.]*; do
		[[ -e $f || -L $f ]] || continue
		case ${f##*/} in
		guard.db | guard.db-wal | guard.db-shm) ;;
		policy.cache) ;; # the compiled policy, rewritten in place
		*) out+="${f##*/} " ;;
		esac
	done
	echo "$out"
}

# gated DIR N USER ARGS...: N concurrent `guardctl ARGS` as USER, held at a
# gate until all have started, then let go at once. "%i" in ARGS becomes the
# run's number (1..N). Leaves DIR/I.out, DIR/I.err and DIR/I.rc.
gated() {
	local dir=$1 n=$2 user=$3 i st
	shift 3
	local -a pids=() args
	mkdir -p "$dir"
	: >"$dir/gate"
	exec 9>"$dir/gate"
	flock -x 9
	for ((i = 1; i <= n; i++)); do
		args=("${@//%i/$i}")
		(
			exec 9>&-
			flock -s "$dir/gate" true
			exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$G" "${args[@]}"
		) >"$dir/$i.out" 2>"$dir/$i.err" </dev/null &
		pids[i]=$!
	done
	sleep 0.5
	flock -u 9
	exec 9>&-
	for ((i = 1; i <= n; i++)); do
		st=0
		wait "${pids[i]}" || st=$?
		echo "$st" >"$dir/$i.rc"
	done
}

# count_rc DIR RC: how many runs in DIR ended with RC.
count_rc() {
	local n
	n=$(cat "$1"/*.rc | grep -cx -- "$2") || true
	echo "${n:-0}"
}

# wait_tools: until no command started by guardctl is still running (a
# killed guardctl leaves its command running).
wait_tools() {
	local i
	for ((i = 0; i < 200; i++)); do
		pgrep --ns $$ --nslist mnt -f "^/bin/sh $TICK " >/dev/null || return 0
		sleep 0.05
	done
	fail "commands started by guardctl still run after 10 s"
}

# write_locked: another connection holds the write lock now (a writer that
# does not wait is refused).
write_locked() {
	local err
	err=$(sqlite3 -batch "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1 >/dev/null) && return 1
	[[ $err == *"database is locked"* ]] ||
		fail "probing the store's lock: $err"
}

# hold_lock: a sqlite3 shell in BEGIN IMMEDIATE on the store until
# release_lock; returns once it holds the lock.
hold_lock() {
	local i
	"$G" status >/dev/null || fail "the store does not open"
	rm -f "$T/holder.fifo"
	mkfifo "$T/holder.fifo"
	sqlite3 -batch "$DB" <"$T/holder.fifo" >"$T/holder.out" 2>&1 &
	HOLDER=$!
	exec 8>"$T/holder.fifo"
	# (Waiting, if need be, for the probe below to let go.)
	printf '.timeout 5000\nBEGIN IMMEDIATE;\n' >&8
	for ((i = 0; i < 100; i++)); do
		write_locked && return 0
		sleep 0.05
	done
	fail "the sqlite3 shell did not take the write lock: $(cat "$T/holder.out")"
}

release_lock() {
	echo "COMMIT;" >&8
	exec 8>&-
	wait "$HOLDER" || fail "the sqlite3 shell that held the lock: $(cat "$T/holder.out")"
}

# queued DIR N USER ARGS...: as gated, but the N runs start while a sqlite3
# shell holds the store's write lock, let go 1.5 s later: by then each run
# has done all it can without the lock, and they all want it at once.
queued() {
	local dir=$1 n=$2 user=$3 i st
	shift 3
	local -a pids=() args
	mkdir -p "$dir"
	hold_lock
	for ((i = 1; i <= n; i++)); do
		args=("${@//%i/$i}")
		as_user "$user" "$G" "${args[@]}" >"$dir/$i.out" 2>"$dir/$i.err" </dev/null 8>&- &
		pids[i]=$!
	done
	sleep 1.5
	release_lock
	for ((i = 1; i <= n; i++)); do
		st=0
		wait "${pids[i]}" || st=$?
		echo "$st" >"$dir/$i.rc"
	done
}

# fresh_store: no store, as on a new host.
fresh_store() {
	rm -f -- "$DB" "$DB-wal" "$DB-shm"
	[[ -z $(store_files) ]] || fail "unexpected files in /var/lib/guard: $(store_files)"
}

# The tick command and a policy with a limit, an approval rule and a free
# rule.
store_setup() {
	install -d -m 0755 /usr/local/libexec
	cat >"$TICK" <<EOF
#!/bin/sh
echo "start \$1" >>$TICKS
if [ -n "\${2:-}" ]; then sleep "\$2"; fi
echo "end \$1" >>$TICKS
EOF
	chmod 0755 "$TICK"
	cat >/etc/guard/guard.conf <<EOF
settings {
  audit        = off
  journal      = no
  timezone     = "UTC"
  approvers    = { "%guard-approvers" }
  approval_ttl = 30m
}
rule "alice-limit" {
  actions  = { "user.modify" }
  actors   = { "alice" }
  limit    = "5/1h"
  decision = allow
}
rule "erin-limit" {
  actions  = { "user.modify" }
  actors   = { "erin" }
  limit    = "$ELIMIT/1h"
  decision = allow
}
rule "carol-limit" {
  actions  = { "user.modify" }
  actors   = { "carol" }
  limit    = "5/1h"
  decision = allow
}
rule "dave-free" {
  actions  = { "user.modify" }
  actors   = { "dave" }
  decision = allow
}
rule "bob-approve" {
  actions  = { "user.modify" }
  actors   = { "bob" }
  decision = approve
}
command "tick" {
  path    = "$TICK"
  actions = { "user.modify" }
}
EOF
	chmod 0644 /etc/guard/guard.conf
	"$G" check >/dev/null || fail "the test policy does not pass check"
	# What the other attack files left: the cases start from no store.
	rm -rf /var/lib/guard
	install -d -m 0700 -o root -g root /var/lib/guard
}

# ---------------------------------------------------------------------------
# E32: one approval, many redeemers. The store takes the write lock before
# it reads (BEGIN IMMEDIATE) and spends with UPDATE ... WHERE used = 0
# checked with changes() == 1.

case_run_id() {
	need_tools
	local id1 ran refused n
	assert_exit 0 as_user bob "$G" request tick A1
	id1=$OUT
	[[ $id1 =~ ^[0-9]+$ ]] || fail "request printed '$id1', not an id"
	assert_exit 0 as_user carol "$G" approve "$id1"
	assert_contains "$OUT" "request $id1 approved"
	gated "$T/runid" 32 bob run "$id1"
	ran=$(count_rc "$T/runid" 0)
	refused=$(count_rc "$T/runid" 1)
	echo "   exit 0: $ran, exit 1: $refused"
	assert_eq 1 "$ran" "uses of approval $id1 that ran"
	assert_eq 31 "$refused" "uses of approval $id1 refused"
	n=$(cat "$T"/runid/*.err | grep -cF "request $id1 is used") || true
	assert_eq 31 "$n" "refusals that say 'request $id1 is used'"
	assert_eq 1 "$(ticks start A1)" "runs of the approved command"
	assert_eq 1 "$(q "SELECT count(*) FROM decisions WHERE approval_id = $id1")" "decisions spending approval $id1"
	assert_eq "used|1|1" "$(q "SELECT a.status, a.used, count(d.id) FROM approvals a JOIN decisions d
		ON d.id = a.decision_id AND d.approval_id = a.id WHERE a.id = $id1")" \
		"approval $id1: used, by the decision that spent it"
}

case_repeat() {
	need_tools
	local id2 ran pending new_ids n
	assert_exit 0 as_user bob "$G" request tick A2
	id2=$OUT
	[[ $id2 =~ ^[0-9]+$ ]] || fail "request printed '$id2', not an id"
	assert_exit 0 as_user carol "$G" approve "$id2"
	gated "$T/repeat" 32 bob tick A2
	ran=$(count_rc "$T/repeat" 0)
	pending=$(count_rc "$T/repeat" 1)
	echo "   exit 0: $ran, exit 1: $pending"
	assert_eq 1 "$ran" "repeats of approved request $id2 that ran"
	assert_eq 31 "$pending" "repeats that found no approval left"
	assert_eq 1 "$(ticks start A2)" "runs of the approved command"
	assert_eq 1 "$(q "SELECT count(*) FROM decisions WHERE approval_id = $id2")" "decisions spending approval $id2"
	assert_eq "used" "$(q "SELECT status FROM approvals WHERE id = $id2")" "approval $id2"
	new_ids=$(cat "$T"/repeat/*.err | sed -n 's/^guardctl: request \([0-9]*\) \(filed\|is pending\):.*/\1/p' | sort -u)
	assert_eq 1 "$(grep -c . <<<"$new_ids")" "pending requests named by the 31 that did not run"
	n=$(cat "$T"/repeat/*.err | grep -c "^guardctl: request $new_ids filed:") || true
	assert_eq 1 "$n" "runs that filed the new request"
	n=$(cat "$T"/repeat/*.err | grep -c "^guardctl: request $new_ids is pending:") || true
	assert_eq 30 "$n" "runs that found it pending"
	assert_eq "$new_ids" "$(q "SELECT id FROM approvals WHERE requester_uid = $(id -u bob) AND status = 'pending'")" \
		"bob's pending requests"
	assert_eq 33 "$(q "SELECT count(*) FROM decisions WHERE argv = 'tick A2'")" \
		"decisions about 'tick A2' (the request and 32 repeats)"
}

# The same, the 32 queued on a held lock: a decision that read before it
# held the lock would find the approval unspent.
case_run_id_queued() {
	need_tools
	local id ran refused n
	assert_exit 0 as_user bob "$G" request tick A3
	id=$OUT
	[[ $id =~ ^[0-9]+$ ]] || fail "request printed '$id', not an id"
	assert_exit 0 as_user carol "$G" approve "$id"
	queued "$T/runid-queued" 32 bob run "$id"
	ran=$(count_rc "$T/runid-queued" 0)
	refused=$(count_rc "$T/runid-queued" 1)
	echo "   exit 0: $ran, exit 1: $refused"
	assert_eq 1 "$ran" "uses of approval $id that ran"
	assert_eq 31 "$refused" "uses of approval $id refused"
	n=$(cat "$T"/runid-queued/*.err | grep -cF "request $id is used") || true
	assert_eq 31 "$n" "refusals that say 'request $id is used'"
	assert_eq 1 "$(ticks start A3)" "runs of the approved command"
	assert_eq 1 "$(q "SELECT count(*) FROM decisions WHERE approval_id = $id")" "decisions spending approval $id"
}

# ---------------------------------------------------------------------------
# E33: the limit's uses are read and written in one transaction.

case_limit() {
	need_tools
	local allowed denied ran_ok="" refused_ok=0 ran_ticks i alice_uid
	alice_uid=$(id -u alice)
	fresh_store
	gated "$T/limit" 64 alice tick "L%i"
	allowed=$(count_rc "$T/limit" 0)
	denied=$(count_rc "$T/limit" 1)
	echo "   exit 0: $allowed, exit 1: $denied"
	assert_eq 5 "$allowed" "runs allowed under limit 5/1h"
	assert_eq 59 "$denied" "runs refused under limit 5/1h"
	for i in $(seq 1 64); do
		case $(cat "$T/limit/$i.rc") in
		0) ran_ok+="L$i " ;;
		1)
			grep -qF "limit 5/1h reached, next at " "$T/limit/$i.err" &&
				refused_ok=$((refused_ok + 1))
			;;
		esac
	done
	assert_eq 59 "$refused_ok" "refusals that give the limit's guidance ('limit 5/1h reached, next at ...')"
	assert_eq "" "$(store_files)" "files left in /var/lib/guard by 64 racing creators"
	assert_eq "600 root" "$(stat -c '%a %U' "$DB")" "the store created under the race"
	ran_ticks=$(sed -n 's/^start \(L[0-9]*\)$/\1/p' "$TICKS" | sort | tr '\n' ' ')
	assert_eq "$(tr ' ' '\n' <<<"$ran_ok" | sed '/^$/d' | sort | tr '\n' ' ')" "$ran_ticks" \
		"the commands that ran are those of the runs that exited 0"
	assert_eq 64 "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $alice_uid")" "decisions in the ledger"
	assert_eq 5 "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $alice_uid AND decision = 'allow'")" \
		"allowed decisions in the ledger"
	assert_eq 59 "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $alice_uid AND decision = 'deny'")" \
		"denied decisions in the ledger"
	assert_eq 64 "$(q "SELECT count(DISTINCT argv) FROM decisions WHERE actor_uid = $alice_uid")" \
		"one decision per run"
	assert_eq "$ran_ticks" \
		"$(q "SELECT substr(argv, 6) FROM decisions WHERE actor_uid = $alice_uid AND decision = 'allow'" | sort | tr '\n' ' ')" \
		"the allowed decisions are those of the runs that ran"
	assert_eq 5 "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $alice_uid AND decision = 'allow' AND exit_status = 0")" \
		"exit statuses recorded"
	assert_eq 5 "$(q "SELECT count(*) FROM limit_uses WHERE actor_uid = $alice_uid AND rule = 'alice-limit'")" \
		"limit uses"
	assert_exit 0 "$G" history --actor alice --json
	assert_eq 64 "$(grep -c '"decision_id":' <<<"$OUT")" "decisions in guardctl history --json"
	assert_eq 5 "$(grep -c '"decision":"allow"' <<<"$OUT")" "allowed in guardctl history --json"
	assert_eq 59 "$(grep -c '"decision":"deny"' <<<"$OUT")" "denied in guardctl history --json"
	assert_exit 1 as_user alice "$G" tick L65
	assert_contains "$ERR" "limit 5/1h reached, next at "
	assert_eq 0 "$(ticks start L65)" "a run past the limit"
}

# The same, the 64 queued on a held lock: a decision that read the history
# before it held the lock would find the limit unspent.
case_limit_queued() {
	need_tools
	local allowed denied n carol_uid
	carol_uid=$(id -u carol)
	queued "$T/limit-queued" 64 carol tick "Q%i"
	allowed=$(count_rc "$T/limit-queued" 0)
	denied=$(count_rc "$T/limit-queued" 1)
	echo "   exit 0: $allowed, exit 1: $denied"
	assert_eq 5 "$allowed" "runs allowed under limit 5/1h"
	assert_eq 59 "$denied" "runs refused under limit 5/1h"
	n=$(cat "$T"/limit-queued/*.err | grep -cF "limit 5/1h reached, next at ") || true
	assert_eq 59 "$n" "refusals that give the limit's guidance"
	assert_eq 5 "$(grep -c '^start Q' "$TICKS")" "commands that ran"
	assert_eq 5 "$(q "SELECT count(*) FROM limit_uses WHERE actor_uid = $carol_uid AND rule = 'carol-limit'")" \
		"limit uses"
	assert_eq 64 "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $carol_uid")" "decisions in the ledger"
}

# ---------------------------------------------------------------------------
# E34: a sqlite3 shell holds the store's write lock. A deferred transaction
# would not even wait (its read-to-write upgrade gets SQLITE_BUSY at once);
# the store's BEGIN IMMEDIATE waits up to the busy timeout, then refuses.

# ms_since START: milliseconds since START (an $EPOCHREALTIME).
ms_since() {
	local now=$EPOCHREALTIME
	echo $(((${now/./} - ${1/./}) / 1000))
}

case_lock_past_timeout() {
	need_tools
	local start pid st=0 ms
	hold_lock
	start=$EPOCHREALTIME
	as_user dave "$G" tick B1 >"$T/b1.out" 2>"$T/b1.err" </dev/null 8>&- &
	pid=$!
	# Twice the timeout, the lock held all along.
	while kill -0 "$pid" 2>/dev/null && (($(ms_since "$start") < 2 * BUSY_TIMEOUT * 1000)); do
		sleep 0.1
	done
	ms=$(ms_since "$start")
	if kill -0 "$pid" 2>/dev/null; then
		release_lock
		wait "$pid" || true
		fail "guardctl still waited after $ms ms, twice the busy timeout: it hangs on a held lock"
	fi
	write_locked || fail "the lock was not held until guardctl gave up"
	release_lock
	wait "$pid" || st=$?
	echo "   refused after $ms ms"
	assert_eq 1 "$st" "exit status of guardctl on a lock held past the timeout (stderr: $(cat "$T/b1.err"))"
	assert_contains "$(cat "$T/b1.err")" \
		"$DB: locking the store: the store is locked by another process for more than $((BUSY_TIMEOUT * 1000)) ms; refused"
	[[ $ms -ge $((BUSY_TIMEOUT * 1000 - 500)) ]] ||
		fail "guardctl refused after $ms ms, before its busy timeout of ${BUSY_TIMEOUT} s"
	assert_eq 0 "$(ticks start B1)" "runs of a command refused on a held lock"
	assert_eq 0 "$(q "SELECT count(*) FROM decisions WHERE argv = 'tick B1'")" "decisions about it"
}

case_lock_brief() {
	need_tools
	local start pid st=0 ms
	hold_lock
	start=$EPOCHREALTIME
	as_user dave "$G" tick B2 >"$T/b2.out" 2>"$T/b2.err" </dev/null 8>&- &
	pid=$!
	sleep 1
	kill -0 "$pid" 2>/dev/null ||
		fail "guardctl did not wait for a lock held 1 s: $(cat "$T/b2.err")"
	assert_eq 0 "$(ticks start B2)" "runs while the lock is held"
	release_lock
	wait "$pid" || st=$?
	ms=$(ms_since "$start")
	echo "   ran after $ms ms"
	assert_eq 0 "$st" "exit status of guardctl once a brief lock is released (stderr: $(cat "$T/b2.err"))"
	assert_eq 1 "$(ticks start B2)" "runs of the command"
	assert_eq "allow|0" "$(q "SELECT decision, exit_status FROM decisions WHERE argv = 'tick B2'")" \
		"its decision"
}

# ---------------------------------------------------------------------------
# E35: SIGKILL at random points. Never a hot -wal deleted, the decision
# committed before the exec, an approval spent in the transaction that
# records its decision.

case_kill() {
	need_tools
	local napp=24 i last_before erin_uid
	local -A app_tok=() krows=() kdec=() kexit=() arows=()
	local -a app_ids=()
	erin_uid=$(id -u erin)
	for i in $(seq 1 "$napp"); do
		assert_exit 0 as_user bob "$G" request tick "R$i"
		app_ids+=("$OUT")
		app_tok[$OUT]=R$i
		assert_exit 0 as_user carol "$G" approve "$OUT"
	done
	q "SELECT ifnull(max(id), 0) FROM decisions" >"$T/last_before"

	# storm WORKER COUNT: COUNT decisions, one at a time, each killed after a
	# random delay; one line "N USER TOKEN STATUS" per decision in storm.WORKER.
	storm() {
		local w=$1 count=$2 i k user tok pid st id
		local -a args
		RANDOM=$BASHPID
		for ((i = 0; i < count; i++)); do
			k=$((w * 100000 + i))
			case $((RANDOM % 3)) in
			0)
				user=dave tok=K$k
				args=(tick "$tok" "0.0$((RANDOM % 8))")
				;;
			1)
				user=erin tok=K$k
				args=(tick "$tok")
				;;
			*)
				user=bob id=${app_ids[RANDOM % napp]}
				tok=${app_tok[$id]}
				args=(run "$id")
				;;
			esac
			setpriv --reuid="$user" --regid="$user" --init-groups -- "$G" "${args[@]}" \
				>/dev/null 2>"$T/storm/$k.err" </dev/null &
			pid=$!
			sleep "0.0$(printf '%02d' $((RANDOM % 51)))"
			kill -9 "$pid" 2>/dev/null || true
			st=0
			wait "$pid" 2>/dev/null || st=$?
			echo "$k $user $tok $st" >>"$T/storm.$w"
		done
	}

	mkdir -p "$T/storm"
	local workers=4 w p
	local -a spids=()
	for ((w = 0; w < workers; w++)); do
		storm "$w" $(((KILLS + workers - 1 - w) / workers)) &
		spids+=($!)
	done
	for p in "${spids[@]}"; do
		wait "$p" || fail "a storm stream failed"
	done
	wait_tools
	cat "$T"/storm.* >"$T/attempts"
	assert_eq "$KILLS" "$(wc -l <"$T/attempts")" "decisions attempted"

	step "the store opens and is intact"
	assert_exit 0 "$G" status
	assert_contains "$OUT" "not frozen"
	assert_eq "ok" "$(q "PRAGMA integrity_check")" "PRAGMA integrity_check"
	assert_eq "" "$(q "PRAGMA foreign_key_check")" "PRAGMA foreign_key_check"
	assert_eq "" "$(store_files)" "files left in /var/lib/guard"
	assert_eq "600 root" "$(stat -c '%a %U' "$DB")" "the store"

	# The ledger as it is after the storm: decisions about K tokens (dave,
	# erin) and the decisions that spent an approval.
	local tok dec est argv aid n
	last_before=$(cat "$T/last_before")
	while IFS='|' read -r _ dec est argv; do
		tok=${argv#tick }
		tok=${tok%% *}
		krows[$tok]=$((${krows[$tok]:-0} + 1))
		kdec[$tok]=$dec
		kexit[$tok]=$est
	done < <(q "SELECT id, decision, ifnull(exit_status, 'none'), argv FROM decisions
		WHERE id > $last_before AND argv LIKE 'tick K%'")
	while IFS='|' read -r aid n; do
		arows[$aid]=$n
	done < <(q "SELECT approval_id, count(*) FROM decisions WHERE approval_id IS NOT NULL GROUP BY approval_id")

	local killed=0 finished=0 no_row=0 before_exec=0 in_exec=0 bad="" k user st rows
	while read -r k user tok st; do
		rows=${krows[$tok]:-0}
		if [[ $user != bob && $rows -gt 1 ]]; then
			bad+="  $tok: $rows decisions in the ledger"$'\n'
		fi
		if [[ $st == 137 ]]; then
			killed=$((killed + 1))
			if [[ $user == bob ]]; then
				continue
			fi
			if [[ $rows == 0 ]]; then
				no_row=$((no_row + 1))
			elif [[ ${kdec[$tok]} == allow && $(ticks start "$tok") == 0 ]]; then
				before_exec=$((before_exec + 1))
			elif [[ ${kdec[$tok]} == allow && ${kexit[$tok]} == none ]]; then
				in_exec=$((in_exec + 1))
			fi
			continue
		fi
		finished=$((finished + 1))
		case $user:$st in
		dave:0 | erin:0)
			[[ $rows == 1 && ${kdec[$tok]} == allow && ${kexit[$tok]} == 0 ]] ||
				bad+="  $tok ($user) exited 0, the ledger has: $rows decisions, ${kdec[$tok]:-none}, exit ${kexit[$tok]:-none}"$'\n'
			[[ $(ticks start "$tok") == 1 && $(ticks end "$tok") == 1 ]] ||
				bad+="  $tok ($user) exited 0, its command did not run once"$'\n'
			;;
		erin:1)
			[[ $rows == 1 && ${kdec[$tok]} == deny ]] ||
				bad+="  $tok ($user) was refused, the ledger has: $rows decisions, ${kdec[$tok]:-none}"$'\n'
			grep -qF "limit $ELIMIT/1h reached, next at " "$T/storm/$k.err" ||
				bad+="  $tok ($user) was refused without the limit's guidance: $(cat "$T/storm/$k.err")"$'\n'
			;;
		bob:0) ;;
		bob:1)
			grep -qE "request [0-9]+ is used" "$T/storm/$k.err" ||
				bad+="  $tok (bob, run) was refused for another reason: $(cat "$T/storm/$k.err")"$'\n'
			;;
		*)
			bad+="  $tok ($user) ended with status $st: $(cat "$T/storm/$k.err")"$'\n'
			;;
		esac
	done <"$T/attempts"
	echo "   killed: $killed (dave/erin: $no_row before their decision committed, $before_exec" \
		"between decision and exec, $in_exec during the command), ended by themselves: $finished"
	[[ $killed -gt 0 ]] || fail "no guardctl was killed: the delays do not reach into its run"
	[[ -z $bad ]] || fail "the ledger does not match what the runs did:"$'\n'"$bad"

	step "every command that ran has its decision, once"
	bad=""
	while read -r tok; do
		case $tok in
		K*)
			[[ ${krows[$tok]:-0} == 1 && ${kdec[$tok]} == allow ]] ||
				bad+="  $tok ran; the ledger has ${krows[$tok]:-0} decisions, ${kdec[$tok]:-none}"$'\n'
			;;
		esac
	done < <(sed -n 's/^start //p' "$TICKS")
	[[ -z $bad ]] || fail "commands ran without an allowed decision in the ledger:"$'\n'"$bad"
	n=$(sed -n 's/^start \(K[0-9]*\)$/\1/p' "$TICKS" | sort | uniq -d | wc -l)
	assert_eq 0 "$n" "commands that ran twice for one decision"

	step "no approval spent twice"
	local id used spent=0
	bad=""
	for id in "${app_ids[@]}"; do
		tok=${app_tok[$id]}
		used=$(q "SELECT used FROM approvals WHERE id = $id")
		n=${arows[$id]:-0}
		[[ $n -le 1 ]] || bad+="  approval $id: spent by $n decisions"$'\n'
		[[ $used == "$n" ]] || bad+="  approval $id: used=$used but $n decisions spent it"$'\n'
		[[ $(ticks start "$tok") -le $n ]] || bad+="  approval $id ($tok): ran $(ticks start "$tok") times"$'\n'
		if [[ $n == 1 ]]; then
			[[ $(q "SELECT count(*) FROM approvals a JOIN decisions d ON d.id = a.decision_id
				AND d.approval_id = a.id WHERE a.id = $id") == 1 ]] ||
				bad+="  approval $id: its decision_id is not the decision that spent it"$'\n'
		fi
	done
	[[ -z $bad ]] || fail "approvals:"$'\n'"$bad"
	for id in "${app_ids[@]}"; do
		[[ ${arows[$id]:-0} == 1 ]] && spent=$((spent + 1))
	done
	echo "   approvals spent during the storm: $spent of $napp"

	step "what is left of each approval is usable exactly once"
	for id in "${app_ids[@]}"; do
		tok=${app_tok[$id]}
		if [[ ${arows[$id]:-0} == 1 ]]; then
			assert_exit 1 as_user bob "$G" run "$id"
			assert_contains "$ERR" "request $id is used"
		else
			assert_exit 0 as_user bob "$G" run "$id"
			assert_eq 1 "$(ticks start "$tok")" "runs of approval $id after the storm"
			assert_exit 1 as_user bob "$G" run "$id"
		fi
		assert_eq 1 "$(q "SELECT count(*) FROM decisions WHERE approval_id = $id")" "decisions spending approval $id"
	done

	step "no limit overspent, and the rest of it exactly usable"
	local erin_allowed erin_uses
	erin_allowed=$(q "SELECT count(*) FROM decisions WHERE actor_uid = $erin_uid AND decision = 'allow'")
	erin_uses=$(q "SELECT count(*) FROM limit_uses WHERE actor_uid = $erin_uid AND rule = 'erin-limit'")
	echo "   erin: $erin_allowed allowed during the storm (limit $ELIMIT/1h)"
	[[ $erin_allowed -le $ELIMIT ]] || fail "limit $ELIMIT/1h overspent: $erin_allowed allowed decisions"
	assert_eq "$erin_allowed" "$erin_uses" "limit uses against allowed decisions"
	assert_eq 0 "$(q "SELECT count(*) FROM limit_uses u LEFT JOIN decisions d ON d.id = u.decision_id
		WHERE u.actor_uid = $erin_uid AND (d.id IS NULL OR d.decision != 'allow')")" \
		"limit uses without their allowed decision"
	for ((i = erin_allowed + 1; i <= ELIMIT; i++)); do
		assert_exit 0 as_user erin "$G" tick "E$i"
	done
	assert_exit 1 as_user erin "$G" tick "E$((ELIMIT + 1))"
	assert_contains "$ERR" "limit $ELIMIT/1h reached, next at "
	assert_eq "$ELIMIT" "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $erin_uid AND decision = 'allow'")" \
		"erin's allowed decisions in all"

	step "a following guardctl works and is recorded"
	local before
	before=$(q "SELECT count(*) FROM decisions")
	assert_exit 0 as_user dave "$G" tick after
	assert_eq 1 "$(ticks start after)" "the command after the storm"
	assert_eq $((before + 1)) "$(q "SELECT count(*) FROM decisions")" "decisions after one more run"
	assert_eq "allow|0" "$(q "SELECT decision, exit_status FROM decisions ORDER BY id DESC LIMIT 1")" \
		"the last decision"
	assert_eq "ok" "$(q "PRAGMA integrity_check")" "PRAGMA integrity_check at the end"
}

# ---------------------------------------------------------------------------
# E36: e_power_loss.c against the library the installed guardctl is built
# from.

case_power_loss() {
	local lib=$GUARD_SRC/build/libguard.a cflags libs
	[[ -f $lib ]] || fail "build/libguard.a is not built (make all)"
	cflags=$(make_var PKG_CFLAGS)
	libs=$(make_var PKG_LIBS)
	# shellcheck disable=SC2086 # word splitting of pkg-config's flags
	cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$GUARD_SRC/libguard" $cflags \
		-o "$T/e_power_loss" "$ATTACK_DIR/e_power_loss.c" "$lib" $libs ||
		fail "cannot build tests/attack/e_power_loss.c"
	install -d -m 0700 "$T/power"
	run_cmd "$T/e_power_loss" "$T/power"
	# The failures, the count, and what one cut loses.
	printf '%s\n' "$OUT" | grep -v '^ok ' | awk '!/power lost/ || !seen++' | sed 's/^ */   /'
	[[ -z $ERR ]] || printf '%s\n' "$ERR" | sed 's/^/   /'
	assert_eq 0 "$STATUS" "exit status of e_power_loss"
	assert_not_contains "$OUT" "FAIL" "e_power_loss's checks"
	# Every cut was made and checked, to the last one.
	assert_eq 8 "$(grep -c '^ok   cut after [0-9]*: integrity_check is ok$' <<<"$OUT")" \
		"cuts checked"
	assert_contains "$OUT" "ok   cut after 8: alice's next run is refused"
	# What a light commit may lose, and only while no FULL one follows.
	assert_contains "$OUT" "ok   cut after 4: the exit status (light, no FULL commit after it) is lost"
	assert_contains "$OUT" "ok   cut after 5: 2 decisions in the ledger"
	assert_contains "$OUT" "ok   cut after 6: the exit status of bob's run is recorded"
	assert_contains "$OUT" "ok   cut after 6: 4 decisions in the ledger"
	assert_contains "$OUT" "ok   control: WAL, synchronous=NORMAL: a commit that returned is lost"
}

# ---------------------------------------------------------------------------
# E37: the store on a small tmpfs of its own, filled.

# ledger: the decisions, "ID:ARGV" (spaces in ARGV as "-"), oldest first.
ledger() {
	q "SELECT id || ':' || replace(argv, ' ', '-') FROM decisions ORDER BY id" | tr '\n' ' ' |
		sed 's/ $//'
}

case_disk_full() {
	need_tools
	local dir=/var/lib/guard i ino before reader
	mount -t tmpfs -o size=1m,mode=0700,uid=0,gid=0,nosuid,nodev guard-e37 "$dir" ||
		skip "cannot mount a tmpfs on $dir"
	# shellcheck disable=SC2064 # expand now
	trap "exec 7>&- 2>/dev/null; umount -l '$dir'" EXIT
	for i in 1 2 3; do
		assert_exit 0 as_user dave "$G" tick "F$i"
	done
	ino=$(stat -c %i "$DB")
	before=$(ledger)
	# A reader keeps the -wal and -shm open, so the next decision gets as
	# far as its commit.
	mkfifo "$T/reader.fifo"
	sqlite3 -batch "$DB" <"$T/reader.fifo" >"$T/reader.out" 2>&1 &
	reader=$!
	exec 7>"$T/reader.fifo"
	echo "SELECT count(*) FROM decisions;" >&7
	for ((i = 0; i < 100; i++)); do
		[[ -e $DB-shm ]] && break
		sleep 0.05
	done
	[[ -e $DB-shm ]] || fail "the reader did not open the store: $(cat "$T/reader.out")"
	dd if=/dev/zero of="$dir/filler" bs=4k 2>/dev/null || true
	assert_eq 0 "$(df --output=avail "$dir" | tail -n 1 | tr -d ' ')" "free space on the store's tmpfs"

	step "full, with a reader: the commit fails"
	assert_exit 1 as_user dave "$G" tick F4
	assert_contains "$ERR" "$DB: committing the decision: database or disk is full; refused"
	assert_eq 0 "$(ticks start F4)" "runs of a command whose decision could not be committed"
	echo ".quit" >&7
	exec 7>&-
	wait "$reader" || fail "the reader: $(cat "$T/reader.out")"
	assert_eq 3 "$(cat "$T/reader.out")" "decisions the reader saw"

	step "full, alone: refused"
	assert_exit 1 as_user dave "$G" tick F5
	assert_contains "$ERR" "database or disk is full; refused"
	assert_eq 0 "$(ticks start F5)" "runs of a command whose decision could not be committed"
	assert_eq "$ino" "$(stat -c %i "$DB")" "the store's inode (never recreated)"

	step "space again: it works, the ledger kept"
	rm -f -- "$dir/filler"
	assert_exit 0 as_user dave "$G" tick F6
	assert_eq 1 "$(ticks start F6)" "runs of the command once there is space"
	assert_eq "$before 4:tick-F6" "$(ledger)" \
		"the ledger: the earlier rows, then the one decision after the disk had space again"
	assert_eq "ok" "$(q "PRAGMA integrity_check")" "PRAGMA integrity_check"
}

# ---------------------------------------------------------------------------
# E38: a store that is not what Guard made fails closed, with the file
# named, and is left exactly as it is.

# refused_as_is WHAT MESSAGE: status and a guarded run refuse the store as
# it is, with MESSAGE, and leave it byte for byte.
refused_as_is() {
	local what=$1 msg=$2 sum
	sum=$(sha256sum <"$DB")
	assert_exit 2 "$G" status
	assert_contains "$ERR" "$msg" "status with $what"
	run_cmd as_user dave "$G" tick "H$RANDOM"
	[[ $STATUS == 1 || $STATUS == 2 ]] || fail "a guarded run with $what: exit $STATUS
  stderr: $ERR"
	assert_contains "$ERR" "$msg" "a guarded run with $what"
	assert_eq "$sum" "$(sha256sum <"$DB")" "the store with $what, after guardctl"
}

case_hostile() {
	need_tools
	local good=$T/guard.db.good i
	assert_exit 0 "$G" status
	for i in 1 2 3; do
		assert_exit 0 as_user dave "$G" tick "G$i"
	done
	# Checkpointed first (a WAL may hold commits while guardctl runs, or
	# after one was killed): the database file is the whole store that
	# each step copies.
	q "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	[[ ! -s $DB-wal ]] || fail "the WAL is not empty after a checkpoint"
	cp -a "$DB" "$good"

	step "owner and mode"
	chmod 0644 "$DB"
	assert_exit 2 "$G" status
	assert_contains "$ERR" "$DB: must be owned by uid 0 with mode 0600"
	chmod 0600 "$DB"
	chown alice "$DB"
	assert_exit 2 "$G" status
	chown root "$DB"

	step "a symlink"
	mv "$DB" /var/lib/guard/real.db
	ln -s real.db "$DB"
	assert_exit 2 "$G" status
	assert_contains "$ERR" "symlink"
	[[ -L $DB ]] || fail "the symlink was replaced"
	rm "$DB"
	mv /var/lib/guard/real.db "$DB"

	step "a hard link"
	ln "$DB" /var/lib/guard/link.db
	assert_exit 2 "$G" status
	assert_contains "$ERR" "$DB: has 2 hard links"
	rm /var/lib/guard/link.db

	step "empty"
	: >"$DB"
	assert_exit 2 "$G" status
	assert_contains "$ERR" "not a SQLite database"
	assert_eq 0 "$(stat -c %s "$DB")" "an empty store was recreated"

	step "truncated"
	cp -a "$good" "$DB"
	truncate -s 40960 "$DB"
	refused_as_is "a truncated store" "the store is corrupt"
	assert_eq 40960 "$(stat -c %s "$DB")" "the truncated store's size"

	step "bit-flipped"
	cp -a "$good" "$DB"
	# The first bytes of every page but the first, which keeps the header
	# and the schema readable: the store opens, its tables are damaged.
	local page pages
	pages=$(($(stat -c %s "$DB") / 4096))
	for ((page = 1; page < pages; page++)); do
		printf '\xa5\x5a\xa5\x5a\xa5\x5a\xa5\x5a' |
			dd of="$DB" bs=1 seek=$((page * 4096)) conv=notrunc status=none
	done
	refused_as_is "bit flips" "the store is corrupt"

	step "a -wal owned by a user"
	cp -a "$good" "$DB"
	: >"$DB-wal"
	chmod 0600 "$DB-wal"
	chown alice "$DB-wal"
	refused_as_is "a -wal owned by alice" "$DB-wal: must be owned by uid 0 with mode 0600"
	rm -f -- "$DB-wal"

	step "the directory at 0777"
	chmod 0777 /var/lib/guard
	assert_exit 2 "$G" status
	assert_contains "$ERR" "the state directory must be owned by uid 0 with mode 0700"
	chmod 0700 /var/lib/guard

	step "restored: it works again, nothing lost"
	assert_exit 0 "$G" status
	assert_exit 0 as_user dave "$G" tick G4
	assert_eq "G1 G2 G3 G4" "$(q "SELECT substr(argv, 6) FROM decisions WHERE argv LIKE 'tick G%'
		ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "the ledger"
	assert_eq 0 "$(grep -c '^start H' "$TICKS")" "guarded runs on a hostile store"
}

store_setup
attack_case "E32 approval race: 32 concurrent runs of one approval, one runs" case_run_id
attack_case "E32 approval race: 32 concurrent repeats of an approved command, one runs" case_repeat
attack_case "E32 approval race: 32 runs of one approval queued on a held lock, one runs" case_run_id_queued
attack_case "E33 rate limit: 64 concurrent runs under 5/1h, 5 run" case_limit
attack_case "E33 rate limit: 64 runs queued on a held lock under 5/1h, 5 run" case_limit_queued
attack_case "E34 busy_timeout: a lock held twice the timeout refuses in time" case_lock_past_timeout
attack_case "E34 busy_timeout: a lock held briefly is waited for" case_lock_brief
attack_case "E35 kill -9: guardctl killed at random points, the store intact" case_kill
attack_case "E36 power loss: every commit that spent survives the cut, a light one only behind a FULL one" case_power_loss
attack_case "E37 disk full: refused, the ledger kept, works again with space" case_disk_full
attack_case "E38 hostile DB: fails closed, never recreated" case_hostile
attack_done
