"""ThemeClassifier: themes (multi-label, one-vs-rest with per-label thresholds) and a facet (single label).

The same estimator trains on any labeled Thai data: each "head" is one label field, multi-label (a list per row) or
single-label (one value per row), so users can bring their own codebook. Scores are probabilities in [0, 1].
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from kcapture.classify.features import FeatureSettings, SentenceFeatures


@dataclass
class HeadSettings:
    C: float = 4.0
    class_weight: str | None = "balanced"
    tune_bias: bool = True  # single-label: per-class score offsets tuned for macro-F1 on held-out data
    context_weight: float = 1.0  # single-label heads also see the previous and next sentence of the same document
    context_dropout: float = 0.25  # share of training rows seen without context, so lone sentences work too
    # Multi-label heads: weight of the neighbours' words (0 = sentence alone); 0.6 won grouped cross-validation
    # (benchmarks/compare_engines.py, see the model card).
    theme_context_weight: float = 0.6
    refit_with_valid: bool = False  # after tuning thresholds on validation rows, refit the weights on train + valid
    # NB-LR (Wang & Manning 2012): each label's logistic regression sees the features scaled by that label's
    # naive-Bayes log-count ratio; single-label heads then fit one-vs-rest instead of multinomial. The scaling is folded
    # into the saved weights, so prediction and the model files are unchanged. Off by default.
    nb_scaling: bool = False
    nb_alpha: float = 1.0  # additive smoothing of the feature sums behind the ratio
    # Single-label heads as one binary logistic regression per class (softmax over their logits) instead of one
    # multinomial model: an order of magnitude faster to train on tens of thousands of sentences.
    single_ovr: bool = True
    # Single-label heads also see the words of the section heading a sentence stands under ("6. ปัญหาอุปสรรค" says
    # what the bullets after it are), at this weight; 0 = no heading block (models saved before it have none).
    # 0.5: facet macro-F1 0.773 vs 0.769 without in grouped cross-validation (benchmarks/compare_engines.py, model
    # card); on since the reviewed corpus, where without it a course objective under its heading tipped to `activity`.
    section_weight: float = 0.5
    # What the single-label offsets are tuned for: "macro" (macro-F1: rare classes count as much as common ones) or
    # "mean" (the mean of macro- and micro-F1: rare classes helped without giving up overall accuracy).
    bias_objective: str = "macro"
    # Multi-label heads also see the mean word vector of the whole document at this weight (what the document is
    # about); 0 = no document block. Rows without a document (no `doc`) see an empty block. 2.0 won grouped
    # cross-validation (theme macro-F1 0.639 without, 0.641 / 0.646 / 0.648 / 0.650 / 0.649 / 0.649 at 0.5 / 1 /
    # 1.5 / 2 / 3 / 4; benchmarks/compare_engines.py). Models saved before it have none (0.0 in their model.json).
    theme_document_weight: float = 2.0
    # The same document block for single-label heads (the facet); 0 = none.
    facet_document_weight: float = 0.0


# A numbered heading ("5. ปัจจัยความสำเร็จ", "2) วัตถุประสงค์") or a short line ending in a colon: what report
# templates, AAR flipcharts and minutes put above their points. Read from the text, so training rows and a Document's
# sentences are treated alike.
_SECTION_HEADING = re.compile(r"^\s*(?:(?:\d{1,2}|[๑-๙]{1,2})[.)]\s*\S.{0,50}|[^.!?]{2,50}[:：])\s*$")
_SECTION_HEADING_MAX = 60


def is_section_heading(text: str) -> bool:
    return len(text) <= _SECTION_HEADING_MAX and bool(_SECTION_HEADING.match(text))


def section_heads(texts: list[str], groups: list | None) -> np.ndarray:
    """For each row, the index of the nearest section heading before it in the same group (-1 when none)."""
    out = np.full(len(texts), -1)
    if groups is None:
        return out
    last = -1
    for i, t in enumerate(texts):
        if i > 0 and groups[i] != groups[i - 1]:
            last = -1
        out[i] = last
        if is_section_heading(t):
            last = i
    return out


def context_matrix(X: sp.csr_matrix, n_word: int, groups: list | None, weight: float,
                   drop: np.ndarray | None = None, sections: np.ndarray | None = None,
                   section_weight: float = 0.0, document_weight: float = 0.0) -> sp.csr_matrix:
    """[X | weight * words(previous sentence) | weight * words(next sentence)], neighbours within the same group;
    with `sections` (from `section_heads`) and a section weight, also | section_weight * words(section heading);
    with a document weight, also | document_weight * mean words of the group (empty without groups)."""
    W = X[:, :n_word]
    n = X.shape[0]
    lone = groups is None
    prev_idx, next_idx = _neighbours(groups, n, drop)

    def shifted(idx: np.ndarray, w: float) -> sp.csr_matrix:
        rows = np.flatnonzero(idx >= 0)
        sel = sp.csr_matrix((np.ones(len(rows)), (rows, idx[rows])), shape=(n, n))
        return sel @ W * w

    blocks = [X, shifted(prev_idx, weight), shifted(next_idx, weight)]
    if section_weight > 0:
        blocks.append(shifted(sections if sections is not None else np.full(n, -1), section_weight))
    if document_weight > 0:
        blocks.append(_document_means(W, None if lone else groups, drop) * document_weight)
    return sp.hstack(blocks, format="csr")


def _neighbours(groups: list | None, n: int, drop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The previous and next row of the same group for each row (-1 when none; rows in `drop` get none)."""
    if groups is None:
        return np.full(n, -1), np.full(n, -1)
    prev_idx = np.array([i - 1 if i > 0 and groups[i - 1] == groups[i] else -1 for i in range(n)], dtype=np.int64)
    next_idx = np.array([i + 1 if i + 1 < n and groups[i + 1] == groups[i] else -1 for i in range(n)], dtype=np.int64)
    if drop is not None:
        prev_idx[drop] = -1
        next_idx[drop] = -1
    return prev_idx, next_idx


