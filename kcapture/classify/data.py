"""Labeled JSONL: reading rows, choosing the text and label fields, and per-label metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kcapture.errors import InvalidInputError

TEXT_FIELDS = ("text", "texts", "sentence")
LABEL_FIELDS = ("label", "labels", "category", "class")


def read_jsonl(path: str | Path) -> list[dict]:
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"ไม่พบไฟล์ {p}", f"file not found: {p}")
    rows = []
    try:
        with open(p, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise InvalidInputError(
                        f"{p.name} บรรทัด {n}: ไม่ใช่ JSON ที่ถูกต้อง", f"{p.name} line {n}: not valid JSON ({err.msg})"
                    ) from err
                if not isinstance(row, dict):
                    raise InvalidInputError(f"{p.name} บรรทัด {n}: ต้องเป็นออบเจกต์ JSON",
                                            f"{p.name} line {n}: each line must be a JSON object")
                rows.append(row)
    except UnicodeDecodeError as err:
        raise InvalidInputError(f"{p.name} ไม่ได้เข้ารหัสแบบ UTF-8", f"{p.name} is not UTF-8") from err
    if not rows:
        raise InvalidInputError(f"{p.name} ไม่มีข้อมูล", f"{p.name} has no rows")
    return rows


def pick_text_field(rows: list[dict], given: str | None) -> str:
    if given:
        if not all(given in r for r in rows[:100]):
            raise InvalidInputError(f"ไม่พบฟิลด์ข้อความ '{given}'", f"text field '{given}' not found in the rows")
        return given
    for name in TEXT_FIELDS:
        if name in rows[0]:
            return name
    raise InvalidInputError("ไม่พบฟิลด์ข้อความ (ระบุด้วย --text-field)", "no text field found (use --text-field)")


def pick_label_fields(rows: list[dict], given: str | None) -> list[str]:
    """The project's corpus trains two heads (themes, facet); other data one head, named by its field."""
    if given:
        if not any(given in r for r in rows[:100]):
            raise InvalidInputError(f"ไม่พบฟิลด์ป้ายกำกับ '{given}'", f"label field '{given}' not found in the rows")
        return [given]
    if "themes" in rows[0] and "facet" in rows[0]:
        return ["themes", "facet"]
    for name in LABEL_FIELDS + ("themes", "facet"):
        if name in rows[0]:
            return [name]
    raise InvalidInputError("ไม่พบฟิลด์ป้ายกำกับ (ระบุด้วย --label-field)", "no label field found (use --label-field)")


def column(rows: list[dict], field: str, multi: bool | None = None) -> list:
    values = [r.get(field) for r in rows]
    if multi is None:
        multi = any(isinstance(v, list) for v in values)
    if multi:
        return [list(v) if isinstance(v, list) else ([v] if v else []) for v in values]
    return [None if v in (None, "") else str(v) for v in values]


def texts_of(rows: list[dict], field: str) -> list[str]:
    out = []
    for n, r in enumerate(rows, start=1):
        t = r.get(field)
        if not isinstance(t, str):
            raise InvalidInputError(f"แถวที่ {n}: ฟิลด์ '{field}' ต้องเป็นข้อความ", f"row {n}: '{field}' must be a string")
        out.append(t)
    return out


def per_label_report(gold: list, pred: list, labels: list[str], multi: bool) -> dict:
    """precision/recall/F1/support per label, micro and macro F1 (macro over labels with support): sklearn.metrics."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    if multi:
        G = np.array([[lab in x for lab in labels] for x in gold], dtype=int).reshape(len(gold), len(labels))
        P = np.array([[lab in x for lab in labels] for x in pred], dtype=int).reshape(len(pred), len(labels))
    else:
        G = np.array([[x == lab for lab in labels] for x in gold], dtype=int).reshape(len(gold), len(labels))
        P = np.array([[x == lab for lab in labels] for x in pred], dtype=int).reshape(len(pred), len(labels))
    prec, rec, f1, support = precision_recall_fscore_support(G, P, average=None, zero_division=0)
    per = {lab: {"precision": round(float(prec[j]), 4), "recall": round(float(rec[j]), 4),
                 "f1": round(float(f1[j]), 4), "support": int(support[j])} for j, lab in enumerate(labels)}
    present = [j for j in range(len(labels)) if support[j]]
    micro = float(f1_score(G, P, average="micro", zero_division=0)) if len(gold) else 0.0
    macro = float(np.mean([f1[j] for j in present])) if present else 0.0
    return {"n": len(gold), "micro_f1": round(micro, 4), "macro_f1": round(macro, 4), "per_label": per}
