"""Derived tables kept between runs (kcapture.cache): read back while the sources are unchanged, derived again when a
source changes or the kept file is damaged, and never needed (no usable folder: derived every time)."""

from __future__ import annotations

import os

import pytest

from kcapture import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.cache_dir.cache_clear()
    yield tmp_path / "cache"
    cache.cache_dir.cache_clear()


def counting(value):
    calls = []

    def derive():
        calls.append(1)
        return value

    return derive, calls


def test_a_table_is_derived_once_then_read_back(folder, tmp_path):
    source = tmp_path / "words.txt"
    source.write_text("ก\nข\n", encoding="utf-8")
    derive, calls = counting({"ก": (1, 2), "ข": frozenset({"x"})})
    first = cache.kept_table("demo", (source, "rule v1"), derive)
    again = cache.kept_table("demo", (source, "rule v1"), derive)
    assert first == again == {"ก": (1, 2), "ข": frozenset({"x"})}
    assert len(calls) == 1
    assert len(list(folder.glob("demo-*.marshal"))) == 1


def test_a_changed_source_derives_again_and_replaces_the_old_file(folder, tmp_path):
    source = tmp_path / "words.txt"
    source.write_text("ก\n", encoding="utf-8")
    derive, calls = counting(["old"])
    cache.kept_table("demo", (source,), derive)
    source.write_text("ก\nข\n", encoding="utf-8")  # size and time change
    derive2, calls2 = counting(["new"])
    assert cache.kept_table("demo", (source,), derive2) == ["new"]
    assert len(calls2) == 1
    assert len(list(folder.glob("demo-*.marshal"))) == 1  # the table from the old source is gone
    derive3, calls3 = counting(["other"])
    assert cache.kept_table("demo", (source, "another input"), derive3) == ["other"]  # any input changes the name


def test_a_damaged_file_is_derived_again(folder, tmp_path):
    derive, calls = counting({"a": 1})
    cache.kept_table("demo", ("x",), derive)
    (kept,) = folder.glob("demo-*.marshal")
    kept.write_bytes(b"\x00garbage")
    assert cache.kept_table("demo", ("x",), derive) == {"a": 1}
    assert len(calls) == 2


def test_without_a_usable_folder_tables_are_derived_every_time(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(not_a_folder))
    cache.cache_dir.cache_clear()
    try:
        derive, calls = counting([1])
        assert cache.kept_table("demo", ("x",), derive) == [1]
        assert cache.kept_table("demo", ("x",), derive) == [1]
        assert len(calls) == 2
        assert cache.kept_file("demo", ".txt", ("x",), lambda p: p.write_text("x")) is None
    finally:
        cache.cache_dir.cache_clear()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="folder permissions are POSIX")
def test_a_folder_others_may_write_to_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(cache.CACHE_ENV, str(shared))
    cache.cache_dir.cache_clear()
    try:
        assert cache.cache_dir() is None
    finally:
        cache.cache_dir.cache_clear()


def test_a_kept_file_is_written_once(folder):
    writes = []

    def write(path):
        writes.append(path)
        path.write_text("ก\nข", encoding="utf-8")

    first = cache.kept_file("words", ".txt", ("v1",), write)
    second = cache.kept_file("words", ".txt", ("v1",), write)
    assert first == second and first.read_text(encoding="utf-8") == "ก\nข"
    assert len(writes) == 1


def test_the_tokenizer_dictionary_works_without_a_cache_folder(tmp_path, monkeypatch):
    from kcapture.thai import tokenize

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "file"))
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cache.cache_dir.cache_clear()
    try:
        tok = tokenize.WordTokenizer(["คำทดสอบพิเศษยาว"])
        assert "คำทดสอบพิเศษยาว" in [t.text for t in tok.tokenize("มีคำทดสอบพิเศษยาวอยู่")]
    finally:
        cache.cache_dir.cache_clear()
