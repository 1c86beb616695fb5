"""Imported once by the batch's fork server (kcapture.batch): the heavy imports and the tokenizer's dictionary, so
that every worker process forked from it starts with them already loaded (and shares their memory pages)."""

from __future__ import annotations

import os

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import kcapture.classify  # noqa: E402,F401  (scikit-learn, SciPy: most of a worker's start-up time)
import kcapture.library  # noqa: E402,F401
import kcapture.summarize  # noqa: E402,F401
from kcapture.pipeline import document_from_bytes  # noqa: E402

# Loads the word list into the tokenizer and the segmenter's resources; the model is loaded per worker (its folder is
# only known when a batch starts).
try:
    document_from_bytes("บันทึกการเยี่ยมพื้นที่ ชุมชนบ้านหนองบัว\n\nผู้เข้าร่วม 20 คน เรียนรู้การจัดการขยะ".encode(), "preload.txt")
except Exception:  # noqa: BLE001 - never let the fork server die: workers then warm up on their own
    pass
