"""Issue 3, item 7: kcapture's ThemeClassifier against serious alternatives on the project's own corpus split.

Every system trains on corpora/train.jsonl, may tune on corpora/valid.jsonl (thresholds, epochs), and is scored once
on corpora/test.jsonl with the same metric code `kcapture evaluate` uses (kcapture.classify.data.per_label_report):

* kcapture ThemeClassifier, default settings (what `kcapture train --data corpora/train.jsonl --valid ...` builds);
* kcapture ThemeClassifier with NB-LR heads (`--settings '{"nb_scaling": true}'`), a different weighting of the same
  features;
* spaCy, blank "th" pipeline (PyThaiNLP newmm tokens, no pretrained vectors, nothing downloaded):
  `textcat_multilabel` for themes + `textcat` for the facet, each with spaCy's default architecture (TextCatEnsemble:
  a CNN tok2vec + a bag-of-words model) and, separately, the bag-of-words architecture alone (uni+bigrams). Trained
  with Adam for up to --epochs epochs; the epoch with the best validation score is kept and theme thresholds are tuned
  per label on validation, as kcapture does.

Rebuild the split first (other writers keep adding documents): `python -m kcapture.corpus`, or pass --rebuild.

    python benchmarks/compare_classifiers.py [--rebuild] [--epochs 15] [--skip-spacy]

Prints one table: theme macro-F1, theme micro-F1, facet macro-F1, facet accuracy, train seconds, sentences/s
(prediction on the test sentences, repeated to at least 20,000, lone sentences, single process).
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
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import numpy as np  # noqa: E402

from kcapture.classify.data import per_label_report, read_jsonl  # noqa: E402
from kcapture.classify.model import HeadSettings, ThemeClassifier, best_threshold  # noqa: E402
from kcapture.classify.training import evaluate_rows, train_from_rows  # noqa: E402

CORPORA = ROOT / "corpora"
SPEED_ROWS = 20_000


def _speed(predict, texts: list[str]) -> float:
    reps = max(1, -(-SPEED_ROWS // max(len(texts), 1)))
    batch = texts * reps
    t0 = time.perf_counter()
    predict(batch)
    return len(batch) / (time.perf_counter() - t0)


def run_kcapture(name: str, train, valid, test, head: HeadSettings | None = None) -> dict:
    t0 = time.perf_counter()
    model = train_from_rows(train, valid_rows=valid, model=ThemeClassifier(head=head))
    seconds = time.perf_counter() - t0
    res = evaluate_rows(model, test)["heads"]
    texts = [r["text"] for r in test]
    return {"system": name, "themes": res["themes"], "facet": res["facet"], "train_s": seconds,
            "sent_per_s": _speed(lambda b: model.predict(b), texts)}


# -- spaCy ------------------------------------------------------------------------------------------------------------
def _spacy_pipeline(labels, exclusive: bool, arch: str):
    """One blank "th" pipeline per head: spaCy's textcat validates every category in doc.cats against its own."""
    import spacy

    nlp = spacy.blank("th")
    factory = "textcat" if exclusive else "textcat_multilabel"
    if arch == "bow":
        config = {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": exclusive,
                            "ngram_size": 2, "no_output_layer": False, "length": 262144}}
        pipe = nlp.add_pipe(factory, config=config)
    else:  # spaCy's default: TextCatEnsemble (CNN tok2vec + bag of words)
        pipe = nlp.add_pipe(factory)
    for lab in labels:
        pipe.add_label(lab)
    return nlp


def _spacy_scores(nlp, texts, labels) -> np.ndarray:
    out = np.zeros((len(texts), len(labels)))
    for i, doc in enumerate(nlp.pipe(texts, batch_size=256)):
        out[i] = [doc.cats.get(lab, 0.0) for lab in labels]
    return out


def _theme_report(scores, rows, labels, thresholds):
    pred = [[lab for j, lab in enumerate(labels) if scores[i, j] >= thresholds[j]] for i in range(len(rows))]
    return per_label_report([r["themes"] for r in rows], pred, labels, multi=True)


def _facet_report(scores, rows, labels):
    keep = [i for i, r in enumerate(rows) if r.get("facet")]
    pred = [labels[j] for j in scores.argmax(axis=1)]
    return per_label_report([rows[i]["facet"] for i in keep], [pred[i] for i in keep], labels, multi=False)


