"""Tables derived from installed data files, kept between runs so that a command does not derive them again.

Every command needs a few tables that take a tenth of a second or more to derive from the files they come from: the
tokenizer's dictionary (PyThaiNLP's word list merged with kcapture's), the organisation names among 290,000 Wikipedia
titles, the sentence-boundary model's weight tables. They are written once to the user's cache folder and read back
afterwards, as Python keeps compiled bytecode. A file is named by what it was made from: the path, size and
modification time of each source file (the module that derives it among them, so that a changed rule derives its
table again) and any other inputs. Nothing here is ever needed: without a usable folder, or with a damaged file, the
table is derived as if never kept.

The folder: $KCAPTURE_CACHE_DIR, else $XDG_CACHE_HOME/kcapture, else ~/.cache/kcapture. It holds only what can be
derived again from installed files; no user data ever goes there.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
CACHE_ENV = "KCAPTURE_CACHE_DIR"


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    """The folder, created if need be; None when it cannot be used (read-only home, a folder another user owns)."""
    base = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kcapture"
    folder = Path(base)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        st = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to expand
        return None
    # A folder someone else owns or may write to could hold planted tables: use none then.
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return None
    return folder if os.access(folder, os.W_OK) else None


def source_key(sources: Iterable[Path | str]) -> str:
    """A short digest of the sources: a path by its size and modification time, a string as itself."""
    parts = []
    for source in sources:
        if isinstance(source, Path):
            st = source.stat()
            parts.append(f"{source}\t{st.st_size}\t{st.st_mtime_ns}")
        else:
            parts.append(source)
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def kept_table(name: str, sources: Iterable[Path | str], derive: Callable[[], T]) -> T:
    """`derive()`, or what it returned last time from the same sources. The value must be marshal-able (str, bytes,
    numbers, and dicts, lists, tuples, sets and frozensets of them)."""
    folder = cache_dir()
    try:
        path = None if folder is None else folder / f"{name}-{source_key(sources)}.marshal"
    except OSError:  # a source that cannot be read: derive() says what is wrong
        path = None
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):  # not kept yet, or damaged: derived again below
            pass
    value = derive()
    if path is not None:
        _write(path, lambda tmp: tmp.write_bytes(marshal.dumps(value)))
    return value


def kept_file(name: str, suffix: str, sources: Iterable[Path | str], write: Callable[[Path], None]) -> Path | None:
    """A file made by `write(path)` from the sources, written once; None when there is no cache folder."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{name}-{source_key(sources)}{suffix}"
    if not path.exists() and not _write(path, write):
        return None
    return path


def _write(path: Path, write: Callable[[Path], None]) -> bool:
    """Write atomically (another process may be reading or writing the same file), then remove the files the same
    table was kept in before, from older sources."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    stem = path.name[: path.name.rindex("-") + 1]
    earlier = re.compile(re.escape(stem) + "[0-9a-f]{16}" + re.escape(path.suffix))
    for old in path.parent.glob(f"{stem}*{path.suffix}"):
        if old != path and earlier.fullmatch(old.name):
            old.unlink(missing_ok=True)
    return True
