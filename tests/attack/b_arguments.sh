#!/bin/bash
# docs/threat-model.md B15-B18, B20-B22: hostile arguments through `guardctl explain`,
# run by alice, whom the attack policy's "helpdesk" rule lets create and
# change ordinary accounts: whatever a request smuggles must be refused or
# raise what it really does (role.escalate, user.password), never pass as an
# ordinary change. Runs inside the sandbox.
#
#   B15 Baron Samedit class .... case_samedit (setuid guardctl and ASan build)
#   B16 uid -1 ................. case_uid_forms, case_uid_policy
#   B17 option smuggling ....... case_smuggling
#   B18 chroot options ......... case_root_prefix
#   B20 field injection ........ case_fields (refused runs leave passwd,
#                                group, shadow, gshadow byte for byte:
#                                tests/integration/test_run.sh)
#   B21 path separator ......... case_path_names (the ledger and lockouts are
#                                keyed by uid: libguard/store_ledger.c)
#   B22 protected targets ...... case_protected

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# explain_as_alice ARGS...: guardctl explain ARGS as alice (run_cmd).
explain_as_alice() {
	run_cmd as_alice_clean "$GUARDCTL" explain "$@"
}

# The baseline: the same kind of request without the attack is allowed, so
# a refusal below is the attack's.
case_baseline() {
	local req
	for req in "useradd -m newu" "useradd -m -u 5000 -c Newu -s /bin/bash -d /home/newu newu" \
		"usermod -c Dave dave" "usermod -aG users dave" "usermod -p HASH dave" \
		"userdel dave" "groupadd newg" "gpasswd -a dave users"; do
		step "allowed: $req"
		# shellcheck disable=SC2086 # req is a list of words
		explain_as_alice $req
		assert_eq 0 "$STATUS" "baseline '$req' is allowed: $OUT $ERR"
	done
}

# B15: arguments ending in '\', 128 KB arguments, 10k arguments, empty
# arguments, invalid UTF-8: exit 0, 1 or 2, no signal, no sanitizer report;
# through the setuid guardctl as alice and the ASan build as root.
case_samedit() {
	build_asan
	# A drop-in, so that the ASan runs get past an empty guard.d (a finding
	# of its own: a_config.sh, "ASan: the default layout").
	echo '# attack' >/etc/guard/guard.d/10-attack.conf
	local big
	# 128 KB is the kernel's limit for one argument (MAX_ARG_STRLEN), NUL included.
	big=$(repeat 131000 a)
	local -a many_m=() many_empty=() many_names=()
	local i
	for i in $(seq 10000); do
		many_m+=(-m)
		many_empty+=("")
		many_names+=("u$i")
	done
	local -a reqs=(
		'useradd -c x\ newu' 'useradd newu\' 'useradd -c \ newu' 'useradd -c \\\\ newu'
		'usermod -c \ dave' 'useradd -d /home/newu\ newu' 'chpasswd\'
	)
	local prog req
	for prog in "$GUARDCTL" "$ASAN_GUARDCTL"; do
		run() {
			if [[ $prog == "$GUARDCTL" ]]; then
				run_cmd as_alice_clean "$GUARDCTL" explain "$@"
			else
				run_cmd "$ASAN_GUARDCTL" explain "$@"
			fi
			assert_clean_exit
		}
		step "$(basename -- "$prog"): arguments ending in a backslash"
		for req in "${reqs[@]}"; do
			# shellcheck disable=SC2086 # req is a list of words
			run $req </dev/null
		done
		run useradd -c 'a\' 'b\' </dev/null
		run '\' '\' '\'
		step "$(basename -- "$prog"): 128 KB arguments"
		run useradd -c "$big" newu
		run useradd "$big"
		run usermod -G "$big" dave
		run useradd "--$big" newu
		run "$big" newu
		run useradd -d "/home/$big" newu
		run useradd -c "$big\\" "$big\\"
		step "$(basename -- "$prog"): 10k arguments"
		run useradd "${many_m[@]}" newu
		run useradd "${many_names[@]}"
		run usermod -a -G helpdesk "${many_names[@]}"
		run "${many_empty[@]}"
		step "$(basename -- "$prog"): empty arguments"
		run ''
		run useradd ''
		run useradd -c '' ''
		run useradd '' newu
		run usermod -G '' dave
		run useradd -u '' newu
		run gpasswd -a '' helpdesk
		step "$(basename -- "$prog"): invalid UTF-8"
		local bad
		for bad in $'\xff' $'\xc3\x28' $'\xc0\xaf' $'\xed\xa0\x80' $'\xf4\x90\x80\x80' $'a\xe2\x82' $'\xef\xbb\xbf'; do
			run useradd -c "x${bad}y" newu
			run useradd "new${bad}"
			run usermod -d "/home/${bad}" dave
			run "use${bad}radd" newu
			run useradd "--comm${bad}ent" x newu
		done
	done
}

