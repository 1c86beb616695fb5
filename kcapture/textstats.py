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

    # 32-bit keys whenever they fit (a slice of a document: hundreds of rows): half the memory to sort and divide.
    dtype = np.int32 if n_rows * n_cols < 2**31 else np.int64
    key = rows.astype(dtype) * dtype(n_cols) + cols.astype(dtype, copy=False)
    key.sort()
    if len(key) == 0:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    starts_run = np.empty(len(key), dtype=bool)  # where a run of equal keys starts
    starts_run[0] = True
    np.not_equal(key[1:], key[:-1], out=starts_run[1:])
    first = np.flatnonzero(starts_run)
    counts = np.diff(first, append=len(key)).astype(np.float32)
    row, col = np.divmod(key[first], n_cols)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((counts, col.astype(np.int32, copy=False), indptr), shape=(n_rows, n_cols))
