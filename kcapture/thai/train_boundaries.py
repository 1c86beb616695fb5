"""Train the sentence-boundary model (data/boundary_model.json) from the gold sentence breaks of the corpus.

    python -m kcapture.thai.train_boundaries [--extra FOLDER ...] [--dry-run]

Reads corpora/raw/*.jsonl (and the *.jsonl of any --extra folder, same format). Documents are split train / valid /
test by `kcapture.corpus.split_documents` (a hash of the document id, stratified by genre), once over corpora/raw and
once over everything read: a document is trained on only if it is in the train part of both splits, so no test or
valid document of either split is ever fitted, and the test documents of corpora/raw stay test documents when the
extra folders' files land in corpora/raw later. The valid documents choose the regularisation and the threshold, by
F0.5 (precision first: a reader forgives a long sentence sooner than a fragment). The model file records what it was
trained on, including the ids of every document it saw.

Each document is used twice: as written (line breaks are hard boundaries, so only the spaces inside lines are
decided) and with every line break replaced by a space (the hard case: headings, list items and paragraphs run
together, as text pasted from a web page or a chat often does). Spaces that the hard rules (sentence_rules.py)
close or force never reach the model, in training as at run time. Needs scikit-learn (training only).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kcapture.thai.boundaries import (
    MODEL_PATH,
    BoundaryModel,
    feature_name,
    line_words,
    load_boundary_model,
    space_features,
)
from kcapture.thai.sentence_rules import dictionary_names, forced_word, protected_words

_LIST_START = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])")


def hard_case(doc: dict) -> dict:
    """The document with every line break (between and inside sentences) replaced by a space."""
    sentences = [dict(s, text=s["text"].replace("\n", " "), **{"break": " " if s.get("break", " ") else ""})
                 for s in doc["sentences"]]
    return dict(doc, sentences=sentences)


def gold_lines(docs: Iterable[dict]) -> Iterator[tuple[str, set[int], bool]]:
    """(line text, offsets where a gold sentence starts after a space, is list item) for every line of the documents."""
    for doc in docs:
        line = ""
        starts: set[int] = set()
        for s in doc["sentences"]:
            line += s["text"]
            brk = s.get("break", " ")
            if brk == " ":
                line += " "
                starts.add(len(line))
                continue
            offset = 0
            for part in line.split("\n"):
                if part.strip():
                    local = {b - offset for b in starts if offset < b <= offset + len(part)}
                    yield part, local, bool(_LIST_START.match(part))
                offset += len(part) + 1
            line = ""
            starts = set()
        if line.strip():
            yield line.rstrip(), {b for b in starts if b < len(line.rstrip())}, False


MIN_WEIGHT = 0.02  # smaller weights change almost no decision; dropping them keeps the shipped file small
# C and the threshold maximise F-beta on the valid documents with beta < 1, precision weighing more than recall:
# a reader forgives a long sentence sooner than a fragment (on corpora/raw's valid documents F1 hardly moves).
SELECT_BETA = 0.5
GENRE_CAP = 30  # a genre with more training documents than this weighs as much as this many, no more


@dataclass
class Line:
    """A gold line, tokenized once and reused for every model tried."""

    text: str
    gold: set[int]
    list_item: bool
    pieces: list[str]
    weight: float = 1.0


def tokenized(docs: Iterable[dict], weights: dict[str, float] | None = None) -> list[Line]:
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    out = []
    for doc in docs:
        w = weights.get(doc["doc_id"], 1.0) if weights else 1.0
        out.extend(Line(text, gold, li, tok.words(text), w) for text, gold, li in gold_lines([doc]))
    return out


def genre_weights(docs: list[dict], cap: int = GENRE_CAP) -> dict[str, float]:
    """Per document: 1, or less when its genre has more than `cap` documents, so that one big genre (the
    government news of corpus v2) does not set the sentence length for all the others."""
    n = Counter(d.get("genre") or "other" for d in docs)
    return {d["doc_id"]: min(1.0, cap / n[d.get("genre") or "other"]) for d in docs}


def training_rows(lines: list[Line], names: frozenset[str]) -> Iterator[tuple[list[str], bool, float]]:
    for ln in lines:
        words, starts, space_before, n = line_words(ln.pieces)
        blocked = protected_words(words, starts, space_before, ln.text, names)
        last = 0
        for k in range(1, len(words)):
            if not space_before[k]:
                continue
            label = starts[k] in ln.gold
            if k not in blocked and not forced_word(words, k, starts[k] - last):
                feats = space_features(words, starts, k, starts[k] - last, n - starts[k], ln.list_item)
                yield [feature_name(t, v) for t, v in feats], label, ln.weight
            if label or (k not in blocked and forced_word(words, k, starts[k] - last)):
                last = starts[k]  # teacher forcing: lengths count from the gold previous boundary


def fit(rows: list[tuple[list[str], bool, float]], C: float, names: frozenset[str]) -> BoundaryModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    X = vec.fit_transform([dict.fromkeys(feats, 1) for feats, _, _ in rows])
    y = [int(label) for _, label, _ in rows]
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(X, y, sample_weight=[w for _, _, w in rows])
    weights = {name: round(float(w), 3) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
               if abs(w) >= MIN_WEIGHT}
    weights["bias="] = round(float(clf.intercept_[0]), 4)
    return BoundaryModel.from_weights(weights, 0.5, names)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return self.f_beta(1.0)

    def f_beta(self, beta: float) -> float:
        p, r = self.precision, self.recall
        return (1 + beta * beta) * p * r / (beta * beta * p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
                f"(TP {self.tp}, FP {self.fp}, FN {self.fn})")


def evaluate(model: BoundaryModel, lines: list[Line]) -> Score:
    """Sentence starts at spaces inside lines, decoded as the pipeline decodes a line."""
    score = Score()
    for ln in lines:
        found = set(model.split_points(ln.pieces, ln.list_item, ln.text))
        score.tp += len(found & ln.gold)
        score.fp += len(found - ln.gold)
        score.fn += len(ln.gold - found)
    return score


def split_for_training(raw: list[dict], extra: list[dict]) -> dict[str, list[dict]]:
    """train / valid / test where train holds only documents that are train in both splits (see the module doc)."""
    from kcapture.corpus import split_documents

    views = [split_documents(raw)] + ([split_documents(raw + extra)] if extra else [])
    test = {d["doc_id"] for v in views for d in v["test"]}
    valid = {d["doc_id"] for v in views for d in v["valid"]} - test
    parts: dict[str, list[dict]] = {"train": [], "valid": [], "test": []}
    for d in raw + extra:
        part = "test" if d["doc_id"] in test else "valid" if d["doc_id"] in valid else "train"
        parts[part].append(d)
    return parts


def main(argv: list[str] | None = None) -> int:
    from kcapture.corpus import CORPORA, read_documents, split_documents

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another folder of corpus documents (*.jsonl) to add through the same split")
    parser.add_argument("--C", type=float, action="append", default=None,
                        help="regularisation strengths to try (default 0.3, 1, 3)")
    parser.add_argument("--genre-cap", type=int, default=GENRE_CAP,
                        help=f"training documents a genre weighs at most (default {GENRE_CAP})")
    parser.add_argument("--dry-run", action="store_true", help="train and report, do not write the model file")
    args = parser.parse_args(argv)

    raw_files = sorted(p.name for p in (CORPORA / "raw").glob("*.jsonl"))
    extra_files = {str(f): sorted(p.name for p in f.glob("*.jsonl")) for f in args.extra}
    raw = read_documents(CORPORA / "raw")
    raw_ids = {d["doc_id"] for d in raw}
    extra = [d for folder in args.extra for d in read_documents(folder) if d["doc_id"] not in raw_ids]
    parts = split_for_training(raw, extra)
    print(f"corpora/raw: {len(raw)} documents; extra folders {[str(f) for f in args.extra]}: {len(extra)} documents")
    print("documents per part: " + ", ".join(f"{k} {len(v)}" for k, v in parts.items()))
    names = dictionary_names()
    weights = genre_weights(parts["train"], args.genre_cap)
    train_lines = tokenized(parts["train"], weights) + tokenized((hard_case(d) for d in parts["train"]), weights)
    # Valid documents of each source are scored apart and weigh the same in the choice of C and threshold.
    valid_sets = []
    for label, docs in (("corpora/raw", [d for d in parts["valid"] if d["doc_id"] in raw_ids]),
                        ("extra", [d for d in parts["valid"] if d["doc_id"] not in raw_ids])):
        if docs:
            valid_sets.append((label, tokenized(docs), tokenized(hard_case(d) for d in docs)))
    rows = list(training_rows(train_lines, names))
    print(f"training spaces (open to the model): {len(rows):,}, sentence ends among them: "
          f"{sum(label for _, label, _ in rows):,}")

    best: tuple[float, float, float, BoundaryModel] | None = None
    for C in args.C or [0.3, 1.0, 3.0]:
        model = fit(rows, C, names)
        for t in [x / 40 for x in range(8, 33)]:
            model.threshold = t
            objective = sum(evaluate(model, w).f_beta(SELECT_BETA) + evaluate(model, h).f_beta(SELECT_BETA)
                            for _, w, h in valid_sets)
            if best is None or objective > best[0]:
                best = (objective, C, t, BoundaryModel(model.tables, model.bias, t, names))
        print(f"  C={C}: best valid objective so far {best[0]:.3f} (C={best[1]}, t={best[2]})")
    assert best is not None
    model = best[3]
    n_weights = sum(len(t) for t in model.tables.values())
    print(f"model: C={best[1]}, threshold {model.threshold}, {n_weights:,} weights")
    for label, w, h in valid_sets:
        print(f"valid ({label}), as written: {evaluate(model, w)}")
        print(f"valid ({label}), hard case:  {evaluate(model, h)}")
    raw_test = split_documents(raw)["test"]
    print(f"test (corpora/raw, {len(raw_test)} documents), as written: {evaluate(model, tokenized(raw_test))}")
    print(f"test (corpora/raw), hard case:  {evaluate(model, tokenized(hard_case(d) for d in raw_test))}")
    model.trained_on = {
        "corpora/raw": raw_files,
        "extra": extra_files,
        "documents": {"train": len(parts["train"]), "valid": len(parts["valid"]),
                      "train_from_extra": sum(d["doc_id"] not in raw_ids for d in parts["train"])},
        "C": best[1], "genre_cap": args.genre_cap,
        # Fitted or used for tuning: an evaluation must leave these out (the extra folders may grow after training).
        "seen_doc_ids": sorted(d["doc_id"] for d in parts["train"] + parts["valid"]),
    }
    if not args.dry_run:
        MODEL_PATH.write_text(model.to_json() + "\n", encoding="utf-8")
        load_boundary_model.cache_clear()
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
