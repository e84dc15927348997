"""The map from normalised text back to source blocks survives what normalisation does."""

from hypothesis import given, settings
from hypothesis import strategies as st

from service.documents.base import Block, Document, PageResult
from service.documents.provenance import Alignment, document_info
from service.nlp.normalize import normalize

WORDS = ["Chi", "bộ", "thôn", "Đông", "họp", "ngày", "05/3/2024", "đồng", "chí", "Nguyễn", "Văn", "An", "hoà",
         "thuỷ", "có", "mặt", "11/12", "vắng", "(ốm)", "-", "đạt", "91,7%", "Trang", "1/2"]


def _doc(lines: list[str], pages: list[int]) -> Document:
    blocks = [Block(text=t, page=p, line=i + 1) for i, (t, p) in enumerate(zip(lines, pages, strict=True))]
    return Document(format="pdf", media_type="application/pdf", converter="test", blocks=blocks,
                    pages=[PageResult(number=n, method="text") for n in sorted(set(pages))])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=12),
       st.data())
def test_every_block_maps_onto_its_own_words(lines, data):
    texts = [" ".join(ws) for ws in lines]
    pages = sorted(data.draw(st.lists(st.integers(1, 3), min_size=len(texts), max_size=len(texts))))
    doc = _doc(texts, pages)
    norm = normalize(doc.text).text
    info = document_info(doc, data=b"x", norm=norm, low_confidence=80)
    prev_end = 0
    for item in info.provenance:
        a, b = item.span
        assert prev_end <= a <= b <= len(norm)
        prev_end = b
    for item in info.provenance:
        src = texts[(item.line or 0) - 1]
        got = norm[item.span[0]:item.span[1]]
        # Same words, up to the tone-mark style normalisation chooses.
        assert Alignment(src, got).to_norm, (src, got)
    for p in info.pages:
        if p.span:
            assert all(info.locate((p.span[0], p.span[0] + 1))[0].page == p.page for _ in [0])


def test_dropped_page_footer_and_joined_lines_keep_pages_apart():
    lines = ["Chi bộ thôn Đông họp ngày 05/3/2024, có mặt", "11/12 đồng chí.", "Trang 1/2",
             "Đồng chí Nguyễn Văn An chủ trì."]
    doc = _doc(lines, [1, 1, 1, 2])
    norm = normalize(doc.text).text
    assert "Trang 1/2" not in norm and "có mặt 11/12" in norm
    info = document_info(doc, data=b"x", norm=norm, low_confidence=80)
    at = norm.index("Nguyễn")
    assert [p.page for p in info.locate((at, at + 6))] == [2]
    at = norm.index("11/12")
    assert [(p.page, p.line) for p in info.locate((at, at + 5))] == [(1, 2)]
    assert info.pages[0].span is not None and info.pages[1].span is not None
    assert info.pages[0].span[1] <= info.pages[1].span[0]
