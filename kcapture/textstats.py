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


def key_dtype(n_rows: int, n_cols: int) -> type[np.signedinteger]:
    """The integer type of `row * n_cols + column` keys: 32 bits whenever they fit (a slice of a document: hundreds
    of rows), half the memory to sort."""
    return np.int32 if n_rows * n_cols < 2**31 else np.int64


def count_keys(key: np.ndarray, n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How often each `row * n_cols + column` key occurs, as a CSR's data (float32 counts), indices (int32 columns,
    sorted in each row) and indptr (int64). Sorts `key` in place; its dtype is `key_dtype(n_rows, n_cols)`."""
    key.sort()
    if len(key) == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(n_rows + 1, np.int64)
    starts_run = np.empty(len(key), dtype=bool)  # where a run of equal keys starts
    starts_run[0] = True
    np.not_equal(key[1:], key[:-1], out=starts_run[1:])
    first = np.flatnonzero(starts_run)
    counts = np.diff(first, append=len(key)).astype(np.float32)
    distinct = key[first]
    # Rows from the sorted keys by one binary search per row boundary, and columns by subtracting each row's first
    # key: integer division of every key cost more than the sort.
    row_starts = np.arange(n_rows + 1, dtype=key.dtype) * key.dtype.type(n_cols)
    indptr = np.searchsorted(distinct, row_starts).astype(np.int64, copy=False)
    cols = distinct - np.repeat(row_starts[:-1], np.diff(indptr))
    return counts, cols.astype(np.int32, copy=False), indptr


def count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> scipy.sparse.csr_matrix:
    """CSR of how often each (row, column) pair occurs, indices sorted: one sort of the pairs' keys (faster than
    scipy's COO -> CSR conversion with its per-row sort and duplicate summing)."""
    import scipy.sparse as sp  # here: the keyword functions of this module need no scipy

    dtype = key_dtype(n_rows, n_cols)
    key = rows.astype(dtype) * dtype(n_cols) + cols.astype(dtype, copy=False)
    if len(key) == 0:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    return sp.csr_matrix(count_keys(key, n_rows, n_cols), shape=(n_rows, n_cols))
