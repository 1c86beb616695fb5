"""The built-in sample visit, analysed ahead of time so that the app's first screen needs no model and no pipeline.

`kcapture/data/sample_visit.md` is the sample; `kcapture/data/sample_visit.prepared.json` is its Document
(Document.to_dict, tagged by the shipped model) and what the library keeps of its Analysis. The prepared file names
the sample's hash and the model's fingerprint: the library uses it only when both still match (else it analyses the
sample as any upload). Rebuild it after changing the model or the pipeline:

    python -m kcapture.sample
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kcapture.resources import default_model_dir, sample_visit

PREPARED = sample_visit().with_name("sample_visit.prepared.json")
FORMAT = 1


def model_fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("model.json", "arrays.npz"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def prepare() -> dict:
    """Analyse the sample with the shipped model: the prepared record."""
    from kcapture.library.importer import analysis_metadata
    from kcapture.pipeline import Pipeline

    data = sample_visit().read_bytes()
    analysis = Pipeline(model=default_model_dir())(data, sample_visit().name)
    return {"format": FORMAT, "sample_sha256": hashlib.sha256(data).hexdigest(),
            "model": model_fingerprint(default_model_dir()), "document": analysis.document.to_dict(),
            "metadata": analysis_metadata(analysis)}


def load_prepared(model_dir: Path) -> dict | None:
    """The prepared record, if it was made from this sample with this model (else None: analyse it afresh)."""
    try:
        record = json.loads(PREPARED.read_text(encoding="utf-8"))
        if (record.get("format") == FORMAT
                and record["sample_sha256"] == hashlib.sha256(sample_visit().read_bytes()).hexdigest()
                and record["model"] == model_fingerprint(model_dir)):
            return record
    except (OSError, ValueError, KeyError):
        pass
    return None


if __name__ == "__main__":
    PREPARED.write_text(json.dumps(prepare(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {PREPARED}")