def context_logits(block_product: Callable[[int], np.ndarray], n: int, n_labels: int, groups: list | None,
                   texts: list[str], weight: float, section_weight: float = 0.0) -> np.ndarray:
    """The context blocks' share of the logits, `context_matrix(...)[:, X.shape[1]:] @ coef.T` without building
    it: a linear model's logits are linear in the blocks, so each block is W @ its coefficients, moved to the
    neighbouring row. `block_product(k)` gives that product (n x n_labels) for the k-th block after X's columns
    (previous, next, then section heading when weighted); it is asked only for blocks some row reads."""
    prev_idx, next_idx = _neighbours(groups, n)
    blocks = [(prev_idx, weight), (next_idx, weight)]
    if section_weight > 0:
        blocks.append((section_heads(texts, groups), section_weight))
    out = np.zeros((n, n_labels))
    for k, (idx, w) in enumerate(blocks):
        rows = np.flatnonzero(idx >= 0)
        if len(rows):
            out[rows] += block_product(k)[idx[rows]] * w
    return out


# The document block averages at most this many consecutive sentences of a document: the corpus's documents are
# shorter (at most 42 sentences), and a long report or a whole archive gets the context of its own part, while
# training on rows whose `doc` is one long report stays within memory (rows x words of the stretch).
DOCUMENT_STRETCH = 50


def _stretches(groups: list) -> tuple[np.ndarray, int]:
    """A stretch index per row: consecutive rows of one group, DOCUMENT_STRETCH at a time; and how many there are."""
    out = np.empty(len(groups), dtype=np.int64)
    current, count, k = -1, 0, None
    for i, x in enumerate(groups):
        if i == 0 or x != k or count == DOCUMENT_STRETCH:
            current += 1
            count = 0
            k = x
        out[i] = current
        count += 1
    return out, current + 1


def _stretch_means(W: sp.csr_matrix, groups: list) -> tuple[np.ndarray, sp.csr_matrix]:
    """The stretch index of each row (`_stretches`) and the mean row of W over each stretch."""
    n = W.shape[0]
    g, n_stretches = _stretches(groups)
    member = sp.csr_matrix((np.ones(n), (g, np.arange(n))), shape=(n_stretches, n))
    sizes = np.asarray(member.sum(axis=1)).ravel()
    return g, sp.csr_matrix(sp.diags(1.0 / np.maximum(sizes, 1)) @ member @ W)


def _document_logits(W: sp.csr_matrix, groups: list | None, coef: np.ndarray, weight: float,
                     means: tuple[np.ndarray, sp.csr_matrix] | None = None) -> np.ndarray:
    """weight * document mean words @ coef.T for each row, computed per document: equal to
    `_document_means(W, groups, None) * weight @ coef.T` without building that matrix. `means`: what
    `_stretch_means(W, groups)` gives, when already made."""
    if groups is None:
        return np.zeros((W.shape[0], coef.shape[0]))
    g, means = means or _stretch_means(W, groups)
    return (np.asarray(means @ coef.T) * weight)[g]


