"""Every reader on files generated here with the real tools: codecs, python-docx, LibreOffice, reportlab, subtitles.

LibreOffice and the Thai fonts are system programs (README: `apt-get install libreoffice-writer-nogui
fonts-thai-tlwg`). Without them these tests skip on a developer's machine, and fail when the environment variable CI
is set, so CI never passes by skipping.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kcapture.errors import EmptyDocumentError, NoTextLayerError, UnreadableFileError, UnsupportedFormatError
from kcapture.ingest import SUPPORTED, read_bytes, sniff_format
from kcapture.pipeline import document_from_bytes, load_document

TLWG = Path("/usr/share/fonts/truetype/tlwg")

# Written for these tests: a short progress note of an invented volunteer project.
TITLE = "บันทึกการประชุมทีมอาสาสมัครบ้านหนองบัว"
PARA_1 = ("ทีมอาสาสมัครดำเนินงานเยี่ยมบ้านผู้สูงอายุในตำบลหนองบัวมาได้หกเดือนแล้ว "
          "ผู้เข้าร่วมประชุมเล่าว่าการจดบันทึกสุขภาพทุกสัปดาห์ช่วยให้ครอบครัวเห็นอาการเปลี่ยนแปลงได้เร็วขึ้น")
PARA_2 = "ขั้นตอนต่อไปคือการชวนโรงเรียนในตำบลให้นักเรียนมาช่วยทำสื่อเล่าเรื่องของผู้สูงอายุ"
ITEMS = ["อบรมการวัดความดันให้อาสาสมัครรุ่นใหม่", "จัดทำแผนที่บ้านผู้ป่วยติดเตียงร่วมกับโรงพยาบาล"]
TEXT = f"{TITLE}\n\n{PARA_1}\n\n{PARA_2}\n"
SENTENCES_1 = PARA_1.split(" ")
# A longer text for cp874 detection without being told: several paragraphs of ordinary Thai.
LONG_TEXT = "\n\n".join([TEXT.strip()] + [
    "กลุ่มแม่บ้านทำขนมขายในงานบุญของหมู่บ้าน รายได้ส่วนหนึ่งเข้ากองทุนดูแลผู้ป่วย",
    "ปัญหาที่พบคืออาสาสมัครบางคนต้องทำงานรับจ้างในเมือง จึงมาช่วยงานได้เฉพาะวันหยุด",
    "ข้อเสนอแนะคือควรมีตารางเวรที่ชัดเจนและมีการประชุมสรุปบทเรียนทุกเดือน",
]) + "\n"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require(available: bool, what: str) -> None:
    """Skip without a system tool, except under CI, where a missing tool is a failure."""
    if available:
        return
    if _ci():
        pytest.fail(f"{what} is required under CI (apt-get install libreoffice-writer-nogui fonts-thai-tlwg)")
    pytest.skip(f"{what} is not installed")


def _strip_ws(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check(doc) -> None:
    """The invariants every reader must keep."""
    doc.check_offsets()
    assert doc.text == doc.text.strip()
    assert len(doc.source_offsets) == len(doc.text) + 1
    assert "\ufffd" not in doc.text and "\t" not in doc.text
    assert not re.search("[\x00-\x08\x0b-\x1f]", doc.text)
    for a, b in zip(doc.sentences, doc.sentences[1:], strict=False):
        assert a.end <= b.start
    assert all(s.text and s.text == s.text.strip() for s in doc.sentences)


# --- plain text ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (TEXT.encode("utf-8"), "utf-8", TEXT),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", TEXT),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16", TEXT),
        (TEXT.encode("cp874"), "cp874", TEXT),
        (LONG_TEXT.encode("cp874"), "cp874", LONG_TEXT),
        (LONG_TEXT.replace("\n", "\r\n").encode("cp874"), "cp874", LONG_TEXT),  # a Windows file
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "cp874", "cp874-long", "cp874-crlf"],
)
def test_txt_encodings(data, encoding, text):
    doc = document_from_bytes(data, "บันทึก.txt")
    _check(doc)
    assert doc.metadata["encoding"] == encoding
    assert doc.text == text.strip()
    assert doc.repairs == {}
    texts = [s.text for s in doc.sentences]
    assert texts[0] == TITLE and doc.sentences[0].kind == "heading"
    assert SENTENCES_1 == texts[1:3]
    assert "ดำเนินงาน" in doc.text


@pytest.mark.parametrize("word", ["ขอบคุณครับ", "ครู", "ประชุม", "ชุมชน", "ผู้นำ", "สุขภาพ", "แบบ", "รถ", "น้ำ"])
def test_short_cp874_detected_without_being_told(word):
    # Every byte of cp874 also decodes as Latin-1, and a few bytes can even be valid UTF-8 ("รถ" is "ö").
    doc = document_from_bytes(word.encode("cp874"), "note.txt")
    assert doc.text == word
    assert doc.metadata["encoding"] == "cp874"


def test_tis620_is_read_as_cp874():
    doc = document_from_bytes(LONG_TEXT.encode("tis-620"), "old.txt")
    assert doc.text == LONG_TEXT.strip()


def test_whitespace_only_file_is_empty():
    with pytest.raises(EmptyDocumentError):
        document_from_bytes(b" \n\t\n", "blank.txt")
    with pytest.raises(EmptyDocumentError):
        document_from_bytes(b"", "blank.txt")


def test_markdown_headings_and_lists():
    md = (
        f"# {TITLE}\n\n"
        f"{PARA_1}\n\n"
        "## สิ่งที่ทำ\n\n"
        f"- {ITEMS[0]}\n"
        f"- {ITEMS[1]}\n"
        "  - ติดตามผลทุกเดือน\n\n"
        "## ขั้นตอนต่อไป\n\n"
        "1. ประชุมกับโรงเรียนในตำบล\n"
        "2. ทำสื่อเล่าเรื่องผู้สูงอายุ\n"
    )
    doc = document_from_bytes(md.encode(), "notes.md")
    _check(doc)
    assert doc.format == "md"
    kinds = [(b.kind, b.level) for b in doc.blocks]
    assert kinds == [("heading", 1), ("paragraph", 0), ("heading", 2), ("list_item", 1), ("list_item", 1),
                     ("list_item", 2), ("heading", 2), ("list_item", 1), ("list_item", 1)]
    headings = [s.text for s in doc.sentences if s.kind == "heading"]
    assert [h.lstrip("# ") for h in headings] == [TITLE, "สิ่งที่ทำ", "ขั้นตอนต่อไป"]
    items = [s.text for s in doc.sentences if s.kind == "list_item"]
    # A bullet is not part of the text (the block's kind says it); a numbered item keeps its number.
    assert items == [ITEMS[0], ITEMS[1], "ติดตามผลทุกเดือน", "1. ประชุมกับโรงเรียนในตำบล",
                     "2. ทำสื่อเล่าเรื่องผู้สูงอายุ"]
    assert [s.text for s in doc.sentences if s.kind == "paragraph"] == SENTENCES_1


# --- Word ------------------------------------------------------------------------------------------------------------

def _make_docx(font: str | None = None) -> bytes:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    d.core_properties.title = TITLE
    d.add_heading(TITLE, level=1)
    d.add_paragraph(PARA_1)
    d.add_heading("สิ่งที่ทำ", level=2)
    d.add_paragraph(ITEMS[0], style="List Bullet")
    d.add_paragraph(ITEMS[1], style="List Number")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "กิจกรรม", (0, 1): "ผลที่เกิดขึ้น", (1, 0): "เยี่ยมบ้าน",
                         (1, 1): "ครอบครัวดูแลผู้สูงอายุได้ดีขึ้น"}.items():
        table.cell(r, c).text = text
    d.add_paragraph(PARA_2)
    if font:
        for p in d.paragraphs + [p for cell in table._cells for p in cell.paragraphs]:
            for run in p.runs:
                run.font.name = font
                fonts = run._r.get_or_add_rPr().find(qn("w:rFonts"))
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    fonts.set(qn(attr), font)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


DOCX_ORDER = [("heading", TITLE), ("paragraph", PARA_1), ("heading", "สิ่งที่ทำ"), ("list_item", ITEMS[0]),
              ("list_item", ITEMS[1]), ("table_cell", "กิจกรรม"), ("table_cell", "ผลที่เกิดขึ้น"),
              ("table_cell", "เยี่ยมบ้าน"), ("table_cell", "ครอบครัวดูแลผู้สูงอายุได้ดีขึ้น"), ("paragraph", PARA_2)]


def test_docx_structure_and_order():
    doc = document_from_bytes(_make_docx(), "report.docx")
    _check(doc)
    assert doc.format == "docx"
    assert doc.metadata["title"] == TITLE
    assert [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks] == DOCX_ORDER
    assert [b.level for b in doc.blocks][:3] == [1, 0, 2]
    assert [s.text for s in doc.sentences if s.block == 1] == SENTENCES_1
    cells = [s.text for s in doc.sentences if s.kind == "table_cell"]
    assert cells == ["กิจกรรม", "ผลที่เกิดขึ้น", "เยี่ยมบ้าน", "ครอบครัวดูแลผู้สูงอายุได้ดีขึ้น"]


def test_docx_found_by_content_whatever_its_name():
    data = _make_docx()
    assert sniff_format(data, "upload") == "docx"
    assert document_from_bytes(data, "upload").text == document_from_bytes(data, "report.docx").text


# --- PDF -------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory) -> dict[str, bytes]:
    """The test .docx converted by LibreOffice headless, with Word's default fonts and with a Thai font throughout."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    _require(soffice is not None, "LibreOffice (soffice)")
    folder = tmp_path_factory.mktemp("soffice")
    (folder / "default.docx").write_bytes(_make_docx())
    (folder / "garuda.docx").write_bytes(_make_docx("Garuda"))
    profile = (folder / "profile").as_uri()  # a private profile: another running LibreOffice cannot block this one
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
           str(folder), str(folder / "default.docx"), str(folder / "garuda.docx")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    pdfs = {name: folder / f"{name}.pdf" for name in ("default", "garuda")}
    assert all(p.exists() for p in pdfs.values()), f"soffice failed: {result.stdout} {result.stderr}"
    return {name: p.read_bytes() for name, p in pdfs.items()}


