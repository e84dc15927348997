"""For every cue of the lexicon (service/nlp/cues.yaml), the real phrasings it matches.

    python corpora/tools/lexicon_sources.py [--json]

Each phrasing pattern of corpora/phrasings/ is filled with made-up values and folded as
the reader folds text; a cue is attested when its pattern matches at least one of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.eval_phrasings import PHRASINGS, fill  # noqa: E402
from service.nlp.cues import lexicon  # noqa: E402
from service.nlp.normalize import normalize  # noqa: E402
from service.nlp.text import fold  # noqa: E402


def attestations() -> dict[str, list[dict[str, object]]]:
    """Cue key ("field: pattern") → the phrasings it matches (pattern and source)."""
    rows = [json.loads(line) for p in sorted(PHRASINGS.glob("*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines()]
    filled = [(fold(normalize(fill(r["pattern"])).text), r) for r in rows]
    out: dict[str, list[dict[str, object]]] = {}
    for field, cues in lexicon().cues.items():
        for cue in cues:
            key = f"{field}: {cue.pattern.pattern}"
            out[key] = [{"pattern": r["pattern"], "source": r["source"]}
                        for text, r in filled if cue.pattern.search(text)]
    return out


def main() -> int:
    att = attestations()
    if "--json" in sys.argv:
        print(json.dumps({k: v[:5] for k, v in att.items()}, ensure_ascii=False, indent=1))
        return 0
    for key, hits in att.items():
        sources = len({h["source"] for h in hits})
        print(f"{len(hits):4d} phrasings {sources:4d} pages  {key[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
