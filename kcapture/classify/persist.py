"""Saving and loading a ThemeClassifier as JSON + a NumPy archive (no pickle: a swapped file cannot run code)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import orjson

from kcapture.classify.features import SentenceFeatures
from kcapture.classify.model import CoefficientTable, Head, ThemeClassifier
from kcapture.classify.tagger import TaggerEngine
from kcapture.errors import ModelError

FORMAT = "kcapture-model"
FORMAT_VERSION = 1
ENGINE_NAME = "kcapture-linear"


def save_model(model: ThemeClassifier, folder: str | Path, info: dict | None = None) -> Path:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    feat_meta, arrays = model.features.state()
    heads = []
    for h in model.heads:
        heads.append({"name": h.name, "kind": h.kind, "labels": h.labels, "thresholds": h.thresholds, "bias": h.bias,
                      "context": h.context})
        arrays[f"{h.name}__coef"] = h.coef.astype(np.float32)
        arrays[f"{h.name}__intercept"] = h.intercept.astype(np.float32)
    meta = {"format": FORMAT, "engine": ENGINE_NAME, "version": FORMAT_VERSION, "heads": heads, "features": feat_meta,
            "head_settings": model.head_settings.__dict__, "info": info or {}}
    (out / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    # Uncompressed: the weights barely compress (26 -> 24 MB) and decompressing them took most of the model's load time.
    np.savez(out / "arrays.npz", **arrays)
    return out


# Head settings that add feature blocks, with the value that means "not used": what older model.json files imply.
_ADDED_LATER_OFF = {"section_weight": 0.0, "theme_document_weight": 0.0, "facet_document_weight": 0.0}


def load_model(folder: str | Path) -> ThemeClassifier:
    p = Path(folder)
    try:
        meta = orjson.loads((p / "model.json").read_bytes())  # 2 MB of vocabulary: faster than the json module
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelError("โฟลเดอร์นี้ไม่ใช่โมเดลของ kcapture", f"{p} is not a kcapture model")
        if meta.get("version", 0) > FORMAT_VERSION:
            raise ModelError("โมเดลนี้สร้างด้วย kcapture รุ่นใหม่กว่า", "this model was made by a newer kcapture")
        with np.load(p / "arrays.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        from kcapture.classify.model import HeadSettings

        # Settings added after a model was saved are absent from its model.json: it was trained without them.
        settings = {**_ADDED_LATER_OFF, **meta.get("head_settings", {})}
        model = ThemeClassifier(head=HeadSettings(**settings))
        model.features = SentenceFeatures.from_state(meta["features"], arrays)
        # The heads' coefficients are laid out side by side as float64 (CoefficientTable), each head's coef a view:
        # prediction's sparse products read that layout, and would otherwise copy the coefficients (50 MB) on every
        # call.
        table = CoefficientTable.of([arrays[f"{h['name']}__coef"] for h in meta["heads"]])
        model.heads = [
            Head(h["name"], h["kind"], list(h["labels"]), coef, arrays[f"{h['name']}__intercept"].astype(np.float64),
                 list(h["thresholds"]), list(h["bias"]), bool(h.get("context", False)))
            for h, coef in zip(meta["heads"], table.views, strict=True)
        ]
        model.coefficients = table
        model.info = meta.get("info", {})
        return model
    except ModelError:
        raise
    except FileNotFoundError as err:
        raise ModelError(f"ไม่พบโมเดลที่ {p}", f"no model found at {p} (model.json + arrays.npz)") from err
    except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ModelError(f"ไฟล์โมเดลที่ {p} เสียหาย", f"the model at {p} is damaged: {type(err).__name__}") from err


ENGINE = TaggerEngine(ENGINE_NAME, load=load_model, save=save_model)
