"""The fields of a record a person may correct: their names, labels and values.

Names are the label format's paths without ``record.`` (``meeting.chair.name``,
``attendance.present``), so that a corrected minute exports as a labeled case.
A value is checked and normalised here, once, for every door.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from service.errors import ErrorCode, InputError
from service.schema.labels import MEETING_TYPE_VI
from service.schema.record import FieldReading, FieldState, MeetingType, Person, Record, Secretary

Kind = Literal["text", "name", "date", "time", "count", "flag", "meeting_type"]

MAX_TEXT = 300
MAX_COUNT = 100_000

TYPE_VI = {t: MEETING_TYPE_VI[t.value] for t in MeetingType}


@dataclass(frozen=True)
class FieldSpec:
    """A field a person may correct: its path in the record, label, kind of value and reading."""

    path: str
    label: str  # Vietnamese, for pages and messages
    kind: Kind
    reading: str | None = None  # the key of record.fields that says how the reader fared


FIELDS: dict[str, FieldSpec] = {s.path: s for s in (
    FieldSpec("meeting.type", "Loại sinh hoạt", "meeting_type"),
    FieldSpec("meeting.date", "Ngày sinh hoạt", "date", "date"),
    FieldSpec("meeting.start_time", "Giờ bắt đầu", "time", "start_time"),
    FieldSpec("meeting.end_time", "Giờ kết thúc", "time", "end_time"),
    FieldSpec("meeting.location", "Địa điểm", "text", "location"),
    FieldSpec("meeting.chair.name", "Chủ trì", "name", "chair"),
    FieldSpec("meeting.secretary.name", "Thư ký", "name", "secretary"),
    FieldSpec("attendance.total", "Tổng số đảng viên", "count"),
    FieldSpec("attendance.official", "Đảng viên chính thức", "count"),
    FieldSpec("attendance.probationary", "Đảng viên dự bị", "count"),
    FieldSpec("attendance.exempt", "Miễn sinh hoạt", "count"),
    FieldSpec("attendance.present", "Có mặt", "count"),
    FieldSpec("attendance.absent_excused_count", "Vắng có lý do", "count"),
    FieldSpec("attendance.absent_unexcused_count", "Vắng không lý do", "count"),
    FieldSpec("minutes_read_back", "Đọc lại biên bản", "flag"),
)}

_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hg]|giờ)\s*(\d{1,2})?\s*(?:phút|p)?\s*$", re.IGNORECASE)
_YES = {"true", "1", "co", "có", "yes", "x"}
_NO = {"false", "0", "khong", "không", "no", ""}


def spec_of(path: str) -> FieldSpec:
    """The correctable field at ``path``; an unknown path is refused with a clear error."""
    spec = FIELDS.get(path)
    if spec is None:
        raise InputError(ErrorCode.INVALID_CORRECTION,
                         f"Không sửa được trường “{path[:80]}”. Các trường sửa được: {', '.join(FIELDS)}.")
    return spec


def _refuse(spec: FieldSpec, why: str) -> InputError:
    return InputError(ErrorCode.INVALID_CORRECTION, f"{spec.label}: {why}")


def parse_value(path: str, raw: Any) -> Any:
    """The checked, normalised value of a correction; None means the minute has no such value."""
    spec = spec_of(path)
    if raw is None or (isinstance(raw, str) and not raw.strip() and spec.kind != "flag"):
        return None
    if spec.kind == "flag":
        if isinstance(raw, bool):
            return raw
        word = unicodedata.normalize("NFC", str(raw)).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise _refuse(spec, "hãy chọn “có” hoặc “không”.")
    if spec.kind == "count":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise _refuse(spec, "phải là một số nguyên.")
        text = str(raw).strip()
        if not text.isascii() or not text.isdigit():
            raise _refuse(spec, f"“{text[:20]}” không phải là số nguyên không âm.")
        n = int(text)
        if n > MAX_COUNT:
            raise _refuse(spec, f"{n} lớn quá mức một chi bộ có thể có.")
        return n
    if not isinstance(raw, str):
        raise _refuse(spec, "phải là chữ.")
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if len(text) > MAX_TEXT:
        raise _refuse(spec, f"dài quá {MAX_TEXT} ký tự.")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise _refuse(spec, "có ký tự điều khiển hoặc ký tự ẩn.")
    if spec.kind == "date":
        day = _day(text)
        if day is None:
            raise _refuse(spec, f"“{text[:20]}” không phải là ngày (dd/mm/yyyy).")
        if not 1930 <= day.year <= 2099:
            raise _refuse(spec, f"năm {day.year} nằm ngoài 1930–2099.")
        return day.isoformat()
    if spec.kind == "time":
        m = _TIME.match(text)
        if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
            raise _refuse(spec, f"“{text[:20]}” không phải là giờ (hh:mm).")
        return f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}"
    if spec.kind == "meeting_type":
        folded = text.lower()
        for t, vi in TYPE_VI.items():
            if folded in (t.value, vi):
                return t.value
        raise _refuse(spec, f"“{text[:30]}” không phải là loại sinh hoạt ({', '.join(TYPE_VI.values())}).")
    return text


def _day(text: str) -> date | None:
    """A date written YYYY-MM-DD or dd/mm/yyyy (also with dots or dashes)."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def read_value(record: Record, path: str) -> Any:
    """The record's value of a correctable field."""
    m, a = record.meeting, record.attendance
    if path == "meeting.type":
        return m.type.value if m.type else None
    if path == "meeting.chair.name":
        return m.chair.name if m.chair else None
    if path == "meeting.secretary.name":
        return m.secretary.name if m.secretary else None
    if path == "minutes_read_back":
        return record.minutes_read_back
    head, _, attr = path.partition(".")
    return getattr(m if head == "meeting" else a, attr)