def _document_means(W: sp.csr_matrix, groups: list | None, drop: np.ndarray | None) -> sp.csr_matrix:
    """Each row: the mean of its group's rows of W (rows in `drop`, and all rows without groups: empty)."""
    n = W.shape[0]
    if groups is None:
        return sp.csr_matrix((n, W.shape[1]), dtype=W.dtype)
    g, means = _stretch_means(W, groups)
    rows = np.ones(n)
    if drop is not None:
        rows[drop] = 0.0
    spread = sp.csr_matrix((rows, (np.arange(n), g)), shape=(n, means.shape[0]))
    return sp.csr_matrix(spread @ means)


@dataclass
class Head:
    name: str
    kind: str  # "multi" or "single"
    labels: list[str]
    coef: np.ndarray | None = None  # (n_labels, n_features)
    intercept: np.ndarray | None = None  # (n_labels,)
    thresholds: list[float] = field(default_factory=list)  # multi: per label
    bias: list[float] = field(default_factory=list)  # single: per class offsets added to log-probabilities
    context: bool = False  # reads the neighbouring sentences' words too (the facet head)

    def scores(self, X: sp.csr_matrix, extra_logits: np.ndarray | None = None) -> np.ndarray:
        """Scores of the rows of X; X may hold only the first columns of the features, the rest's contribution
        then comes as `extra_logits` (n_rows, n_labels)."""
        coef_t = np.ascontiguousarray(self.coef.T)  # the layout the sparse products read
        z = np.zeros((X.shape[0], len(self.labels)), dtype=np.result_type(X.dtype, coef_t.dtype))
        add_products(z, X, coef_t[: X.shape[1]])
        z = z + self.intercept
        if extra_logits is not None:
            z = z + extra_logits
        return self.activate(z)

    def activate(self, z: np.ndarray) -> np.ndarray:
        """Logits -> scores: a sigmoid per label (multi), a softmax over the labels (single)."""
        if self.kind == "multi":
            return 1.0 / (1.0 + np.exp(-z))
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, scores: np.ndarray) -> list:
        # C-level maps over the rows: a Python step per row (and per numpy integer) cost more than the numpy work.
        if self.kind == "multi":
            th = np.asarray(self.thresholds or [0.5] * len(self.labels))
            return list(map(list, map(itertools.compress, itertools.repeat(self.labels), (scores >= th).tolist())))
        adj = np.log(np.clip(scores, 1e-12, 1.0)) + np.asarray(self.bias or [0.0] * len(self.labels))
        return list(map(self.labels.__getitem__, adj.argmax(axis=1).tolist()))


def add_products(out: np.ndarray, m: sp.csr_matrix, dense: np.ndarray) -> None:
    """out += m @ dense, in place, row by row over m's stored entries in order: what `m @ dense` computes, added to
    what `out` holds. Adding a matrix's column blocks one after another this way gives the joined matrix's product to
    the bit (each row's sum is rounded in the same order), without joining the blocks."""
    from scipy.sparse._sparsetools import csr_matvecs  # what `csr_matrix @ dense` runs, minus the fresh result

    if m.dtype != out.dtype:
        m = m.astype(out.dtype)
    dense = np.ascontiguousarray(dense, dtype=out.dtype)
    target = out.reshape(-1)  # a view: `out` is a C-contiguous block of rows
    csr_matvecs(m.shape[0], m.shape[1], out.shape[1], m.indptr, m.indices, m.data, dense.reshape(-1), target)


