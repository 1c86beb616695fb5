"""numpy's optional submodules made lazy before scipy is imported.

scipy's array-API layer (imported by scipy.sparse) copies every public name of numpy, and reading a name such as
`numpy.f2py` or `numpy.testing` imports that whole submodule: Fortran wrapping, unittest and their dependencies, which
kcapture never uses, cost 0.08 s of every command (scipy.sparse took 0.135 s to import instead of 0.055). Registered
first as lazy modules (`importlib.util.LazyLoader`), they are only loaded if something reads an attribute of them, so a
program that does use `numpy.testing` or `numpy.ma` still gets them whole.

`install()` (from kcapture/__init__.py) adds a finder that does this when scipy is first imported, so that importing
kcapture alone imports neither numpy nor scipy.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys

# What scipy's copy of numpy's names reaches and kcapture does not need.
DEFERRED = ("numpy.f2py", "numpy.testing", "numpy.ma", "numpy.ctypeslib")


def defer_unused_submodules() -> None:
    """Register each of DEFERRED as a lazy module (no-op for one already imported)."""
    import numpy

    for name in DEFERRED:
        child = name.rpartition(".")[2]
        if name in sys.modules or child in vars(numpy):
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)  # records what to load; nothing runs until an attribute is read
        # As the import system does for a loaded submodule: otherwise numpy's __getattr__ would import it again.
        setattr(numpy, child, module)


class _BeforeScipy(importlib.abc.MetaPathFinder):
    """Runs `defer_unused_submodules` when scipy starts to be imported, then finds nothing (the usual finders load
    scipy). It stays on sys.meta_path, idle: removing a finder while the import system walks that list skips the
    next one."""

    done = False

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001, ANN201 (importlib's signature)
        if not self.done and fullname == "scipy":
            self.done = True
            defer_unused_submodules()
        return None


def install() -> None:
    if "scipy" not in sys.modules and not any(isinstance(f, _BeforeScipy) for f in sys.meta_path):
        sys.meta_path.insert(0, _BeforeScipy())
