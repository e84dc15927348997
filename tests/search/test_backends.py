"""Each SearchIndex backend runs the shared contract: memory, embedded Qdrant Edge, qdrant-client local mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.search.edge_index import EdgeIndex
from service.search.encoding import ChunkEncoder
from service.search.memory import MemoryIndex
from service.search.qdrant_index import QdrantIndex
from tests.search.search_contract import SearchIndexContract


class TestMemoryIndex(SearchIndexContract):
    @pytest.fixture()
    def index(self) -> Iterator[Any]:
        idx = MemoryIndex()
        yield idx
        idx.close()


class TestEdgeIndex(SearchIndexContract):
    @pytest.fixture()
    def index(self, tmp_path: Path, encoder: ChunkEncoder) -> Iterator[Any]:
        idx = EdgeIndex(tmp_path, encoder)
        yield idx
        idx.close()


class TestEdgeIndexCompact(SearchIndexContract):
    """The layout for a million chunks and more: quantized in memory, originals and BM25 index on disk."""

    @pytest.fixture()
    def index(self, tmp_path: Path, encoder: ChunkEncoder) -> Iterator[Any]:
        idx = EdgeIndex(tmp_path, encoder, layout="compact")
        assert idx.collection.endswith("-compact")
        yield idx
        idx.close()


class TestQdrantLocal(SearchIndexContract):
    @pytest.fixture()
    def index(self, encoder: ChunkEncoder) -> Iterator[Any]:
        idx = QdrantIndex(encoder, location=":memory:")
        yield idx
        idx.close()


class TestQdrantLocalCompact(SearchIndexContract):
    @pytest.fixture()
    def index(self, encoder: ChunkEncoder) -> Iterator[Any]:
        idx = QdrantIndex(encoder, location=":memory:", layout="compact")
        yield idx
        idx.close()


class _Server:
    """A Qdrant server's answers to what opening a collection asks (the network is the process edge)."""

    def __init__(self, have: set[str], refuse: str | None = None) -> None:
        self.have, self.refuse, self.created = have, refuse, []

    def get_collection(self, name: str) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(payload_schema={k: object() for k in self.have})

    def create_payload_index(self, collection: str, name: str, schema: Any, *, wait: bool = True) -> None:
        if name == self.refuse:
            raise PermissionError("read-only key")
        self.created.append((name, wait))


def test_a_server_collection_gets_the_payload_indexes_it_lacks_without_waiting(caplog: pytest.LogCaptureFixture) -> None:
    from qdrant_client import models

    from service.search.encoding import KEYWORD_FIELDS

    index = QdrantIndex.__new__(QdrantIndex)
    index._m, index._local, index.collection = models, False, "chunks"
    index.client = server = _Server(have={"minute_id", "dang_bo", "day"}, refuse="section")
    index._create_payload_indexes()
    made = {name for name, _ in server.created}
    assert made == set(KEYWORD_FIELDS) - {"minute_id", "dang_bo", "section"}  # "day" is there; "section" refused
    assert all(not wait for _, wait in server.created)
    assert "section" in caplog.text  # a refusal is logged, and the collection opens all the same
