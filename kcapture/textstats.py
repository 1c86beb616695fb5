"""Term statistics shared by the classifier's vectorizers, the report's sentence vectors and the keywords."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse


def smoothed_idf(n_docs: int, df: np.ndarray | float) -> np.ndarray | float:
    """Inverse document frequency, smoothed as scikit-learn's TfidfVectorizer does: log((1 + n) / (1 + df)) + 1,
    so a term in every document still counts a little and none divides by zero."""
    return np.log((1 + n_docs) / (1 + np.asarray(df, dtype=np.float64))) + 1.0


def smoothed_idf_scalar(n_docs: int, df: int) -> float:
    """`smoothed_idf` of one term, without numpy's per-call overhead (keywords score tens of thousands of terms)."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0


def count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> scipy.sparse.csr_matrix:
    """CSR of how often each (row, column) pair occurs, indices sorted: one sort of the pairs' keys (faster than
    scipy's COO -> CSR conversion with its per-row sort and duplicate summing)."""
    import scipy.sparse as sp  # here: the keyword functions of this module need no scipy

    key = rows.astype(np.int64) * n_cols + cols
    key.sort()
    if len(key) == 0:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    first = np.concatenate([[0], np.flatnonzero(key[1:] != key[:-1]) + 1])
    counts = np.diff(np.append(first, len(key))).astype(np.float32)
    unique = key[first]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique // n_cols, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((counts, (unique % n_cols).astype(np.int32), indptr), shape=(n_rows, n_cols))
