#!/bin/bash
# The man pages against the code: every option the policy parser knows
# (libguard/policy_parse.c's option tables) is in guard.conf(5); every
# guardctl subcommand (guardctl/commands.c) and option is in guardctl(8), and
# `guardctl SUBCOMMAND --help` prints its usage; every pam_guard.so argument
# (pam_guard/pam_guard.c) is in pam_guard(8), every sudo_guard.so argument
# (sudo_guard/info.c) in sudo_guard(8); the pages lint clean with mandoc and man. Needs no root
# and no sandbox.
set -uo pipefail

TOP=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
MAN=$TOP/man
GUARDCTL=${GUARDCTL:-$TOP/build/libexec/guardctl}
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# A page's text with roff escapes undone, for word look-ups.
page_text() {
	sed -e 's/\\-/-/g' -e 's/\\(dq/"/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$1"
}

# The option names of one cfg_opt_t table: SCALAR("x"), LIST("x"),
# CFG_BOOL("x", ...), CFG_SEC("x", ...).
table_keys() {
	sed -n "/^static cfg_opt_t $1\[\] = {/,/^};/p" "$TOP/libguard/policy_parse.c" |
		grep -o '\(SCALAR\|LIST\|CFG_[A-Z_]*\)("[a-z_]*"' | sed 's/.*("\(.*\)"/\1/'
}

conf=$(page_text "$MAN/guard.conf.5")
for table in top_opts settings_opts rule_opts watch_opts service_opts command_opts; do
	keys=$(table_keys "$table")
	[[ -n $keys ]] || fail "no keys found in the option table $table of libguard/policy_parse.c"
	for key in $keys; do
		# Documented as a term: ".BR key" / ".B key" at the start of a
		# line, or a block heading "key "NAME" { }".
		if ! grep -Eq "^\.(B|BR|SS) $key( |$)|^\.SS $key \\\\\(dq" "$MAN/guard.conf.5"; then
			fail "guard.conf(5) does not document the $table key \"$key\""
		fi
	done
done
echo "guard.conf(5): checked the keys of $(grep -c '^static cfg_opt_t' "$TOP/libguard/policy_parse.c") option tables"

# Every value the parser accepts for the enumerated settings.
for v in enforce monitor required best-effort off allow approve deny system; do
	grep -qw -- "$v" <<<"$conf" || fail "guard.conf(5) does not mention the value \"$v\""
done
# Every action name.
actions=$(grep -Eo '"(user|group|role|session)\.[a-z.]*"' "$TOP/libguard/action.c" | tr -d '"' | sort -u)
[[ -n $actions ]] || fail "no action names found in libguard/action.c"
for a in $actions; do
	grep -qF -- "$a" <<<"$conf" || fail "guard.conf(5) does not mention the action $a"
done

# guardctl: subcommands from commands.c's table, options from every
# strcmp(argv[i], "--x") in guardctl/.
ctl=$(page_text "$MAN/guardctl.8")
subs=$(sed -n '/^static const struct guardctl_command commands\[\] = {/,/^};/p' \
	"$TOP/guardctl/commands.c" | grep -Eo '^ *\{"[a-z-]+", cmd_' | grep -o '"[a-z-]*"' | tr -d '"')
[[ -n $subs ]] || fail "no subcommands found in guardctl/commands.c"
# A subcommand is a term of SUBCOMMANDS: ".B NAME", ".BI NAME ...",
# ".BR NAME ...", or ".BI "NAME " ...".
# Read once: grep -q ending a pipeline early would fail it under pipefail.
subtext=$(page_text "$MAN/guardctl.8" | sed -n '/^\.SH SUBCOMMANDS/,/^\.SH /p')
for s in $subs; do
	grep -Eq "^\.B[IR]? \"?$s( |\"|$)" <<<"$subtext" ||
		fail "guardctl(8) does not document the subcommand \"$s\" under SUBCOMMANDS"
