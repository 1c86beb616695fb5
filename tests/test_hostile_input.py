"""Hostile and broken input through every reader and the whole pipeline (issue 6).

The contract: for any bytes and any file name, `document_from_bytes` either returns a Document whose annotations point
at its own text, or raises one of kcapture's own errors with a Thai and an English message. Nothing hangs (every test
runs under an alarm; the PDF reader has its own time budget) and memory stays bounded (the bombs are read in a
subprocess whose peak RSS is compared with its baseline). All files are generated here (tests/hostile_files.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hostile_files import (
    W_NS,
    flate_bomb_stream,
    pdf_stream,
    raw_pdf,
    replace_members,
    text_pdf,
    xobject_bomb_pdf,
    zip_bomb_docx,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kcapture.errors import (
    EmptyDocumentError,
    KcaptureError,
    LimitExceededError,
    NoTextLayerError,
    UnreadableFileError,
)
from kcapture.ingest import SUPPORTED, read_bytes
from kcapture.limits import DEFAULT_LIMITS, Limits
from kcapture.pipeline import document_from_bytes

ROOT = Path(__file__).resolve().parent.parent
TLWG = Path("/usr/share/fonts/truetype/tlwg/Garuda.ttf")
THAI = re.compile("[\u0e01-\u0e5b]")
TEST_SECONDS = 30  # per test; the slowest case here takes a few seconds

PARAS = [
    "ทีมอาสาสมัครดำเนินงานเยี่ยมบ้านผู้สูงอายุในตำบลหนองบัวมาได้หกเดือนแล้ว",
    "ผู้เข้าร่วมประชุมเล่าว่าการจดบันทึกสุขภาพทุกสัปดาห์ช่วยให้ครอบครัวเห็นอาการเปลี่ยนแปลงได้เร็วขึ้น",
    "ขั้นตอนต่อไปคือการชวนโรงเรียนในตำบลให้นักเรียนมาช่วยทำสื่อเล่าเรื่องของผู้สูงอายุ",
]
NOTE = "บันทึกการประชุมทีมอาสาสมัคร\n\n" + "\n\n".join(PARAS) + "\n"


class Hang(BaseException):
    """Raised by the alarm. A BaseException, so no `except Exception` in a reader or a library can swallow it."""


@pytest.fixture(autouse=True)
def _time_limit():
    def on_alarm(signum, frame):
        raise Hang(f"a hostile-input test ran over {TEST_SECONDS} s: something hangs")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS):
    """The pipeline's result: a checked Document, or the KcaptureError it raised (any other exception fails)."""
    try:
        doc = document_from_bytes(data, name, limits)
    except KcaptureError as err:
        check_error(err)
        return err
    doc.check_offsets()
    assert doc.text.strip()
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(doc.text)
    assert len(doc.source_offsets) == len(doc.text) + 1
    return doc


def check_error(err: KcaptureError) -> None:
    assert isinstance(err.message_th, str) and err.message_th.strip(), err
    assert isinstance(err.message_en, str) and err.message_en.strip(), err
    assert THAI.search(err.message_th), f"the Thai message has no Thai: {err.message_th!r}"
    assert "\n" not in str(err), "an error is one line"


def expect(data: bytes, name: str, error: type[KcaptureError], limits: Limits = DEFAULT_LIMITS) -> KcaptureError:
    result = outcome(data, name, limits)
    assert isinstance(result, error), f"expected {error.__name__}, got {result!r}"
    return result


# --- fixtures: real files made with the real tools -------------------------------------------------------------------

