"""What the app shows, computed without Streamlit (so it is tested directly): escaping, highlights, labels, charts'
data and the export adapters.

Every piece of user text that reaches ``st.markdown`` goes through `md_escape` first: each ASCII punctuation
character is backslash-escaped (CommonMark allows this for all of them), so HTML, Markdown links, emphasis,
Streamlit's ``:color[...]`` directives, emoji short codes and ``$`` maths in a note all show literally.
"""

from __future__ import annotations

import importlib
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

_PUNCT = set(string.punctuation)
THEME_COLORS = ("blue", "green", "orange", "violet", "red", "yellow", "gray")
LESSON_FACETS = ("insight", "success_factor", "recommendation")


def md_escape(text: str | None) -> str:
    """Markdown-safe literal text (one line per line; no markup of any kind survives)."""
    if not text:
        return ""
    out = []
    for ch in str(text):
        if ch in _PUNCT:
            out.append("\\" + ch)
        elif ch in "\r\t\x00":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def theme_color(theme_ids: list[str], theme: str) -> str:
    try:
        return THEME_COLORS[theme_ids.index(theme) % len(THEME_COLORS)]
    except ValueError:
        return "gray"


def code_label(codebook, code_id: str | None, kind: str = "theme", lang: str = "both") -> str:
    if not code_id:
        return "—"
    code = codebook.theme(code_id) if kind == "theme" else codebook.facet(code_id)
    if lang == "th":
        return code.label_th
    if lang == "en":
        return code.label_en
    return f"{code.label_th} · {code.label_en}" if code.label_en and code.label_en != code.label_th else code.label_th


def sentence_markdown(s: dict, codebook, highlight: str | None = None, selected: int | None = None) -> str:
    """One sentence as escaped Markdown: its number, and a background colour when it carries the highlighted theme
    (or, with highlight "*", its first theme's colour)."""
    body = md_escape(s["text"])
    themes = s.get("themes") or []
    color = None
    if highlight == "*" and themes:
        color = theme_color(codebook.theme_ids, themes[0])
    elif highlight and highlight != "*" and highlight in themes:
        color = "yellow"
    if color:
        body = f":{color}-background[{body}]"
    if selected is not None and s["idx"] == selected:
        body = f"**{body}** ◀"
    mark = "✎" if s.get("corrected") else ""
    return f"`{s['idx']}`{mark} {body}"


def document_markdown(sentences: list[dict], codebook, highlight: str | None = None,
                      selected: int | None = None) -> list[tuple[str, str]]:
    """The document as (kind, markdown) blocks: sentences of one block joined; headings kept as headings."""
    blocks: list[tuple[str, str]] = []
    current = None
    parts: list[str] = []
    kind = "paragraph"
    for s in sentences:
        if s["block"] != current and parts:
            blocks.append((kind, " ".join(parts)))
            parts = []
        current, kind = s["block"], s["kind"]
        parts.append(sentence_markdown(s, codebook, highlight, selected))
    if parts:
        blocks.append((kind, " ".join(parts)))
    return blocks


def bold_terms(text: str, terms: list[str]) -> str:
    """Escaped text with the (case-insensitive) occurrences of the search terms in bold."""
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return md_escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(md_escape(text[pos:m.start()]))
        out.append("**" + md_escape(m.group()) + "**")
        pos = m.end()
    out.append(md_escape(text[pos:]))
    return "".join(out)


def theme_shares(sentences: list[dict], codebook) -> list[dict]:
    """Per theme: sentences carrying it and its share of the document's sentences (largest first)."""
    n = max(len(sentences), 1)
    counts: dict[str, int] = {}
    for s in sentences:
        for t in s["themes"]:
            counts[t] = counts.get(t, 0) + 1
    rows = [{"theme": t, "label": code_label(codebook, t), "label_th": code_label(codebook, t, lang="th"),
             "sentences": c, "share": round(c / n, 4)} for t, c in counts.items()]
    rows.sort(key=lambda r: (-r["sentences"], r["theme"]))
    return rows


def strongest_insights(sentences: list[dict], n: int = 6, facets: tuple[str, ...] = LESSON_FACETS) -> list[dict]:
    """Lesson-like sentences (insight, success factor, recommendation), a user's correction first, then by score."""
    rows = []
    for s in sentences:
        if s["facet"] in facets:
            score = 1.0 if s.get("corrected") else float(s["facet_scores"].get(s["facet"], 0.0))
            rows.append({**s, "score": score})
    rows.sort(key=lambda r: (-r["score"], r["idx"]))
    return rows[:n]


