"""The app's lesson report (issue 11): the overview shows the exports' AAR outline, lessons across visits, intercoder
agreement, and the small points (charts, the sidebar's visit, placeholders, delete confirmation, Excel labels,
Markdown markers). Headless with streamlit.testing.v1.AppTest; each test has a fresh library."""

from __future__ import annotations

import html
import io
import json

import pytest
from kc_support import app_library, app_test
from streamlit.testing.v1 import AppTest

from kcapture import views
from kcapture.export.common import RECURRING_HEADING, STRONGEST_MARK, report_sections
from kcapture.library import SAMPLE_VISIT, Library

THAI = "\u0e00-\u0e7f"

# Two short visit notes written for these tests: the same lessons in two villages, so they recur across visits.
NOTE_A = """# ลงพื้นที่ตำบลหนองบัว 12 มีนาคม 2567

วัตถุประสงค์ของการลงพื้นที่คือเรียนรู้การดูแลผู้สูงอายุโดยอาสาสมัครในชุมชน

อาสาสมัครเยี่ยมบ้านผู้สูงอายุติดเตียงทุกสัปดาห์และบันทึกอาการลงสมุดประจำตัว

ผลที่เกิดขึ้นคือผู้สูงอายุได้รับการดูแลต่อเนื่องและครอบครัวมีกำลังใจมากขึ้น

## บทเรียนที่ได้รับ

- การมีส่วนร่วมของชุมชนทำให้การดูแลผู้สูงอายุยั่งยืนแม้ไม่มีงบประมาณจากภายนอก
- ผู้นำชุมชนที่เข้มแข็งช่วยให้อาสาสมัครทำงานต่อเนื่อง

ข้อเสนอแนะคือควรอบรมอาสาสมัครเรื่องการปฐมพยาบาลและการดูแลแผลกดทับเพิ่มเติม
"""
NOTE_B = """# ลงพื้นที่ตำบลบ้านใหม่ 3 เมษายน 2567

วัตถุประสงค์คือศึกษาการทำงานของอาสาสมัครดูแลผู้สูงอายุในหมู่บ้าน

อาสาสมัครเยี่ยมบ้านผู้สูงอายุติดเตียงเดือนละสองครั้งร่วมกับเจ้าหน้าที่ รพ.สต.

ผลคือผู้สูงอายุติดเตียงได้รับการดูแลต่อเนื่องและมีแผลกดทับลดลง

## บทเรียนที่ได้รับ

- การมีส่วนร่วมของชุมชนทำให้การดูแลผู้สูงอายุยั่งยืนแม้งบประมาณมีน้อย
- ผู้นำชุมชนที่เข้มแข็งทำให้อาสาสมัครมีกำลังใจทำงานต่อเนื่อง

ข้อเสนอแนะคือควรอบรมอาสาสมัครเรื่องการดูแลแผลกดทับและการปฐมพยาบาล
"""


@pytest.fixture
def library(tmp_path, monkeypatch):
    return app_library(tmp_path, monkeypatch)


def _app() -> AppTest:
    return app_test(timeout=180)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _page(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page)
    return _run(at)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return html.unescape("\n".join(str(p) for p in parts))


def _add_notes(path) -> list[int]:
    """The sample (seeded by the first app run) plus the two notes, imported with the test model."""
    with Library(path) as lib:
        ids = []
        for name, text in (("หนองบัว.md", NOTE_A), ("บ้านใหม่.md", NOTE_B)):
            result = lib.import_bytes(text.encode("utf-8"), name)
            assert result.ok, result.error
            ids.append(result.doc_id)
        return ids


# -- 1. the overview is the report ------------------------------------------------------------------------------------

def test_overview_shows_the_report_sections_with_whole_quotes_tags_and_strongest_points(library):
    at = _app()  # first start: the built-in sample visit, analysed
    with Library(library) as lib:
        sections = report_sections(views.analysis_for(lib, 1), lib.codebook())
    assert sections, "the sample visit has report points"
    shown = [m.value for m in at.markdown]
    text = _text(at)
    assert "รายงานถอดบทเรียน" in text and "Strongest insights" not in text
    for sec in sections:
        assert f"##### {views.md_escape(sec.heading)}" in shown, sec.heading  # the exports' headings, same order
        for point in sec.points:
            quote = views.md_escape(point.lesson.text)
            blocks = [m for m in shown if quote in m]
            # Whole quote, once in the report (and once more among the strongest points when it is one of them).
            assert len(blocks) == (2 if point.strongest else 1), point.lesson.text
            for tag in point.tags:
                assert all(f":green-badge[{views.md_escape(tag)}]" in b for b in blocks)
    order = [shown.index(f"##### {views.md_escape(sec.heading)}") for sec in sections]
    assert order == sorted(order)
    strongest = [p for sec in sections for p in sec.points if p.strongest]
    assert strongest and sum(m.count(f"> {STRONGEST_MARK} “") for m in shown) == 2 * len(strongest)
    assert "บทเรียนเด่น" in text and "Strongest points" in text


