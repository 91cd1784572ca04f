#!/bin/bash
# The privilege model, F3, F4 and F6 (docs/design.md, "The
# privilege model"): homes checked on the filesystem, groups a tool creates,
# password values that lock or empty. Each case runs the real setuid
# guardctl and the real shadow tools as alice (%helpdesk), whose rule
# allows ordinary account work; the controls show that the legitimate form
# of each request still passes.
#
#   F1 groups     useradd/adduser/newusers that make a privileged group, and
#                 the groups adduser.conf adds a new account to
#   F2 passwords  -p '!..', -p '*', -p '', passwd -d, chpasswd "" and -e '!'
#   F3 homes      a symlink, a caller's directory, a world-writable parent,
#                 another's home moved or removed (userdel -r); deluser's
#                 removal and backup, which follow swappable paths; a home
#                 given as it is (-M, --no-create-home, usermod -d): root's
#                 or the account's own; one home for two accounts
#   F4 controls   useradd -m, usermod -d -m, userdel -r, useradd -N -g,
#                 usermod -aG of a standard group
set -euo pipefail
. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# The attack policy with docker, lxd and sre privileged, /tmp a home root
# (so that the filesystem check, not the text check, meets it), and, for
# F2, helpdesk without user.lock and user.unlock.
homes_policy() {
	attack_policy | sed \
		-e 's/^privileged_groups = { \(.*\) }$/privileged_groups = { \1, "docker", "lxd", "sre" }/' \
		-e 's|home_roots = { "/home" }|home_roots = { "/home", "/tmp" }|' \
		-e '/^rule "helpdesk"/,/^}/s/"user.lock", "user.unlock", //'
}
homes_policy >"$T/homes.conf"
install_policy "$T/homes.conf"
grep -q '"sre" }' /etc/guard/guard.conf || fail "the policy edit did not apply"
grep -q '"/tmp" }' /etc/guard/guard.conf || fail "the home_roots edit did not apply"

explain_as_alice() {
	run_cmd as_alice_clean "$GUARDCTL" explain "$@"
}
run_as_alice() {
	run_cmd as_alice_clean "$GUARDCTL" "$@"
}

