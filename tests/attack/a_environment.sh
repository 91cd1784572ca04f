#!/bin/bash
# docs/threat-model.md A10-A12: the caller's environment. guardctl's decision and its
# explanation (local time, zone, rule, reasons) must be byte for byte what a
# clean environment gives; the policy's `timezone` decides local time, never
# TZ. Runs inside the sandbox.
#
#   A10 environment ............ case_env_explain (what reaches guardctl; the
#                                child's allowlist: a_run_path.sh)
#   A11 PATH hijack ............ case_path (explain and check ignore PATH; the
#                                exec by absolute path with a constant PATH:
#                                a_run_path.sh, tests/integration/test_run.sh)
#   A12 TZ ..................... case_tz_policy_zone, case_tz_system_zone,
#                                case_tz_now

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# A library that announces itself when the dynamic loader loads it.
build_evil_so() {
	[[ -f $T/evil/evil.so ]] && return 0
	mkdir -p "$T/evil"
	cat >"$T/evil/evil.c" <<'EOF'
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void)
{
	static const char m[] = "EVIL-LIBRARY-LOADED\n";
	write(2, m, sizeof(m) - 1);
}
EOF
	cc -shared -fPIC -o "$T/evil/evil.so" "$T/evil/evil.c" || fail "cannot build evil.so"
	# A fake zone "file", a fake tool, and locale and gconv directories.
	printf 'TZif2-not-really\n' >"$T/evil/zone"
	printf '#!/bin/sh\necho EVIL-TOOL-RAN\n' >"$T/evil/useradd"
	cp "$T/evil/useradd" "$T/evil/chpasswd"
	chmod 0755 "$T/evil/useradd" "$T/evil/chpasswd"
	mkdir -p "$T/evil/locale" "$T/evil/gconv"
	chmod -R a+rX "$T/evil"
}

# The hostile environments, one per line: NAME=VALUE words for env(1).
hostile_envs() {
	local big_tz
	big_tz=$(repeat 4096 A)
	cat <<EOF
TZ=/etc/shadow
TZ=:/etc/shadow
TZ=:../../x
TZ=../../../../../etc/shadow
TZ=$T/evil/zone
TZ=$big_tz
TZ=Asia/Tokyo
TZ=:Pacific/Kiritimati
TZ=UTC+12
TZ=<+1445>-14:45
LD_PRELOAD=$T/evil/evil.so
LD_LIBRARY_PATH=$T/evil
LD_AUDIT=$T/evil/evil.so
LD_DEBUG=all
GCONV_PATH=$T/evil/gconv CHARSET=PWNKIT
LOCPATH=$T/evil/locale
NLSPATH=$T/evil/%N
LANGUAGE=../..
LANG=../../x LC_ALL=../../x
LC_ALL=de_DE.UTF-8 LC_TIME=de_DE.UTF-8
HOSTALIASES=$T/evil/hosts RES_OPTIONS=ndots:15
IFS=/ BASH_ENV=$T/evil/useradd ENV=$T/evil/useradd SHELLOPTS=xtrace PS4=EVIL
PERL5LIB=$T/evil PYTHONPATH=$T/evil TMPDIR=$T/evil HOME=/tmp/evil
MALLOC_CHECK_=3 MALLOC_PERTURB_=165 GLIBC_TUNABLES=glibc.malloc.check=3
POSIXLY_CORRECT=1
PATH=$T/evil:$CLEAN_PATH
COLUMNS=1 LINES=1 TERM=dumb
USER=root LOGNAME=root HOME=/root SUDO_USER=root SUDO_UID=0
EOF
}

