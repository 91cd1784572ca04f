#!/bin/bash
# docs/threat-model.md A13-A14: the policy files. libconfuse expands ${VAR} from the
# environment, which in a setuid program is the caller's; the files must be
# root's and not writable by anyone else; hostile sizes and shapes fail
# closed. Every refusal is exit 2 with the file named (and the line, when
# there is one), never a signal, never a policy that loads anyway. The same
# inputs also go through guardctl built with ASan and UBSan (root, --config).
# Runs inside the sandbox.
#
#   A13 config ${} ............. case_dollar_brace
#   (baseline) ................. case_asan_default_layout
#   A14 config abuse ........... case_sizes, case_include, case_symlinks,
#                                case_owner, case_writable, case_special_files
#   pam_guard loads through the same loader: a broken, writable or foreign
#   policy refuses there too (c_pam.sh C26, tests/integration/test_pam.sh).

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

CONF=/etc/guard/guard.conf

# refused_by_all FILE [LINE]: with the policy as it is now, every way of
# loading it fails closed and names FILE (and FILE:LINE:):
# root's check and check FILE, alice's check, check FILE and explain.
refused_by_all() {
	local file=$1 line=${2:-} where who
	where=$file${line:+:$line:}
	for who in root alice; do
		step "$who: guardctl check"
		run_cmd env -i PATH="$CLEAN_PATH" HOME=/tmp/evil setpriv --reuid="$who" --regid="$who" \
			--init-groups -- "$GUARDCTL" check
		assert_clean_exit 2
		assert_contains "$ERR" "$where" "the refusal names the file"
		assert_not_contains "$OUT" "OK" "check said OK"
		step "$who: guardctl explain useradd -m newu"
		run_cmd env -i PATH="$CLEAN_PATH" HOME=/tmp/evil setpriv --reuid="$who" --regid="$who" \
			--init-groups -- "$GUARDCTL" explain useradd -m newu
		assert_clean_exit 2
		assert_contains "$ERR" "$where" "the refusal names the file"
		assert_not_contains "$OUT" "decision:" "explain decided on a refused policy"
	done
}

# refused_config FILE [LINE [NAMED]]: root's guardctl --config FILE (and
# check FILE) refuses FILE, and so does the ASan build; alice's check FILE
# too. The refusal names NAMED (default FILE, and FILE:LINE: with a LINE).
refused_config() {
	local file=$1 line=${2:-} where prog
	where=${3:-$file${line:+:$line:}}
	for prog in "$GUARDCTL" "$ASAN_GUARDCTL"; do
		step "root: $(basename -- "$prog") --config $file explain useradd -m newu"
		run_cmd timeout 20 env HOME=/tmp/evil "$prog" --config "$file" explain useradd -m newu
		assert_clean_exit 2
		assert_contains "$ERR" "$where" "the refusal names the file"
		step "root: $(basename -- "$prog") check $file"
		run_cmd timeout 20 env HOME=/tmp/evil "$prog" check "$file"
		assert_clean_exit 2
		assert_contains "$ERR" "$where" "the refusal names the file"
	done
	step "alice: guardctl check $file"
	run_cmd timeout 20 env -i PATH="$CLEAN_PATH" HOME=/tmp/evil setpriv --reuid=alice \
		--regid=alice --init-groups -- "$GUARDCTL" check "$file"
	assert_clean_exit 2
	assert_contains "$ERR" "${3:-$file}" "the refusal names the file"
}

# policy_plus TEXT: the attack policy plus TEXT on its last line.
policy_plus() {
	attack_policy
	printf '%s\n' "$1"
}

