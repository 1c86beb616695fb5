"""Apply a re-annotation pass to corpus documents, and count what changed, per label.

    python corpora/scripts/apply_labels.py LABELS_DIR [--raw corpora/raw] [--report corpora/relabel_report.json]

LABELS_DIR holds labels-<part>.jsonl files, one line per document of corpora/raw/<part>.jsonl, in the same order:
{"doc_id": ..., "labels": [[themes, facet], ...]} (one pair per sentence). The texts and breaks are never changed.
Prints (and writes to --report) per theme: kept, added, removed; per facet: kept, moved in, moved out.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def count_change(theme: dict[str, Counter], facet: dict[str, Counter], old_themes: list[str], old_facet: str,
                 new_themes: list[str], new_facet: str) -> tuple[bool, bool]:
    """Counts one sentence's relabelling per label (theme: kept/added/removed; facet: kept/in/out); returns whether
    its theme set and its facet stayed the same."""
    old, new = set(old_themes), set(new_themes)
    for t in old & new:
        theme["kept"][t] += 1
    for t in new - old:
        theme["added"][t] += 1
    for t in old - new:
        theme["removed"][t] += 1
    if old_facet == new_facet:
        facet["kept"][new_facet] += 1
    else:
        facet["in"][new_facet] += 1
        facet["out"][old_facet] += 1
    return old == new, old_facet == new_facet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", type=Path)
    ap.add_argument("--raw", type=Path, default=Path(__file__).resolve().parents[1] / "raw")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    theme = {"kept": Counter(), "added": Counter(), "removed": Counter()}
    facet = {"kept": Counter(), "in": Counter(), "out": Counter()}
    n_sent = n_docs = same_set = same_facet = 0
    for lab_path in sorted(args.labels.glob("labels-*.jsonl")):
        raw_path = args.raw / (lab_path.name.removeprefix("labels-"))
        docs = [json.loads(x) for x in raw_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        labels = [json.loads(x) for x in lab_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        if [d["doc_id"] for d in docs] != [lab["doc_id"] for lab in labels]:
            raise SystemExit(f"{lab_path}: documents differ from {raw_path}")
        for doc, lab in zip(docs, labels, strict=True):
            if len(doc["sentences"]) != len(lab["labels"]):
                raise SystemExit(f"{doc['doc_id']}: {len(lab['labels'])} labels for {len(doc['sentences'])} sentences")
            n_docs += 1
            for s, (themes, fac) in zip(doc["sentences"], lab["labels"], strict=True):
                kept_set, kept_facet = count_change(theme, facet, s["themes"], s["facet"], themes, fac)
                same_set += kept_set
                same_facet += kept_facet
                n_sent += 1
                s["themes"], s["facet"] = list(themes), fac
        raw_path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    report = {
        "documents": n_docs, "sentences": n_sent,
        "same_theme_set": round(same_set / max(n_sent, 1), 3), "same_facet": round(same_facet / max(n_sent, 1), 3),
        "themes": {t: {k: theme[k][t] for k in theme} for t in sorted(set().union(*theme.values()))},
        "facets": {f: {k: facet[k][f] for k in facet} for f in sorted(set().union(*facet.values()))},
    }
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