@dataclass
class CoefficientTable:
    """Every head's coefficients side by side, as prediction reads them: one C-contiguous (features x all heads'
    labels) array whose row j holds each head's weights of feature j (zeros past a head's own features), and each
    head's coef a (labels x features) view of its columns. One sparse product then scores all heads: one pass over a
    block's entries, reading one row of weights per entry, where an array per head took a pass per head. Each
    column's sums are those of the head's own product (csr_matvecs sums every column alike), so the logits are the
    same to the bit."""

    table: np.ndarray
    columns: list[slice]  # each head's columns of the table
    views: list[np.ndarray]  # each head's coef, as handed out

    @classmethod
    def of(cls, coefs: list[np.ndarray], dtype: np.dtype | type = np.float64) -> CoefficientTable:
        """The table of (labels x features) arrays, in `dtype` (float32 weights widen exactly)."""
        table = np.zeros((max((c.shape[1] for c in coefs), default=0), sum(c.shape[0] for c in coefs)), dtype=dtype)
        columns, views, at = [], [], 0
        for c in coefs:
            cols = slice(at, at + c.shape[0])
            table[: c.shape[1], cols] = c.T
            columns.append(cols)
            views.append(table[: c.shape[1], cols].T)
            at = cols.stop
        return cls(table, columns, views)

    def holds(self, heads: list[Head]) -> bool:
        """Whether the heads' coefficients are still this table's views (none replaced since)."""
        return len(heads) == len(self.views) and all(h.coef is v for h, v in zip(heads, self.views, strict=True))


class _BlockProducts:
    """The products of a document's word block with the table's rows of each block after the first `width`
    (blocks as wide as the word block: previous, next sentence, ...), for all heads at once, each made when first
    asked for: W @ rows (moved to neighbouring sentences by context_logits), or the stretch means of W @ rows (the
    document block)."""

    def __init__(self, W: sp.csr_matrix, table: np.ndarray, width: int, groups: list | None):
        self.W, self.table, self.width, self.groups = W, table, width, groups
        self._words: dict[int, np.ndarray] = {}
        self._means: tuple[np.ndarray, sp.csr_matrix] | None = None

    def _rows(self, k: int) -> np.ndarray:
        v = self.W.shape[1]
        return self.table[self.width + k * v : self.width + (k + 1) * v]

    def words(self, k: int) -> np.ndarray:
        if k not in self._words:
            self._words[k] = np.asarray(self.W @ self._rows(k))
        return self._words[k]

    def document(self, k: int, columns: slice, weight: float) -> np.ndarray:
        """`_document_logits` of block k for the heads' `columns` (the stretch means made once)."""
        if self._means is None and self.groups is not None:
            self._means = _stretch_means(self.W, self.groups)
        return _document_logits(self.W, self.groups, self._rows(k).T, weight, self._means)[:, columns]


def _fit_binary(X, y, settings: HeadSettings, weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    if y.min() == y.max():  # a label never (or always) seen: constant score
        return np.zeros(X.shape[1]), (-8.0 if y.max() == 0 else 8.0)
    if settings.nb_scaling:
        return _fit_binary_nb(X, y, settings, weight)
    from sklearn.linear_model import LogisticRegression  # training only: prediction needs no scikit-learn

    # The dual problem: many more features than sentences, so liblinear solves it several times faster (same optimum).
    clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight, solver="liblinear", dual=True,
                             random_state=0, max_iter=1000)
    clf.fit(X, y, sample_weight=weight)
    return clf.coef_[0], float(clf.intercept_[0])


def nb_log_count_ratio(X, y: np.ndarray, alpha: float) -> np.ndarray:
    """log( (alpha + feature sums over y=1) normalised / (alpha + sums over y=0) normalised ), one value per column."""
    pos = alpha + np.asarray(X[y == 1].sum(axis=0), dtype=np.float64).ravel()
    neg = alpha + np.asarray(X[y == 0].sum(axis=0), dtype=np.float64).ravel()
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def _fit_binary_nb(X, y: np.ndarray, settings: HeadSettings, weight: np.ndarray | None = None
                   ) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    r = nb_log_count_ratio(X, y, settings.nb_alpha)
    Xr = sp.csr_matrix(X).multiply(r.astype(np.float32)).tocsr()
    clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight, solver="liblinear", dual=True,
                             random_state=0, max_iter=1000)
    clf.fit(Xr, y, sample_weight=weight)
    return clf.coef_[0] * r, float(clf.intercept_[0])  # (X * r) @ w == X @ (w * r)


