"""Which spaces end a Thai sentence: a small logistic model over the words around each space.

Trained on the gold sentence breaks of the project corpus (a sentence whose recorded break is " " ends at a space
inside a line), so sentences come out at the granularity the classifier was trained on. The learned weights ship as
JSON (`data/boundary_model.json`); prediction is a dictionary lookup per feature, no scikit-learn.
Rebuild with `python -m kcapture.thai.boundaries` (prints precision/recall/F1 on the test split's documents).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).parent / "data" / "boundary_model.json"
_THAI = re.compile("[\u0e01-\u0e4e]")
_DIGIT = re.compile(r"[\d๐-๙]")
_LATIN = re.compile("[A-Za-z]")


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    if not word:
        return "none"
    if _THAI.search(word[-1:]) or _THAI.search(word[:1]):
        return "thai"
    if _DIGIT.search(word):
        return "digit"
    if _LATIN.search(word):
        return "latin"
    return "punct" if not word.isalnum() else "other"


def _bucket(n: int) -> str:
    for edge in (8, 16, 30, 50, 80, 120):
        if n < edge:
            return str(edge)
    return "big"


def space_features(words: list[str], k: int, left_len: int, right_len: int, list_item: bool) -> list[str]:
    """Features of the space between words[k-1] and words[k] (words: the line's non-space pieces)."""
    l1 = words[k - 1]
    l2 = words[k - 2] if k >= 2 else "<s>"
    r1 = words[k]
    r2 = words[k + 1] if k + 1 < len(words) else "</s>"
    ls, rs = _shape(l1), _shape(r1)
    lb, rb = _bucket(left_len), _bucket(right_len)
    return [
        "bias", f"L1={l1}", f"L2={l2}", f"R1={r1}", f"R2={r2}", f"L1R1={l1}|{r1}", f"L2L1={l2}|{l1}",
        f"R1R2={r1}|{r2}", f"LS={ls}", f"RS={rs}", f"LSRS={ls}|{rs}",
        f"LEN={lb}", f"REM={rb}", f"LENREM={lb}|{rb}",
        f"LIST={list_item}", f"L1end={l1[-1:]}", f"R1start={r1[:1]}",
    ]


_ITEM_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[๑-๙])$")


def _forced(words: list[str], k: int, left_len: int) -> bool:
    """Boundaries no model should miss: an inline numbered item ("... 2. ...") or a ? / ! ending a sentence.

    (A polite particle, ครับ/ค่ะ, before a space looks like another, but forcing it halves precision on the corpus.)
    """
    if left_len < 8:
        return False
    nxt = words[k + 1] if k + 1 < len(words) else ""
    if _ITEM_NUMBER.match(words[k]) and nxt[:1] in (".", ")"):
        return True
    return words[k - 1][-1:] in ("?", "!", "？", "！")


def line_words(pieces: list[str]) -> tuple[list[str], list[int], list[bool], int]:
    """From a line's tokenizer pieces: its words, their start offsets, whether a space precedes each, line length."""
    words: list[str] = []
    starts: list[int] = []
    space_before: list[bool] = []
    pos = 0
    pending = False
    for piece in pieces:
        if piece.isspace():
            pending = True
        else:
            words.append(piece)
            starts.append(pos)
            space_before.append(pending)
            pending = False
        pos += len(piece)
    return words, starts, space_before, pos


@dataclass
class BoundaryModel:
    weights: dict[str, float]
    threshold: float = 0.5

    def probability(self, features: list[str]) -> float:
        get = self.weights.get
        z = 0.0
        for f in features:
            z += get(f, 0.0)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def split_points(self, pieces: list[str], list_item: bool = False) -> list[int]:
        """Character offsets (within the line) where a new sentence starts, decided left to right."""
        words, starts, space_before, n = line_words(pieces)
        out: list[int] = []
        last = 0
        for k in range(1, len(words)):
            if not space_before[k]:
                continue
            feats = space_features(words, k, starts[k] - last, n - starts[k], list_item)
            if _forced(words, k, starts[k] - last) or self.probability(feats) >= self.threshold:
                out.append(starts[k])
                last = starts[k]
        return out

    def to_json(self) -> str:
        return json.dumps({"threshold": self.threshold, "weights": self.weights}, ensure_ascii=False)


