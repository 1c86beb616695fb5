"""Markdown export: the overview (visit card, top themes, three strongest insights), the themes, the lessons by facet.

Quotes are the notes' own words; Markdown's special characters in them are backslash-escaped so that a quote renders
as written (remove the backslashes to get the exact span back).
"""

from __future__ import annotations

import re
from pathlib import Path

from kcapture.codebook import Codebook, load_codebook
from kcapture.combine import visit_matrix
from kcapture.document import Analysis
from kcapture.export.base import Exporter
from kcapture.export.common import (
    RECURRING_HEADING,
    RECURRING_NOTE,
    STRONGEST_MARK,
    STRONGEST_NOTE,
    TITLE,
    percent,
    quote_ref,
    recurring_title,
    report_sections,
    visit_rows,
)
from kcapture.synthesis import recurring_lessons

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape(text: str) -> str:
    """Backslash-escape Markdown syntax; line breaks inside a quote become spaces."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def unescape(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", text)


def render_analysis(a: Analysis, cb: Codebook, level: int = 1) -> str:
    h = "#" * level
    out: list[str] = []
    title = a.visit.title or a.document.name
    out.append(f"{h} {TITLE}: {escape(title)}\n")
    out.append(f"ไฟล์ / File: `{a.document.name}` · {a.document.chars:,} อักขระ"
               + (" · ปกปิดข้อมูลส่วนบุคคลแล้ว / redacted" if a.document.metadata.get("redacted") else "") + "\n")
    out.append(f"{h}# ข้อมูลการลงพื้นที่ (Visit card)\n")
    out.append("| | |\n|---|---|")
    for k, v in visit_rows(a.visit, list_projects=False):
        out.append(f"| {escape(k)} | {escape(v)} |")
    out.append("")
    if a.visit.projects:
        out.append("โครงการที่ได้เรียนรู้ / Projects observed:\n")
        out += [f"- {escape(p)}" for p in a.visit.projects]
        out.append("")
    if not a.themes:
        out.append("_ยังไม่มีประโยคที่ติดแท็กประเด็น / no sentence is tagged with a theme._\n")
        return "\n".join(out)
    out.append("**ประเด็น / Themes** (สัดส่วนประโยคของเอกสาร / share of the sentences)\n")
    out.append("| ประเด็น / Theme | สัดส่วน / Share | ประโยค / Sentences | คำสำคัญ / Keywords |\n|---|---:|---:|---|")
    for t in a.themes:
        keywords = escape(", ".join(t.keywords))
        out.append(f"| {escape(t.label)} | {percent(t.share)} | {len(t.sentence_ids)} | {keywords} |")
    out.append("")
    sections = report_sections(a, cb)
    if any(p.strongest for sec in sections for p in sec.points):
        out.append(escape(STRONGEST_NOTE) + "\n")
    for sec in sections:
        out.append(f"{h}# {escape(sec.heading)}\n")
        for p in sec.points:
            mark = f"{STRONGEST_MARK} " if p.strongest else ""
            tags = " · ".join(escape(t) for t in p.tags)
            out.append(f"- {mark}“{escape(p.lesson.text)}”  \n  _{tags}_ ({quote_ref(p.lesson)})")
        out.append("")
    if a.keywords:
        out.append(f"{h}# คำสำคัญของเอกสาร (Keywords)\n")
        out.append(escape(", ".join(a.keywords)) + "\n")
    return "\n".join(out)


def render_markdown(analyses: list[Analysis], codebook: Codebook | None = None) -> str:
    cb = codebook or load_codebook()
    if len(analyses) == 1:
        return render_analysis(analyses[0], cb)
    m = visit_matrix(analyses, cb)
    out = [f"# {TITLE}: {len(analyses)} ครั้ง / visits\n", "## ประเด็น × การลงพื้นที่ (Theme × visit)\n",
           "จำนวนประโยคที่ติดแท็ก (สัดส่วนของเอกสาร) / tagged sentences (share of the visit)\n"]
    out.append("| ประเด็น / Theme | " + " | ".join(escape(v) for v in m.visits) + " |")
    out.append("|---|" + "---:|" * len(m.visits))
    for i, label in enumerate(m.theme_labels):
        cells = [f"{n} ({percent(s)})" if n else "–" for n, s in zip(m.sentences[i], m.shares[i], strict=True)]
        out.append(f"| {escape(label)} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"## {RECURRING_HEADING}\n")
    groups = recurring_lessons(analyses, m.visits)
    if not groups:
        out.append("_ยังไม่พบบทเรียนที่ซ้ำกันระหว่างการลงพื้นที่ / no point recurs across these visits._\n")
    else:
        out.append(escape(RECURRING_NOTE) + "\n")
    for i, g in enumerate(groups, 1):
        out.append(f"{i}. **{escape(recurring_title(g, cb))}**")
        for q in g.quotes:
            out.append(f"   - {escape(q.visit_name)}: “{escape(q.lesson.text)}”")
        out.append("")
    for a in analyses:
        out.append(render_analysis(a, cb, level=2))
    return "\n".join(out)


def write_markdown(analyses: list[Analysis], path: str | Path, codebook: Codebook | None = None) -> None:
    Path(path).write_text(render_markdown(analyses, codebook) + "\n", encoding="utf-8")


EXPORTER = Exporter("md", "Markdown", "md", "text/markdown", write_markdown, binary=False)
