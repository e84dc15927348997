"""Fixtures for access-control tests; the PostgreSQL server comes from the archive tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.archive.conftest import pg_server, pg_url  # noqa: F401 - fixtures shared with the archive tests
from tests.auth.world import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture()
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as c:
        yield c
