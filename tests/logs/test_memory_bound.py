"""The byte bound's bookkeeping: what was dropped (or skipped) is counted in bytes, and the pane's
trimmer gives memory back only every few MB dropped."""

from __future__ import annotations

from console import memory
from console.logs.buffer import ITEM_OVERHEAD, LogBuffer


def test_dropped_and_skipped_bytes_are_counted() -> None:
    buffer: LogBuffer[str] = LogBuffer(3, max_bytes=10_000, size=lambda s: len(s) + ITEM_OVERHEAD)
    items = [f"line {i}" for i in range(10)]
    keep = buffer.kept_of(items, lambda s: len(s) + ITEM_OVERHEAD)
    assert keep == 3
    buffer.skip(7, sum(len(s) + ITEM_OVERHEAD for s in items[:7]))
    buffer.extend(items[7:])
    assert (buffer.appended, buffer.dropped, len(buffer)) == (10, 7, 3)
    assert buffer.dropped_bytes == 7 * (6 + ITEM_OVERHEAD)
    buffer.extend(["line 10"])
    assert buffer.dropped == 8 and buffer.dropped_bytes == 8 * (6 + ITEM_OVERHEAD)


def test_the_trimmer_waits_for_enough_dropped_bytes() -> None:
    trimmer = memory.Trimmer()
    assert not trimmer.due(memory.TRIM_EVERY_BYTES - 1)
    assert trimmer.due(memory.TRIM_EVERY_BYTES)
    assert not trimmer.due(3 * memory.TRIM_EVERY_BYTES), "not again within TRIM_EVERY_S"
    memory.trim()  # returns free pages (a no-op off glibc); never raises
    assert isinstance(memory.tune(), bool)
