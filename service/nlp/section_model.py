"""A spaCy text classifier for section headings that no keyword rule decides.

Trained on the labeled headings of corpora/sections/headings.tsv and shipped in
models/section_classifier/. Input is the heading title and the start of its body,
folded (lower case, no diacritics, no punctuation), so typed-without-diacritics and
OCR'd minutes share features with clean ones.

    python -m service.nlp.section_model train [--out models/section_classifier]   # then export
    python -m service.nlp.section_model export     # the weight table read at run time (linear.json)
    python -m service.nlp.section_model evaluate   # keyword rules vs rules + classifier, 5 folds

At run time the classifier is read from ``linear.json`` by service.nlp.section_linear,
without importing spaCy; spaCy is needed only to train, export and evaluate.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.nlp.sections import classify_title
from service.nlp.text import fold
from service.schema.record import SectionKind

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "corpora" / "sections" / "headings.tsv"
DEFAULT_MODEL = ROOT / "models" / "section_classifier"
LABELS = [k.value for k in SectionKind if k != SectionKind.SIGNATURES] + ["none"]


def features(title: str, body: str) -> str:
    """The classifier's input: folded title words, then marked body words."""
    t = re.sub(r"[^\w\s/]", " ", fold(title)).split()
    b = re.sub(r"[^\w\s/]", " ", fold(body)).split()[:12]
    return " ".join(t + ["|"] + ["b_" + w for w in b])


def _blank() -> Any:
    import spacy

    return spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})


def train(rows: list[tuple[str, str, str]], *, epochs: int = 12, seed: int = 0) -> Any:
    """Train a bag-of-words text classifier on (title, body, kind) rows."""
    from spacy.training import Example
    from spacy.util import fix_random_seed  # type: ignore[attr-defined]

    fix_random_seed(seed)
    nlp = _blank()
    nlp.add_pipe("textcat", config={"model": {"@architectures": "spacy.TextCatBOW.v3",
                                               "exclusive_classes": True, "ngram_size": 2, "length": 32768,
                                               "no_output_layer": False}})
    textcat: Any = nlp.get_pipe("textcat")
    for label in LABELS:
        textcat.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(features(t, b)),
                                  {"cats": {lab: float(lab == k) for lab in LABELS}})
                for t, b, k in rows]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for i in range(0, len(examples), 16):
            nlp.update(examples[i:i + 16], sgd=optimizer, drop=0.1)
    return nlp


LINEAR_FILE = "linear.json"


class SpacySectionClassifier:
    """SectionClassifier over a text classifier's scores: the spaCy model, or its exported weight table."""

    def __init__(self, nlp: Any, *, min_score: float = 0.5, confident: float = 0.7) -> None:
        self.nlp = nlp  # a spaCy pipeline, or anything with ``scores(text) -> {label: score}``
        self.min_score = min_score
        self.confident = confident

    def best(self, title: str, body: str) -> tuple[str, float]:
        """The most likely label ("none" included) and its score."""
        text = features(title, body)
        cats = self.nlp.scores(text) if hasattr(self.nlp, "scores") else self.nlp(text).cats
        label, score = max(cats.items(), key=lambda kv: kv[1])
        return label, float(score)

    def decide(self, title: str, body: str, rule_kind: SectionKind | None) -> SectionKind | None:
        """The model's kind when it is confident (≥ ``confident``), else the rules' kind."""
        label, score = self.best(title, body)
        if score < self.confident:
            return rule_kind
        return None if label == "none" else SectionKind(label)

    def classify(self, title: str, body: str) -> SectionKind | None:
        """The model's kind for a heading, or None when it says "none" or scores under ``min_score``."""
        label, score = self.best(title, body)
        if label == "none" or score < self.min_score:
            return None
        return SectionKind(label)


@lru_cache(maxsize=2)
def load_classifier(path: str | None = None) -> SpacySectionClassifier | None:
    """The shipped classifier (its exported weight table when there is one), or None when models/ has none."""
    p = Path(path) if path else DEFAULT_MODEL
    if (p / LINEAR_FILE).exists():
        from service.nlp.section_linear import LinearTextClassifier

        return SpacySectionClassifier(LinearTextClassifier.load(p / LINEAR_FILE))
    if not (p / "meta.json").exists():
        return None
    import spacy

    return SpacySectionClassifier(spacy.load(p))


