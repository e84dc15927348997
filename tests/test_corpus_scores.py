"""The labeled minutes are scored by the shared scorer; the floors are the project's bar."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPORA, ROOT, SAMPLES

SCORER = ROOT.parent / "shared" / "tools" / "score.py"
MINUTES = Path(sys.executable).parent / "minutes"


def _score(folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(SCORER), str(folder), "--cmd", str(MINUTES) + " check", "--quiet",
         "--min-fields", "0.95", "--min-recall", "0.95", "--max-false", "0.03"],
        capture_output=True, text=True, timeout=600,
    )
    last = out.stdout.strip().splitlines()[-1]
    parts = last.split()
    figures = {parts[i]: float(parts[i + 1]) for i in range(len(parts) - 1)
               if parts[i] in ("fields", "defect_recall", "false_alarm")}
    assert out.returncode == 0, last
    return figures


@pytest.mark.skipif(not SCORER.exists(), reason="the shared scorer is not beside the checkout")
@pytest.mark.parametrize("folder", [SAMPLES, CORPORA], ids=["samples", "corpora"])
def test_scores_meet_the_floors(folder):
    figures = _score(folder)
    assert figures["fields"] >= 0.95
    assert figures["defect_recall"] >= 0.95
    assert figures["false_alarm"] <= 0.03


def test_corpus_is_labeled_and_large_enough():
    labels = sorted(CORPORA.glob("c*.json"))
    assert len(labels) >= 80
    for p in labels:
        assert p.with_suffix(".txt").exists(), p
