"""Recovering a damaged SQLite archive into a new file, leaving the damaged one untouched.

The sqlite3 program's ``.recover`` reads every page it still can (Debian package
``sqlite3``); without it, rows are copied table by table in small rowid ranges, a
range that cannot be read is skipped. The recovered file is checked before it is
offered, and the damaged file is never written.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from service.archive.sqlite import quick_check
from service.errors import ErrorCode, MinutesError

_STEP = 64  # rows per read when copying around damaged pages


@dataclass(frozen=True)
class Recovered:
    """A recovered archive file: how it was recovered, the rows of each table, and the rows that were lost."""

    path: Path
    method: str  # "sqlite3 .recover" or "row copy"
    rows: dict[str, int]  # table → rows recovered
    skipped: int  # rows that could not be read (row copy only)


def _with_cli(src: Path, out: Path) -> None:
    copy = out.with_name(out.name + ".source")  # .recover opens its file for writing: give it a copy
    shutil.copyfile(src, copy)
    wal = src.with_name(src.name + "-wal")
    if wal.exists():  # committed transactions not yet folded into the main file
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    try:
        dump = subprocess.run(["sqlite3", str(copy), ".recover"], capture_output=True, timeout=3600, check=True)
    finally:
        for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
            leftover.unlink(missing_ok=True)
    subprocess.run(["sqlite3", str(out)], input=dump.stdout, capture_output=True, timeout=3600, check=True)


def _copy_rows(src: Path, out: Path) -> int:
    skipped = 0
    old = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    new = sqlite3.connect(out)
    try:
        schema = old.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                             "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'").fetchall()
        for _, _, sql in schema:
            new.execute(sql)
        for kind, name, _ in schema:
            if kind != "table":
                continue
            cols = [r[1] for r in old.execute(f'PRAGMA table_info("{name}")')]
            marks = ", ".join("?" * len(cols))
            try:
                top = int(old.execute(f'SELECT MAX(rowid) FROM "{name}"').fetchone()[0] or 0)
            except sqlite3.DatabaseError:
                top = int(old.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (name,)).fetchone()[0]) \
                    if name in {r[0] for r in old.execute("SELECT name FROM sqlite_sequence")} else 100_000
            select = f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{name}" '
            insert = f'INSERT OR IGNORE INTO "{name}" VALUES ({marks})'
            for start in range(0, top + 1, _STEP):
                try:
                    rows = old.execute(select + "WHERE rowid > ? AND rowid <= ?", (start, start + _STEP)).fetchall()
                except sqlite3.DatabaseError:
                    rows = []
                    for rowid in range(start + 1, start + _STEP + 1):  # around the damaged page, row by row
                        try:
                            rows.extend(old.execute(select + "WHERE rowid = ?", (rowid,)).fetchall())
                        except sqlite3.DatabaseError:
                            skipped += 1
                new.executemany(insert, rows)
        new.commit()
    finally:
        old.close()
        new.close()
    return skipped


def recover(src: Path, out: Path) -> Recovered:
    """Copy what can be read of ``src`` into the new file ``out`` (which must not exist) and check it."""
    if out.exists():
        raise MinutesError(ErrorCode.INVALID_BODY, f"Tệp {out} đã có; chọn tên khác (--out).", status=422)
    if not src.exists():
        raise MinutesError(ErrorCode.FILE_NOT_FOUND, f"Không có tệp kho {src}.", status=404)
    skipped, method = 0, "sqlite3 .recover"
    if shutil.which("sqlite3"):
        try:
            _with_cli(src, out)
        except (subprocess.SubprocessError, OSError):
            out.unlink(missing_ok=True)
            method = ""
    else:
        method = ""
    if not method:
        method, skipped = "row copy", _copy_rows(src, out)
    conn = sqlite3.connect(out)
    try:
        quick_check(conn, out)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name != 'lost_and_found'")]
        rows = {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}
    finally:
        conn.close()
    return Recovered(out, method, rows, skipped)
