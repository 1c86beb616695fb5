"""Build step only (the project is described in pyproject.toml): a wheel carries the default model, the codebook, the
corpus retraining needs and the app inside the package (kcapture/bundled/), so an installed kcapture needs no checkout.
The list of files is kcapture.resources.BUNDLED_FILES; an editable install reads them in place instead."""

import ast
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _bundled_files() -> tuple[tuple[str, str], ...]:
    """kcapture.resources.BUNDLED_FILES, read without importing the package (its dependencies may be absent)."""
    tree = ast.parse((ROOT / "kcapture" / "resources.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "BUNDLED_FILES":
            return ast.literal_eval(node.value)
    raise RuntimeError("BUNDLED_FILES not found in kcapture/resources.py")


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        bundle = Path(self.build_lib) / "kcapture" / "bundled"
        for src, dst in _bundled_files():
            target = bundle / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / src, target)


setup(cmdclass={"build_py": BuildWithBundle})
