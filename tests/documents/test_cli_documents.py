"""`minutes check` reads any format; one bad file never stops the batch."""

import json

from typer.testing import CliRunner

from service.cli import app
from tests.documents.conftest import DOCS


def test_cli_checks_docx_pdf_and_text_in_order_past_a_bad_file(tmp_path):
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"PK\x03\x04broken")
    paths = [str(DOCS / "docx" / "c001.docx"), str(bad), str(DOCS / "pdf-text" / "c001.pdf"),
             str(DOCS.parent / "written" / "c001.txt")]
    result = CliRunner().invoke(app, ["check", *paths, "--json"])
    assert result.exit_code == 0
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["source"] for r in reports] == [paths[0], paths[2], paths[3]]
    assert [r["document"]["format"] for r in reports] == ["docx", "pdf", "txt"]
    assert len({json.dumps(r["record"]["meeting"], sort_keys=True) for r in reports}) == 1
    assert "CORRUPT_FILE" in result.stderr
