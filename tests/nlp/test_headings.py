"""The heading keywords of the cue lexicon: each names a section kind, in order, first match wins."""

from __future__ import annotations

import pytest

from service.nlp.cues import lexicon
from service.nlp.sections import classify_title
from service.nlp.text import fold
from service.schema.record import SectionKind

pytestmark = pytest.mark.unit


def test_every_heading_rule_names_a_section_kind() -> None:
    kinds = [kind for kind, _ in lexicon().headings]
    assert kinds and all(k in SectionKind._value2member_map_ for k in kinds)


@pytest.mark.parametrize(("title", "kind"), [
    ("I. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT THÁNG TRƯỚC", SectionKind.REPORT),  # the first rule wins over "nghị quyết"
    ("Biểu quyết thông qua nghị quyết", SectionKind.VOTE),
    ("Kết luận của đồng chí Bí thư", SectionKind.CONCLUSION),
    ("NGHỊ QUYẾT", SectionKind.RESOLUTION),
    ("Học tập theo tinh thần Nghị quyết Trung ương 4", None),  # a higher body's resolution is not this one
    ("Ý kiến thảo luận", SectionKind.DISCUSSION),
    ("Tự phê bình và phê bình", SectionKind.CRITICISM),
    ("Thành phần tham dự", SectionKind.ATTENDANCE),
    ("Phần mở đầu", SectionKind.OPENING),
    ("Thông qua biên bản", SectionKind.CLOSING),
    ("Phương hướng nhiệm vụ tháng tới", SectionKind.REPORT),
    ("Danh sách khen", None),
])
def test_a_heading_gets_the_kind_of_its_first_matching_rule(title: str, kind: SectionKind | None) -> None:
    assert classify_title(fold(title)) == kind
