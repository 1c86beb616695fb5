"""Choose the tagging engine by evidence: grouped cross-validation on the training documents, the plain scikit-learn
baseline always in the same run.

    python benchmarks/compare_engines.py [--folds 4] [--configs default,grouped...] [--final]

1. Model selection: every configuration is trained and scored by K-fold cross-validation grouped by document over the
   training documents only (corpora/train.jsonl + corpora/valid.jsonl): the test split and the independent set are
   never seen here. Scores: theme macro-F1 and facet macro-F1 (sklearn.metrics), mean over folds.
2. With --final: the baseline and the configuration with the best mean of the two CV scores are refit on all the
   training documents and scored once on the test split and on the independent set (corpora/independent), beside
   the human agreement of corpora/agreement.json when it exists.

The plain baseline is what a careful engineer writes in ten lines of scikit-learn: TfidfVectorizer over kcapture's
words (uni+bigrams) and over character 2-4-grams, one LogisticRegression per theme with a threshold per theme chosen
by grouped cross-validation on its training rows, and a multinomial LogisticRegression for the facet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from kcapture.classify.data import read_jsonl  # noqa: E402
from kcapture.classify.features import word_tokens  # noqa: E402
from kcapture.classify.model import FeatureSettings, HeadSettings, ThemeClassifier, best_threshold  # noqa: E402

CORPORA = ROOT / "corpora"


def theme_labels(rows: list[dict]) -> list[str]:
    return sorted({t for r in rows for t in r["themes"]})


def scores_of(gold_rows: list[dict], themes: list[list[str]], facets: list[str], labels: list[str]) -> dict:
    Yg = np.array([[t in r["themes"] for t in labels] for r in gold_rows], dtype=int)
    Yp = np.array([[t in p for t in labels] for p in themes], dtype=int)
    fl = sorted({r["facet"] for r in gold_rows})
    return {
        "theme_macro_f1": round(float(f1_score(Yg, Yp, average="macro", zero_division=0)), 4),
        "theme_micro_f1": round(float(f1_score(Yg, Yp, average="micro", zero_division=0)), 4),
        "facet_macro_f1": round(float(f1_score([r["facet"] for r in gold_rows], facets, labels=fl, average="macro",
                                               zero_division=0)), 4),
        "themes_per_sentence": round(float(Yp.sum() / max(len(themes), 1)), 3),
    }


def word_bigrams(tokens: list[str]) -> list[str]:
    return tokens + [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]


# -- the plain scikit-learn baseline -----------------------------------------------------------------------------
class PlainBaseline:
    """TF-IDF (words + char 2-4-grams) + LogisticRegression, thresholds by grouped CV. scikit-learn only."""

    def __init__(self, C: float = 4.0):
        self.C = C

    def _vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return (TfidfVectorizer(analyzer=word_bigrams, min_df=2, sublinear_tf=True),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=3, sublinear_tf=True,
                                max_features=150_000))

    def _X(self, tokens: list[list[str]], texts: list[str], fit: bool):
        import scipy.sparse as sp

        if fit:
            self.words, self.chars = self._vectorizers()
            return sp.hstack([self.words.fit_transform(tokens), self.chars.fit_transform(texts)], format="csr")
        return sp.hstack([self.words.transform(tokens), self.chars.transform(texts)], format="csr")

    def fit(self, rows: list[dict], tokens: list[list[str]]) -> PlainBaseline:
        from sklearn.linear_model import LogisticRegression

        self.labels = theme_labels(rows)
        texts = [r["text"] for r in rows]
        X = self._X(tokens, texts, fit=True)
        Y = np.array([[t in r["themes"] for t in self.labels] for r in rows], dtype=int)
        groups = [r["doc"] for r in rows]
        oof = np.zeros(Y.shape)
        for tr, te in GroupKFold(3).split(X, groups=groups):
            for j in range(len(self.labels)):
                if Y[tr, j].min() == Y[tr, j].max():
                    continue
                m = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", dual=True).fit(
                    X[tr], Y[tr, j])
                oof[te, j] = m.predict_proba(X[te])[:, 1]
        self.thresholds = [best_threshold(oof[:, j], Y[:, j]) for j in range(len(self.labels))]
        # dual=True: the same optimum as the primal problem, found faster when features outnumber sentences.
        self.theme_models = [LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                                dual=True).fit(X, Y[:, j]) for j in range(len(self.labels))]
        self.facet_model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(
            X, [r["facet"] for r in rows])
        return self

    def predict(self, rows: list[dict], tokens: list[list[str]]) -> tuple[list[list[str]], list[str]]:
        X = self._X(tokens, [r["text"] for r in rows], fit=False)
        P = np.column_stack([m.predict_proba(X)[:, 1] for m in self.theme_models])
        themes = [[lab for lab, p, t in zip(self.labels, row, self.thresholds, strict=True) if p >= t] for row in P]
        return themes, list(self.facet_model.predict(X))


# -- kcapture's engine, in configurations ------------------------------------------------------------------------
class Kcapture:
    def __init__(self, features: dict | None = None, head: dict | None = None):
        self.features, self.head = features or {}, head or {}

    def fit(self, rows: list[dict], tokens: list[list[str]]) -> Kcapture:
        self.model = ThemeClassifier(FeatureSettings(**self.features), HeadSettings(**self.head))
        self.model.fit([r["text"] for r in rows], {"themes": [r["themes"] for r in rows],
                                                   "facet": [r["facet"] for r in rows]},
                       tokens=tokens, groups=[r["doc"] for r in rows])
        return self

    def predict(self, rows: list[dict], tokens: list[list[str]]) -> tuple[list[list[str]], list[str]]:
        out = self.model.predict([r["text"] for r in rows], tokens=tokens, groups=[r["doc"] for r in rows])
        return [p["themes"] for p in out], [p["facet"] for p in out]


CONFIGS = {
    "baseline": lambda: PlainBaseline(),
    "kcapture-default": lambda: Kcapture(),
    "kcapture-ovr": lambda: Kcapture(head={"single_ovr": True}),
    "kcapture-ovr-C2": lambda: Kcapture(head={"single_ovr": True, "C": 2.0}),
    "kcapture-ovr-ctx0.6": lambda: Kcapture(head={"single_ovr": True, "theme_context_weight": 0.6}),
    "kcapture-ovr-C8": lambda: Kcapture(head={"single_ovr": True, "C": 8.0}),
    "kcapture-ovr-char1": lambda: Kcapture(features={"char_weight": 1.0}, head={"single_ovr": True}),
    "kcapture-C2": lambda: Kcapture(head={"C": 2.0}),
    "kcapture-C8": lambda: Kcapture(head={"C": 8.0}),
    "kcapture-C1": lambda: Kcapture(head={"C": 1.0}),
    "kcapture-doc0": lambda: Kcapture(head={"theme_document_weight": 0.0}),
    "kcapture-fctx0.5": lambda: Kcapture(head={"context_weight": 0.5}),
    "kcapture-char1": lambda: Kcapture(features={"char_weight": 1.0}),
    "kcapture-nb": lambda: Kcapture(head={"nb_scaling": True}),
    "kcapture-noctx": lambda: Kcapture(head={"theme_context_weight": 0.0}),
    "kcapture-ctx0.6": lambda: Kcapture(head={"theme_context_weight": 0.6}),
    "kcapture-sec0.5": lambda: Kcapture(head={"section_weight": 0.5}),
    "kcapture-sec1": lambda: Kcapture(head={"section_weight": 1.0}),
    "kcapture-doc0.5": lambda: Kcapture(head={"theme_document_weight": 0.5}),
    "kcapture-doc1": lambda: Kcapture(head={"theme_document_weight": 1.0}),
    "kcapture-doc1.5": lambda: Kcapture(head={"theme_document_weight": 1.5}),
    "kcapture-doc2": lambda: Kcapture(head={"theme_document_weight": 2.0}),
    "kcapture-doc3": lambda: Kcapture(head={"theme_document_weight": 3.0}),
    "kcapture-doc4": lambda: Kcapture(head={"theme_document_weight": 4.0}),
    "kcapture-ctx0.3": lambda: Kcapture(head={"theme_context_weight": 0.3}),
    "kcapture-ctx1": lambda: Kcapture(head={"theme_context_weight": 1.0}),
    "kcapture-fdoc0.5": lambda: Kcapture(head={"facet_document_weight": 0.5}),
    "kcapture-fdoc1": lambda: Kcapture(head={"facet_document_weight": 1.0}),
}


def writers(corpora: Path) -> dict[str, str]:
    """doc id -> the corpora/raw file it came from: one writer's (or one annotator's) batch of documents."""
    out = {}
    for path in sorted((corpora / "raw").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out[json.loads(line)["doc_id"]] = path.stem
    return out


def cross_validate(name: str, rows: list[dict], tokens: list[list[str]], folds: int,
                   fold_groups: list[str] | None = None) -> dict:
    """fold_groups: what the folds keep apart (default: documents; by writer, the held-out fold's writers are
    unseen, as another author's notes are)."""
    labels = theme_labels(rows)
    groups = fold_groups or [r["doc"] for r in rows]
    per_fold = []
    t0 = time.perf_counter()
    for tr, te in GroupKFold(folds).split(rows, groups=groups):
        model = CONFIGS[name]().fit([rows[i] for i in tr], [tokens[i] for i in tr])
        themes, facets = model.predict([rows[i] for i in te], [tokens[i] for i in te])
        per_fold.append(scores_of([rows[i] for i in te], themes, facets, labels))
    mean = {k: round(float(np.mean([f[k] for f in per_fold])), 4) for k in per_fold[0]}
    mean["seconds"] = round(time.perf_counter() - t0, 1)
    return mean


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--final", action="store_true", help="refit the best and the baseline; score test + independent")
    ap.add_argument("--out", type=Path, help="write the figures as JSON")
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="folder with train/valid/test.jsonl")
    ap.add_argument("--split", choices=("document", "writer"), default="document",
                    help="what the folds keep apart: documents, or writers (each corpora/raw file is one writer's "
                         "batch; the held-out writers' style is unseen, as the maintainers' set is)")
    ap.add_argument("--explore", action="store_true",
                    help="leave the baseline out (quick looks only; every reported comparison includes it)")
    args = ap.parse_args()
    corpora = args.corpora
    train = read_jsonl(corpora / "train.jsonl") + read_jsonl(corpora / "valid.jsonl")
    tokens = [word_tokens(r["text"]) for r in train]
    names = [n for n in args.configs.split(",") if n]
    if "baseline" not in names and not args.explore:
        names.insert(0, "baseline")
    fold_groups = None
    if args.split == "writer":
        by_writer = writers(corpora)
        fold_groups = [by_writer[r["doc"]] for r in train]
    print(f"grouped {args.folds}-fold cross-validation by {args.split} on {len(train)} training sentences "
          f"({len({r['doc'] for r in train})} documents"
          + (f", {len(set(fold_groups))} writers)" if fold_groups else ")"))
    print(f"{'configuration':<20}{'theme macro-F1':>16}{'facet macro-F1':>16}{'themes/sent':>13}{'seconds':>9}")
    cv = {}
    for name in names:
        cv[name] = cross_validate(name, train, tokens, args.folds, fold_groups)
        r = cv[name]
        print(f"{name:<20}{r['theme_macro_f1']:>16.3f}{r['facet_macro_f1']:>16.3f}{r['themes_per_sentence']:>13.2f}"
              f"{r['seconds']:>9.0f}", flush=True)
    result = {"cv": cv, "training_sentences": len(train)}
    if args.explore:
        return
    best = max((n for n in names if n != "baseline"),
               key=lambda n: cv[n]["theme_macro_f1"] + cv[n]["facet_macro_f1"])
    result["selected"] = best
    print(f"selected by cross-validation: {best}")
    if args.final:
        sets = {"test": read_jsonl(corpora / "test.jsonl"),
                "independent": read_jsonl(CORPORA / "independent" / "independent_sentences.jsonl")}
        result["final"] = {}
        print(f"\nrefit on all {len(train)} training sentences; scored once")
        print(f"{'':<20}{'set':<13}{'theme macro-F1':>16}{'facet macro-F1':>16}")
        for name in ("baseline", best):
            model = CONFIGS[name]().fit(train, tokens)
            for set_name, rows in sets.items():
                toks = [word_tokens(r["text"]) for r in rows]
                themes, facets = model.predict(rows, toks)
                s = scores_of(rows, themes, facets, theme_labels(train))
                result["final"].setdefault(name, {})[set_name] = s
                print(f"{name:<20}{set_name:<13}{s['theme_macro_f1']:>16.3f}{s['facet_macro_f1']:>16.3f}")
        agreement = CORPORA / "agreement.json"
        if agreement.exists():
            a = json.loads(agreement.read_text(encoding="utf-8"))
            print(f"{'human agreement':<20}{'double-ann.':<13}{a['theme_macro_f1']:>16.3f}"
                  f"{a['facet']['f1']:>16.3f}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
