"""Giving freed memory back to the system (glibc), so that a bound in bytes is also a bound in RSS.

A log view keeps at most ``log_max_bytes`` of messages, but CloudWatch events reach 1 MB
and glibc's allocator keeps what Python frees: past its first large free it raises the
mmap threshold (up to 32 MiB), so every later 256 KB message comes from the heap, and a
heap fragmented by messages that came and went is not returned (the reader thread has an
arena of its own too).  Measured in ``bench/logs.py``: RSS rose to hundreds of MB while
the view kept 64 MB.  So, on glibc only:

* :func:`tune` fixes the mmap threshold at 128 KiB (a message that large is mapped on its
  own and unmapped when freed) and caps the arenas at 2 (the UI's and the reader's);
* :func:`trim` (``malloc_trim``) returns the free pages of the heaps, called by the logs
  pane after it has dropped a few MB of lines (:class:`Trimmer`).
Elsewhere these do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from functools import cache
from typing import Any

M_ARENA_MAX = -8
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
ARENA_MAX = 2
TRIM_EVERY_BYTES = 8 * 2**20  # dropped since the last trim
TRIM_EVERY_S = 2.0  # at most this often (a trim walks the heaps: a few ms)


@cache
def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018  (glibc only)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


@cache
def tune() -> bool:
    """Once per process: the fixed mmap threshold and the arena cap; False off glibc."""
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(M_ARENA_MAX, ARENA_MAX)
    return True


def trim() -> None:
    """Return free heap pages to the system (safe from any thread; ctypes releases the GIL)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


class Trimmer:
    """Decides when a keeper of events that drops them trims: every few MB dropped, not too often."""

    def __init__(self) -> None:
        self._at_bytes = 0
        self._at_time = 0.0

    def due(self, dropped_bytes: int) -> bool:
        now = time.monotonic()
        if dropped_bytes - self._at_bytes < TRIM_EVERY_BYTES or now - self._at_time < TRIM_EVERY_S:
            return False
        self._at_bytes, self._at_time = dropped_bytes, now
        return True


__all__ = ["Trimmer", "trim", "tune"]
