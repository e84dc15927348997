from __future__ import annotations

from pathlib import Path

from service.archive.chunks import CHUNKS_VERSION, INDEXED, MAX_CHARS, make_chunks, subject
from service.check import check_text
from service.schema.units import unit_key
from tests.archive.factory import make_minute

CORPORA = Path(__file__).resolve().parents[2] / "corpora" / "written"


def test_chunks_follow_the_searchable_sections() -> None:
    report = check_text(make_minute(), include_text=True)
    text = report.text.content or ""
    chunks = make_chunks("m1", report, text)
    kinds = [c.section for c in chunks]
    assert set(kinds) == {"report", "discussion", "criticism", "conclusion", "resolution"}
    assert [c.id for c in chunks] == [f"m1:{i}" for i in range(len(chunks))]
    for c in chunks:
        assert text[c.span[0]:c.span[1]] == c.text and c.text.strip() == c.text
    criticism = next(c for c in chunks if c.section == "criticism")
    assert "tự phê bình" in criticism.text and "chậm nộp đảng phí" in criticism.text
    resolution = next(c for c in chunks if c.section == "resolution")
    assert "Vận động thêm 10 hộ" in resolution.text


def test_embed_text_carries_unit_period_and_heading() -> None:
    report = check_text(make_minute(), include_text=True)
    chunks = make_chunks("m1", report, report.text.content or "")
    discussion = next(c for c in chunks if c.section == "discussion")
    head, body = discussion.embed_text.split("\n", 1)
    assert "Chi bộ Thôn Đông Hòa" in head and "tháng 3/2024" in head and "THẢO LUẬN" in head
    assert body == discussion.text
    assert discussion.chi_bo == unit_key("Chi bộ Thôn Đông Hòa", "chi_bo")
    assert discussion.dang_bo == unit_key("Đảng bộ xã An Phú", "dang_bo")
    assert (discussion.date, discussion.period, discussion.meeting_type) == ("2024-03-05", "2024-03", "thuong_ky")


def test_long_sections_are_cut_at_line_ends_within_the_limit() -> None:
    note = "\n".join(f"- Hộ thứ {i} đăng ký chuyển đổi 0,{i} ha sang trồng rau màu." for i in range(120))
    report = check_text(make_minute(note=note), include_text=True)
    text = report.text.content or ""
    chunks = [c for c in make_chunks("m", report, text) if c.section == "report"]
    assert len(chunks) >= 4
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.text.endswith("màu.") or not c.text.startswith("- Hộ") for c in chunks[:-1])
    joined = "\n".join(c.text for c in chunks)
    assert all(f"Hộ thứ {i} " in joined for i in range(120)), "nothing is lost between pieces"


def test_a_minute_without_sections_is_one_chunk() -> None:
    text = "Chi bộ họp bàn việc nạo vét kênh mương, nhất trí giao đồng chí Nam phụ trách."
    report = check_text(text, include_text=True)
    report.record.sections.clear()
    chunks = make_chunks("x", report, report.text.content or "")
    assert len(chunks) == 1 and chunks[0].section == "report" and chunks[0].span == (0, len(text))


def test_every_corpus_minute_chunks_into_valid_spans() -> None:
    paths = sorted(CORPORA.glob("c*.txt"))
    assert len(paths) >= 100, CORPORA
    for path in paths:
        report = check_text(path.read_text(encoding="utf-8"), include_text=True)
        text = report.text.content or ""
        chunks = make_chunks(path.stem, report, text)
        assert chunks, path.name
        assert {c.section for c in chunks} <= {k.value for k in INDEXED}
        for c in chunks:
            assert 0 <= c.span[0] < c.span[1] <= len(text) and text[c.span[0]:c.span[1]] == c.text
            assert len(c.text) <= MAX_CHARS
        spans = [c.span for c in chunks]
        assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), path.name


