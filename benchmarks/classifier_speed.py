"""Load time and prediction speed of the shipped classifier, from raw text and from the pipeline's tokens.

    python benchmarks/classifier_speed.py [--repeat 3] [--copies 5]

Sentences: the test split (corpora/test.jsonl) repeated --copies times. Best of --repeat runs, wall clock, one process.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from kcapture.classify import DEFAULT_MODEL, load_model

    model = load_model(DEFAULT_MODEL)
    load_s = time.perf_counter() - t0
    from kcapture.classify.data import read_jsonl
    from kcapture.thai.tokenize import default_tokenizer

    texts = [r["text"] for r in read_jsonl(ROOT / "corpora" / "test.jsonl")] * args.copies
    tokens = default_tokenizer().words_batch(texts)
    model.predict(texts[:50])

    def best(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return len(texts) / min(times)

    raw = best(lambda: model.predict(texts))
    pre = best(lambda: model.predict(texts, tokens=tokens))
    print(f"model load (import + files): {load_s:.2f} s")
    print(f"{len(texts):,} sentences; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'path':<44}{'sentences/s':>12}")
    print(f"{'raw text (tokenize + predict)':<44}{raw:>12,.0f}")
    print(f"{'pipeline tokens reused (tag_document path)':<44}{pre:>12,.0f}")
    print(f"target > 10,000 sentences/s: {'met' if pre >= 10_000 else 'not met'} on the pipeline path")


if __name__ == "__main__":
    main()
