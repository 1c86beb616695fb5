"""OCR of scanned PDFs and page images with Tesseract's Thai model, on pages rendered here from the project's own text.

The pages are drawn from kcapture/data/sample_visit.md (written for kcapture) by tests/ocr_pages.py (shared with
benchmarks/ocr_cer.py), the same code
that measures the character error rate for the README. Tesseract is a system program (apt-get install tesseract-ocr
tesseract-ocr-tha poppler-utils): without it these tests skip, and under CI they fail, so CI never passes by skipping.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ocr_pages import TLWG, cer, degrade, render_pages, sample_paragraphs, to_png, to_scanned_pdf

from kcapture.errors import LimitExceededError, NoTextLayerError, UnreadableFileError
from kcapture.ingest import read_bytes, sniff_format
from kcapture.ingest.assemble import build_document
from kcapture.ingest.ocr import OCR_PACKAGES, OcrUnavailableError, is_noise_line, ocr_available
from kcapture.pipeline import document_from_bytes
from kcapture.thai.sentences import segment_document

ROOT = Path(__file__).resolve().parent.parent


def _require_ocr() -> None:
    if ocr_available() and shutil.which("pdftoppm") and (TLWG / "Garuda.ttf").exists():
        return
    reason = f"needs Tesseract's Thai model, pdftoppm, Thai fonts: apt-get install {OCR_PACKAGES} fonts-thai-tlwg"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(reason + " under CI")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def two_pages():
    """Two A4 pages, half full, of the sample note in Garuda at 200 dpi: (image, the page's text) each."""
    _require_ocr()
    paragraphs = sample_paragraphs()
    return [render_pages(paragraphs[a:b], "Garuda", 200, max_pages=1)[0] for a, b in ((0, 7), (7, 13))]


def _page_text(doc, page: int) -> str:
    return "\n".join(doc.text[b.start : b.end] for b in doc.blocks if b.page == page)


def test_scanned_two_page_pdf_is_read_page_by_page(two_pages):
    pdf = to_scanned_pdf([img for img, _ in two_pages], 200)
    assert sniff_format(pdf, "scan.pdf") == "pdf"
    calls: list[tuple[int, int]] = []
    extracted = read_bytes(pdf, "scan.pdf", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 2), (1, 2), (2, 2)]
    doc = segment_document(build_document(extracted, "scan.pdf"))
    doc.check_offsets()
    assert doc.format == "pdf" and doc.metadata["ocr"] is True and doc.metadata["pages"] == 2
    assert doc.metadata["ocr_dpi"] == [200]  # rendered at the scan's own resolution
    assert {b.page for b in doc.blocks} == {1, 2}
    for number, (_, text) in enumerate(two_pages, start=1):
        rate = cer(text, _page_text(doc, number))
        print(f"page {number}: CER {rate:.2%}")
        assert rate <= 0.05
    # The OCR text went through repair: Tesseract's nikhahit + sara aa came out as sara am.
    assert "\u0e4d\u0e32" not in doc.text and "ดำเนิน" in doc.text or "ชุมชน" in doc.text
    assert doc.sentences and all(s.text == s.text.strip() for s in doc.sentences)


def test_page_photo_png_and_a_poor_jpeg_scan(two_pages):
    img, text = two_pages[0]
    doc = document_from_bytes(to_png(img, 200), "page.png")
    assert doc.format == "png" and doc.metadata["ocr"] is True
    assert {b.page for b in doc.blocks} == {1}
    assert cer(text, doc.text) <= 0.05
    # A photo-like scan: rotated 0.8 degrees, speckled, blurred, JPEG-compressed, and saved without a resolution.
    buf = io.BytesIO()
    degrade(img).save(buf, format="JPEG", quality=85)
    poor = document_from_bytes(buf.getvalue(), "photo.jpg")
    assert poor.format == "jpg"
    rate = cer(text, poor.text)
    print(f"degraded JPEG: CER {rate:.2%}")
    assert rate <= 0.10


def test_scanned_page_among_typed_pages_is_read_too(two_pages):
    """A report printed to PDF with one scanned page (a signed sheet): the scan is read with OCR, in page order."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Garuda", str(TLWG / "Garuda.ttf")))
    img, text = two_pages[1]
    top = img.crop((0, 0, img.width, img.height // 3))  # a third of a page keeps the test fast
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Garuda", 14)
    c.drawString(72, 760, "หน้าแรกพิมพ์จากโปรแกรม มีชั้นข้อความ")
    c.showPage()
    c.drawImage(ImageReader(top.convert("RGB")), 0, A4[1] - A4[1] / 3, width=A4[0], height=A4[1] / 3)
    c.showPage()
    c.save()
    doc = document_from_bytes(buf.getvalue(), "mixed.pdf")
    assert doc.metadata["ocr_pages"] == [2] and doc.metadata["pages"] == 2
    assert doc.text.startswith("หน้าแรกพิมพ์จากโปรแกรม")
    assert [b.page for b in doc.blocks] == sorted(b.page for b in doc.blocks)
    assert cer(text[:200], _page_text(doc, 2)[: len(text[:200])]) <= 0.1  # the scan's first lines, read


def test_pdf_of_shapes_only_says_ocr_found_no_text():
    _require_ocr()
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 500, 300, 200, fill=1)
    c.circle(300, 300, 80)
    c.showPage()
    c.save()
    with pytest.raises(NoTextLayerError) as err:
        document_from_bytes(buf.getvalue(), "scan.pdf")
    assert "OCR" in str(err.value) and "\n" not in str(err.value)


def test_missing_ocr_engine_is_one_line_naming_the_packages(tmp_path, monkeypatch):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (400, 200), 255).save(buf, format="PNG")
    monkeypatch.setattr("kcapture.ingest.ocr.shutil.which", lambda name: None)
    with pytest.raises(OcrUnavailableError) as err:
        read_bytes(buf.getvalue(), "page.png")
    message = str(err.value)
    assert "\n" not in message and "tesseract-ocr tesseract-ocr-tha" in message
    # Through the command line, with no tesseract on the PATH: one line on stderr, no traceback.
    path = tmp_path / "page.png"
    path.write_bytes(buf.getvalue())
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "kcapture", "segment", str(path)], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "tesseract-ocr-tha" in out.stderr


def test_damaged_and_oversized_images_fail_cleanly():
    from PIL import Image

    with pytest.raises(UnreadableFileError):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "page.png")
    with pytest.raises(UnreadableFileError):
        read_bytes(b"not an image at all", "page.jpg")
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(buf, format="PNG")  # 100 million pixels, a few kB compressed
    with pytest.raises(LimitExceededError):
        read_bytes(buf.getvalue(), "huge.png")


@pytest.mark.parametrize("line", [
    "% % 1            1  1         ๑ BR             A     6ศั!     :%       ew",
    "ร         a         ve &   5      1    A           a      ๐",
    ")", "v",
])
def test_noise_lines_from_thai_marks_are_dropped(line):
    assert is_noise_line(line)


@pytest.mark.parametrize("line", [
    "ผู้เข้าร่วมประชุมเล่าว่าการจดบันทึกสุขภาพทุกสัปดาห์ช่วยให้ครอบครัว", "โครงการ Healthy Village ปี 2563", "12",
    "ข้อ 1", "1. เพื่อเรียนรู้รูปแบบวิสาหกิจเพื่อสังคม",
])
def test_text_lines_are_kept(line):
    assert not is_noise_line(line)