# F1: a user-private group or a newusers group under a privileged name is a
# role.escalate naming it; nothing is created.
case_groups() {
	local req name before
	for req in "useradd wheel" "useradd -m docker" "useradd -U lxd" "useradd -m sre" \
		"adduser --disabled-password --gecos x lxd"; do
		name=${req##* }
		step "refused: $req"
		# shellcheck disable=SC2086 # req is a list of words
		explain_as_alice $req </dev/null
		assert_not_allowed "$req"
		assert_contains "$OUT" "role.escalate to $name via group $name" "a role.escalate names the group"
		# shellcheck disable=SC2086
		run_as_alice $req </dev/null
		assert_eq 1 "$STATUS" "$req is refused: $OUT $ERR"
		getent group "$name" >/dev/null && fail "$req made group $name"
		getent passwd "$name" >/dev/null && fail "$req made account $name"
	done
	step "refused: a newusers line whose numeric gid does not exist makes a group named like the user"
	getent group 4242 >/dev/null && fail "gid 4242 exists in the sandbox"
	run_cmd as_alice_clean "$GUARDCTL" newusers <<<"docker:Pw-1234567:2500:4242:::"
	assert_eq 1 "$STATUS" "newusers docker with gid 4242: $OUT $ERR"
	assert_contains "$ERR" "group docker"
	getent group 4242 >/dev/null && fail "newusers made gid 4242"
	step "refused: a newusers group field naming a missing privileged group"
	run_cmd as_alice_clean "$GUARDCTL" newusers <<<"newu9:Pw-1234567:2501:wheel:::"
	assert_eq 1 "$STATUS" "newusers group wheel: $OUT $ERR"
	getent group wheel >/dev/null && fail "newusers made group wheel"
	step "refused: a newusers line named like an existing group, with a new gid (newusers rewrites the group)"
	getent group tty >/dev/null || groupadd -r tty
	before=$(getent group tty)
	run_cmd as_alice_clean "$GUARDCTL" newusers <<<"tty:Pw-1234567:6000:6000::/home/f4tty:/bin/bash"
	assert_eq 1 "$STATUS" "newusers tty with gid 6000: $OUT $ERR"
	assert_contains "$ERR" "would make newusers rewrite it"
	assert_eq "$before" "$(getent group tty)" "group tty"
	step "refused: a user-private group that exists already (useradd would refuse too)"
	explain_as_alice useradd admins
	assert_not_allowed "useradd admins"
	assert_contains "$ERR" "-g admins"
}

# F1: the groups adduser and useradd add a new account to from root's
# settings (adduser.conf's EXTRA_GROUPS under ADD_EXTRA_GROUPS and its users
# group, /etc/default/useradd's GROUP) are checked as if named: a
# privileged one there is a role.escalate, not a quiet grant to whoever may
# run the tool.
case_settings_groups() {
	cp -p /etc/adduser.conf "$T/adduser.conf.orig"
	step "refused: adduser when adduser.conf adds every new user to sudo"
	printf 'ADD_EXTRA_GROUPS=1\nEXTRA_GROUPS="users sudo"\n' >>/etc/adduser.conf
	explain_as_alice adduser --disabled-password --gecos x extra1 </dev/null
	assert_not_allowed "adduser extra1 with sudo in EXTRA_GROUPS"
	assert_contains "$OUT" "role.escalate to extra1 via group sudo" "the grant names the group"
	run_as_alice adduser --disabled-password --gecos x extra1 </dev/null
	assert_eq 1 "$STATUS" "adduser extra1: $OUT $ERR"
	getent passwd extra1 >/dev/null && fail "adduser made extra1"
	step "refused: USERS_GROUP=sudo with --ingroup (adduser adds the users group beside it)"
	cp -p "$T/adduser.conf.orig" /etc/adduser.conf
	printf 'USERS_GROUP=sudo\n' >>/etc/adduser.conf
	run_as_alice adduser --disabled-password --gecos x --ingroup users extra2 </dev/null
	assert_eq 1 "$STATUS" "adduser --ingroup users extra2: $OUT $ERR"
	assert_contains "$ERR" "group sudo"
	getent passwd extra2 >/dev/null && fail "adduser made extra2"
	step "allowed: the same with only standard groups listed; the account joins them"
	cp -p "$T/adduser.conf.orig" /etc/adduser.conf
	printf 'ADD_EXTRA_GROUPS=1\nEXTRA_GROUPS="users"\n' >>/etc/adduser.conf
	run_as_alice adduser --disabled-password --gecos x extra3 </dev/null
	assert_eq 0 "$STATUS" "adduser extra3: $OUT $ERR"
	id -nG extra3 | grep -qw users || fail "extra3 is not in users: $(id -nG extra3)"
	cp -p "$T/adduser.conf.orig" /etc/adduser.conf

	step "refused: useradd -N when /etc/default/useradd's GROUP is sudo"
	cp -p /etc/default/useradd "$T/useradd.orig"
	sed -i '/^GROUP=/d' /etc/default/useradd
	echo "GROUP=sudo" >>/etc/default/useradd
	run_as_alice useradd -N extra4 </dev/null
	assert_eq 1 "$STATUS" "useradd -N extra4: $OUT $ERR"
	assert_contains "$ERR" "group sudo"
	getent passwd extra4 >/dev/null && fail "useradd made extra4"
	step "allowed: useradd -N with GROUP=users; the account's primary group is users"
	sed -i 's/^GROUP=sudo$/GROUP=users/' /etc/default/useradd
	run_as_alice useradd -N extra5 </dev/null
	assert_eq 0 "$STATUS" "useradd -N extra5: $OUT $ERR"
	assert_eq users "$(id -gn extra5)" "extra5's primary group"
	cp -p "$T/useradd.orig" /etc/default/useradd

	# userdel -f deletes an account's primary group named like it, shared
	# or not: an account "users" in group users took the shared group.
	step "refused: userdel -f of an account named like its shared primary group"
	run_as_alice useradd -N -g users -M users </dev/null
	assert_eq 0 "$STATUS" "useradd -N -g users -M users: $OUT $ERR"
	run_as_alice userdel -f users </dev/null
	assert_eq 1 "$STATUS" "userdel -f users: $OUT $ERR"
	assert_contains "$ERR" "group.delete"
	getent group users >/dev/null || fail "userdel deleted group users"
	userdel users
	step "allowed: userdel of an account with its own private group, which goes with it"
	run_as_alice useradd -M f4own </dev/null
	assert_eq 0 "$STATUS" "useradd -M f4own: $OUT $ERR"
	run_as_alice userdel f4own </dev/null
	assert_eq 0 "$STATUS" "userdel f4own: $OUT $ERR"
	getent group f4own >/dev/null && fail "userdel left group f4own"
	return 0
}

# F2: values that lock, unlock or empty a password raise user.lock or
# user.unlock, which this helpdesk may not do.
case_passwords() {
	local before
	before=$(getent shadow dave | cut -d: -f2)
	for v in '!$6$x$y' '!' '*' '!!'; do
		step "refused: usermod -p '$v' dave"
		run_as_alice usermod -p "$v" dave </dev/null
		assert_eq 1 "$STATUS" "usermod -p '$v': $OUT $ERR"
		assert_contains "$ERR" "locks the password"
	done
	step "refused: usermod -p '' dave (an empty value: refused as such already)"
	run_as_alice usermod -p '' dave </dev/null
	assert_eq 1 "$STATUS" "usermod -p '': $OUT $ERR"
	step "refused: passwd -d dave (empties)"
	run_as_alice passwd -d dave </dev/null
	assert_eq 1 "$STATUS" "passwd -d: $OUT $ERR"
	assert_contains "$ERR" "empties the password"
	step "refused: chpasswd with an empty password, and -e with a locked hash"
	run_cmd as_alice_clean "$GUARDCTL" chpasswd <<<"dave:"
	assert_eq 1 "$STATUS" "chpasswd dave: : $OUT $ERR"
	assert_contains "$ERR" "empties the password"
	run_cmd as_alice_clean "$GUARDCTL" chpasswd -e <<<'dave:!$6$x$y'
	assert_eq 1 "$STATUS" "chpasswd -e dave:!...: $OUT $ERR"
	assert_contains "$ERR" "locks the password"
	step "refused: a value no crypt method makes ('x', 'NP'): it matches no password"
	run_cmd as_alice_clean "$GUARDCTL" chpasswd -e <<<'dave:x'
	assert_eq 1 "$STATUS" "chpasswd -e dave:x: $OUT $ERR"
	assert_contains "$ERR" "no crypt hash"
	run_as_alice usermod -p NP dave </dev/null
	assert_eq 1 "$STATUS" "usermod -p NP: $OUT $ERR"
	assert_contains "$ERR" "no crypt hash"
	assert_eq "$before" "$(getent shadow dave | cut -d: -f2)" "dave's password is unchanged"
	step "allowed: a hash, and a plain password that starts with '!'"
	explain_as_alice usermod -p '$6$abc$def' dave </dev/null
	assert_eq 0 "$STATUS" "usermod -p HASH: $OUT $ERR"
	explain_as_alice chpasswd <<<'dave:!not-a-lock-in-plain-mode'
	assert_eq 0 "$STATUS" "chpasswd dave:!...: $OUT $ERR"
}

# F3: every directory above a home is root's and writable by root alone, no
# component is a symlink, a new home does not exist, and a home moved or
# removed is the account's own.
case_homes() {
	step "refused: useradd -m -d through alice's symlink to /etc"
	as_user alice ln -sfn /etc /home/alice/l
	run_as_alice useradd -m -d /home/alice/l/evilhome evil1 </dev/null
	assert_eq 1 "$STATUS" "useradd through a symlink: $OUT $ERR"
	assert_contains "$ERR" "owned by alice"
	[[ ! -e /etc/evilhome ]] || fail "useradd made /etc/evilhome"
	getent passwd evil1 >/dev/null && fail "evil1 was created"

	step "refused: a symlink right under a home root"
	ln -sfn /etc /home/etclink
	run_as_alice useradd -m -d /home/etclink/evilhome2 evil2 </dev/null
	assert_eq 1 "$STATUS" "useradd through /home/etclink: $OUT $ERR"
	assert_contains "$ERR" "symbolic link"
	[[ ! -e /etc/evilhome2 ]] || fail "useradd made /etc/evilhome2"

	step "refused: a home in world-writable /tmp (sticky is not enough)"
	run_as_alice useradd -m -d /tmp/evilhome3 evil3 </dev/null
	assert_eq 1 "$STATUS" "useradd -d /tmp/...: $OUT $ERR"
	assert_contains "$ERR" "writable by everyone"
	explain_as_alice useradd -m -d /tmp/evilhome3 evil3 </dev/null
	assert_not_allowed "explain useradd -d /tmp/..."
	assert_contains "$OUT$ERR" "writable by everyone"

	step "refused: usermod -m moves a home under alice's directory"
	useradd -m victim1
	run_as_alice usermod -m -d /home/alice/x victim1 </dev/null
	assert_eq 1 "$STATUS" "usermod -m -d /home/alice/x: $OUT $ERR"
	assert_contains "$ERR" "owned by alice"
	[[ -d /home/victim1 && ! -e /home/alice/x ]] || fail "usermod moved the home"

	step "refused: a new home that exists already"
	run_as_alice useradd -m -d /home/alice evil4 </dev/null
	assert_eq 1 "$STATUS" "useradd -d /home/alice: $OUT $ERR"
	assert_contains "$ERR" "exists already"

	step "refused: newusers' dir field under alice's directory"
	run_cmd as_alice_clean "$GUARDCTL" newusers <<<"evil5:Pw-1234567:2510::x:/home/alice/l/evil5:/bin/sh"
	assert_eq 1 "$STATUS" "newusers dir through a symlink: $OUT $ERR"
	[[ ! -e /etc/evil5 ]] || fail "newusers made /etc/evil5"

	step "refused: userdel -r of an account whose home is a symlink"
	useradd -M -d /home/linkhome victim2
	ln -sfn /home/alice /home/linkhome
	run_as_alice userdel -r victim2 </dev/null
	assert_eq 1 "$STATUS" "userdel -r, home a symlink: $OUT $ERR"
	assert_contains "$ERR" "symbolic link"
	[[ -d /home/alice ]] || fail "alice's home is gone"

	step "refused: userdel -f -r of an account whose home is alice's"
	useradd -M -d /home/alice victim3
	run_as_alice userdel -f -r victim3 </dev/null
	assert_eq 1 "$STATUS" "userdel -f -r, home alice's: $OUT $ERR"
	assert_contains "$ERR" "owned by alice"
	[[ -d /home/alice ]] || fail "alice's home is gone"
	getent passwd victim3 >/dev/null || fail "victim3 was deleted"

	# deluser finds the files, then archives and unlinks them by path: a
	# process of the account that swaps a directory for a symlink in
	# between has root remove, or copy into a backup, any file. Refused
	# whatever the home; userdel -r removes it without following links.
	local opt
	useradd -m victim4
	for opt in --remove-home --remove-all-files --backup; do
		step "refused: deluser $opt of an account with its own home (userdel -r instead)"
		run_as_alice deluser "$opt" victim4 </dev/null
		assert_eq 1 "$STATUS" "deluser $opt victim4: $OUT $ERR"
		assert_contains "$ERR" "userdel -r"
		getent passwd victim4 >/dev/null || fail "deluser $opt deleted victim4"
		[[ -d /home/victim4 ]] || fail "deluser $opt removed the home"
		compgen -G "/victim4.tar*" >/dev/null && fail "deluser $opt wrote a backup"
	done
	return 0
}

# A home given as it is (useradd -M, -d without -m, adduser
# --no-create-home, usermod -d without -m) is the account's all the same:
# another's directory would run its owner's dotfiles as the account, in
# every later session (and after an admin makes it privileged), and a dead
# account's home would hand its files to the new one. Only root's or the
# account's own.
case_given_homes() {
	local req
	useradd -m f3old
	userdel f3old
	for req in "useradd -M -d /home/alice f3sk1" "useradd -d /home/bob f3sk2" \
		"adduser --disabled-password --gecos x --no-create-home --home /home/alice f3sk3" \
		"useradd -M f3old" "usermod -d /home/alice dave"; do
		step "refused: $req"
		# shellcheck disable=SC2086 # the request's words
		run_as_alice $req </dev/null
		assert_eq 1 "$STATUS" "$req: $OUT $ERR"
		assert_contains "$ERR" "never another's"
	done
	step "refused: a directory of root's that everyone may write (a /tmp under /home)"
	install -d -m 1777 -o root -g root /home/f3ww
	run_as_alice useradd -M -d /home/f3ww f3tmp </dev/null
	assert_eq 1 "$STATUS" "useradd -M -d /home/f3ww: $OUT $ERR"
	assert_contains "$ERR" "writable by others"
	for req in f3sk1 f3sk2 f3sk3 f3old f3tmp; do
		if getent passwd "$req" >/dev/null; then fail "$req was created"; fi
	done
	[[ $(getent passwd dave | cut -d: -f6) != /home/alice ]] || fail "dave's home is alice's"
	step "allowed: a directory of root's, one that does not exist, the account's own"
	install -d -m 0755 -o root -g root /home/f3shared
	run_as_alice useradd -M -d /home/f3shared f3srv </dev/null
	assert_eq 0 "$STATUS" "useradd -M -d /home/f3shared (root's): $OUT $ERR"
	run_as_alice useradd -M -d /home/f3none f3none </dev/null
	assert_eq 0 "$STATUS" "useradd -M -d /home/f3none: $OUT $ERR"
	run_as_alice usermod -d /home/dave dave </dev/null
	assert_eq 0 "$STATUS" "usermod -d /home/dave dave: $OUT $ERR"
}

# F3: a home path no directory has yet, given to one account (usermod -d)
# and then made for another of the caller's (useradd -m): the second owns
# the first's home and what runs from it. One batch, two lines, one home
# (or one inside the other's). The filesystem cannot tell: the account
# databases can.
case_shared_homes() {
	local before
	before=$(getent passwd dave | cut -d: -f6)
	run_as_alice usermod -d /home/f3future dave </dev/null
	assert_eq 0 "$STATUS" "usermod -d /home/f3future dave (no such directory): $OUT $ERR"
	step "refused: useradd -m -d /home/f3future (dave's home, not made yet)"
	run_as_alice useradd -m -d /home/f3future f3u9 </dev/null
	assert_eq 1 "$STATUS" "useradd -m -d /home/f3future: $OUT $ERR"
	assert_contains "$ERR" "is the home of dave"
	step "refused: a home that would hold dave's, or lie in it"
	usermod -d /home/f3par/dave dave
	run_as_alice useradd -m -d /home/f3par f3u9 </dev/null
	assert_eq 1 "$STATUS" "useradd -m -d /home/f3par: $OUT $ERR"
	assert_contains "$ERR" "would hold one another"
	usermod -d /home/f3future dave
	run_as_alice useradd -m -d /home/f3future/sub f3u9 </dev/null
	assert_eq 1 "$STATUS" "useradd -m -d /home/f3future/sub: $OUT $ERR"
	assert_contains "$ERR" "would hold one another"
	if getent passwd f3u9 >/dev/null; then fail "f3u9 was created"; fi
	[[ ! -e /home/f3future ]] || fail "/home/f3future was made"
	step "refused: one newusers batch, two accounts, one home"
	run_cmd as_alice_clean bash -c "printf 'f3n1:pw::::/home/f3nh:/bin/bash\nf3n2:pw::::/home/f3nh:/bin/bash\n' | $GUARDCTL newusers"
	assert_eq 1 "$STATUS" "newusers with a shared home: $OUT $ERR"
	assert_contains "$ERR" "would share a home"
	if getent passwd f3n1 >/dev/null; then fail "f3n1 was created"; fi
	step "control: a home of its own, by useradd and by newusers"
	run_as_alice useradd -m -d /home/f3own f3u9 </dev/null
	assert_eq 0 "$STATUS" "useradd -m -d /home/f3own: $OUT $ERR"
	run_cmd as_alice_clean bash -c "printf 'f3n1:pw::::/home/f3nh1:/bin/bash\nf3n2:pw::::/home/f3nh2:/bin/bash\n' | $GUARDCTL newusers"
	assert_eq 0 "$STATUS" "newusers with homes of their own: $OUT $ERR"
	usermod -d "$before" dave
}

# F4: the ordinary forms pass, and do what they say.
case_controls() {
	step "allowed: useradd -m newbie (its own group, its home)"
	run_as_alice useradd -m newbie </dev/null
	assert_eq 0 "$STATUS" "useradd -m newbie: $OUT $ERR"
	getent group newbie >/dev/null || fail "no group newbie"
	[[ $(stat -c %U /home/newbie) == newbie ]] || fail "/home/newbie is not newbie's"
	step "allowed: useradd -N -g users plainx"
	run_as_alice useradd -N -g users plainx </dev/null
	assert_eq 0 "$STATUS" "useradd -N -g users: $OUT $ERR"
	getent group plainx >/dev/null && fail "useradd -N made a group"
	step "allowed: usermod -d /home/new -m plainuser, then userdel -r plainuser"
	useradd -m plainuser
	run_as_alice usermod -d /home/new -m plainuser </dev/null
	assert_eq 0 "$STATUS" "usermod -d /home/new -m: $OUT $ERR"
	[[ -d /home/new && ! -e /home/plainuser ]] || fail "usermod did not move the home"
	run_as_alice userdel -r plainuser </dev/null
	assert_eq 0 "$STATUS" "userdel -r plainuser: $OUT $ERR"
	[[ ! -e /home/new ]] || fail "userdel -r left the home"
	step "allowed: deluser plainuser2 (its home kept)"
	useradd -m plainuser2
	run_as_alice deluser plainuser2 </dev/null
	assert_eq 0 "$STATUS" "deluser plainuser2: $OUT $ERR"
	getent passwd plainuser2 >/dev/null && fail "deluser left plainuser2"
	[[ -d /home/plainuser2 ]] || fail "deluser removed the home"
	step "allowed: usermod -aG users dave"
	run_as_alice usermod -aG users dave </dev/null
	assert_eq 0 "$STATUS" "usermod -aG users dave: $OUT $ERR"
	step "allowed: newusers with an existing group and a fresh home"
	run_cmd as_alice_clean "$GUARDCTL" newusers <<<"newu7:Pw-1234567:2520:users:x:/home/newu7:/bin/sh"
	assert_eq 0 "$STATUS" "newusers newu7: $OUT $ERR"
}

attack_case "F4 groups a tool creates" case_groups
attack_case "F4 groups a tool's settings add" case_settings_groups
attack_case "F6 passwords that lock or empty" case_passwords
attack_case "F3 homes on the filesystem" case_homes
attack_case "F3 homes given as they are" case_given_homes
attack_case "F3 one home for two accounts" case_shared_homes
attack_case "F3 controls" case_controls
attack_done
