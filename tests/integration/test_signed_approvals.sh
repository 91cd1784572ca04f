#!/bin/bash
# Approvals across hosts as SSH signatures (guardctl approve --sign on the
# approver's machine, --signature on the requester's host): the legitimate
# path approves and the request runs once; a replay, a token for another
# host, a changed token, another namespace, an unknown or revoked key, the
# requester's own key, a signer who is no approver, a signature for another
# request and an expired request are each refused with their reason. Keys
# and allowed_signers are made here with the real ssh-keygen.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root
require_guardctl
GUARDCTL=/usr/local/sbin/guardctl
command -v ssh-keygen >/dev/null || skip "ssh-keygen is not installed (openssh-client)"
[[ -x /lib/systemd/systemd-journald ]] || skip "missing systemd-journald"
. "$(dirname -- "${BASH_SOURCE[0]}")/daemons.sh"

work=$(mktemp -d)
chmod 0755 "$work"
cleanup() {
	stop_daemons
	rm -rf -- "$work"
}
trap cleanup EXIT
start_journald || fail "journald did not start"

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  audit         = off
  journal       = yes
  timezone      = "UTC"
  approvers     = { "%guard-approvers" }
  approval_ttl  = "30m"
  approver_keys = "/etc/guard/allowed_signers"
  revoked_keys  = "/etc/guard/revoked_keys"
}
privileged_groups = { "root", "sudo", "admins" }
rule "admins-grant" {
  actions  = { "group.member.add", "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}
command "usermod" { path = "/usr/sbin/usermod" }
POLICY
chmod 0644 /etc/guard/guard.conf
find /var/lib/guard -mindepth 1 -delete
usermod -aG guard-approvers erin

as() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }

step "keys: carol and erin approve (erin's key is revoked), bob asks, dave is no approver"
for u in carol erin bob dave; do
	install -d -o "$u" -m 0700 "$work/$u"
	as "$u" ssh-keygen -q -t ed25519 -N '' -C "$u" -f "$work/$u/key"
	printf '%s %s\n' "$u" "$(cut -d' ' -f1,2 "$work/$u/key.pub")" >>/etc/guard/allowed_signers
done
install -d -o alice -m 0700 "$work/alice"
as alice ssh-keygen -q -t ed25519 -N '' -C stranger -f "$work/alice/key"
cp "$work/erin/key.pub" /etc/guard/revoked_keys
chmod 0644 /etc/guard/allowed_signers /etc/guard/revoked_keys
useradd signee1
useradd signee2

# file USER: bob files usermod -aG sudo USER; prints the request's id.
file() {
	as bob "$GUARDCTL" request usermod -aG sudo "$1" 2>"$work/request.err" | tail -1
}

# token ID: the request's token, as guardctl list --json gives it.
token() {
	as carol "$GUARDCTL" list --json |
		python3 -c 'import json,sys; print([r["token"] for r in json.load(sys.stdin)["requests"] if r["id"] == int(sys.argv[1])][0], end="")' "$1"
}

# sign USER TOKENFILE SIGFILE [NAMESPACE]: USER signs, with no privilege
# (guardctl --sign), or with ssh-keygen itself in another namespace.
sign() {
	if [[ -n ${4:-} ]]; then
		as "$1" ssh-keygen -q -Y sign -f "$work/$1/key" -n "$4" <"$2" >"$3"
	else
		as "$1" "$GUARDCTL" approve --sign "$work/$1/key" "$2" >"$3" 2>"$work/sign.err"
	fi
}

# present SIGFILE ID: dave (anyone) presents the signature on this host.
present() {
	run_cmd as dave "$GUARDCTL" approve --signature "$1" "$2"
}

refused() {
	[[ $STATUS -eq 1 ]] || fail "$3: status $STATUS: $OUT $ERR"
	assert_contains "$ERR" "$2" "$3"
}

step "the path that works: bob asks, carol signs elsewhere, dave presents, bob runs it once"
id=$(file signee1)
[[ $id =~ ^[0-9]+$ ]] || fail "no request id: $(cat "$work/request.err")"
assert_contains "$(cat "$work/request.err")" "guard-approval-request v1"
token "$id" >"$work/t1"
chmod 0644 "$work/t1"
assert_contains "$(cat "$work/t1")" "request: $id"
assert_contains "$(cat "$work/t1")" "nonce: "
sign carol "$work/t1" "$work/s1"
assert_contains "$(cat "$work/sign.err")" "You are approving"
assert_contains "$(cat "$work/s1")" "BEGIN SSH SIGNATURE"
present "$work/s1" "$id"
assert_eq 0 "$STATUS" "the signed approval: $ERR"
assert_contains "$OUT" "approved by carol (SSH signature)"
run_cmd as bob "$GUARDCTL" run "$id"
assert_eq 0 "$STATUS" "bob runs the approved request: $ERR"
id -nG signee1 | grep -qw sudo || fail "signee1 is not in sudo after the approved run"

step "refused: the same signature again (replay)"
present "$work/s1" "$id"
refused "$id" "request $id is used" "replay"

id2=$(file signee2)
token "$id2" >"$work/t2"
chmod 0644 "$work/t2"

step "refused: a signature for another request"
present "$work/s1" "$id2"
refused "$id2" "does not verify" "another request"

step "refused: a token for another host"
sed 's/^host: .*/host: elsewhere.example/' "$work/t2" >"$work/t2-host"
sign carol "$work/t2-host" "$work/s-host"
present "$work/s-host" "$id2"
refused "$id2" "does not verify" "another host"

step "refused: a changed token (the command)"
sed 's/^command: .*/command: usermod -aG video signee2/' "$work/t2" >"$work/t2-cmd"
sign carol "$work/t2-cmd" "$work/s-cmd"
present "$work/s-cmd" "$id2"
refused "$id2" "does not verify" "changed token"

step "refused: another namespace"
sign carol "$work/t2" "$work/s-ns" file
present "$work/s-ns" "$id2"
refused "$id2" "does not verify" "namespace"

step "refused: a key allowed_signers does not list"
sign alice "$work/t2" "$work/s-unknown"
present "$work/s-unknown" "$id2"
refused "$id2" "not in /etc/guard/allowed_signers" "unknown key"

step "refused: a revoked key"
sign erin "$work/t2" "$work/s-revoked"
present "$work/s-revoked" "$id2"
refused "$id2" "does not verify" "revoked key"

step "refused: the requester's own key"
sign bob "$work/t2" "$work/s-own"
present "$work/s-own" "$id2"
refused "$id2" "signed their own request" "requester's key"

step "refused: a signer who is no approver"
sign dave "$work/t2" "$work/s-dave"
present "$work/s-dave" "$id2"
refused "$id2" "is not an approver" "not an approver"
id -nG signee2 | grep -qw sudo && fail "signee2 joined sudo"

step "refused: an expired request (this host's clock decides)"
printf 'settings {\n  approval_ttl = "2s"\n}\n' >/etc/guard/guard.d/10-short.conf
chmod 0644 /etc/guard/guard.d/10-short.conf
useradd signee3
id3=$(file signee3)
rm /etc/guard/guard.d/10-short.conf
token "$id3" >"$work/t3"
chmod 0644 "$work/t3"
sleep 3
sign carol "$work/t3" "$work/s3"
present "$work/s3" "$id3"
refused "$id3" "request $id3 is expired" "expired"

step "refused: an allowed_signers file others may write"
chmod 0666 /etc/guard/allowed_signers
sign carol "$work/t2" "$work/s2"
present "$work/s2" "$id2"
refused "$id2" "writable by root alone" "a writable allowed_signers"
chmod 0644 /etc/guard/allowed_signers

step "control: carol's own signature of the second request still counts"
sign carol "$work/t2" "$work/s2"
present "$work/s2" "$id2"
assert_eq 0 "$STATUS" "the second approval: $ERR"

step "each refusal left a journal alert naming the request and why"
sync_journal
alerts=$(journalctl --no-pager -o json GUARD_ALERT=approval-signature)
assert_eq 10 "$(grep -c . <<<"$alerts")" "one alert per refused signature: $alerts"
assert_contains "$alerts" '"GUARD_WHY":"the signature does not verify"'
assert_contains "$alerts" '"GUARD_WHY":"the signer may not approve this request"'
assert_contains "$alerts" '"GUARD_ACTOR":"dave"'
