"""Dense embeddings: multilingual-e5-small through sentence-transformers, loaded lazily.

E5 needs its prefixes: ``query: `` on queries and ``passage: `` on indexed text;
the model directory (built by ``python -m service.search.model_build``) declares
them as the prompts ``query`` and ``passage``. Nothing is downloaded: the model
is read from disk only, and a missing model is a clear 503, not a hub request.
"""

from __future__ import annotations

import hashlib
import os
import threading
import unicodedata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from service.errors import ErrorCode, Unavailable

DIM = 384


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors."""

    dim: int
    version: str

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def warm_up(self) -> None: ...


class E5Embedder:
    """multilingual-e5-small from a local sentence-transformers directory."""

    dim = DIM

    def __init__(self, model_dir: str | Path, *, batch_size: int = 32, threads: int | None = None,
                 query_threads: int = 1) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.threads = threads
        # One short query gains little from more threads, and on a busy 2-core machine torch's default
        # (all cores) made it about 5× slower (p50 132 ms against 25 ms): queries run on one thread.
        self.query_threads = query_threads
        self._model: Any = None
        self._torch: Any = None
        self._all_threads = 1
        self._lock = threading.Lock()
        self._use = threading.Lock()
        from service.search.model_build import MODEL_VERSION

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
                        "(python -m service.search.model_build).")
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                self._torch = torch
                self._all_threads = self.threads or torch.get_num_threads()
                self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        return self._model

    def warm_up(self) -> None:
        """Load the model and run one query, so the first request is not slow."""
        self.embed_query("khởi động")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        model = self._load()
        texts = [unicodedata.normalize("NFC", t) for t in texts]
        with self._use:
            self._torch.set_num_threads(self._all_threads)
            out = model.encode(texts, prompt_name="passage", batch_size=self.batch_size,
                               normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._load()
        with self._use:
            self._torch.set_num_threads(self.query_threads)
            out = model.encode([unicodedata.normalize("NFC", text)], prompt_name="query",
                               normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out[0], dtype=np.float32)


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
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def warm_up(self) -> None:
        return None
