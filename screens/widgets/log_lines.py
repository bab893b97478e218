"""Making the lines of a log view from events: each stream's label and colour, traceback links.

Apart from the widget (:mod:`screens.widgets.log_view`) so that the view holds only what
scrolling and drawing need; the memory here is bounded (at most :data:`LABEL_CACHE` streams).
"""

from __future__ import annotations

from collections.abc import Iterable

from console.literal import literal_text
from console.logs.loglevel import continues
from console.logs.sources import stream_label
from console.model import LogEvent, short_name
from screens.widgets.log_line import STREAM_COLOURS, LogLine

MAX_LABEL = 32
LABEL_CACHE = 4096  # distinct streams remembered for their labels (bounded: streams come and go)
Links = dict[tuple[str, str], LogLine]


class LineMaker:
    """Labels (in order of appearance, so the first streams on screen never share a colour), the
    widest label seen, and each stream's newest line (what the next line may continue)."""

    def __init__(self) -> None:
        self._labels: dict[tuple[str, str], tuple[str, int]] = {}
        self.last: Links = {}
        self._slots_used = 0
        self._groups: set[str] = set()
        self.label_width = 8

    def set_groups(self, groups: Iterable[str]) -> None:
        """Which groups are followed: with more than one, each line's label names its group."""
        self._groups = set(groups)
        self._labels.clear()

    def clear(self) -> None:
        self._labels.clear()
        self.last.clear()

    def line(self, event: LogEvent, seq: int, last: Links | None = None) -> LogLine:
        """A line for ``event``, linked to the line it continues in ``last`` (the stream's previous)."""
        key = (event.group, event.stream)
        found = self._labels.get(key)
        if found is None:
            if len(self._labels) >= LABEL_CACHE:
                self._labels.clear()
            label = stream_label(event.stream)
            if len(self._groups) > 1:
                label = f"{short_name(event.group)}:{label}"
            label = literal_text(label, max_len=MAX_LABEL)
            found = (label, self._slots_used % len(STREAM_COLOURS))
            self._slots_used += 1
            self._labels[key] = found
            self.label_width = max(self.label_width, len(label))
        last = self.last if last is None else last
        before = last.get(key)
        link = None
        if before is not None and continues(
            event.message, before.event.message, event.timestamp - before.event.timestamp
        ):
            link = before
        line = LogLine(seq, event, found[0], found[1], link)
        if len(last) >= LABEL_CACHE and key not in last:
            last.clear()
        last[key] = line
        return line


__all__ = ["LABEL_CACHE", "MAX_LABEL", "LineMaker", "Links"]
