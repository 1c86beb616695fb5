""""Retrain with my corrections": a new model version from the bundled corpus + the library's corrections + the
examples of custom themes, with before/after figures on the held-out test set. Previous versions are kept, so the
app can roll back to any of them (or to the base model).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kcapture.library import CORRECTION_WEIGHT, Library, corpora_dir


@dataclass
class RetrainResult:
    version: int
    path: Path
    before: dict
    after: dict
    n_corrections: int
    n_examples: int
    seconds: float


def figures(model, test_rows: list[dict], corrections: list[dict] | None = None) -> dict:
    """Headline figures of a model: themes micro/macro-F1 and facet accuracy/macro-F1 on labeled rows, and how many
    of the user's corrections it reproduces."""
    from kcapture.classify.training import evaluate_rows

    out: dict = {"n_test": len(test_rows)}
    if test_rows:
        rep = evaluate_rows(model, test_rows)
        heads = rep.get("heads") or {model.heads[0].name: rep}
        if "themes" in heads:
            out["themes_micro_f1"] = heads["themes"]["micro_f1"]
            out["themes_macro_f1"] = heads["themes"]["macro_f1"]
        if "facet" in heads:
            out["facet_accuracy"] = heads["facet"]["micro_f1"]
            out["facet_macro_f1"] = heads["facet"]["macro_f1"]
    if corrections:
        preds = model.predict([c["text"] for c in corrections])
        agree = sum(sorted(p.get("themes", [])) == sorted(c["themes"]) and (c.get("facet") in (None, p.get("facet")))
                    for p, c in zip(preds, corrections, strict=True))
        out["corrections_n"] = len(corrections)
        out["corrections_agree"] = round(agree / len(corrections), 4)
    return out


def training_set(lib: Library, corpus: Path | None = None) -> tuple[list[dict], int, int]:
    """Corpus rows (labels replaced where the user corrected the same sentence) + weighted corrections and examples."""
    from kcapture.classify.data import read_jsonl

    rows = read_jsonl(corpus or corpora_dir() / "train.jsonl")
    extra = lib.training_rows()
    corrected = {r["text"]: r for r in extra if r["source"] == "correction"}
    base = []
    for r in rows:
        c = corrected.get(r.get("text"))
        base.append({"text": r["text"], "themes": c["themes"], "facet": c["facet"] or r.get("facet")} if c
                    else {"text": r["text"], "themes": list(r.get("themes") or []), "facet": r.get("facet")})
    for r in extra:
        base.extend({"text": r["text"], "themes": list(r["themes"]), "facet": r["facet"]}
                    for _ in range(CORRECTION_WEIGHT))
    n_corr = sum(r["source"] == "correction" for r in extra)
    return base, n_corr, len(extra) - n_corr


def retrain(lib: Library, progress: Callable[[float, str], None] | None = None, activate: bool = True,
            retag: bool = True) -> RetrainResult:
    from kcapture.classify import save_model
    from kcapture.classify.data import read_jsonl
    from kcapture.classify.training import train_from_rows

    def step(frac: float, msg: str) -> None:
        if progress:
            progress(frac, msg)

    t0 = time.perf_counter()
    step(0.05, "เตรียมข้อมูล / preparing data")
    rows, n_corr, n_ex = training_set(lib)
    valid_path, test_path = corpora_dir() / "valid.jsonl", corpora_dir() / "test.jsonl"
    valid = read_jsonl(valid_path) if valid_path.exists() else None
    test = read_jsonl(test_path) if test_path.exists() else []
    corrections = [r for r in lib.training_rows() if r["source"] == "correction"]
    base_version, old = lib.model()
    step(0.15, "วัดผลโมเดลเดิม / measuring the current model")
    before = figures(old, test, corrections)
    step(0.3, "ฝึกโมเดลใหม่ / training")
    model = train_from_rows(rows, valid_rows=valid)
    step(0.75, "วัดผลโมเดลใหม่ / measuring the new model")
    after = figures(model, test, corrections)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    n = len(lib.model_versions()) + 1
    folder = lib.models_dir / f"v{n:03d}-{stamp}"
    save_model(model, folder, {"data": "train.jsonl + library corrections", "rows": len(rows),
                               "corrections": n_corr, "examples": n_ex, "base_version": base_version})
    base_label = f"v{base_version}" if base_version else "base"
    version = lib.add_model_version(folder, note=f"{n_corr} corrections, {n_ex} examples", base=base_label,
                                    n_corrections=n_corr, n_examples=n_ex, metrics_before=before,
                                    metrics_after=after, activate=activate)
    if activate and retag:
        step(0.85, "ติดแท็กเอกสารในคลังใหม่ / re-tagging the library")
        lib.retag()
    step(1.0, "เสร็จ / done")
    return RetrainResult(version, folder, before, after, n_corr, n_ex, time.perf_counter() - t0)
