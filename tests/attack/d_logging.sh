#!/bin/bash
# ATTACKS.md D30: terminal injection. Whatever the caller puts in an
# argument (newline, CR, ESC, BEL, C1 controls, 1 MB strings) reaches the
# terminal escaped: no raw control byte but the newlines and tabs guardctl
# writes itself, and no line the caller forged. Runs inside the sandbox.
#
#   D30 injection .............. case_explain_output, case_messages
#                                (audit records and journald fields come with
#                                the events: not yet built)
#   D31 audit unavailable ...... not yet built: guardctl sends no audit record yet.

. "$(dirname -- "${BASH_SOURCE[0]}")/helpers.bash"
attack_init "$@"

# Values that would act on a terminal or forge a line of output.
INJECT=(
	$'x\nFORGED decision: allow'
	$'x\rFORGED'
	$'x\e[2J\e[HFORGED'
	$'x\e]0;FORGED\a'
	$'x\a\b\b\bFORGED'
	$'x\xc2\x9b2JFORGED'
	$'x\xc2\x85FORGED'
	$'x\x7fFORGED'
	$'x\x01\x02\x03\x04FORGED'
)

# check_output WHAT: the last run printed no raw control bytes and no line
# that starts with the forged text.
check_output() {
	assert_clean_exit
	assert_no_raw_controls "$OUT" "stdout of $1"
	assert_no_raw_controls "$ERR" "stderr of $1"
	if grep -q '^FORGED' <<<"$OUT$ERR"; then
		fail "$1: a line the caller forged:
$OUT$ERR"
	fi
}

# The explanation, text and JSON, for values in every place explain echoes.
case_explain_output() {
	local v q
	for v in "${INJECT[@]}"; do
		q=$(printf '%q' "$v")
		step "value $q"
		# Templates, V where the value goes.
		local -a reqs=(
			"useradd V" "useradd -c V newu" "useradd -d V newu" "useradd -s V newu"
			"useradd -G V newu" "useradd -u V newu" "usermod -p V dave" "useradd --V newu"
			"V newu" "usermod -aG helpdesk V" "gpasswd -a dave V"
		)
		local r w
		for r in "${reqs[@]}"; do
			local -a words=()
			for w in $r; do
				case $w in
				V) words+=("$v") ;;
				--V) words+=("--$v") ;;
				*) words+=("$w") ;;
				esac
			done
			run_cmd as_alice_clean "$GUARDCTL" explain "${words[@]}"
			check_output "explain ${words[*]}"
			run_cmd as_alice_clean "$GUARDCTL" explain --json "${words[@]}"
			check_output "explain --json ${words[*]}"
		done
		run_cmd as_alice_clean "$GUARDCTL" explain --at "$v" useradd newu
		check_output "explain --at $q"
		run_cmd as_alice_clean "$GUARDCTL" explain --from "$v" useradd newu
		check_output "explain --from $q"
		run_cmd as_alice_clean "$GUARDCTL" explain --service "$v" useradd -m newu
		check_output "explain --service $q"
		run_cmd "$GUARDCTL" explain --as "$v" useradd newu
		check_output "explain --as $q (root)"
		run_cmd as_alice_clean "$GUARDCTL" explain "--$v"
		check_output "explain --$q"
		run_cmd bash -c 'printf "%s:pw\n" "$1" | "${@:2}"' _ "$v" \
			setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain chpasswd
		check_output "explain chpasswd with the name $q"
	done
	step "1 MB of control bytes in one value"
	local big
	big=$(repeat 120000 $'\e')
	run_cmd as_alice_clean "$GUARDCTL" explain useradd -c "$big" newu
	check_output "explain with 120 KB of ESC"
	{
		printf 'dave:'
		repeat 1048000 $'\e'
		echo
	} >"$T/esc-batch"
	run_cmd bash -c 'cat "$1" | "${@:2}"' _ "$T/esc-batch" \
		setpriv --reuid=alice --regid=alice --init-groups -- "$GUARDCTL" explain chpasswd
	check_output "explain chpasswd with 1 MB of ESC"
}

# guardctl's other messages, one kind per case: an unknown global option,
# an unknown subcommand, help for an unknown topic, check FILE with a
# hostile path (missing, then writable by others).
case_messages() {
	local kind=$1 v q
	mkdir -p "$T/paths"
	for v in "${INJECT[@]}"; do
		q=$(printf '%q' "$v")
		step "$kind: value $q"
		case $kind in
		option)
			run_cmd as_alice_clean "$GUARDCTL" "--$v"
			check_output "guardctl --$q"
			;;
		subcommand)
			run_cmd as_alice_clean "$GUARDCTL" "$v"
			check_output "guardctl $q"
			;;
		help)
			run_cmd as_alice_clean "$GUARDCTL" help "$v"
			check_output "guardctl help $q"
			;;
		check)
			run_cmd as_alice_clean "$GUARDCTL" check "$T/paths/$v.conf"
			check_output "guardctl check $q (missing)"
			attack_policy >"$T/paths/$v.conf"
			chmod 0666 "$T/paths/$v.conf"
			run_cmd as_alice_clean "$GUARDCTL" check "$T/paths/$v.conf"
			check_output "guardctl check $q (writable)"
			rm -f "$T/paths/$v.conf"
			;;
		esac
	done
}

attack_case "D30 injection: explain output" case_explain_output
attack_case "D30 injection: unknown global option" case_messages option
attack_case "D30 injection: unknown subcommand" case_messages subcommand
attack_case "D30 injection: help topic" case_messages help
attack_case "D30 injection: check FILE path" case_messages check
attack_done
