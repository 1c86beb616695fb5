"""Term statistics shared by the classifier's vectorizers, the report's sentence vectors and the keywords."""

from __future__ import annotations

import math

import numpy as np


def smoothed_idf(n_docs: int, df: np.ndarray | float) -> np.ndarray | float:
    """Inverse document frequency, smoothed as scikit-learn's TfidfVectorizer does: log((1 + n) / (1 + df)) + 1,
    so a term in every document still counts a little and none divides by zero."""
    return np.log((1 + n_docs) / (1 + np.asarray(df, dtype=np.float64))) + 1.0


def smoothed_idf_scalar(n_docs: int, df: int) -> float:
    """`smoothed_idf` of one term, without numpy's per-call overhead (keywords score tens of thousands of terms)."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0
