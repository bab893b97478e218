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
    """Take what the process has built so far (Textual, botocore's models, the clients) out of GC scans.

    Frozen objects are never scanned again (reference counting still frees them), so a
    full collection walks only what was made after this point: the rows of a big table,
    the lines a follow keeps. Called when a pane first shows data (the clients and their
    models exist by then); only the first call freezes, every call turns the collector
    back on (the launcher holds it off while the UI starts: console.commands._default).

    The young generation is made larger too: otherwise 10,000 kept log lines set off a
    full collection every few thousand new ones; they are freed by reference counting
    anyway, so rarer collections cost memory only for cyclic garbage.
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()
        young, middle, old = gc.get_threshold()
        gc.set_threshold(max(young, GC_YOUNG), middle, old)
    gc.enable()
