"""The library's model registry: the base model, retrained versions (kept, never deleted), which one is active, and
re-tagging stored sentences with a model."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kcapture.errors import InvalidInputError, ModelError
from kcapture.library.rows import now_iso, scores_json
from kcapture.resources import corpus_dir


@dataclass
class ModelVersion:
    id: int
    path: str
    created: str
    note: str
    base: str | None
    n_corrections: int
    n_examples: int
    metrics_before: dict
    metrics_after: dict
    active: bool




class ModelRegistryMixin:
    conn: sqlite3.Connection

    def model_versions(self) -> list[ModelVersion]:
        rows = self.conn.execute("SELECT * FROM model_versions ORDER BY id").fetchall()
        return [ModelVersion(r["id"], r["path"], r["created"], r["note"], r["base"], r["n_corrections"],
                             r["n_examples"], json.loads(r["metrics_before"]), json.loads(r["metrics_after"]),
                             bool(r["active"])) for r in rows]

    def add_model_version(self, path: str | Path, note: str = "", base: str | None = None, n_corrections: int = 0,
                          n_examples: int = 0, metrics_before: dict | None = None, metrics_after: dict | None = None,
                          activate: bool = True) -> int:
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO model_versions (path, created, note, base, n_corrections, n_examples, metrics_before, "
                "metrics_after, active) VALUES (?,?,?,?,?,?,?,?,0)",
                (str(Path(path).resolve()), now_iso(), note, base, n_corrections, n_examples,
                 json.dumps(metrics_before or {}, ensure_ascii=False),
                 json.dumps(metrics_after or {}, ensure_ascii=False)),
            )
            version = int(cur.lastrowid)
            if activate:
                conn.execute("UPDATE model_versions SET active = (id = ?)", (version,))
            self._bump(conn)
        return version

    def activate_model(self, version: int | None) -> None:
        """Make a version the active model (None: back to the base model). Older versions are never deleted."""
        with self.write() as conn:
            if version is not None and conn.execute("SELECT 1 FROM model_versions WHERE id = ?",
                                                    (version,)).fetchone() is None:
                raise InvalidInputError(f"ไม่พบโมเดลรุ่น {version}", f"no model version {version}")
            conn.execute("UPDATE model_versions SET active = (id = ?)", (version if version is not None else -1,))
            self._bump(conn)

    def active_version(self) -> ModelVersion | None:
        return next((v for v in self.model_versions() if v.active), None)

    def base_model_path(self) -> Path:
        """The model used before any retraining: env KCAPTURE_MODEL, else the shipped models/kcapture-default, else
        one trained once from the bundled corpus into this library's model folder (a development checkout)."""
        from kcapture.classify import DEFAULT_MODEL

        env = os.environ.get("KCAPTURE_MODEL")
        if env:
            return Path(env).expanduser()
        if (DEFAULT_MODEL / "model.json").exists():
            return DEFAULT_MODEL
        fallback = self.models_dir / "base"
        if not (fallback / "model.json").exists():
            train_base_model(fallback)
        return fallback

    def model_path(self) -> tuple[int | None, Path]:
        active = self.active_version()
        if active is not None:
            return active.id, Path(active.path)
        return None, self.base_model_path()

    def model(self, model=None):
        """(version id or None, Tagger): the given model, else the active version, else the base model."""
        from kcapture.classify import Tagger, get_model

        if isinstance(model, Tagger):
            return None, model
        if model is not None:
            return None, get_model(model)
        version, path = self.model_path()
        try:
            return version, get_model(path)
        except ModelError as err:
            if version is None:
                raise
            # A saved version that no longer loads (e.g. made by an older kcapture): say so, use the base model.
            self.model_warning = f"{err.message_th} / {err.message_en}"  # shown by the app
            return None, get_model(self.base_model_path())

    def retag(self, model=None, doc_ids: list[int] | None = None,
              progress: Callable[[int, int], None] | None = None) -> int:
        """Re-tag stored sentences with a model (corrections are untouched and still win). Returns sentences tagged."""
        version, clf = self.model(model)
        ids = doc_ids if doc_ids is not None else [d.id for d in self.documents()]
        done = 0
        for i, doc_id in enumerate(ids):
            rows = self.conn.execute("SELECT id, text, tokens FROM sentences WHERE doc_id = ? ORDER BY idx",
                                     (doc_id,)).fetchall()
            if rows:
                preds = clf.predict([r["text"] for r in rows], tokens=[r["tokens"].split() for r in rows])
                with self.write() as conn:
                    conn.executemany(
                        "UPDATE sentences SET themes = ?, facet = ?, theme_scores = ?, facet_scores = ? WHERE id = ?",
                        [(json.dumps(p.get("themes", [])), p.get("facet"), scores_json(p.get("themes_scores", {})),
                          scores_json(p.get("facet_scores", {})), r["id"]) for r, p in zip(rows, preds, strict=True)],
                    )
                    conn.execute("UPDATE documents SET model_version = ? WHERE id = ?", (version, doc_id))
                    self._bump(conn)
                done += len(rows)
            if progress:
                progress(i + 1, len(ids))
        return done



def train_base_model(folder: Path) -> Path:
    """Train the default model from the bundled corpus (used only when no shipped model exists)."""
    from kcapture.classify import save_model
    from kcapture.classify.data import read_jsonl
    from kcapture.classify.training import train_from_rows

    train = corpus_dir() / "train.jsonl"
    if not train.exists():
        raise ModelError("ไม่พบโมเดลและไม่พบชุดข้อมูลสำหรับฝึก", "no model shipped and no corpus to train one")
    valid = corpus_dir() / "valid.jsonl"
    model = train_from_rows(read_jsonl(train), valid_rows=read_jsonl(valid) if valid.exists() else None)
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    save_model(model, tmp, {"data": "train.jsonl", "note": "trained from the bundled corpus (no shipped model)"})
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():  # another process won the race
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.rename(folder)
    return folder