@pytest.mark.parametrize("variant", ["default", "garuda"])
def test_libreoffice_pdf_thai_text(libreoffice_pdfs, variant):
    data = libreoffice_pdfs[variant]
    from pypdf import PdfReader

    assert "LibreOffice" in PdfReader(io.BytesIO(data)).metadata["/Producer"]
    doc = document_from_bytes(data, "report.pdf")
    _check(doc)
    assert doc.format == "pdf"
    # LibreOffice's sara am, shifted tone marks and sara aa come through as the characters typed.
    for word in ["ดำเนินงาน", "เข้าร่วม", "ผู้สูงอายุ", "ทุกสัปดาห์", "ครอบครัว", "เปลี่ยนแปลง"]:
        assert word in doc.text
    for artefact in ["ำา", "\u0e33\u0e32", "ขู", "\t"]:
        assert artefact not in doc.text
    # Every character of the document, in order (list markers aside); the space between the paragraph's two
    # sentences survives, so they stay two sentences.
    expected = [text for _, text in DOCX_ORDER]
    assert _strip_ws(doc.text.replace("•", "").replace("1. ", "")) == _strip_ws("".join(expected))
    assert doc.sentences[0].text == TITLE
    assert doc.sentences[1].text == SENTENCES_1[0]
    assert doc.sentences[2].text.startswith(SENTENCES_1[1])
    assert any(s.kind == "list_item" and ITEMS[0] in s.text for s in doc.sentences)
    assert any(s.kind == "list_item" and ITEMS[1] in s.text for s in doc.sentences)


