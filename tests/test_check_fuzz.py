"""check_text() never crashes on damaged minutes and its spans stay inside the text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.check import check_text
from service.errors import MinutesError
from tests.conftest import WRITTEN

BASE = [p.read_text(encoding="utf-8") for p in sorted(WRITTEN.glob("c0[0-4]*.txt"))[:20]]
assert len(BASE) == 20, "the damaged minutes are made from corpora/written/c001–c020"


@st.composite
def damaged(draw):
    text = draw(st.sampled_from(BASE))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 200)))
        junk = draw(st.text(alphabet=st.sampled_from(list("…./:;()-+*|¦~'0123456789 \nđĐàáạTHƯKÝ")), max_size=30))
        text = text[:i] + junk + text[j:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_minutes_give_a_consistent_report(text):
    try:
        r = check_text(text, include_text=True)
    except MinutesError:
        return
    body = r.text.content
    assert body is not None
    for f in r.findings:
        if f.span:
            assert 0 <= f.span[0] <= f.span[1] <= len(body)
    for s in r.record.discussion:
        assert body[s.span[0]:s.span[1]] == s.speaker
    assert r.complete == (not any(f.severity == "error" for f in r.findings))
