"""Exports: CSV and XLSX of records and findings, and the audit report of one chi bộ."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from service.archive.archive import Archive, open_archive
from service.errors import MinutesError
from service.exports import (
    FINDING_COLUMNS,
    RECORD_COLUMNS,
    ExportFilter,
    audit_report,
    collect,
    describe,
    finding_rows,
    record_rows,
    to_csv,
    to_xlsx,
)
from service.schema.units import Scope, unit_id, unit_key
from service.search.memory import MemoryIndex
from service.settings import Settings
from tests.archive.factory import make_minute

DB = "Đảng bộ xã An Phú"
C1, C2 = "Chi bộ Thôn Một", "Chi bộ Thôn Hai"


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = open_archive(Settings(data_dir=tmp_path), index=MemoryIndex())
    for m in (1, 2, 3):
        a.ingest_bytes(make_minute(dang_bo=DB, chi_bo=C1, day=date(2024, m, 5)).encode(), f"c1-{m}.txt")
    # a clerk's note that a spreadsheet would run as a formula
    a.ingest_bytes(make_minute(dang_bo=DB, chi_bo=C2, day=date(2024, 2, 9), unexcused=["Hà Văn Tư"],
                               topic="=HYPERLINK(\"http://x\")").encode(), "=cmd|calc.txt")
    yield a
    a.close()


def test_records_and_findings_as_csv(archive: Archive) -> None:
    minutes = collect(archive, ExportFilter(period_from="2024-02", period_to="2024-03"), scope=None, max_minutes=100)
    assert [s.date for s, _ in minutes] == ["2024-02-05", "2024-02-09", "2024-03-05"]
    data = to_csv(RECORD_COLUMNS, record_rows(minutes))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == RECORD_COLUMNS and len(rows) == 4
    row = dict(zip(rows[0], rows[2], strict=True))
    assert row["Chi bộ"] == C2 and row["Vắng không lý do"] == "1" and row["Tệp gốc"] == "'=cmd|calc.txt"
    assert row["Xếp loại"] in ("Tốt", "Khá", "Trung bình", "Kém")
    findings = list(csv.reader(io.StringIO(to_csv(FINDING_COLUMNS, finding_rows(minutes)).decode("utf-8-sig"))))
    assert findings[0] == FINDING_COLUMNS
    expected = sum(len(r.findings) for _, r in minutes)
    assert len(findings) == 1 + expected and expected > 0
    assert all(r[5] in ("Lỗi", "Cảnh báo", "Thông tin") for r in findings[1:])


def test_the_workbook_holds_both_sheets_and_no_formula(archive: Archive) -> None:
    minutes = collect(archive, ExportFilter(), scope=None, max_minutes=100)
    data = to_xlsx([("Biên bản", RECORD_COLUMNS, record_rows(minutes)),
                    ("Phát hiện", FINDING_COLUMNS, finding_rows(minutes))],
                   describe(ExportFilter(), by="kiemtra", count=len(minutes)))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Biên bản", "Phát hiện", "Thông tin"]
    ws = wb["Biên bản"]
    values = list(ws.values)
    assert list(values[0]) == RECORD_COLUMNS and len(values) == 5
    assert {v[3] for v in values[1:]} == {C1, C2}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    info = dict(wb["Thông tin"].values)
    assert info["Số biên bản"] == "4" and info["Người xuất"] == "kiemtra"
    # dates are dates (shown dd/mm/yyyy), arrival times in Vietnam's time, months as people write them
    col = {name: i for i, name in enumerate(RECORD_COLUMNS)}
    first = next(ws.iter_rows(min_row=2, max_row=2))
    day = first[col["Ngày họp"]]
    assert isinstance(day.value, datetime) and day.number_format == "DD/MM/YYYY"
    assert {v[col["Ngày họp"]].date() for v in values[1:]} == {date(2024, 1, 5), date(2024, 2, 5), date(2024, 3, 5),
                                                               date(2024, 2, 9)}
    assert {v[col["Kỳ"]] for v in values[1:]} == {"Tháng 1/2024", "Tháng 2/2024", "Tháng 3/2024"}
    assert isinstance(first[col["Ngày nạp"]].value, datetime) and "HH:MM" in first[col["Ngày nạp"]].number_format


def test_a_period_is_archived_with_originals_reports_and_a_list(archive: Archive, tmp_path: Path) -> None:
    import zipfile

    from service.exports import archive_zip
    from service.schema.period import period_vi

    minutes = collect(archive, ExportFilter(period_from="2024-02", period_to="2024-03"), scope=None, max_minutes=100)
    path = tmp_path / "kho.zip"
    with path.open("wb") as out:
        assert archive_zip(archive, minutes, out, max_bytes=10_000_000) == 2 * len(minutes) + 1
    z = zipfile.ZipFile(path)
    names = sorted(z.namelist())
    assert "danh-sach.csv" in names and all(not n.startswith(("/", "..")) for n in names)
    assert f"{C1}/2024-02-05_{minutes[0][0].id[:12]}.txt" in names
    original = archive.original(minutes[0][0].id).data
    assert z.read(f"{C1}/2024-02-05_{minutes[0][0].id[:12]}.txt") == original
    assert len([n for n in names if n.endswith(".report.json")]) == len(minutes) == 3
    with pytest.raises(MinutesError) as big, (tmp_path / "x.zip").open("wb") as out:
        archive_zip(archive, minutes, out, max_bytes=100)
    assert big.value.code.value == "EXPORT_TOO_LARGE"
    assert (period_vi("2025-03"), period_vi("2025-Q3"), period_vi(None)) == ("Tháng 3/2025", "Quý III/2025", "")


def test_exports_respect_scope_and_size(archive: Archive) -> None:
    only_c1 = Scope(units=frozenset({unit_id(unit_key(DB, "dang_bo"), unit_key(C1, "chi_bo"))}))
    assert {s.chi_bo for s, _ in collect(archive, ExportFilter(), scope=only_c1, max_minutes=100)} == {C1}
    with pytest.raises(MinutesError) as big:
        collect(archive, ExportFilter(), scope=None, max_minutes=3)
    assert big.value.code.value == "EXPORT_TOO_LARGE" and big.value.status == 413
    with pytest.raises(MinutesError) as bad:
        collect(archive, ExportFilter(period_from="2024-13"), scope=None, max_minutes=100)
    assert bad.value.code.value == "INVALID_PERIOD"


def test_the_audit_report_of_a_chi_bo(archive: Archive) -> None:
    uid = unit_id(unit_key(DB, "dang_bo"), unit_key(C1, "chi_bo"))
    r = audit_report(archive, uid, scope=None, period_from=None, period_to=None, by="kiemtra")
    assert (r.chi_bo, r.period_from, r.period_to, len(r.minutes)) == (C1, "2024-01", "2024-03", 3)
    assert r.months == ["2024-01", "2024-02", "2024-03"] and r.printed_by == "kiemtra"
    assert sum(r.grades.values()) == 3 and r.audit.unit_id == uid
    assert any(f.rule == "ARC-THEMATIC-QUARTER" for f in r.audit.findings)
    with pytest.raises(MinutesError):
        audit_report(archive, uid, scope=Scope(), period_from=None, period_to=None, by=None)
