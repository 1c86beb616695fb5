"""Learning curve: the shipped engine trained on 25%, 50% and 100% of the training documents, scored on the test
split, the plain scikit-learn baseline beside it at each size (the same run).

    python benchmarks/learning_curve.py [--fractions 0.25,0.5,1] [--seed 0]

Documents (not sentences) are sampled, with a fixed seed; each smaller sample is contained in the larger one.
Training documents = corpora/train.jsonl + corpora/valid.jsonl, as for the shipped model.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from compare_engines import CONFIGS, scores_of, theme_labels  # noqa: E402

from kcapture.classify.data import read_jsonl  # noqa: E402
from kcapture.classify.features import word_tokens  # noqa: E402

CORPORA = ROOT / "corpora"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fractions", default="0.25,0.5,1")
    ap.add_argument("--engine", default="kcapture-default", choices=[c for c in CONFIGS if c != "baseline"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    train = read_jsonl(CORPORA / "train.jsonl") + read_jsonl(CORPORA / "valid.jsonl")
    test = read_jsonl(CORPORA / "test.jsonl")
    test_tokens = [word_tokens(r["text"]) for r in test]
    docs = sorted({r["doc"] for r in train})
    random.Random(args.seed).shuffle(docs)
    labels = theme_labels(train)
    print(f"test split: {len(test)} sentences; training pool: {len(train)} sentences in {len(docs)} documents")
    print(f"{'documents':>10}{'sentences':>11}  {'engine':<18}{'theme macro-F1':>16}{'facet macro-F1':>16}{'s':>6}")
    for frac in (float(f) for f in args.fractions.split(",")):
        keep = set(docs[: max(1, round(len(docs) * frac))])
        rows = [r for r in train if r["doc"] in keep]
        tokens = [word_tokens(r["text"]) for r in rows]
        for name in ("baseline", args.engine):
            t0 = time.perf_counter()
            model = CONFIGS[name]().fit(rows, tokens)
            themes, facets = model.predict(test, test_tokens)
            s = scores_of(test, themes, facets, labels)
            print(f"{len(keep):>10}{len(rows):>11}  {name:<18}{s['theme_macro_f1']:>16.3f}{s['facet_macro_f1']:>16.3f}"
                  f"{time.perf_counter() - t0:>6.0f}", flush=True)


if __name__ == "__main__":
    main()
