"""What the app shows, computed without Streamlit (so it is tested directly): escaping, highlights, labels, charts'
data and the export adapters.

Every piece of user text that reaches ``st.markdown`` goes through `md_escape` first, so HTML, Markdown links,
emphasis, Streamlit's ``:color[...]`` directives, emoji short codes, ``$`` maths and bare URLs in a note all show
literally.
"""

from __future__ import annotations

import re
import string

_PUNCT = set(string.punctuation)
_AUTOLINK = re.compile(r"(?i)(?:https?:|ftp:|mailto:|www\.|@)(?=\S)")
THEME_COLORS = ("blue", "green", "orange", "violet", "red", "yellow", "gray")
# One solid colour for every bar of a theme chart: the bar's label names the theme, and a pale palette colour made the
# biggest bar near-invisible. The app's primary colour, 6:1 contrast against the white page.
BAR_COLOR = "#2f6f5e"
BAR_STEP = 30  # pixels per bar: every label fits, none is dropped
PLACEHOLDER = "เลือก… · Choose…"
PLACEHOLDER_ALL = "ทั้งหมด (ยังไม่ได้เลือก) · all (none chosen)"
MAX_ACROSS = 30  # visits analysed together on the lessons-across-visits page (each analysis takes a moment)


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


# --------------------------------------------------------------------------------------------------------------------
# Which visits a view covers: the built-in sample never mixes into a team's own reports
# --------------------------------------------------------------------------------------------------------------------
def sample_doc_id(lib) -> int | None:
    """The id of the built-in sample visit the library was seeded with, if it is still there."""
    seeded = lib.get_meta("sample_seeded") or ""
    if not seeded.isdigit():
        return None
    row = lib.document_row(int(seeded))
    from kcapture.library import SAMPLE_VISIT

    return int(seeded) if row is not None and row["name"] == SAMPLE_VISIT.name else None


def report_doc_ids(lib, chosen: list[int] | None = None) -> list[int]:
    """The visits a library-wide view covers: the chosen ones, else every visit but the built-in sample (the sample
    alone when it is all the library holds)."""
    ids = [d.id for d in lib.documents()]
    if chosen:
        return [i for i in chosen if i in ids]
    sample = sample_doc_id(lib)
    real = [i for i in ids if i != sample]
    return real or ids


# --------------------------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------------------------
def theme_chart(rows: list[dict]):
    """A horizontal bar per theme (largest share first), every label shown, the share written at the bar's end."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame(rows)
    order = alt.EncodingSortField(field="share", order="descending")
    base = alt.Chart(df).encode(
        y=alt.Y("label_th:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=300, labelOverlap=False, labelFontSize=13, labelPadding=6)),
        x=alt.X("share:Q", title="สัดส่วนประโยค · share of sentences", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, max(0.05, min(1.0, float(df["share"].max()) * 1.15))])),
        tooltip=[alt.Tooltip("label:N", title="ประเด็น · theme"), alt.Tooltip("sentences:Q", title="ประโยค · sentences"),
                 alt.Tooltip("share:Q", title="สัดส่วน · share", format=".0%")],
    )
    bars = base.mark_bar(color=BAR_COLOR)
    text = base.mark_text(align="left", dx=4, fontSize=12, color="#1f1f1f").encode(
        text=alt.Text("share:Q", format=".0%"))
    return (bars + text).properties(height=alt.Step(BAR_STEP))


# --------------------------------------------------------------------------------------------------------------------
# The lesson report (kcapture.export.common.report_sections: the app and every export show the same outline)
# --------------------------------------------------------------------------------------------------------------------
def quote_markdown(point, facet_label: str | None = None) -> str:
    """One report point as escaped Markdown: the whole quote (★ when it is one of the strongest), then its theme tags
    as badges and where it is in the notes."""
    from kcapture.export.common import STRONGEST_MARK, quote_ref

    mark = f"{STRONGEST_MARK} " if point.strongest else ""
    quote = f"> {mark}“{md_escape(point.lesson.text)}”"
    tags = " ".join(f":green-badge[{md_escape(t)}]" for t in point.tags)
    where = md_escape(quote_ref(point.lesson))
    lead = f":gray-badge[{md_escape(facet_label)}] " if facet_label else ""
    return f"{quote}\n\n{lead}{tags} :gray[{where}]"


def strongest_points(sections) -> list[tuple[str, object]]:
    """(section heading, point) of the report's ★ points, in report order."""
    return [(sec, p) for sec in sections for p in sec.points if p.strongest]


