"""Search quality on questions written blind, over an archive of independently written minutes.

usage: python -m bench.eval_questions [--set dev|heldout|fresh|fresh2|fresh3|fresh4|all|dev,fresh,…] [--json OUT] [--write BENCHMARKS.md]
                                     [--cache data/cache/e5-questions.npz] [--only hybrid,dense,sparse,bm25]

The archive is every minute of corpora/dev and the top of corpora/ (see
corpora/questions/README.md), checked and chunked by the real pipeline and indexed in
a fresh embedded index with the real e5 model. Each question of corpora/questions
runs in four modes:

- ``hybrid``: the product (query plan, dense + BM25, fusion, feedback, minute support);
- ``dense``: the dense side alone, with the query plan (restored or translated views);
- ``sparse``: BM25 alone, with the query plan (restored words, lexicon, thesaurus);
- ``bm25``: plain BM25 of the question as typed, no plan (no restoration, tables or feedback), over the
  passages' indexed words: the keyword baseline.

Metrics at the level of minutes (a minute ranks where its best passage ranks):
hit@3 (a minute graded 2 in the top 3), MRR (of the first minute graded 2, 0 beyond
rank 10), recall@10 (grade-2 minutes in the top 10 over min(10, their number)); per
kind of question and overall, with search latency p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.eval_search import Query, build
from bench.report import forget_queries, load_average, replace_section

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "corpora" / "questions"
MODES = ("hybrid", "dense", "sparse", "bm25")
QUESTION_SETS = ("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4")  # corpora/questions/<set>.jsonl


def load_questions(which: str) -> list[Query]:
    names = QUESTION_SETS if which == "all" else tuple(which.split(","))
    unknown = [n for n in names if n not in QUESTION_SETS]
    if unknown:
        raise SystemExit(f"eval_questions: no question set {unknown[0]!r}; sets: {', '.join(QUESTION_SETS)}, all "
                         "(or several, comma-separated)")
    out = []
    for name in names:
        for line in (QUESTIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                out.append(Query(q["qid"], q["query"], q["kind"], q["relevant"]))
    return out


def archive_files() -> list[Path]:
    """The minutes the questions were judged over (corpora/questions/README.md)."""
    return sorted((ROOT / "corpora" / "dev").glob("d*.txt")) + sorted((ROOT / "corpora" / "written").glob("c*.txt"))


def load_chunks() -> list[Any]:
    from service.archive.chunks import make_chunks
    from service.check import check_text

    chunks = []
    for p in archive_files():
        report = check_text(p.read_text(encoding="utf-8"), source=p.name, include_text=True)
        chunks.extend(make_chunks(p.stem, report, report.text.content or ""))
    return chunks


def scores(ranking: list[str], judged: dict[str, int]) -> tuple[float, float, float]:
    """hit@3, reciprocal rank (to 10) and recall@10 of one ranking against grade-2 judgements."""
    good = {m for m, g in judged.items() if g >= 2}
    first = next((i for i, m in enumerate(ranking[:10]) if m in good), None)
    hit3 = 1.0 if first is not None and first < 3 else 0.0
    rr = 1.0 / (first + 1) if first is not None else 0.0
    recall = len(good & set(ranking[:10])) / min(10, len(good)) if good else 0.0
    return hit3, rr, recall


def run(index: Any, questions: list[Query], modes: tuple[str, ...] = MODES, limit: int = 100) -> dict[str, Any]:
    from dataclasses import fields

    from service.search.base import SearchQuery
    from service.search.evaluation import minute_ranking

    planned = "plan" in {f.name for f in fields(SearchQuery)}  # False on code from before query plans

    result: dict[str, Any] = {}
    for mode in modes:
        per_kind: dict[str, list[tuple[float, float, float]]] = {}
        per_q: dict[str, list[str]] = {}
        lat = []
        for q in questions:
            extra: dict[str, Any] = {}
            real = mode
            if mode == "bm25":
                real = "sparse"
                if planned:
                    from service.search.query import QueryPlan

                    extra["plan"] = QueryPlan(text=q.text, language="as-typed", dense_texts=(q.text,),
                                              sparse_text=q.text)
            forget_queries(index)
            t = time.perf_counter()
            hits = index.search(SearchQuery(text=q.text, mode=real, limit=limit, **extra))  # type: ignore[arg-type]
            lat.append((time.perf_counter() - t) * 1000)
            ranking = minute_ranking(h.minute_id for h in hits)
            per_q[q.qid] = ranking[:10]
            per_kind.setdefault(q.kind, []).append(scores(ranking, q.judged))
        every = [x for v in per_kind.values() for x in v]

        def agg(xs: list[tuple[float, float, float]]) -> dict[str, float]:
            return {"hit@3": statistics.mean(x[0] for x in xs), "mrr": statistics.mean(x[1] for x in xs),
                    "recall@10": statistics.mean(x[2] for x in xs), "n": len(xs)}

        lat.sort()
        result[mode] = {**agg(every), "by_kind": {k: agg(v) for k, v in sorted(per_kind.items())},
                        "p50_ms": statistics.median(lat), "p95_ms": lat[max(0, round(0.95 * len(lat)) - 1)],
                        "rankings": per_q}
    return result


def report_md(res: dict[str, Any], *, which: str, n_minutes: int, n_chunks: int, n_questions: int) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    kinds = list(next(iter(res.values()))["by_kind"])
    head = ("| mode | hit@3 | MRR | recall@10 | " + " | ".join(f"hit@3 {k}" for k in kinds)
            + " | p50 ms | p95 ms |")
    rows = [head, "|" + "---|" * (6 + len(kinds))]
    for mode, r in res.items():
        cells = " | ".join(f"{r['by_kind'][k]['hit@3']:.2f}" for k in kinds)
        rows.append(f"| {mode} | {r['hit@3']:.3f} | {r['mrr']:.3f} | {r['recall@10']:.3f} | {cells} | "
                    f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} |")
    counts = ", ".join(f"{k} {next(iter(res.values()))['by_kind'][k]['n']}" for k in kinds)
    return "\n".join([
        f"## Search on blind questions ({which}) — {time.strftime('%Y-%m-%d')}", "",
        f"Machine: {machine}, load {load_average()}. Embedded index, e5 embedder; {n_minutes} minutes → "
        f"{n_chunks} chunks; {n_questions} questions ({counts}). `python -m bench.eval_questions --set {which}`. "
        "`bm25` is plain keyword ranking of the question as typed over the passages' indexed words.", "", *rows, ""])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="dev", help=f"{', '.join(QUESTION_SETS)}, all, or several comma-separated")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cache", type=Path, help="keep passage vectors in this .npz between runs")
    ap.add_argument("--only", help="comma-separated modes")
    ap.add_argument("--write", type=Path, help="replace this section of a BENCHMARKS.md")
    ap.add_argument("--limit", type=int, default=100, help="passages asked for per question (the service asks for "
                                                          "200 and more)")
    ap.add_argument("--param", action="append", default=[], help="search setting NAME=VALUE (e.g. "
                                                                  "expansion_weight=0.3)")
    args = ap.parse_args()
    questions = load_questions(args.set)
    chunks = load_chunks()
    extra = {k: float(v) if "." in v else int(v) for k, v in (p.split("=", 1) for p in args.param)}
    modes = tuple(args.only.split(",")) if args.only else MODES
    with tempfile.TemporaryDirectory() as tmp:
        index = build("edge", "e5", Path(tmp), cache=args.cache, **extra)
        for i in range(0, len(chunks), 256):
            index.upsert(chunks[i:i + 256])
        res = run(index, questions, modes, args.limit)
        index.close()
    md = report_md(res, which=args.set, n_minutes=len({c.minute_id for c in chunks}), n_chunks=len(chunks),
                   n_questions=len(questions))
    print(md)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write:
        replace_section(args.write, f"## Search on blind questions ({args.set}) —", md)


if __name__ == "__main__":
    main()
