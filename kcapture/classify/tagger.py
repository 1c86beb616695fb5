"""What a tagger is, and how a model folder names the engine that reads it.

A tagger gives every sentence themes and a facet with scores. Any object with this `predict` can tag documents:
the engine that made a model is named by the `engine` field of its model.json and found in
kcapture.registry.TAGGERS, whose entry is a TaggerEngine (how to load and save that engine's model files).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson

from kcapture.errors import ModelError

DEFAULT_ENGINE = "kcapture-linear"  # model.json files written before engines existed are this one


@runtime_checkable
class Tagger(Protocol):
    info: dict

    def predict(self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None,
                groups: Sequence[Any] | None = None) -> list[dict]:
        """One dict per text: {"themes": [...], "facet": str, "themes_scores": {...}, "facet_scores": {...}};
        `groups` (e.g. the document of each row) lets an engine read neighbouring sentences."""
        ...


@dataclass(frozen=True)
class TaggerEngine:
    name: str
    load: Callable[[Path], Tagger]
    save: Callable[..., Path]  # save(tagger, folder, info=None) -> folder


def engine_of(folder: str | Path) -> str:
    """The engine named in a model folder's model.json."""
    p = Path(folder) / "model.json"
    try:
        meta = orjson.loads(p.read_bytes())
    except FileNotFoundError as err:
        raise ModelError(f"ไม่พบโมเดลที่ {folder}", f"no model found at {folder} (model.json)") from err
    except (OSError, ValueError) as err:
        raise ModelError(f"ไฟล์โมเดลที่ {folder} เสียหาย", f"the model at {folder} is damaged") from err
    return meta.get("engine", DEFAULT_ENGINE) if isinstance(meta, dict) else DEFAULT_ENGINE


def load_tagger(folder: str | Path) -> Tagger:
    from kcapture.registry import TAGGERS

    engine = engine_of(folder)
    if engine not in TAGGERS:
        raise ModelError(f"ไม่รู้จักชนิดโมเดล {engine}", f"unknown tagger engine {engine!r} in {folder}/model.json")
    return TAGGERS.get(engine).load(Path(folder))
