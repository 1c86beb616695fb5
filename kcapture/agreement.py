"""Intercoder agreement between two codings of the same sentences, as NVivo, ATLAS.ti and MAXQDA report it.

A coding is a list of rows {"id", "themes": [...], "facet": ...} (a person's labels, the model's, or a person's
corrections); rows are matched by id. Per theme (present / absent on each sentence) and for the facet (one label per
sentence): percent agreement, Cohen's kappa (sklearn.metrics.cohen_kappa_score) and, taking the first coding as the
reference, F1. The sentences where the two differ are listed, so a team can talk them through.

    kcapture agreement FIRST.jsonl SECOND.jsonl [--text TEXTS.jsonl] [--output REPORT.json]
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kcapture.errors import InvalidInputError


@dataclass
class LabelAgreement:
    label: str
    percent: float  # share of sentences on which both codings agree (present/absent, or the same facet)
    kappa: float | None  # None when undefined (both codings constant and equal)
    f1: float  # the second coding scored against the first
    first: int  # sentences the first coding gives this label
    second: int


@dataclass
class Disagreement:
    id: str
    text: str | None
    first_themes: list[str]
    second_themes: list[str]
    first_facet: str | None
    second_facet: str | None


@dataclass
class Agreement:
    sentences: int
    themes: list[LabelAgreement]
    facet: LabelAgreement  # label "facet": percent = accuracy, kappa over all facet labels, f1 = macro-F1
    facet_labels: list[LabelAgreement]
    theme_macro_f1: float
    theme_mean_kappa: float | None
    disagreements: list[Disagreement] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _kappa(a: list, b: list) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return None  # both codings constant and the same: kappa is undefined, percent agreement says it all
    k = float(cohen_kappa_score(a, b))
    return round(k, 4) if k == k else None  # NaN when one coding is constant


def compare(first: list[dict], second: list[dict], texts: dict[str, str] | None = None,
            themes: list[str] | None = None) -> Agreement:
    """Agreement over the sentences both codings label (matched by `id`)."""
    from sklearn.metrics import f1_score

    a = {str(r["id"]): r for r in first}
    b = {str(r["id"]): r for r in second}
    ids = [i for i in a if i in b]
    if not ids:
        raise InvalidInputError("สองชุดรหัสไม่มีประโยคร่วมกัน (จับคู่ด้วย id)", "the two codings share no sentence id")
    labels = themes or sorted({t for i in ids for r in (a[i], b[i]) for t in r.get("themes") or []})
    theme_rows = []
    f1s = []
    for lab in labels:
        x = [int(lab in (a[i].get("themes") or [])) for i in ids]
        y = [int(lab in (b[i].get("themes") or [])) for i in ids]
        f1 = float(f1_score(x, y, zero_division=0)) if any(x) or any(y) else 1.0
        f1s.append(f1)
        theme_rows.append(LabelAgreement(lab, round(sum(p == q for p, q in zip(x, y, strict=True)) / len(ids), 4),
                                         _kappa(x, y), round(f1, 4), sum(x), sum(y)))
    fa = [a[i].get("facet") or "" for i in ids]
    fb = [b[i].get("facet") or "" for i in ids]
    facet_set = sorted(set(fa) | set(fb))
    macro = float(f1_score(fa, fb, labels=facet_set, average="macro", zero_division=0))
    facet = LabelAgreement("facet", round(sum(p == q for p, q in zip(fa, fb, strict=True)) / len(ids), 4),
                           _kappa(fa, fb), round(macro, 4), len(ids), len(ids))
    facet_labels = []
    for lab in facet_set:
        x = [int(f == lab) for f in fa]
        y = [int(f == lab) for f in fb]
        facet_labels.append(LabelAgreement(lab, round(sum(p == q for p, q in zip(x, y, strict=True)) / len(ids), 4),
                                           _kappa(x, y), round(float(f1_score(x, y, zero_division=0)), 4),
                                           sum(x), sum(y)))
    kappas = [t.kappa for t in theme_rows if t.kappa is not None]
    diffs = [
        Disagreement(i, (texts or {}).get(i) or a[i].get("text") or b[i].get("text"),
                     sorted(a[i].get("themes") or []), sorted(b[i].get("themes") or []), a[i].get("facet"),
                     b[i].get("facet"))
        for i in ids
        if set(a[i].get("themes") or []) != set(b[i].get("themes") or []) or a[i].get("facet") != b[i].get("facet")
    ]
    return Agreement(
        sentences=len(ids), themes=theme_rows, facet=facet, facet_labels=facet_labels,
        theme_macro_f1=round(sum(f1s) / len(f1s), 4) if f1s else 1.0,
        theme_mean_kappa=round(sum(kappas) / len(kappas), 4) if kappas else None,
        disagreements=diffs,
    )


def format_report(ag: Agreement) -> str:
    def k(v: float | None) -> str:
        return "   –" if v is None else f"{v:6.3f}"

    lines = [f"ความสอดคล้องระหว่างผู้ให้รหัส / intercoder agreement: {ag.sentences} ประโยค / sentences",
             f"  {'label':<26}{'agree %':>9}{'kappa':>8}{'F1':>8}{'first':>7}{'second':>7}"]
    for t in [*ag.themes, *ag.facet_labels]:
        lines.append(f"  {t.label:<26}{t.percent * 100:>8.1f}%{k(t.kappa):>8}{t.f1:>8.3f}{t.first:>7}{t.second:>7}")
    lines.append(f"  themes: macro-F1 {ag.theme_macro_f1:.3f}, mean kappa {k(ag.theme_mean_kappa).strip()}")
    lines.append(f"  facet: agreement {ag.facet.percent * 100:.1f}%, kappa {k(ag.facet.kappa).strip()}, "
                 f"macro-F1 {ag.facet.f1:.3f}")
    lines.append(f"  sentences coded differently: {len(ag.disagreements)}")
    return "\n".join(lines)


def _read(path: str) -> list[dict]:
    from kcapture.classify.data import read_jsonl

    rows = read_jsonl(path)
    for n, r in enumerate(rows, 1):
        if "id" not in r:
            raise InvalidInputError(f"{path} แถวที่ {n}: ไม่มี id", f"{path} row {n}: no \"id\"")
    return rows


def agreement_command(first: str, second: str, texts: str | None = None, output: str | None = None) -> None:
    text_map = {str(r["id"]): r.get("text") for r in _read(texts)} if texts else None
    ag = compare(_read(first), _read(second), text_map)
    print(format_report(ag))
    if output:
        Path(output).write_text(json.dumps(ag.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = {"sentences": ag.sentences, "theme_macro_f1": ag.theme_macro_f1, "theme_mean_kappa": ag.theme_mean_kappa,
               "facet_agreement": ag.facet.percent, "facet_kappa": ag.facet.kappa, "facet_macro_f1": ag.facet.f1,
               "disagreements": len(ag.disagreements)}
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
