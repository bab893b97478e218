"""The console's heap, kept out of the garbage collector's way.

A full (generation 2) collection walks every object in the process. With botocore's
service models, Textual's DOM and 2,000 services loaded, one took 180 ms with the UI
loop frozen: the worst key press while the services table filled in, and the p95 of a
key press while logs were ingested.
"""

from __future__ import annotations

import gc

GC_YOUNG = 5_000  # allocations (net) between young collections once running; CPython's default is 700
_heap_frozen = False


def freeze_startup_heap() -> None:
    """Take what the process has built so far (textual, botocore's models, the client) out of GC scans.

    Following keeps up to 10,000 lines alive, so a few hundred thousand objects
    per 100,000 lines reach the oldest generation, and CPython then runs a full
    collection that walks every object in the process: with botocore's service
    models loaded that was 150-260 ms with the UI loop frozen, the p95 of a
    key press during a heavy ingest.  Frozen objects are never scanned (they
    are still freed by reference counting), so a full collection only walks
    what was made after this point.  Once per process, after the first data a pane shows (then the clients
    and their models exist).

    The young generation is also made larger: with a small unfrozen heap the
    kept lines alone start a full collection every few thousand lines (twice
    a second at 10,000 lines/s); the lines are freed by reference counting
    anyway, so rarer collections cost memory only for the cyclic garbage.
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()
        young, middle, old = gc.get_threshold()
        gc.set_threshold(max(young, GC_YOUNG), middle, old)
    gc.enable()  # the launcher holds it off while the UI starts (console.commands._default)