done
opts=$(grep -oh 'strcmp([a-z_]*\(\[[a-z0-9 +]*\]\)\?, "--[a-z-]*")' "$TOP"/guardctl/*.c |
	grep -o '"--[a-z-]*"' | tr -d '"' | sort -u)
[[ -n $opts ]] || fail "no options found in guardctl/*.c"
for o in $opts; do
	grep -qF -- "$o" <<<"$ctl" || fail "guardctl(8) does not document the option $o"
done

# The usage lines of `guardctl --help` and `guardctl help SUB` are in the
# man page's SYNOPSIS, word for word.
if [[ -x $GUARDCTL ]]; then
	synopsis=$(MANWIDTH=200 man -l "$MAN/guardctl.8" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed 's/^ *//')
	while IFS= read -r line; do
		line=${line#usage: }
		line=${line#"${line%%[! ]*}"}
		[[ -n $line ]] || continue
		grep -qxF -- "$line" <<<"$synopsis" ||
			fail "guardctl --help says \"$line\", which guardctl(8)'s SYNOPSIS does not"
	done < <("$GUARDCTL" --help)
	for s in $subs; do
		"$GUARDCTL" help "$s" >/dev/null 2>&1 || fail "guardctl help $s fails"
		help=$("$GUARDCTL" "$s" --help 2>&1) || fail "guardctl $s --help does not exit 0"
		[[ $help == "usage: guardctl $s"* ]] || fail "guardctl $s --help prints no usage: $help"
	done
	"$GUARDCTL" --version | grep -q "^guardctl $(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")$" ||
		fail "guardctl --version does not print the Makefile's VERSION"
else
	echo "note: $GUARDCTL not built: --help and help SUBCOMMAND not compared"
fi

# pam_guard.so's arguments.
pam=$(page_text "$MAN/pam_guard.8")
args=$(sed -n '/^static void parse_options/,/^}/p' "$TOP/pam_guard/pam_guard.c" |
	grep -o '"[a-z_]*=\?"' | tr -d '"' | sort -u)
[[ -n $args ]] || fail "no arguments found in pam_guard/pam_guard.c"
for a in $args; do
	grep -qF -- "$a" <<<"$pam" || fail "pam_guard(8) does not document the argument $a"
done

# sudo_guard.so's arguments (sudo_guard/info.c).
sudo_page=$(page_text "$MAN/sudo_guard.8")
args=$(sed -n '/^int sudo_guard_parse_options/,/^}/p' "$TOP/sudo_guard/info.c" |
	grep -o '"[a-z_]*=\?"' | tr -d '"' | sort -u)
[[ -n $args ]] || fail "no arguments found in sudo_guard/info.c"
for a in $args; do
	grep -qF -- "$a" <<<"$sudo_page" || fail "sudo_guard(8) does not document the argument $a"
done

# Every page's .TH carries the Makefile's VERSION.
version=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
for page in "$MAN"/*.[0-9]; do
	grep -q "^\.TH .* \"Guard $version\"" "$page" ||
		fail "$(basename "$page")'s .TH does not say \"Guard $version\" (the Makefile's VERSION)"
done

# Sections every page has.
for page in "$MAN"/*.[0-9]; do
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -qx "\.SH \"\?$sec\"\?" "$page" || fail "$(basename "$page") has no $sec section"
	done
done

# Lint: mandoc at every level, and man's groff warnings.
if command -v mandoc >/dev/null; then
	out=$(mandoc -T lint "$MAN"/*.[0-9] 2>&1) || fail "mandoc -T lint: $out"
else
	echo "note: mandoc is not installed: not linted with mandoc"
fi
if command -v man >/dev/null; then
	for page in "$MAN"/*.[0-9]; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[[ -z $out ]] || fail "man --warnings $(basename "$page"): $out"
	done
fi

if [[ $fails -gt 0 ]]; then
	echo "test_man: $fails failure(s)"
	exit 1
fi
echo "test_man: the man pages document every key, subcommand, option and argument"
