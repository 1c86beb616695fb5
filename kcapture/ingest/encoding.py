"""Decode text files whose encoding nobody recorded: UTF-8 (with or without BOM), UTF-16/32 and Thai legacy
cp874/TIS-620.

Generic charset detectors often call short Thai cp874 text Latin-1 or Cyrillic, because every byte decodes in those
single-byte code pages. So each candidate decoding is scored by how Thai it looks: the share of characters that are
Thai letters in plausible order, ASCII text or whitespace, and the frequency of the commonest Thai letters.
"""

from __future__ import annotations

import codecs
import re

from kcapture.errors import UnreadableFileError

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# The ten commonest Thai letters in running text cover about half of all Thai characters.
_COMMON_THAI = set("านรอกเงมยลวทดต่้ิีั")
_THAI = re.compile("[\u0e01-\u0e5b]")
_PLAIN = re.compile("[\u0e01-\u0e5b\t\n\r\x20-\x7e\u00a0-\u00ff\u2018-\u201d\u2022\u2026]")
# A combining Thai mark right after a space or at the start is impossible in real text: a sign of a wrong code page.
_BAD_THAI = re.compile("(?:^|[\\s\x20-\x7e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_LEGACY = ("cp874", "tis-620", "cp1252", "latin-1")
# Accented Latin letters and symbols stand next to ASCII letters in real Western text ("café", "Größe"); a run of them
# on its own is Thai read in a Latin code page ("ขอบคุณ" in cp874 read as Latin-1 is "¢Íº¤Ø³").
_LONE_LATIN1 = re.compile("(?<![A-Za-z\u00c0-\u00ff])[\u00a1-\u00ff]{2,}(?![A-Za-z])")


def thai_text_score(text: str) -> float:
    """Between 0 and 1: how much `text` looks like real Thai or plain text (higher is better)."""
    if not text:
        return 0.0
    sample = text[:200_000]
    n = len(sample)
    lone = sum(len(m) for m in _LONE_LATIN1.findall(sample))
    plain = (len(_PLAIN.findall(sample)) - lone) / n
    thai = _THAI.findall(sample)
    if thai:
        common = sum(1 for c in thai if c in _COMMON_THAI) / len(thai)
        bad = len(_BAD_THAI.findall(sample)) / len(thai)
        # Letter frequencies say little about a few words: their weight grows with the sample up to 50 Thai letters.
        weight = 0.4 * min(len(thai) / 50, 1.0)
        return plain * (1.0 - weight + weight * min(common / 0.45, 1.0)) * max(0.0, 1.0 - 5 * bad)
    return plain


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    # Thai in UTF-16 has 0x0E in the high byte, not NUL, so look for either NUL or 0x0E high bytes.
    even_hi = sum(1 for b in sample[0::2] if b in (0, 0x0E)) / len(sample[0::2])
    odd_hi = sum(1 for b in sample[1::2] if b in (0, 0x0E)) / len(sample[1::2])
    if odd_hi > 0.7 and even_nul < 0.1 and odd_nul > 0.05:
        return "utf-16-le"
    if even_hi > 0.7 and odd_nul < 0.1 and even_nul > 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise UnreadableFileError for binary data or text in no known encoding."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError as err:
                raise _unreadable(enc) from err
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as err:
            raise _unreadable(utf16) from err
    if b"\x00" in data[:65536]:
        raise UnreadableFileError(
            "ไฟล์นี้ไม่ใช่ไฟล์ข้อความ (พบข้อมูลไบนารี)",
            "this file is not text (binary data found)",
        )
    try:
        text = data.decode("utf-8")
        if not _thai_read_as_utf8(data, text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for enc in _LEGACY + tuple(_charset_normalizer_guesses(data)):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        # Prefer cp874 on ties: it is what Thai Windows wrote, and it is a superset of TIS-620.
        candidates.append((thai_text_score(text) + (0.001 if enc == "cp874" else 0.0), enc, text))
    if candidates:
        score, enc, text = max(candidates)
        if score >= 0.85:
            return text, enc
    # Mostly valid UTF-8 with a few broken bytes (a file cut by a chat app): keep the text, mark the damage.
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 1000):
        return text, "utf-8 (damaged)"
    raise UnreadableFileError(
        "อ่านไฟล์ข้อความไม่ได้: ไม่ทราบการเข้ารหัสอักขระ (ลองบันทึกเป็น UTF-8)",
        "cannot read this text file: unknown character encoding (save it as UTF-8)",
    )


def _thai_read_as_utf8(data: bytes, text: str) -> bool:
    """True if `data` is a few words of cp874 Thai that happen to be valid UTF-8 ("รถ" is the bytes of "ö").

    Thai in cp874 is bytes A1-FB, so it can pass as UTF-8 only in short files; the UTF-8 reading is then letters of
    other scripts standing alone, where real Western text has its accented letters inside ASCII words ("café").
    """
    if len(data) > 2000 or text.isascii() or _THAI.search(text) or _looks_lao(text):
        return False
    if re.search("[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]", text):
        return False
    try:
        thai = data.decode("cp874")
    except UnicodeDecodeError:
        return False
    return all(c.isascii() or _THAI.match(c) for c in thai) and thai_text_score(thai) >= 0.85


# Lao, the next Unicode block, is bytes E0 BA/BB xx in UTF-8: also valid cp874 ("ລາວ" would read "เบฅเบฒเบง").
_LAO_MARK_FIRST = re.compile("(?:^|[^\u0e80-\u0eff])[\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd]")


def _looks_lao(text: str) -> bool:
    """True for Lao words: every letter Lao, and no vowel or tone mark without a letter before it."""
    return all(c.isascii() or "\u0e80" <= c <= "\u0eff" for c in text) and not _LAO_MARK_FIRST.search(text)


def _charset_normalizer_guesses(data: bytes) -> list[str]:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return []
    # Only code pages that keep ASCII as ASCII: for a few bytes of Thai the detector may offer EBCDIC ("ครู" -> "uCR").
    return [m.encoding for m in from_bytes(data[:200_000]) if _ascii_compatible(m.encoding)][:3]


def _ascii_compatible(encoding: str) -> bool:
    probe = b"Abc xyz 0123456789 .,:;-()"
    try:
        return probe.decode(encoding) == probe.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return False


def _unreadable(enc: str) -> UnreadableFileError:
    return UnreadableFileError(
        f"ไฟล์ข้อความเสียหาย: ถอดรหัส {enc} ไม่ได้",
        f"damaged text file: it does not decode as {enc}",
    )
