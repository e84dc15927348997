from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.archive.base import MinutesStore
from service.archive.stores import open_store
from service.errors import MinutesError
from tests.archive.store_contract import MinutesStoreContract


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[MinutesStore]:
    s = open_store(f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    yield s
    s.close()


@pytest.fixture()
def reopen(tmp_path: Path) -> Callable[[], MinutesStore]:
    return lambda: open_store(f"sqlite:///{tmp_path / 'archive.sqlite3'}")


class TestSqliteStore(MinutesStoreContract):
    pass


def test_relative_and_absolute_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    open_store("sqlite:///rel/a.sqlite3").close()
    open_store(f"sqlite:///{tmp_path}/abs/b.sqlite3").close()
    assert (tmp_path / "rel" / "a.sqlite3").exists() and (tmp_path / "abs" / "b.sqlite3").exists()


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(MinutesError) as err:
        open_store("mysql://localhost/db")
    assert err.value.code == "INVALID_STORE_URL"
