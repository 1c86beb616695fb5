"""Every export opened with its own library: JSON (the DESIGN.md contract), Markdown, Word (python-docx, and rendered by
LibreOffice to a page image), Excel (openpyxl), REFI-QDA (zipfile + lxml against the XSDs). Quotes are exact spans."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from kc_testdata import VISITS, field_note_doc, tag_by_prefix

from kcapture.export.docx import thai_font, write_docx
from kcapture.export.json_export import analysis_to_dict, combined_to_dict, to_json
from kcapture.export.markdown import render_markdown, unescape
from kcapture.export.qdpx import codebook_xml, write_qdpx
from kcapture.export.xlsx import DANGEROUS_START, SENTENCE_HEADER, write_xlsx
from kcapture.pipeline import load_document
from kcapture.summarize import build_analysis

SPECS = Path(__file__).resolve().parent.parent.parent / "shared" / "specs" / "refi-qda"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def note():
    return build_analysis(field_note_doc())


@pytest.fixture(scope="module")
def minutes():
    doc = load_document(VISITS / "meeting-minutes-weaving-network-2566.md")
    tag_by_prefix(doc, {
        "ยอดขายรวม": (["social_enterprise", "communication"], "outcome", 0.9, 0.8),
        "ปัญหาที่พบ": (["learning_leadership"], "challenge", 0.8, 0.9),
        "ควรจัดให้": (["learning_leadership", "organization_management"], "recommendation", 0.85, 0.9),
        "บทเรียนสำคัญ": (["networks_alliances", "social_enterprise"], "insight", 0.9, 0.95),
        "เครือข่ายก่อตั้ง": (["networks_alliances"], "context", 0.7, 0.9),
    })
    return build_analysis(doc)


# ---------------------------------------------------------------------------------------------------------------
def test_json_contract(note):
    text = to_json([note])
    assert note.themes[0].label in text and "\\u0e" not in text  # Thai as UTF-8, not ASCII escapes
    d = json.loads(text)
    assert set(d) >= {"document", "visit", "sentences", "themes", "lessons", "keywords"}
    doc = d["document"]
    assert (doc["name"], doc["format"], doc["chars"]) == ("field-note-nongwaeng.txt", "txt", len(note.document.text))
    v = d["visit"]
    assert set(v) >= {"title", "date_start", "date_end", "venue", "host_organizations", "participants", "projects"}
    assert v["date_start"] == "2022-12-03" and v["participants"] == 22
    assert isinstance(v["host_organizations"], list) and isinstance(v["projects"], list)
    doc_text = note.document.text
    assert [s["id"] for s in d["sentences"]] == list(range(len(note.document.sentences)))
    for s in d["sentences"]:
        assert set(s) >= {"id", "start", "end", "text", "themes", "facet"}
        assert doc_text[s["start"] : s["end"]] == s["text"]
    for t in d["themes"]:
        assert set(t) >= {"id", "label", "sentence_ids", "share"} and 0 < t["share"] <= 1
    for le in d["lessons"]:
        assert set(le) >= {"theme", "facet", "text", "sentence_ids"}
        assert doc_text[le["start"] : le["end"]] == le["text"]
    assert all(isinstance(k, str) for k in d["keywords"])
    # Personal data is counted, never repeated.
    assert d["personal_data"]["name"] == 2 and "ประเสริฐ" not in json.dumps(d["personal_data"], ensure_ascii=False)


def test_json_nulls_when_not_stated():
    doc = load_document(VISITS / "interview-home-care-volunteer.txt")
    v = analysis_to_dict(build_analysis(doc))["visit"]
    assert v["title"] is None and v["date_start"] is None and v["participants"] is None
    assert v["host_organizations"] == [] and v["projects"] == []


def test_combined_json_has_a_theme_by_visit_matrix(note, minutes):
    d = combined_to_dict([note, minutes])
    assert [x["document"]["name"] for x in d["visits"]] == [note.document.name, minutes.document.name]
    m = d["matrix"]
    assert m["visits"] == [note.document.name, minutes.document.name]
    ids = [t["id"] for t in m["themes"]]
    assert len(m["sentences"]) == len(ids) and all(len(row) == 2 for row in m["sentences"])
    row = m["sentences"][ids.index("networks_alliances")]
    assert row[0] == 1 and row[1] == 2  # which visit taught what
    assert m["sentences"][ids.index("strategy")][1] == 0


def test_markdown(note):
    md = render_markdown([note])
    assert md.startswith("# สรุปบทเรียน")
    assert "## ข้อมูลการลงพื้นที่ (Visit card)" in md
    # The AAR sections, in order; each point quoted exactly once in the whole report.
    headings = [line for line in md.splitlines() if line.startswith("## ") and line[3].isdigit()]
    assert headings and headings[0].startswith("## 1. ")
    plain = unescape(md)
    for le in note.lessons:
        assert plain.count(f"“{le.text}”") == 1
    assert plain.index("ปัจจัยความสำเร็จ") < plain.index("บทเรียนที่ได้รับ") < plain.index("ข้อเสนอแนะ")
    assert "2022-12-03" in md and "22 คน" in md
    assert "บทเรียนที่ได้รับ" in md  # facet headings in Thai


# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def docx_file(tmp_path_factory, note, minutes):
    path = tmp_path_factory.mktemp("docx") / "summary.docx"
    write_docx([note], path)
    return path


def test_docx_structure_and_thai_font(docx_file, note):
    import docx

    d = docx.Document(str(docx_file))
    styles = [p.style.name for p in d.paragraphs]
    assert styles.count("Heading 1") >= 3  # visit card, then the AAR sections
    text = "\n".join(p.text for p in d.paragraphs)
    for le in note.lessons:
        assert f"“{le.text}”" in text
    themes_table = next(t for t in d.tables if t.rows[0].cells[0].text.startswith("ประเด็น"))
    assert [c.text for c in themes_table.rows[0].cells][1] == "สัดส่วน / Share"
    assert len(themes_table.rows) == len(note.themes) + 1
    font = thai_font()
    runs = [r for p in d.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    for r in runs:
        fonts = r._element.rPr.find(f"{W}rFonts")
        assert fonts.get(f"{W}cs") == font and fonts.get(f"{W}ascii") == font  # Thai is complex script
    assert d.styles["Normal"].element.rPr.find(f"{W}rFonts").get(f"{W}cs") == font


def test_docx_several_visits(tmp_path, note, minutes):
    import docx

    write_docx([note, minutes], tmp_path / "all.docx")
    d = docx.Document(str(tmp_path / "all.docx"))
    matrix = d.tables[0]
    assert [c.text for c in matrix.rows[0].cells] == ["ประเด็น / Theme", note.document.name, minutes.document.name]


@pytest.fixture(scope="module")
def rendered_page(docx_file, tmp_path_factory):
    """docx -> PDF (LibreOffice headless) -> PNG of page 1 (pdftoppm), once per module."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("LibreOffice (soffice) and poppler (pdftoppm) are required under CI")
        pytest.skip("soffice or pdftoppm not installed")
    out = tmp_path_factory.mktemp("render")
    profile = out / "lo-profile"  # a private profile: parallel LibreOffice runs do not lock each other
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_file)], check=True, capture_output=True, timeout=180)
    pdf = out / "summary.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out / "page")],
                   check=True, capture_output=True, timeout=60)
    return out / "page.png", pdf