# B16: only canonical decimals in range are uids; everything else is
# refused, however strtoul would read it.
case_uid_forms() {
	local form opt
	for form in -1 4294967295 4294967296 18446744073709551615 18446744073709551616 " 0" "0 " \
		+0 -0 00 0x0 0X10 1e3 10abc 1000.0 "" " " $'0\n' $'\t5000' 05000 "５０００"; do
		for opt in -u --uid; do
			step "useradd $opt '$(printf '%q' "$form")' newu"
			explain_as_alice useradd "$opt" "$form" newu
			assert_not_allowed "useradd $opt '$form'"
			assert_contains "$ERR" "refused" "'$form' is refused, not decided"
		done
		explain_as_alice useradd "--uid=$form" newu
		assert_not_allowed "useradd --uid=$form"
		explain_as_alice usermod -u "$form" dave
		assert_not_allowed "usermod -u '$form'"
		assert_contains "$ERR" "refused" "'$form' is refused, not decided"
		explain_as_alice groupadd -g "$form" newg
		assert_not_allowed "groupadd -g '$form'"
	done
	step "the canonical form is accepted"
	explain_as_alice useradd -u 5000 newu
	assert_eq 0 "$STATUS" "useradd -u 5000: $ERR"
}

# B16 in the policy: uid ranges that are not canonical decimals in range.
case_uid_policy() {
	local item field
	for item in uid:-1 uid:4294967295 uid:4294967296 "uid: 0" uid:+0 uid:0x0 uid:1e3 uid:10abc \
		uid:-1-5 uid:5-1 uid:0-4294967295 uid:1000- uid:-1000 uid: "uid:1000 - 2000" gid:-1 gid:0x10; do
		for field in actors targets groups; do
			[[ $field == groups ]] && item=${item/uid:/gid:}
			{
				attack_policy
				printf 'rule "u" {\n  actions = { "user.create" }\n  %s = { "%s" }\n  decision = allow\n}\n' \
					"$field" "$item"
			} >"$T/uid.conf"
			chmod 0644 "$T/uid.conf"
			local line=$(($(attack_policy | wc -l) + 3))
			step "$field = { \"$item\" }"
			run_cmd "$GUARDCTL" check "$T/uid.conf"
			assert_clean_exit 2
			assert_contains "$ERR" "$T/uid.conf:$line:" "file:line of the bad range"
			run_cmd as_user alice "$GUARDCTL" check "$T/uid.conf"
			assert_clean_exit 2
		done
	done
}

# request_escalates: the last explain did not allow, and either refused or
# raised role.escalate (or was denied by a protected-target rule).
assert_escalation_or_refusal() {
	assert_not_allowed "$1"
	if [[ $ERR != *refused* && $OUT != *role.escalate* && $OUT != *"deny-protected"* ]]; then
		fail "$1: neither refused nor raising role.escalate:
$OUT"
	fi
}

