"""build_index(settings): the backend the settings name, and a clear error when a server is unreachable."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from service.errors import ErrorCode, Unavailable
from service.search.edge_index import EdgeIndex
from service.search.factory import build_index
from service.search.memory import MemoryIndex
from service.search.qdrant_index import QdrantIndex
from service.settings import SearchSettings, Settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("backend", "kind"), [("edge", EdgeIndex), ("qdrant-local", QdrantIndex),
                                               ("memory", MemoryIndex)])
def test_backend_by_settings(tmp_path: Path, backend: str, kind: type) -> None:
    idx = build_index(Settings(data_dir=tmp_path, search=SearchSettings(backend=backend, embedder="hash")))  # type: ignore[arg-type]
    try:
        assert isinstance(idx, kind)
    finally:
        idx.close()


def test_unreachable_qdrant_server_is_a_503(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, qdrant_url=f"http://127.0.0.1:{_closed_port()}", qdrant_api_key="k",
                        search=SearchSettings(embedder="hash"))
    with pytest.raises(Unavailable) as err:
        build_index(settings)
    assert err.value.code == ErrorCode.INDEX_UNAVAILABLE and err.value.status == 503
