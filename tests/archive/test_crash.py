"""Kill `minutes ingest` with SIGKILL in the middle of a batch, run it again, and compare."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from service.archive.archive import open_archive
from service.archive.base import MinuteFilter
from service.settings import SearchSettings, Settings
from tests.archive.factory import make_minute

ROOT = Path(__file__).resolve().parents[2]
N_UNITS, N_MONTHS = 15, 10


def _write_batch(folder: Path) -> dict[str, Path]:
    files = {}
    for u in range(N_UNITS):
        for m in range(1, N_MONTHS + 1):
            text = make_minute(chi_bo=f"Chi bộ Thôn {u + 1}", day=date(2024, m, 5),
                               excused=[("Nguyễn Văn Tư", "ốm")] if (u + m) % 3 == 0 else None)
            path = folder / f"thon-{u + 1:02d}" / f"{m:02d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files[hashlib.sha256(path.read_bytes()).hexdigest()] = path
    return files


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM minutes").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _ingest(folder: Path, data: Path) -> subprocess.Popen[bytes]:
    # The embedded default index (Qdrant engine in-process), with hashed words instead of the model.
    env = {**os.environ, "MINUTES_DATA_DIR": str(data), "MINUTES_SEARCH__BACKEND": "edge",
           "MINUTES_SEARCH__EMBEDDER": "hash"}
    return subprocess.Popen([sys.executable, "-m", "service.cli", "ingest", str(folder), "--workers", "2",
                             "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _leftovers(data: Path) -> list[int]:
    """Processes still running with this batch's data directory in their environment."""
    marker = f"MINUTES_DATA_DIR={data}".encode()
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in env.read_bytes().split(b"\0"):
                found.append(int(env.parent.name))
        except OSError:
            continue
    return found


def _kill_after(proc: subprocess.Popen[bytes], db: Path, at_least: int) -> int:
    deadline = time.monotonic() + 120
    while _stored(db) < at_least:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while _leftovers(db.parent) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _leftovers(db.parent) == [], "checker processes outlived the killed batch"
    return _stored(db)


@pytest.mark.slow
def test_killed_ingest_reruns_to_an_archive_and_index_that_agree(tmp_path: Path) -> None:
    files = _write_batch(tmp_path / "in")
    data = tmp_path / "data"
    db = data / "archive.sqlite3"

    first = _kill_after(_ingest(tmp_path / "in", data), db, at_least=10)
    second = _kill_after(_ingest(tmp_path / "in", data), db, at_least=first + 30)
    assert 10 <= first < second < len(files), "both runs were stopped part-way"

    final = _ingest(tmp_path / "in", data)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()

    settings = Settings(data_dir=data, search=SearchSettings(backend="edge", embedder="hash"))
    archive = open_archive(settings)
    try:
        rows, total = archive.list_minutes(MinuteFilter(include_superseded=True), limit=1000)
        assert total == len(files), "nothing lost, nothing stored twice"
        assert {r.id for r in rows} == set(files)
        for r in rows[:20]:
            original = archive.original(r.id)
            assert original.data == files[r.id].read_bytes()
        agreement = archive.indexer.agreement()
        assert agreement.pending_jobs == 0 and not agreement.missing and not agreement.orphans
        assert agreement.indexed_chunks == agreement.expected_chunks and agreement.agree
    finally:
        archive.close()