# B17: user text never read as an option, options never hidden from the
# classifier: bundles, abbreviations, permutation, "--", values that look
# like options, names that are options.
case_smuggling() {
	local req
	local -a reqs=(
		# names that are options
		"useradd -ou0"
		"useradd -- -ou0"
		"useradd --badname newu"
		"useradd --badname -- -x"
		"usermod -c x -- -ou0"
		"userdel -- -r"
		"useradd -m -- --root=/tmp/x"
		# uid 0 and duplicate uids, however spelt
		"useradd -u 0 newu"
		"useradd -u0 newu"
		"useradd --uid=0 newu"
		"useradd --uid 0 newu"
		"useradd --ui=0 newu"
		"useradd --u 0 newu"
		"useradd -ou0 newu"
		"useradd -mou0 newu"
		"useradd -o -u 1001 newu"
		"useradd --non-unique -u 1001 newu"
		"useradd --non -u 1001 newu"
		"useradd newu -u 0"
		"useradd newu -ou 1001"
		"usermod -u 0 dave"
		"usermod -ou 0 dave"
		"usermod dave -u 0"
		"useradd -g 0 newu"
		"useradd -g root newu"
		"useradd -r newu"
		"useradd --system newu"
		"useradd --sys newu"
		"useradd -mr newu"
		# privileged groups
		"useradd -G wheel newu"
		"useradd -Gwheel newu"
		"useradd -G users,wheel newu"
		"useradd --groups=sudo newu"
		"useradd --gro sudo newu"
		"useradd -mG sudo newu"
		"useradd newu -G sudo"
		"usermod -aG sudo dave"
		"usermod -aGsudo dave"
		"usermod -G sudo,helpdesk dave"
		"usermod dave -aG root"
		"usermod --append --groups adm dave"
		"gpasswd -a dave sudo"
		"gpasswd -M dave,alice wheel"
		"gpasswd -A dave sudo"
		"gpasswd -A dave,alice wheel"
		"groupmod -g 0 helpdesk"
		"groupmod -o -g 0 helpdesk"
		# subordinate ids, SELinux user
		"usermod -v 100000-165535 dave"
		"usermod --add-subuids 0-65535 dave"
		"useradd -Z staff_u newu"
		"useradd -F newu"
	)
	for req in "${reqs[@]}"; do
		step "$req"
		# shellcheck disable=SC2086 # req is a list of words
		explain_as_alice $req
		assert_escalation_or_refusal "$req"
	done

	step "-p HASH raises user.password, however spelt"
	for req in "useradd -p HASH newu" "useradd -pHASH newu" "useradd --password=HASH newu" \
		"useradd --pass HASH newu" "useradd -mp HASH newu" "useradd newu -p HASH" \
		"usermod -p HASH dave" "usermod dave --password HASH"; do
		# shellcheck disable=SC2086
		run_cmd as_alice_clean "$GUARDCTL" explain --json $req
		assert_clean_exit 0 1
		if [[ $ERR != *refused* && $OUT != *'"refused"'* ]]; then
			assert_contains "$OUT" '"action":"user.password"' "$req raises user.password"
		fi
	done

	step "values that look like options are values"
	for req in "-u 0" "-o" "--" "-G wheel" "-p HASH" "-R /tmp/x"; do
		run_cmd as_alice_clean "$GUARDCTL" explain --json useradd -c "$req" newu
		assert_clean_exit 0 1
		assert_not_contains "$OUT" '"action":"role.escalate"' "-c '$req' read as an option"
		assert_not_contains "$OUT" '"action":"user.password"' "-c '$req' read as an option"
		assert_not_contains "$ERR" "-R/--root" "-c '$req' read as an option"
	done
}

# B18: -R/--root and -P/--prefix (and the other options that change which
# files a tool acts on), in every spelling, for every tool. The directory is
# under /home too, where a home would be allowed: only the refusal of the
# option stands between it and a chroot into a directory a user may fill.
# The shadow tools look for these options in all of argv before getopt
# runs, so a value spelt like one is refused as well.
case_root_prefix() {
	local tool target args dir
	for tool in useradd usermod userdel groupadd groupmod groupdel gpasswd passwd chage chpasswd newusers; do
		case $tool in
		useradd) target=newu ;;
		groupadd) target=newg ;;
		groupmod | groupdel | gpasswd) target=helpdesk ;;
		chpasswd | newusers) target="" ;;
		*) target=dave ;;
		esac
		for dir in /tmp/x /home/alice; do
			for args in "-R $dir" "-R$dir" "--root $dir" "--root=$dir" "--roo=$dir" \
				"-P $dir" "--prefix $dir" "--prefix=$dir" "--pre=$dir"; do
				# shellcheck disable=SC2086
				run_cmd as_alice_clean "$GUARDCTL" explain $tool $args $target </dev/null
				assert_not_allowed "$tool $args $target"
			done
			# After the target too (getopt permutes).
			if [[ -n $target ]]; then
				explain_as_alice $tool $target -R "$dir"
				assert_not_allowed "$tool $target -R $dir"
			fi
		done
	done
	step "values spelt like the root and prefix options"
	for args in "useradd -c -R newu" "useradd -c --root=/home/alice newu" "usermod -c -P dave" \
		"usermod -c --prefix=/home/alice dave" "useradd -c --root newu"; do
		# shellcheck disable=SC2086
		explain_as_alice $args
		assert_not_allowed "$args"
	done
	for args in "useradd -K UID_MIN=0 newu" "useradd -k /tmp/x -m newu" "useradd -D" \
		"useradd -mR/tmp/x newu"; do
		# shellcheck disable=SC2086
		explain_as_alice $args
		assert_not_allowed "$args"
	done
}

