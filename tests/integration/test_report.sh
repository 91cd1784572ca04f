#!/bin/bash
# guardctl report over a scripted day of decisions: the text's counts match
# the ledger (guardctl history), every JSON line carries the documented ECS
# and OCSF fields and there is one per ledger row, and the HTML page is
# self-contained and renders its tables and charts in headless Chromium.

. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
in_sandbox "$@"
require_root
require_guardctl
GUARDCTL=/usr/local/sbin/guardctl
command -v python3 >/dev/null || skip "missing python3"

work=$(mktemp -d)
chmod 0755 "$work"
trap 'rm -rf -- "$work"' EXIT

cat >/etc/guard/guard.conf <<'POLICY'
settings {
  audit       = off
  journal     = no
  timezone    = "UTC"
  approvers   = { "%guard-approvers" }
  admins      = { "%admins" }
  break_glass = { "%oncall" }
}
privileged_groups = { "root", "sudo", "admins" }
protected_users   = { "root", "uid:0-999" }
rule "helpdesk" {
  actions  = { "user.create", "user.modify", "group.create", "group.member.add" }
  actors   = { "%helpdesk" }
  targets  = { "!@protected" }
  groups   = { "!@privileged" }
  decision = allow
}
rule "admins-grant" {
  actions  = { "group.member.add", "role.escalate" }
  actors   = { "%admins" }
  decision = approve
}
command "useradd" { path = "/usr/sbin/useradd" }
command "usermod" { path = "/usr/sbin/usermod" }
POLICY
chmod 0644 /etc/guard/guard.conf
find /var/lib/guard -mindepth 1 -delete

as() { setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; }

step "a day: accounts made, a refusal, an approval, a freeze, break-glass, a change around Guard"
"$GUARDCTL" verify --init >/dev/null
for u in rep1 rep2 rep3; do
	as alice "$GUARDCTL" useradd "$u" >/dev/null 2>&1 || fail "useradd $u"
done
as alice "$GUARDCTL" usermod -aG sudo rep1 >/dev/null 2>&1 && fail "alice put rep1 in sudo"
run_cmd as bob "$GUARDCTL" usermod -aG sudo rep2
assert_contains "$ERR" "filed"
id=$(grep -o 'request [0-9]* filed' <<<"$ERR" | head -1 | cut -d' ' -f2)
[[ -n $id ]] || fail "no request id in: $ERR"
sleep 1
as carol "$GUARDCTL" approve "$id" >/dev/null || fail "approve $id"
as bob "$GUARDCTL" run "$id" >/dev/null 2>&1 || fail "run $id"
"$GUARDCTL" freeze --reason "maintenance" --for 1h >/dev/null
"$GUARDCTL" thaw >/dev/null
as erin "$GUARDCTL" break-glass --reason "incident 7" --for 5m >/dev/null || fail "break-glass"
useradd sidedoor
"$GUARDCTL" verify >/dev/null && fail "verify saw nothing"