def _fit_ovr_nb(X, y: np.ndarray, n_classes: int, settings: HeadSettings, weight: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Single-label head as one (NB-)LR per class; softmax over their logits gives the class scores."""
    coef = np.zeros((n_classes, X.shape[1]))
    intercept = np.full(n_classes, -20.0)
    for c in np.unique(y):
        coef[c], intercept[c] = _fit_binary(X, (y == c).astype(int), settings, weight)
    return coef, intercept


def _fit_multiclass(X, y: np.ndarray, n_classes: int, settings: HeadSettings, weight: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    if settings.nb_scaling or settings.single_ovr:
        return _fit_ovr_nb(X, y, n_classes, settings, weight)

    clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight, max_iter=2000)
    clf.fit(X, y, sample_weight=weight)
    coef = np.zeros((n_classes, X.shape[1]))
    intercept = np.full(n_classes, -20.0)
    if len(clf.classes_) == 2:  # sklearn stores one row for two classes
        coef[clf.classes_[1]] = clf.coef_[0] / 2
        coef[clf.classes_[0]] = -clf.coef_[0] / 2
        intercept[clf.classes_[1]] = clf.intercept_[0] / 2
        intercept[clf.classes_[0]] = -clf.intercept_[0] / 2
    else:
        for row, cls in enumerate(clf.classes_):
            coef[cls] = clf.coef_[row]
            intercept[cls] = clf.intercept_[row]
    return coef, intercept


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold maximising F1 of one label on held-out scores (0.5 if the label is absent)."""
    from sklearn.metrics import f1_score

    if y.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.05, 0.96, 0.025):
        f1 = f1_score(y, scores >= t, zero_division=0)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def tune_bias(scores: np.ndarray, y: np.ndarray, rounds: int = 3, objective: str = "macro") -> list[float]:
    """Per-class offsets on log-probabilities, by coordinate ascent on macro-F1 (helps rare classes), or on the mean
    of macro- and micro-F1 (objective="mean")."""
    from sklearn.metrics import f1_score

    if objective not in ("macro", "mean"):
        raise ValueError(f"bias_objective must be 'macro' or 'mean', not {objective!r}")
    n = scores.shape[1]
    logp = np.log(np.clip(scores, 1e-12, 1.0))
    bias = np.zeros(n)
    present = np.unique(y)

    def macro(b):
        pred = (logp + b).argmax(axis=1)
        value = f1_score(y, pred, labels=present, average="macro", zero_division=0)
        if objective == "mean":
            value = (value + float(np.mean(pred == y))) / 2  # micro-F1 of single-label predictions = accuracy
        return value

    best = macro(bias)
    for _ in range(rounds):
        for c in range(n):
            for delta in np.arange(-2.0, 2.01, 0.25):
                trial = bias.copy()
                trial[c] = delta
                score = macro(trial)
                if score > best + 1e-9:
                    best, bias = score, trial
    return [float(b) for b in bias]


