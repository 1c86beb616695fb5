"""`kcapture library list|import|export|search`: a thin shell over kcapture.library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kcapture.library import Library


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def library_command(args) -> int:
    with Library(args.library) as lib:
        if args.library_command == "list":
            for d in lib.documents():
                print(f"{d.id}\t{d.name}\t{d.format}\t{d.chars} chars\t{d.sentences} sentences\t"
                      f"{d.corrected} corrected\t{d.created}")
            return 0
        if args.library_command == "import":
            failed = 0
            for path in args.paths:
                r = lib.import_path(path)
                if r.error is not None:
                    failed += 1
                    print(f"{path}\tERROR\t{r.error}", file=sys.stderr)
                elif r.duplicate_of is not None:
                    print(f"{path}\tduplicate of {r.duplicate_of}", file=sys.stderr)
                else:
                    print(f"{path}\timported as {r.doc_id}\t{r.sentences} sentences\t{r.seconds:.1f} s",
                          file=sys.stderr)
                sys.stderr.flush()
            return 2 if failed else 0
        if args.library_command == "export":
            text = json.dumps(lib.export_json(), ensure_ascii=False, indent=1)
            if args.output:
                Path(args.output).write_text(text + "\n", encoding="utf-8")
            else:
                sys.stdout.write(text + "\n")
            return 0
        if args.library_command == "search":
            for h in lib.search(args.query, limit=args.limit):
                print(_dump({"doc_id": h.doc_id, "doc": h.doc_name, "sentence": h.idx, "start": h.start,
                             "end": h.end, "text": h.text, "themes": h.themes, "facet": h.facet, "match": h.how}))
            return 0
    return 2