@lru_cache(maxsize=1)
def load_boundary_model(path: str = str(MODEL_PATH)) -> BoundaryModel | None:
    p = Path(path)
    if not p.is_file():
        return None
    raw = json.loads(p.read_text(encoding="utf-8"))
    return BoundaryModel({k: float(v) for k, v in raw["weights"].items()}, float(raw["threshold"]))


# -- training (needs scikit-learn and the corpus) ---------------------------------------------------------------

def gold_lines(docs: list[dict]):
    """(line text, set of gold sentence-start offsets at spaces, is list item) for every line of the documents."""
    for doc in docs:
        line = ""
        starts: set[int] = set()
        for s in doc["sentences"]:
            line += s["text"]
            brk = s.get("break", " ")
            if brk == " ":
                line += " "
                starts.add(len(line))
            else:
                for i, part in enumerate(line.split("\n")):
                    if part.strip():
                        offset = sum(len(p) + 1 for p in line.split("\n")[:i])
                        local = {b - offset for b in starts if offset < b <= offset + len(part)}
                        yield part, local, bool(re.match(r"^\s*(?:[-•*]|\d{1,2}[.)])", part))
                line = ""
                starts = set()
        if line.strip():
            yield line.rstrip(), {b for b in starts if b < len(line.rstrip())}, False


def training_rows(docs: list[dict]):
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    for line, gold, list_item in gold_lines(docs):
        words, starts, space_before, pos = line_words(tok.words(line))
        last = 0
        for k in range(1, len(words)):
            if not space_before[k]:
                continue
            label = starts[k] in gold
            yield space_features(words, k, starts[k] - last, pos - starts[k], list_item), label
            if label:
                last = starts[k]  # teacher forcing: lengths count from the gold previous boundary


def train(train_docs: list[dict], valid_docs: list[dict], C: float = 3.0) -> BoundaryModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = list(training_rows(train_docs))
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in feats} for feats, _ in rows])
    y = [int(lab) for _, lab in rows]
    clf = LogisticRegression(C=C, max_iter=2000, fit_intercept=False)
    clf.fit(X, y)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
               if abs(w) >= 0.01}
    model = BoundaryModel(weights)
    best = (0.0, 0.5)
    for t in [x / 40 for x in range(8, 33)]:
        model.threshold = t
        best = max(best, (evaluate(model, valid_docs)["f1"], t))
    model.threshold = best[1]
    return model


def evaluate(model: BoundaryModel | None, docs: list[dict]) -> dict:
    """Precision/recall/F1 of sentence starts at spaces, decoding each line as the pipeline does."""
    from kcapture.thai.sentences import SentenceSegmenter
    from kcapture.thai.tokenize import default_tokenizer

    seg = SentenceSegmenter(default_tokenizer(), boundary_model=model) if model else SentenceSegmenter(
        default_tokenizer(), boundary_model=None)
    tp = fp = fn = 0
    for line, gold, list_item in gold_lines(docs):
        predicted = {s for s, _ in seg.split_line(line, list_item=list_item)[1:]}
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
            "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    from kcapture.corpus import CORPORA, read_documents, split_documents

    parts = split_documents(read_documents(CORPORA / "raw"))
    model = train(parts["train"], parts["valid"])
    MODEL_PATH.write_text(model.to_json(), encoding="utf-8")
    load_boundary_model.cache_clear()
    print(f"{len(model.weights)} weights, threshold {model.threshold}")
    print("test split, learned model:", evaluate(model, parts["test"]))
    print("test split, rules only:   ", evaluate(None, parts["test"]))


if __name__ == "__main__":
    main()