def apply(record: Record, corrections: dict[str, Any]) -> None:
    """Write corrected values into ``record``; derived attendance figures follow."""
    if not corrections:
        return
    m, a = record.meeting, record.attendance
    before = (a.total, a.temporary_out, a.temporary_in, a.expected)
    for path, value in corrections.items():
        spec = spec_of(path)
        if path == "meeting.type":
            m.type = MeetingType(value) if value else None
        elif path == "meeting.chair.name":
            m.chair = Person(name=value, role=m.chair.role if m.chair else None) if value else None
        elif path == "meeting.secretary.name":
            m.secretary = Secretary(name=value) if value else None
        elif path == "minutes_read_back":
            record.minutes_read_back = bool(value)
        else:
            head, _, attr = path.partition(".")
            setattr(m if head == "meeting" else a, attr, value)
            if path == "meeting.date" and value and not (m.period.year and m.period.month):
                m.period.year, m.period.month = int(value[:4]), int(value[5:7])  # the title named no month
            if path == "attendance.present":
                a.present_official = None  # read beside the old figure; the quorum rule works it out again
        if spec.reading:
            record.fields[spec.reading] = FieldReading(
                state=FieldState.FOUND if value is not None else FieldState.ABSENT, confidence=1.0, cue="corrected")
    if any(p.startswith("attendance.") for p in corrections):
        _derive(a, before)


def _derive(a: Any, before: tuple[int | None, ...]) -> None:
    """Members expected, voting base and rate again, from the corrected figures.

    Exempt members who stayed away are not stored apart; the reading's figures give them.
    """
    total, out0, in0, expected = before
    ex_abs = max(0, total - (out0 or 0) + (in0 or 0) - expected) if total is not None and expected is not None else 0
    out, tin = a.temporary_out or 0, a.temporary_in or 0
    a.expected = max(0, a.total - ex_abs - out + tin) if a.total is not None else None
    a.voting_base = a.official - out - ex_abs if a.official is not None else None
    a.rate = round(a.present / a.expected, 4) if a.present is not None and a.expected else None
