#!/bin/bash
# The privilege model (docs/design.md, "The privilege model"): what an operator's
# rights reach is computed, not only listed. Tried as helpdesk (alice),
# whose only rule allows ordinary accounts and groups ("!@protected",
# "!@privileged"). Runs inside the sandbox.
#
#   role groups are @privileged ..... case_role_oncall, case_role_approvers,
#                                     case_role_own_group, case_role_admins,
#                                     case_role_rule_approvers,
#                                     case_role_gid, case_role_batch
#   the utmp writer is @privileged .. case_utmp_group
#   a missing role group ............ case_missing_role_check,
#                                     case_missing_role_refuses
#   @protected is computed .......... case_protected_sudo_member,
#                                     case_protected_role_member,
#                                     case_protected_primary,
#                                     case_protected_uid0_alias
#   usermod -u ...................... case_uid_renumbered (the old uid's
#                                     files go to its next account)
#   system groups ................... case_system_group (groupadd -r, -g
#                                     below GID_MIN, addgroup --system,
#                                     --firstgid), case_system_group_join
#                                     (mail, by every tool)
#   what sudoers grants ............. case_sudoers_grants (a %group, an
#                                     account, a uid, a name not yet
#                                     made, an include), case_doas_grants
#   what helpdesk may still do ...... case_controls

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"