@pytest.fixture(scope="module")
def thai_docx() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = "บันทึกการประชุม"
    d.add_heading("บันทึกการประชุมทีมอาสาสมัคร", level=1)
    for p in PARAS:
        d.add_paragraph(p)
    d.add_paragraph("อบรมการวัดความดันให้อาสาสมัครรุ่นใหม่", style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    for i, cell in enumerate(c for row in table.rows for c in row.cells):
        cell.text = f"ช่องที่ {i + 1} ของตาราง"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def thai_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    font, lines = "Helvetica", ["The volunteer team has visited older people for six months.",
                                "Families see changes in health sooner with weekly notes."]
    if TLWG.exists():
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("Garuda", str(TLWG)))
        font, lines = "Garuda", PARAS
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(2):
        c.setFont(font, 13)
        for k, line in enumerate(lines):
            c.drawString(72, 700 - 30 * k, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_the_fixtures_read_cleanly(thai_docx, thai_pdf):
    for data, name in ((thai_docx, "note.docx"), (thai_pdf, "note.pdf"), (NOTE.encode(), "note.txt")):
        doc = outcome(data, name)
        assert not isinstance(doc, KcaptureError), doc
        assert doc.sentences and THAI.search(doc.text) or not TLWG.exists()


# --- random and damaged bytes ----------------------------------------------------------------------------------------

MAGIC = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"WEBVTT\n\n", b"1\n00:00:01,000 --> 00:00:02,000\n", b"\xef\xbb\xbf",
         b"\xff\xfe", b"# "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ext=st.sampled_from(SUPPORTED + ("", "exe", "DOCX")), head=st.sampled_from(MAGIC),
       body=st.binary(max_size=3000))
@example(ext="txt", head=b"", body=b"\x00" * 10)
def test_random_bytes_with_every_extension(ext, head, body):
    outcome(head + body, f"random.{ext}" if ext else "random")


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400), ext=st.sampled_from(SUPPORTED))
def test_random_unicode_text(text, ext):
    outcome(text.encode("utf-8"), f"text.{ext}")


def test_truncated_docx_is_unreadable(thai_docx):
    for cut in range(0, len(thai_docx), max(1, len(thai_docx) // 40)):
        result = outcome(thai_docx[:cut], "cut.docx")
        if cut == 0:
            assert isinstance(result, EmptyDocumentError)
        else:  # the zip's central directory is at the end: any cut loses it
            assert isinstance(result, UnreadableFileError), (cut, result)


def test_truncated_pdf_fails_cleanly_or_reads_what_is_left(thai_pdf):
    for cut in list(range(0, len(thai_pdf), max(1, len(thai_pdf) // 40))) + [len(thai_pdf) - 1]:
        outcome(thai_pdf[:cut], "cut.pdf")


def _flip(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, bit in flips:
        out[pos % len(out)] ^= 1 << bit
    return bytes(out)


FLIPS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 7)), min_size=1, max_size=24)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=FLIPS)
def test_bit_flipped_docx(thai_docx, flips):
    outcome(_flip(thai_docx, flips), "flipped.docx")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=FLIPS)
def test_bit_flipped_pdf(thai_pdf, flips):
    outcome(_flip(thai_pdf, flips), "flipped.pdf")


def test_damaged_pdf_information_dictionary_does_not_escape():
    # Found by bit-flipping: an invalid hex string in /Info raised pypdf's PdfStreamError from read_pdf.
    pdf = text_pdf([b"BT /F1 12 Tf 72 700 Td (Minutes of the volunteer meeting.) Tj ET"],
                   info=b"<4a/4b>")
    doc = outcome(pdf, "info.pdf")
    assert not isinstance(doc, KcaptureError), doc
    assert "volunteer meeting" in doc.text


def test_pdf_text_with_lone_surrogates():
    # Found by bit-flipping: a damaged ToUnicode map gave "\ud800", which the word tokenizer cannot encode.
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def 1 begincodespacerange"
            b" <00> <FF> endcodespacerange 1 beginbfchar <41> <D800> endbfchar endcmap CMapName currentdict /CMap"
            b" defineresource pop end end")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
               b" /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
               pdf_stream(b"BT /F1 12 Tf 72 700 Td (The team met ABA committee.) Tj ET"), pdf_stream(cmap)]
    doc = outcome(raw_pdf(objects), "surrogates.pdf")
    assert not isinstance(doc, KcaptureError), doc
    assert "committee" in doc.text and not re.search("[\ud800-\udfff]", doc.text + doc.source_text)


def test_corrupt_inner_docx_parts(thai_docx):
    cases = {
        "word/document.xml": b"<w:document",  # not XML
        "[Content_Types].xml": b"\x00\x01garbage",
        "word/styles.xml": b'<?xml version="1.0"?><w:styles xmlns:w="' + W_NS.encode() + b'"><w:style/></w:styles>',
        "docProps/core.xml": b"<notclosed>",
    }
    for member, content in cases.items():
        outcome(replace_members(thai_docx, {member: content}), "parts.docx")
    # A zip that is no Word document, under a .docx name.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    expect(buf.getvalue(), "notword.docx", UnreadableFileError)