history=$("$GUARDCTL" history --json)
read -r rows allow approve deny < <(python3 -c '
import json, sys
d = json.load(sys.stdin)["decisions"]
c = lambda k: sum(1 for r in d if r["decision"] == k)
print(len(d), c("allow"), c("approve"), c("deny"))' <<<"$history")
[[ $rows -ge 8 && $deny -ge 1 && $approve -ge 1 ]] || fail "the day's ledger: $history"

step "text: the counts are the ledger's"
run_cmd "$GUARDCTL" report
assert_eq 0 "$STATUS" "report: $ERR"
assert_contains "$OUT" "Decisions: $rows actions: $allow allowed, $approve needing approval, $deny refused"
assert_contains "$OUT" "  #$id "
assert_contains "$OUT" "approved by carol after"
assert_contains "$OUT" "1 filed: 1 approved, 0 denied, 0 expired, 0 pending"
assert_contains "$OUT" "maintenance, thawed by root"
assert_contains "$OUT" "erin until"
assert_contains "$OUT" "user sidedoor: added"
assert_contains "$OUT" "group sudo is @privileged"

step "json: one line per ledger row and per other event, the documented fields"
run_cmd "$GUARDCTL" report --format json
assert_eq 0 "$STATUS" "report --format json: $ERR"
cat >"$work/lines.py" <<'PY'
import json, sys
lines = [json.loads(l) for l in sys.stdin.read().splitlines()]
want_rows = int(sys.argv[1])
decisions = [e for e in lines if "decision" in e.get("guard", {})]
assert len(decisions) == want_rows, (len(decisions), want_rows)
for e in lines:
    assert e["@timestamp"].endswith("Z"), e
    ev = e["event"]
    assert ev["kind"] == "event" and ev["category"] == ["iam"], e
    assert ev["type"][0] in ("user", "group") and len(ev["type"]) == 2, e
    assert ev["outcome"] in ("success", "failure", "unknown"), e
    assert e["host"]["name"], e
    assert e["ocsf"]["class_uid"] in (3001, 3003, 3006), e
    assert isinstance(ev["action"], str) and ev["action"], e
actions = {e["event"]["action"] for e in lines}
for a in ("user.create", "group.member.add", "guard-approval", "guard-freeze",
          "guard-break-glass", "guard-account-change"):
    assert a in actions, (a, actions)
[appr] = [e for e in lines if e["event"]["action"] == "guard-approval"]
assert appr["guard"]["status"] == "approved" and appr["guard"]["approved_by"] == "carol", appr
assert appr["guard"]["latency_s"] >= 1, appr
assert appr["user"]["name"] == "bob", appr
[chg] = [e for e in lines if e["event"]["action"] == "guard-account-change" and
         e.get("user", {}).get("target", {}).get("name") == "sidedoor"]
assert chg["event"]["type"] == ["user", "creation"] and chg["ocsf"]["class_uid"] == 3001, chg
refused = [e for e in decisions if e["event"]["outcome"] == "failure"]
assert refused and all(e["guard"]["decision"] == "deny" for e in refused), refused
assert any(e.get("group", {}).get("name") == "sudo" for e in refused), refused
ran = [e for e in decisions if e["guard"].get("approval_id")]
assert ran and all(e["event"]["outcome"] == "success" for e in ran), ran
changes = [e["event"]["reason"] for e in lines if e["event"]["action"] == "guard-account-change"]
assert changes == ["user sidedoor: added", "group sidedoor: added"], changes
PY
python3 "$work/lines.py" "$rows" <<<"$OUT" || fail "JSON Lines: $OUT"

step "html: one self-contained page, written to a new file only"
"$GUARDCTL" report --format html -o "$work/report.html" || fail "report --format html"
html=$(cat "$work/report.html")
assert_contains "$html" "<table>"
assert_eq 3 "$(grep -c '<svg class="chart"' <<<"$html")" "three charts"
assert_not_contains "$html" "<script"
assert_not_contains "$html" "http://"
assert_not_contains "$html" "https://"
run_cmd "$GUARDCTL" report --format html -o "$work/report.html"
assert_eq 2 "$STATUS" "-o over an existing file"
ln -s /etc/passwd "$work/link.html"
run_cmd "$GUARDCTL" report --format html -o "$work/link.html"
assert_eq 2 "$STATUS" "-o through a symlink"
step "only root and admins report"
run_cmd as alice "$GUARDCTL" report
assert_eq 1 "$STATUS" "report as alice"
run_cmd as bob "$GUARDCTL" report --since 1h
assert_eq 0 "$STATUS" "report as bob (admins): $ERR"
run_cmd as bob "$GUARDCTL" report -o /etc/guard-report.html
assert_eq 2 "$STATUS" "bob writes where bob may not"
[[ ! -e /etc/guard-report.html ]] || fail "report wrote /etc/guard-report.html with root's rights"

step "Chromium renders the tables and the charts"
chromium=$(command -v chromium || true)
[[ -n $chromium ]] || skip "chromium is not installed (tools/install-deps)"
export HOME=$work
run_cmd timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1000,1600 --screenshot="$work/report.png" "file://$work/report.html"
[[ -s $work/report.png ]] || fail "no screenshot: $ERR"
dom=$(timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom \
	"file://$work/report.html" 2>/dev/null)
assert_contains "$dom" '<svg class="chart" id="per-day"'
assert_contains "$dom" "<rect"
assert_contains "$dom" "sidedoor"
python3 - "$work/report.png" <<'PY' || fail "the screenshot does not show the charts"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp + 1
prev = bytearray(w * bpp)
colours = set()
for y in range(len(raw) // stride):
    f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, w * bpp, bpp * 4):
        colours.add(tuple(line[x:x + 3]))
green = (0x2e, 0x7d, 0x32) in colours
red = (0xc6, 0x28, 0x28) in colours
assert green and red, ("bars not drawn", len(colours))
assert len(colours) > 20, len(colours)
PY
