"""kcapture: offline Thai knowledge capture (ถอดบทเรียน) from field-visit notes."""

import os

__version__ = "0.1.0"

# OpenBLAS starts a worker thread per core that spins while waiting for work. kcapture's matrices are sparse and its
# dense products are a few labels wide, so the workers never help and their spinning cost 0.4 s of CPU on a
# 1.5 M-character analysis (8% of the run). Set before numpy loads OpenBLAS; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# scipy.sparse would otherwise import numpy's Fortran and unit-test tooling, unused here (kcapture/lazy_numpy.py).
from kcapture import lazy_numpy  # noqa: E402

lazy_numpy.install()
