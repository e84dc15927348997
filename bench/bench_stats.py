"""Benchmark of the dashboard statistics at archive scale.

usage: python -m bench.bench_stats [--minutes 50000] [--store-url URL] [--rounds 200] [--write BENCHMARKS.md]

Loads synthetic minute rows into a fresh archive database: 40 đảng bộ × 25 chi bộ, one
meeting a month each (every third month held as a combined regular + thematic session),
with reports made by the real checker from the labeled corpus (so findings, rules and
grades vary as in real minutes) and attendance and absentees varied per row. Then it
times GET /v1/stats/dashboard through the app (authentication, scope, SQL, JSON) as a
reviewer of one đảng bộ and as an admin of the whole district, each over its default
12 months, plus every other /v1/stats endpoint, and the one-off fill of the derived
tables.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import replace_section

ROOT = Path(__file__).resolve().parent.parent
N_DANG_BO, N_CHI_BO = 40, 25
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
         "Đặng Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Hồ Thị Lan", "Ngô Văn Minh", "Dương Thị Nga"]


def _templates() -> list[dict[str, Any]]:
    from service.check import check_text

    paths = sorted((ROOT / "corpora" / "written").glob("c*.txt"))
    return [json.loads(check_text(p.read_text(encoding="utf-8")).model_dump_json(by_alias=True)) for p in paths]


def _load(url: str, n: int, seed: int = 7) -> float:
    """Write ``n`` synthetic minute rows (and their broken rules) straight into the archive tables."""
    from service.archive.stores import open_store
    from service.schema.units import unit_id, unit_key

    rng = random.Random(seed)
    templates = _templates()
    store = open_store(url)  # creates the archive schema
    months_each = max(1, n // (N_DANG_BO * N_CHI_BO))
    t0 = time.perf_counter()
    minutes, rules = [], []
    for d in range(N_DANG_BO):
        dang_bo = f"Đảng bộ xã Số {d + 1}"
        dkey = unit_key(dang_bo, "dang_bo")
        for c in range(N_CHI_BO):
            chi_bo = f"Chi bộ Thôn {c + 1}"
            ckey = unit_key(chi_bo, "chi_bo")
            uid = unit_id(dkey, ckey)
            for k in range(months_each):
                if len(minutes) >= n:
                    break
                y, m = 2026 - (k // 12) - 1, 12 - k % 12
                day = f"{y:04d}-{m:02d}-{rng.randint(1, 28):02d}"
                rep = copy.deepcopy(templates[(d * 31 + c * 7 + k) % len(templates)])
                mt = rep["record"]["meeting"]
                mt.update(dang_bo=dang_bo, chi_bo=chi_bo, date=day, period={"month": m, "year": y},
                          type="thuong_ky", combined_thematic=(m % 3 == 0 and rng.random() < 0.7))
                total = rng.randint(8, 40)
                absent = rng.sample(NAMES, rng.choice([0, 0, 0, 1, 1, 2, 3]))
                unexcused = absent[:1] if absent and rng.random() < 0.2 else []
                excused = [a for a in absent if a not in unexcused]
                att = rep["record"]["attendance"]
                att.update(total=total, official=total, present=total - len(absent),
                           absent_excused=[{"name": a, "reason": "ốm"} for a in excused],
                           absent_unexcused=[{"name": a} for a in unexcused],
                           absent_excused_count=len(excused), absent_unexcused_count=len(unexcused),
                           rate=round((total - len(absent)) / total, 4))
                mid = f"{d:02d}{c:02d}{k:04d}".ljust(64, "0")
                broken = {f["rule"]: f["severity"] for f in rep["findings"] if f["severity"] in ("error", "warning")}
                minutes.append((mid, f"bb-{d}-{c}-{k}.txt", "text/plain", 4000, "2026-01-01T00:00:00+00:00",
                                dang_bo, chi_bo, dkey, ckey, uid, day, f"{y:04d}-{m:02d}", "thuong_ky",
                                rep["score"]["grade"], rep["score"]["points"], int(rep["complete"]),
                                f"{dkey}\x1f{ckey}\x1f{day}\x1fchi_bo", 1, 1, None, None, "",
                                json.dumps(rep, ensure_ascii=False)))
                rules.extend((mid, r, s) for r, s in broken.items())
    with store._tx(write=True) as cur:  # noqa: SLF001 - a bulk load for the benchmark only
        cur.executemany(store.d.sql(
            "INSERT INTO minutes (id, file_name, media_type, size, received_at, dang_bo, chi_bo, dang_bo_key, "
            "chi_bo_key, unit_id, meeting_date, period, meeting_type, grade, points, complete, version_key, version, "
            "is_current, replaces, superseded_by, text, report) VALUES (" + ", ".join("?" * 23) + ")"), minutes)
        cur.executemany(store.d.sql("INSERT INTO minute_rules (minute_id, rule, severity) VALUES (?, ?, ?)"), rules)
    store.close()
    return time.perf_counter() - t0


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _toucher(client: Any, headers: dict[str, str]) -> Any:
    """A real change before each timed request: an admin approves a minute (or takes the approval back),
    each time in another đảng bộ, through PUT /v1/minutes/{id}/status (not timed)."""
    ids: dict[str, str] = {}
    offset = 0
    while len(ids) < N_DANG_BO and offset < 5000:
        page = client.get("/v1/minutes", params={"limit": 200, "offset": offset}, headers=headers).json()["data"]
        if not page:
            break
        for m in page:
            ids.setdefault(m["dang_bo"], m["id"])
        offset += 200
    minutes = list(ids.values())
    tick = [0]

    def touch() -> None:
        mid = minutes[tick[0] % len(minutes)]
        status = "approved" if (tick[0] // len(minutes)) % 2 == 0 else "submitted"
        tick[0] += 1
        r = client.put(f"/v1/minutes/{mid}/status", json={"status": status}, headers=headers)
        assert r.status_code == 200, r.text

    return touch


def _time(client: Any, url: str, headers: dict[str, str], rounds: int, params: Any = None) -> list[float]:
    out = []
    for i in range(rounds):
        p = params(i) if callable(params) else (params or {})
        t = time.perf_counter()
        r = client.get(url, params=p, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=50_000)
    ap.add_argument("--store-url", help="archive database (default: a new SQLite file)")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.auth.accounts import open_accounts
    from service.settings import SearchSettings, Settings

    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        url = args.store_url or f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
        load_s = _load(url, args.minutes)
        settings = Settings(data_dir=Path(tmp), store_url=url, search=SearchSettings(backend="memory"))
        accounts = open_accounts(settings)
        keys: dict[str, str] = {}
        admin, _ = accounts.add_user("quantri", "admin", None, "bench-mat-khau-01")
        keys["admin"] = accounts.create_key(admin)[1]
        for d in range(N_DANG_BO):
            user, _ = accounts.add_user(f"kiemtra-{d}", "reviewer", f"Đảng bộ xã Số {d + 1}", "bench-mat-khau-01")
            keys[str(d)] = accounts.create_key(user)[1]
        accounts.close()
        db_mb = sum(f.stat().st_size for f in Path(tmp).glob("archive.sqlite3*")) / 1e6 if not args.store_url else None
        with TestClient(create_app(settings)) as client:
            h = {"Authorization": f"Bearer {keys['admin']}"}
            t = time.perf_counter()
            first = client.get("/v1/stats/dashboard", headers=h)
            fill_s = time.perf_counter() - t
            board = first.json()["data"]
            assert board["overview"]["minutes"] > 0

            touch = _toucher(client, h)
            reviewer, reviewer_warm = [], []
            for i in range(args.rounds):  # each after a change to the archive: computed afresh
                hd = {"Authorization": f"Bearer {keys[str(i % N_DANG_BO)]}"}
                touch()
                reviewer += _time(client, "/v1/stats/dashboard", hd, 1)
            for i in range(args.rounds):  # unchanged archive: the figures kept in memory
                hd = {"Authorization": f"Bearer {keys[str(i % N_DANG_BO)]}"}
                reviewer_warm += _time(client, "/v1/stats/dashboard", hd, 1)
            sample = client.get("/v1/stats/dashboard", headers={"Authorization": f"Bearer {keys['0']}"}).json()
            admin_ms = []
            for _ in range(max(20, args.rounds // 4)):
                touch()
                admin_ms += _time(client, "/v1/stats/dashboard", h, 1)
            admin_warm = _time(client, "/v1/stats/dashboard", h, max(20, args.rounds // 4))
            per_endpoint = {}
            for ep in ("attendance", "meetings", "grades", "rules", "absences"):
                per_endpoint[ep] = [x for i in range(50) for x in _time(
                    client, f"/v1/stats/{ep}", {"Authorization": f"Bearer {keys[str(i % N_DANG_BO)]}"}, 1)]
            page = _time(client, "/tong-quan", {"Authorization": f"Bearer {keys['1']}"}, 50)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    backend = "PostgreSQL" if args.store_url and args.store_url.startswith("postgres") else "SQLite (WAL)"
    sd = sample["data"]
    rows = [
        "| request | rows in view | p50 | p95 | max |",
        "|---|---|---|---|---|",
        f"| `GET /v1/stats/dashboard`, reviewer of one đảng bộ (12 months), after a change | "
        f"{sd['overview']['minutes']:,} minutes, {len(sd['units'])} chi bộ | {statistics.median(reviewer):.1f} ms | "
        f"**{_pct(reviewer, .95):.1f} ms** | {max(reviewer):.1f} ms |",
        f"| the same, archive unchanged | same | {statistics.median(reviewer_warm):.1f} ms | "
        f"**{_pct(reviewer_warm, .95):.1f} ms** | {max(reviewer_warm):.1f} ms |",
        f"| `GET /v1/stats/dashboard`, admin, whole district (12 months), after a change | "
        f"{board['overview']['minutes']:,} minutes, {len(board['units'])} chi bộ | {statistics.median(admin_ms):.1f} ms"
        f" | **{_pct(admin_ms, .95):.1f} ms** | {max(admin_ms):.1f} ms |",
        f"| the same, archive unchanged | same | {statistics.median(admin_warm):.1f} ms | "
        f"**{_pct(admin_warm, .95):.1f} ms** | {max(admin_warm):.1f} ms |",
    ]
    for ep, xs in per_endpoint.items():
        rows.append(f"| `GET /v1/stats/{ep}`, reviewer | same | {statistics.median(xs):.1f} ms | "
                    f"{_pct(xs, .95):.1f} ms | {max(xs):.1f} ms |")
    rows.append(f"| `GET /tong-quan` (the dashboard page, HTML with its SVG charts), reviewer | same | "
                f"{statistics.median(page):.1f} ms | {_pct(page, .95):.1f} ms | {max(page):.1f} ms |")
    size = f"; database {db_mb:,.0f} MB" if db_mb else ""
    report = "\n".join([
        f"## Dashboard statistics at {args.minutes:,} minutes — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}; {backend}. `python -m bench.bench_stats --minutes {args.minutes}"
        f" --rounds {args.rounds}`: {args.minutes:,} synthetic minute rows ({N_DANG_BO} đảng bộ × {N_CHI_BO} chi bộ, "
        "one meeting a month each, reports made by the checker from the labeled corpus with attendance and "
        f"absentees varied){size}. Loading the rows took {load_s:.1f} s; the first statistics request filled "
        f"the derived attendance tables for all of them in {fill_s:.1f} s (once; later requests only add new "
        "minutes). Times are whole requests through the app (API key check, scope, SQL, JSON), "
        "each reviewer request for a different đảng bộ. A dashboard is kept in memory until the archive changes, "
        "and a wider one is made of its đảng bộ's shares, each kept until a minute of that đảng bộ is stored, "
        "replaced, deleted or reviewed: before each request \"after a change\" an admin approves a minute (or "
        "takes the approval back) in another đảng bộ, so that đảng bộ's share is computed afresh.", "", *rows, ""])
    print(report)
    if args.write:
        replace_section(args.write, "## Dashboard statistics", report)



if __name__ == "__main__":
    main()
