"""The house reads top-down: no module imports a layer above its own (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# From the doors down to the shared vocabulary; a module may import its own layer and those below.
LAYERS: list[set[str]] = [
    {"service.cli", "service.api"},
    {"service.exports", "service.reporting", "service.auth", "service.review", "service.report_document"},
    {"service.archive"},
    {"service.check", "service.intake"},
    {"service.rules", "service.documents"},
    {"service.nlp", "service.search"},
    {"service.schema", "service.errors", "service.settings", "service.database"},
]


def layer_of(module: str) -> int | None:
    for i, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    return None


def upward_imports() -> list[str]:
    found = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        mine = layer_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                theirs = layer_of(target)
                if mine is not None and theirs is not None and theirs < mine:
                    found.append(f"{module}:{node.lineno} imports {target}")
    return found


def test_every_service_module_has_a_layer() -> None:
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "service").rglob("*.py")]
    assert [m for m in modules if m != "service.__init__" and layer_of(m) is None] == []


def test_no_module_imports_a_layer_above_it() -> None:
    assert upward_imports() == []
