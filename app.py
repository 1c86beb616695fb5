"""kcapture · ถอดบทเรียน — the Streamlit app, a thin shell over kcapture.library.

Run with `kcapture app` or `streamlit run app.py [-- --library PATH]`. The library file comes from --library, env
KCAPTURE_LIBRARY, or ~/.local/share/kcapture/library.sqlite3. User text is always rendered escaped
(kcapture.views.md_escape); no HTML is ever rendered from user text.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING

os.environ["PYTHAINLP_OFFLINE"] = "1"

import streamlit as st  # noqa: E402

from kcapture import views as v  # noqa: E402
from kcapture.errors import KcaptureError  # noqa: E402
from kcapture.library import CustomCode, Library, default_library_path, safe_filename  # noqa: E402
from kcapture.limits import DEFAULT_LIMITS, file_too_large  # noqa: E402

PAGES = {
    "upload": "อัปโหลด · Upload",
    "overview": "ภาพรวม · Overview",
    "themes": "ประเด็น · Themes",
    "across": "บทเรียนข้ามการลงพื้นที่ · Across visits",
    "document": "เอกสาร · Document",
    "search": "ค้นหา · Search",
    "agreement": "ความสอดคล้องของการให้รหัส · Agreement",
    "export": "ส่งออก · Export",
    "codebook": "รหัส/โมเดล · Codebook & model",
}
esc = v.md_escape

if TYPE_CHECKING:
    import pandas as pd
# altair and pandas are imported where a chart or a table is drawn: the first screen's text is shown before them.


def library_path() -> str:
    argv = sys.argv[1:]
    if "--library" in argv:
        i = argv.index("--library")
        if i + 1 < len(argv):
            return argv[i + 1]
    return str(default_library_path())


def open_library() -> Library:
    lib = Library(library_path())
    if lib.get_meta("sample_seeded") is None:
        with st.spinner("กำลังเตรียมตัวอย่างบันทึกการลงพื้นที่ · preparing the sample visit…"):
            lib.seed_sample()
    return lib


@st.cache_resource(show_spinner=False)
def warm_up(lib_path: str) -> threading.Thread:
    """Once per server, after the first page is shown (it would compete with that page for the interpreter): load the
    word dictionary, the segmenter and the model in the background, so that the first upload after a restart does not
    wait for them."""

    def load() -> None:
        try:
            from kcapture.thai.sentences import default_segmenter

            default_segmenter().split_line("อุ่นเครื่อง")
            with Library(lib_path) as lib:
                lib.model()
        except Exception:  # noqa: BLE001 - the upload itself reports any real problem
            pass

    thread = threading.Thread(target=load, name="kcapture-warm-up", daemon=True)
    thread.start()
    return thread


def who() -> str | None:
    return (st.session_state.get("who") or "").strip() or None


# ---------------------------------------------------------------------------------------------------------------------
# Sidebar: page, visit, user
# ---------------------------------------------------------------------------------------------------------------------


def choose_page() -> str:
    if "page" not in st.session_state:
        wanted = st.query_params.get("page", "overview")
        st.session_state.page = wanted if wanted in PAGES else "overview"
    with st.sidebar:
        st.markdown("### :material/library_books: kcapture\nถอดบทเรียนจากบันทึกภาษาไทย · offline Thai lesson extraction")
        page = st.radio("หน้า · Page", list(PAGES), format_func=PAGES.get, key="page")
    st.query_params["page"] = page
    return page


def choose_document(lib: Library) -> int | None:
    docs = lib.documents()
    if not docs:
        st.sidebar.info("ยังไม่มีเอกสาร · no documents yet")
        return None
    ids = [d.id for d in docs]
    names = {d.id: d.name for d in docs}
    pending = st.session_state.pop("_next_doc", None)
    if pending in ids:
        st.session_state.doc_id = pending
    elif st.session_state.get("doc_id") not in ids:
        wanted = st.query_params.get("doc")
        st.session_state.doc_id = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else ids[-1]
    with st.sidebar:
        doc_id = st.selectbox("บันทึกการลงพื้นที่ · Visit", ids, format_func=lambda i: f"{i} · {names[i]}",
                              key="doc_id", placeholder=v.PLACEHOLDER)
    st.query_params["doc"] = str(doc_id)
    return doc_id


def sidebar_footer(lib: Library) -> None:
    with st.sidebar:
        st.text_input("ชื่อผู้แก้ไข · Your name (for corrections)", key="who")
        version = lib.active_version()
        model = f"v{version.id}" if version else "base"
        if lib.model_warning:
            st.warning(f"ใช้โมเดลพื้นฐานแทน · using the base model: {esc(lib.model_warning)}")
        st.caption(f"คลัง · Library: {esc(str(lib.path))}  \n"
                   f"{lib.count_documents()} เอกสาร · documents · โมเดล · model {model}")


def go(page: str, doc_id: int | None = None, sentence: int | None = None) -> None:
    """Callback: switch page (and visit / sentence) on the next run."""
    st.session_state.page = page
    if doc_id is not None:
        st.session_state._next_doc = doc_id
    if sentence is not None:
        st.session_state.selected_sentence = sentence


# ---------------------------------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------------------------------


def page_upload(lib: Library) -> None:
    st.header("อัปโหลดบันทึก · Upload notes")
    mb = DEFAULT_LIMITS.max_file_bytes / 2**20
    st.caption(f"ไฟล์ .txt .md .docx .pdf .srt .vtt หลายไฟล์พร้อมกันได้ ไม่เกิน {mb:.0f} MB ต่อไฟล์ · "
               f"several files at once, up to {mb:.0f} MB each. ทุกอย่างทำงานในเครื่องนี้ · "
               "everything stays on this machine.")
    files = st.file_uploader("เลือกไฟล์ · Choose files", accept_multiple_files=True, key="uploader")
    results: dict = st.session_state.setdefault("uploads", {})
    new = [f for f in files or [] if f.file_id not in results]
    if new:
        bar = st.progress(0.0, text="เริ่ม · starting")
        for i, f in enumerate(new):
            label = f"{i + 1}/{len(new)} · {esc(safe_filename(f.name))}"
            bar.progress(i / len(new), text=label)

            def ocr_page(done: int, total: int, i: int = i, label: str = label) -> None:
                bar.progress((i + done / max(total, 1)) / len(new),
                             text=f"{label} · อ่านภาพด้วย OCR หน้า {done}/{total} · OCR page {done} of {total}")

            results[f.file_id] = import_upload(lib, f, ocr_page)
        bar.progress(1.0, text=f"เสร็จ {len(new)} ไฟล์ · done, {len(new)} file(s)")
        done = [r["doc_id"] for r in results.values() if r["doc_id"]]
        if done:
            st.session_state._next_doc = done[-1]
    shown = [results[f.file_id] for f in files or [] if f.file_id in results]
    for r in shown:
        with st.container(border=True):
            left, right = st.columns([2, 5])
            left.markdown(f"**{esc(r['name'])}**")
            if r["status"] == "ok":
                right.success(f"วิเคราะห์แล้ว {r['sentences']} ประโยค ({r['seconds']:.1f} วินาที) · "
                              f"analysed {r['sentences']} sentences in {r['seconds']:.1f} s",
                              icon=":material/check_circle:")
                if r.get("ocr"):
                    right.warning("ข้อความนี้อ่านจากภาพด้วย OCR อาจมีคำผิด โปรดตรวจทาน · this text was read from images "
                                  "with OCR and may contain errors: please check it",
                                  icon=":material/document_scanner:")
            elif r["status"] == "duplicate":
                right.warning(f"ไฟล์นี้อยู่ในคลังแล้ว: {esc(r['dup_name'])} · already in the library as "
                              f"{esc(r['dup_name'])}", icon=":material/content_copy:")
            else:
                right.error(f"{esc(r['message_th'])}  \n{esc(r['message_en'])}", icon=":material/error:")
    ok = [r for r in shown if r["status"] in ("ok", "duplicate") and (r["doc_id"] or r["dup_id"])]
    if ok:
        last = ok[-1]
        doc_id = last["doc_id"] or last["dup_id"]
        st.subheader("ประเด็นหลัก · Main themes")
        show_theme_shares(lib, doc_id, key="upload")
        st.button("ดูภาพรวมของบันทึกนี้ · Open the overview", on_click=go, args=("overview", doc_id), type="primary")
        if new:  # prepare the overview's lesson summary now that the themes are visible
            with st.spinner("กำลังสรุปบทเรียน · summarising the lessons…"):
                cached_analysis(str(lib.path), doc_id, lib.revision())
    elif not files:
        st.info("ลากไฟล์มาวาง หรือกดเลือกไฟล์ · drop files here, or browse. "
                "ตัวอย่างบันทึกที่วิเคราะห์แล้วอยู่ในหน้าภาพรวม · a sample visit is already in the Overview.")


def import_upload(lib: Library, f, progress=None) -> dict:
    name = safe_filename(f.name)
    row = {"name": name, "status": "error", "doc_id": None, "dup_id": None, "dup_name": "", "sentences": 0,
           "seconds": 0.0, "message_th": "", "message_en": "", "ocr": False}
    if f.size > DEFAULT_LIMITS.max_file_bytes:
        err = file_too_large(f.size)
        row["message_th"], row["message_en"] = err.message_th, err.message_en
        return row
    try:
        # The lesson summary is computed after the themes are on screen (see page_upload), not on this path.
        result = lib.import_bytes(f.getvalue(), name, analyze=False, progress=progress)
    except KcaptureError as err:  # e.g. no model could be loaded
        row["message_th"], row["message_en"] = err.message_th, err.message_en
        return row
    row["seconds"] = result.seconds
    if result.error is not None:
        row["message_th"], row["message_en"] = result.error.message_th, result.error.message_en
    elif result.duplicate_of is not None:
        row["status"], row["dup_id"] = "duplicate", result.duplicate_of
        dup = lib.document_row(result.duplicate_of)
        row["dup_name"] = dup["name"] if dup else str(result.duplicate_of)
    else:
        row["status"], row["doc_id"], row["sentences"] = "ok", result.doc_id, result.sentences
        row["ocr"] = bool(lib.document_row(result.doc_id)["metadata"].get("ocr"))
    return row


# ---------------------------------------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------------------------------------


def show_theme_shares(lib: Library, doc_id: int, key: str) -> None:
    codebook = lib.codebook()
    rows = v.share_rows(lib.theme_counts(doc_id), lib.count_sentences(doc_id), codebook)
    if not rows:
        st.info("ไม่พบประเด็นในเอกสารนี้ · no themes found in this document")
        return
    st.altair_chart(v.theme_chart(rows), width="stretch", key=f"shares_{key}")
    st.markdown("  \n".join(f"- {esc(r['label'])}: **{r['share']:.0%}** ({r['sentences']})" for r in rows[:6]))


def safe_analysis(lib: Library, doc_id: int):
    """The visit's Analysis with the user's corrections, or None (and a one-line message) if it cannot be made."""
    try:
        return cached_analysis(str(lib.path), doc_id, lib.revision())
    except KcaptureError as err:
        st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
        return None


def page_overview(lib: Library, doc_id: int | None) -> None:
    st.header("ภาพรวม · Overview")
    if doc_id is None:
        st.info("อัปโหลดบันทึกเพื่อเริ่มต้น · upload notes to begin")
        return
    row = lib.document_row(doc_id)
    meta = row["metadata"]
    sentences = lib.sentences(doc_id)
    codebook = lib.codebook()
    # The visit card and keywords do not depend on the tags, so the ones stored at import are shown at once; the
    # lesson report (which follows the user's corrections) is computed after the theme shares are on screen.
    analysis = None
    if "visit" not in meta or "keywords" not in meta:
        analysis = safe_analysis(lib, doc_id)
    visit = asdict(analysis.visit) if analysis is not None else (meta.get("visit") or {})
    keywords = list(analysis.keywords) if analysis is not None else (meta.get("keywords") or [])
    with st.container(border=True):
        st.markdown(f"#### :material/description: {esc(row['name'])}")
        fields = v.visit_fields(visit)
        cols = st.columns(3)
        for i, (label, value) in enumerate(fields):
            cols[i % 3].markdown(f"**{label}**  \n{esc(value)}")
        st.caption(f"{len(sentences)} ประโยค · sentences · {len(row['text']):,} ตัวอักษร · characters · "
                   f"แก้ไขแล้ว · corrected {sum(s['corrected'] for s in sentences)}")
    left, right = st.columns([3, 2])
    with left:
        st.subheader("สัดส่วนประเด็น · Theme shares")
        show_theme_shares(lib, doc_id, key="overview")
    with right:
        st.subheader("คำสำคัญ · Keywords")
        st.markdown(" · ".join(esc(str(k)) for k in keywords[:20]) if keywords else "—")
        if analysis is None:
            analysis = safe_analysis(lib, doc_id)
        from kcapture.export.common import STRONGEST_NOTE, report_sections  # after the first screen's text

        sections = report_sections(analysis, codebook) if analysis is not None else []
        st.subheader("★ บทเรียนเด่น · Strongest points")
        strongest = v.strongest_points(sections)
        if not strongest:
            st.caption("ยังไม่พบบทเรียนในบันทึกนี้ · no lesson found in these notes yet")
        for sec, point in strongest:
            st.markdown(v.quote_markdown(point, facet_label=v.code_label(codebook, sec.facet, "facet", "th")))
    st.subheader("รายงานถอดบทเรียน · Lesson report")
    if not sections:
        st.info("ยังไม่มีประโยคที่ติดแท็กประเด็น · no sentence is tagged with a theme yet")
    else:
        st.caption(esc(STRONGEST_NOTE) + " · ส่งออกเป็นไฟล์ได้ที่หน้าส่งออก · download it on the Export page")
        for sec in sections:
            st.markdown(f"##### {esc(sec.heading)}")
            for point in sec.points:
                st.markdown(v.quote_markdown(point))
    st.subheader("ประเด็น × การลงพื้นที่ · Themes × visits")
    library_heatmap(lib)


def library_heatmap(lib: Library) -> None:
    import altair as alt
    import pandas as pd

    ids = v.report_doc_ids(lib)
    docs = [d for d in lib.documents() if d.id in ids]
    if v.sample_doc_id(lib) not in ids and len(ids) < lib.count_documents():
        st.caption("ทั้งคลัง ยกเว้นบันทึกตัวอย่าง · the whole library but the built-in sample")
    if len(docs) > 40:
        st.caption(f"แสดง 40 รายการล่าสุดจาก {len(docs)} · showing the latest 40 of {len(docs)} visits")
        docs = docs[-40:]
    rows = lib.theme_matrix([d.id for d in docs])
    if not rows:
        st.info("ยังไม่มีข้อมูล · nothing yet")
        return
    codebook = lib.codebook()
    df = pd.DataFrame(rows)
    df["visit"] = df["doc_id"].astype(str) + " · " + df["name"].str.slice(0, 24)
    df["label"] = [v.code_label(codebook, t, lang="th") for t in df["theme"]]
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("visit:N", title=None, axis=alt.Axis(labelAngle=-50, labelLimit=180, labelOverlap=False)),
        y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=280)),
        color=alt.Color("share:Q", title="สัดส่วน · share", scale=alt.Scale(scheme="blues")),
        tooltip=["visit:N", "label:N", "n:Q", alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=alt.Step(24))
    st.altair_chart(chart, width="stretch", key="heatmap")


# ---------------------------------------------------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------------------------------------------------


def page_themes(lib: Library, doc_id: int | None) -> None:
    st.header("ประเด็น · Themes")
    codebook = lib.codebook()
    docs = lib.documents()
    names = {d.id: d.name for d in docs}
    follow_sidebar_visit(lib, doc_id, names)
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2])
    theme = c1.selectbox("ประเด็น · Theme", codebook.theme_ids, format_func=lambda t: v.code_label(codebook, t),
                         key="theme_pick", placeholder=v.PLACEHOLDER)
    facets = c2.multiselect("มิติ · Facets", codebook.facet_ids, format_func=lambda f: v.code_label(codebook, f, "facet"),
                            key="theme_facets", placeholder=v.PLACEHOLDER_ALL)
    visits = c3.multiselect("การลงพื้นที่ · Visits", list(names), format_func=lambda i: f"{i} · {names[i]}",
                            key="theme_visits", placeholder=v.PLACEHOLDER_ALL)
    min_score = c4.slider("คะแนนขั้นต่ำ · Min score", 0.0, 1.0, 0.0, 0.05, key="theme_min")
    remember_theme_filter()
    if theme is None:
        return
    code = codebook.theme(theme)
    if code.definition_th or code.definition_en:
        st.caption(esc(code.definition_th or code.definition_en))
    doc_ids = v.report_doc_ids(lib, visits)
    if not visits:
        sample = v.sample_doc_id(lib)
        st.caption("ทุกการลงพื้นที่" + (" ยกเว้นบันทึกตัวอย่าง" if sample is not None and sample not in doc_ids else "")
                   + " · every visit" + (" but the built-in sample" if sample is not None and sample not in doc_ids
                                         else ""))
    if not doc_ids:
        st.info("ยังไม่มีเอกสาร · no documents yet")
        return
    rows = lib.evidence(theme, facets or None, doc_ids, min_score)
    st.markdown(f"**{len(rows)}** ประโยคหลักฐาน · evidence sentences")
    by_facet: dict[str, list[dict]] = {}
    for r in rows:
        by_facet.setdefault(r["facet"] or "", []).append(r)
    order = [f for f in codebook.facet_ids if f in by_facet] + [f for f in by_facet if f not in codebook.facet_ids]
    for facet in order:
        group = by_facet[facet]
        st.subheader(f"{v.code_label(codebook, facet, 'facet')} ({len(group)})")
        for r in group[:60]:
            ctx = {c["idx"]: c["text"] for c in lib.context(r["doc_id"], r["idx"])}
            before, after = ctx.get(r["idx"] - 1), ctx.get(r["idx"] + 1)
            text = (f":gray[{esc(before)}] " if before else "") + f"**{esc(r['text'])}**" + \
                   (f" :gray[{esc(after)}]" if after else "")
            with st.container(border=True):
                st.markdown(text)
                st.caption(f"{esc(r['doc_name'])} · #{r['idx']} · คะแนน · score {r['score']:.2f}"
                           + (" · ✎ แก้ไขโดยผู้ใช้ · corrected" if r["corrected"] else ""))
        if len(group) > 60:
            st.caption(f"และอีก {len(group) - 60} ประโยค · and {len(group) - 60} more (ใช้ตัวกรอง · use the filters)")


def follow_sidebar_visit(lib: Library, doc_id: int | None, names: dict[int, str]) -> None:
    """The Themes page shows the visit chosen in the sidebar: when that choice changes, the page's visit filter
    becomes that visit and the theme its largest one (the user can still widen the filter). The filter is kept in
    copies of its own, because Streamlit forgets a widget's value while another page is shown."""
    for key in ("theme_visits", "theme_pick"):
        if key not in st.session_state and f"_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"_{key}"]
    if st.session_state.get("_themes_for_doc") != doc_id and doc_id is not None:
        st.session_state._themes_for_doc = doc_id
        st.session_state.theme_visits = [doc_id]
        known = set(lib.codebook().theme_ids)
        counts = {t: n for t, n in lib.theme_counts(doc_id).items() if t in known}
        if counts:
            st.session_state.theme_pick = max(counts, key=lambda t: (counts[t], t))
    st.session_state.theme_visits = [i for i in st.session_state.get("theme_visits", []) if i in names]


