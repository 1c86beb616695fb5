"""`kcapture train` and `kcapture evaluate`: any labeled Thai JSONL, single- or multi-label."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kcapture.classify.data import column, per_label_report, pick_label_fields, pick_text_field, read_jsonl, texts_of
from kcapture.classify.model import ThemeClassifier
from kcapture.classify.persist import save_model
from kcapture.errors import InvalidInputError


def train_from_rows(rows: list[dict], text_field: str | None = None, label_field: str | None = None,
                    valid_rows: list[dict] | None = None, model: ThemeClassifier | None = None,
                    sample_weight: list[float] | None = None) -> ThemeClassifier:
    tf = pick_text_field(rows, text_field)
    fields = pick_label_fields(rows, label_field)
    texts = texts_of(rows, tf)
    targets = {f: column(rows, f) for f in fields}
    for f, values in targets.items():
        distinct = {lab for v in values for lab in (v if isinstance(v, list) else [v]) if lab}
        if len(distinct) < 2:
            raise InvalidInputError(f"ฟิลด์ '{f}' ต้องมีป้ายกำกับอย่างน้อย 2 แบบ",
                                    f"field '{f}' needs at least 2 distinct labels to train")
    valid_texts = valid_targets = None
    if valid_rows:
        valid_texts = texts_of(valid_rows, pick_text_field(valid_rows, tf))
        valid_targets = {f: column(valid_rows, f, multi=isinstance(targets[f][0], list)) for f in fields}
    model = model or ThemeClassifier()
    groups = [r.get("doc") for r in rows] if all("doc" in r for r in rows) else None
    valid_groups = None
    if valid_rows and all("doc" in r for r in valid_rows):
        valid_groups = [r.get("doc") for r in valid_rows]
    return model.fit(texts, targets, valid_texts, valid_targets, groups=groups, valid_groups=valid_groups,
                     sample_weight=sample_weight)


def model_from_settings(settings: str | None) -> ThemeClassifier:
    """A ThemeClassifier from a JSON object of FeatureSettings and HeadSettings fields (or a path to one)."""
    from dataclasses import fields

    from kcapture.classify.features import FeatureSettings
    from kcapture.classify.model import HeadSettings

    if not settings:
        return ThemeClassifier()
    try:
        raw = json.loads(Path(settings).read_text(encoding="utf-8") if Path(settings).is_file() else settings)
    except (json.JSONDecodeError, OSError) as err:
        raise InvalidInputError("--settings ต้องเป็น JSON", f"--settings must be a JSON object: {err}") from err
    feat_keys = {f.name for f in fields(FeatureSettings)}
    head_keys = {f.name for f in fields(HeadSettings)}
    unknown = set(raw) - feat_keys - head_keys
    if unknown:
        raise InvalidInputError(f"ไม่รู้จักค่าตั้ง {sorted(unknown)}", f"unknown settings {sorted(unknown)}")
    feat = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in feat_keys}
    head = {k: v for k, v in raw.items() if k in head_keys}
    return ThemeClassifier(FeatureSettings(**feat), HeadSettings(**head))


def train_command(data: str, out: str, text_field: str | None = None, label_field: str | None = None,
                  valid: str | None = None, settings: str | None = None) -> None:
    rows = read_jsonl(data)
    valid_rows = read_jsonl(valid) if valid else None
    t0 = time.perf_counter()
    model = train_from_rows(rows, text_field, label_field, valid_rows, model=model_from_settings(settings))
    seconds = time.perf_counter() - t0
    info = {"data": Path(data).name, "valid": Path(valid).name if valid else None, "rows": len(rows),
            "train_seconds": round(seconds, 1)}
    save_model(model, out, info)
    print(f"ฝึกโมเดลเสร็จ / trained on {len(rows)} rows in {seconds:.1f} s -> {out}", file=sys.stderr)
    if valid_rows:
        report = evaluate_rows(model, valid_rows, text_field, label_field)
        print(f"validation: micro-F1 {report['micro_f1']:.3f} macro-F1 {report['macro_f1']:.3f}", file=sys.stderr)


def evaluate_rows(model: ThemeClassifier, rows: list[dict], text_field: str | None = None,
                  label_field: str | None = None) -> dict:
    tf = pick_text_field(rows, text_field)
    texts = texts_of(rows, tf)
    heads = [h for h in model.heads if label_field in (None, h.name)]
    if label_field and not heads:
        raise InvalidInputError(f"โมเดลนี้ไม่มีป้ายกำกับ '{label_field}'", f"this model has no head '{label_field}'")
    missing = [h.name for h in heads if not any(h.name in r for r in rows[:100])]
    if missing:
        raise InvalidInputError(f"ข้อมูลไม่มีฟิลด์ {missing}", f"the data has no gold field(s) {missing}")
    groups = [r.get("doc") for r in rows] if all("doc" in r for r in rows) else None
    preds = model.predict(texts, groups=groups)
    reports = {}
    for h in heads:
        gold = column(rows, h.name, multi=h.kind == "multi")
        pred = [p[h.name] for p in preds]
        if h.kind == "single":
            keep = [i for i, g in enumerate(gold) if g is not None]
            gold = [gold[i] for i in keep]
            pred = [pred[i] for i in keep]
        reports[h.name] = per_label_report(gold, pred, h.labels, multi=h.kind == "multi")
    first = reports[heads[0].name]
    result = dict(first)
    if len(reports) > 1:
        result["heads"] = reports
    return result


def human_f1(agreement: dict) -> dict[str, dict[str, float]]:
    """Per-label F1 between two annotators (the `kcapture agreement --output` report), by head: the human ceiling."""
    themes = {t["label"]: t["f1"] for t in agreement.get("themes", [])}
    facets = {t["label"]: t["f1"] for t in agreement.get("facet_labels", [])}
    return {"themes": {**themes, "__macro__": agreement.get("theme_macro_f1")},
            "facet": {**facets, "__macro__": (agreement.get("facet") or {}).get("f1")}}


def format_report(result: dict, human: dict[str, dict[str, float]] | None = None) -> str:
    """The per-label table; with `human` (human_f1), the annotators' agreement F1 beside every model F1."""
    lines = []
    for name, rep in (result.get("heads") or {"": result}).items():
        title = f"[{name}] " if name else ""
        ceiling = (human or {}).get(name) or {}
        macro_h = f"  (human agreement macro-F1={ceiling['__macro__']:.3f})" if ceiling.get("__macro__") else ""
        lines.append(f"{title}n={rep['n']}  micro-F1={rep['micro_f1']:.3f}  macro-F1={rep['macro_f1']:.3f}{macro_h}")
        extra = f"{'human F1':>10}" if ceiling else ""
        lines.append(f"  {'label':<26}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}{extra}")
        for lab, m in rep["per_label"].items():
            h = f"{ceiling[lab]:>10.3f}" if lab in ceiling else (f"{'':>10}" if ceiling else "")
            lines.append(f"  {lab:<26}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10}{h}")
    return "\n".join(lines)


def evaluate_command(data: str, model_dir: str | None = None, text_field: str | None = None,
                     label_field: str | None = None, human: str | None = None) -> None:
    from kcapture.classify import DEFAULT_MODEL, get_model

    model = get_model(model_dir or DEFAULT_MODEL)
    rows = read_jsonl(data)
    result = evaluate_rows(model, rows, text_field, label_field)
    ceiling = None
    if human:
        try:
            ceiling = human_f1(json.loads(Path(human).read_text(encoding="utf-8")))
        except (OSError, ValueError, AttributeError) as err:
            raise InvalidInputError(f"อ่านไฟล์ความสอดคล้องของผู้ติดป้าย {human} ไม่ได้",
                                    f"cannot read the annotator agreement {human}") from err
    print(format_report(result, ceiling))
    print(json.dumps(result, ensure_ascii=False))
