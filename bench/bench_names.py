"""Does underthesea's NER find the names the minutes' labels name better than the rules?

For every labeled minute (corpora/written/ and the shared samples) the gold names are the chair,
the thư ký, the discussion speakers and the named absentees. Each reader runs over the whole
normalised text; a gold name counts as found when the reader returns it exactly.

usage: python -m bench.bench_names [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from service.nlp.normalize import normalize
from service.nlp.people import read_name, titled_names
from service.nlp.text import Doc
from service.schema.spelling import fix_tone_marks

ROOT = Path(__file__).resolve().parent.parent


def gold_names(label: dict) -> set[str]:
    e = label["expect"]
    names = set(e.get("record.discussion.speakers") or []) | set(e.get("record.attendance.absent_names") or [])
    for k in ("record.meeting.chair.name", "record.meeting.secretary.name"):
        if e.get(k):
            names.add(e[k])
    return {fix_tone_marks(n) for n in names}


def rule_names(doc: Doc) -> set[str]:
    out = {name for name, _, _ in titled_names(doc, 0, len(doc.text))}
    for ln in doc.lines:  # untitled names heading a list line ("- Đỗ Minh Khôi: …")
        s = ln.text.lstrip(" -+•*\t")
        got = read_name(s, 0)
        if got:
            out.add(got[0])
    return out


def ner_names(text: str) -> set[str]:
    from underthesea import ner

    out = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        cur: list[str] = []
        for tok in ner(line):
            word, tag = tok[0], tok[-1]
            if tag.endswith("PER"):
                if tag.startswith("B-") and cur:
                    out.add(" ".join(cur))
                    cur = []
                cur.append(word)
            elif cur:
                out.add(" ".join(cur))
                cur = []
        if cur:
            out.add(" ".join(cur))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    labels = sorted((ROOT / "corpora" / "written").glob("c*.json")) + sorted((ROOT.parent / "shared" / "samples").glob("*.json"))
    if a.limit:
        labels = labels[: a.limit]
    tot = found_rule = found_ner = 0
    t_rule = t_ner = 0.0
    for p in labels:
        label = json.loads(p.read_text(encoding="utf-8"))
        gold = gold_names(label)
        if not gold:
            continue
        doc = Doc(normalize(p.with_suffix(".txt").read_text(encoding="utf-8")).text)
        s = time.perf_counter()
        r = rule_names(doc)
        t_rule += time.perf_counter() - s
        s = time.perf_counter()
        n = ner_names(doc.text)
        t_ner += time.perf_counter() - s
        tot += len(gold)
        found_rule += len(gold & r)
        found_ner += len(gold & n)
    docs = len(labels)
    print(f"minutes: {docs}, gold names: {tot}")
    print(f"rules (titles + list lines): recall {found_rule / tot:.3f}, {t_rule / docs * 1000:.1f} ms per minute")
    print(f"underthesea ner: recall {found_ner / tot:.3f}, {t_ner / docs * 1000:.1f} ms per minute")


if __name__ == "__main__":
    main()
