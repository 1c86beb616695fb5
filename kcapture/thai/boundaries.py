"""Which spaces end a Thai sentence: hard rules first (sentence_rules.py), then a small logistic model over the words
around each space the rules leave open.

The model is trained on the gold sentence breaks of the project corpus (`python -m kcapture.thai.train_boundaries`,
which also prints its precision/recall/F1 on the test split's documents), so sentences come out at the granularity
the classifier was trained on. Its weights ship as JSON (`data/boundary_model.json`), one table per feature template;
scoring a space is a dozen dictionary lookups keyed by the words themselves (no feature strings are built), which
keeps segmentation close to the speed of the word tokenizer. No scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from kcapture.thai.sentence_rules import dictionary_names, forced_word, protected_words

MODEL_PATH = Path(__file__).parent / "data" / "boundary_model.json"
MODEL_FORMAT = 2
_THAI = re.compile("[\u0e01-\u0e4e]")
_DIGIT = re.compile(r"[\d๐-๙]")
_LATIN = re.compile("[A-Za-z]")
_YEAR = re.compile(r"^(?:2[45]\d\d|19\d\d|20\d\d|[๑๒][๔๕๙๐][๐-๙][๐-๙])$")
_LENGTH_EDGES = (8, 16, 30, 50, 80, 120, 200)
MAX_SENTENCE = 400  # characters; no gold sentence of corpora/raw is longer than 250 (corpus v2 news has longer)
MIN_PIECE = 60  # a run-on sentence is not cut closer than this to either of its ends
# Templates over one value, and over a pair of values (their table keys are tuples).
SINGLE = ("L1", "L2", "L3", "R1", "R2", "R3", "LS", "RS", "LEN", "REM", "LIST", "L1end", "R1start", "L1suf", "R1pre",
          "GAP", "NUM")
PAIRS = ("L1R1", "L2L1", "R1R2", "LSRS", "LENREM", "GAPS")
_SCORE_ORDER = ("L1", "L2", "L3", "R1", "R2", "R3", "LS", "RS", "LEN", "REM", "LIST", "L1end", "R1start", "L1suf",
                "R1pre", "GAP", "NUM", "L1R1", "L2L1", "R1R2", "LSRS", "LENREM", "GAPS")
KEY_SEP = "\x1f"  # joins a pair's values in the JSON file


@lru_cache(maxsize=65536)
def shape(word: str) -> str:
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
    for edge in _LENGTH_EDGES:
        if n < edge:
            return str(edge)
    return "big"


_BUCKETS = [_bucket(n) for n in range(_LENGTH_EDGES[-1] + 1)]
_N_BUCKETS = len(_BUCKETS)


def bucket(n: int) -> str:
    return _BUCKETS[n] if n <= _LENGTH_EDGES[-1] else "big"


def line_words(pieces: list[str]) -> tuple[list[str], list[int], list[bool], int]:
    """From a line's tokenizer pieces: its words, their start offsets, whether a space precedes each, line length."""
    offsets = list(accumulate(map(len, pieces), initial=0))
    is_space = [p.isspace() for p in pieces]
    kept = [i for i, sp in enumerate(is_space) if not sp]
    words = [pieces[i] for i in kept]
    starts = [offsets[i] for i in kept]
    space_before = [i > 0 and is_space[i - 1] for i in kept]
    return words, starts, space_before, offsets[-1]


def _number_kind(word: str, word_shape: str) -> str:
    if word_shape != "digit":
        return "-"
    return "year" if _YEAR.match(word) else "num"


def space_features(words: list[str], starts: list[int], k: int, left_len: int, right_len: int,
                   list_item: bool) -> list[tuple[str, str | tuple[str, ...]]]:
    """(template, value) features of the space before words[k]: what training sees; `BoundaryModel.score` computes
    the same sum without building them (a test checks that the two agree)."""
    l1 = words[k - 1]
    l2 = words[k - 2] if k >= 2 else "<s>"
    l3 = words[k - 3] if k >= 3 else "<s>"
    r1 = words[k]
    r2 = words[k + 1] if k + 1 < len(words) else "</s>"
    r3 = words[k + 2] if k + 2 < len(words) else "</s>"
    ls, rs = shape(l1), shape(r1)
    lb, rb = bucket(left_len), bucket(right_len)
    gap = "1" if starts[k] - starts[k - 1] - len(l1) <= 1 else "2"
    return [
        ("L1", l1), ("L2", l2), ("L3", l3), ("R1", r1), ("R2", r2), ("R3", r3), ("LS", ls), ("RS", rs),
        ("LEN", lb), ("REM", rb), ("LIST", "1" if list_item else "0"), ("L1end", l1[-1:]), ("R1start", r1[:1]),
        ("L1suf", l1[-2:]), ("R1pre", r1[:2]), ("GAP", gap), ("NUM", _number_kind(l1, ls)),
        ("L1R1", (l1, r1)), ("L2L1", (l2, l1)), ("R1R2", (r1, r2)), ("LSRS", (ls, rs)), ("LENREM", (lb, rb)),
        ("GAPS", (gap, ls, rs)),
    ]


