"""Field states: a value read, a cue with a value that could not be read, a template blank, nothing."""

import pytest

from service.check import check_text
from service.nlp.cues import WindowContent, find_cues, is_sample_name, lexicon, window_state
from service.nlp.normalize import normalize
from service.nlp.text import Doc
from service.schema.record import FieldState

HEAD = "ĐẢNG BỘ XÃ AN PHÚ\nCHI BỘ THÔN ĐÔNG\n\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3/2024\n\n"


def _doc(text: str) -> Doc:
    return Doc(normalize(text).text)


def _report(body: str):
    return check_text(HEAD + body)


def test_every_field_has_a_label_and_cues():
    lex = lexicon()
    assert set(lex.cues) == set(lex.labels)
    for field, cues in lex.cues.items():
        assert cues, field
        assert all(c.seen for c in cues), field


@pytest.mark.parametrize("name,sample", [
    ("Nguyễn Văn A", True), ("Trần Thị B", True), ("Lê C", True),
    ("Giàng A Sử", False), ("Nguyễn Văn An", False), ("Mùa A Chớ", False),
])
def test_sample_names(name, sample):
    assert is_sample_name(name) is sample


@pytest.mark.parametrize("line,content", [
    ("Chủ trì: đồng chí ……………", WindowContent.BLANK),
    ("Chủ trì: đc .........", WindowContent.BLANK),
    ("Chủ trì: Nguyễn Văn A - Bí thư", WindowContent.BLANK),
    ("Chủ trì: (ghi rõ họ tên)", WindowContent.BLANK),
    ("Chủ trì: đồng chí hoàng văn lâm", WindowContent.TEXT),
    ("Chủ trì:", WindowContent.EMPTY),
])
def test_label_window(line, content):
    doc = _doc(line)
    hits = find_cues(doc, "chair")
    assert hits and hits[0].form == "label"
    assert window_state(doc, *hits[0].window) is content


def test_titled_cue_takes_the_words_after_the_title():
    doc = _doc("Đồng chí hoàng văn lâm, Bí thư chi bộ chủ trì buổi sinh hoạt.")
    hits = [h for h in find_cues(doc, "chair") if h.form == "titled"]
    assert hits
    assert doc.text[slice(*hits[0].window)].startswith("hoàng văn lâm")


def test_role_words_after_the_title_are_not_a_window():
    doc = _doc("Đồng chí chủ trì kết luận: chi bộ thống nhất.")
    assert [h for h in find_cues(doc, "chair") if h.form == "titled"] == []


def test_found_unreadable_placeholder_absent():
    found = _report("Chủ trì: đồng chí Nguyễn Văn Bình, Bí thư chi bộ.\n")
    assert found.record.fields["chair"].state is FieldState.FOUND
    assert found.record.fields["chair"].confidence > 0.9
    assert "ROLE-CHAIR" not in {f.rule for f in found.findings}

    # A name typed in lower case: the minute states a chair, the reader cannot read it.
    unreadable = _report("Chủ trì: đồng chí nguyễn văn bình, bí thư chi bộ.\n")
    assert unreadable.record.meeting.chair is None
    assert unreadable.record.fields["chair"].state is FieldState.UNREADABLE
    rules = {f.rule: f for f in unreadable.findings}
    assert "ROLE-CHAIR" not in rules
    assert rules["FIELD-UNREADABLE"].severity == "warning"
    assert "người chủ trì" in rules["FIELD-UNREADABLE"].message

    blank = _report("Chủ trì: đồng chí ………………\n")
    assert blank.record.fields["chair"].state is FieldState.PLACEHOLDER
    assert {"ROLE-CHAIR", "PLACEHOLDER"} <= {f.rule for f in blank.findings}

    absent = _report("Chi bộ họp bàn công việc tháng 3.\n")
    assert absent.record.fields["chair"].state is FieldState.ABSENT
    assert "ROLE-CHAIR" in {f.rule for f in absent.findings}


def test_a_sample_name_is_never_a_value():
    rep = _report("Chủ trì: đồng chí Nguyễn Văn A - Bí thư chi bộ.\nThư ký: đồng chí Trần Thị B.\n")
    assert rep.record.meeting.chair is None and rep.record.meeting.secretary is None
    assert rep.record.fields["chair"].state is FieldState.PLACEHOLDER
    rules = [f.rule for f in rep.findings]
    assert "PLACEHOLDER" in rules and "ROLE-CHAIR" in rules and "ROLE-SECRETARY" in rules


def test_signature_titles_with_notes_and_names():
    body = ("Chủ trì: đồng chí Nguyễn Văn Bình.\nThư ký: đồng chí Lê Thị Hoa.\n\n"
            "THƯ KÝ                         CHỦ TRÌ\n(đã ký)                        (đã ký)\n"
            "Lê Thị Hoa                     Nguyễn Văn Bình\n")
    rep = _report(body)
    assert rep.record.signatures.chair == "Nguyễn Văn Bình"
    assert rep.record.signatures.secretary == "Lê Thị Hoa"
    assert "SIGN" not in {f.rule for f in rep.findings}

    # Only "(đã ký)" under the thư ký: no name, so the block is not complete.
    body2 = ("THƯ KÝ                         CHỦ TRÌ\n(đã ký)                        (đã ký)\n"
             "                               Nguyễn Văn Bình\n")
    rep2 = _report(body2)
    assert rep2.record.fields["signature_secretary"].state is FieldState.ABSENT
    assert "SIGN" in {f.rule for f in rep2.findings}


def test_times_and_dates_need_figures_to_be_unreadable():
    rep = _report("Hôm nay, vào lúc mười chín giờ kém, tại nhà văn hoá thôn.\n")
    assert rep.record.fields["start_time"].state is not FieldState.FOUND
    rep2 = _report("Buổi sinh hoạt kết thúc vào lúc 21g3O cùng ngày.\n")
    assert rep2.record.fields["end_time"].state in (FieldState.FOUND, FieldState.UNREADABLE)
    assert "TIME-END" not in {f.rule for f in rep2.findings}


def test_every_cue_is_attested_in_real_phrasings():
    """Every cue of the lexicon matches at least one phrasing read on a published page."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("lexicon_sources", ROOT / "corpora" / "tools" / "lexicon_sources.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    attested = module.attestations()
    assert attested
    unattested = [key for key, hits in attested.items() if not hits]
    assert unattested == []
    for hits in attested.values():
        assert all(str(h["source"]).startswith("http") for h in hits)
