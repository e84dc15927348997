"""Writing benchmark results into BENCHMARKS.md, one section per benchmark; helpers the benchmarks share."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def replace_section(path: Path, heading: str, body: str) -> None:
    """Replace the section that starts with ``heading`` (or append it) in ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    out: list[str] = []
    skip = False
    for ln in text.splitlines(keepends=True):
        if ln.startswith("## "):
            skip = ln.startswith(heading)
            if skip:
                continue
        if not skip:
            out.append(ln)
    path.write_text("".join(out).rstrip("\n") + "\n\n" + body, encoding="utf-8")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, as benchmarks report them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def forget_queries(index: Any) -> None:
    """Drop the query vectors the index's embedder keeps, so that a timed search embeds its query."""
    retriever = getattr(index, "retriever", None)
    encoder = getattr(index, "encoder", None) or getattr(retriever, "encoder", None)
    forget = getattr(getattr(encoder, "embedder", None), "forget_queries", None)
    if forget is not None:
        forget()
