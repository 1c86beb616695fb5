"""Word (.docx) export with a Thai-capable font, headings, a visit-card table and a themes table.

Word picks the font of Thai text from the *complex-script* slot of a run (w:rFonts/@w:cs, size w:szCs), not from the
Latin one, and the default template's heading styles name theme fonts (asciiTheme...) that override explicit names.
So every style used and every run gets the same font in all four slots, theme attributes removed, both sizes set,
and the Thai language tag, or Thai falls back to whatever the viewer has (boxes on a machine without Thai fonts).

The font: "TH Sarabun New" (the Thai government standard) if installed, else a TLWG font from fonts-thai-tlwg
(Garuda, Loma, Norasi...) or Noto Thai; on a machine without fontconfig, TH Sarabun New (Word substitutes).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, RGBColor

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

PREFERRED_FONTS = ("TH Sarabun New", "TH SarabunPSK", "Sarabun", "Garuda", "Loma", "Norasi", "Noto Sans Thai",
                   "Noto Serif Thai", "Waree", "Laksaman", "Kinnari", "Umpush", "Sawasdee")
# Sarabun's glyphs are small for their point size: Thai documents set it at 16 pt where Latin fonts use 11.
_SMALL_GLYPH_FONTS = ("TH Sarabun New", "TH SarabunPSK", "Sarabun", "Laksaman")


@lru_cache(maxsize=1)
def installed_thai_fonts() -> tuple[str, ...]:
    if not shutil.which("fc-list"):
        return ()
    try:
        out = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    families = {f.strip() for line in out.splitlines() for f in line.split(",") if f.strip()}
    return tuple(sorted(families))


def thai_font() -> str:
    installed = set(installed_thai_fonts())
    for name in PREFERRED_FONTS:
        if name in installed:
            return name
    return sorted(installed)[0] if installed else "TH Sarabun New"


def _set_font(rpr_parent, font: str, size: float | None) -> None:
    """Font in all four slots (Latin, high ANSI, East Asian, complex script), theme fonts removed, sizes, Thai tag."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    if size:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:bidi"), "th-TH")


