"""End to end in a real browser: `streamlit run app.py` on a free localhost port with a temporary library, driven by
Playwright through Debian's headless Chromium. Upload the shared progress report, wait for its themes, correct one
tag, reload, check the correction persisted, see the lesson report on the overview, download the Word export and open
it with python-docx.

Screenshots go to tests/artifacts/ (git-ignored). Skipped only when /usr/bin/chromium is missing outside CI; under
CI=true a missing browser fails the test.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# The app start-up and browser launch live in tests/app_harness.py (the app benchmarks use them too).
import app_harness  # noqa: E402
import pytest
from app_harness import free_port, launch, stop_app  # noqa: E402
from kc_support import ROOT, SHARED_SAMPLE, require_shared, small_model

from kcapture import views
from kcapture.library import Library

CHROMIUM = Path(app_harness.CHROMIUM)
ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.browser


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("/usr/bin/chromium is missing under CI (apt-get install chromium)")
    pytest.skip("/usr/bin/chromium is not installed")


def start_app(library: Path, port: int):
    # The small test model loads in a fraction of the shipped one's time; the flow under test is the same.
    return app_harness.start_app(library, port, {"KCAPTURE_MODEL": str(small_model())})


def pick_option(page, widget, option_text: str) -> None:
    """Open a Streamlit selectbox/multiselect and click the option whose text starts with option_text."""
    widget.locator("input").first.click()
    page.locator('[role="option"]', has_text=option_text).first.click()


def test_upload_correct_reload_and_download_word(tmp_path):
    _require_browser()
    require_shared(SHARED_SAMPLE)
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    library = tmp_path / "e2e.sqlite3"
    with Library(library) as lib:  # first start (the built-in sample) is covered by test_app.py
        lib.set_meta("sample_seeded", "skipped by the browser test")
    port = free_port()
    proc = start_app(library, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
            page.set_default_timeout(90_000)
            expect.set_options(timeout=90_000)

            # 1. Upload the shared progress report; its themes appear.
            page.goto(f"{base}/?page=upload")
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SHARED_SAMPLE))
            expect(page.get_by_text("ประเด็นหลัก · Main themes")).to_be_visible()
            expect(page.get_by_text("analysed", exact=False).first).to_be_visible()
            expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-1-upload-themes.png"))
            # Every bar of the theme chart has its label (none dropped as "overlapping") and the one dark colour.
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            bars = chart.locator("g.mark-rect.role-mark path")
            expect(bars.first).to_be_attached()
            labels = chart.locator('g[aria-label^="Y-axis"] g.role-axis-label text')
            assert bars.count() >= 2 and labels.count() == bars.count(), (bars.count(), labels.count())
            fills = set(bars.evaluate_all("els => els.map(e => e.getAttribute('fill'))"))
            assert fills == {views.BAR_COLOR}, fills
            with Library(library) as lib:
                docs = lib.documents()
                assert [d.name for d in docs][-1] == SHARED_SAMPLE.name
                doc_id = docs[-1].id
                before = lib.sentences(doc_id)[0]
                codebook = lib.codebook()
            new_theme = next(t for t in codebook.theme_ids if t not in before["themes"])
            label = codebook.theme(new_theme).label_th

            # 2. Correct one tag of sentence 0: add a theme. It is saved at once.
            page.goto(f"{base}/?page=document&doc={doc_id}")
            themes = page.locator('[data-testid="stMultiSelect"]').filter(has_text="ประเด็น · Themes")
            expect(themes).to_be_visible()
            pick_option(page, themes, label)
            page.keyboard.press("Escape")
            deadline = time.time() + 30
            while time.time() < deadline:
                with Library(library) as lib:
                    s = lib.sentences(doc_id)[0]
                if s["corrected"]:
                    break
                time.sleep(0.3)
            assert s["corrected"] and new_theme in s["themes"], s
            page.screenshot(path=str(ARTIFACTS / "e2e-2-corrected.png"))

            # 3. Reload: the correction is still there (read back from the library file).
            page.reload()
            themes = page.locator('[data-testid="stMultiSelect"]').filter(has_text="ประเด็น · Themes")
            expect(themes).to_contain_text(label)
            expect(page.get_by_text("corrected by a user", exact=False)).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-3-after-reload.png"))

            # 3b. The overview is the lesson report: the ★ strongest points, then the sections with their quotes.
            page.goto(f"{base}/?page=overview&doc={doc_id}")
            expect(page.get_by_text("รายงานถอดบทเรียน · Lesson report")).to_be_visible()
            expect(page.get_by_text("★", exact=False).first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-3b-overview-report.png"), full_page=True)

            # 4. Download the Word export and open it.
            page.goto(f"{base}/?page=export&doc={doc_id}")
            button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Word")
            expect(button).to_be_visible()
            expect(page.get_by_text("library.json")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "e2e-4-export.png"))
            with page.expect_download() as info:
                button.locator("button").click()
            target = tmp_path / "export.docx"
            info.value.save_as(target)
            browser.close()
    finally:
        stop_app(proc)

    import docx

    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "สรุปบทเรียน" in text or "บทเรียน" in text
    assert "นักขับเคลื่อนสังคม" in text or "ขบวนการ" in text  # the report's own words
    assert label in text  # the user's correction made it into the summary
