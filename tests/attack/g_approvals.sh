#!/bin/bash
# Approvals are given for identities, for what the approver saw and for the
# rule that asked (docs/design.md "Approvals, break-glass, freeze"), through the
# installed setuid guardctl and pam_guard.so in the sandbox. bob (admins)
# asks, carol (guard-approvers) approves.
#
#   G9 identities, not names . case_rename_swap: approved `usermod -aG sudo
#                              gg1`, then gg1 renamed and another account
#                              renamed to gg1: run ID refuses, naming the
#                              uids, and so does repeating the command (it
#                              files a new request showing the new uid);
#                              case_uid_changed (usermod -u after the
#                              approval); case_group_renamed (the approved
#                              group renamed away and sudo renamed to its
#                              name); case_gid_changed (groupmod -g);
#                              case_requester_reused (the requester renamed,
#                              another account given the name: neither runs
#                              it); case_pam_target_swap (an approved su to an
#                              account that was then swapped: refused)
#   G10 what the approver sees case_masked_display: list and approve show the
#                              stored argv quoted, only the classifier's
#                              secrets masked, with actions and ids:
#                              `usermod -c -p -aGsudo` (-p is -c's value),
#                              `usermod -c -xp -aGsudo`, `usermod -c
#                              --password -aGsudo`, `useradd -c -mp -G sudo`,
#                              a real `useradd -mp HASH -G sudo` (the hash
#                              never shown), gpasswd; history keeps the true
#                              text; case_batch_accounts: a chpasswd request
#                              of 30 accounts lists the first 20 and a count
#   G11 bound to its rule ..... case_stronger_rule (a rule needing 2 votes by
#                              %security decides now), case_approver_removed
#                              (carol left guard-approvers before the run),
#                              case_count_raised (the rule now needs 2): none
#                              runs, each says why
#   controls ................. case_plain_request: an approver sees, approves
#                              and the request runs; case_pam_once: an
#                              approved su (pamtester through pam_guard.so)
#                              passes once, not twice

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

G=$GUARDCTL
DB=/var/lib/guard/guard.db

# write_policy [ESCALATION-EXTRA] [RULES-BEFORE]: the approvals policy.
write_policy() {
	cat >/etc/guard/guard.conf <<EOF
settings {
  mode         = enforce
  default      = deny
  audit        = off
  journal      = no
  timezone     = "UTC"
  approvers    = { "%guard-approvers" }
  approval_ttl = 30m
}
privileged_groups = { "root", "sudo", "admins" }
protected_users   = { "root", "uid:0-999" }
${2:-}
rule "escalation" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = approve
  ${1:-}
}
rule "admins-change" {
  actions  = { "user.create", "user.modify", "user.password", "group.create", "group.member.add", "group.member.remove" }
  actors   = { "%admins" }
  targets  = { "!@protected" }
  decision = approve
}
command "useradd"  { path = "/usr/sbin/useradd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "gpasswd"  { path = "/usr/bin/gpasswd" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
EOF
	chmod 0644 /etc/guard/guard.conf
	"$G" check >/dev/null || fail "the test policy does not pass check: $("$G" check 2>&1)"
}

# A fresh account (root's useradd, no Guard): prints nothing.
mkuser() {
	useradd -M -s /usr/sbin/nologin "$@" >/dev/null
}

# request USER ARGS...: files a request as USER; REQ is its id.
request() {
	local u=$1
	shift
	assert_exit 0 as_user "$u" "$G" request "$@"
	REQ=$(tail -n 1 <<<"$OUT")
	[[ $REQ =~ ^[0-9]+$ ]] || fail "request printed '$OUT', not an id"
}

# in_group USER GROUP: is USER a supplementary member of GROUP?
in_group() {
	id -nG "$1" | tr ' ' '\n' | grep -qxF "$2"
}

setup() {
	write_policy
	rm -rf /var/lib/guard
	install -d -m 0700 -o root -g root /var/lib/guard
}

# ---------------------------------------------------------------------------
# G9: identities, not names