# A13: "${" anywhere in policy text is refused with file:line, whatever
# HOME says; a ${VAR:-default} that would expand even with an empty
# environment too.
case_dollar_brace() {
	build_asan
	local texts=(
		'rule "x" { actions = { "user.create" } decision = deny message = "${HOME}/x" }'
		'rule "x" { actions = { "user.create" } decision = deny message = ${HOME} }'
		"rule \"x\" { actions = { \"user.create\" } decision = deny message = '\${HOME}/x' }"
		'rule "x" { actions = { "user.create" } decision = deny message = "${NOPE:-/tmp/evil}/x" }'
		'rule "x" { actions = { "user.create" } actors = { "${USER}" } decision = allow }'
		'settings { home_roots = { "${HOME}" } }'
		'command "x${HOME}" { path = "/usr/sbin/useradd" }'
	)
	local text n=0
	for text in "${texts[@]}"; do
		n=$((n + 1))
		step "\${} form $n: $text"
		local line
		line=$(($(attack_policy | wc -l) + 1))
		policy_plus "$text" >"$T/dollar.conf"
		install_policy "$T/dollar.conf"
		refused_by_all "$CONF" "$line"
		assert_contains "$ERR" '${' "the refusal says why"
		install -m 0644 "$T/dollar.conf" "$T/dollar-root.conf"
		refused_config "$T/dollar-root.conf" "$line"
	done

	step "\${HOME} in a drop-in: the drop-in's file:line"
	install_policy
	printf '# a drop-in\n\nrule "y" { actions = { "user.create" } decision = deny message = "${HOME}" }\n' \
		>/etc/guard/guard.d/50-dollar.conf
	refused_by_all /etc/guard/guard.d/50-dollar.conf 3
	install_policy
}

# A14: a 1 MB line, a 64 KB comment, 100k nested '{', 100k '}', a 5 MB file
# of short lines, a string that never ends, NUL bytes (one that cuts a
# string, one after a complete policy). The comment, the 5 MB file and the
# NUL after the policy would load but for the bound or the check they test.
case_sizes() {
	build_asan
	local f
	step "one line of 1 MB"
	{
		attack_policy
		printf 'rule "long" { actions = { "user.create" } decision = deny message = "%s" }\n' \
			"$(repeat 1048576 a)"
	} >"$T/long-line.conf"
	{
		attack_policy
		printf '# %s\n' "$(repeat 65536 c)"
	} >"$T/long-comment.conf"
	step "100k nested '{'"
	{
		attack_policy
		printf 'rule "deep" '
		repeat 100000 '{'
		echo
	} >"$T/nested.conf"
	{
		attack_policy
		repeat 100000 '}'
		echo
	} >"$T/closing.conf"
	{
		attack_policy
		local comment
		comment="# $(repeat 4000 x)"
		for _ in $(seq 1300); do
			printf '%s\n' "$comment"
		done
	} >"$T/big.conf"
	{
		attack_policy
		printf 'rule "open" { actions = { "user.create" } decision = deny message = "'
		repeat 200000 b
	} >"$T/unterminated.conf"
	{
		attack_policy
		printf 'rule "nul" { actions = { "user.create" } decision = deny message = "a\0b" }\n'
	} >"$T/nul.conf"
	{
		attack_policy
		printf '\0this is not policy text\n'
	} >"$T/nul-after.conf"
	for f in long-line long-comment nested closing big unterminated nul nul-after; do
		chmod 0644 "$T/$f.conf"
		step "policy $f.conf"
		install_policy "$T/$f.conf"
		refused_by_all "$CONF"
		refused_config "$T/$f.conf"
	done
	install_policy
}

# A14: include() of itself, of a user-writable file, of a file under /root.
case_include() {
	build_asan
	local inc
	install -d -m 0755 -o alice "$T/user"
	printf 'rule "u" { actions = { "user.create" } actors = { "*" } decision = allow }\n' >"$T/user/inc.conf"
	chown alice "$T/user/inc.conf"
	for inc in "$CONF" "$T/user/inc.conf" /etc/shadow; do
		step "include(\"$inc\")"
		policy_plus "include(\"$inc\")" >"$T/include.conf"
		install_policy "$T/include.conf"
		refused_by_all "$CONF"
		install -m 0644 "$T/include.conf" "$T/include-root.conf"
		refused_config "$T/include-root.conf"
	done
	install_policy
}

# A14: symlinks: the policy, a drop-in, guard.d, and a directory on the way
# to a --config file.
case_symlinks() {
	build_asan
	attack_policy >/root/real.conf
	chmod 0644 /root/real.conf

	step "guard.conf is a symlink to a root-owned policy"
	install_policy
	ln -sf /root/real.conf "$CONF"
	refused_by_all "$CONF"

	step "a drop-in is a symlink"
	install_policy
	ln -s /root/real.conf /etc/guard/guard.d/50-link.conf
	refused_by_all /etc/guard/guard.d/50-link.conf

	step "guard.d is a symlink"
	install_policy
	rmdir /etc/guard/guard.d
	install -d -m 0755 /root/dropins
	ln -s /root/dropins /etc/guard/guard.d
	refused_by_all /etc/guard/guard.d

	step "--config through a symlinked directory"
	install_policy
	ln -sfn /etc/guard "$T/guard-link"
	refused_config "$T/guard-link/guard.conf" "" "$T/guard-link"
	step "--config FILE, a symlink"
	ln -sf /root/real.conf "$T/link.conf"
	refused_config "$T/link.conf"
	install_policy
}

