"""Golden files: each reader step on its own cases, compared with the output checked in.

``tests/nlp/golden/STEP/NAME.txt`` is an input (a short minute on the shape of a real
phrasing, its source in ``sources.json``), ``NAME.json`` what the step reads from it.
After a change to a step, rewrite them with ``MINUTES_UPDATE_GOLDEN=1 pytest
tests/nlp/test_golden.py`` and read the diff: every changed line is a changed reading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.nlp.steps import STEPS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MINUTES_UPDATE_GOLDEN") == "1"
CASES = sorted((step, path) for step in STEPS for path in (GOLDEN / step).glob("*.txt"))


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("step, path", CASES, ids=[f"{s}/{p.stem}" for s, p in CASES])
def test_step_reads_as_its_golden_file(step: str, path: Path) -> None:
    got = _dump(STEPS[step](path.read_text(encoding="utf-8")))
    golden = path.with_suffix(".json")
    if UPDATE:
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path}: run with MINUTES_UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("step", sorted(STEPS))
def test_every_step_has_cases_with_sources(step: str) -> None:
    folder = GOLDEN / step
    inputs = sorted(p.stem for p in folder.glob("*.txt"))
    assert len(inputs) >= 5, f"{step}: at least five golden cases"
    sources = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    assert sorted(sources) == inputs and all(sources.values())
    assert sorted(p.stem for p in folder.glob("*.json") if p.name != "sources.json") == inputs
