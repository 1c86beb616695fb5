"""numpy's optional submodules are lazy once kcapture is imported (kcapture/lazy_numpy.py): scipy.sparse no longer
pulls in numpy's Fortran and unit-test tooling, and a program that does use them still gets them whole."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import kcapture
import scipy.sparse
print("f2py loaded early:", "numpy.f2py.crackfortran" in sys.modules)
print("testing loaded early:", "numpy.testing._private.utils" in sys.modules)
import numpy
from numpy.testing import assert_array_equal
assert_array_equal(numpy.arange(3), [0, 1, 2])
print("masked sum:", numpy.ma.masked_array([1, 2, 3], mask=[0, 1, 0]).sum())
print("f2py usable:", callable(numpy.f2py.get_include))
"""


def test_scipy_sparse_imports_without_numpys_optional_tooling_which_still_works_when_used():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "f2py loaded early: False" in out.stdout
    assert "testing loaded early: False" in out.stdout
    assert "masked sum: 4" in out.stdout
    assert "f2py usable: True" in out.stdout