def remember_theme_filter() -> None:
    st.session_state._theme_visits = list(st.session_state.get("theme_visits", []))
    st.session_state._theme_pick = st.session_state.get("theme_pick")


# ---------------------------------------------------------------------------------------------------------------------
# Lessons across visits
# ---------------------------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def cached_across(lib_path: str, doc_ids: tuple[int, ...], revision: int) -> dict:
    with Library(lib_path) as lib:
        return v.across_visits([v.analysis_for(lib, i) for i in doc_ids], lib.codebook())


def make_combined_export(lib_path: str, doc_ids: list[int], fmt: str):
    def build() -> bytes:
        with Library(lib_path) as lib:
            return v.combined_export_bytes(lib, doc_ids, fmt)

    return build


def page_across(lib: Library) -> None:
    import pandas as pd

    st.header("บทเรียนข้ามการลงพื้นที่ · Lessons across visits")
    docs = lib.documents()
    names = {d.id: d.name for d in docs}
    st.session_state.across_visits = [i for i in st.session_state.get("across_visits", []) if i in names]
    chosen = st.multiselect("การลงพื้นที่ · Visits", list(names), format_func=lambda i: f"{i} · {names[i]}",
                            key="across_visits", placeholder=v.PLACEHOLDER_ALL)
    doc_ids = v.report_doc_ids(lib, chosen)
    if not chosen:
        sample = v.sample_doc_id(lib)
        note = " (ยกเว้นบันทึกตัวอย่าง · but the built-in sample)" if sample is not None and sample not in doc_ids \
            else ""
        st.caption(f"ทั้งคลัง{note} · the whole library: {len(doc_ids)} การลงพื้นที่ · visits")
    if len(doc_ids) > v.MAX_ACROSS:
        st.warning(f"ใช้ {v.MAX_ACROSS} การลงพื้นที่ล่าสุดจาก {len(doc_ids)} เลือกเองได้ด้านบน · using the latest "
                   f"{v.MAX_ACROSS} of {len(doc_ids)} visits; choose others above")
        doc_ids = doc_ids[-v.MAX_ACROSS:]
    if len(doc_ids) < 2:
        st.info("เลือกอย่างน้อย 2 การลงพื้นที่ · choose at least two visits (อัปโหลดบันทึกเพิ่มได้ · or upload more "
                "notes)")
        return
    try:
        with st.spinner(f"กำลังสรุปบทเรียน {len(doc_ids)} การลงพื้นที่ · summarising {len(doc_ids)} visits…"):
            data = cached_across(str(lib.path), tuple(doc_ids), lib.revision())
    except KcaptureError as err:
        st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
        return
    st.subheader("บทเรียนที่พบซ้ำ · Recurring lessons")
    if not data["groups"]:
        st.info("ยังไม่พบบทเรียนที่ซ้ำกันระหว่างการลงพื้นที่เหล่านี้ · no point recurs across these visits")
    for i, g in enumerate(data["groups"], 1):
        with st.container(border=True):
            st.markdown(f"**{i}. พบใน {g['visits']} ครั้ง · {g['visits']} visits** · "
                        f":gray-badge[{esc(g['facet_label'])}] "
                        + " ".join(f":green-badge[{esc(t)}]" for t in g["theme_labels"][:4]))
            for q in g["quotes"]:
                st.markdown(f"> “{esc(q['text'])}”")
                st.caption(esc(q["visit"]))
    st.subheader("ประเด็น × การลงพื้นที่ · Themes × visits")
    st.caption("จำนวนประโยคที่ติดแท็ก (สัดส่วนของการลงพื้นที่) · tagged sentences (share of the visit)")
    if data["matrix"]:
        st.dataframe(pd.DataFrame(data["matrix"]), hide_index=True)
    st.subheader("ดาวน์โหลดรายงานรวม · Download the combined report")
    formats = [f for f in v.export_formats() if f.id in ("docx", "md", "xlsx")]
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        col.download_button(fmt.label, make_combined_export(str(lib.path), doc_ids, fmt.id),
                            icon=":material/download:", file_name=f"kcapture-{len(doc_ids)}-visits.{fmt.extension}",
                            mime=fmt.mime, key=f"dl_across_{fmt.id}", on_click="ignore")
    st.caption("รายงานของแต่ละการลงพื้นที่ ตาราง และบทเรียนที่พบซ้ำ ในไฟล์เดียว · each visit's report, the matrix "
               "and the recurring lessons in one file")


