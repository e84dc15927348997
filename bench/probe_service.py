"""Probe a served `minutes` on its default settings: the hardening probes, each PASS or FAIL.

usage: python -m bench.probe_service [--keep DIR]

Starts `minutes serve` (as the README's run command does, default settings) on a fresh
data directory and a free port, adds two đảng bộ with a clerk and a reviewer each through
the CLI, then runs each probe over real sockets and prints one line per probe. Exit code 1
when any probe fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MINUTES = str(Path(sys.executable).with_name("minutes"))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
A, B = "Đảng bộ xã An Phú", "Đảng bộ xã Bình Minh"
A1, B1 = "Chi bộ Thôn Đông Hòa", "Chi bộ Ấp Rạch Gốc"


def _cli(data: Path, *args: str) -> str:
    out = subprocess.run([MINUTES, *args, "--data-dir", str(data)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _minute(dang_bo: str, chi_bo: str, day: date) -> bytes:
    sys.path.insert(0, str(ROOT))
    from tests.archive.factory import make_minute

    return make_minute(dang_bo=dang_bo, chi_bo=chi_bo, day=day).encode()


def _sign_in(url: str, name: str, password: str, **headers: str) -> int:
    with httpx.Client(base_url=url) as c:
        token = CSRF.search(c.get("/dang-nhap").text)
        r = c.post("/dang-nhap", data={"name": name, "password": password, "csrf_token": token.group(1) if token
                                       else ""}, headers={"accept": "application/json", **headers})
        return r.status_code


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="Data directory to use and keep (default: a temporary one).")
    args = ap.parse_args()
    data = Path(args.keep or tempfile.mkdtemp(prefix="minutes-probe-"))
    env = {**os.environ, "MINUTES_DATA_DIR": str(data)}
    port = _port()
    log = open(data / "serve.log", "w")  # noqa: SIM115 - open for the server's lifetime
    admin_pw = "mat-khau-quan-tri-du-dai"
    subprocess.run([MINUTES, "users", "add", "quantri", "--role", "admin", "--password-stdin", "--data-dir",
                    str(data)], input=admin_pw, text=True, check=True, capture_output=True)
    for name, role, unit in (("vanthu-a1", "clerk", f"{A} / {A1}"), ("kiemtra-b", "reviewer", B),
                             ("vanthu-b1", "clerk", f"{B} / {B1}")):
        subprocess.run([MINUTES, "users", "add", name, "--role", role, "--unit", unit, "--password-stdin",
                        "--data-dir", str(data)], input=admin_pw, text=True, check=True, capture_output=True)
    keys = {n: _cli(data, "keys", "create", n) for n in ("quantri", "vanthu-a1", "vanthu-b1")}
    server = subprocess.Popen([MINUTES, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    results: list[tuple[str, bool, str]] = []

    def probe(name: str, ok: bool, detail: str) -> None:
        results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)

    def h(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[who]}"}

    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the service did not start; see " + str(log.name))
            time.sleep(0.5)
        kept = _minute(B, B1, date(2025, 1, 8))
        httpx.post(f"{url}/v1/minutes", files={"file": ("b.txt", kept, "text/plain")}, headers=h("vanthu-b1"),
                   timeout=120)

        # 1. parallel wrong passwords
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            codes = list(pool.map(lambda _: _sign_in(url, "vanthu-a1", "sai-mat-khau-nay"), range(30)))
        probe("1 sign-in limit under 30 parallel tries", codes.count(401) <= 5,
              f"{codes.count(401)} checked (401), {codes.count(429)} paused (429)")
        # 2. X-Forwarded-For from loopback
        _sign_in(url, "kiemtra-b", "sai-mat-khau-nay", **{"X-Forwarded-For": "203.0.113.7"})
        events = httpx.get(f"{url}/v1/audit-log", params={"action": "sign_in_failed", "limit": 1},
                           headers=h("quantri")).json()["data"]
        probe("2 forwarded address not believed", bool(events) and events[0]["ip"] == "127.0.0.1",
              f"audit log ip {events[0]['ip'] if events else None}")
        # 3. a 1 MB name, ten times
        def db_size() -> int:  # the database file with its write-ahead log folded in
            con = sqlite3.connect(data / "archive.sqlite3", timeout=30)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            return (data / "archive.sqlite3").stat().st_size

        before = db_size()
        for _ in range(10):
            _sign_in(url, "x" * 1_000_000, "sai-mat-khau-nay")
        grown = db_size() - before
        probe("3 unbounded user names", grown < 50_000, f"database grew {grown:,} bytes")
        # 4. a control character in a file name, then the XLSX export
        odd = _minute(A, A1, date(2025, 2, 8))
        r = httpx.post(f"{url}/v1/minutes", files={"file": ("bien\x07ban.txt", odd, "text/plain")},
                       headers=h("vanthu-a1"), timeout=120)
        x = httpx.get(f"{url}/v1/exports/minutes.xlsx", headers=h("quantri"), timeout=120)
        probe("4 control character in a file name", r.status_code == 201 and x.status_code == 200,
              f"upload {r.status_code}, export {x.status_code}")
        # 5. out-of-range parameters
        deep = "[" * 100_000 + "]" * 100_000
        asks = [("GET", "/v1/exports/records.csv?from=0000-01", None), ("GET", "/v1/minutes?offset=" + "9" * 33, None),
                ("GET", "/v1/audit-log?offset=" + "9" * 33, None), ("POST", "/v1/check", deep),
                ("GET", "/v1/minutes?period=0000-01", None), ("GET", "/v1/stats/dashboard?from=0000-01", None),
                ("GET", "/bien-ban?period=0000-01&format=json", None),
                ("GET", "/tong-quan?from=0000-01&format=json", None)]
        got = [httpx.request(m, url + p, content=b, headers={**h("quantri"), "content-type": "application/json"},
                             timeout=60).status_code for m, p, b in asks]
        probe("5 out-of-range parameters", all(400 <= s < 500 for s in got), f"statuses {sorted(set(got))}")
        # 6. unit ids with a quote or CR/LF
        q = httpx.get(f"{url}/v1/exports/records.csv", params={"unit_id": 'x"y'}, headers=h("quantri"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /v1/exports/records.csv?unit_id=a%0D%0Ab HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + keys["quantri"].encode() + b"\r\nConnection: close\r\n\r\n")
            crlf = s.recv(200)
        probe("6 unit ids checked at the door", q.status_code == 422 and crlf.startswith(b"HTTP/1.1 422"),
              f"quote {q.status_code}, CR/LF {crlf[:12].decode(errors='replace')}")
        # 7. keys after a password change and a disabled account
        subprocess.run([MINUTES, "users", "set-password", "vanthu-b1", "--password-stdin", "--data-dir", str(data)],
                       input="mot-mat-khau-moi-dai", text=True, check=True, capture_output=True)
        after_pw = httpx.get(f"{url}/v1/me", headers=h("vanthu-b1")).status_code
        key2 = _cli(data, "keys", "create", "vanthu-a1")
        subprocess.run([MINUTES, "users", "disable", "vanthu-a1", "--data-dir", str(data)], check=True,
                       capture_output=True)
        subprocess.run([MINUTES, "users", "enable", "vanthu-a1", "--data-dir", str(data)], check=True,
                       capture_output=True)
        after_off = httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {key2}"}).status_code
        probe("7 keys end with a new password or a disabled account", after_pw == 401 and after_off == 401,
              f"after set-password {after_pw}, after disable and enable {after_off}")
        keys["vanthu-a1"] = _cli(data, "keys", "create", "vanthu-a1")
        # 8. headers and /docs
        j = httpx.get(f"{url}/v1/minutes", headers=h("quantri"))
        page = httpx.get(f"{url}/dang-nhap")
        docs = httpx.get(f"{url}/docs")
        ok = (j.headers.get("x-content-type-options") == "nosniff" and j.headers.get("cache-control") == "no-store"
              and "script-src 'self'" in page.headers.get("content-security-policy", "") and docs.status_code == 401)
        probe("8 security headers, /docs behind sign-in", ok, f"/docs anonymous {docs.status_code}")
        # 9. headers a byte at a time
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            try:
                for ch in b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60:
                    s.sendall(bytes([ch]))
                    time.sleep(1)
            except OSError:
                pass
            first = s.recv(100)
        held = time.monotonic() - start
        probe("9 slow headers cut off", held < 15, f"closed after {held:.1f} s with {first[:12]!r}")
        # 10. a file kept in another unit vs a new file of that unit, from a clerk of đảng bộ A
        new = _minute(B, B1, date(2025, 3, 8))
        answers = [httpx.post(f"{url}/v1/minutes", files={"file": ("b.txt", d, "text/plain")},
                              headers=h("vanthu-a1"), timeout=120) for d in (kept, new)]
        same = [(a.status_code, a.json()) for a in answers]
        probe("10 no duplicate-upload oracle", same[0] == same[1], f"both {same[0][0]}")
        # 11. leaving mid-upload
        body = b"--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + odd
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(b"POST /v1/minutes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + keys["quantri"].encode()
                          + b"\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: 100000\r\n\r\n"
                          + body[:2000])
                time.sleep(0.3)
        time.sleep(1)
        log.flush()
        text = (data / "serve.log").read_text(errors="replace")
        probe("11 no traceback when a client leaves", "Traceback" not in text,
              f"{text.count('went away')} one-line notices, {text.count('Traceback')} tracebacks")
        # 12. the conversion queue answers
        qd = httpx.get(f"{url}/v1/queue", headers=h("quantri")).json()
        probe("12 conversion queue door", qd.get("ok") is True and qd.get("slots") == 2,
              "fairness and the page budget: tests/api/test_conversion_queue.py")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    failed = [r for r in results if not r[1]]
    print(f"{len(results) - len(failed)}/{len(results)} probes held; data in {data}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
