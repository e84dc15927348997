"""A damaged SQLite archive: refused at start with a recovery command, recovered into a new file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.archive import sqlite as sqlite_dialect
from service.archive.archive import open_archive
from service.archive.base import MinuteFilter
from service.cli import app
from service.errors import MinutesError
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute


@pytest.fixture(autouse=True)
def fresh_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sqlite_dialect, "_checked", set())  # each test's file is checked anew
    monkeypatch.setenv("MINUTES_SEARCH__BACKEND", "memory")
    yield


def _archive_with_minutes(data: Path, n: int = 40) -> None:
    archive = open_archive(Settings(data_dir=data), index=MemoryIndex())
    try:
        for i in range(n):
            text = make_minute(day=date(2020 + i // 12, i % 12 + 1, 5))
            archive.ingest_bytes(text.encode(), f"{i}.txt")
    finally:
        archive.close()
    sqlite3.connect(data / "archive.sqlite3").execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def _damage(db: Path) -> None:
    """Overwrite a page in the middle of the file with garbage."""
    size = db.stat().st_size
    page = 4096
    with open(db, "r+b") as f:
        f.seek((size // page // 2) * page)
        f.write(b"\xde\xad\xbe\xef" * (page // 4))


def test_a_damaged_archive_is_refused_at_start_with_the_recovery_command(tmp_path: Path) -> None:
    _archive_with_minutes(tmp_path)
    _damage(tmp_path / "archive.sqlite3")
    sqlite_dialect._checked.clear()  # as a new process would
    with pytest.raises(MinutesError) as e:
        open_archive(Settings(data_dir=tmp_path), index=MemoryIndex()).list_minutes(MinuteFilter())
    assert e.value.code.value == "STORE_CORRUPT" and "minutes recover-store" in e.value.message
    served = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path)])
    assert served.exit_code == 2 and "STORE_CORRUPT" in served.output and "Traceback" not in served.output


def test_recover_store_copies_what_can_be_read_into_a_new_file(tmp_path: Path) -> None:
    _archive_with_minutes(tmp_path)
    db = tmp_path / "archive.sqlite3"
    _damage(db)
    damaged = db.read_bytes()
    out = tmp_path / "recovered.sqlite3"
    r = CliRunner().invoke(app, ["recover-store", "--data-dir", str(tmp_path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert db.read_bytes() == damaged, "the damaged file is never written"
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM minutes").fetchone()[0] >= 30
    conn.close()
    assert "minutes reindex" in r.output
    again = CliRunner().invoke(app, ["recover-store", "--data-dir", str(tmp_path), "--out", str(out)])
    assert again.exit_code == 2  # never overwrites
