"""What the app shows, computed without Streamlit (so it is tested directly): escaping, highlights, labels, charts'
data and the export adapters.

Every piece of user text that reaches ``st.markdown`` goes through `md_escape` first, so HTML, Markdown links,
emphasis, Streamlit's ``:color[...]`` directives, emoji short codes, ``$`` maths and bare URLs in a note all show
literally.
"""

from __future__ import annotations

import re
import string

from kcapture.summarize import LESSON_FACETS

_PUNCT = set(string.punctuation)
_AUTOLINK = re.compile(r"(?i)(?:https?:|ftp:|mailto:|www\.|@)(?=\S)")
THEME_COLORS = ("blue", "green", "orange", "violet", "red", "yellow", "gray")


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

    return [{"text": le.text, "themes": list(le.themes or [le.theme]), "facet": le.facet, "score": float(le.score)}
            for le in top_insights(analysis, n)]


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
# Exports: the registered exporters (kcapture.registry.EXPORTERS), fed by the pipeline's analysis steps
# --------------------------------------------------------------------------------------------------------------------
# The order of the app's download buttons.
EXPORT_ORDER = ("md", "docx", "xlsx", "json", "qdpx")


def export_formats() -> list:
    """The exporters the app offers, in button order (any other registered exporter after them)."""
    from kcapture.registry import EXPORTERS

    names = [n for n in EXPORT_ORDER if n in EXPORTERS] + [n for n in EXPORTERS.names() if n not in EXPORT_ORDER]
    return [EXPORTERS.get(n) for n in names]


def analysis_for(lib, doc_id: int, redact: bool = False):
    """The Analysis of a stored document as the user sees it: its sentences keep their effective labels (the user's
    corrections, else the model's), summarised with the library's codebook."""
    from kcapture.pipeline import Pipeline

    return Pipeline(codebook=lib.codebook(), redact=redact).analyse(lib.load_document(doc_id))


def export_bytes(lib, doc_id: int, fmt: str, redact: bool = False) -> bytes:
    from kcapture.registry import EXPORTERS

    return EXPORTERS.get(fmt).to_bytes([analysis_for(lib, doc_id, redact)], lib.codebook())
