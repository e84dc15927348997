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