case_rename_swap() {
	local old_uid new_uid
	mkuser gg1
	mkuser mallory1
	old_uid=$(id -u gg1)
	new_uid=$(id -u mallory1)
	request bob usermod -aG sudo gg1
	assert_exit 0 as_user carol "$G" list
	LIST=$OUT
	assert_exit 0 as_user carol "$G" approve "$REQ"
	usermod -l gg1-old gg1
	usermod -l gg1 mallory1
	run_cmd as_user bob "$G" run "$REQ"
	in_group gg1 sudo && fail "the account renamed to gg1 was put in sudo"
	in_group gg1-old sudo && fail "the original account was put in sudo after all"
	assert_eq 1 "$STATUS" "exit status of run $REQ"
	assert_contains "$ERR" "target gg1 was uid $old_uid when approved, is now uid $new_uid"
	assert_contains "$LIST" "gg1 (uid $old_uid)" "list shows the target's uid"
	assert_contains "$LIST" "group sudo (gid $(getent group sudo | cut -d: -f3))" "list shows the gid"
	assert_contains "$LIST" "bob (uid $(id -u bob))" "list shows the requester's uid"
	# Repeating the command: not spent, a new request with the new uid.
	assert_exit 1 as_user bob "$G" usermod -aG sudo gg1
	assert_contains "$ERR" "request $REQ is not spent: target gg1 was uid $old_uid"
	assert_contains "$ERR" "filed"
	in_group gg1 sudo && fail "the repeat put the renamed account in sudo"
	assert_exit 0 as_user carol "$G" list --json
	assert_contains "$OUT" "\"uid\":$new_uid" "the new request binds the new uid"
	assert_eq "approved" "$(sqlite3 "$DB" "SELECT status FROM approvals WHERE id = $REQ")" \
		"the old approval stays unspent"
}

case_uid_changed() {
	local old_uid
	mkuser gg2
	old_uid=$(id -u gg2)
	request bob usermod -aG sudo gg2
	assert_exit 0 as_user carol "$G" approve "$REQ"
	usermod -u 23456 gg2
	assert_exit 1 as_user bob "$G" run "$REQ"
	assert_contains "$ERR" "target gg2 was uid $old_uid when approved, is now uid 23456"
	in_group gg2 sudo && fail "gg2 was put in sudo"
	true
}

case_group_renamed() {
	local staff_gid sudo_gid
	mkuser gg3
	groupadd staffx
	staff_gid=$(getent group staffx | cut -d: -f3)
	sudo_gid=$(getent group sudo | cut -d: -f3)
	request bob usermod -aG staffx gg3
	assert_exit 0 as_user carol "$G" approve "$REQ"
	# The approved, harmless group out of the way; sudo under its name.
	groupmod -n staffx-old staffx
	groupmod -n staffx sudo
	run_cmd as_user bob "$G" run "$REQ"
	# sudo back under its name before any assertion: the other cases use it.
	groupmod -n sudo staffx
	in_group gg3 sudo && fail "gg3 was put in gid $sudo_gid (sudo renamed to staffx)"
	assert_eq 1 "$STATUS" "exit status of run $REQ"
	assert_contains "$ERR" "group staffx was gid $staff_gid when approved, is now gid $sudo_gid"
}

case_gid_changed() {
	local old_gid
	mkuser gg4
	groupadd staffy
	old_gid=$(getent group staffy | cut -d: -f3)
	request bob usermod -aG staffy gg4
	assert_exit 0 as_user carol "$G" approve "$REQ"
	groupmod -g 34567 staffy
	assert_exit 1 as_user bob "$G" run "$REQ"
	assert_contains "$ERR" "group staffy was gid $old_gid when approved, is now gid 34567"
	in_group gg4 staffy && fail "gg4 was put in staffy"
	true
}