def test_libreoffice_pdf_heading_after_a_full_last_line(libreoffice_pdfs):
    """A paragraph whose last line is nearly full width ends at the heading after it: the font size changes."""
    doc = document_from_bytes(libreoffice_pdfs["garuda"], "report.pdf")
    assert "สิ่งที่ทำ" in [s.text for s in doc.sentences]
    assert [doc.text[b.start : b.end] for b in doc.blocks][:3] == [TITLE, PARA_1, "สิ่งที่ทำ"]


def _thai_font(name: str = "Garuda"):
    path = TLWG / f"{name}.ttf"
    _require(path.exists(), f"the Thai font {path} (fonts-thai-tlwg)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


PAGES = [
    ["รายงานการถอดบทเรียนโครงการอาสาสมัคร", PARA_1],
    [PARA_2, "1. อบรมการวัดความดันให้อาสาสมัครรุ่นใหม่", "2. จัดทำแผนที่บ้านผู้ป่วยติดเตียง"],
    ["ข้อเสนอแนะคือควรมีตารางเวรที่ชัดเจน และควรประชุมสรุปบทเรียนทุกเดือน"],
]
HEADER = "โครงการอาสาสมัครดูแลผู้สูงอายุ ปี 2563"


def test_reportlab_pdf_with_thai_font():
    font = _thai_font()
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for number, lines in enumerate(PAGES, start=1):
        c.setFont(font, 10)
        c.drawString(72, 800, HEADER)  # a running header on every page
        c.setFont(font, 13)
        y = 740
        for line in lines:
            c.drawString(72, y, line)
            y -= 40
        c.setFont(font, 10)
        c.drawString(290, 40, f"หน้า {number}")  # a page number in the footer
        c.showPage()
    c.save()
    doc = document_from_bytes(buf.getvalue(), "reportlab.pdf")
    _check(doc)
    assert doc.metadata["pages"] == 3
    assert HEADER not in doc.text and "หน้า 1" not in doc.text and "หน้า 3" not in doc.text
    assert _strip_ws(doc.text) == _strip_ws("".join(line for lines in PAGES for line in lines))
    assert {b.page for b in doc.blocks} == {1, 2, 3}
    texts = [s.text for s in doc.sentences]
    assert texts[1:3] == SENTENCES_1
    assert "1. อบรมการวัดความดันให้อาสาสมัครรุ่นใหม่" in texts
    assert [s.kind for s in doc.sentences if s.text.startswith(("1.", "2."))] == ["list_item", "list_item"]


def test_pdf_without_text_layer_or_text_in_its_images_says_so_with_ocr():
    """Shapes only: OCR finds no letters (or, without Tesseract, names the packages to install)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(2):  # a "scan": shapes only
        c.rect(72, 500, 300, 200, fill=1)
        c.circle(300, 300, 80)
        c.line(72, 100, 500, 120)
        c.showPage()
    c.save()
    with pytest.raises(NoTextLayerError) as err:
        document_from_bytes(buf.getvalue(), "scan.pdf")
    assert "OCR" in str(err.value)


# --- subtitles -------------------------------------------------------------------------------------------------------

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.500
<v พี่แดง>วันนี้เรามาคุยเรื่องการเยี่ยมบ้านผู้สูงอายุกันนะคะ</v>

00:00:04.500 --> 00:00:09.000
<v พี่แดง>เดือนที่แล้วทีมอาสาสมัครไปเยี่ยมบ้านมาสามสิบหลังคาเรือน</v>

00:00:09.200 --> 00:00:13.000
<v น้องฝน>หนูเห็นว่าผู้สูงอายุหลายคนอยู่บ้านคนเดียวตอนกลางวันค่ะ</v>

00:01:02.000 --> 00:01:05.250
<v พี่แดง>ขอบคุณน้องฝนมากค่ะ</v>
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
พี่แดง: วันนี้เรามาสรุปบทเรียนจากการลงพื้นที่กันค่ะ

2
00:00:04,200 --> 00:00:08,000
ลุงสม: ผมว่าชาวบ้านให้ความร่วมมือดีมาก

3
00:00:08,000 --> 00:00:11,500
แต่ช่วงหน้าฝนเดินทางลำบาก

4
00:00:12,000 --> 00:00:15,000
พี่แดง: งั้นเดือนหน้าเราลองนัดประชุมออนไลน์ดูนะคะ
"""


def test_vtt_voice_tags_give_speakers_and_times():
    doc = document_from_bytes(VTT.encode(), "meeting.vtt")
    _check(doc)
    assert doc.format == "vtt"
    rows = [(s.speaker, s.time_start, s.time_end, s.text) for s in doc.sentences]
    assert rows == [
        ("พี่แดง", "00:00:01.000", "00:00:04.500", "วันนี้เรามาคุยเรื่องการเยี่ยมบ้านผู้สูงอายุกันนะคะ"),
        ("พี่แดง", "00:00:04.500", "00:00:09.000", "เดือนที่แล้วทีมอาสาสมัครไปเยี่ยมบ้านมาสามสิบหลังคาเรือน"),
        ("น้องฝน", "00:00:09.200", "00:00:13.000", "หนูเห็นว่าผู้สูงอายุหลายคนอยู่บ้านคนเดียวตอนกลางวันค่ะ"),
        ("พี่แดง", "00:01:02.000", "00:01:05.250", "ขอบคุณน้องฝนมากค่ะ"),
    ]
    assert "<v" not in doc.text and "</v>" not in doc.text
    # Consecutive cues of one speaker are one turn (one block); a new speaker opens a new one.
    assert [(b.speaker, b.time_start, b.time_end) for b in doc.blocks] == [
        ("พี่แดง", "00:00:01.000", "00:00:09.000"), ("น้องฝน", "00:00:09.200", "00:00:13.000"),
        ("พี่แดง", "00:01:02.000", "00:01:05.250")]


def test_srt_speaker_labels_and_times():
    doc = document_from_bytes(SRT.encode("utf-8-sig"), "interview.srt")
    _check(doc)
    assert doc.format == "srt"
    rows = [(s.speaker, s.time_start, s.time_end) for s in doc.sentences]
    texts = [s.text for s in doc.sentences]
    # An unlabeled cue continues the turn of the speaker before; a sentence spanning two cues runs from the first
    # cue's start to the second cue's end.
    assert rows == [("พี่แดง", "00:00:01.000", "00:00:04.000"), ("ลุงสม", "00:00:04.200", "00:00:11.500"),
                    ("พี่แดง", "00:00:12.000", "00:00:15.000")]
    assert texts[1].endswith("ผมว่าชาวบ้านให้ความร่วมมือดีมาก แต่ช่วงหน้าฝนเดินทางลำบาก")


def test_subtitles_found_by_content():
    assert sniff_format(VTT.encode(), "captions") == "vtt"
    assert sniff_format(SRT.encode(), "captions") == "srt"


# --- formats, uploads ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "data"),
    [("notes.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old word"), ("slides.pptx", b"PK\x03\x04 not a word file"),
     ("notes.rtf", rb"{\rtf1 hello}"), ("noextension", b"hello")],
)
def test_unsupported_format_names_the_supported_ones(name, data):
    with pytest.raises(UnsupportedFormatError) as err:
        read_bytes(data, name)
    message = str(err.value)
    assert all(f".{ext}" in message for ext in SUPPORTED)
    assert set(SUPPORTED) == {"txt", "md", "docx", "pdf", "srt", "vtt", "png", "jpg", "jpeg", "tif", "tiff"}


