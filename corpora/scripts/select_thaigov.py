"""Choose thaigov news items worth annotating under the kcapture codebook.

Scores every item of ../shared/datasets/thaigov by how many topic words of the civil-society themes it holds
(communities, volunteers, health, networks, enterprises, donations, campaigns), keeps the best-scoring items whose
paragraphs are of a readable length, and writes them in disjoint batches for annotators:

    python corpora/scripts/select_thaigov.py --batches 3 --per-batch 260 --out /tmp/thaigov-batches

Each output line: `id`, `title`, `date_path`, `source`, `paragraphs` (the item's body split at line breaks).
The selection is deterministic (ties broken by the item id), so anyone can rerun it.
"""

from __future__ import annotations

import argparse
import json
import lzma
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "thaigov" / "thaigov-6000.jsonl.xz"

TOPIC_WORDS = (
    "อาสาสมัคร", "จิตอาสา", "อสม.", "ชุมชน", "เครือข่าย", "ภาคี", "วิสาหกิจ", "สหกรณ์", "บริจาค", "มูลนิธิ",
    "รณรงค์", "ผู้สูงอายุ", "ผู้ป่วย", "ติดเตียง", "คนพิการ", "ผู้พิการ", "เด็ก", "เยาวชน", "กลุ่มเปราะบาง",
    "การมีส่วนร่วม", "ประชาสังคม", "ระดมทุน", "กองทุน", "ออมทรัพย์", "รายได้", "อาชีพ", "ฝึกอบรม", "หลักสูตร",
    "ถอดบทเรียน", "นวัตกรรม", "สุขภาพ", "ความเหลื่อมล้ำ", "ท้องถิ่น", "ภาคประชาชน", "ภาคเอกชน", "ความร่วมมือ",
    "คนไร้บ้าน", "แรงงานข้ามชาติ", "ยาเสพติด", "สิ่งแวดล้อม", "ขยะ", "ป่าชุมชน", "ประชาสัมพันธ์", "สื่อสาร",
)
OFF_TOPIC = ("กองทัพ", "ตลาดหลักทรัพย์", "อัตราแลกเปลี่ยน", "รัฐมนตรีว่าการกระทรวงการต่างประเทศ", "ทวิภาคี")


def score(item: dict) -> int:
    text = item["title"] + "\n" + item["text"]
    hits = sum(min(text.count(w), 3) for w in TOPIC_WORDS)
    distinct = sum(1 for w in TOPIC_WORDS if w in text)
    return hits + 2 * distinct - 5 * sum(1 for w in OFF_TOPIC if w in text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=SHARED)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--per-batch", type=int, default=260)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    with lzma.open(args.source, "rt", encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    keep = [it for it in items if 400 <= len(it["text"]) <= 6000]
    keep.sort(key=lambda it: (-score(it), it["id"]))
    chosen = keep[: args.batches * args.per_batch]
    args.out.mkdir(parents=True, exist_ok=True)
    for b in range(args.batches):
        part = chosen[b :: args.batches]  # interleaved, so every batch gets a share of the best items
        with open(args.out / f"batch-{b + 1}.jsonl", "w", encoding="utf-8") as fh:
            for it in part:
                paragraphs = [p.strip() for p in it["text"].split("\n") if p.strip()]
                fh.write(json.dumps({"id": it["id"], "title": it["title"], "date_path": it["date_path"],
                                     "source": it["source"], "paragraphs": paragraphs}, ensure_ascii=False) + "\n")
        print(f"batch-{b + 1}: {len(part)} items")


if __name__ == "__main__":
    main()
