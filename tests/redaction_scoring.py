"""Shared by tests/ and benchmarks/redaction.py (which prints the figures): Recall and precision of personal-data
detection on the labeled test set corpora/personal_data_test.jsonl."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kcapture.extract.personal import KINDS, find_personal_data  # noqa: E402


def evaluate(rows: list[dict], show_errors: bool = False) -> dict:
    stats = {k: defaultdict(int) for k in (*KINDS, "all")}
    for row in rows:
        text = row["text"]
        gold = [(s["start"], s["end"], s["kind"]) for s in row["spans"]]
        pred = [(p.start, p.end, p.kind) for p in find_personal_data(text)]
        for g in gold:
            covered = _covered(g, [p for p in pred if p[2] == g[2]])
            exact = g in pred
            for k in (g[2], "all"):
                stats[k]["gold"] += 1
                stats[k]["gold_covered"] += covered
                stats[k]["exact"] += exact
            if show_errors and not exact:
                print(f"MISS  [{g[2]}] {text[g[0]:g[1]]!r}  in: {text}")
        for p in pred:
            ok = any(g[2] == p[2] and g[0] < p[1] and p[0] < g[1] and (p[1] - p[0]) - _overlap(g, p) <= 3
                     for g in gold)
            for k in (p[2], "all"):
                stats[k]["pred"] += 1
                stats[k]["pred_ok"] += ok
            if show_errors and (p not in gold):
                print(f"EXTRA [{p[2]}] {text[p[0]:p[1]]!r}  in: {text}")
    report = {}
    for k, s in stats.items():
        report[k] = {
            "gold": s["gold"],
            "predicted": s["pred"],
            "recall": _ratio(s["gold_covered"], s["gold"]),
            "precision": _ratio(s["pred_ok"], s["pred"]),
            "exact_recall": _ratio(s["exact"], s["gold"]),
            "exact_precision": _ratio(s["exact"], s["pred"]),
        }
    return report


def wrongly_removed(rows: list[dict], show: bool = False) -> dict:
    """Keep spans (places, organisations, programmes) that a predicted personal-data span overlaps."""
    total = removed = 0
    for row in rows:
        keep = row.get("keep")
        if keep is None:
            keep = [s for s in row["spans"] if s["kind"] in ("place", "organization", "programme")]
        if not keep:
            continue
        pred = find_personal_data(row["text"])
        for k in keep:
            total += 1
            hit = any(p.start < k["end"] and k["start"] < p.end for p in pred)
            removed += hit
            if show and hit:
                print(f"REMOVED {k['text']!r} in: {row['text']}")
    return {"kept_spans": total, "wrongly_removed": removed}


def _covered(g: tuple[int, int, str], preds: list[tuple[int, int, str]]) -> bool:
    chars = set(range(g[0], g[1]))
    for p in preds:
        chars -= set(range(p[0], p[1]))
    return not chars


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0
