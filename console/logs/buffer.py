"""A buffer bounded in lines and in bytes: the logs pane's, and anything else that keeps events.

CloudWatch events reach 1 MB each (a JSON dump on one line), so a bound in lines alone
(10,000 lines) could mean gigabytes.  :class:`LogBuffer` keeps at most ``max_lines``
items *and* at most ``max_bytes`` of their size (``size(item)``: the message's length
plus a fixed overhead per item), dropping the oldest first; peek and the coming
timeline keep their events in one too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar

from console.errors import BadInput

T = TypeVar("T")
U = TypeVar("U")
DEFAULT_MAX_LINES = 10_000
DEFAULT_MAX_BYTES = 64 * 2**20
ITEM_OVERHEAD = 400  # bytes an event costs beside its message (the objects, ids, stream name)


def message_size(message: str) -> int:
    """About what a message costs in memory (a str holds 1 to 4 bytes a character; counted as 1)."""
    return len(message) + ITEM_OVERHEAD


# --- the bounded buffer ---------------------------------------------------------------------


class LogBuffer(Generic[T]):
    """The last ``max_lines`` items within ``max_bytes``, with a count of how many were dropped.

    Appends are O(1) amortised (each item is dropped at most once).  Older history
    paged in at the front never pushes out the newest items: what does not fit is
    not added.  Without ``size`` only the line bound applies.
    """

    def __init__(
        self,
        max_lines: int = DEFAULT_MAX_LINES,
        *,
        max_bytes: int | None = None,
        size: Callable[[T], int] | None = None,
    ) -> None:
        if max_lines < 1:
            raise BadInput("a log buffer keeps at least one line")
        self._lines: deque[T] = deque()
        self._max_lines = max_lines
        self.max_bytes = max_bytes if size is not None else None
        self._size = size
        self.bytes = 0  # the size of what is kept (0 without ``size``)
        self.dropped = 0  # items pushed out at the old end since the start (or clear())
        self.appended = 0  # items appended at the new end since the start (or clear())
        self.dropped_bytes = 0  # the size of what was dropped, ever (when to give memory back)

    @property
    def max_lines(self) -> int:
        return self._max_lines

    def _over(self) -> bool:
        return len(self._lines) > self._max_lines or (
            self.max_bytes is not None and self.bytes > self.max_bytes and len(self._lines) > 1
        )

    def _drop_old(self) -> None:
        size = self._size
        while self._over():
            gone = self._lines.popleft()
            if size is not None:
                lost = size(gone)
                self.bytes -= lost
                self.dropped_bytes += lost
            self.dropped += 1

    def append(self, line: T) -> None:
        self._lines.append(line)
        if self._size is not None:
            self.bytes += self._size(line)
        self.appended += 1
        self._drop_old()

    def extend(self, lines: Iterable[T]) -> int:
        """Append items; returns how many older items were dropped for them."""
        before = self.dropped
        size = self._size
        for line in lines:
            self._lines.append(line)
            if size is not None:
                self.bytes += size(line)
            self.appended += 1
        self._drop_old()
        return self.dropped - before

    def kept_of(self, items: Sequence[U], size: Callable[[U], int] | None = None) -> int:
        """How many of ``items`` (oldest first) an extend with all of them would keep: the newest
        that fit both bounds (``size`` measures them as this buffer's ``size`` measures its own)."""
        count = total = 0
        limit = self.max_bytes if size is not None else None
        for item in reversed(items):
            if count >= self._max_lines:
                break
            if limit is not None and size is not None:
                total += size(item)
                if total > limit and count:
                    break
            count += 1
        return count

    def skip(self, count: int, size: int = 0) -> None:
        """``count`` items (of ``size`` in all) appended and dropped at once: newer ones fill the bound,
        so they were never built (the counters stay what an append of each would have made them)."""
        self.appended += count
        self.dropped += count
        self.dropped_bytes += size

    def room(self, older: Sequence[T]) -> int:
        """How many of ``older`` (oldest first) fit before the current items, newest of them first."""
        count = 0
        free_lines = self._max_lines - len(self._lines)
        free_bytes = None if self.max_bytes is None else self.max_bytes - self.bytes
        size = self._size
        for item in reversed(older):
            if count >= free_lines:
                break
            if free_bytes is not None and size is not None:
                free_bytes -= size(item)
                if free_bytes < 0:
                    break
            count += 1
        return count

    def prepend(self, older: Sequence[T]) -> int:
        """Put older items (oldest first) before the current ones, as many as fit; returns how many."""
        count = self.room(older)
        if count <= 0:
            return 0
        take = list(older[-count:])
        self._lines.extendleft(reversed(take))
        if self._size is not None:
            self.bytes += sum(self._size(item) for item in take)
        return len(take)

    def clear(self) -> None:
        self.dropped_bytes += self.bytes
        self._lines.clear()
        self.bytes = 0
        self.dropped = 0
        self.appended = 0

    def resize(self, max_lines: int) -> None:
        self._max_lines = max_lines
        self._drop_old()

    @property
    def full(self) -> bool:
        """No room for one more item without dropping one."""
        return len(self._lines) >= self._max_lines or (
            self.max_bytes is not None and self.bytes >= self.max_bytes
        )

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> T:
        return self._lines[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._lines)

    def window(self, start: int, count: int) -> list[T]:
        """``count`` lines from ``start`` (what a virtual view renders)."""
        if start < 0:
            start = max(0, len(self._lines) + start)
        if start * 2 > len(self._lines):  # deques index fastest from the nearer end
            return list(self._lines)[start : start + count]
        out: list[T] = []
        for offset in range(start, min(len(self._lines), start + count)):
            out.append(self._lines[offset])
        return out


__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_LINES", "ITEM_OVERHEAD", "LogBuffer", "message_size"]
