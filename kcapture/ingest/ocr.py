"""OCR: scanned PDFs and page photos read offline with Tesseract's Thai and English models.

Tesseract and its Thai model are Debian packages (tesseract-ocr, tesseract-ocr-tha); scanned PDFs are rendered page by
page with pdftoppm (poppler-utils). Both run as separate programs, one page at a time, each under a time limit, so a
hostile page cannot hang the reader and memory stays at one page image.

Why these settings (measured with benchmarks/ocr_cer.py and a grid of resolutions and modes on the same pages):
- PDFs rendered at 300 dpi; images below 200 dpi scaled up to 250 dpi (Thai tone marks over a vowel are a few pixels
  at 150 dpi and get lost), images at 200 dpi or more left as they are (scaling a 200-dpi page up made it worse).
- page segmentation mode 6 (one block of text): it lost fewer marks than the automatic modes 3 and 4; in those the row
  of marks above a Thai line is often taken for a line of its own. Lines that are still noise (marks or specks read
  as "% % 1 ๑ ...") are dropped by `is_noise_line`.
- one thread per Tesseract process (OMP_THREAD_LIMIT=1): the machine is shared, and OpenMP in Tesseract costs more CPU
  than it saves on one page.
The text goes on to the same repair and segmentation as every other reader; blocks keep their page number and the
document's metadata says the text came from OCR.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from kcapture.document import Block
from kcapture.errors import LimitExceededError, NoTextLayerError, UnreadableFileError
from kcapture.ingest.assemble import check_text_size
from kcapture.ingest.base import Extracted, Reader
from kcapture.limits import DEFAULT_LIMITS, Limits

Progress = Callable[[int, int], None]

OCR_LANGUAGES = "tha+eng"
OCR_DPI = 300  # PDF pages are rendered at their scan's resolution; at this one when it is not known
MIN_IMAGE_DPI = 200  # page images below this resolution are scaled up ...
UPSCALED_IMAGE_DPI = 250  # ... to this one
OCR_PSM = "6"  # Tesseract page segmentation: one uniform block of text
OCR_PAGE_SECONDS = 120  # rendering plus recognising one page
MAX_IMAGE_PIXELS = 90_000_000  # one page image (an A4 page at 600 dpi is 35 million); larger is refused undecoded
ASSUMED_IMAGE_DPI = 300  # an image that records no resolution
IMAGE_FORMATS = ("png", "jpg", "jpeg", "tif", "tiff")
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-tha poppler-utils"


class OcrUnavailableError(NoTextLayerError):
    """The file needs OCR and the OCR engine (or its Thai model, or the PDF renderer) is not installed."""


def _missing(what_th: str, what_en: str) -> OcrUnavailableError:
    return OcrUnavailableError(
        f"ไฟล์นี้ต้องอ่านด้วย OCR แต่ไม่พบ{what_th} ติดตั้งด้วย: sudo apt-get install {OCR_PACKAGES}",
        f"this file needs OCR but {what_en} is not installed; install: sudo apt-get install {OCR_PACKAGES}",
    )


_NO_TESSERACT = ("โปรแกรม OCR (tesseract)", "the OCR engine (tesseract)")
_NO_THAI_MODEL = ("โมเดลภาษาไทยของ tesseract (tesseract-ocr-tha)", "Tesseract's Thai model (tesseract-ocr-tha)")
_NO_RENDERER = ("โปรแกรมแปลง PDF เป็นภาพ (pdftoppm)", "the PDF renderer (pdftoppm, poppler-utils)")


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """'tesseract 5.3.0' when Tesseract with the Thai and English models is installed, else None."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, env=_env())
        version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, env=_env())
    except (OSError, subprocess.SubprocessError):
        return None
    found = set(langs.stdout.split()) | set(langs.stderr.split())
    if not {"tha", "eng"} <= found:
        return None
    first = (version.stdout or version.stderr).strip().splitlines()
    return first[0].strip() if first else "tesseract"


def ocr_available() -> bool:
    return tesseract_version() is not None


def _require_tesseract() -> str:
    if shutil.which("tesseract") is None:
        raise _missing(*_NO_TESSERACT)
    version = tesseract_version()
    if version is None:
        raise _missing(*_NO_THAI_MODEL)
    return version


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _too_slow(page: int) -> LimitExceededError:
    return LimitExceededError(
        f"อ่านหน้า {page} ด้วย OCR นานเกิน {OCR_PAGE_SECONDS} วินาที จึงหยุดอ่าน",
        f"OCR of page {page} took longer than {OCR_PAGE_SECONDS} s; stopped",
    )


# --- recognition -----------------------------------------------------------------------------------------------------

