"""Write the labels of a blind review (review_slices.py -> reviewers -> labels) into corpora/raw, and count what
changed, per label.

    python corpora/scripts/apply_review.py LABELS_DIR [--report corpora/review/round-N-report.json] [--dry-run]

LABELS_DIR holds labels-NN.jsonl files, one line per reviewed sentence: {"id": "<doc_id>-NNN", "themes": [...],
"facet": "..."}. Every theme and facet must be in corpora/codebook.toml and every id must name a sentence of a
document that is NOT in the test split (the test split and the independent set are never relabelled through a
model-chosen review: that would bias their scores). The texts and breaks are never changed. Prints (and writes to
--report) per theme: kept, added, removed; per facet: kept, moved in, moved out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CORPORA.parent))

sys.path.insert(0, str(CORPORA / "scripts"))

from apply_labels import count_change  # noqa: E402

from kcapture.codebook import load_codebook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", type=Path)
    ap.add_argument("--raw", type=Path, default=CORPORA / "raw")
    ap.add_argument("--report", type=Path)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    codebook = load_codebook(CORPORA / "codebook.toml")
    themes_ok = {t.id for t in codebook.themes}
    facets_ok = {f.id for f in codebook.facets}
    test_docs = {json.loads(line)["doc"] for line in (CORPORA / "test.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()}
    review: dict[str, tuple[list[str], str]] = {}
    for path in sorted(args.labels.glob("labels-*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            bad = [t for t in r["themes"] if t not in themes_ok] + ([r["facet"]] if r["facet"] not in facets_ok else [])
            if bad:
                raise SystemExit(f"{path}:{n}: not in the codebook: {bad}")
            review[r["id"]] = (sorted(set(r["themes"])), r["facet"])
    theme = {"kept": Counter(), "added": Counter(), "removed": Counter()}
    facet = {"kept": Counter(), "in": Counter(), "out": Counter()}
    same_set = same_facet = 0
    seen = set()
    for raw_path in sorted(args.raw.glob("*.jsonl")):
        docs = [json.loads(x) for x in raw_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        touched = False
        for doc in docs:
            for i, s in enumerate(doc["sentences"]):
                sid = f"{doc['doc_id']}-{i:03d}"
                if sid not in review:
                    continue
                if doc["doc_id"] in test_docs:
                    raise SystemExit(f"{sid}: a test-split sentence; the review only relabels training documents")
                seen.add(sid)
                new_themes, new_facet = review[sid]
                kept_set, kept_facet = count_change(theme, facet, s["themes"], s["facet"], new_themes, new_facet)
                same_set += kept_set
                same_facet += kept_facet
                if s["themes"] != new_themes or s["facet"] != new_facet:
                    s["themes"], s["facet"] = new_themes, new_facet
                    touched = True
        if touched and not args.dry_run:
            raw_path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    missing = sorted(set(review) - seen)
    if missing:
        raise SystemExit(f"{len(missing)} reviewed ids name no sentence, e.g. {missing[:3]}")
    n = len(review)
    report = {"sentences": n, "documents": len({sid.rsplit("-", 1)[0] for sid in review}),
              "same_theme_set": round(same_set / max(n, 1), 4), "same_facet": round(same_facet / max(n, 1), 4),
              "themes": {t: {k: theme[k][t] for k in theme} for t in sorted(themes_ok)},
              "facets": {f: {k: facet[k][f] for k in facet} for f in sorted(facets_ok)}}
    print(f"{n} sentences reviewed: same theme set {same_set / max(n, 1):.1%}, same facet {same_facet / max(n, 1):.1%}")
    print(f"{'theme':<26}{'kept':>6}{'added':>7}{'removed':>9}")
    for t, c in report["themes"].items():
        print(f"{t:<26}{c['kept']:>6}{c['added']:>7}{c['removed']:>9}")
    print(f"{'facet':<26}{'kept':>6}{'in':>7}{'out':>9}")
    for f, c in report["facets"].items():
        print(f"{f:<26}{c['kept']:>6}{c['in']:>7}{c['out']:>9}")
    if args.report and not args.dry_run:
        args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