# --- bombs -----------------------------------------------------------------------------------------------------------

def test_docx_zip_bomb_refused_before_inflating(thai_docx):
    honest = zip_bomb_docx(thai_docx, mib=1100)  # ~1.1 MB that says, truthfully, it holds 1.15 GB
    assert len(honest) < 2_000_000
    err = expect(honest, "bomb.docx", LimitExceededError)
    assert "zip bomb" in err.message_en


def test_docx_zip_bomb_that_lies_about_its_size(thai_docx):
    # The headers claim 50 KB; zipfile would inflate all of it in one call before noticing.
    liar = zip_bomb_docx(thai_docx, mib=1100, declared=50_000)
    expect(liar, "liar.docx", LimitExceededError)


def test_docx_with_bzip2_member_is_refused(thai_docx):
    # zipfile inflates bzip2 members without an output bound; Word never writes them.
    expect(replace_members(thai_docx, {}, method=zipfile.ZIP_BZIP2), "bz2.docx", UnreadableFileError)


def test_docx_xml_and_paragraph_limits(thai_docx):
    many = replace_members(thai_docx, {"word/document.xml": (
        f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
        + b"".join(b"<w:p><w:r><w:t>\xe0\xb8\x81 %d</w:t></w:r></w:p>" % i for i in range(300))
        + b"</w:body></w:document>")})
    assert not isinstance(outcome(many, "many.docx"), KcaptureError)
    expect(many, "many.docx", LimitExceededError, Limits(max_blocks=100))
    expect(many, "many.docx", LimitExceededError, Limits(max_docx_xml_bytes=10_000))
    expect(many, "many.docx", LimitExceededError, Limits(max_text_chars=500))


def test_pdf_flate_bomb_refused():
    pdf = text_pdf([], contents=[flate_bomb_stream(1024)])  # ~1 MB inflating to 1 GiB
    assert len(pdf) < 2_000_000
    outcome(pdf, "bomb.pdf")  # pypdf >= 6 stops at 75 MB (LimitExceededError); the memory test bounds the rest


def test_pdf_xobject_bomb_stops_at_the_time_budget():
    err = expect(xobject_bomb_pdf(levels=7), "xbomb.pdf", LimitExceededError, Limits(max_pdf_seconds=1))
    assert "PDF" in err.message_en


def test_pdf_page_limit():
    pdf = text_pdf([b"BT /F1 12 Tf 72 700 Td (page) Tj ET"] * (DEFAULT_LIMITS.max_pdf_pages + 1))
    err = expect(pdf, "long.pdf", LimitExceededError)
    assert str(DEFAULT_LIMITS.max_pdf_pages) in err.message_en


def test_patterns_do_not_backtrack_for_minutes():
    # Unclosed voice tags in a subtitle cue: the voice pattern was quadratic (30,000 of them took about a minute).
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<v พี่".encode() * 30000 + b"\n"
    start = time.perf_counter()
    outcome(vtt, "voices.vtt")
    assert time.perf_counter() - start < 10


def test_a_long_word_document_reads_in_seconds(thai_docx):
    # python-docx's Paragraph.style scans every style for the default on each call: 3,000 paragraphs took 20 s.
    body = "".join(f"<w:p><w:r><w:t>{PARAS[i % 3]} {i}</w:t></w:r></w:p>" for i in range(3000))
    xml = f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'.encode()
    start = time.perf_counter()
    doc = outcome(replace_members(thai_docx, {"word/document.xml": xml}), "long.docx")
    assert not isinstance(doc, KcaptureError) and len(doc.blocks) == 3000
    assert time.perf_counter() - start < 10


def test_pdf_line_of_spaces_does_not_backtrack_for_hours():
    # "1", thousands of spaces, "x": the page-number pattern had three adjacent \s* (cubic backtracking).
    pdf = text_pdf([b"BT /F1 12 Tf 72 700 Td (1" + b" " * 20000 + b"x) Tj ET"])
    outcome(pdf, "spaces.pdf")


