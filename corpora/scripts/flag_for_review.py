"""Find the training labels most likely to be inconsistent with the rest of the corpus, for a blind second look.

    python corpora/scripts/flag_for_review.py --out corpora/review/round-1-flagged.jsonl
    python corpora/scripts/flag_for_review.py --skip corpora/review/round-1-flagged.jsonl --facet-low 0.2 \
        --facet-high 0.6 --theme-low 0.12 --theme-high 0.75 --out corpora/review/round-2-flagged.jsonl

Confident learning, in the plainest form: the shipped configuration is trained by grouped K-fold cross-validation on
the TRAINING documents only (train.jsonl + valid.jsonl; the test split and the independent set are never read), and
every training sentence is scored by the fold model that never saw its document. A label is flagged when that model
confidently disagrees with it:

* facet: the labelled facet scores below FACET_LOW while another facet scores at least FACET_HIGH;
* theme given but the model gives it less than THEME_LOW (probably a theme the sentence is not substantially about);
* theme missing but the model gives it at least THEME_HIGH (probably a theme the annotator left out).

The flags only choose WHICH sentences get looked at again. The reviewers never see the model's scores nor the old
labels: they label the flagged sentences from scratch, under corpora/ANNOTATION.md, with the sentences around them
(corpora/scripts/apply_review.py then writes their labels into corpora/raw and counts the changes). Written out: one
JSON line per flagged sentence with the reasons (for the record; never shown to a reviewer).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import numpy as np  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from kcapture.classify.data import read_jsonl  # noqa: E402
from kcapture.classify.features import word_tokens  # noqa: E402
from kcapture.classify.model import ThemeClassifier  # noqa: E402

FACET_LOW, FACET_HIGH = 0.10, 0.70
THEME_LOW, THEME_HIGH = 0.08, 0.85


def out_of_fold_scores(rows: list[dict], folds: int) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    tokens = [word_tokens(r["text"]) for r in rows]
    groups = [r["doc"] for r in rows]
    themes = facets = None
    theme_labels: list[str] = []
    facet_labels: list[str] = []
    for k, (tr, te) in enumerate(GroupKFold(folds).split(rows, groups=groups)):
        model = ThemeClassifier()
        model.fit([rows[i]["text"] for i in tr], {"themes": [rows[i]["themes"] for i in tr],
                                                  "facet": [rows[i]["facet"] for i in tr]},
                  tokens=[tokens[i] for i in tr], groups=[groups[i] for i in tr])
        scores = model.predict_scores([rows[i]["text"] for i in te], [tokens[i] for i in te],
                                      [groups[i] for i in te])
        if themes is None:
            theme_labels, facet_labels = model.head("themes").labels, model.head("facet").labels
            themes = np.zeros((len(rows), len(theme_labels)))
            facets = np.zeros((len(rows), len(facet_labels)))
        themes[te], facets[te] = scores["themes"], scores["facet"]
        print(f"fold {k + 1}/{folds} done", file=sys.stderr, flush=True)
    return themes, theme_labels, facets, facet_labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--corpora", type=Path, default=ROOT / "corpora")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--skip", type=Path, nargs="*", default=[],
                    help="flag files of earlier rounds: sentences reviewed already, not flagged again")
    ap.add_argument("--facet-low", type=float, default=FACET_LOW)
    ap.add_argument("--facet-high", type=float, default=FACET_HIGH)
    ap.add_argument("--theme-low", type=float, default=THEME_LOW)
    ap.add_argument("--theme-high", type=float, default=THEME_HIGH)
    args = ap.parse_args()
    skip = {json.loads(line)["id"] for path in args.skip for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()}
    rows = read_jsonl(args.corpora / "train.jsonl") + read_jsonl(args.corpora / "valid.jsonl")
    themes, tl, facets, fl = out_of_fold_scores(rows, args.folds)
    n_flag = 0
    with args.out.open("w", encoding="utf-8") as f:
        for r, ts, fs in zip(rows, themes, facets, strict=True):
            if r["id"] in skip:
                continue
            reasons = []
            given = fl.index(r["facet"])
            top = int(fs.argmax())
            if fs[given] < args.facet_low and fs[top] >= args.facet_high:
                reasons.append(f"facet {r['facet']}->{fl[top]}")
            for j, t in enumerate(tl):
                if t in r["themes"] and ts[j] < args.theme_low:
                    reasons.append(f"-{t}")
                elif t not in r["themes"] and ts[j] >= args.theme_high:
                    reasons.append(f"+{t}")
            if reasons:
                n_flag += 1
                f.write(json.dumps({"id": r["id"], "doc": r["doc"], "reasons": reasons}, ensure_ascii=False) + "\n")
    print(f"{n_flag} of {len(rows)} training sentences flagged for a blind second look", file=sys.stderr)


if __name__ == "__main__":
    main()