def run_spacy(name: str, arch: str, train, valid, test, epochs: int, seed: int = 0) -> dict:
    import spacy
    from spacy.training import Example
    from spacy.util import compounding, minibatch

    spacy.util.fix_random_seed(seed)
    random.seed(seed)
    theme_labels = sorted({t for r in train for t in r["themes"]})
    facet_labels = sorted({r["facet"] for r in train if r.get("facet")})
    vtexts = [r["text"] for r in valid]
    yv = np.array([[lab in r["themes"] for lab in theme_labels] for r in valid], dtype=int)
    t0 = time.perf_counter()
    nlp_t = _spacy_pipeline(theme_labels, False, arch)
    nlp_f = _spacy_pipeline(facet_labels, True, arch)
    ex_t = [Example.from_dict(nlp_t.make_doc(r["text"]),
                              {"cats": {lab: float(lab in r["themes"]) for lab in theme_labels}}) for r in train]
    ex_f = [Example.from_dict(nlp_f.make_doc(r["text"]),
                              {"cats": {lab: float(lab == r["facet"]) for lab in facet_labels}})
            for r in train if r.get("facet")]
    opt_t = nlp_t.initialize(lambda: ex_t)
    opt_f = nlp_f.initialize(lambda: ex_f)
    best_t, best_f = (-1.0, None, None), (-1.0, None)
    for _epoch in range(epochs):
        for nlp, examples, opt in ((nlp_t, ex_t, opt_t), (nlp_f, ex_f, opt_f)):
            random.shuffle(examples)
            for batch in minibatch(examples, size=compounding(8.0, 64.0, 1.5)):
                nlp.update(batch, sgd=opt, drop=0.2)
        th = _spacy_scores(nlp_t, vtexts, theme_labels)
        thresholds = [best_threshold(th[:, j], yv[:, j]) for j in range(len(theme_labels))]
        score = _theme_report(th, valid, theme_labels, thresholds)["macro_f1"]
        if score > best_t[0]:
            best_t = (score, nlp_t.to_bytes(), thresholds)
        score = _facet_report(_spacy_scores(nlp_f, vtexts, facet_labels), valid, facet_labels)["macro_f1"]
        if score > best_f[0]:
            best_f = (score, nlp_f.to_bytes())
    nlp_t.from_bytes(best_t[1])
    nlp_f.from_bytes(best_f[1])
    seconds = time.perf_counter() - t0
    tests = [r["text"] for r in test]
    themes = _theme_report(_spacy_scores(nlp_t, tests, theme_labels), test, theme_labels, best_t[2])
    facet = _facet_report(_spacy_scores(nlp_f, tests, facet_labels), test, facet_labels)

    def predict(batch):
        list(nlp_t.pipe(batch, batch_size=256))
        list(nlp_f.pipe(batch, batch_size=256))

    return {"system": name, "themes": themes, "facet": facet, "train_s": seconds, "sent_per_s": _speed(predict, tests)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rebuild", action="store_true", help="run `python -m kcapture.corpus` first")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--skip-spacy", action="store_true")
    args = ap.parse_args(argv)
    if args.rebuild:
        from kcapture.corpus import build

        build()
    train, valid, test = (read_jsonl(CORPORA / f"{s}.jsonl") for s in ("train", "valid", "test"))
    print(f"corpus: train {len(train)} / valid {len(valid)} / test {len(test)} sentences "
          f"({len({r['doc'] for r in train})} / {len({r['doc'] for r in valid})} / "
          f"{len({r['doc'] for r in test})} documents)", flush=True)
    results = [run_kcapture("kcapture ThemeClassifier (defaults)", train, valid, test)]
    results.append(run_kcapture("kcapture ThemeClassifier, NB-LR heads", train, valid, test,
                                HeadSettings(nb_scaling=True)))
    if not args.skip_spacy:
        results.append(run_spacy("spaCy blank th, textcat default (ensemble)", "ensemble", train, valid, test,
                                 args.epochs))
        results.append(run_spacy("spaCy blank th, textcat BOW uni+bigram", "bow", train, valid, test, args.epochs))
    print()
    print(f"{'system':<46}{'theme macro':>12}{'theme micro':>12}{'facet macro':>12}{'facet acc':>10}"
          f"{'train s':>9}{'sent/s':>9}")
    for r in results:
        print(f"{r['system']:<46}{r['themes']['macro_f1']:>12.3f}{r['themes']['micro_f1']:>12.3f}"
              f"{r['facet']['macro_f1']:>12.3f}{r['facet']['micro_f1']:>10.3f}{r['train_s']:>9.1f}"
              f"{r['sent_per_s']:>9.0f}")
    print("\nper-theme F1 on test:")
    labels = list(results[0]["themes"]["per_label"])
    print(f"  {'theme':<26}" + "".join(f"{i + 1:>8}" for i in range(len(results))))
    for lab in labels:
        print(f"  {lab:<26}" + "".join(f"{r['themes']['per_label'].get(lab, {}).get('f1', 0):>8.3f}"
                                       for r in results))
    print("  columns: " + "; ".join(f"{i + 1} = {r['system']}" for i, r in enumerate(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
