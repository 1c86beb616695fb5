"""Where kcapture's own files are: the default model, the codebook, the corpus retraining needs, the built-in sample
and the Streamlit app; and where PyThaiNLP's installed corpus files are.

In a source checkout they are the project's top-level files (models/, corpora/, app.py), edited in place. A built
wheel carries copies of them inside the package (kcapture/bundled/, made by setup.py's build step), read through
importlib.resources, so an installed kcapture works from any folder without the checkout.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
BUNDLE_DIR = "bundled"  # inside the package, in a wheel
# What the wheel's build step copies into the bundle: (path in the checkout, path in the bundle).
BUNDLED_FILES: tuple[tuple[str, str], ...] = (
    ("models/kcapture-default/model.json", "models/kcapture-default/model.json"),
    ("models/kcapture-default/arrays.npz", "models/kcapture-default/arrays.npz"),
    ("models/kcapture-default/README.md", "models/kcapture-default/README.md"),
    ("corpora/codebook.toml", "corpora/codebook.toml"),
    ("corpora/train.jsonl", "corpora/train.jsonl"),
    ("corpora/valid.jsonl", "corpora/valid.jsonl"),
    ("corpora/test.jsonl", "corpora/test.jsonl"),
    ("app.py", "app.py"),
)


def _find(relative: str) -> Path:
    """A bundled file in an installed wheel, else the checkout's own file."""
    bundled = Path(str(resources.files("kcapture").joinpath(BUNDLE_DIR, relative)))
    if bundled.exists():
        return bundled
    return _CHECKOUT / relative


def default_model_dir() -> Path:
    return _find("models/kcapture-default")


def codebook_path() -> Path:
    return _find("corpora/codebook.toml")


def corpus_dir() -> Path:
    """train/valid/test.jsonl for (re)training: env KCAPTURE_CORPORA, else the shipped corpus."""
    return Path(os.environ.get("KCAPTURE_CORPORA") or _find("corpora"))


def app_script() -> Path:
    return _find("app.py")


def sample_visit() -> Path:
    return _PACKAGE / "data" / "sample_visit.md"


def pythainlp_corpus_file(name: str) -> Path:
    """A file of PyThaiNLP's own corpus folder (installed with it: word lists, TNC frequencies, Wikipedia titles, the
    NER model), by name. It may be absent; callers say what they do without it."""
    return Path(str(resources.files("pythainlp.corpus").joinpath(name)))