# -- 2. lessons across visits -----------------------------------------------------------------------------------------

def test_lessons_across_visits_page_matches_the_combined_report(library):
    at = _app()
    a_id, b_id = _add_notes(library)
    _page(at, "across")
    text = _text(at)
    assert "บทเรียนข้ามการลงพื้นที่" in text and "the whole library: 2" in text  # the sample stays out
    with Library(library) as lib:
        expected = views.across_visits([views.analysis_for(lib, i) for i in (a_id, b_id)], lib.codebook())
        markdown = views.combined_export_bytes(lib, [a_id, b_id], "md").decode("utf-8")
    assert expected["groups"], "the two notes share lessons"
    shown = [m.value for m in at.markdown]
    for i, g in enumerate(expected["groups"], 1):
        assert any(m.startswith(f"**{i}. พบใน {g['visits']} ครั้ง") for m in shown)
        for q in g["quotes"]:
            assert f"> “{views.md_escape(q['text'])}”" in shown
    assert "sample_visit.md" not in text
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["ประเด็น · theme", *expected["visits"]] and len(frame) == len(expected["matrix"])
    assert {b.label for b in at.download_button} == {"Markdown", "Word", "Excel"}
    assert RECURRING_HEADING in markdown and expected["groups"][0]["quotes"][0]["text"][:20] in markdown
    # A chosen selection: the sample and one note.
    at.multiselect(key="across_visits").set_value([1, a_id])
    _run(at)
    assert "sample_visit.md" in at.dataframe[0].value.columns
    at.multiselect(key="across_visits").set_value([a_id])
    _run(at)
    assert "อย่างน้อย 2" in _text(at)


# -- 3. intercoder agreement ------------------------------------------------------------------------------------------

def test_agreement_between_corrections_and_the_model(library):
    from kcapture.agreement import compare

    at = _app()
    with Library(library) as lib:
        s = lib.sentences(1)[4]
        other = next(t for t in lib.codebook().theme_ids if t not in s["model_themes"])
        lib.correct(1, 4, [other], "insight", who="นิด")
        lib.correct(1, 6, lib.sentences(1)[6]["model_themes"], lib.sentences(1)[6]["model_facet"], who="หน่อย")
    _page(at, "agreement")
    text = _text(at)
    assert "ความสอดคล้อง" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ประโยค · sentences"] == "2"
    with Library(library) as lib:
        person, model, texts = views.correction_codings(lib, [1])
    expected = compare(person, model, texts)
    assert metrics["มิติตรงกัน · facet agreement"] == f"{expected.facet.percent:.0%}"
    diffs = at.dataframe[1].value
    assert list(diffs["id"]) == ["1:4"] and diffs["ข้อความ · text"][0] == s["text"]
    # Only one person's corrections: "หน่อย" confirmed the model, so they agree on everything.
    at.multiselect(key="agree_who").set_value(["หน่อย"])
    _run(at)
    assert {m.label: m.value for m in at.metric}["ประโยค · sentences"] == "1"
    assert "agree on every sentence" in _text(at)


def test_agreement_between_two_uploaded_codings_and_bad_files(library):
    at = _app()
    _page(at, "agreement")
    at.radio(key="agree_mode").set_value("files")
    _run(at)
    first = "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": "อาสาสมัครเยี่ยมบ้าน", "themes": ["volunteering"], "facet": "activity"},
        {"id": "b", "text": "ควรอบรมเพิ่ม", "themes": ["capacity_building"], "facet": "recommendation"},
        {"id": "c", "text": "ผู้นำเข้มแข็ง", "themes": ["learning_leadership"], "facet": "success_factor"},
    ])
    second = "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "themes": ["volunteering"], "facet": "activity"},
        {"id": "b", "themes": ["capacity_building"], "facet": "insight"},
        {"id": "c", "themes": [], "facet": "success_factor"},
    ])
    _upload(at, "agree_first", "first.jsonl", first.encode())
    _upload(at, "agree_second", "second.jsonl", second.encode())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ประโยค · sentences"] == "3" and metrics["มิติตรงกัน · facet agreement"] == "67%"
    diffs = at.dataframe[1].value
    assert list(diffs["id"]) == ["b", "c"] and diffs["ข้อความ · text"][0] == "ควรอบรมเพิ่ม"
    # Bad input: a clear Thai / English line, never a traceback.
    _upload(at, "agree_second", "broken.jsonl", b'{"id": "a", "themes": ["x"]}\n{not json\n')
    errors = [html.unescape(e.value) for e in at.error]
    assert len(errors) == 1 and "บรรทัด 2" in errors[0] and "line 2" in errors[0]
    _upload(at, "agree_second", "other.jsonl", b'{"id": "zzz", "themes": []}\n')
    assert "no sentence id" in html.unescape(at.error[0].value)


