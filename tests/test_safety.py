"""Safety (issue 6): no network at run time, models never unpickled, uploaded file names sanitised.

Formula-injection neutralisation in spreadsheets is tested with the exports (tests/test_exports.py); escaping of user
text in the app with the app (tests/test_app.py).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

import kcapture.classify as classify
from kcapture.classify import DEFAULT_MODEL, load_model, tag_document
from kcapture.errors import ModelError
from kcapture.library import safe_filename
from kcapture.pipeline import document_from_bytes

ROOT = Path(__file__).resolve().parent.parent
NOTE = (
    "บันทึกการเยี่ยมชุมชนบ้านห้วยทราย\n\n"
    "กลุ่มแม่บ้านรวมตัวกันทำวิสาหกิจชุมชนแปรรูปกล้วยตากขายให้นักท่องเที่ยว\n"
    "อาสาสมัครสาธารณสุขประจำหมู่บ้านช่วยดูแลผู้สูงอายุติดเตียงทุกสัปดาห์\n"
    "ปัญหาสำคัญคือขาดเงินทุนหมุนเวียนและตลาดที่มั่นคง\n"
    "ควรสร้างเครือข่ายกับโรงเรียนและโรงพยาบาลส่งเสริมสุขภาพตำบลเพื่อขยายผล\n"
)


def _shipped_model() -> Path:
    if not (DEFAULT_MODEL / "model.json").exists():
        pytest.fail(f"the shipped model is missing: {DEFAULT_MODEL}")
    return DEFAULT_MODEL


# --- no network ------------------------------------------------------------------------------------------------------

def test_pipeline_and_classification_with_sockets_blocked(monkeypatch):
    attempts: list[str] = []

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            attempts.append(f"socket{args}")
            raise OSError("network access is blocked in this test")

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[:2]}")
            raise OSError("network access is blocked in this test")
        return blocked

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(name))
    classify._cached.cache_clear()  # the model is loaded again, under the block
    try:
        doc = document_from_bytes(NOTE.encode("utf-8"), "visit.txt")
        tag_document(doc, _shipped_model())
    finally:
        classify._cached.cache_clear()
    assert attempts == []
    assert len(doc.sentences) >= 4
    assert any(s.themes for s in doc.sentences) and all(s.facet for s in doc.sentences)


NO_NETWORK = r"""
import sys
attempts = []
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.bind", "urllib.Request"):
        attempts.append(event)
        raise OSError("network access is blocked: " + event)
sys.addaudithook(hook)  # before any import: loading dictionaries, corpora and the model is covered too

from kcapture.classify import tag_document
from kcapture.pipeline import document_from_bytes
doc = tag_document(document_from_bytes(open(sys.argv[1], "rb").read(), "visit.txt"))
assert attempts == [], attempts
print(sum(1 for s in doc.sentences if s.facet))
"""


def test_a_fresh_process_never_touches_the_network(tmp_path):
    _shipped_model()
    note = tmp_path / "visit.txt"
    note.write_text(NOTE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", NO_NETWORK, str(note)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 4


# --- models: JSON + arrays, never pickle -----------------------------------------------------------------------------

class Payload:
    """Unpickling this creates a file: proof that code from a model file would run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _model_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(_shipped_model(), folder)
    return folder


