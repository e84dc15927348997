"""Schemathesis against the served service: every operation of the OpenAPI document, every check.

The server is started as `minutes serve` runs it, over an archive with users and
minutes in two đảng bộ; the fuzzer calls with an administrator's key, from a fixed
seed. Any failure (a 5xx, a status or content type the document does not name, a
response off its schema, a valid request refused, an invalid one accepted, a 405
without ``Allow``) fails the test with Schemathesis's report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.auth.world import build_world
from tests.live import live_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("MINUTES_FUZZ_EXAMPLES", "25"))

pytestmark = pytest.mark.slow


def test_every_operation_passes_every_schemathesis_check(tmp_path: Path) -> None:
    world = build_world(tmp_path / "data")
    report = tmp_path / "events.ndjson"
    with live_server(world.app, world.settings, log_level="warning") as url:
        run = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run",
             f"{url}/openapi.json", "-H", f"Authorization: Bearer {world.keys['quantri']}",
             "--checks", "all", "--seed", "20261206", "--max-examples", str(EXAMPLES), "--workers", "1",
             "--no-shrink", "--request-timeout", "60", "--report", "ndjson", "--report-ndjson-path", str(report)],
            capture_output=True, text=True, timeout=1200, cwd=tmp_path)  # its cache stays out of the tree
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