def _upload(at: AppTest, key: str, name: str, data: bytes) -> None:
    at.file_uploader(key=key).set_value((name, data, "application/json"))
    _run(at)


# -- 4a. theme charts -------------------------------------------------------------------------------------------------

def _contrast(hex_color: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    def lum(rgb):
        def ch(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (ch(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    rgb = tuple(int(hex_color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    hi, lo = sorted((lum(rgb), lum(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_theme_chart_shows_every_label_and_a_visible_first_bar():
    from kcapture.codebook import load_codebook

    cb = load_codebook()
    counts = {t: 20 - 2 * i for i, t in enumerate(cb.theme_ids[:9])}
    rows = views.share_rows(counts, 40, cb)
    spec = views.theme_chart(rows).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 9
    bars, text = spec["layer"]
    y_axis = bars["encoding"]["y"]["axis"]
    assert y_axis["labelOverlap"] is False  # Vega-Lite's default drops every other label when it thinks they collide
    assert spec["height"]["step"] >= 24 > y_axis["labelFontSize"]
    # One solid, dark colour: no palette colour can leave the biggest bar pale against the white page.
    assert "color" not in bars["encoding"]
    assert _contrast(bars["mark"]["color"]) >= 4.5
    assert text["encoding"]["text"]["format"] == ".0%"


def test_landing_chart_uses_the_visible_chart(library):
    at = _app()
    charts = [e for e in at.get("vega_lite_chart")]
    assert charts, "the overview has charts"
    spec = json.loads(charts[0].proto.spec)
    assert spec["layer"][0]["mark"]["color"] == views.BAR_COLOR
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False


# -- 4b. the Themes page follows the sidebar; the sample stays out of real reports -----------------------------------

def _evidence_docs(at: AppTest) -> set[str]:
    captions = [html.unescape(c.value) for c in at.caption]
    return {c.split(" · #")[0] for c in captions if " · #" in c and "score" in c}


def test_themes_page_follows_the_sidebar_visit_and_keeps_the_sample_out(library):
    at = _app()
    a_id, b_id = _add_notes(library)
    _run(at)
    at.sidebar.selectbox(key="doc_id").set_value(a_id)
    _page(at, "themes")
    assert at.multiselect(key="theme_visits").value == [a_id]
    assert _evidence_docs(at) == {"หนองบัว.md"}
    theme = at.selectbox(key="theme_pick").value
    _page(at, "overview")  # away and back: the filter is still this visit and this theme
    _page(at, "themes")
    assert at.multiselect(key="theme_visits").value == [a_id] and at.selectbox(key="theme_pick").value == theme
    # Another visit in the sidebar: the page follows it.
    at.sidebar.selectbox(key="doc_id").set_value(1)
    _run(at)
    assert at.multiselect(key="theme_visits").value == [1]
    assert _evidence_docs(at) == {SAMPLE_VISIT.name}
    # No visit chosen: every visit of the library but the built-in sample (a theme both the sample and a note carry).
    with Library(library) as lib:
        shared = next(t for t in lib.theme_counts(a_id) if t in lib.theme_counts(1))
    at.multiselect(key="theme_visits").set_value([])
    at.selectbox(key="theme_pick").set_value(shared)
    _run(at)
    assert _evidence_docs(at) and SAMPLE_VISIT.name not in _evidence_docs(at)
    assert _evidence_docs(at) <= {"หนองบัว.md", "บ้านใหม่.md"}
    assert "but the built-in sample" in _text(at)
    with Library(library) as lib:
        assert views.report_doc_ids(lib) == [a_id, b_id]
        assert views.report_doc_ids(lib, [1]) == [1]


def test_the_sample_alone_is_still_shown(library):
    _app()
    with Library(library) as lib:
        assert views.sample_doc_id(lib) == 1 and views.report_doc_ids(lib) == [1]


# -- 4e. Thai-first placeholders --------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["overview", "themes", "across", "document", "agreement", "codebook"])
def test_no_widget_says_choose_options(library, page):
    at = _app()
    _page(at, page)
    widgets = list(at.multiselect) + list(at.selectbox)
    assert widgets or page in ("overview",)
    import re

    for w in widgets:
        placeholder = w.proto.placeholder
        assert "Choose options" not in placeholder and "Choose an option" not in placeholder, w.label
        assert re.search(f"[{THAI}]", placeholder), (w.label, placeholder)


# -- 4f. deleting a document asks first -------------------------------------------------------------------------------

def test_delete_asks_for_confirmation_and_cancel_keeps_the_document(library):
    at = _app()
    _add_notes(library)
    _run(at)
    at.sidebar.selectbox(key="doc_id").set_value(2)
    _page(at, "document")
    at.button(key="delete_2").click()
    _run(at)
    with Library(library) as lib:
        assert lib.document_row(2) is not None  # one click deletes nothing
    assert any("Delete" in w.value and "หนองบัว.md" in html.unescape(w.value) for w in at.warning)
    at.button(key="delete_no_2").click()
    _run(at)
    with Library(library) as lib:
        assert lib.document_row(2) is not None
    assert not at.warning
    at.button(key="delete_2").click()
    _run(at)
    at.button(key="delete_yes_2").click()
    _run(at)
    with Library(library) as lib:
        assert lib.document_row(2) is None and lib.count_documents() == 2
    assert at.sidebar.selectbox(key="doc_id").value != 2


# -- 4d. Excel shows Thai labels --------------------------------------------------------------------------------------

def test_excel_shows_thai_labels_and_keeps_the_ids_in_the_codes_sheet(library):
    import openpyxl

    _app()
    with Library(library) as lib:
        cb = lib.codebook()
        data = views.export_bytes(lib, 1, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(wb["ประโยค (Sentences)"].iter_rows(values_only=True))[1:]
    theme_cells = [r[3] for r in rows if r[3]]
    facet_cells = [r[4] for r in rows if r[4]]
    assert theme_cells and facet_cells
    labels = {t.label_th for t in cb.themes}
    facet_labels = {f.label_th for f in cb.facets}
    for cell in theme_cells:
        assert set(cell.split(", ")) <= labels, cell
        assert not any(t in cell for t in cb.theme_ids), cell  # no code such as learning_leadership
    assert set(facet_cells) <= facet_labels
    codes = list(wb["รหัส (Codes)"].iter_rows(values_only=True))[1:]
    by_id = {r[1]: r[2] for r in codes}
    for cell in theme_cells:
        for label in cell.split(", "):
            assert label in by_id.values()
    assert all(by_id[t] == cb.theme(t).label_th for t in by_id if t in cb.theme_ids)


# -- 4g. Markdown markers stay out of the sentences -------------------------------------------------------------------

def test_markdown_headings_and_bullets_stay_out_of_the_sentence_text():
    from kcapture.pipeline import Pipeline

    doc = Pipeline().read(NOTE_A.encode("utf-8"), "หนองบัว.md")
    for s in doc.sentences:
        assert not s.text.startswith(("#", "- ", "-การ", "* ")), s.text
        assert doc.text[s.start:s.end] == s.text
    heading = next(s for s in doc.sentences if "บทเรียนที่ได้รับ" in s.text)
    assert heading.text == "บทเรียนที่ได้รับ" and heading.kind == "heading"
    items = [s for s in doc.sentences if s.kind == "list_item"]
    assert items and items[0].text.startswith("การมีส่วนร่วมของชุมชน")
    # The offsets still lead back to the file: the marker is just outside the block.
    src = doc.source_text
    first = doc.source_offsets[items[0].start]
    assert src[first - 2:first] == "- "
    # Other bullets go too; a numbered item keeps its number, a minus sign stays, closing hashes go.
    md = Pipeline().read("## รายการ ##\n\n• ประชุมกับโรงเรียน\n* ทำแผนที่ชุมชน\n1. ทำสื่อเล่าเรื่อง\n"
                         "-5 องศาในหน้าหนาว\n".encode(), "x.md")
    assert md.sentences[0].text == "รายการ"
    texts = [s.text for s in md.sentences if s.kind == "list_item"]
    assert texts == ["ประชุมกับโรงเรียน", "ทำแผนที่ชุมชน", "1. ทำสื่อเล่าเรื่อง", "-5 องศาในหน้าหนาว"]


def test_the_sample_report_quotes_no_markdown(library):
    _app()
    with Library(library) as lib:
        assert lib.document_row(1)["name"] == SAMPLE_VISIT.name
        texts = [s["text"] for s in lib.sentences(1)]
    assert texts and not any(t.startswith(("#", "- ")) for t in texts)