@pytest.mark.parametrize("where", ["extra", "replaces-coef"])
def test_a_pickled_array_in_a_model_is_refused_not_run(tmp_path, where):
    folder = _model_copy(tmp_path)
    marker = tmp_path / "pwned"
    with np.load(folder / "arrays.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    evil = np.array([Payload(marker)], dtype=object)
    if where == "extra":
        arrays["zz_extra"] = evil
    else:
        arrays["themes__coef"] = evil
    np.savez(folder / "arrays.npz", **arrays)  # numpy pickles object arrays when saving
    with pytest.raises(ModelError) as err:
        load_model(folder)
    assert err.value.message_th and err.value.message_en
    assert not marker.exists(), "the model file's pickle was executed"
    with pytest.raises(ModelError):
        tag_document(document_from_bytes(NOTE.encode(), "visit.txt"), folder)
    assert not marker.exists()
    # The payload is live: numpy with pickling allowed would have run it.
    with np.load(folder / "arrays.npz", allow_pickle=True) as npz:
        npz[next(k for k in npz.files if npz[k].dtype == object)]
    assert marker.exists()


def test_a_model_folder_loads_only_its_json_and_arrays(tmp_path):
    folder = _model_copy(tmp_path)
    marker = tmp_path / "pwned"
    import pickle

    for name in ("model.pkl", "model.joblib", "classifier.pickle"):
        (folder / name).write_bytes(pickle.dumps(Payload(marker)))
    model = load_model(folder)
    assert model.heads and not marker.exists()


@pytest.mark.parametrize("content", [b"", b"\x80\x04K\x01.", b'{"format": "kcapture-model", "version": 1}',
                                     b"[1, 2]", b'"abc"',
                                     b'{"format": "something-else"}', b'{"format": "kcapture-model", "version": 99}',
                                     b'{"format": "kcapture-model", "version": "1"}'])
def test_broken_model_json_is_a_model_error(tmp_path, content):
    folder = _model_copy(tmp_path)
    (folder / "model.json").write_bytes(content)
    with pytest.raises(ModelError) as err:
        load_model(folder)
    assert err.value.message_th.strip() and err.value.message_en.strip()


def test_missing_or_damaged_arrays_are_a_model_error(tmp_path):
    folder = _model_copy(tmp_path)
    (folder / "arrays.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelError):
        load_model(folder)
    (folder / "arrays.npz").unlink()
    with pytest.raises(ModelError):
        load_model(folder)
    with pytest.raises(ModelError):
        load_model(tmp_path / "no-such-folder")


# --- uploaded file names ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "passwd"),
    ("/home/user/.ssh/id_rsa", "id_rsa"),
    ("C:\\Users\\somchai\\Desktop\\บันทึก.docx", "บันทึก.docx"),
    ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
    ("note\x00.txt.exe", "note_.txt.exe"),
    ("a\nb\rc\td.txt", "a_b_c_d.txt"),
    ("invoice\u202etxt.exe", "invoicetxt.exe"),  # right-to-left override: would display as "invoiceexe.txt"
    ("zero\u200bwidth\u2060.md", "zerowidth.md"),
    ("<img src=x onerror=alert(1)>.txt", "_img src=x onerror=alert(1)_.txt"),
    ("บันทึกการประชุม ครั้งที่ ๑ (ฉบับแก้ไข).docx", "บันทึกการประชุม ครั้งที่ ๑ (ฉบับแก้ไข).docx"),
    ("ສະບາຍດີ ລາວ.txt", "ສະບາຍດີ ລາວ.txt"),
    ("", "document.txt"),
    ("   ", "document.txt"),
    ("..", "document.txt"),
    ("/", "document.txt"),
    ("\x00\x01\x02", "_"),
])
def test_uploaded_names_are_sanitised(raw, expected):
    assert safe_filename(raw) == expected


def test_sanitised_names_keep_thai_and_are_bounded():
    decomposed = unicodedata.normalize("NFD", "ผู้สูงอายุ.txt")  # Thai marks survive, and NFC is applied
    assert safe_filename(decomposed) == unicodedata.normalize("NFC", "ผู้สูงอายุ.txt")
    long = safe_filename("ก" * 1000 + ".docx")
    assert len(long) <= 120 and long.endswith(".docx") and set(long[:-5]) == {"ก"}
    assert len(safe_filename("x" * 5000)) <= 120
    for name in ("a/b\\c:d*e?f\"g<h>i|j.txt", "\u202e\u202d\u2066evil.txt", "😀 รายงาน.pdf"):
        out = safe_filename(name)
        assert out and not any(c in out for c in '/\\:*?"<>|')
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in out)


# Names Windows reserves ("CON", "nul.txt", "COM1.pdf") cannot be saved as files there, and a name made only of dots
# once invisible characters are removed must not come out as "..".
@pytest.mark.parametrize("raw", ["CON", "nul.txt", "COM1.pdf", "aux", "LPT9.docx", "\u200b..\u200b", "\u200b.\u200b"])
def test_reserved_and_dot_only_names_are_replaced(raw):
    out = safe_filename(raw)
    stem = out.split(".")[0].upper()
    assert out.strip(".") and stem not in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                                           *(f"LPT{i}" for i in range(1, 10))}
