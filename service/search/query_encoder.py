"""A query's e5 vector without torch: the tokenizer, the embedding rows, the encoder in ONNX Runtime.

A question is a few dozen tokens, where torch spends most of its time between small
operations: the same encoder layers in ONNX Runtime give the same vector (cosine
1.000000 to the sentence-transformers path) in half the time on one thread. The graph
(``query_encoder.onnx``, built beside the weights by ``tools.model_build``) holds the
encoder layers only; the word-embedding rows a query needs are read from
``model.safetensors`` through a memory map, so a process that only searches never loads
the whole model or torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from service.search.model_files import QUERY_ENCODER_FILE

PROMPT = "query: "
MAX_TOKENS = 512


def passage_tokenizer(model_dir: Path) -> Any:
    """The tokenizer as sentence-transformers runs it on passages, without importing transformers (and torch).

    transformers builds its XLM-R tokenizer from tokenizer.json's vocabulary and template but
    with a pre-tokenizer of its own and no normaliser, and makes the special tokens whole
    words; a query must meet the passages' tokens, so the same is done here (a test compares
    the two on every question and corpus line).
    """
    from tokenizers import AddedToken, Tokenizer, pre_tokenizers

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
    tok.enable_truncation(MAX_TOKENS)
    return tok


def _tensors(path: Path) -> dict[str, np.ndarray]:
    """Read-only memory maps of the float32 tensors of a safetensors file."""
    with path.open("rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    base = 8 + size
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        out[name] = np.memmap(path, dtype="<f4", mode="r", offset=base + start,
                              shape=tuple(meta["shape"])) if end > start else np.zeros(meta["shape"], np.float32)
    return out


class OnnxQueryEncoder:
    """Embeds one query at a time (no padding, so no attention mask) on ``threads`` threads."""

    def __init__(self, model_dir: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        self._tokenizer = passage_tokenizer(model_dir)
        weights = _tensors(model_dir / "model.safetensors")
        self._words = weights["embeddings.word_embeddings.weight"]
        # Position and token-type rows are small: copied once; token type is always 0.
        self._positions = np.array(weights["embeddings.position_embeddings.weight"])
        self._type = np.array(weights["embeddings.token_type_embeddings.weight"][0])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # A server waits between requests: no thread spinning for the next one.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(str(model_dir / QUERY_ENCODER_FILE), options,
                                                  providers=["CPUExecutionProvider"])

    def encode(self, text: str) -> np.ndarray:
        """The unit vector of ``text`` as a query (the ``query: `` prompt added here)."""
        # sentence-transformers strips the prompted text before tokenising it.
        ids = np.asarray(self._tokenizer.encode((PROMPT + text).strip()).ids, np.int64)
        rows = self._words[ids] + self._positions[: len(ids)] + self._type
        hidden = self._session.run(["hidden"], {"embeddings": rows[None].astype(np.float32)})[0][0]
        vector: np.ndarray = np.asarray(hidden, np.float32).mean(axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)
