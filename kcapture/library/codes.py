"""Custom codes: themes a team adds, and its renamings and descriptions of the default ones, overlaid on the shipped
codebook (which is never edited)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field, replace

from kcapture.errors import InvalidInputError
from kcapture.library.rows import now_iso

_CODE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass
class CustomCode:
    id: str
    label_th: str = ""
    label_en: str = ""
    definition_th: str = ""
    definition_en: str = ""
    examples: list[str] = field(default_factory=list)
    kind: str = "theme"



class CustomCodesMixin:
    conn: sqlite3.Connection

    def custom_codes(self) -> list[CustomCode]:
        rows = self.conn.execute("SELECT * FROM custom_codes ORDER BY created, id").fetchall()
        return [CustomCode(r["id"], r["label_th"], r["label_en"], r["definition_th"], r["definition_en"],
                           json.loads(r["examples"]), r["kind"]) for r in rows]

    def save_custom_code(self, code: CustomCode) -> None:
        """Add a theme, or rename/describe one (a default theme is overlaid here; the shipped codebook is untouched)."""
        if not _CODE_ID.match(code.id):
            raise InvalidInputError("รหัสประเด็นต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข หรือ _ (2-40 ตัว) ขึ้นต้นด้วยตัวอักษร",
                                    "a theme id is 2-40 lowercase letters, digits or _, starting with a letter")
        if code.kind not in ("theme", "facet"):
            raise InvalidInputError("ชนิดรหัสไม่ถูกต้อง", "kind must be theme or facet")
        examples = [e.strip() for e in code.examples if e and e.strip()]
        ts = now_iso()
        with self.write() as conn:
            conn.execute(
                "INSERT INTO custom_codes (id, kind, label_th, label_en, definition_th, definition_en, examples, "
                "created, updated) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
                "label_th = excluded.label_th, label_en = excluded.label_en, definition_th = excluded.definition_th, "
                "definition_en = excluded.definition_en, examples = excluded.examples, updated = excluded.updated",
                (code.id, code.kind, code.label_th.strip(), code.label_en.strip(), code.definition_th.strip(),
                 code.definition_en.strip(), json.dumps(examples, ensure_ascii=False), ts, ts),
            )
            self._bump(conn)

    def delete_custom_code(self, code_id: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM custom_codes WHERE id = ?", (code_id,))
            self._bump(conn)

    def codebook(self):
        """The shipped codebook with this library's overlays (renamed/described themes) and added themes."""
        from kcapture.codebook import Code, load_codebook

        base = load_codebook()
        custom = {c.id: c for c in self.custom_codes()}
        if not custom:
            return base

        def overlay(code: Code, kind: str) -> Code:
            c = custom.get(code.id)
            if c is None or c.kind != kind:
                return code
            return replace(code, label_th=c.label_th or code.label_th, label_en=c.label_en or code.label_en,
                           definition_th=c.definition_th or code.definition_th,
                           definition_en=c.definition_en or code.definition_en,
                           examples=tuple(code.examples) + tuple(c.examples))

        themes = [overlay(c, "theme") for c in base.themes]
        facets = [overlay(c, "facet") for c in base.facets]
        known = {c.id for c in themes} | {c.id for c in facets}
        for c in custom.values():
            if c.id in known:
                continue
            new = Code(id=c.id, label_th=c.label_th or c.id, label_en=c.label_en or c.id,
                       definition_th=c.definition_th, definition_en=c.definition_en, examples=tuple(c.examples))
            (themes if c.kind == "theme" else facets).append(new)
        return replace(base, themes=tuple(themes), facets=tuple(facets), _index={})