def recognize_png(png: bytes, page: int, dpi: int = OCR_DPI) -> str:
    """Tesseract's text for one page image (PNG bytes), lines as it read them, paragraphs separated by blank lines."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise _missing(*_NO_TESSERACT)
    cmd = [exe, "stdin", "stdout", "-l", OCR_LANGUAGES, "--psm", OCR_PSM, "--dpi", str(dpi)]
    try:
        out = subprocess.run(cmd, input=png, capture_output=True, timeout=OCR_PAGE_SECONDS, env=_env())
    except subprocess.TimeoutExpired:
        raise _too_slow(page) from None
    except OSError as err:
        raise _missing(*_NO_TESSERACT) from err
    if out.returncode != 0:
        raise UnreadableFileError(f"อ่านภาพหน้า {page} ด้วย OCR ไม่ได้", f"OCR could not read the image of page {page}")
    return out.stdout.decode("utf-8", errors="replace")


# A line of noise: marks or specks read as characters, spread across the page width.
_LETTER = re.compile("[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59A-Za-z0-9]")
_WIDE_GAP = re.compile(" {3,}")


def is_noise_line(line: str) -> bool:
    """True for a line Tesseract made of specks or of the marks above a Thai line, not of words."""
    body = line.replace(" ", "")
    if not body:
        return True
    letters = len(_LETTER.findall(body))
    if letters / len(body) < 0.6:
        return True
    if len(_WIDE_GAP.findall(line.strip())) >= 2:
        return True
    # One or two stray characters (a speck read as ")" or "v"); page numbers and list numbers are digits and stay.
    return len(body) <= 2 and not body.isdigit() and not re.fullmatch("[\u0e01-\u0e2e][\u0e30-\u0e4e]?", body)


def page_blocks(text: str, page: int) -> list[Block]:
    """Tesseract's paragraphs as blocks, wrapped lines rejoined the way the PDF reader rejoins them."""
    from kcapture.ingest.pdf import _page_blocks

    blocks: list[Block] = []
    for para in re.split(r"\n\s*\n", text.replace("\f", "\n")):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip() and not is_noise_line(ln)]
        if lines:
            blocks.extend(_page_blocks(lines, page))
    return blocks


# --- images ----------------------------------------------------------------------------------------------------------

def _open_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow warns about damaged EXIF data; the reader reports failures itself
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data))
        _check_pixels(img.size)
    except Image.DecompressionBombError as err:  # Pillow's own guard, at twice its warning size
        raise _too_many_pixels(None) from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise UnreadableFileError("เปิดไฟล์ภาพนี้ไม่ได้ (เสียหายหรือไม่ใช่ภาพ)",
                                  "cannot open this image (damaged or not an image)") from err
    return img


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(size)


def _too_many_pixels(size: tuple[int, int] | None) -> LimitExceededError:
    shown = f" {size[0]}×{size[1]}" if size else ""
    return LimitExceededError(
        f"ภาพใหญ่{shown} เกินขีดจำกัด {MAX_IMAGE_PIXELS:,} พิกเซลต่อหน้า",
        f"the image{shown} has more than the limit of {MAX_IMAGE_PIXELS:,} pixels a page",
    )


def _prepare(frame, dpi: float | None) -> tuple[bytes, int]:
    """The frame upright, in grey, at MIN_IMAGE_DPI or more, as PNG bytes; and the resolution it is now at."""
    from PIL import Image, ImageOps

    _check_pixels(frame.size)
    frame = ImageOps.exif_transpose(frame)  # phone photos are stored sideways with an orientation tag
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))  # transparent means paper, not black
        frame = Image.alpha_composite(white, frame.convert("RGBA"))
    frame = frame.convert("L") if frame.mode != "L" else frame
    source_dpi = dpi or ASSUMED_IMAGE_DPI
    scaled = (UPSCALED_IMAGE_DPI / source_dpi) ** 2 * frame.width * frame.height
    if source_dpi < MIN_IMAGE_DPI * 0.95 and scaled <= MAX_IMAGE_PIXELS:
        scale = UPSCALED_IMAGE_DPI / source_dpi
        frame = frame.resize((round(frame.width * scale), round(frame.height * scale)), Image.LANCZOS)
        source_dpi = UPSCALED_IMAGE_DPI
    buf = io.BytesIO()
    frame.save(buf, format="PNG")
    return buf.getvalue(), round(source_dpi)


def _image_dpi(img) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 2400 else None  # 1 or 72 "dpi" are what software writes when it does not know


def read_image(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None) -> Extracted:
    """A photo or scan of pages (.png, .jpg, .tif; a TIFF may hold several pages), read with OCR page by page."""
    img = _open_image(data)
    version = _require_tesseract()
    n_pages = getattr(img, "n_frames", 1) or 1
    if n_pages > limits.max_pdf_pages:
        raise LimitExceededError(
            f"ไฟล์ภาพมี {n_pages} หน้า เกินขีดจำกัด {limits.max_pdf_pages} หน้า",
            f"the image file has {n_pages} pages, over the limit of {limits.max_pdf_pages}",
        )

    def page_png(number: int) -> tuple[bytes, int]:
        try:
            img.seek(number - 1)
            img.load()
            return _prepare(img, _image_dpi(img))
        except (OSError, ValueError, SyntaxError, EOFError) as err:
            raise UnreadableFileError(f"ภาพหน้า {number} เสียหาย อ่านไม่ได้",
                                      f"the image of page {number} is damaged and cannot be read") from err

    return _ocr_pages(n_pages, page_png, fmt, version, limits, progress)


