"""The Streamlit app page by page, headless with streamlit.testing.v1.AppTest (each test has a fresh library)."""

from __future__ import annotations

import html
import io

import pytest
from kc_support import SHARED_SAMPLE, app_library, app_test, require_shared, small_corpora
from streamlit.testing.v1 import AppTest

from kcapture.library import Library

HOSTILE = ('บันทึก <script>alert("x")</script> [ลิงก์](http://example.com) **หนา** :red[แดง] $x$ <img src=x onerror=1>\n\n'
           "อาสาสมัครในชุมชนช่วยกันดูแลผู้สูงอายุที่บ้านทุกสัปดาห์\n")


@pytest.fixture
def library(tmp_path, monkeypatch):
    return app_library(tmp_path, monkeypatch)


def _app() -> AppTest:
    return app_test(timeout=120)


def _page(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _raw(at: AppTest) -> str:
    """Markdown sources of what is on screen (user text in them is escaped as character references)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def _text(at: AppTest) -> str:
    """What a reader sees (character references decoded)."""
    return html.unescape(_raw(at))


def test_first_start_shows_the_analysed_sample_visit(library):
    at = _app()
    assert at.sidebar.radio(key="page").value == "overview"
    text = _text(at)
    assert "ภาพรวม" in text and "sample_visit.md" in text
    assert "สัดส่วนประเด็น" in text and "บทเรียนเด่น" in text
    assert "ต้นกล้า" in text  # the visit card's title
    with Library(library) as lib:
        assert lib.count_documents() == 1 and len(lib.sentences(1)) >= 40


def test_upload_several_files_with_per_file_errors_and_duplicates(library):
    at = _app()
    _page(at, "upload")
    sample = require_shared(SHARED_SAMPLE).read_bytes()
    at.file_uploader(key="uploader").set_value([
        ("report.txt", sample, "text/plain"),
        ("old.doc", b"\xd0\xcf\x11\xe0 binary", "application/msword"),
        ("empty.txt", b"   ", "text/plain"),
        ("copy-of-report.txt", sample, "text/plain"),
    ]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.success) == 1 and "ประโยค" in at.success[0].value
    errors = [html.unescape(e.value) for e in at.error]
    assert len(errors) == 2
    assert any(".docx" in e and "รองรับ" in e for e in errors)  # Thai and English, beside its own file
    assert any("ว่าง" in e and "empty" in e for e in errors)
    assert len(at.warning) == 1 and "already in the library" in html.unescape(at.warning[0].value)
    assert "ประเด็นหลัก" in _text(at)  # the themes of what was just uploaded
    with Library(library) as lib:
        assert [d.name for d in lib.documents()] == ["sample_visit.md", "report.txt"]
    # Uploading the same file again in a later session is reported as a duplicate, not stored twice.
    at2 = _app()
    _page(at2, "upload")
    at2.file_uploader(key="uploader").set_value(("again.txt", sample, "text/plain")).run()
    assert len(at2.warning) == 1 and not at2.error
    with Library(library) as lib:
        assert lib.count_documents() == 2


def test_user_text_is_rendered_escaped(library):
    at = _app()
    _page(at, "upload")
    at.file_uploader(key="uploader").set_value(("<b>note</b>.txt", HOSTILE.encode(), "text/plain")).run()
    _page(at, "document")
    _page(at, "overview")
    text = _raw(at)
    _page(at, "document")
    text += _raw(at)
    assert "<script>" not in text and "<img" not in text and "](http" not in text and "**หนา**" not in text
    assert ":red[" not in text
    assert "&#60;script&#62;" in text  # shown literally as <script>


def test_themes_page_groups_evidence_by_facet_with_filters(library):
    at = _app()
    _page(at, "themes")
    with Library(library) as lib:
        counts = lib.theme_counts(1)
        theme = max(counts, key=counts.get)
        label = lib.codebook().theme(theme).label_th
    at.selectbox(key="theme_pick").set_value(theme).run()
    text = _text(at)
    assert at.selectbox(key="theme_pick").value == theme and "ประโยคหลักฐาน" in text
    assert label[:4] in at.selectbox(key="theme_pick").format_func(theme)
    assert "คะแนน · score" in text
    n_all = sum(1 for c in at.caption if "score" in c.value)
    assert n_all >= 1
    at.slider(key="theme_min").set_value(0.99).run()
    n_strict = sum(1 for c in at.caption if "score" in c.value)
    assert n_strict <= n_all
    at.slider(key="theme_min").set_value(0.0).run()
    at.multiselect(key="theme_facets").set_value(["insight"]).run()
    assert not at.exception


def test_correction_is_saved_at_once_and_survives_a_restart(library):
    at = _app()
    _page(at, "document")
    at.selectbox(key="sentence_pick_1").set_value(5).run()
    at.multiselect(key="fix_themes_1_5").set_value(["innovation", "communication"]).run()
    assert not at.exception, [e.message for e in at.exception]
    at.selectbox(key="fix_facet_1_5").set_value("insight").run()
    with Library(library) as lib:  # saved at once, before any "save" button
        s = lib.sentences(1)[5]
        assert s["corrected"] and s["themes"] == ["communication", "innovation"] and s["facet"] == "insight"
    restarted = _app()  # a new session reads the library again
    _page(restarted, "document")
    restarted.selectbox(key="sentence_pick_1").set_value(5).run()
    assert restarted.multiselect(key="fix_themes_1_5").value == ["communication", "innovation"]
    assert restarted.selectbox(key="fix_facet_1_5").value == "insight"
    assert "corrected" in _text(restarted)


def test_search_page_finds_a_thai_word_inside_unspaced_text(library):
    at = _app()
    _page(at, "search")
    at.text_input(key="search_q").input("ครัวกลาง").run()
    text = _text(at)
    assert "ครัวกลาง" in text and "words" in text
    assert any("**ครัวกลาง**" in m.value for m in at.markdown)


def test_search_page_finds_words_inside_longer_words_and_two_words_in_one_sentence(library):
    at = _app()
    _page(at, "search")
    at.text_input(key="search_q").input("วิสาหกิจ ทุน").run()  # "ทุน" only inside "กองทุน" in the sample
    assert not at.exception, [e.message for e in at.exception]
    found = [html.unescape(m.value) for m in at.markdown if "**" in m.value and "วิสาหกิจ" in html.unescape(m.value)]
    assert found and all("ทุน" in f for f in found)
    assert any("กอง**ทุน**" in f for f in found)  # the part inside a longer word is shown in bold too
    assert "inside longer words" in _text(at)


def test_export_page_offers_every_available_format_with_redaction(library):
    from kcapture import views

    at = _app()
    _page(at, "export")
    labels = {b.label for b in at.download_button}
    assert "library.json" in labels
    available = views.export_formats()
    assert {f.id for f in available} >= {"md", "docx", "xlsx", "json", "qdpx"}
    for fmt in available:
        assert fmt.label in labels
    at.toggle(key="redact").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert {b.label for b in at.download_button} == labels
    # The bytes behind the Word button open as a document and carry the user's corrections.
    import docx

    with Library(library) as lib:
        data = views.export_bytes(lib, 1, "docx", redact=True)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "ต้นกล้า" in text or "บทเรียน" in text


@pytest.mark.slow
def test_codebook_page_adds_a_theme_retrains_and_rolls_back(library, monkeypatch):
    monkeypatch.setenv("KCAPTURE_CORPORA", str(small_corpora()))
    at = _app()
    _page(at, "codebook")
    at.selectbox(key="code_target").set_value("__new__").run()
    at.text_input(key="code_id___new__").input("food_security")
    at.text_input(key="code_th___new__").input("ความมั่นคงทางอาหาร")
    at.text_input(key="code_en___new__").input("Food security")
    at.text_area(key="code_examples___new__").input("ชุมชนปลูกผักกินเองทุกครัวเรือน\nธนาคารข้าวช่วยให้ครอบครัวมีข้าวกินตลอดปี")
    at.button(key="code_save___new__").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with Library(library) as lib:
        assert "food_security" in lib.codebook().theme_ids
        lib.correct(1, 3, ["food_security"], "activity")
    at.button(key="retrain").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # The candidate is shown with its before/after figures and waits for the user's confirmation.
    shown = [m.value for m in (*at.info, *at.error)]
    assert any("v1" in v for v in shown), shown
    with Library(library) as lib:
        assert lib.active_version() is None
        assert lib.model_versions()[0].metrics_after.get("themes_micro_f1") is not None
    at.button(key="confirm_candidate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with Library(library) as lib:
        assert lib.active_version().id == 1
    at.selectbox(key="version_pick").set_value(0).run()
    at.button(key="activate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with Library(library) as lib:
        assert lib.active_version() is None and len(lib.model_versions()) == 1