def test_every_chunk_of_a_minute_with_votes_against_says_so() -> None:
    unanimous = make_minute()
    assert "tán thành" in unanimous and "không tán thành" not in unanimous
    plain = check_text(unanimous, include_text=True)
    assert all(c.facets == () for c in make_chunks("m1", plain, plain.text.content or ""))
    split_text = CORPORA.joinpath("c053.txt").read_text(encoding="utf-8")
    split = check_text(split_text, include_text=True)
    assert split.record.resolutions[0].vote and split.record.resolutions[0].vote.against
    chunks = make_chunks("c053", split, split.text.content or "")
    assert chunks and all(c.facets == ("vote=split",) for c in chunks)


def test_the_subject_of_a_thematic_meeting_heads_each_of_its_chunks() -> None:
    text = CORPORA.joinpath("c019.txt").read_text(encoding="utf-8")
    report = check_text(text, include_text=True)
    chunks = make_chunks("c019", report, report.text.content or "")
    about = subject(report.text.content or "")
    assert about is not None and about.startswith("Chuyên đề: Đảng viên nêu gương") and '"' not in about
    assert chunks and all(about in c.embed_text.split("\n", 1)[0] for c in chunks)
    regular = check_text(make_minute(), include_text=True)
    assert subject(regular.text.content or "") is None


def test_a_quoted_subject_is_read_across_its_line_break() -> None:
    text = 'BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ\nChuyên đề: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí\nMinh về ý thức trách nhiệm"\nThời gian: …\n'
    assert subject(text) == "Chuyên đề: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý thức trách nhiệm"
    assert subject("Nội dung: thảo luận chuyên đề tháng sau\n") is None  # a word in a sentence, not the label


def _stripped(text: str) -> str:
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain.replace("đ", "d").replace("Đ", "D"))


def test_a_minute_typed_without_diacritics_is_embedded_restored_and_shown_as_typed() -> None:
    from service.search.query import accented_share
    from service.search.sparse import fold

    accented = check_text(make_minute(), include_text=True).text.content or ""
    for c in make_chunks("m", check_text(accented, include_text=True), accented):
        assert c.embed_text.split("\n", 1)[1] == c.text  # typed with diacritics: embedded as written
    plain = _stripped(accented)
    assert accented_share(plain) == 0.0
    report = check_text(plain, include_text=True)
    text = report.text.content or ""
    chunks = make_chunks("m", report, text)
    assert chunks and all(c.version == CHUNKS_VERSION for c in chunks)
    assert len(make_chunks("m", report, text, embedded=False)) == len(chunks)
    for c in chunks:
        body = c.embed_text.split("\n", 1)[1]
        assert c.text == text[c.span[0]:c.span[1]]  # shown as typed
        assert accented_share(body) > 0.5 and fold(body) == fold(c.text)  # embedded restored, word for word
    assert "Tran Van Hung" in " ".join(c.embed_text for c in chunks)  # a name stays as typed


def test_only_the_lines_typed_without_diacritics_are_restored() -> None:
    accented = check_text(make_minute(), include_text=True).text.content or ""
    lines = accented.split("\n")
    body = max(range(len(lines)), key=lambda i: len(lines[i]) if lines[i].startswith("-") else 0)
    lines[body] = _stripped(lines[body])  # one line of the body typed fast, without diacritics
    mixed = "\n".join(lines)
    report = check_text(mixed, include_text=True)
    embedded = "\n".join(c.embed_text.split("\n", 1)[1] for c in make_chunks("m", report, mixed))
    assert lines[body] not in embedded and lines[body] in mixed
    assert all(line in embedded for i, line in enumerate(lines) if i != body and line.startswith("-"))


def _tasks_in_chunks(paths: list[Path]) -> tuple[int, int]:
    held = total = 0
    for path in paths:
        report = check_text(path.read_text(encoding="utf-8"), include_text=True)
        spans = [c.span for c in make_chunks(path.stem, report, report.text.content or "", embedded=False)]
        for r in report.record.resolutions:
            for t in r.tasks:
                if t.span is not None:
                    total += 1
                    held += any(a <= t.span[0] < b for a, b in spans)
    return held, total


def test_the_tasks_of_the_corpus_resolutions_are_searchable() -> None:
    held, total = _tasks_in_chunks(sorted(CORPORA.glob("c*.txt")))
    assert total >= 400
    assert held / total >= 0.95, f"{held}/{total} tasks in an indexed chunk"