# --- scanned PDFs ----------------------------------------------------------------------------------------------------

def ocr_pdf(data: bytes, n_pages: int, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
            pages: list[int] | None = None) -> Extracted:
    """Render the PDF's pages (all, or the 1-based `pages`) with pdftoppm and read them with OCR."""
    version = _require_tesseract()
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        raise _missing(*_NO_RENDERER)
    wanted = pages or list(range(1, n_pages + 1))
    with tempfile.TemporaryDirectory(prefix="kcapture-ocr-") as folder:
        pdf_path = Path(folder) / "in.pdf"
        pdf_path.write_bytes(data)

        dpis = _scan_resolutions(data, wanted)

        def page_png(index: int) -> tuple[bytes, int]:
            number = wanted[index - 1]
            dpi = dpis.get(number, OCR_DPI)
            out = Path(folder) / f"p{number}"
            cmd = [renderer, "-r", str(dpi), "-gray", "-png", "-f", str(number), "-l", str(number), "-singlefile",
                   str(pdf_path), str(out)]
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=OCR_PAGE_SECONDS)
            except subprocess.TimeoutExpired:
                raise _too_slow(number) from None
            png = out.with_suffix(".png")
            if done.returncode != 0 or not png.exists():
                raise UnreadableFileError(f"แปลงหน้า {number} ของ PDF เป็นภาพไม่ได้ (ไฟล์อาจเสียหาย)",
                                          f"page {number} of the PDF could not be rendered for OCR (damaged file?)")
            body = png.read_bytes()
            png.unlink()
            return body, dpi

        extracted = _ocr_pages(len(wanted), page_png, "pdf", version, limits, progress, numbers=wanted)
    extracted.metadata["pages"] = n_pages
    return extracted


def _scan_resolutions(data: bytes, pages: list[int]) -> dict[int, int]:
    """Page -> the resolution its scanned image was made at, to render it at (not resampled to another one).

    From the largest image on the page: its width in pixels over the page's width in inches. Scans below
    MIN_IMAGE_DPI are rendered at UPSCALED_IMAGE_DPI, and none above 2 * OCR_DPI; pages without images at OCR_DPI.
    """
    from pypdf import PdfReader

    found: dict[int, int] = {}
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        for number in pages:
            page = reader.pages[number - 1]
            xobjects = page["/Resources"].get_object().get("/XObject")
            widths = [int(x.get_object().get("/Width", 0)) for x in (xobjects.get_object() if xobjects else {}).values()
                      if x.get_object().get("/Subtype") == "/Image"]
            inches = float(page.mediabox.width) / 72
            if widths and inches > 0:
                dpi = max(widths) / inches
                found[number] = round(min(UPSCALED_IMAGE_DPI if dpi < MIN_IMAGE_DPI * 0.95 else dpi, 2 * OCR_DPI))
    except Exception:  # the resolution only tunes rendering; a damaged dictionary falls back to OCR_DPI
        pass
    return found


def _ocr_pages(n: int, page_png: Callable[[int], tuple[bytes, int]], fmt: str, version: str, limits: Limits,
               progress: Progress | None, numbers: list[int] | None = None) -> Extracted:
    blocks: list[Block] = []
    chars = 0
    resolutions: set[int] = set()
    started = time.monotonic()
    if progress:
        progress(0, n)
    for index in range(1, n + 1):
        number = numbers[index - 1] if numbers else index
        t0 = time.monotonic()
        png, dpi = page_png(index)
        resolutions.add(dpi)
        text = recognize_png(png, number, dpi)
        if time.monotonic() - t0 > OCR_PAGE_SECONDS:
            raise _too_slow(number)
        page = page_blocks(text, number)
        chars += sum(len(b.text) for b in page)
        blocks.extend(page)
        check_text_size(chars, len(blocks), limits)
        if progress:
            progress(index, n)
    if not blocks:
        raise NoTextLayerError(
            "ไม่พบข้อความในภาพ: อ่านด้วย OCR แล้วไม่พบตัวอักษร (ภาพอาจไม่ชัดหรือไม่มีข้อความ)",
            "no text found: OCR read no letters in the page images (blurred, or no text)",
        )
    meta = {"ocr": True, "ocr_engine": version, "ocr_languages": OCR_LANGUAGES, "ocr_dpi": sorted(resolutions),
            "pages": n, "ocr_seconds": round(time.monotonic() - started, 2)}
    return Extracted(fmt, blocks, meta)


_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg", b"II*\x00": "tif", b"MM\x00*": "tif"}
_IMAGE_EXT = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "tif": "tif", "tiff": "tif"}


def image_format(head: bytes, ext: str) -> str:
    """png, jpg or tif: by the first bytes, else by the extension (the reader then says it cannot open it)."""
    for magic, fmt in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return fmt
    return _IMAGE_EXT.get(ext, ext)


READER = Reader("image", ("png", "jpg", "jpeg", "tif", "tiff"),
                lambda data, fmt, limits, progress: read_image(data, fmt, limits, progress),
                lambda head, data, ext: any(head.startswith(m) for m in _IMAGE_MAGIC), strong=True,
                format_of=image_format)
