#!/bin/bash
# The state store under concurrency and crashes, through the installed setuid
# guardctl in the sandbox (private /var/lib/guard). A policy `command` block
# runs a small root-owned script that appends "start TOKEN" and "end TOKEN"
# to a file, so that what really ran can be counted.
#
#   limit ......... 64 concurrent runs under limit = "5/1h" (racing to create
#                   the store, too): exactly 5 run, 59 are refused with the
#                   limit's guidance; the ledger holds 64 decisions, 5 allowed
#   run ID ........ 32 concurrent `guardctl run ID` of one approved request:
#                   exactly one runs, 31 are refused
#   repeat ........ 32 concurrent repeats of an approved command: exactly one
#                   runs; the 31 others share one new pending request
#   kill -9 ....... GUARD_STATE_KILLS decisions (default 200) in 4 parallel
#                   streams, each guardctl killed with SIGKILL after 0-50 ms:
#                   a slow allowed command (so that kills land during the
#                   command, and some between the decision and the exec), a
#                   limited one and approved requests; the step says where
#                   the kills landed.
#                   Afterwards the store opens, PRAGMA integrity_check is ok,
#                   every decision known to have committed (the command ran,
#                   or guardctl ended by itself) is in the ledger once, no
#                   approval is spent twice, no limit is overspent, and what
#                   is left of the limit and the approvals is exactly usable.
#                   GUARD_STATE_KILLS=2000 is the long variant (its kills
#                   take about ten times as long; with GUARD_TEST_TIMEOUT
#                   raised when the machine is slow).
#
# Needs the sqlite3 command line tool (tools/install-deps).

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_guardctl
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed (tools/install-deps)"
command -v flock >/dev/null || skip "flock is not installed"

G=/usr/local/sbin/guardctl
DB=/var/lib/guard/guard.db
TICK=/usr/local/libexec/guard-tick
KILLS=${GUARD_STATE_KILLS:-200}
# erin's limit during the kills
ELIMIT=20
[[ $KILLS =~ ^[1-9][0-9]*$ ]] || fail "GUARD_STATE_KILLS must be a positive number, not '$KILLS'"
T=$(mktemp -d)
TICKS=$T/ticks
trap 'rm -rf -- "$T"' EXIT

as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
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

# store_files: the names in /var/lib/guard but the database and its -wal and
# -shm (race-safe creation leaves nothing else).
store_files() {
	local f out=""
	for f in /var/lib/guard/* /var/lib/guard/.[!.]*; do
		[[ -e $f || -L $f ]] || continue
		case ${f##*/} in
		guard.db | guard.db-wal | guard.db-shm) ;;
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

step "setup: the tick command and a policy with a limit, an approval rule and a free rule"
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
guardctl check >/dev/null || fail "the test policy does not pass check"
[[ ! -e $DB ]] || fail "the sandbox has a store already"
alice_uid=$(id -u alice)
erin_uid=$(id -u erin)

# ---------------------------------------------------------------------------
step "limit: 64 concurrent runs under 5/1h, the store created by the first of them"
gated "$T/limit" 64 alice tick "L%i"
allowed=$(count_rc "$T/limit" 0)
denied=$(count_rc "$T/limit" 1)
echo "   exit 0: $allowed, exit 1: $denied"
assert_eq 5 "$allowed" "runs allowed under limit 5/1h"
assert_eq 59 "$denied" "runs refused under limit 5/1h"
ran_ok="" refused_ok=0
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
assert_exit 1 as alice "$G" tick L65
assert_contains "$ERR" "limit 5/1h reached, next at "
assert_eq 0 "$(ticks start L65)" "a run past the limit"

# ---------------------------------------------------------------------------
step "run ID: 32 concurrent uses of one approval, exactly one runs"
assert_exit 0 as bob "$G" request tick A1
id1=$OUT
[[ $id1 =~ ^[0-9]+$ ]] || fail "request printed '$id1', not an id"
assert_exit 0 as carol "$G" approve "$id1"
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

# ---------------------------------------------------------------------------
step "repeat: 32 concurrent repeats of an approved command, exactly one runs"
assert_exit 0 as bob "$G" request tick A2
id2=$OUT
[[ $id2 =~ ^[0-9]+$ ]] || fail "request printed '$id2', not an id"
assert_exit 0 as carol "$G" approve "$id2"
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

