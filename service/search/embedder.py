"""Dense embeddings: multilingual-e5-small through sentence-transformers, loaded lazily.

E5 needs its prefixes: ``query: `` on queries and ``passage: `` on indexed text;
the model directory (built by ``python -m tools.model_build``) declares
them as the prompts ``query`` and ``passage``. Nothing is downloaded: the model
is read from disk only, and a missing model is a clear 503, not a hub request.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import unicodedata
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from service.errors import ErrorCode, Unavailable

log = logging.getLogger(__name__)

DIM = 384

Precision = Literal["auto", "float32", "bfloat16"]
QueryRuntime = Literal["auto", "onnx", "torch"]


def resolve_precision(precision: Precision, torch: Any) -> str:
    """The dtype to run the model in: bfloat16 where the CPU computes it natively (AVX-512 BF16, AMX).

    On such a CPU bfloat16 embeds passages about 2.5× faster than float32 (2 cores: 60 against
    22 chunks/s) with vectors at cosine > 0.9999 to float32's; elsewhere bfloat16 is emulated and
    slower, so ``auto`` keeps float32 there. ``bfloat16`` forces it.
    """
    if precision != "auto":
        return precision
    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return "bfloat16" if native else "float32"


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors."""

    dim: int
    version: str

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text, embedded as passages, in an array of shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of one query."""
        ...

    def warm_up(self) -> None:
        """Load whatever the first call would load, so the first request is not slow."""
        ...


QUERY_CACHE = 512  # query vectors kept (1.5 KB each)


def _open_onnx(model_dir: Path, threads: int) -> tuple[Any, str | None]:
    """The ONNX query encoder, or None with what kept it from loading."""
    from service.search.model_files import QUERY_ENCODER_FILE

    if not (model_dir / QUERY_ENCODER_FILE).exists():
        return None, f"thiếu tệp {model_dir / QUERY_ENCODER_FILE}"
    try:
        from service.search.query_encoder import OnnxQueryEncoder

        return OnnxQueryEncoder(model_dir, threads=threads), None
    except ImportError as e:
        return None, f"thiếu thư viện onnxruntime ({e})"
    except Exception as e:  # a truncated or foreign graph: ONNX Runtime's own error types
        return None, f"không đọc được {QUERY_ENCODER_FILE}: {type(e).__name__}: {str(e)[:200]}"


class E5Embedder:
    """multilingual-e5-small from a local sentence-transformers directory."""

    dim = DIM

    def __init__(self, model_dir: str | Path, *, batch_size: int = 8, threads: int | None = None,
                 query_threads: int = 1, precision: Precision = "auto", query_runtime: QueryRuntime = "auto") -> None:
        self.model_dir = Path(model_dir)
        # Small batches: sentence-transformers sorts a call's texts by length, and chunks vary from
        # 50 to 300 tokens, so a batch of 8 pads little (26 chunks/s against 21 at 32, fp32, 2 cores).
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self.dtype = "float32"
        # One short query gains little from more threads, and on a busy 2-core machine torch's default
        # (all cores) made it about 5× slower (p50 132 ms against 25 ms): queries run on one thread.
        self.query_threads = query_threads
        self.query_runtime = query_runtime
        self._query_encoder: Any = None
        self._onnx_problem: str | None = None
        self._model: Any = None
        self._torch: Any = None
        self._all_threads = 1
        self._lock = threading.Lock()
        self._use = threading.Lock()
        # The same question comes back as a user pages through its hits or narrows the filters.
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        from service.search.model_files import MODEL_VERSION

        self.version = MODEL_VERSION

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                if not (self.model_dir / "modules.json").exists():
                    raise Unavailable(
                        ErrorCode.MODEL_MISSING,
                        f"Chưa có mô hình nhúng tại {self.model_dir}; hãy chạy scripts/setup.sh "
                        "(python -m tools.model_build).")
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                self._torch = torch
                self._all_threads = self.threads or torch.get_num_threads()
                self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
                self.dtype = resolve_precision(self.precision, torch)
        return self._model

    def _encode(self, texts: list[str], prompt: str, batch_size: int) -> np.ndarray:
        import contextlib

        ctx = (self._torch.autocast("cpu", dtype=self._torch.bfloat16) if self.dtype == "bfloat16"
               else contextlib.nullcontext())
        with ctx:
            out = self._model.encode(texts, prompt_name=prompt, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    def warm_up(self) -> None:
        """Load the model and run one query, so the first request is not slow."""
        self.embed_query("khởi động")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed texts with the passage prompt on all threads; an empty list gives an empty array."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        self._load()
        texts = [unicodedata.normalize("NFC", t) for t in texts]
        with self._use:
            self._torch.set_num_threads(self._all_threads)
            return self._encode(texts, "passage", self.batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector (read-only); the last ``QUERY_CACHE`` questions are kept."""
        key = unicodedata.normalize("NFC", text)
        with self._lock:
            cached = self._queries.get(key)
            if cached is not None:
                self._queries.move_to_end(key)
                return cached
        vector = self._query_vector(key)
        vector.setflags(write=False)
        with self._lock:
            self._queries[key] = vector
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector

    def _query_vector(self, text: str) -> np.ndarray:
        encoder = self._onnx_queries()
        if encoder is not None:
            vector: np.ndarray = encoder.encode(text)
            return vector
        self._load()
        with self._use:
            self._torch.set_num_threads(self.query_threads)
            out: np.ndarray = self._encode([text], "query", 1)[0]
        return out

    def _onnx_queries(self) -> Any:
        """The ONNX Runtime query encoder, or None where queries go through torch.

        ``auto`` falls back to torch, once and with a warning, when the graph is missing,
        unreadable or ONNX Runtime cannot load; ``onnx`` answers 503 instead, every time,
        without trying to load again.
        """
        if self.query_runtime == "torch":
            return None
        if self._query_encoder is None and self._onnx_problem is None:
            with self._lock:
                if self._query_encoder is None and self._onnx_problem is None:
                    self._query_encoder, self._onnx_problem = _open_onnx(self.model_dir, self.query_threads)
        if self._query_encoder is not None:
            return self._query_encoder
        if self.query_runtime == "onnx":
            raise Unavailable(ErrorCode.MODEL_MISSING,
                              f"Không dùng được bộ mã hoá câu hỏi ONNX ({self._onnx_problem}); hãy chạy lại "
                              "scripts/setup.sh, hoặc đặt search.query_runtime=torch.")
        log.warning("queries go through torch: %s", self._onnx_problem)
        self.query_runtime = "torch"
        return None

    def forget_queries(self) -> None:
        """Drop the kept query vectors (benchmarks time the model, not the cache)."""
        with self._lock:
            self._queries.clear()


class HashEmbedder:
    """Deterministic vectors from hashed words: no model, for tests and development.

    Texts sharing words get similar vectors, so ranking behaves sensibly, but
    there is no semantics: a paraphrase with other words is not found.
    """

    version = "hash-v1"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        from service.search.sparse import fold

        vec = np.zeros(self.dim, np.float32)
        for w in fold(text).split():
            h = int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        n = float(np.linalg.norm(vec))
        if n == 0.0:
            vec[0] = 1.0
            return vec
        return vec / n

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One hashed-word vector per text; an empty list gives an empty array."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """The hashed-word vector of the query, as for a passage."""
        return self._one(text)

    def warm_up(self) -> None:
        """Nothing to load."""
        return None
