"""Themes and facets, loaded from a codebook file (TOML). Nothing else in kcapture hard-codes labels."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kcapture.errors import InvalidInputError
from kcapture.resources import codebook_path

DEFAULT_CODEBOOK = codebook_path()


@dataclass(frozen=True)
class Code:
    id: str
    label_th: str
    label_en: str
    definition_th: str = ""
    definition_en: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.label_th} ({self.label_en})"


@dataclass(frozen=True)
class Codebook:
    id: str
    version: str
    label_th: str
    label_en: str
    themes: tuple[Code, ...]
    facets: tuple[Code, ...]
    guidance_th: str = ""
    guidance_en: str = ""
    _index: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def theme_ids(self) -> list[str]:
        return [c.id for c in self.themes]

    @property
    def facet_ids(self) -> list[str]:
        return [c.id for c in self.facets]

    def theme(self, code_id: str) -> Code:
        return self._lookup(self.themes, code_id)

    def facet(self, code_id: str) -> Code:
        return self._lookup(self.facets, code_id)

    def _lookup(self, codes: tuple[Code, ...], code_id: str) -> Code:
        for c in codes:
            if c.id == code_id:
                return c
        # A model trained on a user's own labels may know codes this codebook lacks: show the id as its label.
        return Code(id=code_id, label_th=code_id, label_en=code_id)


def _code(raw: dict) -> Code:
    return Code(
        id=raw["id"],
        label_th=raw.get("label_th", raw["id"]),
        label_en=raw.get("label_en", raw["id"]),
        definition_th=raw.get("definition_th", ""),
        definition_en=raw.get("definition_en", ""),
        include=tuple(raw.get("include", ())),
        exclude=tuple(raw.get("exclude", ())),
        keywords=tuple(raw.get("keywords", ())),
        examples=tuple(raw.get("examples", ())),
    )


def parse_codebook(data: dict) -> Codebook:
    try:
        meta = data.get("codebook", {})
        rules = data.get("rules", {})
        themes = tuple(_code(t) for t in data["themes"])
        facets = tuple(_code(f) for f in data["facets"])
    except (KeyError, TypeError) as err:
        raise InvalidInputError(
            "ไฟล์รหัส (codebook) ไม่ครบ: ต้องมี [[themes]] และ [[facets]] ที่มี id",
            "the codebook is incomplete: it needs [[themes]] and [[facets]] with ids",
        ) from err
    ids = [c.id for c in themes] + [c.id for c in facets]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("รหัสในไฟล์ codebook ซ้ำกัน", "the codebook repeats an id")
    return Codebook(
        id=meta.get("id", "custom"), version=str(meta.get("version", "1")),
        label_th=meta.get("label_th", ""), label_en=meta.get("label_en", ""),
        themes=themes, facets=facets,
        guidance_th=rules.get("guidance_th", ""), guidance_en=rules.get("guidance_en", ""),
    )


def load_codebook(path: str | Path | None = None) -> Codebook:
    p = Path(path) if path else DEFAULT_CODEBOOK
    return _load_cached(str(p.resolve()))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Codebook:
    try:
        with open(path, "rb") as fh:
            return parse_codebook(tomllib.load(fh))
    except FileNotFoundError as err:
        raise InvalidInputError(f"ไม่พบไฟล์ codebook {path}", f"codebook not found: {path}") from err
    except tomllib.TOMLDecodeError as err:
        raise InvalidInputError(f"อ่านไฟล์ codebook ไม่ได้: {err}", f"cannot parse the codebook: {err}") from err
