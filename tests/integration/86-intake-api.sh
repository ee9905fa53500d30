#!/bin/sh
# 86-intake-api.sh - the intake API (POST /api/v1/contracts, /invoices; GET
# records, messages, refusals) against a real `gateway serve`:
#   - no credential, a malformed body, a non-object record: refused with a
#     clear error, nothing stored;
#   - a batch with one bad record: the others stored, the bad one rejected
#     naming its field; the same batch again changes nothing (idempotent on
#     record id and revision);
#   - a refused contract and a refused invoice are kept in the record store
#     (file "api", their place in the request): `gateway show` and GET
#     /api/v1/refusals give them back afterwards, not only the answer;
#   - a burst of 10,000 generated records from 32 clients, one record per
#     request: every request answered "stored", and the record store then
#     holds every record at its highest revision (nothing lost), in far
#     fewer commits than requests (group commit).
set -eu
. "$(dirname "$0")/../lib/clock.sh"   # the pinned clock: no test depends on the day it runs
: "${TOP:?}" "${GATEWAY:?}" "${BUILD:?}"
cd "$TOP"
w=$(mktemp -d "${TMPDIR:-/tmp}/gw86.XXXXXX")
srvpid=""
cleanup() {
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$w"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
make -s BUILD="$BUILD" "$BUILD/bench/gen_contracts" > /dev/null 2>&1 || fail "bench/gen_contracts cannot be built"
head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$w/token"
chmod 600 "$w/token"
cat > "$w/gw.conf" <<EOF
[queue]
dsn = $w/q.db
[http]
token_file = $w/token
EOF
"$GATEWAY" --config "$w/gw.conf" --log-level error serve --port 0 --port-file "$w/port" \
	> "$w/serve.out" 2> "$w/serve.err" &
srvpid=$!
i=0
while [ ! -s "$w/port" ]; do i=$((i + 1)); [ "$i" -lt 100 ] || fail "serve did not start"; sleep 0.1; done
u=http://127.0.0.1:$(cat "$w/port")/api/v1
auth="Authorization: Bearer $(cat "$w/token")"
post() { # PATH BODY-FILE -> status in $code, body in $w/body
	code=$(curl -s -o "$w/body" -w '%{http_code}' -H "$auth" --data-binary @"$2" "$u/$1")
}
rows() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from msgs").fetchone()[0])' "$w/q.db"; }

# Refusals that store nothing.
head -n 3 fixtures/contracts/sample.jsonl > "$w/three.jsonl"
[ "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$w/three.jsonl" "$u/contracts")" = 401 ] ||
	fail "a request without a credential was served"
printf '[{"contract_id": "X"' > "$w/broken.json"
post contracts "$w/broken.json"
[ "$code" = 400 ] && grep -q '"error":"request body line 1: ' "$w/body" || fail "malformed body: $code $(cat "$w/body")"
printf '[{"contract_id": "X"}, 7]' > "$w/notobj.json"
post contracts "$w/notobj.json"
[ "$code" = 400 ] && grep -q 'record 2 of the request is not a JSON object' "$w/body" || fail "non-object: $(cat "$w/body")"
[ ! -f "$w/q.db" ] || [ "$(rows)" -eq 0 ] || fail "a refused request stored something"

# A batch with one bad record; then the same batch again.
echo '{"contract_id": "BAD-1", "revision": "1"}' >> "$w/three.jsonl"
post contracts "$w/three.jsonl"
[ "$code" = 200 ] || fail "batch: $code $(cat "$w/body")"
python3 - "$w/body" <<'PY' || fail "batch verdicts: $(cat "$w/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stored"] == 3 and d["rejected"] == 1, d
bad = d["results"][3]
assert bad["contract_id"] == "BAD-1" and bad["status"] == "rejected", bad
assert "field status: required" in bad["error"], bad
PY
# The refused record is kept (issue 17 item 2): `gateway show` names the
# file "api", its place in the request (4th), the field and the reason.
"$GATEWAY" --config "$w/gw.conf" show BAD-1 > "$w/show" 2>&1 || true
grep -q '^rejected at intake: api:4: field status: required' "$w/show" ||
	fail "gateway show of a record refused by the API: $(cat "$w/show")"
# A refused invoice too (the invoice intake keeps nothing itself).
printf '{"invoice_id": "INV-BAD-86", "revision": "1"}\n' > "$w/badinv.jsonl"
post invoices "$w/badinv.jsonl"
[ "$code" = 200 ] && grep -q '"status":"rejected"' "$w/body" || fail "bad invoice: $code $(cat "$w/body")"
code=$(curl -s -o "$w/refusals" -w '%{http_code}' -H "$auth" "$u/refusals")
python3 - "$w/refusals" <<'PY' || fail "GET refusals after API rejections: $code $(cat "$w/refusals")"
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["refusals"] if x["state"] == "rejected"]
bad = [x for x in r if x["record"] == "BAD-1"]
assert len(bad) == 1 and bad[0]["file"] == "api" and bad[0]["line"] == 4, r
assert bad[0]["field"] == "status" and bad[0]["reason"] == "required", bad
inv = [x for x in r if x["record"] == "INV-BAD-86"]
assert len(inv) >= 1 and all(x["file"] == "api" and x["line"] == 1 and x["field"] for x in inv), r
assert not [x for x in r if x["file"] != "api"], r
PY
before=$(rows)
[ "$before" -ge 3 ] || fail "the batch queued $before messages"
post contracts "$w/three.jsonl"
[ "$code" = 200 ] && [ "$(rows)" -eq "$before" ] || fail "the same batch again queued more messages"
id=$(head -n 1 "$w/three.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contract_id"])')
code=$(curl -s -o "$w/rec" -w '%{http_code}' -H "$auth" "$u/records/$id")
[ "$code" = 200 ] && grep -q '"kind":"dimona-in"' "$w/rec" || fail "GET record: $code $(cat "$w/rec")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$u/records/NO-SUCH")" = 404 ] || fail "GET unknown record"

