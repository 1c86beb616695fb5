"""Every pluggable part of kcapture, in one place: readers, analysis steps, tagger engines and exporters.

An entry is a name and where its object lives ("module:attribute"), imported the first time it is asked for, so
listing the registries costs nothing and an optional part's missing dependency only matters when it is used. To add
an exporter or a tagger engine: write one module, then add one line to the registry below (or call
``EXPORTERS.register("name", obj)`` from your own code).

- READERS: kcapture.ingest.base.Reader objects (formats, how to recognise them from content, `read`).
- STEPS: functions ``step(analysis, pipeline) -> None``, each adding its part to the Analysis (kcapture.steps).
- TAGGERS: engines named by the `engine` field of a model's model.json; each entry is a
  kcapture.classify.tagger.TaggerEngine (``load(folder) -> Tagger``, ``save(tagger, folder, info)``); a Tagger is
  anything with ``predict(texts, tokens, groups) -> list[dict]``.
- EXPORTERS: kcapture.export.base.Exporter objects (id, file extension, MIME type, ``write``).
"""

from __future__ import annotations

import importlib
from typing import Any


class Registry:
    """Names -> objects, given as "module:attribute" strings (imported lazily) or as the objects themselves."""

    def __init__(self, kind: str, entries: dict[str, str | Any]):
        self.kind = kind
        self._entries: dict[str, str | Any] = dict(entries)

    def register(self, name: str, entry: str | Any) -> None:
        self._entries[name] = entry

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def get(self, name: str) -> Any:
        try:
            entry = self._entries[name]
        except KeyError:
            known = ", ".join(self._entries)
            raise KeyError(f"no {self.kind} named {name!r}; known: {known}") from None
        if isinstance(entry, str):
            module, _, attr = entry.partition(":")
            entry = getattr(importlib.import_module(module), attr)
            self._entries[name] = entry
        return entry

    def items(self) -> list[tuple[str, Any]]:
        return [(name, self.get(name)) for name in self._entries]


# Readers, in the order their content is recognised (kcapture.ingest.base.Reader; kcapture.ingest picks one).
READERS = Registry("reader", {
    "pdf": "kcapture.ingest.pdf:READER",
    "image": "kcapture.ingest.ocr:READER",
    "docx": "kcapture.ingest.docx:READER",
    "line": "kcapture.ingest.line_chat:READER",
    "vtt": "kcapture.ingest.subtitles:VTT_READER",
    "srt": "kcapture.ingest.subtitles:SRT_READER",
    "md": "kcapture.ingest.plaintext:MARKDOWN_READER",
    "txt": "kcapture.ingest.plaintext:TEXT_READER",
})

# The analysis steps after reading, in the order Pipeline runs them (each reuses the Document's tokens).
STEPS = Registry("step", {
    "tag": "kcapture.steps:tag",
    "entities": "kcapture.steps:entities",
    "personal_data": "kcapture.steps:personal_data",
    "terms": "kcapture.steps:terms",
    "themes": "kcapture.steps:themes",
    "lessons": "kcapture.steps:lessons",
    "visit": "kcapture.steps:visit",
    "keywords": "kcapture.steps:keywords",
    "redact": "kcapture.steps:redact",
})

TAGGERS = Registry("tagger engine", {
    "kcapture-linear": "kcapture.classify.persist:ENGINE",
})

EXPORTERS = Registry("exporter", {
    "json": "kcapture.export.json_export:EXPORTER",
    "md": "kcapture.export.markdown:EXPORTER",
    "docx": "kcapture.export.docx:EXPORTER",
    "xlsx": "kcapture.export.xlsx:EXPORTER",
    "qdpx": "kcapture.export.qdpx:EXPORTER",
})
