"""REFI-QDA export: a .qdpx project (zip of project.qde + sources/*.txt) and a .qdc codebook, for NVivo, ATLAS.ti,
MAXQDA, QualCoder and Taguette. Schemas: ../shared/specs/refi-qda (Project.xsd, Codebook.xsd).

- CodeBook: two parent codes that cannot be coded themselves, "ประเด็น (Themes)" and "มิติบทเรียน (Facets)", with the
  themes and the facets as their codable children (the tools show facets as a group this way; a Set of the facet
  codes names the group as well).
- Sources: one TextSource per document; its plain text is `Document.text` (redacted when --redact) stored as
  sources/<guid>.txt and referenced as internal://<guid>.txt.
- One PlainTextSelection per tagged sentence, with one Coding per theme and one for the facet. startPosition and
  endPosition count Unicode code points of that plain text (Python string offsets), end exclusive.
- The visit card becomes variables of each TextSource (title, dates, venue, participants...).

GUIDs are UUID5 of stable keys (codebook id + code id, document name + text digest + sentence id), so exporting
twice gives the same codes and a .qdc imported next to a .qdpx merges instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import zipfile
from pathlib import Path

from lxml import etree

import kcapture
from kcapture.codebook import Code, Codebook, load_codebook
from kcapture.document import Analysis
from kcapture.export.base import Exporter

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_BASE = uuid.UUID("6f1b9d1e-4c1a-5b8e-9a63-6b63617074c1")  # kcapture's own namespace for UUID5
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
THEME_COLORS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22",
                "#17BECF", "#393B79", "#637939", "#8C6D31", "#843C39", "#7B4173")
FACET_COLOR = "#A0A0A0"


def guid(*parts: object) -> str:
    return str(uuid.uuid5(_BASE, "\x1f".join(map(str, parts))))


def _x(text: str) -> str:
    """Text that XML 1.0 can carry (control characters other than tab and newlines removed)."""
    return _XML_BAD.sub("", text)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Codes:
    """GUIDs and names of the parent codes, the theme codes and the facet codes."""

    def __init__(self, cb: Codebook, extra_themes: list[str], extra_facets: list[str]):
        self.cb = cb
        self.themes_parent = guid(cb.id, "group", "themes")
        self.facets_parent = guid(cb.id, "group", "facets")
        self.facet_set = guid(cb.id, "set", "facets")
        self.themes: list[Code] = list(cb.themes) + [cb.theme(t) for t in extra_themes]
        self.facets: list[Code] = list(cb.facets) + [cb.facet(f) for f in extra_facets]

    def theme(self, code_id: str) -> str:
        return guid(self.cb.id, "theme", code_id)

    def facet(self, code_id: str) -> str:
        return guid(self.cb.id, "facet", code_id)


def _code_el(parent: etree._Element, ns: str, g: str, name: str, codable: bool, color: str, description: str):
    el = etree.SubElement(parent, f"{{{ns}}}Code", guid=g, name=_x(name), isCodable="true" if codable else "false",
                          color=color)
    if description:
        etree.SubElement(el, f"{{{ns}}}Description").text = _x(description)
    return el


def _codes_xml(parent: etree._Element, ns: str, codes: _Codes) -> None:
    """<Codes> with the two groups; shared by the project and the stand-alone codebook."""
    codes_el = etree.SubElement(parent, f"{{{ns}}}Codes")
    themes = _code_el(codes_el, ns, codes.themes_parent, "ประเด็น (Themes)", False, "#333333",
                      "ประเด็นของบทเรียน ประโยคหนึ่งมีได้หลายประเด็น / themes: zero or more per sentence")
    for i, c in enumerate(codes.themes):
        desc = "\n".join(x for x in (c.definition_th, c.definition_en) if x)
        _code_el(themes, ns, codes.theme(c.id), f"{c.label_th} ({c.id})", True, THEME_COLORS[i % len(THEME_COLORS)],
                 desc)
    facets = _code_el(codes_el, ns, codes.facets_parent, "มิติบทเรียน (Facets)", False, "#666666",
                      "มิติของการถอดบทเรียน (After Action Review) ประโยคละหนึ่งมิติ / facets: exactly one per sentence")
    for c in codes.facets:
        desc = "\n".join(x for x in (c.definition_th, c.definition_en) if x)
        _code_el(facets, ns, codes.facet(c.id), f"{c.label_th} ({c.id})", True, FACET_COLOR, desc)


def codebook_xml(codebook: Codebook | None = None) -> bytes:
    """The codebook alone (.qdc), valid against Codebook.xsd."""
    cb = codebook or load_codebook()
    codes = _Codes(cb, [], [])
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS},
                         origin=f"kcapture {kcapture.__version__}")
    _codes_xml(root, CODEBOOK_NS, codes)
    sets = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
    s = etree.SubElement(sets, f"{{{CODEBOOK_NS}}}Set", guid=codes.facet_set, name="มิติบทเรียน (Facets)")
    for c in codes.facets:
        etree.SubElement(s, f"{{{CODEBOOK_NS}}}MemberCode", guid=codes.facet(c.id))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(path: str | Path, codebook: Codebook | None = None) -> None:
    Path(path).write_bytes(codebook_xml(codebook))


_VARIABLES = (("title", "Text"), ("date_start", "Date"), ("date_end", "Date"), ("venue", "Text"),
              ("host_organizations", "Text"), ("participants", "Integer"), ("projects", "Text"), ("course", "Text"))


def _variable_value(a: Analysis, name: str) -> str | None:
    v = getattr(a.visit, name)
    if isinstance(v, list):
        return "; ".join(v) or None
    if name == "course":
        return " ".join(x for x in (a.visit.course, a.visit.cohort, a.visit.session) if x) or None
    return None if v is None else str(v)


def project_xml(analyses: list[Analysis], codebook: Codebook | None = None) -> tuple[bytes, dict[str, str]]:
    """project.qde and the plain texts to store under sources/ ({file name: text})."""
    cb = codebook or load_codebook()
    found_themes = [t for a in analyses for s in a.document.sentences for t in s.themes]
    found_facets = [s.facet for a in analyses for s in a.document.sentences if s.facet]
    extra_t = sorted(set(found_themes) - set(cb.theme_ids))
    extra_f = sorted(set(found_facets) - set(cb.facet_ids))
    codes = _Codes(cb, extra_t, extra_f)
    now = _now()
    user = guid("user", "kcapture")
    P = f"{{{PROJECT_NS}}}"
    if len(analyses) == 1:
        title = analyses[0].visit.title or analyses[0].document.name
    else:
        title = f"{len(analyses)} visits"
    root = etree.Element(f"{P}Project", nsmap={None: PROJECT_NS}, name=_x(f"kcapture: {title}"),
                         origin=f"kcapture {kcapture.__version__}", creatingUserGUID=user, creationDateTime=now)
    users = etree.SubElement(root, f"{P}Users")
    etree.SubElement(users, f"{P}User", guid=user, name="kcapture", id="kcapture")
    codebook_el = etree.SubElement(root, f"{P}CodeBook")
    _codes_xml(codebook_el, PROJECT_NS, codes)
    variables = etree.SubElement(root, f"{P}Variables")
    for name, kind in _VARIABLES:
        etree.SubElement(variables, f"{P}Variable", guid=guid("variable", name), name=name, typeOfVariable=kind)

    sources = etree.SubElement(root, f"{P}Sources")
    files: dict[str, str] = {}
    for n, a in enumerate(analyses):
        doc = a.document
        digest = hashlib.sha1(doc.text.encode("utf-8")).hexdigest()
        src_guid = guid("source", n, doc.name, digest)
        fname = f"{src_guid}.txt"
        files[fname] = doc.text
        src = etree.SubElement(sources, f"{P}TextSource", guid=src_guid, name=_x(doc.name),
                               plainTextPath=f"internal://{fname}", creatingUser=user, creationDateTime=now)
        desc = a.visit.title or doc.name
        etree.SubElement(src, f"{P}Description").text = _x(desc)
        for s in doc.sentences:
            if not s.themes and not s.facet:
                continue
            sel_guid = guid(src_guid, "sentence", s.id)
            sel = etree.SubElement(src, f"{P}PlainTextSelection", guid=sel_guid, name=_x(f"{doc.name} #{s.id}"),
                                   startPosition=str(s.start), endPosition=str(s.end), creatingUser=user,
                                   creationDateTime=now)
            targets = [codes.theme(t) for t in s.themes] + ([codes.facet(s.facet)] if s.facet else [])
            for target in targets:
                coding = etree.SubElement(sel, f"{P}Coding", guid=guid(sel_guid, target), creatingUser=user,
                                          creationDateTime=now)
                etree.SubElement(coding, f"{P}CodeRef", targetGUID=target)
        for name, kind in _VARIABLES:
            value = _variable_value(a, name)
            if value is None:
                continue
            vv = etree.SubElement(src, f"{P}VariableValue")
            etree.SubElement(vv, f"{P}VariableRef", targetGUID=guid("variable", name))
            tag = {"Text": "TextValue", "Date": "DateValue", "Integer": "IntegerValue"}[kind]
            etree.SubElement(vv, f"{P}{tag}").text = _x(value)

    sets = etree.SubElement(root, f"{P}Sets")
    s = etree.SubElement(sets, f"{P}Set", guid=codes.facet_set, name="มิติบทเรียน (Facets)")
    for c in codes.facets:
        etree.SubElement(s, f"{P}MemberCode", targetGUID=codes.facet(c.id))
    etree.SubElement(root, f"{P}Description").text = "ถอดบทเรียนโดย kcapture / lesson extraction by kcapture"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), files


def write_qdpx(analyses: list[Analysis], path: str | Path, codebook: Codebook | None = None) -> None:
    xml, files = project_xml(analyses, codebook)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, text in files.items():
            z.writestr(f"sources/{name}", text.encode("utf-8"))


def write_qdpx_with_codebook(analyses: list[Analysis], path: str | Path, codebook: Codebook | None = None) -> None:
    """The project, and the codebook alone (.qdc) beside it, for tools that import only a codebook."""
    write_qdpx(analyses, path, codebook)
    write_qdc(Path(path).with_suffix(".qdc"), codebook)


EXPORTER = Exporter("qdpx", "REFI-QDA (QDPX)", "qdpx", "application/zip", write_qdpx_with_codebook)