def test_docx_renders_with_thai_glyphs(rendered_page):
    from PIL import Image

    png, pdf = rendered_page
    img = Image.open(png).convert("L")
    hist = img.histogram()
    dark = sum(hist[:128]) / (img.width * img.height)
    assert 0.005 < dark < 0.5  # text on a white page, not blank and not a black box
    # The PDF embeds a Thai font: LibreOffice found the font the document asks for.
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        assert thai_font().replace(" ", "") in fonts.replace(" ", "")


# ---------------------------------------------------------------------------------------------------------------
def test_xlsx(tmp_path, note, minutes):
    import openpyxl

    path = tmp_path / "summary.xlsx"
    write_xlsx([note, minutes], path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0].startswith("ภาพรวม") and "ประเด็น x การลงพื้นที่" in wb.sheetnames
    ws = wb["ประโยค (Sentences)"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == SENTENCE_HEADER
    tagged = sum(1 for a in (note, minutes) for s in a.document.sentences if s.themes or s.facet)
    assert len(rows) - 1 == tagged
    texts = {note.document.name: note.document.text, minutes.document.name: minutes.document.text}
    for doc_name, _sid, text, _themes, _facet, _score, start, end in rows[1:]:
        exact = texts[doc_name][start:end]
        assert text == exact or (text == "'" + exact and exact.startswith(DANGEROUS_START))
    # Formula injection: no cell anywhere starts with = + - @ TAB CR, and none is a formula.
    for sheet in wb:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS_START), (sheet.title, cell.coordinate, cell.value)
                    assert cell.data_type != "f"
    starts = [r[2] for r in rows[1:]]
    assert "'- กลุ่มตั้งกติกา" in " ".join(starts) and any(s.startswith("'=ยอดเงิน") for s in starts)
    # One sheet per theme summary.
    for t in {t.label for a in (note, minutes) for t in a.themes}:
        assert any(t.startswith(name.split(" (")[0]) for name in wb.sheetnames), t


# ---------------------------------------------------------------------------------------------------------------
def _schema(name: str):
    from kc_support import require_shared
    from lxml import etree

    require_shared(SPECS / name)
    return etree.XMLSchema(etree.parse(str(SPECS / name)))


def test_qdpx_validates_and_selections_are_exact(tmp_path, note, minutes):
    from lxml import etree

    path = tmp_path / "project.qdpx"
    write_qdpx([note, minutes], path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "project.qde" in names
        root = etree.fromstring(z.read("project.qde"))
        _schema("Project.xsd").assertValid(root)
        ns = {"q": "urn:QDA-XML:project:1.0"}
        codes = {c.get("guid"): c for c in root.iterfind(".//q:CodeBook//q:Code", ns)}
        groups = root.findall("q:CodeBook/q:Codes/q:Code", ns)
        assert [g.get("isCodable") for g in groups] == ["false", "false"]
        assert len(groups[1].findall("q:Code", ns)) == 8  # the facets, as children of their group
        sources = root.findall(".//q:TextSource", ns)
        assert [s.get("name") for s in sources] == [note.document.name, minutes.document.name]
        for src, a in zip(sources, (note, minutes), strict=True):
            member = src.get("plainTextPath").removeprefix("internal://")
            text = z.read(f"sources/{member}").decode("utf-8")
            assert text == a.document.text
            selections = src.findall("q:PlainTextSelection", ns)
            tagged = [s for s in a.document.sentences if s.themes or s.facet]
            assert len(selections) == len(tagged)
            for sel, s in zip(selections, tagged, strict=True):
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                assert text[start:end] == s.text  # code points of the exported plain text
                refs = [c.find("q:CodeRef", ns).get("targetGUID") for c in sel.findall("q:Coding", ns)]
                assert len(refs) == len(s.themes) + 1 and all(r in codes for r in refs)


def test_qdc_codebook_validates(tmp_path):
    from lxml import etree

    root = etree.fromstring(codebook_xml())
    _schema("Codebook.xsd").assertValid(root)
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    assert len(root.findall("c:Codes/c:Code", ns)) == 2
    assert len(root.findall("c:Codes/c:Code/c:Code", ns)) == 11 + 8