def export_linear(model_dir: Path) -> Path:
    """Write the spaCy model's bag-of-words weights (``linear.json``) for spaCy-free scoring."""
    import numpy as np
    import spacy

    from service.nlp.section_linear import LinearTextClassifier

    nlp = spacy.load(model_dir)
    textcat: Any = nlp.get_pipe("textcat")
    sparse = next(node for node in textcat.model.walk() if node.name.startswith("sparse_linear"))
    if sparse.attrs.get("v1_indexing", False):
        raise ValueError("only SparseLinear.v2 weights can be exported")
    length = sparse.get_dim("length")
    labels = list(textcat.labels)
    weights = sparse.get_param("W").reshape(len(labels), length).astype(np.float32)
    bias = sparse.get_param("b").astype(np.float32)
    ngram_size = next(node for node in textcat.model.walk() if node.name == "extract_ngrams").attrs["ngram_size"]
    out = model_dir / LINEAR_FILE
    from spacy.symbols import IDS

    # spaCy numbers these strings itself instead of hashing them (a title word "dep", "num", "det" …).
    symbols = {str(name): int(sid) for name, sid in IDS.items() if name and " " not in str(name)}
    LinearTextClassifier.save(out, labels, np.ascontiguousarray(weights.T).astype("<f4").tobytes(),
                              [float(b) for b in bias], int(ngram_size), int(length), symbols)
    return out


def read_gold(path: Path = GOLD) -> list[tuple[str, str, str, str]]:
    """(doc, title, body, kind) rows of the labeled headings."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(r["doc"], r["title"], r["body_start"].replace(" ⏎ ", "\n"), r["kind"])
            for r in rows if r["kind"]]


def _accuracy(pairs: Iterable[tuple[str, str]]) -> tuple[float, int]:
    pairs = list(pairs)
    return sum(a == b for a, b in pairs) / max(1, len(pairs)), len(pairs)


def evaluate(folds: int = 5) -> dict[str, float]:
    """Keyword rules alone vs rules with the classifier as fallback, by document folds."""
    gold = read_gold()
    docs = sorted({d for d, *_ in gold})
    rules_only: list[tuple[str, str]] = []
    combined: list[tuple[str, str]] = []
    model_only: list[tuple[str, str]] = []
    model_first: list[tuple[str, str]] = []
    for k in range(folds):
        test_docs = set(docs[k::folds])
        train_rows = [(t, b, kind) for d, t, b, kind in gold if d not in test_docs]
        clf = SpacySectionClassifier(train(train_rows))
        for d, t, b, kind in gold:
            if d not in test_docs:
                continue
            rule = classify_title(fold(t).strip())
            rule_v = rule.value if rule else "none"
            model = clf.classify(t, b)
            model_v = model.value if model else "none"
            rules_only.append((rule_v, kind))
            model_only.append((model_v, kind))
            combined.append((rule_v if rule else model_v, kind))
            decided = clf.decide(t, b, rule)
            model_first.append((decided.value if decided else "none", kind))
    r, n = _accuracy(rules_only)
    m, _ = _accuracy(model_only)
    c, _ = _accuracy(combined)
    mf, _ = _accuracy(model_first)
    unk = [(cv, g) for (rv, g), (cv, _) in zip(rules_only, combined, strict=True) if rv == "none"]
    u, nu = _accuracy(unk)
    return {"headings": n, "rules_only": r, "model_only": m, "rules_then_model": c, "model_then_rules": mf,
            "undecided_by_rules": nu, "model_on_undecided": u}


def main() -> None:
    """Command line: ``train`` the classifier, ``export`` its weight table, or ``evaluate`` it beside the rules."""
    ap = argparse.ArgumentParser(prog="python -m service.nlp.section_model")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    e = sub.add_parser("export")
    e.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    sub.add_parser("evaluate")
    a = ap.parse_args()
    if a.cmd == "train":
        nlp = train([(t_, b, k) for _, t_, b, k in read_gold()])
        a.out.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(a.out)
        print(f"saved {a.out}; exported {export_linear(a.out)}")
    elif a.cmd == "export":
        print(f"exported {export_linear(a.model)}")
    else:
        for key, val in evaluate().items():
            print(f"{key}: {val:.3f}" if isinstance(val, float) else f"{key}: {val}")


if __name__ == "__main__":
    main()
