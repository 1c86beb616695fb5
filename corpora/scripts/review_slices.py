"""Cut the flagged sentences (flag_for_review.py) into blind review slices: each sentence with its document's title
and genre and the sentences around it, never its labels nor the model's scores.

    python corpora/scripts/review_slices.py FLAGGED.jsonl OUT_DIR [--slices 8] [--before 4] [--after 2]

Writes OUT_DIR/slice-NN.jsonl; whole documents stay in one slice, in corpus order, so a reviewer reads a document's
flagged sentences together.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "raw"
sys.path.insert(0, str(RAW.parents[1]))

from kcapture.corpus import read_documents  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("flagged", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--slices", type=int, default=8)
    ap.add_argument("--before", type=int, default=4)
    ap.add_argument("--after", type=int, default=2)
    ap.add_argument("--raw", type=Path, default=RAW)
    args = ap.parse_args()
    docs = {d["doc_id"]: d for d in read_documents(args.raw)}
    by_doc: dict[str, list[int]] = {}
    for line in args.flagged.read_text(encoding="utf-8").splitlines():
        f = json.loads(line)
        by_doc.setdefault(f["doc"], []).append(int(f["id"].rsplit("-", 1)[1]))
    items_per_doc = []
    for doc_id, indexes in by_doc.items():
        d = docs[doc_id]
        texts = [s["text"] for s in d["sentences"]]
        items = [{"id": f"{doc_id}-{i:03d}", "title": d.get("title", ""), "genre": d.get("genre", ""),
                  "before": texts[max(0, i - args.before):i], "sentence": texts[i],
                  "after": texts[i + 1:i + 1 + args.after]} for i in sorted(indexes)]
        items_per_doc.append(items)
    total = sum(map(len, items_per_doc))
    args.out.mkdir(parents=True, exist_ok=True)
    target = total / args.slices
    k, count, out = 0, 0, None
    for items in items_per_doc:
        if out is None or (count >= target * (k + 1) and k + 1 < args.slices):
            if out:
                out.close()
            k = k + 1 if out else 0
            out = (args.out / f"slice-{k + 1:02d}.jsonl").open("w", encoding="utf-8")
        for it in items:
            out.write(json.dumps(it, ensure_ascii=False) + "\n")
        count += len(items)
    if out:
        out.close()
    print(f"{total} sentences of {len(items_per_doc)} documents in {k + 1} slices")


if __name__ == "__main__":
    main()
