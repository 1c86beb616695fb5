"""Builders of hostile and broken files for tests/test_hostile_input.py (issue 6). Everything is made in memory at test
time; nothing here is bigger than a few KB on disk.

- `zip_bomb_docx`: a .docx whose word/document.xml inflates to ~1 GiB (or more) from ~1 MB, written without ever
  holding the inflated data: one 1 MiB block of deflate output, flushed to a byte boundary, repeated (deflate blocks
  can be concatenated), and the CRC-32 of the repetition computed by crc32_combine, as zlib does.
- `raw_pdf`: a minimal PDF with a correct cross-reference table, for content python tools would refuse to write.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- zip -------------------------------------------------------------------------------------------------------------

def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B) (zlib's crc32_combine, in GF(2) matrix form)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = [_gf2_times(odd, odd[n]) for n in range(32)]
    odd = [_gf2_times(even, even[n]) for n in range(32)]
    while True:
        even = [_gf2_times(odd, odd[n]) for n in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = [_gf2_times(even, even[n]) for n in range(32)]
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _deflate(data: bytes, final: bool = True) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def repeated_deflate(prefix: bytes, fill: bytes, mib: int, suffix: bytes) -> tuple[bytes, int, int]:
    """(raw deflate data, CRC-32, size) of prefix + fill * (mib MiB) + suffix, built from one compressed MiB."""
    block = (fill * (1 << 20))[: 1 << 20]
    raw = _deflate(prefix, final=False) + _deflate(block, final=False) * mib + _deflate(suffix)
    crc_block, crc_run, run_len, k = zlib.crc32(block), None, len(block), mib
    rep_crc, rep_len, acc_len = crc_block, run_len, 0
    while k:  # CRC of block * mib by doubling
        if k & 1:
            crc_run = rep_crc if crc_run is None else crc32_combine(crc_run, rep_crc, rep_len)
            acc_len += rep_len
        rep_crc, rep_len, k = crc32_combine(rep_crc, rep_crc, rep_len), rep_len * 2, k >> 1
    crc = zlib.crc32(prefix)
    if crc_run is not None:
        crc = crc32_combine(crc, crc_run, acc_len)
    crc = crc32_combine(crc, zlib.crc32(suffix), len(suffix))
    return raw, crc, len(prefix) + acc_len + len(suffix)


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, data as stored, compression method, CRC-32, declared uncompressed size) tuples.

    The data is written as given (already compressed), so the declared size can be anything: a lying header.
    """
    out, central = io.BytesIO(), []
    for name, data, method, crc, declared in members:
        offset, n = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), declared, len(n), 0))
        out.write(n + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                                   declared, len(n), 0, 0, 0, 0, 0, offset) + n)
    start, blob = out.tell(), b"".join(central)
    out.write(blob + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(blob), start, 0))
    return out.getvalue()


def docx_members(docx_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {name: z.read(name) for name in z.namelist()}


def replace_members(docx_bytes: bytes, replacements: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The same .docx with some members' content replaced (written normally, with zipfile)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in docx_members(docx_bytes).items():
            z.writestr(name, replacements.get(name, data))
    return out.getvalue()


def zip_bomb_docx(template: bytes, mib: int = 1024, declared: int | None = None) -> bytes:
    """`template` (a real .docx) with word/document.xml replaced by ~`mib` MiB of spaces inside a valid paragraph.

    `declared`: the uncompressed size written in the headers; None for the true size, a small number for a bomb
    that lies about its size.
    """
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode()
    raw, crc, size = repeated_deflate(prefix, b" ", mib, b"</w:t></w:r></w:p></w:body></w:document>")
    members = []
    for name, data in docx_members(template).items():
        if name == "word/document.xml":
            members.append((name, raw, zipfile.ZIP_DEFLATED, crc, size if declared is None else declared))
        else:
            members.append((name, _deflate(data), zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data)))
    return raw_zip(members)


# --- pdf -------------------------------------------------------------------------------------------------------------

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def raw_pdf(objects: list[bytes], info: int | None = None) -> bytes:
    """A PDF of the given objects (object 1 is the catalog) with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    extra = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, extra, xref)
    return bytes(out)


def pdf_stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(pages: list[bytes], font: bytes = HELVETICA, info: bytes | None = None,
             contents: list[bytes] | None = None) -> bytes:
    """One page per content stream (`pages`, uncompressed) or per ready-made stream object (`contents`)."""
    streams = contents if contents is not None else [pdf_stream(p) for p in pages]
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font]
    kids = []
    for stream in streams:
        n = len(objects) + 1
        kids.append(b"%d 0 R" % n)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % (n + 1))
        objects.append(stream)
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(streams)
    if info is not None:
        objects.append(info)
    return raw_pdf(objects, info=len(objects) if info is not None else None)


def flate_bomb_stream(mib: int) -> bytes:
    """A FlateDecode content stream that inflates to a line of text plus `mib` MiB of spaces (zlib header + raw
    deflate; the Adler-32 trailer is left out: a reader stops at its output limit long before it)."""
    raw, _, _ = repeated_deflate(b"BT /F1 12 Tf 72 700 Td (Hello bomb) Tj ET\n", b" ", mib, b"\n")
    data = b"\x78\xda" + raw
    return pdf_stream(data, b" /Filter /FlateDecode")


def xobject_bomb_pdf(levels: int = 7, fanout: int = 10, pages: int = 1) -> bytes:
    """Pages drawing form XObject X(levels-1), each of which draws the one below `fanout` times: fanout**levels
    text draws per page from a few KB ("billion laughs" for PDF)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", HELVETICA]
    first = len(objects) + 1
    for i in range(levels):
        if i == 0:
            body, res = b"BT /F1 12 Tf 72 700 Td (lol) Tj ET", b"/Font << /F1 3 0 R >>"
        else:
            body, res = b"/X Do " * fanout, b"/Font << /F1 3 0 R >> /XObject << /X %d 0 R >>" % (first + i - 1)
        objects.append(pdf_stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >>"
                                  % res))
    top = first + levels - 1
    objects.append(pdf_stream(b"/X Do"))
    content = len(objects)
    kids = []
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
                       b"/XObject << /X %d 0 R >> >> /Contents %d 0 R >>" % (top, content))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return raw_pdf(objects)