# The attack policy, with a break-glass role, a role named only in one
# rule's approvers (%security), and no role group listed in
# privileged_groups: each is privileged because the policy gives it a role.
# uid 0 is left out of protected_users: an alias of root is protected
# because of its uid, not because a range lists it.
model_policy() {
	cat <<'EOF'
settings {
  mode        = enforce
  default     = deny
  audit       = off
  approvers   = { "%guard-approvers" }
  break_glass = { "%oncall" }
  timezone    = "system"
  home_roots  = { "/home" }
}

privileged_groups = { "root", "sudo", "wheel" }
protected_users   = { "root", "uid:1-999" }

rule "deny-protected" {
  actions  = { "user.delete", "user.modify", "user.password", "user.lock", "user.unlock" }
  targets  = { "@protected" }
  decision = deny
  message  = "System accounts are managed elsewhere."
}

rule "helpdesk" {
  actions  = { "user.create", "user.modify", "user.password", "user.lock", "user.unlock", "user.delete", "group.create", "group.modify", "group.member.add", "group.member.remove" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  groups   = { "!@privileged" }
  decision = allow
  message  = "Helpdesk manages ordinary accounts."
}

rule "escalation" {
  actions  = { "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}

rule "audited-removal" {
  actions   = { "group.delete" }
  actors    = { "%admins" }
  decision  = approve
  approvers = { "%security" }
}

command "useradd"  { path = "/usr/sbin/useradd" }
command "usermod"  { path = "/usr/sbin/usermod" }
command "groupadd" { path = "/usr/sbin/groupadd" }
command "groupmod" { path = "/usr/sbin/groupmod" }
command "gpasswd"  { path = "/usr/bin/gpasswd" }
command "passwd"   { path = "/usr/bin/passwd" }
command "chage"    { path = "/usr/bin/chage" }
command "chpasswd" { path = "/usr/sbin/chpasswd" }
command "newusers" { path = "/usr/sbin/newusers" }
command "adduser"  { path = "/usr/sbin/adduser" }
EOF
}

attack_init "$@"
groupadd security
model_policy >"$T/model.conf"
install_policy "$T/model.conf"
# Accounts helpdesk should never reach, made by root: a sudo member, a
# member of a role group, one whose primary group is sudo, an alias of root.
useradd -m -K UID_MIN=1000 -G sudo vic
useradd -m -K UID_MIN=1000 -G oncall rolf
useradd -m -K UID_MIN=1000 -g sudo -N pia
useradd -o -u 0 -M -d /root -s /bin/bash toor
HASH='$6$attack$notarealhashbutafixedone'

# refused_as_alice WHAT ARGS...: guardctl ARGS as alice, really run: not
# allowed, and the refusal is Guard's (exit 1).
refused_as_alice() {
	local what=$1
	shift
	run_cmd as_alice_clean "$GUARDCTL" "$@"
	assert_not_allowed "$what"
}

# member GROUP USER: does /etc/group list USER in GROUP?
member() {
	getent group "$1" | cut -d: -f4 | tr ',' '\n' | grep -qx -- "$2"
}

# Joining a role group grants its role: a role.escalate that names it, for
# every way of joining.
case_role_oncall() {
	local req
	for req in "usermod -aG oncall dave" "usermod -G oncall dave" "usermod -a -G users,oncall dave" \
		"gpasswd -a dave oncall" "gpasswd -M dave oncall" "gpasswd -A dave oncall" \
		"useradd -m -G oncall newrole" "useradd -m -g oncall newrole" "adduser dave oncall"; do
		step "refused: $req"
		# shellcheck disable=SC2086 # req is a list of words
		refused_as_alice "$req" $req
		assert_contains "$ERR$OUT" "a Guard role: %oncall may break the glass" "$req names the role"
		assert_eq "" "$(member oncall dave && echo member)" "dave is not in oncall after $req"
	done
	assert_eq "" "$(getent passwd newrole)" "no account newrole"
	step "explain says so: role.escalate via group oncall"
	run_cmd as_alice_clean "$GUARDCTL" explain usermod -aG oncall dave
	assert_contains "$OUT" "role.escalate to dave via group oncall (a Guard role: %oncall may break the glass): deny"
}

case_role_approvers() {
	refused_as_alice "guard-approvers" usermod -aG guard-approvers dave
	assert_contains "$ERR" "%guard-approvers approves requests"
	refused_as_alice "a new approver" useradd -m -G guard-approvers approver2
	assert_eq "" "$(getent passwd approver2)" "no account approver2"
	assert_eq "" "$(member guard-approvers dave && echo member)" "dave is not an approver"
}

# Helpdesk's own group is a role: its members act under the helpdesk rule.
case_role_own_group() {
	refused_as_alice "helpdesk" usermod -aG helpdesk dave
	assert_contains "$ERR" "%helpdesk is an actor of allow rule \"helpdesk\""
	refused_as_alice "helpdesk by gpasswd" gpasswd -a dave helpdesk
	assert_eq "" "$(member helpdesk dave && echo member)" "dave is not in helpdesk"
}

case_role_admins() {
	refused_as_alice "admins" usermod -aG admins dave
	assert_contains "$ERR" "%admins is an actor of approve rule \"escalation\""
	refused_as_alice "admins, new account" useradd -m -G admins newadmin
	assert_eq "" "$(getent passwd newadmin)" "no account newadmin"
}

# A group named only in one rule's approvers is a role all the same.
case_role_rule_approvers() {
	refused_as_alice "security" usermod -aG security dave
	assert_contains "$ERR" "%security approves requests under rule \"audited-removal\""
	assert_eq "" "$(member security dave && echo member)" "dave is not in security"
}

# A role group's gid is the role group: another group moved onto it, or a
# primary group given by number.
case_role_gid() {
	local gid
	gid=$(getent group oncall | cut -d: -f3)
	run_cmd as_alice_clean "$GUARDCTL" explain groupmod -o -g "$gid" users
	assert_not_allowed "groupmod onto oncall's gid"
	assert_contains "$OUT" "gid $gid of group oncall (a Guard role: %oncall may break the glass)"
	refused_as_alice "useradd -g GID" useradd -m -g "$gid" newrole
	assert_contains "$ERR" "a Guard role: %oncall may break the glass"
	assert_eq "" "$(getent passwd newrole)" "no account newrole"
}

# newusers' group field joins a role group like -g does.
case_role_batch() {
	run_cmd as_alice_clean bash -c "printf 'newrole:x::oncall:New:/home/newrole:/bin/bash\n' | $GUARDCTL newusers"
	assert_not_allowed "newusers into oncall"
	assert_contains "$ERR" "a Guard role: %oncall may break the glass"
	assert_eq "" "$(getent passwd newrole)" "no account newrole"
}

# A group that can write the utmp file could write any location: it is
# privileged though no list names it; when the file is not group-writable
# the same group is only what its gid makes it (a system group on Debian).
case_utmp_group() {
	getent group utmp >/dev/null || skip "no utmp group"
	local had=0
	[[ -e /run/utmp ]] && had=1
	touch /run/utmp
	chown root:utmp /run/utmp
	chmod 0664 /run/utmp
	refused_as_alice "utmp" usermod -aG utmp dave
	assert_contains "$ERR" "group utmp is @privileged (it can write the utmp file)"
	run_cmd as_alice_clean "$GUARDCTL" explain usermod -aG utmp dave
	assert_contains "$OUT" "role.escalate to dave via group utmp (it can write the utmp file): deny"
	assert_eq "" "$(member utmp dave && echo member)" "dave is not in utmp"
	step "control: not group-writable, utmp no longer writes the location (a system group still)"
	chmod 0644 /run/utmp
	run_cmd as_alice_clean "$GUARDCTL" explain usermod -aG utmp dave
	assert_not_contains "$OUT" "can write the utmp file" "utmp without group write"
	assert_contains "$OUT" "system group utmp"
	chmod 0664 /run/utmp
	[[ $had == 1 ]] || rm -f /run/utmp
}

# A role group that does not exist: creating it would grant the role. An
# error for check, naming the file and line; a refusal for every decision.
case_missing_role_check() {
	local line
	sed 's/"%security"/"%sre"/' "$T/model.conf" >"$T/missing.conf"
	install_policy "$T/missing.conf"
	line=$(grep -n '^rule "audited-removal"' "$T/missing.conf" | cut -d: -f1)
	run_cmd "$GUARDCTL" check
	assert_clean_exit 2
	assert_contains "$ERR" "/etc/guard/guard.conf:$line: error: role group %sre does not exist: creating it would grant the role"
	assert_eq "" "$OUT" "no OK line"
	sed 's/"%oncall"/"%nightshift"/' "$T/model.conf" >"$T/missing.conf"
	install_policy "$T/missing.conf"
	line=$(grep -n '^settings' "$T/missing.conf" | cut -d: -f1)
	run_cmd "$GUARDCTL" check
	assert_clean_exit 2
	assert_contains "$ERR" "/etc/guard/guard.conf:$line: error: role group %nightshift does not exist"
	step "control: the policy whose role groups exist passes"
	install_policy "$T/model.conf"
	run_cmd "$GUARDCTL" check
	assert_eq 0 "$STATUS" "check: $ERR"
}

case_missing_role_refuses() {
	sed 's/"%security"/"%sre"/' "$T/model.conf" >"$T/missing.conf"
	install_policy "$T/missing.conf"
	step "the group-creating request that would grant the role: refused"
	refused_as_alice "groupadd sre" groupadd sre
	assert_contains "$ERR" "role group %sre does not exist: creating it would grant the role"
	assert_eq "" "$(getent group sre)" "no group sre"
	step "and every other decision: refused with the same reason"
	refused_as_alice "useradd -m f1newbie" useradd -m f1newbie
	assert_contains "$ERR" "role group %sre does not exist"
	assert_eq "" "$(getent passwd f1newbie)" "no account f1newbie"
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -m f1newbie
	assert_not_allowed "explain under a missing role group"
	assert_contains "$ERR" "role group %sre does not exist"
	install_policy "$T/model.conf"
}

# passwd, chpasswd, usermod -p/-s/-L, chage on TARGET: each refused, the
# account unchanged, and explain says why.
protected_target() {
	local target=$1 why=$2 before
	install_policy "${3:-$T/model.conf}" # whatever a case before left
	before=$(getent shadow "$target")
	run_cmd as_alice_clean "$GUARDCTL" explain passwd "$target"
	assert_not_allowed "passwd $target"
	run_cmd as_alice_clean bash -c "printf '%s:%s\n' $target newpassword | $GUARDCTL chpasswd"
	assert_not_allowed "chpasswd $target"
	refused_as_alice "usermod -p $target" usermod -p "$HASH" "$target"
	refused_as_alice "usermod -L $target" usermod -L "$target"
	refused_as_alice "chage $target" chage -M 99999 -E -1 "$target"
	assert_eq "$before" "$(getent shadow "$target")" "$target's shadow entry"
	before=$(getent passwd "$target")
	refused_as_alice "usermod -s $target" usermod -s /bin/sh "$target"
	assert_eq "$before" "$(getent passwd "$target")" "$target's passwd entry"
	run_cmd as_alice_clean "$GUARDCTL" explain passwd "$target"
	assert_contains "$OUT" "target $target (uid $(id -u "$target")) is @protected ($why)"
}

case_protected_sudo_member() {
	protected_target vic "vic is in sudo, a privileged group"
}

case_protected_role_member() {
	protected_target rolf "rolf is in %oncall, a Guard role: %oncall may break the glass"
}

case_protected_primary() {
	protected_target pia "pia is in sudo, a privileged group"
}

case_protected_uid0_alias() {
	protected_target toor "toor has uid 0"
}

# A role given to an account by name or uid range (the lists take them as
# they take %groups): protected as a role group's members are. Before,
# alice set erin's password, and erin broke the glass into sudo.
case_protected_role_user() {
	useradd -m -K UID_MIN=1000 f2erin
	sed -e 's/break_glass = { "%oncall" }/break_glass = { "%oncall", "f2erin" }/' \
		-e 's/approvers   = { "%guard-approvers" }/approvers   = { "%guard-approvers", "uid:1500" }/' \
		"$T/model.conf" >"$T/roleusers.conf"
	grep -q '"f2erin" }' "$T/roleusers.conf" || fail "the break_glass edit did not apply"
	grep -q '"uid:1500" }' "$T/roleusers.conf" || fail "the approvers edit did not apply"
	protected_target f2erin "f2erin is named in a Guard role" "$T/roleusers.conf"
	step "refused: an account made with a uid a role names"
	refused_as_alice "useradd -u 1500" useradd -u 1500 f2appr
	assert_contains "$ERR" "f2appr (uid 1500) is @protected"
	getent passwd f2appr >/dev/null && fail "useradd made f2appr"
	install_policy "$T/model.conf"
}

# newusers takes a uid by number without -o: a new name for carol's uid
# logs in as carol, an approver.
case_protected_uid_alias() {
	install_policy "$T/model.conf"
	local uid
	uid=$(id -u carol)
	run_cmd as_alice_clean bash -c "printf 'evilc:Pw-1234567:$uid:users::/home/evilc:/bin/sh\n' | $GUARDCTL newusers"
	assert_eq 1 "$STATUS" "newusers with carol's uid: $OUT $ERR"
	assert_contains "$ERR" "duplicate uid (of carol)"
	assert_eq "" "$(getent passwd evilc)" "evilc"
	run_cmd as_alice_clean bash -c "printf 'f2fresh:Pw-1234567:4711:users::/home/f2fresh:/bin/sh\n' | $GUARDCTL newusers"
	assert_eq 0 "$STATUS" "newusers with a free uid: $OUT $ERR"
	userdel -r f2fresh 2>/dev/null || true
}

# A process outlives its account: deleted while it ran (userdel -f, or a
# process in its own user and mount namespace, which userdel's own check
# skips), the uid goes to the next account, whose home the process then
# prepares (adduser copies the skeleton by path: /etc/shadow was chowned to
# the new account). Deleting or renumbering a running account, or giving a
# new one a uid a process runs with, is refused.
case_process_outlives() {
	install_policy "$T/model.conf"
	local pid uid
	useradd -m -u 3100 f2run
	# In its own namespaces where the kernel allows it (not in a chroot):
	# userdel's own check misses the process then.
	local ns=(unshare -Urm)
	setpriv --reuid=3100 --regid=3100 --clear-groups -- unshare -Urm true 2>/dev/null || ns=()
	setpriv --reuid=3100 --regid=3100 --clear-groups -- "${ns[@]}" sleep 60 &
	pid=$!
	for _ in $(seq 50); do
		[[ $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) == 3100 ]] && break
		sleep 0.1
	done
	for req in "userdel f2run" "userdel -f f2run" "deluser f2run" "usermod -u 3101 f2run"; do
		# shellcheck disable=SC2086 # req is a list of words
		run_cmd as_alice_clean "$GUARDCTL" $req
		assert_eq 1 "$STATUS" "$req while a process runs: $OUT $ERR"
		assert_contains "$ERR" "runs with uid 3100"
	done
	assert_eq 3100 "$(id -u f2run)" "f2run is still there, uid 3100"
	# Root deletes it outside Guard: the uid has no account, a process.
	userdel -f f2run 2>/dev/null
	for req in "useradd -m -u 3100 f2new" "adduser --uid 3100 --disabled-password --gecos x f2new"; do
		# shellcheck disable=SC2086
		run_cmd as_alice_clean "$GUARDCTL" $req </dev/null
		assert_eq 1 "$STATUS" "$req onto a uid a process runs with: $OUT $ERR"
		assert_contains "$ERR" "no account has it"
		getent passwd f2new >/dev/null && fail "$req made f2new"
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	uid=$(id -u dave)
	step "controls: the uid free again, an account deleted once idle"
	run_cmd as_alice_clean "$GUARDCTL" adduser --uid 3100 --disabled-password --gecos x f2new </dev/null
	assert_eq 0 "$STATUS" "adduser --uid 3100 once no process runs: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" userdel -r f2new
	assert_eq 0 "$STATUS" "userdel -r f2new: $OUT $ERR"
	assert_eq "$uid" "$(id -u dave)" "dave untouched"
}

# A group's administrators change its members with the setuid gpasswd
# directly, and a group password lets anyone who knows it in with newgrp:
# membership no rule decides and no decision records. Before, alice made
# dave administrator of a plain group, and dave added members unseen.
case_group_beside_guard() {
	install_policy "$T/model.conf"
	groupadd f1proj
	refused_as_alice "gpasswd -A dave f1proj" gpasswd -A dave f1proj
	assert_eq "" "$(getent gshadow f1proj | cut -d: -f3)" "f1proj's administrators"
	refused_as_alice "gpasswd f1proj (a group password)" gpasswd f1proj </dev/null
	assert_contains "$(getent gshadow f1proj | cut -d: -f2)" "!" "f1proj has no password"
	step "control: alice adds dave to f1proj herself, through Guard"
	run_cmd as_alice_clean "$GUARDCTL" gpasswd -a dave f1proj
	assert_eq 0 "$STATUS" "gpasswd -a dave f1proj: $OUT $ERR"
	member f1proj dave || fail "dave is not in f1proj"
	groupdel f1proj
}

# usermod -u re-owns the home only: what the account left elsewhere (a
# setuid copy in a directory of alice's) keeps the old uid, which adduser
# gives the next account it makes (the lowest free uid): an admin's, say.
case_uid_renumbered() {
	install_policy "$T/model.conf"
	run_cmd as_alice_clean "$GUARDCTL" useradd -m -u 3200 f2ren
	assert_eq 0 "$STATUS" "useradd -m -u 3200 f2ren: $OUT $ERR"
	install -d -m 0755 -o alice /home/alice/f2drop
	install -m 4755 -o 3200 -g 3200 /bin/true /home/alice/f2drop/k
	refused_as_alice "usermod -u 7777 f2ren" usermod -u 7777 f2ren
	assert_contains "$ERR" "uid change (-u)"
	assert_eq 3200 "$(id -u f2ren)" "f2ren's uid"
	step "control: the rest of usermod on the same account"
	run_cmd as_alice_clean "$GUARDCTL" usermod -c "renamed later" f2ren
	assert_eq 0 "$STATUS" "usermod -c on f2ren: $OUT $ERR"
	rm -rf /home/alice/f2drop
}

# A system group (groupadd -r, addgroup --system, a gid below GID_MIN) is
# one a package adopts by name when it is installed later ("already exists
# as a system group") and gives its powers to (wireshark's capture
# capabilities), with whatever members helpdesk put in it.
case_system_group() {
	install_policy "$T/model.conf"
	refused_as_alice "groupadd -r wireshark" groupadd -r wireshark
	refused_as_alice "groupadd --system wireshark" groupadd --system wireshark
	refused_as_alice "groupadd -g 994 wireshark" groupadd -g 994 wireshark
	refused_as_alice "addgroup --system wireshark" addgroup --system wireshark
	if getent group wireshark >/dev/null; then fail "group wireshark was made"; fi
	groupadd f1plain
	refused_as_alice "groupmod -g 994 f1plain" groupmod -g 994 f1plain
	assert_ne 994 "$(getent group f1plain | cut -d: -f3)" "f1plain's gid"
	step "addgroup's gid range below GID_MIN"
	refused_as_alice "addgroup --firstgid 994 --lastgid 994 wireshark" \
		addgroup --firstgid 994 --lastgid 994 wireshark
	refused_as_alice "adduser --group --firstgid 994 wireshark" \
		adduser --group --firstgid 994 wireshark
	if getent group wireshark >/dev/null; then fail "group wireshark was made"; fi
	step "control: an ordinary group, by groupadd and by addgroup (and a gid range above)"
	run_cmd as_alice_clean "$GUARDCTL" groupadd f1devs
	assert_eq 0 "$STATUS" "groupadd f1devs: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" addgroup f1devs2
	assert_eq 0 "$STATUS" "addgroup f1devs2: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" addgroup --firstgid 5000 --lastgid 5100 f1devs3
	assert_eq 0 "$STATUS" "addgroup --firstgid 5000 f1devs3: $OUT $ERR"
	groupdel f1plain
}

# Existing system groups the policy does not list (mail: every spool,
# /var/mail 2775 root:mail; tty, dialout, video: consoles): joined by any
# tool, a role.escalate; the tools' default group (users) is not.
case_system_group_join() {
	install_policy "$T/model.conf"
	getent group mail >/dev/null || groupadd -r mail
	[[ $(getent group mail | cut -d: -f3) -lt 1000 ]] || skip "mail is not a system group here"
	refused_as_alice "usermod -aG mail dave" usermod -aG mail dave
	assert_contains "$ERR" "system group mail"
	refused_as_alice "gpasswd -a dave mail" gpasswd -a dave mail
	refused_as_alice "useradd -G mail f1mallory" useradd -G mail f1mallory
	refused_as_alice "useradd -g mail f1mallory" useradd -g mail f1mallory
	refused_as_alice "adduser dave mail" adduser dave mail
	if id -Gn dave | grep -qw mail; then fail "dave joined mail"; fi
	if getent passwd f1mallory >/dev/null; then fail "f1mallory was made"; fi
	step "control: users (the tools' default group) and an ordinary group"
	getent group users >/dev/null || groupadd -g 100 users
	groupadd f1team
	run_cmd as_alice_clean "$GUARDCTL" usermod -aG users,f1team dave
	assert_eq 0 "$STATUS" "usermod -aG users,f1team dave: $OUT $ERR"
	id -Gn dave | grep -qw f1team || fail "dave is not in f1team"
	gpasswd -d dave users >/dev/null || true
	gpasswd -d dave f1team >/dev/null
	groupdel f1team
}

# What sudoers grants is privileged whatever privileged_groups lists: a
# site's own "%ops ALL=(ALL) ALL" in sudoers.d, an account granted by name
# ("deploy"), by uid, or a name sudoers still names for a departed admin.
# Before, alice joined dave to ops (then dave: sudo -i), set deploy's
# password, or made "olddba" anew and set its password: root each time.
case_sudoers_grants() {
	install_policy "$T/model.conf"
	groupadd -K GID_MIN=1000 f1ops
	useradd -m -K UID_MIN=1000 f1deploy
	useradd -m -K UID_MIN=1000 f1byuid
	mkdir -p /etc/sudoers.d
	printf '%s\n' '# site grants' '%f1ops ALL=(ALL) ALL' \
		'User_Alias F1DEP = f1deploy, !dave' 'F1DEP ALL=(ALL) NOPASSWD: ALL' \
		"#$(id -u f1byuid) ALL=(ALL) ALL" \
		'f1olddba, f1gone ALL=(postgres) ALL  # left in 2019' \
		'@include f1more' '#5302 ALL=(ALL) ALL' '%F1Case ALL=(ALL) ALL' >/etc/sudoers.d/f1site
	echo '%f1more ALL=(ALL) ALL' >/etc/sudoers.d/f1more
	groupadd -K GID_MIN=1000 f1more
	chmod 0440 /etc/sudoers.d/f1site /etc/sudoers.d/f1more
	visudo -cq || fail "the test's sudoers does not parse"
	step "refused: joining a group sudoers grants"
	refused_as_alice "usermod -aG f1ops dave" usermod -aG f1ops dave
	assert_contains "$ERR" "sudoers grants it: /etc/sudoers.d/f1site:2"
	refused_as_alice "gpasswd -a dave f1ops" gpasswd -a dave f1ops
	refused_as_alice "useradd -G f1ops f1mallory" useradd -G f1ops f1mallory
	refused_as_alice "usermod -aG f1more dave (an @include)" usermod -aG f1more dave
	assert_contains "$ERR" "/etc/sudoers.d/f1more:1"
	step "refused: the same group written in other case (sudo compares without case)"
	groupadd -K GID_MIN=1000 f1case
	refused_as_alice "usermod -aG f1case dave" usermod -aG f1case dave
	assert_contains "$ERR" "/etc/sudoers.d/f1site:9"
	member f1ops dave && fail "dave joined f1ops"
	member f1more dave && fail "dave joined f1more"
	member f1case dave && fail "dave joined f1case"
	step "refused: an account sudoers grants, by name or uid"
	local before
	before=$(getent shadow f1deploy)
	refused_as_alice "usermod -p f1deploy" usermod -p "$HASH" f1deploy
	run_cmd as_alice_clean bash -c "printf 'f1byuid:Pw-1234567\n' | $GUARDCTL chpasswd"
	assert_eq 1 "$STATUS" "chpasswd f1byuid: $OUT $ERR"
	assert_eq "$before" "$(getent shadow f1deploy)" "f1deploy's shadow entry"
	run_cmd as_alice_clean "$GUARDCTL" explain passwd f1deploy
	assert_contains "$OUT" "f1deploy is granted by sudoers: /etc/sudoers.d/f1site:3"
	step "refused: a name sudoers grants, made or renamed onto"
	refused_as_alice "useradd -m f1olddba" useradd -m f1olddba
	assert_contains "$ERR" "f1olddba is granted by sudoers: /etc/sudoers.d/f1site:6"
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -m f1olddba
	assert_contains "$OUT" "the name f1olddba, which sudoers grants (/etc/sudoers.d/f1site:6)"
	run_cmd as_alice_clean bash -c "printf 'f1gone:Pw-1234567:5301:5301::/home/f1gone:/bin/sh\n' | $GUARDCTL newusers"
	assert_eq 1 "$STATUS" "newusers f1gone: $OUT $ERR"
	useradd -m -K UID_MIN=1000 f1plain
	refused_as_alice "usermod -l f1olddba f1plain" usermod -l f1olddba f1plain
	refused_as_alice "useradd -o -u uid of f1byuid" useradd -o -u "$(id -u f1byuid)" f1alias
	refused_as_alice "useradd -u 5302 (a uid sudoers grants)" useradd -u 5302 f1newuid
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -u 5302 f1newuid
	assert_contains "$OUT" "role.escalate to f1newuid via protected uid 5302"
	for u in f1olddba f1gone f1alias f1mallory f1newuid; do
		getent passwd "$u" >/dev/null && fail "$u was made"
	done
	step "refused: a new account or group whose id the tool chooses, while a granted id is free"
	# #5302 (line 8) is held by no account; %#5410 by no group. useradd,
	# newusers and adduser pick the next free uid themselves: it may be
	# 5302 (pad an account to 5301 first). Before, alice did just that.
	echo '%#5410 ALL=(ALL) ALL' >>/etc/sudoers.d/f1site
	refused_as_alice "useradd -m f1auto" useradd -m f1auto
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -m f1auto
	assert_contains "$OUT" "a uid the tool chooses (sudoers grants uid 5302, which no account holds: /etc/sudoers.d/f1site:8; name one with -u)"
	run_cmd as_alice_clean bash -c "printf 'f1auto2:Pw-1234567:::x:/home/f1auto2:/bin/sh\n' | $GUARDCTL newusers"
	assert_eq 1 "$STATUS" "newusers with no uid: $OUT $ERR"
	refused_as_alice "groupadd f1autog" groupadd f1autog
	run_cmd as_alice_clean "$GUARDCTL" explain groupadd f1autog
	assert_contains "$OUT" "a gid the tool chooses (sudoers grants gid 5410, which no group holds"
	step "control: the ids named (-u, -g): allowed"
	run_cmd as_alice_clean "$GUARDCTL" useradd -m -u 5501 -g users f1auto
	assert_eq 0 "$STATUS" "useradd -u 5501 -g users f1auto: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" groupadd -g 5511 f1autog
	assert_eq 0 "$STATUS" "groupadd -g 5511 f1autog: $OUT $ERR"
	userdel -r f1auto 2>/dev/null || true
	groupdel f1autog 2>/dev/null || true
	for u in f1auto2; do
		getent passwd "$u" >/dev/null && fail "$u was made"
	done
	step "control: a negated name, a commented grant, an ordinary group"
	echo '# %f1plaingroup ALL=(ALL) ALL' >>/etc/sudoers.d/f1site
	groupadd -K GID_MIN=1000 f1plaingroup
	run_cmd as_alice_clean "$GUARDCTL" usermod -aG f1plaingroup dave
	assert_eq 0 "$STATUS" "usermod -aG f1plaingroup dave: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" usermod -p "$HASH" f1plain
	assert_eq 0 "$STATUS" "usermod -p f1plain: $OUT $ERR"
	gpasswd -d dave f1plaingroup >/dev/null
	rm -f /etc/sudoers.d/f1site /etc/sudoers.d/f1more
	step "control: the same requests once sudoers no longer grants them"
	run_cmd as_alice_clean "$GUARDCTL" usermod -aG f1ops dave
	assert_eq 0 "$STATUS" "usermod -aG f1ops dave without the grant: $OUT $ERR"
	gpasswd -d dave f1ops >/dev/null
	for u in f1deploy f1byuid f1plain; do userdel -r "$u" 2>/dev/null || true; done
	for g in f1ops f1more f1plaingroup f1case; do groupdel "$g" 2>/dev/null || true; done
}

# doas.conf grants as sudoers does: "permit :f1dops" makes a group root's,
# "permit nopass f1doasuser" an account. Before, alice joined dave to
# f1dops or set f1doasuser's password: then doas -s.
case_doas_grants() {
	install_policy "$T/model.conf"
	local saved=
	[[ -e /etc/doas.conf ]] && saved=$(cat /etc/doas.conf)
	groupadd -K GID_MIN=1000 f1dops
	useradd -m -K UID_MIN=1000 f1doasuser
	useradd -m -K UID_MIN=1000 f1doasplain
	printf '%s\n' '# site' 'permit persist :f1dops as root' 'permit nopass f1doasuser' \
		'deny f1doasplain' >/etc/doas.conf
	chmod 0600 /etc/doas.conf
	step "refused: a group and an account doas.conf grants"
	refused_as_alice "usermod -aG f1dops dave" usermod -aG f1dops dave
	assert_contains "$ERR" "doas.conf grants it: /etc/doas.conf:2"
	refused_as_alice "usermod -p f1doasuser" usermod -p "$HASH" f1doasuser
	member f1dops dave && fail "dave joined f1dops"
	step "control: a deny rule grants nothing"
	run_cmd as_alice_clean "$GUARDCTL" usermod -p "$HASH" f1doasplain
	assert_eq 0 "$STATUS" "usermod -p f1doasplain: $OUT $ERR"
	step "control: without the grants, allowed"
	rm -f /etc/doas.conf
	run_cmd as_alice_clean "$GUARDCTL" usermod -aG f1dops dave
	assert_eq 0 "$STATUS" "usermod -aG f1dops dave without doas.conf: $OUT $ERR"
	gpasswd -d dave f1dops >/dev/null
	if [[ -n $saved ]]; then
		printf '%s\n' "$saved" >/etc/doas.conf
		chmod 0600 /etc/doas.conf
	fi
	userdel -r f1doasuser 2>/dev/null || true
	userdel -r f1doasplain 2>/dev/null || true
	groupdel f1dops 2>/dev/null || true
}

# What helpdesk is for still works, really run.
case_controls() {
	install_policy "$T/model.conf"
	run_cmd as_alice_clean "$GUARDCTL" useradd -m f1newbie
	assert_eq 0 "$STATUS" "useradd -m f1newbie: $OUT $ERR"
	assert_ne "" "$(getent passwd f1newbie)" "f1newbie exists"
	run_cmd as_alice_clean "$GUARDCTL" usermod -aG users dave
	assert_eq 0 "$STATUS" "usermod -aG users dave: $OUT $ERR"
	member users dave || fail "dave is in users"
	run_cmd as_alice_clean "$GUARDCTL" usermod -p "$HASH" dave
	assert_eq 0 "$STATUS" "usermod -p on a plain account: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" chage -M 99999 dave
	assert_eq 0 "$STATUS" "chage on a plain account: $OUT $ERR"
	run_cmd as_alice_clean "$GUARDCTL" usermod -s /bin/sh dave
	assert_eq 0 "$STATUS" "usermod -s on a plain account: $OUT $ERR"
	run_cmd as_alice_clean bash -c "printf 'dave:newpassword\n' | $GUARDCTL chpasswd"
	assert_eq 0 "$STATUS" "chpasswd on a plain account: $OUT $ERR"
	userdel -r f1newbie 2>/dev/null || true
	gpasswd -d dave users >/dev/null
}

attack_case "F1 role group oncall (break_glass), every way of joining" case_role_oncall
attack_case "F1 role group guard-approvers (settings approvers)" case_role_approvers
attack_case "F1 role group helpdesk (helpdesk's own)" case_role_own_group
attack_case "F1 role group admins (actors of an approve rule)" case_role_admins
attack_case "F1 role group named only in a rule's approvers" case_role_rule_approvers
attack_case "F1 a role group's gid" case_role_gid
attack_case "F1 newusers' group field onto a role group" case_role_batch
attack_case "F1 the group that can write utmp" case_utmp_group
attack_case "F1 check: a missing role group is an error" case_missing_role_check
attack_case "F1 run time: a missing role group refuses" case_missing_role_refuses
attack_case "F2 @protected: a sudo member" case_protected_sudo_member
attack_case "F2 @protected: a role member" case_protected_role_member
attack_case "F2 @protected: primary group sudo" case_protected_primary
attack_case "F2 @protected: an alias of root" case_protected_uid0_alias
attack_case "F2 @protected: a new name for an approver's uid" case_protected_uid_alias
attack_case "F2 @protected: a role given by name or uid" case_protected_role_user
attack_case "F2 uids: a process outlives its account" case_process_outlives
attack_case "F1 group administrators and passwords: members beside Guard" case_group_beside_guard
attack_case "F2 uids: a renumbered account's files keep its old uid" case_uid_renumbered
attack_case "F1 system groups: what a package will adopt" case_system_group
attack_case "F1 system groups: joining one the policy does not list" case_system_group_join
attack_case "F1 sudoers: the groups and accounts it grants" case_sudoers_grants
attack_case "F1 doas.conf: the groups and accounts it grants" case_doas_grants
attack_case "F1 controls: ordinary accounts and groups" case_controls
attack_done
