"""The lines of a log view and how they are shown: level (tracebacks whole), filter, time, cut marker.

Kept apart from the scrolling widget (:mod:`screens.widgets.log_view`) so that what a
line *is* on screen can be read (and tested) without the rendering machinery.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from console.literal import MAX_DISPLAY, literal_text
from console.logs.buffer import message_size
from console.logs.filter import TextFilter
from console.logs.loglevel import Level, detect_level
from console.model import LogEvent

STREAM_COLOURS = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "bright_blue",
    "bright_magenta",
    "bright_cyan",
    "bright_green",
    "dark_orange",
    "orchid",
    "spring_green2",
    "deep_sky_blue1",
)
LEVEL_STYLES = {
    Level.ERROR: Style(color="bright_red"),
    Level.WARN: Style(color="yellow"),
    Level.DEBUG: Style(dim=True),
}
HIGHLIGHT = Style(bgcolor="dark_goldenrod", color="black", bold=True)
TIME_STYLE = Style(dim=True)
MAX_CHAIN = 1_000  # lines of one traceback looked back through for its level


class LogLine:
    """One line of the buffer: the event, its place in the order, and its level (found once, lazily).

    ``prev`` links a line that continues the one before it in its stream (a traceback's
    frames, see :func:`console.logs.loglevel.continues`): such a line takes the level of
    the line it continues, so "errors only" keeps a traceback whole.  The link is
    dropped once the level is known, so no chain of old lines is kept alive.
    """

    __slots__ = ("_level", "event", "label", "prev", "seq", "slot")

    def __init__(self, seq: int, event: LogEvent, label: str, slot: int, prev: LogLine | None = None) -> None:
        self.seq = seq
        self.event = event
        self.label = label
        self.slot = slot
        self.prev = prev
        self._level: Level | None = None

    @property
    def level(self) -> Level:
        if self._level is None:
            chain: list[LogLine] = []
            line: LogLine | None = self
            while line is not None and line._level is None and len(chain) < MAX_CHAIN:
                chain.append(line)
                line = line.prev
            for item in reversed(chain):  # oldest first, without recursion
                level = detect_level(item.event.message)
                before = item.prev
                if level is Level.UNKNOWN and before is not None and (before._level or 0) >= Level.ERROR:
                    level = before._level or level
                item._level = level
                item.prev = None
        return self._level or Level.UNKNOWN


@dataclass(frozen=True)
class ViewFilter:
    """What the view shows: lines passing the query (console.logs.filter's language), errors only if asked."""

    query: TextFilter = field(default_factory=TextFilter)
    errors_only: bool = False

    @classmethod
    def parse(cls, text: str, *, errors_only: bool = False) -> ViewFilter:
        """``timeout !health /5\\d\\d/`` -> lines with "timeout" and a 5xx, without "health"."""
        return cls(TextFilter.parse(text), errors_only)

    @property
    def text(self) -> str:
        return self.query.text

    @property
    def include(self) -> tuple[re.Pattern[str], ...]:
        return self.query.positive

    def __bool__(self) -> bool:
        return bool(self.query or self.errors_only)

    def matches(self, line: LogLine) -> bool:
        if self.errors_only and line.level < Level.ERROR:
            return False
        return self.query.matches(line.event.message)

    def spans(self, shown: str) -> list[tuple[int, int]]:
        """Where the terms match the displayed text (to highlight them)."""
        return self.query.spans(shown)


def clock(ms: int, *, dated: bool = False) -> str:
    """``HH:MM:SS.mmm`` (UTC, as the status line's range), with the date first when ``dated``."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S." if dated else "%H:%M:%S.") + f"{ms % 1000:03d}"


CUT_MARK = " … [cut: {n} chars in all; Enter shows the line]"


def shown_message(message: str) -> str:
    """The message as a row shows it: literal, and past :data:`MAX_DISPLAY` cut with a marker saying
    how long the line is (a 1 MB line is never laid out whole; the detail modal shows more)."""
    if len(message) <= MAX_DISPLAY:
        return literal_text(message)
    whole = len(message) - (1 if message.endswith("\n") else 0)
    return literal_text(message[:MAX_DISPLAY], max_len=None) + CUT_MARK.format(n=f"{whole:,}")


def today_start_ms() -> int:
    """Midnight UTC today: a line before it carries its date."""
    now = datetime.now(tz=UTC)
    return int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class RowStyles:
    """Each part's style on top of the view's own (worked out once until the styles change)."""

    base: Style
    time: Style
    streams: tuple[Style, ...]
    levels: dict[Level, Style]
    cursor: Style

    @classmethod
    def on(cls, base: Style, cursor: Style) -> RowStyles:
        return cls(
            base=base,
            time=base + TIME_STYLE,
            streams=tuple(base + Style(color=colour) for colour in STREAM_COLOURS),
            levels={level: base + style for level, style in LEVEL_STYLES.items()},
            cursor=cursor,
        )


def row_text(line: LogLine, label_width: int, *, dated: bool, view_filter: ViewFilter) -> Text:
    """The row of one line as Text: time, stream (its own colour), message (its level's), matches lit."""
    event = line.event
    text = Text(no_wrap=True, end="")
    text.append(clock(event.timestamp, dated=dated), TIME_STYLE)
    text.append(" ")
    text.append(line.label.ljust(label_width), Style(color=STREAM_COLOURS[line.slot]))
    text.append(" ")
    start = len(text)
    shown = shown_message(event.message)
    text.append(shown, LEVEL_STYLES.get(line.level))
    if view_filter.include:
        for begin, end in view_filter.spans(shown):
            text.stylize(HIGHLIGHT, start + begin, start + end)
    return text


def row_strip(line: LogLine, label_width: int, *, dated: bool, styles: RowStyles) -> Strip:
    """The row of one line as segments built directly (no Text to render: the common, fast path)."""
    event = line.event
    shown = shown_message(event.message)
    label = line.label.ljust(label_width)
    stamp = clock(event.timestamp, dated=dated)
    segments = [
        Segment(stamp, styles.time),
        Segment(" ", styles.base),
        Segment(label, styles.streams[line.slot]),
        Segment(" ", styles.base),
        Segment(shown, styles.levels.get(line.level, styles.base)),
    ]
    return Strip(segments, len(stamp) + cell_len(label) + 2 + cell_len(shown))


def line_size(line: LogLine) -> int:
    """What a line costs in the view's buffer (its bound in bytes)."""
    return message_size(line.event.message)


def event_size(event: LogEvent) -> int:
    return message_size(event.message)


def index_of_seq(lines: Sequence[LogLine], seq: int) -> int:
    """The line at ``seq`` in ``lines`` (sorted by seq), or the nearest after it."""
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid].seq < seq:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(lines) - 1)


__all__ = [
    "CUT_MARK",
    "HIGHLIGHT",
    "LEVEL_STYLES",
    "STREAM_COLOURS",
    "TIME_STYLE",
    "LogLine",
    "RowStyles",
    "ViewFilter",
    "clock",
    "event_size",
    "index_of_seq",
    "line_size",
    "row_strip",
    "row_text",
    "shown_message",
    "today_start_ms",
]
