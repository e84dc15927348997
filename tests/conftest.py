from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
CORPORA = ROOT / "corpora"


def pytest_configure(config: pytest.Config) -> None:
    # Settings() built without a data directory must not touch the checkout's ./data (or a
    # developer's archive and users there): default it to a fresh temporary directory.
    os.environ.setdefault("MINUTES_DATA_DIR", tempfile.mkdtemp(prefix="minutes-test-data-"))


@pytest.fixture(scope="session")
def sample_texts() -> dict[str, str]:
    paths = sorted(SAMPLES.glob("*.txt")) + sorted(CORPORA.glob("c*.txt"))
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


@pytest.fixture(scope="session")
def s01() -> str:
    p = SAMPLES / "s01.txt"
    if p.exists():
        return p.read_text(encoding="utf-8")
    return (CORPORA / "c001.txt").read_text(encoding="utf-8")