class ThemeClassifier:
    """fit / predict over sentences; heads named after label fields ("themes" multi-label, "facet" single-label)."""

    def __init__(self, features: FeatureSettings | None = None, head: HeadSettings | None = None):
        self.feature_settings = features or FeatureSettings()
        self.head_settings = head or HeadSettings()
        self.features: SentenceFeatures | None = None
        self.heads: list[Head] = []
        self.coefficients: CoefficientTable | None = None  # the heads' coefficients as prediction reads them

    # -- training ---------------------------------------------------------------------------------------------
    def fit(self, texts: list[str], targets: dict[str, list], valid_texts: list[str] | None = None,
            valid_targets: dict[str, list] | None = None, tokens: list[list[str]] | None = None,
            groups: list | None = None, valid_groups: list | None = None,
            sample_weight: list[float] | None = None) -> ThemeClassifier:
        """targets: head name -> per-row labels (a list of labels for multi-label heads, one label or None otherwise).

        Thresholds and biases are tuned on the validation rows when given, else on 3-fold out-of-fold predictions
        (folds grouped by document when `groups` names one). `sample_weight` makes some rows count more (a user's
        corrections) without duplicating them.
        """
        w = np.asarray(sample_weight, dtype=np.float64) if sample_weight is not None else None
        self.features = SentenceFeatures(self.feature_settings)
        X = self.features.fit_transform(texts, tokens)
        Xv = self.features.transform(valid_texts) if valid_texts else None
        self.heads = []
        for name, values in targets.items():
            multi = any(isinstance(v, list) for v in values)
            if multi:
                labels = sorted({lab for v in values for lab in (v or [])})
                hs = self.head_settings
                use_ctx = hs.theme_context_weight > 0
                head = Head(name, "multi", labels, context=use_ctx)
                Xm, Xvm = X, Xv
                if use_ctx:
                    drop = np.random.default_rng(1).random(X.shape[0]) < hs.context_dropout
                    Xm = context_matrix(X, self.features.n_word_features, groups, hs.theme_context_weight, drop,
                                        document_weight=hs.theme_document_weight)
                    if Xv is not None:
                        Xvm = context_matrix(Xv, self.features.n_word_features, valid_groups, hs.theme_context_weight,
                                             document_weight=hs.theme_document_weight)
                Y = np.array([[lab in (v or []) for lab in labels] for v in values], dtype=int)
                head.coef = np.zeros((len(labels), Xm.shape[1]))
                head.intercept = np.zeros(len(labels))
                for j in range(len(labels)):
                    head.coef[j], head.intercept[j] = _fit_binary(Xm, Y[:, j], self.head_settings, w)
                if Xvm is not None:
                    Yv = np.array([[lab in (v or []) for lab in labels] for v in valid_targets[name]], dtype=int)
                    held_scores, held_y = head.scores(Xvm), Yv
                else:
                    held_scores, held_y = self._oof_multi(Xm, Y, groups, w), Y
                head.thresholds = [best_threshold(held_scores[:, j], held_y[:, j]) for j in range(len(labels))]
                if hs.refit_with_valid and Xvm is not None:
                    X_all, Y_all = sp.vstack([Xm, Xvm], format="csr"), np.vstack([Y, Yv])
                    for j in range(len(labels)):
                        head.coef[j], head.intercept[j] = _fit_binary(X_all, Y_all[:, j], hs)
            else:
                hs = self.head_settings
                rng = np.random.default_rng(0)
                drop = rng.random(X.shape[0]) < hs.context_dropout
                n_word = self.features.n_word_features
                X_single = context_matrix(X, n_word, groups, hs.context_weight, drop, section_heads(texts, groups),
                                          hs.section_weight, hs.facet_document_weight)
                Xv_single = context_matrix(Xv, n_word, valid_groups, hs.context_weight, None,
                                           section_heads(valid_texts, valid_groups),
                                           hs.section_weight, hs.facet_document_weight) if Xv is not None else None
                keep = [i for i, v in enumerate(values) if v is not None]
                labels = sorted({values[i] for i in keep})
                index = {lab: k for k, lab in enumerate(labels)}
                y = np.array([index[values[i]] for i in keep])
                head = Head(name, "single", labels, context=True)
                wk = w[keep] if w is not None else None
                head.coef, head.intercept = _fit_multiclass(X_single[keep], y, len(labels), self.head_settings, wk)
                if self.head_settings.tune_bias and len(labels) > 2:
                    if Xv_single is not None:
                        vkeep = [i for i, v in enumerate(valid_targets[name]) if v in index]
                        yv = np.array([index[valid_targets[name][i]] for i in vkeep])
                        head.bias = tune_bias(head.scores(Xv_single[vkeep]), yv, objective=hs.bias_objective)
                        if hs.refit_with_valid:
                            head.coef, head.intercept = _fit_multiclass(
                                sp.vstack([X_single[keep], Xv_single[vkeep]], format="csr"),
                                np.concatenate([y, yv]), len(labels), hs)
                    else:
                        kept_groups = [groups[i] for i in keep] if groups is not None else None
                        head.bias = tune_bias(self._oof_single(X_single[keep], y, len(labels), kept_groups, wk), y,
                                              objective=hs.bias_objective)
            self.heads.append(head)
        self.share_coefficients()
        return self

    @staticmethod
    def _folds(n: int, groups: list | None):
        """Held-out folds for tuning thresholds and biases: by document when rows name one (sentences of one
        document are alike, so a row-level split would tune on near-copies of the training rows)."""
        from sklearn.model_selection import GroupKFold, KFold

        if groups is not None and len(set(groups)) >= 3:
            return list(GroupKFold(3).split(np.zeros(n), groups=groups))
        return list(KFold(3, shuffle=True, random_state=0).split(np.zeros(n)))

    def _oof_multi(self, X, Y: np.ndarray, groups: list | None = None, weight: np.ndarray | None = None
                   ) -> np.ndarray:
        out = np.zeros(Y.shape)
        for tr, te in self._folds(X.shape[0], groups):
            for j in range(Y.shape[1]):
                w, b = _fit_binary(X[tr], Y[tr, j], self.head_settings, weight[tr] if weight is not None else None)
                out[te, j] = 1.0 / (1.0 + np.exp(-(X[te] @ w + b)))
        return out

    def _oof_single(self, X, y: np.ndarray, n: int, groups: list | None = None, weight: np.ndarray | None = None
                    ) -> np.ndarray:
        out = np.zeros((len(y), n))
        for tr, te in self._folds(len(y), groups):
            coef, intercept = _fit_multiclass(X[tr], y[tr], n, self.head_settings,
                                              weight[tr] if weight is not None else None)
            out[te] = Head("oof", "single", [""] * n, coef, intercept).scores(X[te])
        return out

    # -- prediction -------------------------------------------------------------------------------------------
    def predict_scores(self, texts: list[str], tokens: list[list[str]] | None = None,
                       groups: list | None = None) -> dict[str, np.ndarray]:
        """groups: a document id per text, in reading order (neighbours give the facet context); None = lone texts."""
        if self.features is None:
            raise RuntimeError("ThemeClassifier is not fitted")
        # The character block comes in slices of rows and is scored slice by slice, never held whole; the logits get
        # the word block's products, then each slice's, in the order of the joined matrix (add_products), for all
        # heads at once (CoefficientTable).
        coefficients = self._coefficients()
        table, dtype = coefficients.table, coefficients.table.dtype
        W, char_slices = self.features.transform_streamed(texts, tokens, dtype)
        W = W.astype(dtype, copy=False)  # once, rather than inside every product
        n_word, n_char = W.shape[1], self.features.chars.n_features
        width = n_word + n_char
        logits = np.zeros((W.shape[0], table.shape[1]), dtype=dtype)
        add_products(logits, W, table[:n_word])
        for lo, hi, C in char_slices:
            add_products(logits[lo:hi], C, table[n_word:width])
        blocks = _BlockProducts(W, table, width, groups)
        out = {}
        hs = self.head_settings
        for h, columns in zip(self.heads, coefficients.columns, strict=True):
            z = logits[:, columns] + h.intercept
            if h.context:
                if h.kind == "single":
                    weight, section, doc_weight = hs.context_weight, hs.section_weight, hs.facet_document_weight
                else:
                    weight, section, doc_weight = hs.theme_context_weight, 0.0, hs.theme_document_weight
                # The context and document blocks enter as logits computed per block (context_logits,
                # _document_logits), never as a rows x (3-4 x vocabulary) matrix: the same scores, less work.
                n_context = 3 if section > 0 else 2
                extra = context_logits(lambda k, columns=columns: blocks.words(k)[:, columns], W.shape[0],
                                       len(h.labels), groups, texts, weight, section)
                if doc_weight > 0:
                    extra += blocks.document(n_context, columns, doc_weight)
                z = z + extra
            out[h.name] = h.activate(z)
        return out

    def _coefficients(self) -> CoefficientTable:
        """The heads' CoefficientTable: the one laid out when the model was fitted or loaded, or one made now when a
        head's coefficients were replaced since."""
        if self.coefficients is not None and self.coefficients.holds(self.heads):
            return self.coefficients
        return CoefficientTable.of([h.coef for h in self.heads],
                                   np.result_type(np.float32, *(h.coef.dtype for h in self.heads)))

    def share_coefficients(self) -> None:
        """Lays the heads' coefficients out side by side for prediction (CoefficientTable, float64), each head's coef
        becoming its view: the same values."""
        self.coefficients = CoefficientTable.of([h.coef for h in self.heads])
        for h, view in zip(self.heads, self.coefficients.views, strict=True):
            h.coef = view

    def predict(self, texts: list[str], tokens: list[list[str]] | None = None,
                groups: list | None = None) -> list[dict]:
        """One dict per text: {head: labels, head + "_scores": {label: score}}."""
        if not texts:
            return []
        scores = self.predict_scores(texts, tokens, groups)
        keys, columns = [], []  # per head: its decisions, then its {label: score} dicts, one per row
        for head in self.heads:
            s = scores[head.name]
            keys += [head.name, head.name + "_scores"]
            columns.append(head.decide(s))
            columns.append(list(map(dict, map(zip, itertools.repeat(head.labels), np.round(s, 4).tolist()))))
        if not columns:  # a model without heads: an empty dict per text
            return [{} for _ in texts]
        # Each row's dict from the heads' columns by C-level maps, keys in the heads' order.
        return list(map(dict, map(zip, itertools.repeat(keys), zip(*columns, strict=True))))

    def head(self, name: str) -> Head | None:
        return next((h for h in self.heads if h.name == name), None)