def visit_fields(visit: dict) -> list[tuple[str, str]]:
    """The visit card as (label, value) pairs, values as plain strings (escape before rendering)."""
    def join(v):
        return ", ".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else str(v))

    date = visit.get("date_start") or ""
    if visit.get("date_end") and visit.get("date_end") != date:
        date = f"{date} – {visit['date_end']}"
    pairs = [
        ("ชื่อ · Title", re.sub(r"^#+\s*", "", join(visit.get("title")))),
        ("วันที่ · Dates", date),
        ("สถานที่ · Venue", join(visit.get("venue"))),
        ("องค์กรเจ้าภาพ · Hosts", join(visit.get("host_organizations"))),
        ("ผู้เข้าร่วม · Participants", join(visit.get("participants"))),
        ("โครงการ · Projects", join(visit.get("projects"))),
    ]
    return [(k, v if v else "—") for k, v in pairs]


# --------------------------------------------------------------------------------------------------------------------
# Exports: adapters over kcapture.export.* (written by another module's owner; each one is optional here)
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class ExportFormat:
    id: str
    label: str
    extension: str
    mime: str


EXPORT_FORMATS = (
    ExportFormat("md", "Markdown", "md", "text/markdown"),
    ExportFormat("docx", "Word", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ExportFormat("xlsx", "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ExportFormat("json", "JSON", "json", "application/json"),
    ExportFormat("qdpx", "REFI-QDA (QDPX)", "qdpx", "application/zip"),
)
_MODULES = {"md": ("markdown", "md"), "docx": ("docx",), "xlsx": ("xlsx", "excel"), "json": ("json", "json_export"),
            "qdpx": ("qdpx", "refi")}


def _import_optional(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and (err.name == name or name.startswith(err.name + ".") or err.name.startswith("kcapture")):
            return None
        raise


def export_writer(fmt: str) -> Callable | None:
    """A function (analysis, redact) -> bytes for a format, when the project has its export module."""
    api = _import_optional("kcapture.export")
    if api is not None:
        for name in ("export_analysis", "export_bytes", "render", "write_bytes"):
            fn = getattr(api, name, None)
            if callable(fn):
                return lambda analysis, redact, _fn=fn: _to_bytes(_call_export(_fn, analysis, fmt, redact))
    for mod_name in _MODULES.get(fmt, ()):
        mod = _import_optional(f"kcapture.export.{mod_name}")
        if mod is None:
            continue
        for name in ("to_bytes", "render", "export", f"to_{fmt}", f"write_{fmt}", "write", "dumps"):
            fn = getattr(mod, name, None)
            if callable(fn):
                return lambda analysis, redact, _fn=fn: _to_bytes(_call_single(_fn, analysis, redact))
    if fmt == "json":
        analyze_json = _import_optional("kcapture.analyze_command")
        fn = getattr(analyze_json, "analysis_to_json", None) if analyze_json else None
        if callable(fn):
            return lambda analysis, redact, _fn=fn: _to_bytes(_call_single(_fn, analysis, redact))
    return None


def _call_export(fn, analysis, fmt, redact):
    try:
        return fn(analysis, fmt, redact=redact)
    except TypeError:
        return fn(analysis, fmt=fmt, redact=redact)


def _call_single(fn, analysis, redact):
    try:
        return fn(analysis, redact=redact)
    except TypeError:
        return fn(analysis)


def _to_bytes(value) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
    if hasattr(value, "getvalue"):
        return _to_bytes(value.getvalue())
    raise TypeError(f"an export returned {type(value).__name__}")


def analysis_available() -> bool:
    return _import_optional("kcapture.analysis") is not None


def analysis_for(lib, doc_id: int):
    """The Analysis of a stored document with the user's corrections, when the analysis module exists (else None)."""
    mod = _import_optional("kcapture.analysis")
    if mod is None:
        return None
    doc = lib.load_document(doc_id)
    fn = getattr(mod, "summarize_tagged", None) or getattr(mod, "analyze_tagged", None)
    if callable(fn):
        return fn(doc)
    _, model = lib.model()
    corrected = {s.id: (list(s.themes), s.facet) for s in doc.sentences}
    analysis = mod.analyze_document(doc, model=model)
    # analyze_document may re-tag: the user's labels (stored as effective labels) win.
    for s in analysis.document.sentences:
        if s.id in corrected:
            s.themes, s.facet = corrected[s.id]
    return analysis