def feature_name(template: str, value: str | tuple[str, ...]) -> str:
    return f"{template}={value if isinstance(value, str) else KEY_SEP.join(value)}"


@dataclass
class BoundaryModel:
    """Logistic weights per feature template; `split_points` decodes a line left to right."""

    tables: dict[str, dict] = field(default_factory=dict)  # template -> {value (str or tuple): weight}
    bias: float = 0.0
    threshold: float = 0.5
    names: frozenset[str] = frozenset()  # domain-dictionary names a stray space must not split
    trained_on: dict = field(default_factory=dict)  # what the training script read (printed by the benchmark)

    def __post_init__(self) -> None:
        t = self.tables
        for name in (*SINGLE, *PAIRS):
            t.setdefault(name, {})
        # Bound dict.get of each table, in the order `score` unpacks them: one tuple unpack per space scored.
        self._getters = tuple(t[name].get for name in _SCORE_ORDER)
        self._num_none = t["NUM"].get("-", 0.0)

    def score(self, words: list[str], starts: list[int], k: int, left_len: int, right_len: int,
              list_item: bool) -> float:
        """The logit of "a sentence ends at the space before words[k]": sum of the feature weights."""
        (g_l1, g_l2, g_l3, g_r1, g_r2, g_r3, g_ls, g_rs, g_len, g_rem, g_list, g_l1end, g_r1start, g_l1suf,
         g_r1pre, g_gap, g_num, g_l1r1, g_l2l1, g_r1r2, g_lsrs, g_lenrem, g_gaps) = self._getters
        l1 = words[k - 1]
        l2 = words[k - 2] if k >= 2 else "<s>"
        l3 = words[k - 3] if k >= 3 else "<s>"
        r1 = words[k]
        r2 = words[k + 1] if k + 1 < len(words) else "</s>"
        r3 = words[k + 2] if k + 2 < len(words) else "</s>"
        ls, rs = shape(l1), shape(r1)
        lb = _BUCKETS[left_len] if left_len < _N_BUCKETS else "big"
        rb = _BUCKETS[right_len] if right_len < _N_BUCKETS else "big"
        gap = "1" if starts[k] - starts[k - 1] - len(l1) <= 1 else "2"
        return (self.bias + g_l1(l1, 0.0) + g_l2(l2, 0.0) + g_l3(l3, 0.0) + g_r1(r1, 0.0) + g_r2(r2, 0.0)
                + g_r3(r3, 0.0) + g_ls(ls, 0.0) + g_rs(rs, 0.0) + g_len(lb, 0.0) + g_rem(rb, 0.0)
                + g_list("1" if list_item else "0", 0.0) + g_l1end(l1[-1:], 0.0) + g_r1start(r1[:1], 0.0)
                + g_l1suf(l1[-2:], 0.0) + g_r1pre(r1[:2], 0.0) + g_gap(gap, 0.0)
                + (g_num(_number_kind(l1, ls), 0.0) if ls == "digit" else self._num_none)
                + g_l1r1((l1, r1), 0.0) + g_l2l1((l2, l1), 0.0) + g_r1r2((r1, r2), 0.0) + g_lsrs((ls, rs), 0.0)
                + g_lenrem((lb, rb), 0.0) + g_gaps((gap, ls, rs), 0.0))

    def probability(self, words: list[str], starts: list[int], k: int, left_len: int, right_len: int,
                    list_item: bool) -> float:
        z = self.score(words, starts, k, left_len, right_len, list_item)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def split_points(self, pieces: list[str], list_item: bool = False, line: str | None = None) -> list[int]:
        """Character offsets (within the line) where a new sentence starts, decided left to right."""
        words, starts, space_before, n = line_words(pieces)
        return self.split_words(words, starts, space_before, n, list_item, "".join(pieces) if line is None else line)

    def split_words(self, words: list[str], starts: list[int], space_before: list[bool], n: int, list_item: bool,
                    line: str) -> list[int]:
        """As split_points, from line_words' output."""
        if len(words) < 2:
            return []
        blocked = protected_words(words, starts, space_before, line, self.names)
        out: list[int] = []
        last = 0
        # z >= logit(threshold) decides the same as sigmoid(z) >= threshold, without an exp per space.
        cut = math.log(self.threshold / (1.0 - self.threshold))
        score = self.score
        for k in range(1, len(words)):
            if not space_before[k] or k in blocked:
                continue
            left_len = starts[k] - last
            if forced_word(words, k, left_len) or score(words, starts, k, left_len, n - starts[k], list_item) >= cut:
                out.append(starts[k])
                last = starts[k]
        if n - last > MAX_SENTENCE or any(b - a > MAX_SENTENCE for a, b in zip([0, *out], out, strict=False)):
            out = self._split_long(words, starts, space_before, n, list_item, out, blocked)
        return out

    def _split_long(self, words: list[str], starts: list[int], space_before: list[bool], n: int, list_item: bool,
                    points: list[int], blocked: set[int]) -> list[int]:
        """A run-on sentence longer than MAX_SENTENCE is cut at its likeliest open clause boundary, again and again:
        no reader accepts a 600-character sentence, even where each single space looked like a continuation."""
        index = {start: k for k, start in enumerate(starts)}
        edges = [0, *points, n]
        out = set(points)
        while True:
            long = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a > MAX_SENTENCE]
            if not long:
                return sorted(out)
            added = False
            for a, b in long:
                k_lo = index.get(a, 0)
                options = [(self.score(words, starts, k, starts[k] - a, n - starts[k], list_item), starts[k])
                           for k in range(k_lo + 1, len(words))
                           if starts[k] < b and space_before[k] and k not in blocked
                           and starts[k] - a >= MIN_PIECE and b - starts[k] >= MIN_PIECE]
                if options:
                    out.add(max(options)[1])
                    added = True
            if not added:
                return sorted(out)
            edges = [0, *sorted(out), n]

    # -- the JSON file ------------------------------------------------------------------------------------------------
    def to_json(self) -> str:
        tables = {name: {v if isinstance(v, str) else KEY_SEP.join(v): w for v, w in sorted(table.items())}
                  for name, table in self.tables.items() if table}
        return json.dumps({"format": MODEL_FORMAT, "threshold": self.threshold, "bias": self.bias,
                           "trained_on": self.trained_on, "tables": tables}, ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, names: frozenset[str] = frozenset()) -> BoundaryModel:
        raw = json.loads(text)
        if raw.get("format") != MODEL_FORMAT:
            raise ValueError(f"boundary model format {raw.get('format')!r}, expected {MODEL_FORMAT}: retrain it")
        tables: dict[str, dict] = {}
        for name, table in raw["tables"].items():
            if name in PAIRS:
                tables[name] = {tuple(k.split(KEY_SEP)): float(w) for k, w in table.items()}
            else:
                tables[name] = {k: float(w) for k, w in table.items()}
        return cls(tables, float(raw.get("bias", 0.0)), float(raw["threshold"]), names,
                   dict(raw.get("trained_on") or {}))

    @classmethod
    def from_weights(cls, weights: dict[str, float], threshold: float, names: frozenset[str] = frozenset()
                     ) -> BoundaryModel:
        """From flat `feature_name` -> weight (what training produces)."""
        tables: dict[str, dict] = {}
        bias = 0.0
        for fname, w in weights.items():
            template, _, value = fname.partition("=")
            if template == "bias":
                bias = w
            elif template in PAIRS:
                tables.setdefault(template, {})[tuple(value.split(KEY_SEP))] = w
            else:
                tables.setdefault(template, {})[value] = w
        return cls(tables, bias, threshold, names)


@lru_cache(maxsize=1)
def load_boundary_model(path: str = str(MODEL_PATH)) -> BoundaryModel | None:
    p = Path(path)
    if not p.is_file():
        return None
    return BoundaryModel.from_json(p.read_text(encoding="utf-8"), dictionary_names())
