"""The store contract against a real PostgreSQL server started by the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from service.archive.base import MinutesStore
from service.archive.stores import open_store
from service.errors import MinutesError
from tests.archive.store_contract import MinutesStoreContract


@pytest.fixture()
def store(pg_url: str) -> Iterator[MinutesStore]:
    s = open_store(pg_url)
    yield s
    s.close()


@pytest.fixture()
def reopen(pg_url: str) -> Callable[[], MinutesStore]:
    return lambda: open_store(pg_url)


class TestPostgresStore(MinutesStoreContract):
    pass


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(MinutesError) as err:
        open_store("postgresql://nobody@127.0.0.1:1/none")
    assert err.value.code == "STORE_UNAVAILABLE" and err.value.status == 503
