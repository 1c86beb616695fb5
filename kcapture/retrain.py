""""Retrain with my corrections", safely: a candidate model from the shipped corpus + the library's corrections and
custom-theme examples, compared with the model in use on held-out sentences the corrections never touched, and made
active only when the user says so.

- The candidate is trained the way the model in use was (same feature and head settings) on the corpus's training
  sentences, where a user's correction replaces the corpus label of the same sentence; corrections and examples count
  through sample weights (CORRECTION_WEIGHT), never as duplicated rows.
- Both models are scored on the corpus test split minus every sentence a correction touched (`held_out_rows`), per
  label, with the same metric code as `kcapture evaluate`; the result says, label by label, what got better or worse,
  and `worse` is true when either headline macro-F1 drops by more than WORSE_MARGIN.
- The candidate is saved as a new model version, inactive: `Library.activate_model` (the app's confirm button) makes
  it the one in use. Every version is kept for roll-back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kcapture.library import CORRECTION_WEIGHT, Library, corpora_dir

WORSE_MARGIN = 0.005  # a drop in macro-F1 smaller than this is noise, not "worse"


@dataclass
class RetrainResult:
    version: int
    path: Path
    before: dict  # headline figures of the model in use
    after: dict  # of the candidate
    per_label: list[dict] = field(default_factory=list)  # {"head", "label", "before", "after", "change"} (F1)
    worse: bool = False
    active: bool = False
    n_corrections: int = 0
    n_examples: int = 0
    n_held_out: int = 0
    seconds: float = 0.0


def _report(model, rows: list[dict]) -> dict:
    from kcapture.classify.training import evaluate_rows

    rep = evaluate_rows(model, rows)
    return rep.get("heads") or {"themes": rep}


def figures(model, test_rows: list[dict], corrections: list[dict] | None = None, report: dict | None = None) -> dict:
    """Headline figures of a model: themes micro/macro-F1 and facet accuracy/macro-F1 on labeled rows, and how many
    of the user's corrections it reproduces."""
    out: dict = {"n_test": len(test_rows)}
    if test_rows:
        heads = report if report is not None else _report(model, test_rows)
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


def compare_labels(before: dict, after: dict) -> list[dict]:
    """Per-label F1 before and after, from two `evaluate_rows` head reports."""
    rows = []
    for head in ("themes", "facet"):
        b, a = before.get(head, {}).get("per_label", {}), after.get(head, {}).get("per_label", {})
        for label in sorted(set(b) | set(a)):
            fb, fa = b.get(label, {}).get("f1"), a.get(label, {}).get("f1")
            change = round(fa - fb, 4) if fa is not None and fb is not None else None
            rows.append({"head": head, "label": label, "before": fb, "after": fa, "change": change,
                         "support": (a.get(label) or b.get(label) or {}).get("support")})
    return rows


def is_worse(before: dict, after: dict, margin: float = WORSE_MARGIN) -> bool:
    return any(after.get(k) is not None and before.get(k) is not None and after[k] < before[k] - margin
               for k in ("themes_macro_f1", "facet_macro_f1"))


def training_set(lib: Library, corpus: Path | None = None) -> tuple[list[dict], list[float], int, int]:
    """Corpus training rows (a correction replaces the label of the same sentence and weighs CORRECTION_WEIGHT), plus
    the corrections of sentences outside the corpus and the custom-theme examples, weighted the same."""
    from kcapture.classify.data import read_jsonl

    folder = corpus or corpora_dir()
    rows = []
    for name in ("train.jsonl", "valid.jsonl"):
        if (folder / name).exists():
            rows += read_jsonl(folder / name)
    extra = lib.training_rows()
    corrected = {r["text"]: r for r in extra if r["source"] == "correction"}
    out, weights, used = [], [], set()
    for r in rows:
        c = corrected.get(r.get("text"))
        if c is not None:
            used.add(c["text"])
            out.append({"text": r["text"], "themes": list(c["themes"]), "facet": c["facet"] or r.get("facet"),
                        "doc": r.get("doc")})
            weights.append(float(CORRECTION_WEIGHT))
        else:
            out.append({"text": r["text"], "themes": list(r.get("themes") or []), "facet": r.get("facet"),
                        "doc": r.get("doc")})
            weights.append(1.0)
    for i, r in enumerate(extra):
        if r["source"] == "correction" and r["text"] in used:
            continue
        out.append({"text": r["text"], "themes": list(r["themes"]), "facet": r["facet"], "doc": f"library-{i}"})
        weights.append(float(CORRECTION_WEIGHT))
    n_corr = sum(r["source"] == "correction" for r in extra)
    return out, weights, n_corr, len(extra) - n_corr


def held_out_rows(lib: Library, corpus: Path | None = None) -> list[dict]:
    """The corpus test split minus every sentence a correction or an example touched: what both models are judged on."""
    from kcapture.classify.data import read_jsonl

    path = (corpus or corpora_dir()) / "test.jsonl"
    if not path.exists():
        return []
    touched = {r["text"] for r in lib.training_rows()}
    return [r for r in read_jsonl(path) if r.get("text") not in touched]


def retrain(lib: Library, progress: Callable[[float, str], None] | None = None, activate: bool = False,
            retag: bool = True) -> RetrainResult:
    """Train, compare and save a candidate model version. It becomes the model in use only with `activate` (the app
    asks the user first); `Library.activate_model(result.version)` does it later."""
    from kcapture.classify import ThemeClassifier, save_model
    from kcapture.classify.training import train_from_rows

    def step(frac: float, msg: str) -> None:
        if progress:
            progress(frac, msg)

    t0 = time.perf_counter()
    step(0.05, "เตรียมข้อมูล / preparing data")
    rows, weights, n_corr, n_ex = training_set(lib)
    held = held_out_rows(lib)
    corrections = [r for r in lib.training_rows() if r["source"] == "correction"]
    base_version, old = lib.model()
    step(0.15, "วัดผลโมเดลเดิม / measuring the model in use")
    old_report = _report(old, held) if held else {}
    before = figures(old, held, corrections, old_report)
    step(0.3, "ฝึกโมเดลใหม่ / training")
    # The same recipe as the model in use, so that only the data changes.
    features = getattr(getattr(old, "features", None), "settings", None)
    template = ThemeClassifier(features, getattr(old, "head_settings", None))
    model = train_from_rows(rows, model=template, sample_weight=weights)
    step(0.75, "วัดผลโมเดลใหม่ / measuring the new model")
    new_report = _report(model, held) if held else {}
    after = figures(model, held, corrections, new_report)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    n = len(lib.model_versions()) + 1
    folder = lib.models_dir / f"v{n:03d}-{stamp}"
    save_model(model, folder, {"data": "train.jsonl + valid.jsonl + library corrections (weighted)", "rows": len(rows),
                               "corrections": n_corr, "examples": n_ex, "base_version": base_version,
                               "held_out": len(held)})
    base_label = f"v{base_version}" if base_version else "base"
    worse = is_worse(before, after)
    note = f"{n_corr} corrections, {n_ex} examples" + (" · WORSE" if worse else "")
    version = lib.add_model_version(folder, note=note, base=base_label, n_corrections=n_corr, n_examples=n_ex,
                                    metrics_before=before, metrics_after=after, activate=activate)
    if activate and retag:
        step(0.85, "ติดแท็กเอกสารในคลังใหม่ / re-tagging the library")
        lib.retag()
    step(1.0, "เสร็จ / done")
    return RetrainResult(version, folder, before, after, compare_labels(old_report, new_report), worse, activate,
                         n_corr, n_ex, len(held), time.perf_counter() - t0)
