"""Excel (.xlsx) export: an overview sheet, one row per tagged sentence, one sheet per theme summary, and for several
visits a theme x visit matrix and the lessons across visits.

Themes and facets are shown by their Thai labels everywhere a reader looks; the codes sheet ("รหัส (Codes)") maps
each label back to its id (for pivot tables, or joining with a JSON export), and the matrix sheet keeps the id in a
column of its own.

Formula injection: a spreadsheet treats a cell beginning with = + - @ (or a tab / carriage return, which some
programs strip before reading the rest) as a formula when the file is opened or re-saved as CSV. Notes contain such
cells ("- ผู้เข้าร่วม...", "+66 ..."), so every text cell that begins with one is written as a string with a leading
apostrophe ('), as OWASP recommends; `start`/`end` still give the exact span, and removing that one apostrophe gives
the exact text back.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kcapture.codebook import Codebook, load_codebook
from kcapture.combine import visit_matrix, visit_names
from kcapture.document import Analysis, Sentence
from kcapture.export.base import Exporter
from kcapture.export.common import RECURRING_HEADING, facet_label, percent, visit_rows
from kcapture.summarize import facet_rank, top_insights
from kcapture.synthesis import recurring_lessons

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SENTENCE_HEADER = ["เอกสาร / document", "ประโยคที่ / sentence_id", "ข้อความ / text", "ประเด็น / themes",
                   "มิติ / facet", "คะแนน / score", "start", "end"]
MATRIX_HEADER = ["รหัส / theme id", "ประเด็น / theme"]
CODES_HEADER = ["ชนิด / kind", "รหัส / id", "ชื่อไทย / Thai label", "English label"]


def safe(value):
    """A cell value that no spreadsheet will evaluate: strings starting with = + - @ TAB CR get a leading '."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _put(ws: Worksheet, row: int, col: int, value, bold: bool = False, wrap: bool = False) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = safe(value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _append(ws: Worksheet, values: list, bold: bool = False, wrap_cols: tuple[int, ...] = ()) -> None:
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, v in enumerate(values, start=1):
        _put(ws, row, col, v, bold=bold, wrap=col in wrap_cols)


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (at most 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip().strip("'") or "sheet"
    base = _cut(base, 31)
    title, k = base, 2
    while title.lower() in taken:
        suffix = f" ({k})"
        title = _cut(base, 31 - len(suffix)) + suffix
        k += 1
    taken.add(title.lower())
    return title


def _cut(name: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary: a cut inside a Thai word can leave a dangling vowel."""
    if len(name) <= limit:
        return name
    from kcapture.thai.tokenize import default_tokenizer

    tokens = [t for t in default_tokenizer().tokenize(name) if t.end <= limit]
    while len(tokens) > 1 and tokens[-1].text in ("และ", "การ", "ความ", "กับ", "หรือ", "ของ"):
        tokens.pop()  # a name cut after "และ" reads as unfinished
    return name[: tokens[-1].end] if tokens else name[:limit]


def sentence_score(s: Sentence) -> float | None:
    """The classifier's confidence in the sentence's tags: its best theme score, else its facet score."""
    scores = [s.theme_scores[t] for t in s.themes if t in s.theme_scores]
    if scores:
        return round(max(scores), 4)
    if s.facet and s.facet in s.facet_scores:
        return round(s.facet_scores[s.facet], 4)
    return None


def _overview(ws: Worksheet, analyses: list[Analysis], names: list[str], cb: Codebook) -> None:
    for a, name in zip(analyses, names, strict=True):
        _append(ws, [name], bold=True)
        for k, v in visit_rows(a.visit):
            _append(ws, [k, v], wrap_cols=(2,))
        _append(ws, ["ประเด็น / Theme", "สัดส่วน / Share", "ประโยค / Sentences", "คำสำคัญ / Keywords"], bold=True)
        for t in a.themes:
            _append(ws, [t.label, percent(t.share), len(t.sentence_ids), ", ".join(t.keywords)], wrap_cols=(4,))
        insights = top_insights(a)
        if insights:
            _append(ws, ["บทเรียนสำคัญ / Strongest insights"], bold=True)
            for le in insights:
                _append(ws, [facet_label(cb, le.facet), le.text, cb.theme(le.theme).label_th], wrap_cols=(2,))
        _append(ws, [""])
    _widths(ws, [34, 70, 18, 50])


def _sentences(ws: Worksheet, analyses: list[Analysis], names: list[str], cb: Codebook) -> None:
    _append(ws, SENTENCE_HEADER, bold=True)
    for a, name in zip(analyses, names, strict=True):
        for s in a.document.sentences:
            if not s.themes and not s.facet:
                continue
            themes = ", ".join(cb.theme(t).label_th for t in s.themes)
            facet = facet_label(cb, s.facet) if s.facet else ""
            _append(ws, [name, s.id, s.text, themes, facet, sentence_score(s), s.start, s.end], wrap_cols=(3,))
    ws.freeze_panes = "A2"
    _widths(ws, [24, 11, 80, 36, 20, 8, 8, 8])


def _codes(ws: Worksheet, analyses: list[Analysis], cb: Codebook) -> None:
    """Every theme and facet the workbook shows: its id beside its labels."""
    order = {t: i for i, t in enumerate(cb.theme_ids)}
    themes = sorted({t for a in analyses for s in a.document.sentences for t in s.themes},
                    key=lambda t: (order.get(t, len(order)), t))
    facets = sorted({s.facet for a in analyses for s in a.document.sentences if s.facet},
                    key=lambda f: (facet_rank(f), f))
    _append(ws, CODES_HEADER, bold=True)
    for t in themes:
        _append(ws, ["ประเด็น / theme", t, cb.theme(t).label_th, cb.theme(t).label_en])
    for f in facets:
        _append(ws, ["มิติ / facet", f, cb.facet(f).label_th, cb.facet(f).label_en])
    ws.freeze_panes = "A2"
    _widths(ws, [18, 28, 40, 40])


def _theme_sheet(ws: Worksheet, theme: str, analyses: list[Analysis], names: list[str], cb: Codebook) -> None:
    _append(ws, [cb.theme(theme).label_th, cb.theme(theme).label_en], bold=True)
    for a, name in zip(analyses, names, strict=True):
        summary = next((t for t in a.themes if t.id == theme), None)
        if summary is None:
            continue
        _append(ws, [name, f"สัดส่วน / share {percent(summary.share)}", f"{len(summary.sentence_ids)} ประโยค",
                     "คำสำคัญ: " + ", ".join(summary.keywords)], wrap_cols=(4,))
    _append(ws, ["เอกสาร / document", "มิติ / facet", "ข้อความ / text", "ประโยคที่ / sentence_ids", "start", "end",
                 "คะแนน / score"], bold=True)
    for a, name in zip(analyses, names, strict=True):
        lessons = sorted((le for le in a.lessons if theme in (le.themes or [le.theme])),
                         key=lambda le: (facet_rank(le.facet), -le.score))
        for le in lessons:
            _append(ws, [name, facet_label(cb, le.facet), le.text, ", ".join(map(str, le.sentence_ids)), le.start,
                         le.end, le.score], wrap_cols=(3,))
    _widths(ws, [24, 22, 80, 14, 8, 8, 8])


def _matrix(ws: Worksheet, analyses: list[Analysis], cb: Codebook) -> None:
    m = visit_matrix(analyses, cb)
    _append(ws, ["ประโยคที่ติดแท็ก (สัดส่วนของการลงพื้นที่) / tagged sentences (share of the visit)"], bold=True)
    _append(ws, [*MATRIX_HEADER, *m.visits], bold=True)
    for i, t in enumerate(m.theme_ids):
        _append(ws, [t, m.theme_labels[i]] + [f"{n} ({percent(s)})" if n else "" for n, s in
                                              zip(m.sentences[i], m.shares[i], strict=True)])
    _append(ws, [""])
    _append(ws, ["บทเรียนในรายงาน / lessons in the report"], bold=True)
    _append(ws, [*MATRIX_HEADER, *m.visits], bold=True)
    for i, t in enumerate(m.theme_ids):
        _append(ws, [t, m.theme_labels[i]] + m.lessons[i])
    _widths(ws, [24, 34] + [22] * len(m.visits))


def _recurring(ws: Worksheet, analyses: list[Analysis], names: list[str], cb: Codebook) -> None:
    _append(ws, [RECURRING_HEADING], bold=True)
    _append(ws, ["#", "พบใน (ครั้ง) / visits", "มิติ / facet", "ประเด็น / themes", "การลงพื้นที่ / visit",
                 "ข้อความ / quote"], bold=True)
    for i, g in enumerate(recurring_lessons(analyses, names), 1):
        for q in g.quotes:
            _append(ws, [i, g.visits, facet_label(cb, g.facet), ", ".join(cb.theme(t).label_th for t in g.themes),
                         q.visit_name, q.lesson.text], wrap_cols=(6,))
    _widths(ws, [5, 12, 22, 40, 24, 90])


def write_xlsx(analyses: list[Analysis], path: str | Path, codebook: Codebook | None = None) -> None:
    cb = codebook or load_codebook()
    names = visit_names(analyses)
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title("ภาพรวม (Overview)", taken)
    _overview(ws, analyses, names, cb)
    if len(analyses) > 1:
        _matrix(wb.create_sheet(sheet_title("ประเด็น x การลงพื้นที่", taken)), analyses, cb)
        _recurring(wb.create_sheet(sheet_title("บทเรียนที่พบซ้ำ", taken)), analyses, names, cb)
    _sentences(wb.create_sheet(sheet_title("ประโยค (Sentences)", taken)), analyses, names, cb)
    order = {t: i for i, t in enumerate(cb.theme_ids)}
    themes = sorted({t.id for a in analyses for t in a.themes}, key=lambda t: (order.get(t, len(order)), t))
    for theme in themes:
        _theme_sheet(wb.create_sheet(sheet_title(cb.theme(theme).label_th, taken)), theme, analyses, names, cb)
    _codes(wb.create_sheet(sheet_title("รหัส (Codes)", taken)), analyses, cb)
    wb.save(str(path))


EXPORTER = Exporter("xlsx", "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    write_xlsx)