# B20: GECOS with ':', newline, CR, ESC, NEL; shells not in /etc/shells;
# homes outside /home or with "..".
case_fields() {
	local v
	for v in 'a:b' $'a\nb' $'a\rb' $'a\eb' $'a\xc2\x85b' $'a\x7fb' $'\xc2\x9b31m' \
		$'a\tb'; do
		step "GECOS $(printf '%q' "$v")"
		explain_as_alice useradd -c "$v" newu
		assert_not_allowed "useradd -c $(printf '%q' "$v")"
		explain_as_alice usermod -c "$v" dave
		assert_not_allowed "usermod -c $(printf '%q' "$v")"
	done
	for v in /tmp/sh /bin/bash/ /bin//bash "/bin/bash " $'/bin/bash\n' ../../bin/bash relative \
		/home/alice/sh "/bin/sh:x" ""; do
		step "shell $(printf '%q' "$v")"
		explain_as_alice useradd -s "$v" newu
		assert_not_allowed "useradd -s $(printf '%q' "$v")"
		explain_as_alice usermod -s "$v" dave
		assert_not_allowed "usermod -s $(printf '%q' "$v")"
	done
	for v in ../../root /home/../root /home/newu/../../root /root /etc / /home /home/ \
		/homeevil/x /home/./newu "/home/new:u" $'/home/new\nu' relative/home; do
		step "home $(printf '%q' "$v")"
		explain_as_alice useradd -m -d "$v" newu
		assert_not_allowed "useradd -d $(printf '%q' "$v")"
		explain_as_alice usermod -m -d "$v" dave
		assert_not_allowed "usermod -d $(printf '%q' "$v")"
		# The base directory /home is the default one.
		[[ $v == /home || $v == /home/ ]] && continue
		explain_as_alice useradd -b "$v" newu
		assert_not_allowed "useradd -b $(printf '%q' "$v")"
	done
}

# B21: names with path separators or dots, for users and groups.
case_path_names() {
	local n
	for n in ../../var/lib/guard/x ../x a/b /etc/passwd .. . ./x x/ 'a\b'; do
		step "name $(printf '%q' "$n")"
		explain_as_alice useradd "$n"
		assert_not_allowed "useradd $n"
		explain_as_alice usermod -c x "$n"
		assert_not_allowed "usermod $n"
		explain_as_alice userdel "$n"
		assert_not_allowed "userdel $n"
		explain_as_alice groupadd "$n"
		assert_not_allowed "groupadd $n"
		explain_as_alice gpasswd -a "$n" helpdesk
		assert_not_allowed "gpasswd -a $n"
		explain_as_alice usermod -aG "$n" dave
		assert_not_allowed "usermod -aG $n"
	done
}

# B22: root in every spelling, system accounts, privileged groups.
case_protected() {
	local n req
	for n in root 0 "root " " root" ROOT Root $'root\n' $'root\t' root. "root:" daemon bin \
		_apt; do
		for req in "usermod -c x" "userdel" "passwd" "chage -E 0" "usermod -L" "usermod -p HASH" \
			"usermod -s /bin/sh"; do
			# shellcheck disable=SC2086
			run_cmd as_alice_clean "$GUARDCTL" explain $req "$n" </dev/null
			assert_not_allowed "$req '$n'"
		done
	done
	step "the privileged groups"
	for n in root sudo wheel adm shadow disk admins; do
		getent group "$n" >/dev/null || continue
		explain_as_alice usermod -aG "$n" dave
		assert_not_allowed "usermod -aG $n"
		explain_as_alice gpasswd -a dave "$n"
		assert_not_allowed "gpasswd -a dave $n"
		explain_as_alice groupdel "$n"
		assert_not_allowed "groupdel $n"
		explain_as_alice useradd -g "$n" newu
		assert_not_allowed "useradd -g $n"
	done
}

attack_case "baseline: ordinary requests are allowed" case_baseline
attack_case "B15 Baron Samedit class: no crash" case_samedit
attack_case "B16 uid -1: only canonical decimals (arguments)" case_uid_forms
attack_case "B16 uid -1: only canonical decimals (policy)" case_uid_policy
attack_case "B17 option smuggling" case_smuggling
attack_case "B18 -R/--root and -P/--prefix" case_root_prefix
attack_case "B20 field injection: GECOS, shell, home" case_fields
attack_case "B21 path separators in names" case_path_names
attack_case "B22 protected targets" case_protected
attack_done