# A14: not root's: the policy, a drop-in, /etc/guard, guard.d.
case_owner() {
	build_asan
	local path
	for path in "$CONF" /etc/guard/guard.d/50-user.conf /etc/guard /etc/guard/guard.d; do
		step "owned by alice: $path"
		install_policy
		[[ -e $path ]] || {
			printf 'rule "d" { actions = { "user.create" } decision = deny }\n' >"$path"
			chmod 0644 "$path"
		}
		chown alice "$path"
		refused_by_all "$path"
	done
	install_policy
	install -d -m 0755 -o alice "$T/alice-dir"
	attack_policy >"$T/alice-dir/guard.conf"
	chmod 0644 "$T/alice-dir/guard.conf"
	refused_config "$T/alice-dir/guard.conf" "" "$T/alice-dir"
	attack_policy >"$T/alice.conf"
	chown alice "$T/alice.conf"
	refused_config "$T/alice.conf"
	install_policy
}

# A14: writable by group or others.
case_writable() {
	build_asan
	local spec path mode
	for spec in "$CONF 0664" "$CONF 0646" "$CONF 0666" "/etc/guard/guard.d/50-w.conf 0664" \
		"/etc/guard/guard.d/50-w.conf 0646" "/etc/guard 0775" "/etc/guard 0757" \
		"/etc/guard/guard.d 0777" "/etc/guard/guard.d 0775"; do
		path=${spec% *} mode=${spec#* }
		step "mode $mode: $path"
		install_policy
		[[ -e $path ]] || {
			printf 'rule "d" { actions = { "user.create" } decision = deny }\n' >"$path"
		}
		chmod "$mode" "$path"
		refused_by_all "$path"
	done
	install_policy
	attack_policy >"$T/writable.conf"
	chmod 0666 "$T/writable.conf"
	refused_config "$T/writable.conf"
	install -d -m 0777 "$T/open-dir"
	attack_policy >"$T/open-dir/guard.conf"
	chmod 0644 "$T/open-dir/guard.conf"
	refused_config "$T/open-dir/guard.conf" "" "$T/open-dir"
	install_policy
}

# A14: not a regular file: a FIFO nobody writes (no hang), a device, a
# directory.
case_special_files() {
	build_asan
	mkfifo -m 0644 "$T/fifo.conf"
	refused_config "$T/fifo.conf"
	refused_config /dev/zero
	install -d -m 0755 "$T/dir.conf"
	refused_config "$T/dir.conf"
	step "guard.conf is a FIFO"
	install_policy
	rm -f "$CONF"
	mkfifo -m 0644 "$CONF"
	refused_by_all "$CONF"
	install_policy
}

# The valid policy in the default layout (guard.conf and an empty guard.d)
# loads clean under ASan and UBSan: the baseline of every run above.
case_asan_default_layout() {
	build_asan
	install_policy
	local args
	for args in "check" "check /etc/guard/guard.conf" "explain useradd -m newu" \
		"explain userdel root" "--config /etc/guard/guard.conf explain useradd -m newu"; do
		step "ASan guardctl $args, empty guard.d"
		# shellcheck disable=SC2086 # args is a list of words
		run_cmd "$ASAN_GUARDCTL" $args
		assert_clean_exit 0 1
	done
}

attack_case "ASan: the default layout loads clean" case_asan_default_layout
attack_case "A13 config \${}: refused with file:line" case_dollar_brace
attack_case "A14 config sizes: 1 MB line, 100k '{', 5 MB" case_sizes
attack_case "A14 config include()" case_include
attack_case "A14 config symlinks" case_symlinks
attack_case "A14 config not owned by root" case_owner
attack_case "A14 config writable by group or others" case_writable
attack_case "A14 config not a regular file" case_special_files
attack_done
