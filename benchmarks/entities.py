"""Entity step: precision and recall per type on corpora/entities_test.jsonl beside the previous rules, and its speed
beside the bare word tokenizer on the same text.

    python benchmarks/entities.py [--errors] [--speed-chars 300000] [--no-speed] [--previous-personal FILE]

Quality: a gold span is found when a predicted span of the same type overlaps it ("overlap") or has the same start and
end ("exact"); a prediction is correct when it overlaps a gold span of its type. Rows per split: "dev" was used while
writing the rules, "heldout" (new frames, new names) was not. "previous rules" are what kcapture had before the entity
step: names after a title or kin term (persons), an organisation head plus the joined words after it, stopping at
function words (organisations), an exact province word (places, PyThaiNLP's tag_provinces); programmes had no rule.

Speed: chars/s of `find_entities` over already segmented documents, beside nlpo3 word tokenization of the same
sentences (the step's cost relative to tokenizing once more). Text: ../shared/datasets/thaigov if present, otherwise
the test sentences repeated. The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kcapture.extract.entities import KINDS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the scoring code the tests share

from entity_scoring import (  # noqa: E402
    DATA,
    entity_step,
    evaluate,
    previous_rules,
    speed,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--speed-chars", type=int, default=300_000)
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--previous-personal", metavar="FILE",
                    help="a previous personal.py to time beside the step "
                         "(git show COMMIT:kcapture/extract/personal.py > FILE)")
    args = ap.parse_args()
    rows = [json.loads(x) for x in Path(args.data).read_text("utf-8").splitlines() if x.strip()]
    report: dict = {}
    print(f"{'split':<8} {'type':<13} {'gold':>5} | {'entity step P':>13} {'R':>6} {'exact R':>7} | "
          f"{'previous P':>10} {'R':>6}")
    for split in ("dev", "heldout"):
        part = [r for r in rows if r["split"] == split]
        new = evaluate(part, entity_step, args.errors and split == "dev")
        old = evaluate(part, previous_rules)
        report[split] = {"entity_step": new, "previous_rules": old}
        for k in KINDS:
            n, o = new[k], old[k]
            print(f"{split:<8} {k:<13} {n['gold']:>5} | {n['precision']:>13.3f} {n['recall']:>6.3f} "
                  f"{n['exact_recall']:>7.3f} | {o['precision']:>10.3f} {o['recall']:>6.3f}")
    if not args.no_speed:
        report["speed"] = speed(args.speed_chars, args.previous_personal)
        sp = report["speed"]
        print(f"speed on {sp['chars']} chars of {sp['source']}: entity step {sp['entities_chars_per_s']:,} chars/s, "
              f"word tokenizer {sp['tokenizer_chars_per_s']:,} chars/s (step/tokenizer time "
              f"{sp['ratio_entities_to_tokenizer']}x); cached call {sp['cached_call_chars_per_s']:,} chars/s; "
              f"personal data on top {sp['personal_data_after_entities_chars_per_s']:,} chars/s")
        if "previous_personal_chars_per_s" in sp:
            print(f"previous personal-data detector {sp['previous_personal_chars_per_s']:,} chars/s; entity step + "
                  f"personal data take {sp['ratio_entities_and_personal_to_previous']}x its time")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