# ---------------------------------------------------------------------------------------------------------------------
# Intercoder agreement
# ---------------------------------------------------------------------------------------------------------------------


def page_agreement(lib: Library, doc_id: int | None) -> None:
    from kcapture.agreement import compare

    st.header("ความสอดคล้องของการให้รหัส · Intercoder agreement")
    codebook = lib.codebook()
    mode = st.radio("เปรียบเทียบ · Compare", ["corrections", "files"], key="agree_mode", horizontal=True,
                    format_func={"corrections": "การแก้ไขของผู้ใช้ กับ โมเดล · a person's corrections vs the model",
                                 "files": "สองไฟล์ JSONL (สองคน) · two JSONL codings (two people)"}.get)
    labels = ("ชุดที่ 1 · first", "ชุดที่ 2 · second")
    try:
        if mode == "corrections":
            docs = lib.documents()
            names = {d.id: d.name for d in docs}
            if "agree_docs" not in st.session_state:
                st.session_state.agree_docs = [doc_id] if doc_id is not None else []
            st.session_state.agree_docs = [i for i in st.session_state.agree_docs if i in names]
            chosen = st.multiselect("เอกสาร · Documents", list(names), format_func=lambda i: f"{i} · {names[i]}",
                                    key="agree_docs", placeholder=v.PLACEHOLDER)
            people = v.correctors(lib, chosen)
            who = st.multiselect("ผู้แก้ไข · Corrected by", people, key="agree_who", placeholder=v.PLACEHOLDER_ALL)
            first, second, texts = v.correction_codings(lib, chosen, who or None)
            labels = ("การแก้ไข · corrections", "โมเดล · model")
            st.caption("เทียบเฉพาะประโยคที่มีผู้แก้ไข (ประโยคอื่นยังเป็นป้ายของโมเดล) · only the sentences a person "
                       "corrected (the others still carry the model's labels)")
            if not first:
                st.info("ยังไม่มีประโยคที่แก้ไขในเอกสารที่เลือก แก้ได้ที่หน้าเอกสาร · no corrected sentence in these "
                        "documents yet: correct some on the Document page")
                return
        else:
            st.caption('แต่ละบรรทัด · one JSON object a line: {"id": "...", "themes": ["..."], "facet": "...", '
                       '"text": "..." (ไม่บังคับ · optional)}; จับคู่ด้วย id · rows are matched by id')
            c1, c2 = st.columns(2)
            up1 = c1.file_uploader("ชุดที่ 1 (เช่น ผู้ให้รหัสคนแรก) · first coding", key="agree_first")
            up2 = c2.file_uploader("ชุดที่ 2 · second coding", key="agree_second")
            if up1 is None or up2 is None:
                st.info("อัปโหลดทั้งสองไฟล์ · upload both files")
                return
            first = v.parse_coding(up1.getvalue(), safe_filename(up1.name))
            second = v.parse_coding(up2.getvalue(), safe_filename(up2.name))
            texts = {r["id"]: r["text"] for r in [*second, *first] if r.get("text")}
        ag = compare(first, second, texts)
    except KcaptureError as err:
        st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
        return
    show_agreement(ag, codebook, labels)