@pytest.mark.parametrize(("name", "data", "fmt"), [
    ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg", "jpg"), ("scan", b"\x89PNG\r\n\x1a\n....", "png"),
    ("page.tiff", b"II*\x00....", "tif"), ("page.jpeg", b"not a jpeg", "jpg"),
])
def test_images_are_found_by_content_and_a_broken_one_is_unreadable(name, data, fmt):
    """Page images go to OCR (tests/test_ocr.py); one that does not open says so before any OCR is tried."""
    assert sniff_format(data, name) == fmt
    with pytest.raises(UnreadableFileError):
        read_bytes(data, name)


def test_upload_bytes_and_path_give_the_same_document(tmp_path):
    files = {"notes.txt": LONG_TEXT.encode("cp874"), "report.docx": _make_docx(), "meeting.vtt": VTT.encode(),
             "interview.srt": SRT.encode(), "notes.md": f"# {TITLE}\n\n{PARA_1}\n".encode("utf-16")}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        from_path = load_document(path)
        from_upload = document_from_bytes(data, name)
        _check(from_upload)
        assert from_path.name == from_upload.name == name
        assert from_path.text == from_upload.text
        assert [(s.start, s.end, s.speaker) for s in from_path.sentences] == \
               [(s.start, s.end, s.speaker) for s in from_upload.sentences]
