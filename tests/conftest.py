from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
CORPORA = ROOT / "corpora"


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
