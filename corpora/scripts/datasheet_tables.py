"""The tables of corpora/README.md (the datasheet), printed from the corpus files themselves:

    python corpora/scripts/datasheet_tables.py

counts per split, source and genre (from corpora/raw and the split files), labels per theme and facet, the
re-annotation changes (corpora/relabel_report.json), the blind reviews' changes (corpora/review/) and the
agreement of two annotators (corpora/agreement.json).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kcapture.corpus import read_documents, sentence_rows, split_documents  # noqa: E402

CORPORA = ROOT / "corpora"


def source_of(doc: dict) -> str:
    return "real (thaigov news)" if doc.get("thaigov_id") else "written for the project"


def print_changes(report: dict) -> None:
    """The per-label change tables of a relabelling report (apply_labels.py, apply_review.py)."""
    print("| theme | kept | added | removed |\n|---|---:|---:|---:|")
    for t, c in report["themes"].items():
        print(f"| `{t}` | {c['kept']} | {c['added']} | {c['removed']} |")
    print("\n| facet | kept | moved in | moved out |\n|---|---:|---:|---:|")
    for f, c in report["facets"].items():
        print(f"| `{f}` | {c['kept']} | {c['in']} | {c['out']} |")


def main() -> None:
    docs = read_documents(CORPORA / "raw")
    parts = split_documents(docs)
    print("| split | documents | sentences | real sentences (thaigov) | no-theme share | themes per content sentence |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, part in [*parts.items(), ("all", docs)]:
        rows = [r for d in part for r in sentence_rows(d)]
        real = sum(len(d["sentences"]) for d in part if d.get("thaigov_id"))
        content = [r for r in rows if r["themes"]]
        print(f"| {name} | {len(part):,} | {len(rows):,} | {real:,} | {1 - len(content) / len(rows):.1%} | "
              f"{sum(len(r['themes']) for r in content) / len(content):.2f} |")
    print()
    genres = Counter()
    sents = Counter()
    for d in docs:
        genres[(d.get("genre"), source_of(d))] += 1
        sents[(d.get("genre"), source_of(d))] += len(d["sentences"])
    print("| genre | source | documents | sentences |\n|---|---|---:|---:|")
    for (g, src), n in sorted(genres.items(), key=lambda kv: -sents[kv[0]]):
        print(f"| {g} | {src} | {n} | {sents[(g, src)]:,} |")
    print()
    rows = [r for d in docs for r in sentence_rows(d)]
    themes = Counter(t for r in rows for t in r["themes"])
    facets = Counter(r["facet"] for r in rows)
    print("| theme | sentences |\n|---|---:|")
    for t, n in themes.most_common():
        print(f"| `{t}` | {n:,} |")
    print("\n| facet | sentences |\n|---|---:|")
    for f, n in facets.most_common():
        print(f"| `{f}` | {n:,} |")
    rel = json.loads((CORPORA / "relabel_report.json").read_text(encoding="utf-8"))
    print(f"\nRe-annotation of the {rel['sentences']:,} sentences of the first corpus ({rel['documents']} documents): "
          f"same theme set {rel['same_theme_set']:.1%}, same facet {rel['same_facet']:.1%}.\n")
    print_changes(rel)
    for review in sorted((CORPORA / "review").glob("round-*-report.json")):
        rev = json.loads(review.read_text(encoding="utf-8"))
        round_no = review.stem.split("-")[1]
        print(f"\nBlind review, round {round_no}: {rev['sentences']:,} training sentences "
              f"({rev['documents']} documents) whose labels a cross-validated model confidently disputed: "
              f"same theme set {rev['same_theme_set']:.1%}, "
              f"same facet {rev['same_facet']:.1%}.\n")
        print_changes(rev)
    ag = json.loads((CORPORA / "agreement.json").read_text(encoding="utf-8"))
    print(f"\nTwo annotators, {ag['sentences']} sentences labelled independently "
          f"(`kcapture agreement corpora/double/first_annotator.jsonl corpora/double/second_annotator.jsonl`): "
          f"themes macro-F1 {ag['theme_macro_f1']:.3f}, mean kappa {ag['theme_mean_kappa']:.3f}; facet agreement "
          f"{ag['facet']['percent']:.1%}, kappa {ag['facet']['kappa']:.3f}, macro-F1 {ag['facet']['f1']:.3f}.\n")
    print("| label | agreement | Cohen's kappa | F1 |\n|---|---:|---:|---:|")
    for t in [*ag["themes"], *ag["facet_labels"]]:
        print(f"| `{t['label']}` | {t['percent']:.1%} | {t['kappa']:.3f} | {t['f1']:.3f} |")


if __name__ == "__main__":
    main()
