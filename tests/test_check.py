"""check_text(): the report is consistent with the text it was made from."""

import hashlib

import pytest

from service.check import check_text
from service.schema.report import Grade


def test_spans_point_into_the_normalised_text(sample_texts):
    for name, text in sample_texts.items():
        r = check_text(text, source=name, include_text=True)
        body = r.text.content
        assert body is not None
        assert hashlib.sha256(body.encode()).hexdigest() == r.text.sha256 and len(body) == r.text.length
        spans = [f.span for f in r.findings if f.span] + [s.span for s in r.record.sections]
        spans += [s.span for s in r.record.discussion] + [c.span for c in r.record.criticism]
        for res in r.record.resolutions:
            spans.append(res.span)
        for a, b in spans:
            assert 0 <= a <= b <= len(body), (name, a, b)
        for sp in r.record.discussion:
            assert body[sp.span[0]:sp.span[1]] == sp.speaker


def test_complete_matches_error_findings(sample_texts):
    for text in list(sample_texts.values())[:20]:
        r = check_text(text)
        assert r.complete == (not any(f.severity == "error" for f in r.findings))
        if not r.complete:
            assert r.score.grade != Grade.TOT


def test_clean_reference_minute_scores_tot(s01):
    r = check_text(s01)
    assert r.complete and r.findings == []
    assert r.score.points == 100 and r.score.grade == Grade.TOT


def test_findings_carry_vietnamese_message_and_reference():
    r = check_text("BIÊN BẢN HỌP CHI BỘ THÁNG 4/2022\nChi bộ ấp Rạch Gừa họp ngày 12/4/2022.\n")
    rules = {f.rule: f for f in r.findings}
    assert "TIME-START" in rules and "ROLE-CHAIR" in rules
    assert "giờ bắt đầu" in rules["TIME-START"].message
    assert rules["ROLE-CHAIR"].reference
    assert r.ruleset == "HD12"


_EXEMPT_MINUTE = """ĐẢNG BỘ XÃ AN PHÚ
CHI BỘ THÔN ĐÔNG
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3/2024
Hôm nay, lúc 19 giờ 00 ngày 05/3/2024, tại nhà văn hóa thôn, Chi bộ thôn Đông sinh hoạt thường kỳ.
Chủ trì: đồng chí Trần Văn Hùng, Bí thư chi bộ. Thư ký: đồng chí Phạm Thị Lan.
Tổng số đảng viên: 22 đồng chí. Miễn sinh hoạt: 02 đồng chí{split}.
{must}Có mặt: 18 đồng chí. Vắng có lý do: 03 đồng chí: đồng chí Lê Văn An (ốm), đồng chí Lê Văn Bình (đi xa), đồng chí Lê Văn Cúc (ốm).
"""


@pytest.mark.parametrize("split, must, fires", [
    ("", "", False),  # which exempt members came is unsaid: 18 + 3 = 21 fits one of them coming
    (" (tuổi cao, không dự)", "", True),  # both stayed away: 22 − 2 = 20 ≠ 18 + 3
    (" (tuổi cao, không dự)", "Phải dự: 21 đồng chí.\n", True),  # a "phải dự" that the figures contradict
])
def test_att_sum_allows_what_the_minute_leaves_unsaid_about_exempt_members(split: str, must: str, fires: bool) -> None:
    report = check_text(_EXEMPT_MINUTE.format(split=split, must=must))
    assert ("ATT-SUM" in {f.rule for f in report.findings}) is fires


def test_every_rule_says_how_to_fix_it_and_the_score_says_where_points_went() -> None:
    from service.rules.ruleset import load_ruleset, rule_ids
    from tests.archive.factory import make_minute

    for name in ("HD09", "HD12", "HD42"):
        rs = load_ruleset(name)
        assert all(rs.rules[r].fix for r in rule_ids()), "a rule without a fix hint"
    text = "\n".join(line for line in make_minute(unexcused=["Hà Văn Tư"]).splitlines()
                     if not line.startswith(("Buổi sinh hoạt kết thúc", "Thư ký đọc lại")))
    report = check_text(text)
    assert {"ATT-UNEXCUSED", "TIME-END", "READBACK"} <= {f.rule for f in report.findings}
    assert all(f.fix for f in report.findings if f.rule in rule_ids())
    lost = report.score.lost
    assert 100 - sum(x.points for x in lost) == report.score.points
    assert {x.rule for x in lost} == {f.rule for f in report.findings if f.severity != "info" and
                                      load_ruleset(report.ruleset).rules[f.rule].points}
    assert [x.points for x in lost] == sorted((x.points for x in lost), reverse=True)
