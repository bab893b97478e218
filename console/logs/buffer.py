"""The bounded buffer of a log view (and of anything else that keeps events)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Generic, TypeVar

from console.errors import BadInput

T = TypeVar("T")
DEFAULT_MAX_LINES = 10_000

# --- the bounded buffer ---------------------------------------------------------------------


class LogBuffer(Generic[T]):
    """The last ``max_lines`` lines, with a count of how many were dropped to stay there.

    Appends are O(1) (a deque with maxlen).  Older history paged in at the front
    never pushes out the newest lines: what does not fit is not added.
    """

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES) -> None:
        if max_lines < 1:
            raise BadInput("a log buffer keeps at least one line")
        self._lines: deque[T] = deque(maxlen=max_lines)
        self.dropped = 0  # lines pushed out at the old end since the start (or clear())
        self.appended = 0  # lines ever appended at the new end

    @property
    def max_lines(self) -> int:
        return self._lines.maxlen or 0

    def append(self, line: T) -> None:
        if len(self._lines) == self._lines.maxlen:
            self.dropped += 1
        self._lines.append(line)
        self.appended += 1

    def extend(self, lines: Iterable[T]) -> int:
        """Append lines; returns how many older lines were dropped for them."""
        before = self.dropped
        for line in lines:
            self.append(line)
        return self.dropped - before

    def prepend(self, older: Sequence[T]) -> int:
        """Put older lines (oldest first) before the current ones, as many as fit; returns how many."""
        room = (self._lines.maxlen or 0) - len(self._lines)
        if room <= 0 or not older:
            return 0
        take = list(older[-room:])
        self._lines.extendleft(reversed(take))
        return len(take)

    def clear(self) -> None:
        self._lines.clear()
        self.dropped = 0

    def resize(self, max_lines: int) -> None:
        keep = list(self._lines)[-max_lines:]
        self.dropped += len(self._lines) - len(keep)
        self._lines = deque(keep, maxlen=max_lines)

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


__all__ = ["DEFAULT_MAX_LINES", "LogBuffer"]
