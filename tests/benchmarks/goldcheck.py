"""In-sample check of the codebook against the hand-coded seed sentences.

Builds a ``sentences`` table from the gold units (doc_id = file stem, sent_id = unit,
start/end, text = sentence), codes it, and prints F1 per stance and per category and the
actor accuracy. A sentence is positive for a stance when it has at least one non-negated
code of that stance (the manual's rule). Actor accuracy: among gold codes whose
(sentence, category) the engine also coded, the share where one of those engine codes has
the gold actor. The official evaluation is analysis.validation; this is a quick loop for
editing the codebook.

Run: ``python -m tests.benchmarks.goldcheck [--show]``.
"""

from __future__ import annotations

import argparse
import json
import re

import polars as pl

from analysis.config import GOLD_PATH
from analysis.indicators import code_sentences

_HEADING = re.compile(r"^(?:#|\*\*.*\*\*$)")
_TERMINAL = re.compile(r"[.!?…][”\"')\]*]*$")


def _is_heading(text: str) -> bool:
    """Markdown headings, bold run-in headings, and short lines with no final stop."""
    t = text.strip()
    return bool(_HEADING.search(t)) or (not _TERMINAL.search(t) and len(t.split()) <= 12)


def gold_frames(path=GOLD_PATH) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(sentences, gold codes) from the gold CSV."""
    g = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("doc").str.replace(r"\.txt$", "").alias("doc_id"),
        pl.col("unit").cast(pl.Int64),
        pl.col("start").cast(pl.Int64),
        pl.col("end").cast(pl.Int64),
    )
    sents = (
        g.unique(["doc_id", "unit"], keep="first")
        .select(
            "doc_id",
            pl.col("unit").alias("sent_id"),
            "start",
            "end",
            pl.col("sentence").alias("text"),
        )
        .with_columns(
            pl.col("text").map_elements(_is_heading, return_dtype=pl.Boolean).alias("is_heading")
        )
        .sort("doc_id", "sent_id")
    )
    codes = g.filter(pl.col("stance").is_not_null()).select(
        "doc_id", pl.col("unit").alias("sent_id"), "stance", "category", "actor", "status"
    )
    return sents, codes


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
    }


def evaluate(pred: pl.DataFrame, gold: pl.DataFrame, sents: pl.DataFrame) -> dict:
    keys = sents.select("doc_id", "sent_id")
    out: dict = {"stance": {}, "category": {}}
    for level in ("stance", "category"):
        values = sorted(set(gold[level].to_list()) | set(pred[level].to_list()))
        for v in values:
            gp = set(
                gold.filter((pl.col(level) == v) & (pl.col("status") != "negated"))
                .select("doc_id", "sent_id")
                .rows()
            )
            pp = set(
                pred.filter((pl.col(level) == v) & (pl.col("status") != "negated"))
                .select("doc_id", "sent_id")
                .rows()
            )
            allk = set(keys.rows())
            gp &= allk
            out[level][v] = _prf(len(gp & pp), len(pp - gp), len(gp - pp))
    matched = correct = 0
    pset = {}
    for r in pred.select("doc_id", "sent_id", "category", "actor").rows():
        pset.setdefault(r[:3], set()).add(r[3])
    for r in gold.select("doc_id", "sent_id", "category", "actor").rows():
        if r[:3] in pset:
            matched += 1
            correct += r[3] in pset[r[:3]]
    out["actor_accuracy"] = round(correct / matched, 3) if matched else None
    out["actor_matched"] = matched
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every disagreement")
    args = ap.parse_args()
    sents, gold = gold_frames()
    pred = code_sentences(sents)
    res = evaluate(pred, gold, sents)
    print(json.dumps(res, indent=1))
    if args.show:
        for (doc, sid), grp in sents.group_by(["doc_id", "sent_id"], maintain_order=True):
            g = gold.filter((pl.col("doc_id") == doc) & (pl.col("sent_id") == sid))
            p = pred.filter((pl.col("doc_id") == doc) & (pl.col("sent_id") == sid))
            gs = sorted(g.select("category", "actor", "status").rows())
            ps = sorted(p.select("category", "actor", "status").rows())
            if gs != ps:
                print(f"\n## {doc[:3]} u{sid}: {grp['text'][0]}")
                print("   gold:", gs)
                print("   pred:", ps, p.select("matched").to_series().to_list())


if __name__ == "__main__":
    main()