# --------------------------------------------------------------------------------------------------------------------
# Lessons across visits
# --------------------------------------------------------------------------------------------------------------------
def across_visits(analyses: list, codebook) -> dict:
    """What the lessons-across-visits page shows, as plain data: the recurring lessons (kcapture.synthesis) with
    their visit counts and the best quote of each visit, and the theme x visit matrix (kcapture.combine), the same
    computations as the combined exports."""
    from kcapture.combine import visit_matrix
    from kcapture.export.common import percent, recurring_title
    from kcapture.synthesis import recurring_lessons

    m = visit_matrix(analyses, codebook)
    groups = [{
        "title": recurring_title(g, codebook), "visits": g.visits, "points": g.points,
        "facet": g.facet, "facet_label": codebook.facet(g.facet).label_th,
        "themes": list(g.themes), "theme_labels": [codebook.theme(t).label_th for t in g.themes],
        "quotes": [{"visit": q.visit_name, "text": q.lesson.text, "score": q.lesson.score} for q in g.quotes],
    } for g in recurring_lessons(analyses, m.visits)]
    matrix = [{"ประเด็น · theme": label, **{visit: (f"{n} ({percent(sh)})" if n else "–")
                                            for visit, n, sh in zip(m.visits, m.sentences[i], m.shares[i],
                                                                    strict=True)}}
              for i, label in enumerate(m.theme_labels)]
    return {"visits": m.visits, "groups": groups, "matrix": matrix, "theme_ids": list(m.theme_ids)}


def combined_export_bytes(lib, doc_ids: list[int], fmt: str) -> bytes:
    """One combined report of several visits (the registered exporter: it adds the lessons across visits)."""
    from kcapture.registry import EXPORTERS

    return EXPORTERS.get(fmt).to_bytes([analysis_for(lib, i) for i in doc_ids], lib.codebook())


# --------------------------------------------------------------------------------------------------------------------
# Intercoder agreement (kcapture.agreement.compare)
# --------------------------------------------------------------------------------------------------------------------
def correction_codings(lib, doc_ids: list[int], who: list[str] | None = None
                       ) -> tuple[list[dict], list[dict], dict[str, str]]:
    """(a person's coding, the model's coding, texts) over the sentences a person corrected in these documents; with
    `who`, only the sentences whose latest correction is by one of them. Ids are "doc:sentence"."""
    by_person: dict[tuple[str, int | None, str], str] = {}
    if who:
        for c in lib.corrections(latest_only=True):
            by_person[(c["doc_sha256"], c.get("sentence_start"), c["sentence_text"])] = c.get("who") or ""
    person, model, texts = [], [], {}
    for doc_id in doc_ids:
        row = lib.document_row(doc_id)
        if row is None:
            continue
        for s in lib.sentences(doc_id):
            if not s["corrected"]:
                continue
            if who:
                author = by_person.get((row["sha256"], s["start"], s["text"]))
                if author is None:
                    author = next((a for (sha, _start, text), a in by_person.items()
                                   if sha == row["sha256"] and text == s["text"]), None)
                if author not in who:
                    continue
            sid = f"{doc_id}:{s['idx']}"
            person.append({"id": sid, "themes": list(s["themes"]), "facet": s["facet"]})
            model.append({"id": sid, "themes": list(s["model_themes"]), "facet": s["model_facet"]})
            texts[sid] = s["text"]
    return person, model, texts


