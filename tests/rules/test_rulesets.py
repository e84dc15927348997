from datetime import date
from pathlib import Path

import pytest

from service.check import check_text
from service.rules.checks import checks
from service.rules.ruleset import load_ruleset, rule_ids, ruleset_name_for
from service.settings import RulesSettings, Settings

CONTRACT_RULES = {
    "HDR-UNIT", "HDR-DATE", "HDR-TYPE", "TIME-START", "TIME-END", "TIME-DURATION", "LOC", "ATT-MISSING",
    "ATT-SUM", "ATT-ABSENT-NAMES", "ATT-ABSENT-REASON", "ATT-UNEXCUSED", "ATT-RATE", "ATT-QUORUM",
    "ROLE-CHAIR", "ROLE-SECRETARY", "AGENDA", "DISC-SPEAKERS", "CONCL", "RES-MISSING", "RES-TASK-OWNER",
    "VOTE-MISSING", "VOTE-INVALID", "CRIT-MISSING", "READBACK", "SIGN", "PLACEHOLDER",
}
# Rules the project adds to the contract's.
PROJECT_RULES = {"FIELD-UNREADABLE", "DOC-MULTIPLE", "DOC-HEADER-ONLY", "DOC-TRUNCATED"}


def test_every_contract_rule_has_data_and_a_check():
    assert set(rule_ids()) == CONTRACT_RULES | PROJECT_RULES
    assert set(checks()) == CONTRACT_RULES | PROJECT_RULES


@pytest.mark.parametrize("name", ["HD09", "HD12", "HD42"])
def test_points_add_up_to_100(name):
    assert sum(r.points for r in load_ruleset(name).rules.values()) == 100


@pytest.mark.parametrize("day,name", [
    (date(2014, 9, 4), "HD09"), (date(2018, 7, 5), "HD09"), (date(2018, 7, 6), "HD12"),
    (date(2025, 10, 27), "HD12"), (date(2025, 10, 28), "HD42"), (None, "HD42"),
])
def test_ruleset_by_date(day, name):
    assert ruleset_name_for(day) == name


def test_reference_follows_the_ruleset():
    assert "42-HD/BTCTW" in load_ruleset("HD42").rules["TIME-DURATION"].reference
    assert "09-HD/BTCTW" in load_ruleset("HD09").rules["AGENDA"].reference


SHORT = """CHI BỘ THÔN A
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2024
Hôm nay, lúc 19 giờ 00 phút ngày 05/3/2024, tại nhà văn hóa thôn A.
Buổi sinh hoạt kết thúc lúc 20 giờ 40 phút cùng ngày.
"""


def test_province_override_changes_the_duration_threshold(tmp_path: Path):
    f = tmp_path / "prov.yaml"
    f.write_text("provinces:\n  thu-nghiem:\n    thresholds:\n      min_duration_minutes: 110\n", encoding="utf-8")
    base = check_text(SHORT)
    assert "TIME-DURATION" not in {x.rule for x in base.findings}
    s = Settings(rules=RulesSettings(province="thu-nghiem", overrides_file=str(f)))
    strict = check_text(SHORT, settings=s)
    (dur,) = [x for x in strict.findings if x.rule == "TIME-DURATION"]
    assert "100 phút" in dur.message and "110 phút" in dur.message


def test_no_date_uses_newest_ruleset_with_info():
    r = check_text("Biên bản họp chi bộ. Chủ trì: đồng chí Nguyễn Văn An.\n")
    assert r.ruleset == "HD42"
    assert any(f.rule == "RULESET-DEFAULT" and f.severity == "info" for f in r.findings)
    assert any(f.rule == "HDR-DATE" for f in r.findings)


def test_every_rule_the_code_names_is_defined_in_the_one_rules_file() -> None:
    import re
    from pathlib import Path

    from service.rules.checks import checks
    from service.rules.ruleset import note_rules, rule_ids

    defined = set(rule_ids()) | set(note_rules("archive_rules")) | set(note_rules("reading_rules"))
    assert set(checks()) <= set(rule_ids())
    root = Path(__file__).resolve().parents[2] / "service"
    named = {m for p in root.rglob("*.py")
             for m in re.findall(r'"((?:ARC|OCR|RULESET)-[A-Z-]+)"', p.read_text(encoding="utf-8"))}
    assert named and named <= defined, named - defined
    for kind in ("archive_rules", "reading_rules"):
        for spec in note_rules(kind).values():
            assert spec.title and spec.message and "{" in spec.message, spec.id  # a template with values