# ---------------------------------------------------------------------------
step "kill -9: $KILLS decisions, each guardctl killed after 0-50 ms"
napp=24
declare -A app_tok=()
app_ids=()
for i in $(seq 1 "$napp"); do
	assert_exit 0 as bob "$G" request tick "R$i"
	app_ids+=("$OUT")
	app_tok[$OUT]=R$i
	assert_exit 0 as carol "$G" approve "$OUT"
done
q "SELECT id FROM decisions ORDER BY id DESC LIMIT 1" >"$T/last_before"

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
workers=4
spids=()
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

step "kill -9: the store opens and is intact"
assert_exit 0 "$G" status
assert_contains "$OUT" "not frozen"
assert_eq "ok" "$(q "PRAGMA integrity_check")" "PRAGMA integrity_check"
assert_eq "" "$(q "PRAGMA foreign_key_check")" "PRAGMA foreign_key_check"
assert_eq "" "$(store_files)" "files left in /var/lib/guard"
assert_eq "600 root" "$(stat -c '%a %U' "$DB")" "the store"

# The ledger as it is after the storm: decisions about K tokens (dave,
# erin) and the decisions that spent an approval.
declare -A krows=() kdec=() kexit=() arows=()
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

killed=0 finished=0 no_row=0 before_exec=0 in_exec=0 bad=""
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

step "kill -9: every command that ran has its decision, once"
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

step "kill -9: no approval spent twice"
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
spent=0
for id in "${app_ids[@]}"; do
	[[ ${arows[$id]:-0} == 1 ]] && spent=$((spent + 1))
done
echo "   approvals spent during the storm: $spent of $napp"

step "kill -9: what is left of each approval is usable exactly once"
for id in "${app_ids[@]}"; do
	tok=${app_tok[$id]}
	if [[ ${arows[$id]:-0} == 1 ]]; then
		assert_exit 1 as bob "$G" run "$id"
		assert_contains "$ERR" "request $id is used"
	else
		assert_exit 0 as bob "$G" run "$id"
		assert_eq 1 "$(ticks start "$tok")" "runs of approval $id after the storm"
		assert_exit 1 as bob "$G" run "$id"
	fi
	assert_eq 1 "$(q "SELECT count(*) FROM decisions WHERE approval_id = $id")" "decisions spending approval $id"
done

step "kill -9: no limit overspent, and the rest of it exactly usable"
erin_allowed=$(q "SELECT count(*) FROM decisions WHERE actor_uid = $erin_uid AND decision = 'allow'")
erin_uses=$(q "SELECT count(*) FROM limit_uses WHERE actor_uid = $erin_uid AND rule = 'erin-limit'")
echo "   erin: $erin_allowed allowed during the storm (limit $ELIMIT/1h)"
[[ $erin_allowed -le $ELIMIT ]] || fail "limit $ELIMIT/1h overspent: $erin_allowed allowed decisions"
assert_eq "$erin_allowed" "$erin_uses" "limit uses against allowed decisions"
assert_eq 0 "$(q "SELECT count(*) FROM limit_uses u LEFT JOIN decisions d ON d.id = u.decision_id
	WHERE u.actor_uid = $erin_uid AND (d.id IS NULL OR d.decision != 'allow')")" \
	"limit uses without their allowed decision"
for ((i = erin_allowed + 1; i <= ELIMIT; i++)); do
	assert_exit 0 as erin "$G" tick "E$i"
done
assert_exit 1 as erin "$G" tick "E$((ELIMIT + 1))"
assert_contains "$ERR" "limit $ELIMIT/1h reached, next at "
assert_eq "$ELIMIT" "$(q "SELECT count(*) FROM decisions WHERE actor_uid = $erin_uid AND decision = 'allow'")" \
	"erin's allowed decisions in all"

step "kill -9: a following guardctl works and is recorded"
before=$(q "SELECT count(*) FROM decisions")
assert_exit 0 as dave "$G" tick after
assert_eq 1 "$(ticks start after)" "the command after the storm"
assert_eq $((before + 1)) "$(q "SELECT count(*) FROM decisions")" "decisions after one more run"
assert_eq "allow|0" "$(q "SELECT decision, exit_status FROM decisions ORDER BY id DESC LIMIT 1")" \
	"the last decision"
assert_eq "ok" "$(q "PRAGMA integrity_check")" "PRAGMA integrity_check at the end"
