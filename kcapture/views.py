"""What the app shows, computed without Streamlit (so it is tested directly): escaping, highlights, labels, charts'
data and the export adapters.

Every piece of user text that reaches ``st.markdown`` goes through `md_escape` first, so HTML, Markdown links,
emphasis, Streamlit's ``:color[...]`` directives, emoji short codes, ``$`` maths and bare URLs in a note all show
literally.
"""

from __future__ import annotations

import importlib
import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

_PUNCT = set(string.punctuation)
_AUTOLINK = re.compile(r"(?i)(?:https?:|ftp:|mailto:|www\.|@)(?=\S)")
THEME_COLORS = ("blue", "green", "orange", "violet", "red", "yellow", "gray")
LESSON_FACETS = ("insight", "success_factor", "recommendation")


def md_escape(text: str | None) -> str:
    """Markdown-safe literal text: no markup of any kind survives.

    Every ASCII punctuation character becomes a numeric character reference (``<`` -> ``&#60;``), which Markdown
    renders as that character and never parses as syntax: not HTML, links, emphasis, lists, Streamlit directives, maths,
    emoji short codes, nor the bare URLs and e-mail addresses that GitHub-flavoured Markdown would turn into links
    (backslash escapes do not stop those).
    """
    if not text:
        return ""
    # Bare URLs, www. names and e-mail addresses are linked by GFM after parsing, from the decoded text: an invisible
    # WORD JOINER inside each pattern stops that and changes nothing a reader sees.
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u2060" + m.group(0)[-1], str(text))
    out = []
    for ch in text:
        if ch in _PUNCT:
            out.append(f"&#{ord(ch)};")
        elif ch in "\r\t\x00":
            out.append(" ")
        elif ch == "\n":
            out.append("  \n")
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


def share_rows(counts: dict[str, int], n_sentences: int, codebook) -> list[dict]:
    """Per theme: sentences carrying it and its share of the document's sentences (largest first)."""
    n = max(n_sentences, 1)
    rows = [{"theme": t, "label": code_label(codebook, t), "label_th": code_label(codebook, t, lang="th"),
             "sentences": c, "share": round(c / n, 4)} for t, c in counts.items()]
    rows.sort(key=lambda r: (-r["sentences"], r["theme"]))
    return rows


def theme_shares(sentences: list[dict], codebook) -> list[dict]:
    counts: dict[str, int] = {}
    for s in sentences:
        for t in s["themes"]:
            counts[t] = counts.get(t, 0) + 1
    return share_rows(counts, len(sentences), codebook)


def strongest_insights(sentences: list[dict], n: int = 6, facets: tuple[str, ...] = LESSON_FACETS) -> list[dict]:
    """Lesson-like sentences (insight, success factor, recommendation), a user's correction first, then by score."""
    rows = []
    for s in sentences:
        if s["facet"] in facets:
            score = 1.0 if s.get("corrected") else float(s["facet_scores"].get(s["facet"], 0.0))
            rows.append({**s, "score": score})
    rows.sort(key=lambda r: (-r["score"], r["idx"]))
    return rows[:n]


def insights(analysis, sentences: list[dict], n: int = 5) -> list[dict]:
    """The overview's strongest lessons: kcapture.summarize's choice when there is an Analysis, else by facet score."""
    if analysis is None:
        return [{"text": s["text"], "themes": s["themes"], "facet": s["facet"], "score": s["score"]}
                for s in strongest_insights(sentences, n)]
    from kcapture.summarize import top_insights

    out, seen = [], {}
    for le in analysis.lessons:
        seen.setdefault((le.start, le.end), []).append(le.theme)
    for le in top_insights(analysis, n):
        out.append({"text": le.text, "themes": seen.get((le.start, le.end), [le.theme]), "facet": le.facet,
                    "score": float(le.score)})
    return out


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
        ("โครงการ · Projects", "; ".join(visit.get("projects") or [])),
        ("หลักสูตร รุ่น ครั้ง · Course", " ".join(str(visit[k]) for k in ("course", "cohort", "session")
                                               if visit.get(k))),
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
# kcapture.export.<module>: a function returning text (`render_*` / `to_*`) or writing a file (`write_*`), each taking
# (analyses, [path,] codebook).
_MODULES = {"md": ("markdown",), "docx": ("docx",), "xlsx": ("xlsx", "excel", "spreadsheet"),
            "json": ("json_export",), "qdpx": ("qdpx", "refi_qda", "refi")}


def _import_optional(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and (name == err.name or name.startswith(err.name + ".")):
            return None
        raise


def export_available(fmt: str) -> bool:
    """Whether a format's export module exists (without importing it) and so does the summary module."""
    import importlib.util

    if importlib.util.find_spec("kcapture.summarize") is None:
        return False
    return any(importlib.util.find_spec(f"kcapture.export.{m}") is not None for m in _MODULES.get(fmt, ()))


def export_writer(fmt: str) -> Callable | None:
    """A function (analyses, codebook) -> bytes for a format, when the project has its export module."""
    for mod_name in _MODULES.get(fmt, ()):
        mod = _import_optional(f"kcapture.export.{mod_name}")
        if mod is None:
            continue
        for name in (f"render_{mod_name}", f"to_{fmt}", f"render_{fmt}", f"to_{mod_name}"):
            fn = getattr(mod, name, None)
            if callable(fn):
                return lambda analyses, codebook, _fn=fn: _to_bytes(_fn(analyses, codebook))
        for name in (f"write_{fmt}", f"write_{mod_name}"):
            fn = getattr(mod, name, None)
            if callable(fn):
                return lambda analyses, codebook, _fn=fn, _ext=fmt: _via_file(_fn, analyses, codebook, _ext)
    return None


def _via_file(fn: Callable, analyses, codebook, ext: str) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="kcapture-export-") as tmp:
        path = Path(tmp) / f"export.{ext}"
        fn(analyses, path, codebook)
        return path.read_bytes()


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
    return _import_optional("kcapture.summarize") is not None


def analysis_for(lib, doc_id: int, redact: bool = False):
    """The Analysis of a stored document as the user sees it: its sentences keep their effective labels (the user's
    corrections, else the model's), summarised with the library's codebook; None without the summary module."""
    summarize = _import_optional("kcapture.summarize")
    if summarize is None:
        return None
    analysis = summarize.build_analysis(lib.load_document(doc_id), lib.codebook())
    if redact:
        from kcapture.redact import redact_analysis

        analysis = redact_analysis(analysis)
    return analysis


def export_bytes(lib, doc_id: int, fmt: str, redact: bool = False) -> bytes | None:
    writer = export_writer(fmt)
    if writer is None or not analysis_available():
        return None
    return writer([analysis_for(lib, doc_id, redact)], lib.codebook())
