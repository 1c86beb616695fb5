"""Which spaces end a Thai sentence: hard rules first (sentence_rules.py), then a small logistic model over the words
around each space the rules leave open.

The model is trained on the gold sentence breaks of the project corpus (`python -m kcapture.thai.train_boundaries`,
which also prints its precision/recall/F1 on the test split's documents), so sentences come out at the granularity
the classifier was trained on. Its weights ship as JSON (`data/boundary_model.json`), one table per feature template;
scoring a space is two dozen weights looked up by the words themselves (no feature strings are built), and a document's
spaces are scored together with numpy (`split_lines`), which keeps segmentation close to the speed of the word
tokenizer. No scikit-learn at run time.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, islice, product, repeat
from operator import itemgetter, not_
from pathlib import Path

import numpy as np
import orjson

from kcapture.cache import kept_table
from kcapture.thai.sentence_rules import (
    FORCE_MIN_LEFT,
    dictionary_names,
    forcing_words,
    open_spaces,
    protected_words,
)

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
# The buckets by index (as `split_lines` scores them), and the index of each length below _N_BUCKETS.
_BUCKET_NAMES = (*map(str, _LENGTH_EDGES), "big")
_BIG = len(_LENGTH_EDGES)
_BUCKET_INDEX = [bisect_right(_LENGTH_EDGES, n) for n in range(_N_BUCKETS)]
# The score of a line's i-th open space, given the length of the sentence before it: score_at(i, left_len).
SpaceScorer = Callable[[int, int], float]
SHAPES = ("none", "thai", "digit", "latin", "punct", "other")  # what `shape` returns
# The word parts of L1end, R1start, L1suf and R1pre.
_last_char, _first_char = itemgetter(slice(-1, None)), itemgetter(slice(1))
_last_two, _first_two = itemgetter(slice(-2, None)), itemgetter(slice(2))


def bucket(n: int) -> str:
    return _BUCKETS[n] if n <= _LENGTH_EDGES[-1] else "big"


def line_words(pieces: list[str]) -> tuple[list[str], list[int], list[bool], int]:
    """From a line's tokenizer pieces: its words, their start offsets, whether a space precedes each, line length."""
    # map/compress keep the per-piece work in C: a line holds hundreds of pieces and a document thousands of lines.
    offsets = list(accumulate(map(len, pieces), initial=0))
    is_space = list(map(str.isspace, pieces))
    is_word = list(map(not_, is_space))
    words = list(compress(pieces, is_word))
    starts = list(compress(offsets, is_word))
    space_before = list(compress([False, *is_space], is_word))
    return words, starts, space_before, offsets[-1]