case_requester_reused() {
	local old_uid
	mkuser -G admins req1
	mkuser gg5
	old_uid=$(id -u req1)
	request req1 usermod -aG sudo gg5
	assert_exit 0 as_user carol "$G" approve "$REQ"
	usermod -l req1-old req1
	groupmod -n req1-old req1
	mkuser -G admins req1
	# The name's new holder: not theirs.
	assert_exit 1 as_user req1 "$G" run "$REQ"
	assert_contains "$ERR" "request $REQ is not a command you asked for"
	# The uid that asked, under another name now: the approver approved req1.
	assert_exit 1 as_user req1-old "$G" run "$REQ"
	assert_contains "$ERR" "requester req1 (uid $old_uid) is now named req1-old"
	in_group gg5 sudo && fail "gg5 was put in sudo"
	true
}

# ---------------------------------------------------------------------------
# G10: what the approver sees

# shows_args WHAT ARGS...: bob requests ARGS; carol's list and approve show
# the command as WHAT, never "HASH".
shows_args() {
	local want=$1
	shift
	request bob "$@"
	assert_exit 0 as_user carol "$G" list
	LIST=$OUT
	assert_contains "$OUT" "runs:     $want" "list shows what will run"
	assert_not_contains "$OUT" "HASH" "a second masking"
	assert_exit 0 as_user carol "$G" list --json
	assert_contains "$OUT" "\"command\":\"$want\"" "list --json shows what will run"
	assert_exit 0 as_user carol "$G" deny "$REQ"
}

case_masked_display() {
	write_policy
	# shellcheck disable=SC2016 # a literal hash
	local sudo_gid hash='$6$saltsalt$Q9Vx0nVzSecretHashValueThatMustNotLeak'
	sudo_gid=$(getent group sudo | cut -d: -f3)
	mkuser gg6
	shows_args "usermod -c -p -aGsudo gg6" usermod -c -p -aGsudo gg6
	assert_contains "$LIST" "role.escalate to gg6 (uid $(id -u gg6)) via group sudo (gid $sudo_gid)"
	shows_args "usermod -c -xp -aGsudo gg6" usermod -c -xp -aGsudo gg6
	shows_args "usermod -c --password -aGsudo gg6" usermod -c --password -aGsudo gg6
	shows_args "useradd -c -mp -G sudo newacct6" useradd -c -mp -G sudo newacct6
	# A real secret: masked once, where useradd's grammar puts it.
	shows_args "useradd '-mp********' -G sudo newacct7" useradd "-mp$hash" -G sudo newacct7
	assert_not_contains "$OUT" "SecretHashValue" "the hash in list --json"
	shows_args "gpasswd -a gg6 sudo" gpasswd -a gg6 sudo
	assert_contains "$LIST" "group.member.add of gg6 (uid $(id -u gg6)), group sudo (gid $sudo_gid)"

	# The approver approves what they saw, and approve shows it too.
	request bob usermod -c -p -aGsudo gg6
	assert_exit 0 as_user carol "$G" approve "$REQ"
	assert_contains "$OUT" "runs:     usermod -c -p -aGsudo gg6" "approve shows what will run"
	assert_contains "$OUT" "gg6 (uid $(id -u gg6))" "approve shows the target's uid"
	# The ledger keeps the true text.
	assert_exit 0 "$G" history
	assert_contains "$OUT" "usermod -c -p -aGsudo gg6" "history"
	assert_not_contains "$OUT" "HASH" "history masks twice"
	assert_not_contains "$(sqlite3 "$DB" "SELECT argv FROM decisions")" "HASH" "the ledger"
	assert_exit 0 as_user bob "$G" run "$REQ"
	in_group gg6 sudo || fail "the approved command did not run"
	assert_eq "-p" "$(getent passwd gg6 | cut -d: -f5)" "gg6's comment"
}

case_batch_accounts() {
	local i batch=""
	for i in $(seq 1 30); do
		mkuser "bt$i"
		batch+="bt$i:Secret-Batch-Password-$i"$'\n'
	done
	assert_exit 0 as_user bob "$G" request chpasswd < <(printf '%s' "$batch")
	REQ=$(tail -n 1 <<<"$OUT")
	assert_exit 0 as_user carol "$G" list
	assert_contains "$OUT" "user.password of bt1 (uid $(id -u bt1))" "the batch's first account"
	assert_contains "$OUT" "(and 10 more: 30 in all)" "the batch's count"
	assert_not_contains "$OUT" "bt25 " "beyond the bound"
	assert_not_contains "$OUT" "Secret-Batch-Password" "a batch's password"
	assert_exit 0 as_user carol "$G" list --json
	assert_contains "$OUT" "\"actions_total\":30"
	assert_not_contains "$OUT" "Secret-Batch-Password" "a batch's password in JSON"
}