def correctors(lib, doc_ids: list[int]) -> list[str]:
    """The people whose corrections are the latest of some sentence of these documents."""
    shas = {(lib.document_row(i) or {}).get("sha256") for i in doc_ids}
    return sorted({c.get("who") or "" for c in lib.corrections(latest_only=True) if c["doc_sha256"] in shas} - {""})


def parse_coding(data: bytes, name: str) -> list[dict]:
    """A coding uploaded as JSONL: one {"id", "themes": [...], "facet": ...} object per line ("text" optional).
    Anything else raises InvalidInputError naming the file and the line."""
    import json

    from kcapture.errors import InvalidInputError

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInputError(f"{name} ไม่ได้เข้ารหัสแบบ UTF-8", f"{name} is not UTF-8") from err
    rows, seen = [], set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise InvalidInputError(f"{name} บรรทัด {n}: ไม่ใช่ JSON ที่ถูกต้อง",
                                    f"{name} line {n}: not valid JSON ({err.msg})") from err
        if not isinstance(row, dict) or "id" not in row:
            raise InvalidInputError(f"{name} บรรทัด {n}: ต้องเป็นออบเจกต์ JSON ที่มี \"id\"",
                                    f"{name} line {n}: each line must be a JSON object with an \"id\"")
        themes = row.get("themes") or []
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            raise InvalidInputError(f"{name} บรรทัด {n}: \"themes\" ต้องเป็นรายการข้อความ",
                                    f"{name} line {n}: \"themes\" must be a list of strings")
        facet = row.get("facet")
        if facet is not None and not isinstance(facet, str):
            raise InvalidInputError(f"{name} บรรทัด {n}: \"facet\" ต้องเป็นข้อความ",
                                    f"{name} line {n}: \"facet\" must be a string")
        if str(row["id"]) in seen:
            raise InvalidInputError(f"{name} บรรทัด {n}: id {row['id']} ซ้ำ", f"{name} line {n}: id {row['id']} repeats")
        seen.add(str(row["id"]))
        rows.append({"id": str(row["id"]), "themes": themes, "facet": facet,
                     **({"text": row["text"]} if isinstance(row.get("text"), str) else {})})
    if not rows:
        raise InvalidInputError(f"{name} ไม่มีข้อมูล", f"{name} has no rows")
    return rows


def agreement_tables(ag, codebook) -> tuple[list[dict], list[dict]]:
    """(per-label rows, disagreement rows) of an Agreement, with Thai labels first and the ids beside them."""
    def label(code_id: str | None, kind: str) -> str:
        return code_label(codebook, code_id, kind, lang="th") if code_id else "—"

    per_label = []
    for kind, rows in (("theme", ag.themes), ("facet", ag.facet_labels)):
        for r in rows:
            per_label.append({
                "ชนิด · kind": "ประเด็น · theme" if kind == "theme" else "มิติ · facet",
                "ป้าย · label": label(r.label, kind), "รหัส · id": r.label,
                "ตรงกัน · agreement": f"{r.percent:.1%}", "kappa": None if r.kappa is None else round(r.kappa, 3),
                "F1": round(r.f1, 3), "ชุดที่ 1 · first": r.first, "ชุดที่ 2 · second": r.second,
            })
    diffs = [{
        "id": d.id, "ข้อความ · text": d.text or "",
        "ประเด็น ชุดที่ 1 · first themes": ", ".join(label(t, "theme") for t in d.first_themes) or "—",
        "ประเด็น ชุดที่ 2 · second themes": ", ".join(label(t, "theme") for t in d.second_themes) or "—",
        "มิติ ชุดที่ 1 · first facet": label(d.first_facet, "facet"),
        "มิติ ชุดที่ 2 · second facet": label(d.second_facet, "facet"),
    } for d in ag.disagreements]
    return per_label, diffs
