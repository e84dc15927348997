"""The section classifier read without spaCy gives spaCy's scores, and `check` does not import spaCy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.nlp.section_linear import LinearTextClassifier, murmur3_32_u64, murmur64a
from service.nlp.section_model import DEFAULT_MODEL, LINEAR_FILE, features, read_gold


def test_the_hashes_are_spacys_and_thincs() -> None:
    spacy = pytest.importorskip("spacy")
    strings = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}}).vocab.strings
    for word in ("chi", "b_đồng", "nghị", "|", "y kien thao luan", "x" * 23):
        assert murmur64a(word.encode("utf-8"), 1) == strings.add(word)
    from thinc.api import NumpyOps

    keys = NumpyOps().asarray1i([murmur64a(w.encode(), 1) for w in "a b c d".split()], dtype="uint64")
    bigrams = NumpyOps().ngrams(2, keys)
    assert [int(k) for k in bigrams] == [murmur64a(b"".join(int(u).to_bytes(8, "little") for u in keys[i:i + 2]), 0)
                                         for i in range(3)]
    assert murmur3_32_u64(0, 0) != murmur3_32_u64(0, 1)


def test_the_exported_table_scores_every_labeled_heading_as_spacy_does() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.load(DEFAULT_MODEL)
    table = LinearTextClassifier.load(DEFAULT_MODEL / LINEAR_FILE)
    texts = [features(t, b) for _, t, b, _ in read_gold()]
    texts += ["|", "chữ lạ chưa từng thấy zzz", "y kien | b_dong b_chi " * 30]  # unseen words, repeats, no words
    texts += ["dep det num | b_dep", "root obj mark cc | b_cc"]  # words spaCy numbers itself instead of hashing
    worst = 0.0
    for text in texts:
        theirs, ours = nlp(text).cats, table.scores(text)
        assert max(theirs, key=theirs.__getitem__) == max(ours, key=ours.__getitem__), text
        worst = max(worst, *(abs(theirs[k] - ours[k]) for k in theirs))
    assert len(texts) > 1000 and worst < 1e-5


def test_checking_a_minute_does_not_import_spacy_or_numpy() -> None:
    code = ("import sys; from pathlib import Path; from service.check import check_text; "
            "r = check_text(Path('corpora/written/c001.txt').read_text(encoding='utf-8')); "
            "assert r.record.meeting.date, r; "
            "print(sorted(m for m in ('spacy', 'thinc', 'torch', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=DEFAULT_MODEL.parents[1])
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