@dataclass
class LineWords:
    """One line as the boundary model reads it: line_words' output for it, and whether it is a list item."""

    text: str
    words: list[str]
    starts: list[int]
    space_before: list[bool]
    length: int
    list_item: bool = False


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
        # The two terms of the left length come last: `_bucket_scores` adds them to a sum of the others it makes once
        # per space, not once per space and bucket, and the two must add in the same order to agree to the bit.
        return (self.bias + g_l1(l1, 0.0) + g_l2(l2, 0.0) + g_l3(l3, 0.0) + g_r1(r1, 0.0) + g_r2(r2, 0.0)
                + g_r3(r3, 0.0) + g_ls(ls, 0.0) + g_rs(rs, 0.0) + g_rem(rb, 0.0)
                + g_list("1" if list_item else "0", 0.0) + g_l1end(l1[-1:], 0.0) + g_r1start(r1[:1], 0.0)
                + g_l1suf(l1[-2:], 0.0) + g_r1pre(r1[:2], 0.0) + g_gap(gap, 0.0)
                + (g_num(_number_kind(l1, ls), 0.0) if ls == "digit" else self._num_none)
                + g_l1r1((l1, r1), 0.0) + g_l2l1((l2, l1), 0.0) + g_r1r2((r1, r2), 0.0) + g_lsrs((ls, rs), 0.0)
                + g_gaps((gap, ls, rs), 0.0) + g_len(lb, 0.0) + g_lenrem((lb, rb), 0.0))

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
        return self.split_lines([LineWords(line, words, starts, space_before, n, list_item)])[0]

    def split_lines(self, lines: Sequence[LineWords]) -> list[list[int]]:
        """split_words for many lines: their open spaces are scored together (`_bucket_scores`), then each line is
        decoded left to right."""
        # The spaces the hard rules leave open, in order: the only places the model is asked about.
        open_by_line = []
        for line in lines:
            blocked = protected_words(line.words, line.starts, line.space_before, line.text, self.names)
            open_by_line.append([k for k in open_spaces(line.space_before) if k not in blocked])
        if type(self).score is BoundaryModel.score:
            scores = iter(self._bucket_scores(lines, open_by_line))
            scorers = [_bucket_scorer(list(islice(scores, len(candidates)))) for candidates in open_by_line]
        else:  # a subclass with its own `score` (a test's stand-in) is asked space by space
            scorers = [self._space_scorer(line, candidates)
                       for line, candidates in zip(lines, open_by_line, strict=True)]
        return [self._decode(line, candidates, score_at)
                for line, candidates, score_at in zip(lines, open_by_line, scorers, strict=True)]

    def _space_scorer(self, line: LineWords, candidates: list[int]) -> SpaceScorer:
        def score_at(i: int, left_len: int) -> float:
            k = candidates[i]
            return self.score(line.words, line.starts, k, left_len, line.length - line.starts[k], line.list_item)

        return score_at

    def _decode(self, line: LineWords, candidates: list[int], score_at: SpaceScorer) -> list[int]:
        """The sentence starts of one line, from its open spaces and their scores."""
        starts, n = line.starts, line.length
        forcing = forcing_words(line.words, candidates, line.text)
        out: list[int] = []
        last = 0
        # z >= logit(threshold) decides the same as sigmoid(z) >= threshold, without an exp per space.
        cut = math.log(self.threshold / (1.0 - self.threshold))
        for i, k in enumerate(candidates):
            left_len = starts[k] - last
            if (k in forcing and left_len >= FORCE_MIN_LEFT) or score_at(i, left_len) >= cut:
                out.append(starts[k])
                last = starts[k]
        if n - last > MAX_SENTENCE or any(b - a > MAX_SENTENCE for a, b in zip([0, *out], out, strict=False)):
            out = _split_long(starts, n, out, candidates, score_at)
        return out

    def _bucket_scores(self, lines: Sequence[LineWords], open_by_line: list[list[int]]) -> list[list[float]]:
        """`score` of every open space (the lines' in order), for each left-length bucket (_BUCKET_NAMES).

        The left length, counted from the line's last boundary, is the only input that depends on earlier decisions,
        and it only counts through its bucket (LEN, LENREM); so each space is scored once for every bucket, all spaces
        of all lines in one pass: the weights are looked up by map() over the spaces' words, and added by numpy. The
        terms are added in `score`'s order, each a float64 addition as in Python, so the results equal `score` to
        the last bit (a decision or a tie in `_split_long` may hang on it)."""
        padded: list[str] = []  # the lines' words, each line between two <s> and two </s>
        right_word: list[int] = []  # index in `padded` of the word after each open space
        gaps: list[str] = []  # GAP: "2" where more than one character of space
        right_lens: list[int] = []
        list_items: list[int] = []
        for line, candidates in zip(lines, open_by_line, strict=True):
            if not candidates:
                continue
            words, starts, n = line.words, line.starts, line.length
            base = len(padded) + 2
            padded += ("<s>", "<s>", *words, "</s>", "</s>")
            right_word += [base + k for k in candidates]
            gaps += ["1" if starts[k] - starts[k - 1] - len(words[k - 1]) <= 1 else "2" for k in candidates]
            right_lens += [n - starts[k] for k in candidates]
            list_items += [1 if line.list_item else 0] * len(candidates)
        if not right_word:
            return []
        t = self.tables

        def per_word(template: str, key: Callable[[str], str] | None = None) -> np.ndarray:
            """The template's weight for each distinct word (or for a part of it), by its index in `distinct`."""
            return np.fromiter(map(t[template].get, distinct if key is None else map(key, distinct), repeat(0.0)),
                               dtype=np.float64, count=len(distinct))

        def per_space(template: str, keys: Iterable) -> np.ndarray:
            return np.fromiter(map(t[template].get, keys, repeat(0.0)), dtype=np.float64, count=len(right_word))

        def table(template: str, *axes: Sequence[str]) -> np.ndarray:
            """The template's weights over every combination of the values of its axes (a small dense table)."""
            get = t[template].get
            keys = product(*axes) if len(axes) > 1 else axes[0]
            return np.array([get(key, 0.0) for key in keys], dtype=np.float64).reshape([len(axis) for axis in axes])

        # Single-word weights are looked up once per distinct word, then gathered by numpy for each space.
        distinct = list(dict.fromkeys(padded))
        word_index = {w: i for i, w in enumerate(distinct)}
        ids = np.fromiter(map(word_index.__getitem__, padded), dtype=np.intp, count=len(padded))
        at = np.array(right_word)
        l3, l2, l1, r1, r2, r3 = (ids[at + offset] for offset in range(-3, 3))
        shape_names = list(map(shape, distinct))
        shapes = np.fromiter(map(SHAPES.index, shape_names), dtype=np.intp, count=len(distinct))
        ls, rs = shapes[l1], shapes[r1]
        gap = np.array(gaps) == "2"
        rb = np.searchsorted(_LENGTH_EDGES, right_lens, side="right")  # index in _BUCKET_NAMES

        z = self.bias + per_word("L1")[l1]
        z += per_word("L2")[l2]
        z += per_word("L3")[l3]
        z += per_word("R1")[r1]
        z += per_word("R2")[r2]
        z += per_word("R3")[r3]
        z += table("LS", SHAPES)[ls]
        z += table("RS", SHAPES)[rs]
        # The word pairs are looked up per space (the tables are keyed by the words' tuples).
        word_at = padded.__getitem__
        l2_words, l1_words, r1_words, r2_words = (list(map(word_at, (at + offset).tolist())) for offset in range(-2, 2))
        for term in (table("REM", _BUCKET_NAMES)[rb], table("LIST", ("0", "1"))[list_items],
                     per_word("L1end", _last_char)[l1], per_word("R1start", _first_char)[r1],
                     per_word("L1suf", _last_two)[l1], per_word("R1pre", _first_two)[r1],
                     table("GAP", ("1", "2"))[gap.astype(np.intp)],
                     np.fromiter(map(t["NUM"].get, map(_number_kind, distinct, shape_names), repeat(0.0)),
                                 dtype=np.float64, count=len(distinct))[l1],
                     per_space("L1R1", zip(l1_words, r1_words, strict=True)),
                     per_space("L2L1", zip(l2_words, l1_words, strict=True)),
                     per_space("R1R2", zip(r1_words, r2_words, strict=True)),
                     table("LSRS", SHAPES, SHAPES)[ls, rs],
                     table("GAPS", ("1", "2"), SHAPES, SHAPES)[gap.astype(np.intp), ls, rs]):
            z += term
        # Last, as in `score`, the two terms of the left length: one column per left-length bucket.
        by_bucket = z[:, None] + table("LEN", _BUCKET_NAMES)[None, :]
        by_bucket += table("LENREM", _BUCKET_NAMES, _BUCKET_NAMES)[:, rb].T
        return by_bucket.tolist()

    # -- the JSON file ------------------------------------------------------------------------------------------------
    def to_json(self) -> str:
        tables = {name: {v if isinstance(v, str) else KEY_SEP.join(v): w for v, w in sorted(table.items())}
                  for name, table in self.tables.items() if table}
        return json.dumps({"format": MODEL_FORMAT, "threshold": self.threshold, "bias": self.bias,
                           "trained_on": self.trained_on, "tables": tables}, ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, names: frozenset[str] = frozenset()) -> BoundaryModel:
        raw = orjson.loads(text)  # 3.7 MB: a third of the json module's time
        if raw.get("format") != MODEL_FORMAT:
            raise ValueError(f"boundary model format {raw.get('format')!r}, expected {MODEL_FORMAT}: retrain it")
        tables: dict[str, dict] = {}
        for name, table in raw["tables"].items():
            # By C-level maps: the pair tables hold 186,000 entries, loaded by every command.
            weights = map(float, table.values())
            if name in PAIRS:
                tables[name] = dict(zip(map(tuple, map(str.split, table, repeat(KEY_SEP))), weights, strict=True))
            else:
                tables[name] = dict(zip(table, weights, strict=True))
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