MEASURE = r"""
import json, resource, sys, time
from kcapture.errors import KcaptureError
from kcapture.pipeline import document_from_bytes
import docx, pypdf, kcapture.ingest.docx, kcapture.ingest.pdf  # noqa: F401  (imports belong to the baseline)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cases = []
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    t = time.perf_counter()
    try:
        document_from_bytes(data, path)
        result = "ok"
    except KcaptureError as err:
        result = type(err).__name__
    cases.append([path.rsplit("/", 1)[-1], result, round(time.perf_counter() - t, 3)])
    del data
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"cases": cases, "growth_mb": round((peak - base) / 1024, 1)}))
"""


def measure(paths: list[Path], env: dict | None = None, timeout: float = 60) -> dict:
    """Read files in a fresh process; return per-file results and its peak RSS growth over the imports."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, *map(str, paths)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _laughs(depth: int = 10) -> bytes:
    ents = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, depth))
    return (f'<?xml version="1.0"?><!DOCTYPE w:document [{ents}]><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r>'
            f"<w:t>สวัสดีครับ &l{depth - 1};</w:t></w:r></w:p></w:body></w:document>").encode()


def test_bombs_keep_memory_bounded(tmp_path, thai_docx):
    files = {
        "honest.docx": zip_bomb_docx(thai_docx, mib=1100),
        "liar.docx": zip_bomb_docx(thai_docx, mib=1100, declared=50_000),
        "laughs.docx": replace_members(thai_docx, {"word/document.xml": _laughs()}),
        "flate.pdf": text_pdf([], contents=[flate_bomb_stream(1024)]),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = measure([tmp_path / n for n in files])
    results = {name: result for name, result, _ in report["cases"]}
    assert results["honest.docx"] == results["liar.docx"] == "LimitExceededError", report
    assert results["laughs.docx"] == "UnreadableFileError", report
    assert results["flate.pdf"] != "ok", report
    assert all(seconds < 10 for _, _, seconds in report["cases"]), report
    # Inflated, the bombs would need more than 1 GB each; pypdf may hold up to its 75 MB stream limit (twice).
    assert report["growth_mb"] < 300, report


# --- XML attacks inside .docx ----------------------------------------------------------------------------------------

def test_billion_laughs_in_docx_is_refused(thai_docx):
    expect(replace_members(thai_docx, {"word/document.xml": _laughs()}), "laughs.docx", UnreadableFileError)


def test_external_entities_are_never_fetched(thai_docx, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    uri = secret.as_uri()
    doc_xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{uri}">]>'
               f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>สวัสดีครับ &xxe; ขอบคุณ /etc/passwd</w:t>'
               "</w:r></w:p></w:body></w:document>").encode()
    param = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY % p SYSTEM "{uri}"> %p;]>'
             f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>สวัสดีครับ</w:t></w:r></w:p></w:body>'
             "</w:document>").encode()
    passwd = (b'<?xml version="1.0"?><!DOCTYPE cp:coreProperties [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
              b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&x;</dc:title></cp:coreProperties>')
    for replacements in ({"word/document.xml": doc_xml}, {"word/document.xml": param}, {"docProps/core.xml": passwd}):
        result = outcome(replace_members(thai_docx, replacements), "xxe.docx")
        if isinstance(result, KcaptureError):
            continue
        dump = json.dumps([result.text, result.metadata], ensure_ascii=False)
        assert "TOP-SECRET" not in dump and "root:" not in dump


def test_deeply_nested_xml(thai_docx):
    deep = (f'<w:document xmlns:w="{W_NS}"><w:body>' + "<w:tbl><w:tr><w:tc>" * 3000 + "<w:p><w:r><w:t>ลึก</w:t>"
            "</w:r></w:p>" + "</w:tc></w:tr></w:tbl>" * 3000 + "</w:body></w:document>").encode()
    expect(replace_members(thai_docx, {"word/document.xml": deep}), "deep.docx", UnreadableFileError)
    # Content controls (forms, templates) nest legitimately; their text was dropped before.
    sdt = (f'<w:document xmlns:w="{W_NS}"><w:body>' + "<w:sdt><w:sdtContent>" * 60 + "<w:p><w:r><w:t>"
           + PARAS[0] + "</w:t></w:r></w:p>" + "</w:sdtContent></w:sdt>" * 60 + "</w:body></w:document>").encode()
    doc = outcome(replace_members(thai_docx, {"word/document.xml": sdt}), "sdt.docx")
    assert not isinstance(doc, KcaptureError), doc
    assert doc.text == PARAS[0]


# --- size limits -----------------------------------------------------------------------------------------------------

def _thai_line(n_bytes: int) -> bytes:
    """Exactly `n_bytes` of Thai sentences on one line (UTF-8)."""
    unit = (PARAS[0] + " ").encode()
    data = (unit * (n_bytes // len(unit) + 1))[:n_bytes].decode("utf-8", "ignore").encode()
    return data + b" " * (n_bytes - len(data))


def test_50_mb_single_line_refused_by_the_default_size_limit(tmp_path):
    data = _thai_line(DEFAULT_LIMITS.max_file_bytes + 1)  # just over 50 MiB, one line of Thai
    err = expect(data, "huge.txt", LimitExceededError)
    assert "MB" in err.message_en
    path = tmp_path / "huge.txt"
    path.write_bytes(data)
    with pytest.raises(LimitExceededError):  # the path reader refuses it before reading it
        from kcapture.pipeline import load_document

        load_document(path)
    # With the file limit raised, the text limit (5 million characters) refuses it clearly, fast, in bounded memory.
    report = measure([path], env={"KCAPTURE_MAX_FILE_BYTES": str(10**9)})
    (name, result, seconds), = report["cases"]
    assert result == "LimitExceededError" and seconds < 20, report
    assert report["growth_mb"] < 400, report  # the 50 MB of bytes and the decoded text, not the pipeline's ~120 B/char


def test_long_single_line_within_the_limits_finishes():
    doc = outcome(_thai_line(400_000), "line.txt")  # ~140,000 characters on one line
    assert not isinstance(doc, KcaptureError), doc
    assert len(doc.sentences) > 100


def test_text_char_limit_is_configurable():
    err = expect(NOTE.encode() * 10, "note.txt", LimitExceededError, Limits(max_text_chars=1000))
    assert "1,000" in err.message_en


# --- text edge cases -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ext", SUPPORTED)
@pytest.mark.parametrize("data", [b"", b"   ", b" \t\r\n\r\n  \n", "\u00a0\u3000\u200b\ufeff".encode(),
                                  b"\xef\xbb\xbf"], ids=["zero", "spaces", "whitespace", "unicode-spaces", "bom"])
def test_empty_and_whitespace_only_files(data, ext):
    result = outcome(data, f"empty.{ext}")
    assert isinstance(result, (EmptyDocumentError, UnreadableFileError)), result


@pytest.mark.parametrize("ext", ["txt", "md"])
def test_emoji_and_english_only(ext):
    emoji = "😀🎉👍🏽 👨‍👩‍👧 🇹🇭\n"
    doc = outcome(emoji.encode(), f"emoji.{ext}")
    if not isinstance(doc, KcaptureError):
        assert doc.text.replace("\u200d", "") in emoji.replace("\u200d", "")
    english = "Minutes of the volunteer meeting.\n\nThe team visited thirty homes. Families were pleased.\n"
    doc = outcome(english.encode(), f"english.{ext}")
    assert not isinstance(doc, KcaptureError), doc
    assert doc.text == english.strip() and doc.sentences[0].text == "Minutes of the volunteer meeting."


@settings(max_examples=40, deadline=None)
@given(text=st.sampled_from(PARAS), cuts=st.lists(st.integers(0, 400), min_size=1, max_size=4),
       junk=st.sampled_from([b"\xff", b"\xc3", b"\xe0\xb8", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80\x80", b"\xf8"]))
def test_invalid_utf8(text, cuts, junk):
    data = bytearray(text.encode("utf-8"))
    for c in sorted(cuts, reverse=True):
        data[c % len(data):c % len(data)] = junk
    result = outcome(bytes(data), "broken.txt")
    if not isinstance(result, KcaptureError) and result.metadata.get("encoding", "").startswith("utf-8"):
        assert "\ufffd" not in result.text  # replacement characters are repaired away


def test_pdf_without_text_layer():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 500, 300, 200, fill=1)
    c.circle(300, 300, 80)
    c.showPage()
    c.save()
    err = expect(buf.getvalue(), "scan.pdf", NoTextLayerError)
    assert "OCR" in err.message_en
    expect(text_pdf([b"0 0 m 100 100 l S"]), "lines.pdf", NoTextLayerError)


LAO = ["ລາວ", "ມາ", "ສະບາຍດີ", "ເມືອງ", "ວຽງຈັນ", "ພວກເຮົາ", "ໄປ", "ຕະຫຼາດ", "ເຂົ້າໜຽວ", "ແມ່ນ"]
KHMER = ["សួស្តី", "ខ្ញុំ", "ទៅ", "ផ្សារ", "ភ្នំពេញ", "អរគុណ", "កម្ពុជា"]
THAI_WORDS = ["บ้าน", "ชุมชน", "อาสาสมัคร", "ผู้สูงอายุ", "ประชุม", "โรงเรียน"]


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(LAO + KHMER + THAI_WORDS), min_size=1, max_size=30),
       ext=st.sampled_from(["txt", "md", "srt"]))
@example(words=["ລາວ"], ext="txt")  # was read as cp874 Thai: "เบฅเบฒเบง"
@example(words=["ລາວ", "ມາ"], ext="txt")
def test_mixed_thai_lao_khmer_text_is_kept(words, ext):
    text = " ".join(words)
    data = text.encode("utf-8")
    if ext == "srt":
        data = b"1\n00:00:01,000 --> 00:00:03,000\n" + data + b"\n"
    doc = outcome(data, f"mixed.{ext}")
    assert not isinstance(doc, KcaptureError), doc
    assert doc.metadata.get("encoding", "utf-8").startswith("utf-8"), doc.metadata

    def norm(s: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFC", s))

    assert norm(doc.text) == norm(text)


def test_mixed_scripts_in_docx(thai_docx):
    line = "ทีมอาสาสมัคร ສະບາຍດີ ວຽງຈັນ សួស្តី ភ្នំពេញ และ English words"
    body = f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{line}</w:t></w:r></w:p></w:body></w:document>'
    doc = outcome(replace_members(thai_docx, {"word/document.xml": body.encode()}), "mixed.docx")
    assert not isinstance(doc, KcaptureError), doc
    assert doc.text == unicodedata.normalize("NFC", line)


def test_read_bytes_alone_raises_only_kcapture_errors():
    for data, name in ((b"\x00" * 100, "x.txt"), (b"PK\x03\x04junk", "x.zip"), (b"%PDF-1.7\n%%EOF", "x.pdf"),
                       (b"WEBVTT\n\nno cues", "x.vtt"), (b"MZ\x90\x00", "x.exe")):
        with pytest.raises(KcaptureError) as info:
            read_bytes(data, name)
        check_error(info.value)


# --- the command line ------------------------------------------------------------------------------------------------

def test_cli_reports_one_line_and_exit_code_2(tmp_path, thai_docx, thai_pdf):
    files = {
        "bomb.docx": zip_bomb_docx(thai_docx, mib=1100),
        "cut.pdf": thai_pdf[: len(thai_pdf) // 3],
        "binary.txt": bytes(range(256)) * 8,
        "empty.md": b"",
        "laughs.docx": replace_members(thai_docx, {"word/document.xml": _laughs()}),
        "data.zip": replace_members(thai_docx, {}).replace(b"word/document.xml", b"word/documenX.xml"),
    }
    procs = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        procs[name] = subprocess.Popen([sys.executable, "-m", "kcapture", "segment", str(tmp_path / name)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    missing = subprocess.Popen([sys.executable, "-m", "kcapture", "segment", str(tmp_path / "nope.txt")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    procs["nope.txt"] = missing
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        lines = err.strip().splitlines()
        assert proc.returncode == 2, (name, proc.returncode, err)
        assert len(lines) == 1 and lines[0].startswith("kcapture: "), (name, err)
        assert "Traceback" not in err and THAI.search(err) and " / " in err, (name, err)
        assert out == "", (name, out)


def test_cli_keeps_pypdf_repair_messages_off_stderr(tmp_path):
    # A font with an unknown encoding name: pypdf logs at ERROR level and reads the text anyway.
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEnc >>"
    pdf = text_pdf([b"BT /F1 12 Tf 72 700 Td (The team met the village committee.) Tj ET"], font=font)
    path = tmp_path / "odd.pdf"
    path.write_bytes(pdf)
    proc = subprocess.run([sys.executable, "-m", "kcapture", "segment", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "village committee" in proc.stdout
