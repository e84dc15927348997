#!/usr/bin/env python3
"""Validate labeled minutes: python3 check_labels.py DIR  (checks every *.json beside its *.txt)."""
import json
import sys
import unicodedata
from pathlib import Path

PATHS = {
    "record.meeting.type", "record.meeting.combined_thematic", "record.meeting.chi_bo",
    "record.meeting.date", "record.meeting.start_time", "record.meeting.end_time",
    "record.meeting.chair.name", "record.meeting.secretary.name",
    "record.attendance.total", "record.attendance.official", "record.attendance.probationary",
    "record.attendance.exempt", "record.attendance.temporary_in", "record.attendance.temporary_out",
    "record.attendance.present", "record.attendance.absent_excused_count",
    "record.attendance.absent_unexcused_count", "record.attendance.absent_names",
    "record.discussion.speakers", "record.resolutions.count", "record.resolutions.0.vote.for",
    "record.resolutions.0.vote.against", "record.resolutions.0.vote.percent",
    "record.criticism.present", "record.minutes_read_back", "complete",
}
RULES = {"HDR-UNIT", "HDR-DATE", "HDR-TYPE", "TIME-START", "TIME-END", "TIME-DURATION", "LOC",
         "ATT-MISSING", "ATT-SUM", "ATT-ABSENT-NAMES", "ATT-ABSENT-REASON", "ATT-UNEXCUSED",
         "ATT-RATE", "ATT-QUORUM", "ROLE-CHAIR", "ROLE-SECRETARY", "AGENDA", "DISC-SPEAKERS",
         "CONCL", "RES-MISSING", "RES-TASK-OWNER", "VOTE-MISSING", "VOTE-INVALID", "CRIT-MISSING",
         "READBACK", "SIGN", "PLACEHOLDER"}
ERRORS = {"HDR-UNIT", "HDR-DATE", "TIME-START", "ATT-MISSING", "ATT-SUM", "ATT-QUORUM",
          "ROLE-CHAIR", "ROLE-SECRETARY", "CONCL", "RES-MISSING", "VOTE-MISSING", "VOTE-INVALID",
          "SIGN", "PLACEHOLDER"}
TYPES = {"thuong_ky", "chuyen_de", "chi_uy", "hoi_nghi", "dai_hoi", "bat_thuong", None}


def check(path: Path) -> list[str]:
    bad = []
    txt = path.with_suffix(".txt")
    if not txt.exists():
        return [f"{path.name}: no {txt.name}"]
    text = txt.read_text(encoding="utf-8")
    if unicodedata.normalize("NFC", text) != text and "NFD" not in json.loads(path.read_text()).get("style", ""):
        bad.append(f"{txt.name}: not NFC (say NFD in style if intended)")
    lab = json.loads(path.read_text(encoding="utf-8"))
    for key in ("id", "style", "rule_set", "expect", "defects", "not_defects"):
        if key not in lab:
            bad.append(f"{path.name}: missing key {key}")
    if lab.get("id") != path.stem:
        bad.append(f"{path.name}: id {lab.get('id')!r} != {path.stem}")
    if lab.get("rule_set") not in ("HD09", "HD12", "HD42"):
        bad.append(f"{path.name}: rule_set {lab.get('rule_set')!r}")
    for k, v in lab.get("expect", {}).items():
        if k not in PATHS:
            bad.append(f"{path.name}: unknown path {k}")
        if k == "record.meeting.type" and v not in TYPES:
            bad.append(f"{path.name}: type {v!r}")
        if k.endswith(("absent_names", "speakers")) and not isinstance(v, list):
            bad.append(f"{path.name}: {k} must be a list")
        if isinstance(v, str) and (v.lower().startswith(("đồng chí ", "đ/c "))):
            bad.append(f"{path.name}: {k} keeps a title: {v!r}")
        if isinstance(v, str) and k.endswith(("chair.name", "secretary.name")) and v not in text:
            bad.append(f"{path.name}: {k} {v!r} not found verbatim in the text")
        if isinstance(v, list):
            for name in v:
                if name not in text:
                    bad.append(f"{path.name}: {k} item {name!r} not found verbatim in the text")
    d, nd = set(lab.get("defects", [])), set(lab.get("not_defects", []))
    for r in d | nd:
        if r not in RULES:
            bad.append(f"{path.name}: unknown rule {r}")
    if d & nd:
        bad.append(f"{path.name}: in both lists: {sorted(d & nd)}")
    comp = lab.get("expect", {}).get("complete")
    if comp is not None and comp != (not (d & ERRORS)):
        bad.append(f"{path.name}: complete={comp} but error defects are {sorted(d & ERRORS)}")
    return bad


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    problems = [p for f in sorted(folder.glob("*.json")) for p in check(f)]
    print("\n".join(problems) or f"ok: {len(list(folder.glob('*.json')))} labels")
    sys.exit(1 if problems else 0)