def _bucket_scorer(scores: list[list[float]]) -> SpaceScorer:
    """The score of a line's i-th open space at a left length, from its scores by left-length bucket."""
    def score_at(i: int, left_len: int) -> float:
        return scores[i][_BUCKET_INDEX[left_len] if left_len < _N_BUCKETS else _BIG]

    return score_at


def _split_long(starts: list[int], n: int, points: list[int], candidates: list[int], score_at: SpaceScorer
                ) -> list[int]:
    """A run-on sentence longer than MAX_SENTENCE is cut at its likeliest open clause boundary, again and again:
    no reader accepts a 600-character sentence, even where each single space looked like a continuation.

    `candidates` are the line's open spaces (word indices, ascending), `score_at` scores the i-th of them."""
    candidate_starts = [starts[k] for k in candidates]
    edges = [0, *points, n]
    out = set(points)
    while True:
        long = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a > MAX_SENTENCE]
        if not long:
            return sorted(out)
        added = False
        for a, b in long:
            # The open spaces at least MIN_PIECE from both ends of the run-on sentence, scored from its start.
            first = bisect_left(candidate_starts, a + MIN_PIECE)
            stop = bisect_right(candidate_starts, b - MIN_PIECE, first)
            options = [(score_at(i, pos - a), pos)
                       for i, pos in zip(range(first, stop), candidate_starts[first:stop], strict=True)]
            if options:
                out.add(max(options)[1])
                added = True
        if not added:
            return sorted(out)
        edges = [0, *sorted(out), n]


@lru_cache(maxsize=1)
def load_boundary_model(path: str = str(MODEL_PATH)) -> BoundaryModel | None:
    p = Path(path)
    if not p.is_file():
        return None

    def parts() -> tuple[dict, float, float, dict]:
        m = BoundaryModel.from_json(p.read_bytes())
        return m.tables, m.bias, m.threshold, m.trained_on

    # The JSON parsed into tables once, then kept (kcapture.cache): 0.08 s of every command -> 0.05.
    tables, bias, threshold, trained_on = kept_table("boundary-model", (p, Path(__file__)), parts)
    return BoundaryModel(tables, bias, threshold, dictionary_names(), trained_on)