def show_agreement(ag, codebook, labels: tuple[str, str]) -> None:
    import json

    import pandas as pd

    per_label, diffs = v.agreement_tables(ag, codebook)

    def kappa(k: float | None) -> str:
        return "–" if k is None else f"{k:.2f}"

    cols = st.columns(5)
    cols[0].metric("ประโยค · sentences", ag.sentences)
    cols[1].metric("มิติตรงกัน · facet agreement", f"{ag.facet.percent:.0%}")
    cols[2].metric("kappa มิติ · facet kappa", kappa(ag.facet.kappa))
    cols[3].metric("kappa เฉลี่ยประเด็น · mean theme kappa", kappa(ag.theme_mean_kappa))
    cols[4].metric("macro-F1 ประเด็น · themes", f"{ag.theme_macro_f1:.2f}")
    st.caption(f"{esc(labels[0])} เทียบกับ · against {esc(labels[1])} · kappa ของ Cohen: ≥ 0.61 ดี · substantial, "
               "0.41–0.60 ปานกลาง · moderate, ≤ 0.40 ควรคุยกัน · worth discussing")
    def named(rows: list[dict]) -> pd.DataFrame:  # "first" / "second" say whose coding it is
        return pd.DataFrame(rows).rename(columns=lambda c: c.replace("ชุดที่ 1 · first", labels[0])
                                         .replace("ชุดที่ 2 · second", labels[1]))

    st.subheader("รายประเด็นและมิติ · Per theme and facet")
    st.dataframe(named(per_label), hide_index=True)
    st.subheader(f"ประโยคที่ให้รหัสต่างกัน · Sentences coded differently ({len(diffs)})")
    if diffs:
        st.dataframe(named(diffs), hide_index=True)
    else:
        st.success("ทั้งสองชุดตรงกันทุกประโยค · the two codings agree on every sentence")
    st.download_button("agreement.json", json.dumps(ag.to_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
                       icon=":material/download:", file_name="kcapture-agreement.json", mime="application/json",
                       key="dl_agreement", on_click="ignore")


# ---------------------------------------------------------------------------------------------------------------------
# Document + corrections
# ---------------------------------------------------------------------------------------------------------------------


def save_correction(lib_path: str, doc_id: int, idx: int) -> None:
    themes = st.session_state.get(f"fix_themes_{doc_id}_{idx}", [])
    facet = st.session_state.get(f"fix_facet_{doc_id}_{idx}")
    with Library(lib_path) as lib:
        lib.correct(doc_id, idx, list(themes), facet, who=who())
    st.toast(f"บันทึกการแก้ไขประโยค {idx} แล้ว · correction saved", icon=":material/check_circle:")


def ask_delete(doc_id: int | None) -> None:
    """Callback: ask (or, with None, stop asking) to confirm deleting a document."""
    st.session_state.confirm_delete = doc_id


def delete_document(lib_path: str, doc_id: int) -> None:
    with Library(lib_path) as lib:
        name = (lib.document_row(doc_id) or {}).get("name", str(doc_id))
        lib.delete_document(doc_id)
    st.session_state.confirm_delete = None
    st.toast(f"ลบ {esc(name)} แล้ว · deleted", icon=":material/delete:")


def page_document(lib: Library, doc_id: int | None) -> None:
    st.header("เอกสาร · Document")
    if doc_id is None:
        st.info("ยังไม่มีเอกสาร · no documents yet")
        return
    codebook = lib.codebook()
    sentences = lib.sentences(doc_id)
    if not sentences:
        st.info("เอกสารนี้ไม่มีประโยค · this document has no sentences")
        return
    options = ["*", "", *codebook.theme_ids]
    labels = {"*": "ทุกประเด็น (สีตามประเด็นแรก) · all themes", "": "ไม่ไฮไลต์ · no highlight"}
    left, right = st.columns([3, 2])
    with right:
        idxs = [s["idx"] for s in sentences]
        wanted = st.session_state.pop("selected_sentence", None)
        key = f"sentence_pick_{doc_id}"
        if wanted in idxs:
            st.session_state[key] = wanted
        idx = st.selectbox("เลือกประโยคเพื่อแก้ป้ายกำกับ · Select a sentence to correct", idxs, key=key,
                           format_func=lambda i: f"{i} · {sentences[i]['text'][:60]}",
                           placeholder=v.PLACEHOLDER)
        s = sentences[idxs.index(idx)]
        with st.container(border=True):
            st.markdown(f"`{s['idx']}` {esc(s['text'])}")
            model_tags = ", ".join(f"{v.code_label(codebook, t, lang='th')} {s['theme_scores'].get(t, 0):.2f}"
                                   for t in s["model_themes"]) or "—"
            st.caption(f"โมเดล · model: {esc(model_tags)} · "
                       f"{esc(v.code_label(codebook, s['model_facet'], 'facet', 'th'))} "
                       f"{s['facet_scores'].get(s['model_facet'] or '', 0):.2f}")
            theme_opts = list(dict.fromkeys([*codebook.theme_ids, *s["themes"]]))
            st.multiselect("ประเด็น · Themes", theme_opts, default=s["themes"], key=f"fix_themes_{doc_id}_{idx}",
                           format_func=lambda t: v.code_label(codebook, t), on_change=save_correction,
                           args=(str(lib.path), doc_id, idx), placeholder="ไม่มีประเด็น · no theme")
            facet_opts = list(dict.fromkeys([*codebook.facet_ids, *([s["facet"]] if s["facet"] else [])]))
            st.selectbox("มิติ · Facet", facet_opts, index=facet_opts.index(s["facet"]) if s["facet"] else 0,
                         key=f"fix_facet_{doc_id}_{idx}", format_func=lambda f: v.code_label(codebook, f, "facet"),
                         on_change=save_correction, args=(str(lib.path), doc_id, idx),
                         placeholder=v.PLACEHOLDER)
            if s["corrected"]:
                st.caption("✎ แก้ไขโดยผู้ใช้แล้ว (บันทึกทันที) · corrected by a user (saved at once)")
            else:
                st.caption("การเปลี่ยนแปลงจะบันทึกทันที · changes are saved at once")
        highlight = st.selectbox("ไฮไลต์ · Highlight", options, key="highlight",
                                 format_func=lambda t: labels.get(t) or v.code_label(codebook, t),
                                 placeholder=v.PLACEHOLDER)
        if highlight == "*":
            st.markdown(" ".join(f":{v.theme_color(codebook.theme_ids, t)}-background"
                                 f"[{esc(v.code_label(codebook, t, lang='th'))}]" for t in codebook.theme_ids))
        asking = st.session_state.get("confirm_delete") == doc_id
        with st.expander("จัดการเอกสาร · Manage", expanded=asking):
            if not asking:
                st.button("ลบเอกสารนี้… · Delete this document…", key=f"delete_{doc_id}", on_click=ask_delete,
                          args=(doc_id,))
            else:
                name = lib.document_row(doc_id)["name"]
                st.warning(f"ลบ **{esc(name)}** ออกจากคลังหรือไม่? ประโยคและป้ายกำกับของเอกสารจะถูกลบ การแก้ไขยังเก็บไว้ "
                           f"(กลับมาเมื่อนำเข้าไฟล์เดิมอีกครั้ง) · Delete **{esc(name)}** from the library? Its sentences "
                           "and labels are removed; your corrections are kept (they return if the file is imported "
                           "again).", icon=":material/delete:")
                c1, c2 = st.columns(2)
                c1.button("ยืนยันการลบ · Yes, delete", type="primary", key=f"delete_yes_{doc_id}",
                          on_click=delete_document, args=(str(lib.path), doc_id))
                c2.button("ยกเลิก · Cancel", key=f"delete_no_{doc_id}", on_click=ask_delete, args=(None,))
    with left:
        st.markdown(f"#### {esc(lib.document_row(doc_id)['name'])}")
        with st.container(height=720):
            for kind, body in v.document_markdown(sentences, codebook, highlight or None, idx):
                st.markdown(("##### " if kind == "heading" else "- " if kind == "list_item" else "") + body)


# ---------------------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------------------


def page_search(lib: Library) -> None:
    st.header("ค้นหา · Search")
    query = st.text_input("ค้นหาคำหรือวลีในทุกบันทึก · Search all visits (Thai words are found inside unspaced text)",
                          key="search_q", placeholder="เช่น อาสาสมัคร, วิสาหกิจชุมชน ผู้สูงอายุ")
    if not query.strip():
        st.caption("หลายคำคั่นด้วยเว้นวรรค = ต้องพบทุกคำในประโยคเดียวกัน · several words separated by spaces must "
                   "all occur in one sentence")
        return
    codebook = lib.codebook()
    hits = lib.search(query, limit=200)
    from kcapture.library import query_tokens

    terms = [w for part in query_tokens(query) for w in part] + query.split()
    words = sum(h.how == "words" for h in hits)
    st.markdown(f"พบ **{len(hits)}** ประโยค · {len(hits)} sentences found (คำ · words {words}, "
                f"ส่วนของคำ · inside longer words {len(hits) - words})")
    for i, h in enumerate(hits):
        with st.container(border=True):
            st.markdown(v.bold_terms(h.text, terms))
            themes = ", ".join(v.code_label(codebook, t, lang="th") for t in h.themes) or "—"
            c1, c2 = st.columns([6, 1])
            c1.caption(f"{esc(h.doc_name)} · #{h.idx} · {esc(themes)} · "
                       f"{esc(v.code_label(codebook, h.facet, 'facet', 'th'))}")
            c2.button("เปิด · Open", key=f"open_{i}_{h.doc_id}_{h.idx}", on_click=go,
                      args=("document", h.doc_id, h.idx))


# ---------------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------------


def make_export(lib_path: str, doc_id: int, fmt: str, redact: bool):
    """The bytes of one export, made only when the user clicks its download button (Streamlit runs this callable
    then, on its own thread), so viewing the page costs nothing."""

    def build() -> bytes:
        with Library(lib_path) as lib:
            return v.export_bytes(lib, doc_id, fmt, redact)

    return build


def make_library_json(lib_path: str):
    def build() -> bytes:
        import json

        with Library(lib_path) as lib:
            return json.dumps(lib.export_json(), ensure_ascii=False, indent=1).encode("utf-8")

    return build


@st.cache_data(max_entries=4, show_spinner=False)  # an Analysis holds its whole Document: keep few
def cached_analysis(lib_path: str, doc_id: int, revision: int):
    with Library(lib_path) as lib:
        return v.analysis_for(lib, doc_id)


def page_export(lib: Library, doc_id: int | None) -> None:
    st.header("ส่งออก · Export")
    if doc_id is None:
        st.info("ยังไม่มีเอกสาร · no documents yet")
        return
    row = lib.document_row(doc_id)
    stem = safe_filename(os.path.splitext(row["name"])[0] or "kcapture")
    st.markdown(f"สรุปบทเรียนของ **{esc(row['name'])}** · lesson summary of this visit (with your corrections)")
    redact = st.toggle("ปกปิดข้อมูลส่วนบุคคล · Redact personal data", key="redact")
    formats = v.export_formats()
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        suffix = "-redacted" if redact else ""
        col.download_button(fmt.label, make_export(str(lib.path), doc_id, fmt.id, redact), icon=":material/download:",
                            file_name=f"{stem}{suffix}.{fmt.extension}", mime=fmt.mime, key=f"dl_{fmt.id}",
                            on_click="ignore")
    st.caption("ไฟล์สร้างเมื่อกดดาวน์โหลด · each file is made when you click it")
    st.divider()
    st.markdown("**สำรองทั้งคลัง · Back up the whole library** (เอกสาร ประโยค การแก้ไข รหัส · documents, sentences, "
                "corrections, codes)")
    st.download_button("library.json", make_library_json(str(lib.path)), icon=":material/download:",
                       file_name="kcapture-library.json", mime="application/json", key="dl_library",
                       on_click="ignore")


# ---------------------------------------------------------------------------------------------------------------------
# Codebook & model
# ---------------------------------------------------------------------------------------------------------------------


def page_codebook(lib: Library) -> None:
    import pandas as pd

    st.header("รหัสและโมเดล · Codebook & model")
    codebook = lib.codebook()
    custom = {c.id: c for c in lib.custom_codes()}
    st.subheader("ประเด็น · Themes")
    st.dataframe(pd.DataFrame([{
        "id": c.id, "ไทย · Thai": c.label_th, "English": c.label_en,
        "ที่มา · source": ("เพิ่มเอง · custom" if c.id not in lib_default_ids() else
                          "แก้ไข · edited" if c.id in custom else "มาตรฐาน · shipped"),
        "ตัวอย่าง · examples": len(custom[c.id].examples) if c.id in custom else 0,
        "นิยาม · definition": (c.definition_th or c.definition_en)[:160],
    } for c in codebook.themes]), hide_index=True)

    st.subheader("เพิ่มหรือแก้ไขประเด็น · Add, rename or describe a theme")
    st.caption("สมุดรหัสมาตรฐานไม่ถูกแก้ไข การเปลี่ยนแปลงเก็บในคลังนี้ · the shipped codebook stays as shipped; "
               "changes live in this library")
    target = st.selectbox("ประเด็น · Theme", ["__new__", *codebook.theme_ids], key="code_target",
                          format_func=lambda t: "+ ประเด็นใหม่ · new theme" if t == "__new__"
                          else v.code_label(codebook, t), placeholder=v.PLACEHOLDER)
    current = codebook.theme(target) if target != "__new__" else None
    with st.form(f"code_form_{target}", clear_on_submit=False):
        code_id = st.text_input("รหัส (อังกฤษ) · id", value="" if current is None else current.id,
                                disabled=current is not None, placeholder="e.g. food_security", key=f"code_id_{target}")
        c1, c2 = st.columns(2)
        label_th = c1.text_input("ชื่อไทย · Thai label", value=current.label_th if current else "",
                                 key=f"code_th_{target}")
        label_en = c2.text_input("ชื่ออังกฤษ · English label", value=current.label_en if current else "",
                                 key=f"code_en_{target}")
        definition_th = st.text_area("นิยาม · Definition (Thai)", value=current.definition_th if current else "",
                                     height=80)
        definition_en = st.text_area("นิยาม · Definition (English)", value=current.definition_en if current else "",
                                     height=68)
        examples = st.text_area("ประโยคตัวอย่าง บรรทัดละหนึ่งประโยค · Example sentences, one per line",
                                value="\n".join(custom[target].examples) if target in custom else "", height=120,
                                key=f"code_examples_{target}")
        submitted = st.form_submit_button("บันทึกประเด็น · Save theme", type="primary", key=f"code_save_{target}")
    if submitted:
        try:
            lib.save_custom_code(CustomCode(id=(code_id if current is None else current.id).strip(),
                                            label_th=label_th, label_en=label_en, definition_th=definition_th,
                                            definition_en=definition_en, examples=examples.splitlines()))
            st.success("บันทึกแล้ว ฝึกโมเดลใหม่เพื่อให้โมเดลเรียนรู้ · saved; retrain so the model learns it")
        except KcaptureError as err:
            st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
    if target in custom and st.button("ล้างการแก้ไขของประเด็นนี้ · Remove this library's changes to this theme"):
        lib.delete_custom_code(target)
        st.rerun()

    st.subheader("โมเดล · Model")
    rows = lib.training_rows()
    n_corr = sum(r["source"] == "correction" for r in rows)
    st.markdown(f"การแก้ไขของผู้ใช้ **{n_corr}** ประโยค · ตัวอย่างของประเด็นที่เพิ่มเอง **{len(rows) - n_corr}** ประโยค · "
                f"{n_corr} corrections, {len(rows) - n_corr} custom-theme examples")
    st.caption("ฝึกจากคลังข้อมูลฝึกของโปรแกรม + การแก้ไข + ตัวอย่าง ใช้เวลาประมาณ 1-2 นาที รุ่นเดิมเก็บไว้ย้อนกลับได้ · "
               "trains on the bundled corpus + your corrections + examples; takes a minute or two; the previous "
               "version is kept for roll-back")
    if st.button("ฝึกโมเดลใหม่ด้วยการแก้ไขของฉัน · Retrain with my corrections", type="primary", key="retrain"):
        from kcapture.retrain import retrain

        bar = st.progress(0.0, text="เริ่ม · starting")
        try:
            result = retrain(lib, progress=lambda frac, msg: bar.progress(frac, text=msg))
            st.session_state.retrain_result = {
                "version": result.version, "before": result.before, "after": result.after, "seconds": result.seconds,
                "per_label": result.per_label, "worse": result.worse, "held_out": result.n_held_out}
        except KcaptureError as err:
            st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
    res = st.session_state.get("retrain_result")
    if res:
        show_candidate(lib, res)
    versions = lib.model_versions()
    if versions:
        st.markdown("**รุ่นของโมเดล · Model versions** (รุ่นก่อนหน้าเก็บไว้ทั้งหมด · previous versions are kept)")
        st.dataframe(pd.DataFrame([{
            "รุ่น · version": f"v{m.id}", "ใช้อยู่ · active": "●" if m.active else "", "สร้าง · created": m.created,
            "แก้ไข · corrections": m.n_corrections, "ตัวอย่าง · examples": m.n_examples,
            "themes micro-F1 ก่อน→หลัง": _arrow(m.metrics_before, m.metrics_after, "themes_micro_f1"),
            "facet macro-F1 ก่อน→หลัง": _arrow(m.metrics_before, m.metrics_after, "facet_macro_f1"),
        } for m in versions]), hide_index=True)
        choices = [0, *[m.id for m in versions]]
        active = next((m.id for m in versions if m.active), 0)
        pick = st.selectbox("ใช้โมเดลรุ่น · Use model version", choices, index=choices.index(active), key="version_pick",
                            format_func=lambda i: "โมเดลพื้นฐาน · base model" if i == 0 else f"v{i}",
                            placeholder=v.PLACEHOLDER)
        if st.button("ใช้รุ่นนี้ (ย้อนกลับได้) · Activate / roll back", key="activate", disabled=pick == active):
            lib.activate_model(pick or None)
            bar = st.progress(0.0, text="ติดแท็กใหม่ · re-tagging")
            lib.retag(progress=lambda i, n: bar.progress(i / max(n, 1), text=f"{i}/{n}"))
            st.rerun()


def lib_default_ids() -> set[str]:
    from kcapture.codebook import load_codebook

    return set(load_codebook().theme_ids)


def _arrow(before: dict, after: dict, key: str) -> str:
    if key not in before or key not in after:
        return ""
    return f"{before[key]:.3f} → {after[key]:.3f}"


def show_candidate(lib: Library, res: dict) -> None:
    """A retrained candidate: before/after on held-out sentences, per label, worse figures in red; the user decides."""
    import pandas as pd

    version = res["version"]
    active = lib.active_version()
    if active is not None and active.id == version:
        st.success(f"ใช้โมเดลรุ่น v{version} อยู่ · model v{version} is in use")
        return
    if res["worse"]:
        st.error(f"โมเดลรุ่นใหม่ v{version} แย่กว่าโมเดลที่ใช้อยู่บนประโยคทดสอบ {res['held_out']} ประโยค (ตัวเลขสีแดง) "
                 f"แนะนำให้ไม่ใช้ · the new model v{version} is WORSE than the model in use on {res['held_out']} "
                 "held-out sentences (red figures); keeping the current model is recommended")
    else:
        st.info(f"โมเดลรุ่นใหม่ v{version} พร้อมแล้ว ({res['seconds']:.0f} วินาที) ยังไม่ได้ใช้งาน ตรวจตัวเลขก่อนกดยืนยัน · "
                f"model v{version} is ready ({res['seconds']:.0f} s), not in use yet: check the figures, then confirm")
    st.dataframe(figures_table(res["before"], res["after"]).style.map(_red_if_negative), hide_index=True)
    per_label = pd.DataFrame([{
        "ส่วน · head": r["head"], "ป้าย · label": r["label"], "F1 ก่อน · before": r["before"],
        "F1 หลัง · after": r["after"], "เปลี่ยน · change": r["change"], "จำนวน · support": r["support"],
    } for r in res.get("per_label") or []])
    if not per_label.empty:
        with st.expander("รายป้ายกำกับ · per label (F1 บนประโยคทดสอบที่ไม่ได้แก้ไข · held-out sentences)"):
            st.dataframe(per_label.style.map(_red_if_negative, subset=["เปลี่ยน · change"]), hide_index=True)
    label = ("ยืนยันใช้รุ่นนี้ทั้งที่แย่กว่า · Use it anyway" if res["worse"]
             else "ยืนยันใช้รุ่นนี้ · Confirm: use this model")
    if st.button(label, key="confirm_candidate", type="secondary" if res["worse"] else "primary"):
        lib.activate_model(version)
        bar = st.progress(0.0, text="ติดแท็กใหม่ · re-tagging")
        lib.retag(progress=lambda i, n: bar.progress(i / max(n, 1), text=f"{i}/{n}"))
        st.rerun()


def _red_if_negative(value) -> str:
    try:
        return "color: #c62828; font-weight: 600" if value is not None and float(value) < -0.005 else ""
    except (TypeError, ValueError):
        return ""


def figures_table(before: dict, after: dict) -> pd.DataFrame:
    import pandas as pd

    names = {"themes_micro_f1": "ประเด็น micro-F1 · themes micro-F1", "themes_macro_f1": "ประเด็น macro-F1",
             "facet_accuracy": "มิติ ความแม่นยำ · facet accuracy", "facet_macro_f1": "มิติ macro-F1",
             "corrections_agree": "ตรงกับการแก้ไขของผู้ใช้ · agrees with your corrections"}
    rows = []
    for key, label in names.items():
        if key in before or key in after:
            rows.append({"ตัวชี้วัด · metric": label, "ก่อน · before": before.get(key), "หลัง · after": after.get(key)})
    rows.append({"ตัวชี้วัด · metric": "ชุดทดสอบ · held-out test rows", "ก่อน · before": before.get("n_test"),
                 "หลัง · after": after.get("n_test")})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="kcapture · ถอดบทเรียน", page_icon=":material/library_books:", layout="wide")
    try:
        lib = open_library()
    except KcaptureError as err:
        st.error(f"{esc(err.message_th)}  \n{esc(err.message_en)}")
        st.stop()
    try:
        page = choose_page()
        if page == "upload":
            page_upload(lib)
            choose_document(lib)
        else:
            doc_id = choose_document(lib)
            if page == "overview":
                page_overview(lib, doc_id)
            elif page == "themes":
                page_themes(lib, doc_id)
            elif page == "across":
                page_across(lib)
            elif page == "agreement":
                page_agreement(lib, doc_id)
            elif page == "document":
                page_document(lib, doc_id)
            elif page == "search":
                page_search(lib)
            elif page == "export":
                page_export(lib, doc_id)
            elif page == "codebook":
                page_codebook(lib)
        sidebar_footer(lib)
        warm_up(str(lib.path))
    finally:
        lib.close()


main()
