"""How the commands print: every line shown inert, a document as JSON.

Names and messages in a line may be AWS's text or the user's input: ``out`` shows control
characters as visible symbols so that a line cannot act on the terminal.  A ``--json``
document is indented for a person at a terminal and compact for a script.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

from console.literal import literal_text as inert


def out(text: str = "") -> None:
    print(inert(text), flush=True)


def print_document(doc: Any) -> None:
    print(json.dumps(doc, indent=2 if sys.stdout.isatty() else None, ensure_ascii=False))


def print_report(as_json: bool, report: Any, lines: Callable[[Any], Iterable[str]]) -> None:
    """A triage report (why, timeline): its ``as_json()`` with ``--json``, else its lines."""
    if as_json:
        print_document(report.as_json())
    else:
        for line in lines(report):
            print(inert(line))