# compare_runs ARGS...: guardctl ARGS as alice with each hostile environment
# gives exactly the output and status of a clean environment (the clock in
# explain's output aside).
compare_runs() {
	local line words what ref_out ref_err ref_status
	build_helper exec_env
	run_cmd as_alice_clean "$GUARDCTL" "$@"
	ref_out=$(without_clock "$OUT") ref_err=$ERR ref_status=$STATUS
	while IFS= read -r line; do
		read -r -a words <<<"$line"
		[[ $line == *PATH=* ]] || words+=("PATH=$CLEAN_PATH")
		what="guardctl $* with ${line:0:80}"
		run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
			"$T/exec_env" "${words[@]}" -- "$GUARDCTL" "$@"
		OUT=$(without_clock "$OUT")
		assert_eq "$ref_status" "$STATUS" "exit status of $what"
		assert_eq "$ref_out" "$OUT" "stdout of $what"
		assert_eq "$ref_err" "$ERR" "stderr of $what"
		assert_not_contains "$OUT$ERR" "EVIL" "$what"
	done < <(hostile_envs)
}

# A policy whose helpdesk rule has an office-hours window in a zone far
# from UTC (Kathmandu, +05:45): a decision that depends on the zone.
zoned_policy() {
	attack_policy | sed -e "s|timezone  = \"system\"|timezone  = \"$1\"|" \
		-e 's|  targets  = { "!@protected" }|  targets  = { "!@protected" }\n  time     = { "Mon-Fri 08:00-18:00" }|' \
		>"$T/zoned.conf"
	install_policy "$T/zoned.conf"
	run_cmd "$GUARDCTL" check
	assert_eq 0 "$STATUS" "the zoned policy is valid: $ERR"
}

case_env_explain() {
	build_evil_so
	install_policy
	local args
	for args in "explain useradd -m newu" "explain --json useradd -m newu" \
		"explain userdel root" "explain usermod -aG sudo dave" "explain --bogus" \
		"explain --at 2025-03-03_10:00 useradd newu" "check" "check /etc/guard/guard.conf" \
		"no-such-command"; do
		step "hostile environments: guardctl $args"
		# shellcheck disable=SC2086 # args is a list of words
		compare_runs $args
	done
}

# A12: local time is the policy's zone. 2025-03-03 is a Monday; 02:30Z is
# 08:15 in Kathmandu (inside the window), 12:30Z is 18:15 (outside).
case_tz_policy_zone() {
	build_evil_so
	zoned_policy Asia/Kathmandu
	local at
	for at in 2025-03-03T02:30:00Z "2025-03-03 08:15" 2025-03-03T12:30:00Z "2025-03-03 18:15"; do
		step "policy zone Asia/Kathmandu, --at $at"
		run_cmd as_alice_clean "$GUARDCTL" explain --at "$at" useradd -m newu
		case $at in
		*02:30* | *08:15)
			assert_eq 0 "$STATUS" "inside the window in the policy's zone: $OUT"
			assert_contains "$(grep '^time:' <<<"$OUT")" "Mon 2025-03-03 08:15:00 "
			assert_contains "$(grep '^time:' <<<"$OUT")" "Asia/Kathmandu"
			;;
		*)
			assert_eq 1 "$STATUS" "outside the window in the policy's zone: $OUT"
			assert_contains "$(grep '^time:' <<<"$OUT")" "Mon 2025-03-03 18:15:00 "
			assert_contains "$(grep '^time:' <<<"$OUT")" "Asia/Kathmandu"
			;;
		esac
		compare_runs explain --at "$at" useradd -m newu
		compare_runs explain --json --at "$at" useradd -m newu
	done
}

