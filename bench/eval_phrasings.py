"""How many real phrasings the reader reads: each pattern of corpora/phrasings/ is filled
with made-up values, set inside a plain minute, checked, and the field it states compared.

    python -m bench.eval_phrasings [--show-misses FIELD]

Patterns come from published minutes, meeting reports and templates (each line names its
source); they are shapes, not texts. A field counts only when its slot is in the pattern.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from service.check import check_text
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PHRASINGS = ROOT / "corpora" / "phrasings"

# Made-up values for the slots, distinct so that a figure read tells which slot it came from.
VALUES = {
    "TOTAL": "27", "OFFICIAL": "25", "PROBATIONARY": "02", "EXEMPT": "01", "PRESENT": "24",
    "ABSENT": "3", "ABSENT_EXCUSED": "03", "ABSENT_UNEXCUSED": "0", "TEMP_IN": "01", "TEMP_OUT": "01",
    "PERCENT": "100", "FOR": "23", "AGAINST": "0", "ABSTAIN": "0", "CHAIR": "Nguyễn Văn Khánh",
    "SECRETARY": "Lê Thị Thu Hà", "GUEST": "Trần Minh Đức", "SPEAKER": "Phạm Văn Toàn",
    "NAME": "Hoàng Thị Lan", "NAMES": "Đỗ Văn Hùng, Vũ Thị Mai", "ROLE": "Bí thư chi bộ",
    "REASON": "đi công tác", "DAY": "12", "MONTH": "3", "YEAR": "2024", "HOUR": "19",
    "MINUTE": "30", "DATE": "12/3/2024", "TIME": "19 giờ 30 phút", "PLACE": "nhà văn hóa thôn Đông",
    "CHI_BO": "Chi bộ thôn Đông", "DANG_BO": "Đảng bộ xã An Phú", "UNIT": "Hội Nông dân xã",
    "DOC": "05-NQ/ĐU", "TASK": "hoàn thành thu đảng phí", "DEADLINE": "trước ngày 30/3/2024",
    "TOPIC": "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "N": "4",
    "TEXT": "các nội dung đã đề ra",
}
HEADER = ("ĐẢNG BỘ XÃ AN PHÚ\nCHI BỘ THÔN ĐÔNG\n\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3/2024\n\n")
FILLER = "\nĐồng chí Bí thư thông tin tình hình thời sự trong tháng.\n"

# Slot → (CheckReport path, expected value) for the fields this evaluation reads.
CHECKS: dict[str, tuple[str, Any]] = {
    "TOTAL": ("record.attendance.total", 27),
    "PRESENT": ("record.attendance.present", 24),
    "OFFICIAL": ("record.attendance.official", 25),
    "PROBATIONARY": ("record.attendance.probationary", 2),
    "CHAIR": ("record.meeting.chair.name", "Nguyễn Văn Khánh"),
    "SECRETARY": ("record.meeting.secretary.name", "Lê Thị Thu Hà"),
    "FOR": ("record.resolutions.0.vote.for", 23),
}
# The field a pattern states, when it is a date or time rather than a slot of its own.
FIELD_CHECKS: dict[str, tuple[str, Any]] = {
    "date": ("record.meeting.date", "2024-03-12"),
    "start_time": ("record.meeting.start_time", "19:30"),
}


def fill(pattern: str) -> str:
    return re.sub(r"\{([A-Z_]+)\}", lambda m: VALUES.get(m.group(1), m.group(0)), pattern)


def get(report: dict[str, Any], path: str) -> Any:
    cur: Any = report
    for part in path.split("."):
        if isinstance(cur, list):
            cur = cur[int(part)] if len(cur) > int(part) else None
        elif isinstance(cur, dict):
            cur = cur.get(part)
        if cur is None:
            return None
    return cur


def evaluate(groups: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per checked field: phrasings tried, read right, and the misses."""
    settings = Settings()
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"tried": 0, "right": 0, "misses": []})
    for path in sorted(PHRASINGS.glob("*.jsonl")):
        if groups and path.stem not in groups:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            pattern = row["pattern"]
            slots = set(re.findall(r"\{([A-Z_]+)\}", pattern))
            wanted = {s: CHECKS[s] for s in slots if s in CHECKS}
            if row.get("field") in FIELD_CHECKS and (slots & {"DATE", "DAY", "TIME", "HOUR"}):
                wanted[row["field"]] = FIELD_CHECKS[row["field"]]
            if not wanted or row.get("words"):
                continue
            text = HEADER + fill(pattern) + FILLER
            report = check_text(text, settings=settings).model_dump(mode="json", by_alias=True)
            for field_path, value in wanted.values():
                stat = out[field_path]
                stat["tried"] += 1
                got = get(report, field_path)
                if got == value:
                    stat["right"] += 1
                else:
                    stat["misses"].append({"pattern": pattern, "got": got, "source": row["source"]})
    return dict(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", nargs="*", help="phrasing files to use (default: all)")
    ap.add_argument("--show-misses", metavar="PATH", help="print the misses of one field path")
    a = ap.parse_args(argv)
    res = evaluate(a.groups)
    tried = sum(s["tried"] for s in res.values())
    right = sum(s["right"] for s in res.values())
    for field_path, s in sorted(res.items()):
        print(f"{field_path:40s} {s['right']:4d}/{s['tried']:<4d} {s['right'] / max(1, s['tried']):.3f}")
    print(f"{'all':40s} {right:4d}/{tried:<4d} {right / max(1, tried):.3f}")
    if a.show_misses:
        for miss in res.get(a.show_misses, {}).get("misses", []):
            print(f"  got {miss['got']!r}: {miss['pattern']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