def test_a_resolution_read_with_its_section_stopping_at_the_heading_is_chunked_whole() -> None:
    text = ("BIÊN BẢN SINH HOẠT CHI BỘ\n"
            "1. Thảo luận\n- Đồng chí Hòa: nhất trí với báo cáo.\n"
            "2. Nghị quyết tháng 02/2026\n"
            "(1) Thành lập tổ trực Tết 03 ca: giao đồng chí An, trước ngày 12/02/2026.\n"
            "(2) Gắn biển số nhà cho 05 hộ còn lại: giao đồng chí Kiều.\n"
            "Biểu quyết: 20/20 đồng chí tán thành, đạt 100%.\n")
    report = check_text(text, include_text=True)
    assert report.record.resolutions, "the reader finds the resolution"
    content = report.text.content or ""
    # A report stored by a reading whose resolution section ended at its heading line.
    for s in report.record.sections:
        if s.kind.value == "resolution":
            s.span = (s.span[0], content.index("\n", s.span[0]) + 1)
    resolution = [c for c in make_chunks("m", report, content) if c.section == "resolution"]
    assert resolution and "tổ trực Tết" in resolution[0].text and "biển số nhà" in resolution[0].text


def test_a_resolution_written_into_the_closing_part_is_a_passage_of_its_own() -> None:
    text = ("BIÊN BẢN SINH HOẠT CHI BỘ\n"
            "I. Thảo luận\n- Đồng chí Hòa: nhất trí với báo cáo, đề nghị sửa cống ngăn mặn.\n"
            "II. Biểu quyết: 18/18 đồng chí tán thành, đạt 100%.\n"
            "PHẦN KẾT THÚC\n\n"
            "Đồng chí Hai kết luận: nhiệm vụ trọng tâm là phòng, chống hạn mặn. Nghị quyết tháng 02/2024 gồm:\n"
            "1. Nạo vét mương trữ nước: giao đồng chí Chiến, trước 10/3/2024.\n"
            "2. Sửa cống Rạch Cái, đóng cống ngăn mặn: giao đồng chí Hai, trước 10/3/2024.\n"
            "Cuộc họp kết thúc lúc 10 giờ cùng ngày.\n")
    report = check_text(text, include_text=True)
    content = report.text.content or ""
    assert any(r.tasks for r in report.record.resolutions), "the reader finds the tasks"
    chunks = make_chunks("m", report, content)
    held = [c for c in chunks if "Nạo vét mương" in c.text]
    assert held and held[0].section == "resolution" and "Sửa cống Rạch Cái" in held[0].text
    assert not any(c.text.startswith("II. Biểu quyết") or c.text.startswith("Biểu quyết") for c in chunks)


def test_tasks_after_a_discussion_or_between_sections_are_each_in_a_passage() -> None:
    text = ("BIÊN BẢN SINH HOẠT CHI BỘ\n"
            "1. Thảo luận\n- Đồng chí Hòa: nhất trí. Chi bộ thống nhất nghị quyết tháng 4/2026:\n"
            "(1) Tổ chức tuần tra ban đêm tại khu 3: giao đồng chí Lực, từ ngày 05/4/2026.\n"
            "(2) Vận động 12 hộ lắp camera an ninh: giao đồng chí Tâm.\n"
            "Biểu quyết: 20/20 đồng chí tán thành, đạt 100%.\n")
    report = check_text(text, include_text=True)
    tasks = [t for r in report.record.resolutions for t in r.tasks]
    assert len(tasks) == 2, "the reader finds both tasks"
    content = report.text.content or ""
    # A reading whose discussion stopped before the tasks.
    for s in report.record.sections:
        if s.kind.value == "discussion":
            s.span = (s.span[0], content.index("(1)"))
    chunks = make_chunks("m", report, content)
    for t in tasks:
        assert t.span is not None
        assert any(c.span[0] <= t.span[0] < c.span[1] for c in chunks), content[t.span[0]:t.span[1]]
    spans = sorted(c.span for c in chunks)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
