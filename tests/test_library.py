"""The SQLite library: schema, migrations, Thai full-text search, corrections, duplicates, concurrency, durability."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kc_support import CORPORA, V1_SCHEMA, small_corpora, small_model

from kcapture.codebook import load_codebook
from kcapture.errors import InvalidInputError
from kcapture.library import SAMPLE_VISIT, SCHEMA_VERSION, CustomCode, Library, fts_query, safe_filename

NOTE = (
    "บันทึกการเยี่ยมชุมชนบ้านห้วยทราย\n\n"
    "กลุ่มแม่บ้านรวมตัวกันทำวิสาหกิจชุมชนแปรรูปกล้วยตากขายให้นักท่องเที่ยว\n"
    "อาสาสมัครสาธารณสุขประจำหมู่บ้านช่วยดูแลผู้สูงอายุติดเตียงทุกสัปดาห์\n"
    "ปัญหาสำคัญคือขาดเงินทุนหมุนเวียนและตลาดที่มั่นคง\n"
    "ควรสร้างเครือข่ายกับโรงเรียนและโรงพยาบาลส่งเสริมสุขภาพตำบลเพื่อขยายผล\n"
)


@pytest.fixture(autouse=True)
def _model(monkeypatch):
    monkeypatch.setenv("KCAPTURE_MODEL", str(small_model()))


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib.sqlite3") as library:
        yield library


def _import_note(lib: Library, text: str = NOTE, name: str = "note.txt") -> int:
    r = lib.import_bytes(text.encode("utf-8"), name)
    assert r.error is None, r.error
    assert r.doc_id is not None
    return r.doc_id


# -- schema -----------------------------------------------------------------------------------------------------------

def test_new_library_is_a_wal_file_at_the_current_schema(tmp_path):
    path = tmp_path / "sub" / "lib.sqlite3"
    with Library(path) as lib:
        assert lib.schema_version() == SCHEMA_VERSION
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert lib.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
        tables = {r[0] for r in lib.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table')")}
        assert {"documents", "sentences", "corrections", "model_versions", "custom_codes", "sentences_fts",
                "meta"} <= tables
    assert path.is_file() and path.stat().st_size > 0


def test_library_path_from_env_and_default(tmp_path, monkeypatch):
    from kcapture.library import default_library_path

    monkeypatch.setenv("KCAPTURE_LIBRARY", str(tmp_path / "x.sqlite3"))
    assert default_library_path() == tmp_path / "x.sqlite3"
    monkeypatch.delenv("KCAPTURE_LIBRARY")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_library_path() == Path.home() / ".local" / "share" / "kcapture" / "library.sqlite3"


# The first release's layout, made by hand (tests/kc_support.py), marked as schema version 1.
V1_DDL = V1_SCHEMA + "PRAGMA user_version = 1;\n"


def test_version_1_library_made_by_hand_migrates(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(V1_DDL)
    s0 = "กลุ่มแม่บ้านรวมตัวกันทำวิสาหกิจชุมชนแปรรูปกล้วยตาก"
    s1 = "อาสาสมัครช่วยดูแลผู้สูงอายุ"
    text = s0 + "\n" + s1
    con.execute("INSERT INTO documents VALUES (1, 'abc', 'old.txt', 'txt', ?, '{}', '2020-01-01')", (text,))
    con.execute("INSERT INTO sentences (doc_id, idx, start, \"end\", text, themes, facet) VALUES "
                "(1, 0, 0, ?, ?, '[\"social_enterprise\"]', 'activity')", (len(s0), s0))
    con.execute("INSERT INTO sentences (doc_id, idx, start, \"end\", text, themes, facet) VALUES "
                "(1, 1, ?, ?, ?, '[]', 'context')", (len(s0) + 1, len(text), s1))
    con.execute("INSERT INTO corrections VALUES (1, 'abc', 1, ?, '[\"volunteerism\"]', 'activity', 'somchai', "
                "'2020-01-02')", (s1,))
    con.commit()
    con.close()

    with Library(path) as lib:
        assert lib.schema_version() == SCHEMA_VERSION
        sents = lib.sentences(1)
        assert sents[0]["themes"] == ["social_enterprise"] and not sents[0]["corrected"]
        assert sents[1]["themes"] == ["volunteerism"] and sents[1]["corrected"] and sents[1]["facet"] == "activity"
        # Old sentences were tokenized during the migration, so the word index finds a word inside unspaced text.
        hits = lib.search("แปรรูป")
        assert [(h.doc_id, h.idx, h.how) for h in hits] == [(1, 0, "words")]
        assert lib.corrections()[0]["who"] == "somchai"
    with Library(path) as lib:  # opening again is a no-op
        assert lib.schema_version() == SCHEMA_VERSION


def test_library_from_a_newer_kcapture_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(InvalidInputError) as err:
        Library(path)
    assert "newer" in err.value.message_en


def test_not_a_database_is_a_readable_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InvalidInputError) as err:
        Library(path)
    assert err.value.message_th and err.value.message_en


# -- import, duplicates, search ---------------------------------------------------------------------------------------

def test_import_stores_sentences_tokens_and_offsets(lib):
    doc_id = _import_note(lib)
    info = lib.documents()[0]
    assert (info.id, info.name, info.format) == (doc_id, "note.txt", "txt")
    sents = lib.sentences(doc_id)
    assert len(sents) >= 5
    doc = lib.load_document(doc_id)
    doc.check_offsets()
    assert all(s.tokens for s in doc.sentences)
    assert all(s["tokens"] and " " in s["tokens"] for s in sents if len(s["text"]) > 20)
    row = lib.document_row(doc_id)
    assert row["metadata"]["visit"]["title"]
    assert isinstance(row["metadata"]["keywords"], list)


def test_duplicates_detected_by_bytes_and_by_text(lib):
    doc_id = _import_note(lib)
    again = lib.import_bytes(NOTE.encode("utf-8"), "renamed.txt")
    assert again.duplicate_of == doc_id and again.doc_id is None
    utf16 = lib.import_bytes(NOTE.encode("utf-16"), "same-text-utf16.txt")  # other bytes, same text
    assert utf16.duplicate_of == doc_id
    assert lib.count_documents() == 1


def test_errors_are_returned_per_file_with_thai_and_english(lib):
    r = lib.import_bytes(b"", "empty.txt")
    assert r.error is not None and r.error.message_th and r.error.message_en
    r = lib.import_bytes(b"\xd0\xcf\x11\xe0 old word", "old.doc")
    assert r.error is not None and ".docx" in r.error.message_en
    assert lib.count_documents() == 0


def test_thai_full_text_search_finds_words_inside_unspaced_text(lib):
    doc_id = _import_note(lib)
    for word in ("กล้วยตาก", "นักท่องเที่ยว", "ผู้สูงอายุ", "เงินทุน"):
        hits = lib.search(word)
        assert hits and hits[0].how == "words", word
        assert all(word in h.text for h in hits)
        assert hits[0].doc_id == doc_id
    # Two words anywhere in one sentence (AND), each segmented the same way as the index.
    hits = lib.search("อาสาสมัคร ผู้สูงอายุ")
    assert len(hits) == 1 and "ติดเตียง" in hits[0].text
    # A syllable that is not a word at the start of a token is not a word hit; the substring fallback still finds it.
    assert lib.search("ทราย")[0].how in ("words", "substring")
    assert lib.search("ไม่มีคำนี้ในบันทึก") == []


def test_words_with_vowel_and_tone_marks_are_whole_index_terms(lib):
    """Thai marks are letters to the index (schema v3): a word is never cut at a mark into a one-letter prefix."""
    _import_note(lib, "ชาวประมงชายฝั่งรวมกลุ่มกันดูแลป่าชายเลน\n\nทีมงานลุ้นผลการประชุมอนุกรรมการทุกเดือน\n", "coast.txt")
    _import_note(lib, "ชาวบ้านชอบฟังเพลงลูกทุ่งตอนเย็น\n\nงานบุญประจำปีมีคนมาร่วมมาก\n", "other.txt")
    for word in ("ชายฝั่ง", "ลุ้น", "อนุกรรมการ"):
        hits = lib.search(word)
        assert hits and all(word in h.text for h in hits), word
        assert hits[0].how == "words", word


def test_search_query_syntax_is_inert(lib):
    _import_note(lib)
    for q in ['"', "AND", "OR (", "*", "กล้วย\"ตาก", "NEAR(a b)", "'; DROP TABLE documents; --", "   "]:
        lib.search(q)  # never raises
    assert lib.count_documents() == 1
    assert fts_query('a"b') == '"a b"*'  # punctuation never reaches FTS5 syntax


# -- corrections ------------------------------------------------------------------------------------------------------

def test_correction_saved_at_once_and_wins_over_retagging(tmp_path):
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        doc_id = _import_note(lib)
        lib.correct(doc_id, 1, ["innovation", "communication"], "insight", who="tester")
    with Library(path) as lib:  # a restart
        s = lib.sentences(doc_id)[1]
        assert s["themes"] == ["communication", "innovation"] and s["facet"] == "insight" and s["corrected"]
        lib.retag()
        s = lib.sentences(doc_id)[1]
        assert s["themes"] == ["communication", "innovation"] and s["facet"] == "insight"
        c = lib.corrections()
        assert len(c) == 1 and c[0]["who"] == "tester" and c[0]["created"]
        assert lib.theme_counts(doc_id).get("innovation", 0) >= 1
        assert any(r["idx"] == 1 and r["score"] == 1.0 for r in lib.evidence("innovation"))


def test_corrections_survive_delete_and_reimport(lib):
    doc_id = _import_note(lib)
    lib.correct(doc_id, 2, ["target_groups"], "challenge")
    lib.correct(doc_id, 2, ["target_groups", "volunteerism"], "outcome")  # the latest wins
    lib.delete_document(doc_id)
    assert lib.count_documents() == 0
    assert len(lib.corrections(latest_only=False)) == 2  # history kept
    new_id = _import_note(lib)
    s = lib.sentences(new_id)[2]
    assert s["themes"] == ["target_groups", "volunteerism"] and s["facet"] == "outcome" and s["corrected"]
    rows = lib.training_rows()
    assert rows == [{"text": s["text"], "themes": ["target_groups", "volunteerism"], "facet": "outcome",
                     "source": "correction"}]


def test_export_json_has_documents_sentences_and_corrections(lib):
    doc_id = _import_note(lib)
    lib.correct(doc_id, 0, [], "context")
    data = lib.export_json()
    json.dumps(data, ensure_ascii=False)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["documents"][0]["sentences"][0]["corrected"] is True
    assert data["corrections"][0]["facet"] == "context"


def test_cli_library_subcommands(tmp_path):
    env = {**os.environ, "KCAPTURE_MODEL": str(small_model())}
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    lib = str(tmp_path / "cli.sqlite3")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "kcapture", "library", "--library", lib, *args],
                              capture_output=True, text=True, env=env, timeout=120)

    r = run("import", str(note), str(note))
    assert r.returncode == 0, r.stderr
    assert "imported as 1" in r.stderr and "duplicate of 1" in r.stderr
    assert "note.txt" in run("list").stdout
    hits = [json.loads(line) for line in run("search", "กล้วยตาก").stdout.splitlines()]
    assert hits and hits[0]["match"] == "words"
    out = tmp_path / "lib.json"
    assert run("export", "--format", "json", "--output", str(out)).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["name"] == "note.txt"
    bad = run("import", str(tmp_path / "missing.txt"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- codebook and models ----------------------------------------------------------------------------------------------

def test_custom_codebook_overlays_and_adds_without_touching_the_shipped_one(lib):
    shipped = (CORPORA / "codebook.toml").read_bytes()
    lib.save_custom_code(CustomCode("strategy", label_th="กลยุทธ์", label_en="Strategy (renamed)"))
    lib.save_custom_code(CustomCode("food_security", label_th="ความมั่นคงทางอาหาร", label_en="Food security",
                                    definition_th="การเข้าถึงอาหาร", examples=["ชุมชนปลูกผักกินเอง", " ", "ธนาคารข้าว"]))
    cb = lib.codebook()
    assert cb.theme("strategy").label_en == "Strategy (renamed)"
    assert cb.theme("strategy").definition_th == load_codebook().theme("strategy").definition_th
    assert "food_security" in cb.theme_ids and cb.theme("food_security").label_th == "ความมั่นคงทางอาหาร"
    assert load_codebook().theme("strategy").label_en != "Strategy (renamed)"
    assert (CORPORA / "codebook.toml").read_bytes() == shipped
    examples = [r for r in lib.training_rows() if r["source"] == "example"]
    assert [r["text"] for r in examples] == ["ชุมชนปลูกผักกินเอง", "ธนาคารข้าว"]
    with pytest.raises(InvalidInputError):
        lib.save_custom_code(CustomCode("Bad Id!", label_th="x"))
    lib.delete_custom_code("strategy")
    assert lib.codebook().theme("strategy").label_en == load_codebook().theme("strategy").label_en


@pytest.mark.slow
def test_retrain_keeps_versions_reports_figures_and_rolls_back(lib, monkeypatch):
    from kcapture.retrain import retrain

    monkeypatch.setenv("KCAPTURE_CORPORA", str(small_corpora()))
    doc_id = _import_note(lib)
    lib.correct(doc_id, 1, ["food_security"], "activity")
    lib.save_custom_code(CustomCode("food_security", label_th="ความมั่นคงทางอาหาร", label_en="Food security",
                                    examples=["ชุมชนปลูกผักกินเองทุกครัวเรือน", "ธนาคารข้าวช่วยให้ครอบครัวมีข้าวกินตลอดปี"]))
    first = retrain(lib)
    assert first.n_corrections == 1 and first.n_examples == 2
    for figures in (first.before, first.after):
        assert {"themes_micro_f1", "themes_macro_f1", "facet_accuracy", "facet_macro_f1",
                "corrections_agree"} <= set(figures)
    assert lib.active_version() is None  # a candidate is never switched on without the user's say-so
    lib.activate_model(first.version)  # the user confirms
    _, model = lib.model()
    assert "food_security" in model.head("themes").labels
    assert lib.active_version().id == first.version
    second = retrain(lib, activate=True)
    versions = lib.model_versions()
    assert [v.id for v in versions] == [first.version, second.version] and versions[1].active
    assert all(Path(v.path, "model.json").exists() for v in versions)
    lib.activate_model(first.version)  # roll back
    assert lib.active_version().id == first.version
    lib.activate_model(None)  # back to the base model
    assert lib.active_version() is None and lib.model_path()[1] == small_model()
    with pytest.raises(InvalidInputError):
        lib.activate_model(999)


def test_a_model_version_that_no_longer_loads_falls_back_to_the_base(lib, tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.json").write_text("{}", encoding="utf-8")
    lib.add_model_version(broken, note="broken")
    version, model = lib.model()
    assert version is None and model is not None and lib.model_warning


# -- first start, names -----------------------------------------------------------------------------------------------

def test_sample_visit_seeded_once(lib):
    text = SAMPLE_VISIT.read_text(encoding="utf-8")
    assert 40 <= sum(1 for line in text.splitlines() if line.strip()) and len(text) > 3000
    first = lib.seed_sample()
    assert first is not None and first.doc_id == 1
    assert len(lib.sentences(1)) >= 40
    lib.delete_document(1)
    assert lib.seed_sample() is None and lib.count_documents() == 0  # not again after the user deleted it


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\a\\บันทึก.docx") == "บันทึก.docx"
    assert safe_filename("<b>x|y.txt") == "_b_x_y.txt"
    assert safe_filename("<script>x</script>.txt") == "script_.txt"  # "/" is a folder separator
    assert safe_filename("a\u202eb\x00c.txt") == "ab_c.txt"
    assert safe_filename("") == "document.txt"
    assert len(safe_filename("ก" * 500 + ".txt")) <= 120 and safe_filename("ก" * 500 + ".txt").endswith(".txt")


# -- concurrency and durability ---------------------------------------------------------------------------------------

def _writer(path: str, doc_id: int, who: str, n: int, queue) -> None:
    try:
        with Library(path) as lib:
            for i in range(n):
                lib.correct(doc_id, i % 3, ["volunteerism"] if i % 2 else ["innovation"], "activity", who=who)
                lib.set_meta(f"{who}-{i}", "x")
        queue.put(("ok", who))
    except Exception as err:  # noqa: BLE001
        queue.put(("error", repr(err)))


def test_two_sessions_write_concurrently_without_locking_errors(tmp_path):
    path = tmp_path / "shared.sqlite3"
    with Library(path) as lib:
        doc_id = _import_note(lib)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(path), doc_id, who, 40, queue)) for who in ("ann", "ben")]
    for p in procs:
        p.start()
    with Library(path) as reader:  # a third session reading all along
        deadline = time.time() + 60
        while any(p.is_alive() for p in procs) and time.time() < deadline:
            reader.documents()
            reader.search("ผู้สูงอายุ")
            time.sleep(0.01)
    for p in procs:
        p.join(60)
    results = [queue.get(timeout=5) for _ in procs]
    assert all(r[0] == "ok" for r in results), results
    with Library(path) as lib:
        assert len(lib.corrections(latest_only=False)) == 80
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _raw_documents(n: int) -> list[str]:
    docs = []
    for f in sorted((CORPORA / "raw").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                docs.append("".join(s["text"] + s.get("break", "") for s in d["sentences"]))
    return docs[:n]


@pytest.mark.slow
def test_sigkill_during_batch_import_loses_nothing_and_resumes(tmp_path):
    path = tmp_path / "lib.sqlite3"
    files = []
    for i, text in enumerate(_raw_documents(14)):
        f = tmp_path / f"visit-{i:02d}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(str(f))
    with Library(path) as lib:
        first = lib.import_path(files[0])
        lib.correct(first.doc_id, 0, ["strategy"], "insight", who="keeper")
    env = {**os.environ, "KCAPTURE_MODEL": str(small_model())}
    proc = subprocess.Popen([sys.executable, "-m", "kcapture", "library", "--library", str(path), "import", *files],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    with Library(path) as watch:
        while watch.count_documents() < 4 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with Library(path) as lib:
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = lib.count_documents()
        assert 4 <= n <= len(files)
        for d in lib.documents():  # every stored document is complete
            assert d.sentences > 0
            lib.load_document(d.id).check_offsets()
        s = lib.sentences(first.doc_id)[0]
        assert s["corrected"] and s["themes"] == ["strategy"]
        results = [lib.import_path(f) for f in files]  # resume: the stored ones are duplicates, the rest import
        assert sum(r.duplicate_of is not None for r in results) == n
        assert lib.count_documents() == len(files)