# ---------------------------------------------------------------------------
# G11: an approval is bound to its rule

case_stronger_rule() {
	write_policy
	mkuser gg7
	groupadd -f security
	request bob usermod -aG sudo gg7
	assert_exit 0 as_user carol "$G" approve "$REQ"
	write_policy "" 'rule "escalation-strict" {
  actions   = { "role.escalate" }
  actors    = { "%admins" }
  decision  = approve
  approvals = 2
  approvers = { "%security" }
}'
	assert_exit 1 as_user bob "$G" run "$REQ"
	assert_contains "$ERR" "request $REQ is not run: it was approved under rule \"admins-change,escalation\"; rule \"escalation-strict\" decides now and needs 2 approvals by %security"
	in_group gg7 sudo && fail "gg7 was put in sudo under a weaker approval"
	write_policy
	true
}

case_approver_removed() {
	write_policy
	mkuser gg8
	request bob usermod -aG sudo gg8
	assert_exit 0 as_user carol "$G" approve "$REQ"
	gpasswd -d carol guard-approvers >/dev/null
	run_cmd as_user bob "$G" run "$REQ"
	gpasswd -a carol guard-approvers >/dev/null
	assert_eq 1 "$STATUS" "exit status of run $REQ"
	assert_contains "$ERR" "request $REQ is not run: carol is no longer an approver for rule \"admins-change\" (it needs 1 approval by %guard-approvers (the settings' approvers))"
	in_group gg8 sudo && fail "gg8 was put in sudo on a removed approver's vote"
	true
}

case_count_raised() {
	write_policy
	mkuser gg9
	request bob usermod -aG sudo gg9
	assert_exit 0 as_user carol "$G" approve "$REQ"
	write_policy "approvals = 2"
	run_cmd as_user bob "$G" run "$REQ"
	write_policy
	assert_eq 1 "$STATUS" "exit status of run $REQ"
	assert_contains "$ERR" "it has 1 approval; rule \"escalation\" now needs 2 approvals by %guard-approvers"
	in_group gg9 sudo && fail "gg9 was put in sudo with too few votes"
	true
}

# ---------------------------------------------------------------------------
# Controls

case_plain_request() {
	write_policy
	mkuser gg10
	request bob usermod -c Plain gg10
	assert_exit 0 as_user carol "$G" list
	assert_contains "$OUT" "runs:     usermod -c Plain gg10"
	assert_contains "$OUT" "user.modify of gg10 (uid $(id -u gg10))"
	assert_contains "$OUT" "rule \"admins-change\" needs 1 approval by %guard-approvers (the settings' approvers)"
	assert_exit 0 as_user carol "$G" approve "$REQ"
	assert_contains "$OUT" "request $REQ approved"
	assert_exit 0 as_user bob "$G" run "$REQ"
	assert_eq "Plain" "$(getent passwd gg10 | cut -d: -f5)" "gg10's comment"
}

pam_ready() {
	local dir
	dir=$(dirname -- "$(readlink -f -- "$(find /usr/lib /lib -maxdepth 3 -name pam_unix.so -print -quit)")")
	[[ -f $dir/pam_guard.so ]] || skip "pam_guard.so is not installed in the sandbox"
	command -v pamtester >/dev/null || skip "pamtester is not installed"
	cat >/etc/pam.d/guard-g <<'PAM'
auth     requisite pam_guard.so action=role.escalate
auth     required  pam_permit.so
account  required  pam_guard.so action=role.escalate
PAM
}

