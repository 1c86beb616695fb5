"""Recall and precision of personal-data detection on the labeled test set corpora/personal_data_test.jsonl.

    python benchmarks/redaction.py [--data corpora/personal_data_test.jsonl] [--errors]

Two ways of counting, per kind:
- covered (what redaction needs): a gold span is found if predicted spans of the same kind cover all its characters;
  a predicted span is correct if it overlaps a gold span of the same kind and adds at most 3 characters outside it.
- exact: start, end and kind all equal.
Places and organisations wrongly removed: lines may list `keep` spans (places, organisations, programmes that
must stay); any predicted span overlapping one counts as a wrong removal. The same count is made on the place,
organisation and programme spans of corpora/entities_test.jsonl (278 more sentences).
The last line is one JSON object with both, so CI can read it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the scoring code the tests share

from redaction_scoring import (  # noqa: E402
    ROOT,
    evaluate,
    wrongly_removed,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "corpora" / "personal_data_test.jsonl"))
    ap.add_argument("--errors", action="store_true", help="print every missed and extra span")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(rows, args.errors)
    # "dev" lines were used while writing the rules; "heldout" lines were written afterwards and first scored as they
    # stand (see corpora/personal_data_test.md), so their figures are the less optimistic ones.
    splits = sorted({r.get("split", "all") for r in rows})
    per_split = {sp: evaluate([r for r in rows if r.get("split", "all") == sp])["all"] for sp in splits}
    print(f"{len(rows)} lines, {report['all']['gold']} labeled spans")
    print(f"{'kind':<12} {'gold':>5} {'pred':>5} {'recall':>7} {'precision':>9} {'exact R':>8} {'exact P':>8}")
    for k, r in report.items():
        print(f"{k:<12} {r['gold']:>5} {r['predicted']:>5} {r['recall']:>7.3f} {r['precision']:>9.3f} "
              f"{r['exact_recall']:>8.3f} {r['exact_precision']:>8.3f}")
    for sp, r in per_split.items():
        print(f"{'all/' + sp:<12} {r['gold']:>5} {r['predicted']:>5} {r['recall']:>7.3f} {r['precision']:>9.3f} "
              f"{r['exact_recall']:>8.3f} {r['exact_precision']:>8.3f}")
    removed = wrongly_removed(rows, args.errors)
    ent_rows = [json.loads(x) for x in (ROOT / "corpora" / "entities_test.jsonl").read_text("utf-8").splitlines()]
    removed_ent = wrongly_removed(ent_rows, args.errors)
    print(f"places/organisations/programmes wrongly removed: {removed['wrongly_removed']} of {removed['kept_spans']} "
          f"listed here; {removed_ent['wrongly_removed']} of {removed_ent['kept_spans']} in entities_test.jsonl")
    print(json.dumps({**report, "splits": per_split, "wrongly_removed": removed,
                      "wrongly_removed_entities_test": removed_ent}, ensure_ascii=False))


if __name__ == "__main__":
    main()
