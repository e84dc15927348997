from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
CORPORA = ROOT / "corpora"
WRITTEN = CORPORA / "written"  # the labeled minutes written beside the code


# Test tiers: "browser" (Debian's Chromium through Playwright), "integration" (a real server
# process, PostgreSQL, Tesseract or LibreOffice, Schemathesis), and "unit" for the rest.
_BROWSER_FILES = {"test_browser.py"}
_INTEGRATION_FILES = {"test_openapi_fuzz.py", "test_crash.py", "test_server.py", "test_store_postgres.py",
                      "test_documents_api.py", "test_conversion_queue.py"}
_INTEGRATION_FIXTURES = {"pg_server", "pg_url", "rendered_page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        fixtures = set(getattr(item, "fixturenames", ()))
        if name in _BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
        elif (name in _INTEGRATION_FILES or fixtures & _INTEGRATION_FIXTURES
              or item.path.parent.name == "documents" or "postgresql" in item.name):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


def pytest_configure(config: pytest.Config) -> None:
    # Settings() built without a data directory must not touch the checkout's ./data (or a
    # developer's archive and users there): default it to a fresh temporary directory.
    os.environ.setdefault("MINUTES_DATA_DIR", tempfile.mkdtemp(prefix="minutes-test-data-"))


@pytest.fixture(scope="session")
def sample_texts() -> dict[str, str]:
    paths = sorted(SAMPLES.glob("*.txt")) + sorted(WRITTEN.glob("c*.txt"))
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


@pytest.fixture(scope="session")
def s01() -> str:
    p = SAMPLES / "s01.txt"
    if p.exists():
        return p.read_text(encoding="utf-8")
    return (WRITTEN / "c001.txt").read_text(encoding="utf-8")