case_pam_once() {
	write_policy
	local id
	pam_ready
	mkuser gg11
	assert_exit 1 pamtester -I ruser=bob guard-g gg11 authenticate
	assert_contains "$ERR" "approval request"
	id=$(sed -n 's/.*approval request \([0-9]*\) filed.*/\1/p' <<<"$ERR" | head -n 1)
	[[ $id =~ ^[0-9]+$ ]] || fail "no request id in: $ERR"
	assert_exit 0 as_user carol "$G" list
	assert_contains "$OUT" "role.escalate to gg11 (uid $(id -u gg11))"
	assert_exit 0 as_user carol "$G" approve "$id"
	assert_exit 0 pamtester -I ruser=bob guard-g gg11 authenticate
	assert_exit 1 pamtester -I ruser=bob guard-g gg11 authenticate
	assert_contains "$ERR" "approval request"
}

# The PAM safe path names `guardctl request --service NAME --target USER`:
# it runs as printed, files the request pam_guard's repeat then spends once.
case_pam_request_in_advance() {
	# request --service finds the action in the policy's service block.
	write_policy "" 'service "guard-g" { action = "role.escalate" }'
	local id
	pam_ready
	mkuser gg13
	assert_exit 1 pamtester -I ruser=bob guard-g gg13 authenticate
	assert_contains "$ERR" "guardctl request --service guard-g --target gg13"
	request bob --service guard-g --target gg13
	id=$REQ
	assert_exit 0 as_user carol "$G" list
	assert_contains "$OUT" "role.escalate to gg13 (uid $(id -u gg13))"
	assert_exit 0 as_user carol "$G" approve "$id"
	assert_exit 0 pamtester -I ruser=bob guard-g gg13 authenticate
	assert_exit 1 pamtester -I ruser=bob guard-g gg13 authenticate
	step "request --service for no decision: one's own account, an unmapped service"
	assert_exit 0 as_user bob "$G" request --service guard-g --target bob
	assert_contains "$OUT" "no approval needed"
	assert_exit 0 as_user bob "$G" request --service no-such-service
	assert_contains "$OUT" "no approval needed"
}

case_pam_target_swap() {
	write_policy
	local id old_uid new_uid
	pam_ready
	mkuser gg12
	mkuser mallory12
	old_uid=$(id -u gg12)
	new_uid=$(id -u mallory12)
	assert_exit 1 pamtester -I ruser=bob guard-g gg12 authenticate
	id=$(sed -n 's/.*approval request \([0-9]*\) filed.*/\1/p' <<<"$ERR" | head -n 1)
	[[ $id =~ ^[0-9]+$ ]] || fail "no request id in: $ERR"
	assert_exit 0 as_user carol "$G" approve "$id"
	usermod -l gg12-old gg12
	usermod -l gg12 mallory12
	assert_exit 1 pamtester -I ruser=bob guard-g gg12 authenticate
	assert_contains "$ERR" "request $id is not spent: target gg12 was uid $old_uid when approved, is now uid $new_uid"
}

setup
attack_case "G9 identities: target renamed, another renamed to its name" case_rename_swap
attack_case "G9 identities: target's uid changed (usermod -u)" case_uid_changed
attack_case "G9 identities: group renamed, sudo renamed to its name" case_group_renamed
attack_case "G9 identities: group's gid changed (groupmod -g)" case_gid_changed
attack_case "G9 identities: requester renamed, name reused" case_requester_reused
attack_case "G9 identities: PAM approval, target swapped" case_pam_target_swap
attack_case "G10 display: the stored argv, masked once, with actions and ids" case_masked_display
attack_case "G10 display: a batch's accounts, bounded" case_batch_accounts
attack_case "G11 rule: a stronger rule decides now" case_stronger_rule
attack_case "G11 rule: the approver left the approvers" case_approver_removed
attack_case "G11 rule: the approvals count raised" case_count_raised
attack_case "control: an approver sees, approves, it runs" case_plain_request
attack_case "control: a PAM approval lets su through once" case_pam_once
attack_case "control: a PAM approval filed in advance with request --service" case_pam_request_in_advance
attack_done