# docs/openapi.json is valid JSON and every path it describes is served
# (none answers 404 with the credential).
python3 - docs/openapi.json "$u" "$(cat "$w/token")" <<'PY' || fail "docs/openapi.json and the server disagree"
import json, sys, urllib.request, urllib.error
doc = json.load(open(sys.argv[1]))
base = sys.argv[2].rsplit("/api/v1", 1)[0]
for path, ops in doc["paths"].items():
    for method in ops:
        url = base + path.replace("{id}", "X")
        req = urllib.request.Request(url, method=method.upper(), data=b"{}" if method == "post" else None,
                                     headers={"Authorization": "Bearer " + sys.argv[3]})
        try:
            code = urllib.request.urlopen(req).status
        except urllib.error.HTTPError as e:
            code = e.code
        body404 = code == 404 and "{id}" not in path
        if body404 or code in (405, 501):
            print(method.upper(), path, "->", code); sys.exit(1)
PY

# The burst (the time-shifted second pass of make check, which only looks
# for tests that read the real date, sends a fifth of it).
burst=10000
[ -z "${GW_TIMESHIFTED:-}" ] || burst=2000
"$TOP/$BUILD/bench/gen_contracts" "$burst" 86 --jsonl > "$w/burst.jsonl"
python3 - "$u/contracts" "$(cat "$w/token")" "$w/burst.jsonl" "$w/verdicts.json" > "$w/burst.out" <<'PY' || fail "burst: $(tail -5 "$w/burst.out")"
import http.client, json, sys, threading, urllib.parse
url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [l for l in open(path, encoding="utf-8") if l.strip()]
u = urllib.parse.urlparse(url)
bad, lock = [], threading.Lock()
verdicts = [None] * len(lines)
def client(k):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    for i in range(k, len(lines), 32):
        c.request("POST", u.path, body=lines[i].encode(), headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        body = r.read()
        d = json.loads(body) if r.status == 200 else None
        if d is None or len(d["results"]) != 1 or d["results"][0]["status"] not in ("stored", "rejected"):
            with lock:
                bad.append((i, r.status, body[:200]))
        else:
            verdicts[i] = d["results"][0]
threads = [threading.Thread(target=client, args=(k,)) for k in range(32)]
for t in threads: t.start()
for t in threads: t.join()
print("requests", len(lines), "without a verdict", len(bad))
for b in bad[:5]: print(b)
json.dump(verdicts, open(sys.argv[4], "w"))
sys.exit(1 if bad else 0)
PY
# Every record answered "stored" is in the record store at its highest
# stored revision; the only ones rejected are those the Dimona rules at
# intake refuse in the generated mix (construction cards for JC 124, a
# flexi day declared too early on the pinned date), each naming its record,
# field and rule; none is rejected for anything else, none is lost.
python3 - "$w/burst.jsonl" "$w/q.db" "$w/verdicts.json" > "$w/store.out" <<'PY' || fail "the store and the answers disagree: $(cat "$w/store.out")"
import json, re, sqlite3, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
verdicts = json.load(open(sys.argv[3]))
want, wrong = {}, []
for r, v in zip(recs, verdicts):
    if v["status"] == "stored":
        want[r["contract_id"]] = max(want.get(r["contract_id"], 0), int(r["revision"]))
    elif not re.match(r"record %s: field \w+: the Dimona IN would be refused by the Dimona rules: "
                      % re.escape(r["contract_id"]), v.get("error", "")):
        wrong.append((r["contract_id"], r["joint_committee"], v.get("error")))
have = dict(sqlite3.connect(sys.argv[2]).execute("select record_id, revision from records"))
missing = [k for k, v in want.items() if have.get(k, 0) < v]
rejected = sum(1 for v in verdicts if v["status"] == "rejected")
print("stored records", len(want), "missing or behind", len(missing), missing[:5],
      "rejected by the rules", rejected, "; rejected for anything else", wrong[:5])
sys.exit(1 if missing or wrong or not want else 0)
PY
kill "$srvpid"; wait "$srvpid" 2>/dev/null || true; srvpid=""
commits=$(sed -n 's/^intake API: \([0-9]*\) groups.*/\1/p' "$w/serve.out")
[ -n "$commits" ] && [ "$commits" -lt "$burst" ] || fail "no group commit: $(tail -2 "$w/serve.out")"
echo "intake API: credentials and bad bodies refused, per-record verdicts, idempotent;" \
	"$burst records from 32 clients answered one by one (every stored one in the store, every" \
	"rejected one naming its rule) in $commits group commits"
