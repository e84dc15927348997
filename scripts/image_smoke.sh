#!/usr/bin/env bash
# Smoke test of an installed minutes service (run inside the image by scripts/build_image.sh):
# a clerk and an API key from the CLI, `minutes serve` in the background, then over HTTP
# upload a minute (201, stored), check its first half (200, findings incl. SIGN), search (a hit).
#   bash scripts/image_smoke.sh [MINUTE.txt]    default corpora/written/c001.txt next to this script
# Uses MINUTES_DATA_DIR (the image's /data), or a fresh temporary folder when it is unset.
set -euo pipefail
MINUTE="${1:-$(dirname "$0")/../corpora/written/c001.txt}"
PORT="${SMOKE_PORT:-8765}"
export MINUTES_DATA_DIR="${MINUTES_DATA_DIR:-$(mktemp -d)}"
export SMOKE_MINUTE="$MINUTE" SMOKE_URL="http://127.0.0.1:$PORT"

# A clerk of the unit that corpora/written/c001.txt names, and a key acting for it.
minutes users add smoke --role clerk --unit "Đảng bộ xã Minh Khai Hạ / Chi bộ thôn Trại Mới" >/dev/null
SMOKE_KEY="$(minutes keys create smoke --label smoke)"
export SMOKE_KEY

minutes serve --host 127.0.0.1 --port "$PORT" >/tmp/minutes-serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

python3 - <<'EOF' || { echo "smoke: FAILED; server log:" >&2; tail -n 40 /tmp/minutes-serve.log >&2; exit 1; }
import json, os, time, urllib.error, urllib.parse, urllib.request

URL, KEY, MINUTE = os.environ["SMOKE_URL"], os.environ["SMOKE_KEY"], os.environ["SMOKE_MINUTE"]

def call(method, path, body=None, ctype=None, auth=True):
    req = urllib.request.Request(URL + path, data=body, method=method)
    if auth:
        req.add_header("Authorization", f"Bearer {KEY}")
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")

def expect(cond, what, detail):
    if not cond:
        raise SystemExit(f"smoke: {what}: {str(detail)[:800]}")
    print(f"smoke: ok  {what}")

t0 = time.monotonic()
while True:  # the service loads its models before it answers
    try:
        status, body = call("GET", "/v1/health", auth=False)
        break
    except OSError:
        if time.monotonic() - t0 > 180:
            raise SystemExit("smoke: the service did not answer within 180 s")
        time.sleep(1)
expect(status == 200 and body.get("ok"), f"GET /v1/health after {time.monotonic() - t0:.1f} s", body)

data = open(MINUTE, "rb").read()
name = os.path.basename(MINUTE)
boundary = "smoke-boundary-7f3a"
form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        "Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
status, body = call("POST", "/v1/minutes", form, f"multipart/form-data; boundary={boundary}")
expect(status == 201 and body["stored"] == 1, "POST /v1/minutes -> 201, stored 1", body)
minute_id = body["data"][0]["id"]

# Its first half lacks the end (conclusion, signatures): the check must say so.
text = data.decode("utf-8")
status, body = call("POST", "/v1/check", text[: len(text) // 2].encode(), "text/plain; charset=utf-8")
rules = [f["rule"] for f in body["findings"]] if status == 200 else []
expect(status == 200 and "SIGN" in rules, f"POST /v1/check (first half) -> 200, findings {' '.join(rules)}", body)

# The upload is indexed in the background: ask until the minute shows up.
q = urllib.parse.urlencode({"q": "nghị quyết chi bộ thôn Trại Mới", "group": "true"})
deadline = time.monotonic() + 120
while True:
    status, body = call("GET", f"/v1/search?{q}")
    hits = [h["minute_id"] for h in body["data"]] if status == 200 else []
    if minute_id in hits or time.monotonic() > deadline:
        break
    time.sleep(2)
expect(minute_id in hits, f"GET /v1/search -> 200, {len(hits)} hits, the uploaded minute among them", body)
EOF
echo "smoke: passed"