class _Writer:
    def __init__(self, cb: Codebook):
        self.cb = cb
        self.doc = new_docx()
        self.font = thai_font()
        self.scale = 16 / 11 if self.font in _SMALL_GLYPH_FONTS else 1.0
        for section in self.doc.sections:
            section.page_height, section.page_width = Cm(29.7), Cm(21.0)
            section.left_margin = section.right_margin = Cm(2.2)
            section.top_margin = section.bottom_margin = Cm(2.0)
        sizes = {"Normal": 11, "Title": 22, "Heading 1": 16, "Heading 2": 13.5, "Heading 3": 12, "Heading 4": 11.5,
                 "List Bullet": 11,
                 "List Number": 11, "Table Grid": 10}
        for name, size in sizes.items():
            _set_font(self.doc.styles[name].element, self.font, size * self.scale)

    def run(self, paragraph, text: str, bold: bool = False, size: float | None = None, grey: bool = False):
        r = paragraph.add_run(text)
        _set_font(r._element, self.font, (size or 11) * self.scale if size else None)
        if bold:
            r.bold = True
            # Thai is complex script: Word and LibreOffice embolden it from w:bCs, not w:b.
            r._element.get_or_add_rPr().append(OxmlElement("w:bCs"))
        if grey:
            r.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        return r

    def heading(self, text: str, level: int):
        p = self.doc.add_heading(level=level)
        self.run(p, text)
        return p

    def para(self, text: str = "", style: str | None = None, bold: bool = False):
        p = self.doc.add_paragraph(style=style)
        if text:
            self.run(p, text, bold=bold)
        return p

    def table(self, header: list[str], rows: list[list[str]], widths: list[float] | None = None):
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = self.doc.styles["Table Grid"]
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = ""
            self.run(cell.paragraphs[0], text, bold=True, size=10)
        for row in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = ""
                self.run(cell.paragraphs[0], text, size=10)
        if widths:
            # Word reads the cell widths, LibreOffice the grid columns: set both.
            t.autofit = False
            for col, w in zip(t.columns, widths, strict=True):
                col.width = Cm(w)
            for row in t.rows:
                for cell, w in zip(row.cells, widths, strict=True):
                    cell.width = Cm(w)
        self.para()
        return t

    def analysis(self, a: Analysis, level: int = 0) -> None:
        cb = self.cb
        self.heading(f"{TITLE}: {a.visit.title or a.document.name}", level)
        note = f"ไฟล์ / File: {a.document.name} · {a.document.chars:,} อักขระ"
        if a.document.metadata.get("redacted"):
            note += " · ปกปิดข้อมูลส่วนบุคคลแล้ว / redacted"
        self.run(self.para(), note, size=9, grey=True)
        self.heading("ข้อมูลการลงพื้นที่ (Visit card)", level + 1)
        rows = [list(r) for r in visit_rows(a.visit, list_projects=False)]
        self.table(["รายการ / Field", "ข้อมูล / Value"], rows, [5.0, 11.6])
        if a.visit.projects:
            self.para("โครงการที่ได้เรียนรู้ / Projects observed", bold=True)
            for p in a.visit.projects:
                self.para(p, style="List Bullet")
        if not a.themes:
            self.para("ยังไม่มีประโยคที่ติดแท็กประเด็น / no sentence is tagged with a theme.")
            return
        self.para("ประเด็น / Themes (สัดส่วนประโยคของเอกสาร / share of the sentences)", bold=True)
        self.table(["ประเด็น / Theme", "สัดส่วน / Share", "ประโยค / Sentences", "คำสำคัญ / Keywords"],
                   [[t.label, percent(t.share), str(len(t.sentence_ids)), ", ".join(t.keywords)] for t in a.themes],
                   [5.2, 2.2, 2.2, 7.0])
        sections = report_sections(a, cb)
        if any(p.strongest for sec in sections for p in sec.points):
            self.run(self.para(), STRONGEST_NOTE, size=9, grey=True)
        for sec in sections:
            self.heading(sec.heading, level + 1)
            for point in sec.points:
                p = self.para(style="List Bullet")
                if point.strongest:
                    self.run(p, STRONGEST_MARK + " ", bold=True)
                self.run(p, f"“{point.lesson.text}”")
                self.run(p, f" — {' · '.join(point.tags)} ({quote_ref(point.lesson)})", size=9, grey=True)
        if a.keywords:
            self.heading("คำสำคัญของเอกสาร (Keywords)", level + 1)
            self.para(", ".join(a.keywords))

    def matrix(self, analyses: list[Analysis]) -> None:
        m = visit_matrix(analyses, self.cb)
        self.heading(f"{TITLE}: {len(analyses)} ครั้ง / visits", 0)
        self.heading("ประเด็น × การลงพื้นที่ (Theme × visit)", 1)
        self.run(self.para(), "จำนวนประโยคที่ติดแท็ก (สัดส่วนของเอกสาร) / tagged sentences (share of the visit)",
                 size=9, grey=True)
        rows = [
            [label] + [f"{n} ({percent(s)})" if n else "–" for n, s in zip(m.sentences[i], m.shares[i], strict=True)]
            for i, label in enumerate(m.theme_labels)
        ]
        self.table(["ประเด็น / Theme"] + m.visits, rows)
        self.heading(RECURRING_HEADING, 1)
        groups = recurring_lessons(analyses, m.visits)
        self.run(self.para(), RECURRING_NOTE if groups else "ยังไม่พบบทเรียนที่ซ้ำกันระหว่างการลงพื้นที่ / "
                 "no point recurs across these visits.", size=9, grey=True)
        for g in groups:
            self.para(recurring_title(g, self.cb), style="List Number", bold=True)
            for q in g.quotes:
                p = self.para(style="List Bullet")
                self.run(p, f"{q.visit_name}: ", bold=True)
                self.run(p, f"“{q.lesson.text}”")


def write_docx(analyses: list[Analysis], path: str | Path, codebook: Codebook | None = None) -> None:
    w = _Writer(codebook or load_codebook())
    if len(analyses) == 1:
        w.analysis(analyses[0])
    else:
        w.matrix(analyses)
        for a in analyses:
            w.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            w.analysis(a, level=1)
    w.doc.core_properties.title = TITLE
    w.doc.core_properties.author = "kcapture"
    w.doc.save(str(path))


EXPORTER = Exporter("docx", "Word", "docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", write_docx)