# A12 with `timezone = "system"`: /etc/localtime decides, not TZ. The
# host's zone is often UTC, which a guardctl that ignored /etc/localtime
# would show as well: the sandbox's /etc/localtime names a zone far from it
# for this case (St. John's, -03:30 on 2025-03-03).
case_tz_system_zone() {
	local zone=America/St_Johns
	[[ -f /usr/share/zoneinfo/$zone ]] || skip "no zoneinfo for $zone"
	build_evil_so
	install_policy
	cp -a /etc/localtime "$T/localtime.saved"
	# shellcheck disable=SC2064 # expand now
	trap "rm -f /etc/localtime; cp -a '$T/localtime.saved' /etc/localtime" EXIT
	ln -sfn "/usr/share/zoneinfo/$zone" /etc/localtime
	step "policy zone system (/etc/localtime: $zone)"
	run_cmd as_alice_clean "$GUARDCTL" explain --at "2025-03-03 10:00" useradd -m newu
	assert_eq 0 "$STATUS" "explain: $ERR"
	assert_contains "$(grep '^time:' <<<"$OUT")" "Mon 2025-03-03 10:00:00 NST -03:30 $zone" \
		"local time in the zone of the system"
	run_cmd as_alice_clean "$GUARDCTL" explain --at "2025-03-03T10:00:00Z" useradd -m newu
	assert_contains "$(grep '^time:' <<<"$OUT")" "Mon 2025-03-03 06:30:00 NST -03:30 $zone" \
		"a UTC time shown in the zone of the system"
	compare_runs explain --at "2025-03-03 10:00" useradd -m newu
	compare_runs explain --at "2025-03-03T10:00:00+09:00" useradd -m newu
}

# The current time, without --at: the time line shows now in the policy's
# zone whatever TZ says (compared to the minute, once more across a minute
# boundary).
case_tz_now() {
	zoned_policy Asia/Kathmandu
	build_helper exec_env
	local tz got want
	for tz in "" /etc/shadow :../../x Asia/Tokyo UTC+12 "$(repeat 4096 A)"; do
		for _ in 1 2; do
			want=$(TZ=Asia/Kathmandu date '+%a %Y-%m-%d %H:%M')
			run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
				"$T/exec_env" PATH="$CLEAN_PATH" ${tz:+TZ="$tz"} -- "$GUARDCTL" explain useradd -m newu
			got=$(sed -n 's/^time: *//p' <<<"$OUT")
			[[ $got == "$want":??" "*"Asia/Kathmandu" ]] && break
		done
		[[ $got == "$want":??" "*"Asia/Kathmandu" ]] ||
			fail "time with TZ=${tz:0:40}: '$got', expected '$want:SS ... Asia/Kathmandu'"
	done
}

# A11: a PATH that leads to fake tools changes nothing; `check` looks for
# the policy's absolute paths, never in PATH.
case_path() {
	build_evil_so
	install_policy
	step "PATH=evil: explain and check"
	compare_runs explain useradd -m newu
	compare_runs check
	# Exactly the clean run's output: a check that looked the commands up
	# in PATH would find only the fake ones, and warn about the rest.
	local ref_out ref_err path
	for path in "PATH=$T/evil" ""; do
		step "${path:-no PATH at all}: check and explain"
		run_cmd as_alice_clean "$GUARDCTL" check
		ref_out=$OUT ref_err=$ERR
		run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
			"$T/exec_env" ${path:+"$path"} -- "$GUARDCTL" check
		assert_eq 0 "$STATUS" "check with ${path:-no PATH}: $ERR"
		assert_eq "$ref_out" "$OUT" "stdout of check with ${path:-no PATH}"
		assert_eq "$ref_err" "$ERR" "stderr of check with ${path:-no PATH}"
		run_cmd as_alice_clean "$GUARDCTL" explain useradd -m newu
		ref_out=$(without_clock "$OUT") ref_err=$ERR
		run_cmd env -i PATH="$CLEAN_PATH" setpriv --reuid=alice --regid=alice --init-groups -- \
			"$T/exec_env" ${path:+"$path"} -- "$GUARDCTL" explain useradd -m newu
		assert_eq 0 "$STATUS" "explain with ${path:-no PATH}: $ERR"
		assert_eq "$ref_out" "$(without_clock "$OUT")" "stdout of explain with ${path:-no PATH}"
		assert_eq "$ref_err" "$ERR" "stderr of explain with ${path:-no PATH}"
	done
}

attack_case "A10 hostile environment: explain and check unchanged" case_env_explain
attack_case "A11 PATH hijack: explain and check unchanged" case_path
attack_case "A12 TZ: the policy's zone decides (--at)" case_tz_policy_zone
attack_case "A12 TZ: timezone = system is /etc/localtime, not TZ" case_tz_system_zone
attack_case "A12 TZ: the current time in the policy's zone" case_tz_now
attack_done
