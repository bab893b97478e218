"""A virtual log view: only the rows on screen are rendered, and memory stays bounded.

k9s grew to 30 GB after an hour of logs (its #1188) because every line it had
ever shown stayed rendered.  Here, as in toolong's ``log_lines.py``, the view
is a :class:`~textual.scroll_view.ScrollView` whose ``render_line`` builds a
row on demand from the line's event, keeps the last rendered strips in an LRU
cache keyed by the line's sequence number, and forgets everything else.  The
lines themselves live in a :class:`console.logs.follow.LogBuffer` (at most
``max_lines``, default 10,000); the rows shown are the buffer's lines that
pass the filter, kept as a deque in the same order, so dropping the oldest
line or adding a page of history at the front never walks the whole buffer.

Every message is drawn through :func:`console.literal.literal_text`: Rich
markup, ANSI/OSC sequences, cursor moves, BEL and other control characters
in a log line show as inert characters and never take effect.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from console.literal import MAX_DISPLAY
from console.logs.buffer import DEFAULT_MAX_BYTES, LogBuffer
from console.model import LogEvent
from screens.widgets.log_line import (
    CUT_MARK,
    LogLine,
    RowStyles,
    ViewFilter,
    event_size,
    index_of_seq,
    line_size,
    row_strip,
    row_text,
    shown_message,
    today_start_ms,
)
from screens.widgets.log_lines import LineMaker, Links

STRIP_CACHE = 512  # rendered rows kept (a screen shows ~100; a row holds up to 16,384 characters)
LINK_WINDOW = 256  # skipped lines still read for the links of the first kept ones (tracebacks)
ARRIVAL_FRAME = 0.1  # seconds between repaints that only scroll new lines in (keys repaint at once)


class LogView(ScrollView, can_focus=True):
    """The lines of a follow, newest at the bottom, rendered row by row on demand."""

    DEFAULT_CSS = """
    LogView { height: 1fr; background: $surface; color: $foreground; overflow: auto auto; }
    LogView > .log-view--cursor { background: $accent 35%; }
    LogView:focus > .log-view--cursor { background: $accent 55%; }
    """
    COMPONENT_CLASSES = {"log-view--cursor"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="logview.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="logview.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="logview.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="logview.pagedown"),
        Binding("home,g", "top", "Top", show=False, id="logview.top"),
        Binding("end,G", "tail", "Tail", show=False, id="logview.tail"),
        Binding("left", "scroll_left", "Left", show=False, id="logview.left"),
        Binding("right", "scroll_right", "Right", show=False, id="logview.right"),
    ]

    class Selected(Message):
        """The cursor moved to another line (or the view started/stopped tailing)."""

    def __init__(
        self,
        max_lines: int = 10_000,
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        # Bounded in lines and in bytes: 10,000 events of 1 MB would otherwise be 10 GB.
        self.buffer: LogBuffer[LogLine] = LogBuffer(max_lines, max_bytes=max_bytes, size=line_size)
        self._view: deque[LogLine] = deque()  # the buffer's lines that pass the filter, same order
        self._filter = ViewFilter()
        self._next_seq = 0
        self._prev_seq = -1
        self._maker = LineMaker()  # labels, colours, traceback links
        self._max_width = 0
        self._strips: LRUCache[int, Strip] = LRUCache(STRIP_CACHE)
        self._heights: dict[int, int] = {}  # wrap mode: rows per line at _wrap_width
        self._rows: list[tuple[LogLine, int]] | None = None  # wrap mode: (line, part) per row
        self._first_row: dict[int, int] = {}
        self._wrap_width = 0
        self.wrap = False
        self.cursor = -1  # index in the shown lines; -1 when there are none
        self.tail = True  # keep the cursor on the newest line as lines arrive
        self.paused = False
        self._pending: LogBuffer[LogEvent] = LogBuffer(max_lines, max_bytes=max_bytes, size=event_size)
        self.arrived_paused = 0  # lines that arrived while paused (some may have dropped off _pending)
        self._tail_pending = False
        self._tail_painted = 0.0  # when arrivals last scrolled the tail in (see _tail_soon)
        self._tail_timer: Timer | None = None
        self.render_count = 0  # rows rendered (tests and the benchmark read it)
        self.last_render = 0.0
        self.painted_seq = -1  # the selected line when it was last drawn, and when (key-to-paint latency)
        self.painted_at = 0.0
        self._styles: RowStyles | None = None
        self.dated = False  # the time column shows dates (a line or the range is not from today)
        self._range_start: int | None = None
        self._frame_width: int | None = None

    # --- what is kept ----------------------------------------------------------------------
    @property
    def max_lines(self) -> int:
        return self.buffer.max_lines

    @property
    def shown(self) -> int:
        return len(self._view)

    @property
    def view_filter(self) -> ViewFilter:
        return self._filter

    def lines(self) -> Iterator[LogLine]:
        """The lines shown, oldest first (what "save" writes)."""
        return iter(self._view)

    def shown_line(self, index: int) -> LogLine:
        return self._view[index]

    @property
    def selected(self) -> LogLine | None:
        if 0 <= self.cursor < len(self._view):
            return self._view[self.cursor]
        return None

    @property
    def oldest(self) -> LogLine | None:
        return self.buffer[0] if len(self.buffer) else None

    def _line(self, event: LogEvent, seq: int, last: Links | None = None) -> LogLine:
        width = self._maker.label_width
        line = self._maker.line(event, seq, last)
        if self._maker.label_width != width:  # a wider label: every row's columns move
            self._strips.clear()
        return line

    def set_groups(self, groups: Iterable[str]) -> None:
        """Which groups are followed: with more than one, each line's label names its group."""
        self._maker.set_groups(groups)

    def add(self, events: Sequence[LogEvent]) -> None:
        """New lines at the bottom (held back while paused, and counted)."""
        if not events:
            return
        if self.paused:
            self._pending.extend(events)
            self.arrived_paused += len(events)
            return
        self._append(events)

    def skip_unkept(self, events: Sequence[LogEvent]) -> Sequence[LogEvent]:
        """Of ``events``, those an add of them all would keep; the rest (newer ones fill the bound) are
        counted as added and dropped, never built or drawn (the last few give tracebacks their links)."""
        if self.paused or not events:
            return events
        skipped = len(events) - self.buffer.kept_of(events, event_size)
        if skipped <= 0:
            return events
        for event in events[max(0, skipped - LINK_WINDOW) : skipped]:
            self._line(event, self._next_seq)
        self.buffer.skip(skipped, sum(event_size(e) for e in events[:skipped]))
        return events[skipped:]

    def _append(self, events: Iterable[LogEvent]) -> None:
        new: list[LogLine] = []
        for event in events:
            new.append(self._line(event, self._next_seq))
            self._next_seq += 1
        self.buffer.extend(new)
        self._check_dated()
        oldest = self.buffer[0].seq if len(self.buffer) else self._next_seq
        removed = 0
        view = self._view
        while view and view[0].seq < oldest:
            gone = view.popleft()
            self._heights.pop(gone.seq, None)
            removed += 1
        keep = self._filter
        added = [line for line in new if line.seq >= oldest and (not keep or keep.matches(line))]
        view.extend(added)
        self._grow_width(added)
        self._changed(removed_front=removed, added_front=0, arrival=True)

    def prepend(self, events: Sequence[LogEvent]) -> int:
        """Older lines (oldest first) at the top, as many as fit without pushing out newer ones."""
        if not events:
            return 0
        older: Links = {}  # tracebacks within the page
        candidates = [self._line(event, 0, older) for event in events]
        count = self.buffer.room(candidates)  # within both bounds, the newest of them first
        lines = candidates[len(candidates) - count :] if count else []
        seq = self._prev_seq - len(lines) + 1
        for line in lines:
            line.seq = seq
            seq += 1
        self._prev_seq -= len(lines)
        added = self.buffer.prepend(lines)
        self._check_dated()
        keep = self._filter
        shown = [line for line in lines if not keep or keep.matches(line)]
        self._view.extendleft(reversed(shown))
        self._grow_width(shown)
        self._changed(removed_front=0, added_front=len(shown))
        return added

    def set_range_start(self, since: int | None) -> None:
        """The range shown starts at ``since``: before today, every line shows its date."""
        self._range_start = since
        self._check_dated()

    def _check_dated(self) -> None:
        """Dates in the time column when the range or a kept line is not from today (UTC)."""
        oldest = self.buffer[0].event.timestamp if len(self.buffer) else None
        starts = [t for t in (oldest, self._range_start) if t is not None]
        dated = bool(starts) and min(starts) < today_start_ms()
        if dated != self.dated:
            self.dated = dated
            self._strips.clear()
            self._heights.clear()
            self._rows = None
            self._resize()
            self.refresh()

    def clear(self) -> None:
        self.buffer.clear()
        self._view.clear()
        self._pending.clear()
        self.arrived_paused = 0
        self._strips.clear()
        self._heights.clear()
        self._maker.clear()
        self._max_width = 0
        self.cursor = -1
        self.tail = True
        self._check_dated()
        self._changed(removed_front=0, added_front=0)
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_filter(self, view_filter: ViewFilter) -> None:
        """Show only the lines that pass; the selected line stays selected when it still shows."""
        selected = self.selected
        self._filter = view_filter
        self._view = deque(line for line in self.buffer if not view_filter or view_filter.matches(line))
        self._strips.clear()
        self._heights.clear()
        self._max_width = 0
        self._grow_width(self._view)
        self._rows = None
        if self.tail or selected is None:
            self.cursor = len(self._view) - 1
        else:
            self.cursor = index_of_seq(self._view, selected.seq)
        self._resize()
        self._follow_cursor(center=True)
        self.refresh()
        self.post_message(self.Selected())

    # --- pause -------------------------------------------------------------------------------
    def pause(self) -> None:
        self.paused = True

    def resume(self) -> int:
        """Show what arrived while paused; returns how many lines arrived."""
        arrived = self.arrived_paused
        self.paused = False
        pending = list(self._pending)
        self._pending.clear()
        self.arrived_paused = 0
        if pending:
            self._append(pending)
        return arrived

    # --- size and scrolling ------------------------------------------------------------------
    def _prefix_width(self) -> int:
        return (24 if self.dated else 13) + self._maker.label_width + 1

    def _grow_width(self, lines: Iterable[LogLine]) -> None:
        if self.wrap:
            return
        widest = self._max_width
        for line in lines:
            size = min(len(line.event.message), MAX_DISPLAY + len(CUT_MARK) + 8)
            if size > widest:
                widest = size
        self._max_width = widest

    def _row_count(self) -> int:
        if not self.wrap:
            return len(self._view)
        return len(self._wrap_rows())

    def _resize(self) -> None:
        """A new virtual size, without a layout of the screen unless a scrollbar comes or goes
        (``virtual_size`` is a layout reactive: assigning it reflows the whole screen, tens of ms)."""
        width = 0 if self.wrap else self._max_width + self._prefix_width()
        size = Size(width, self._row_count())
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size
            return
        bars = (self.show_horizontal_scrollbar, self.show_vertical_scrollbar)
        self.set_reactive(LogView.virtual_size, size)
        self._scroll_update(size)
        if (self.show_horizontal_scrollbar, self.show_vertical_scrollbar) != bars:
            self.refresh(layout=True)

    def _changed(self, *, removed_front: int, added_front: int, arrival: bool = False) -> None:
        """Keep the cursor on its line (and the rows on screen where they were) as lines come and go;
        arrivals are drawn at most every :data:`ARRIVAL_FRAME` (a repaint is a turn a key waits behind)."""
        shift = added_front - removed_front
        old_rows = self._row_count() if self.wrap and self._rows is not None else None
        self._rows = None
        count = len(self._view)
        if self.tail:
            self.cursor = count - 1
        elif count:
            self.cursor = min(max(0, self.cursor + shift), count - 1)
        else:
            self.cursor = -1
        self._resize()
        if self.tail and not arrival:
            self._scroll_tail()
        elif shift and not self.tail:
            if self.wrap and old_rows is not None:
                rows_shift = self._row_count() - old_rows if added_front or removed_front else 0
            else:
                rows_shift = shift
            y = max(0, self.scroll_y + rows_shift)
            if arrival:  # the same lines stay on the same rows: no repaint (scroll_to makes one)
                self.set_reactive(LogView.scroll_y, y)
                self.set_reactive(LogView.scroll_target_y, y)
                if self.show_vertical_scrollbar:
                    self.vertical_scrollbar.position = y
            else:
                self.scroll_to(y=y, animate=False, immediate=True)
        if arrival:
            self._tail_soon()
        else:
            self.refresh()

    def _wrap_rows(self) -> list[tuple[LogLine, int]]:
        width = max(1, self.scrollable_content_region.width or self.size.width or 80)
        if self._rows is not None and width == self._wrap_width:
            return self._rows
        if width != self._wrap_width:
            self._heights.clear()
            self._wrap_width = width
        rows: list[tuple[LogLine, int]] = []
        first: dict[int, int] = {}
        prefix = self._prefix_width()
        for line in self._view:
            height = self._heights.get(line.seq)
            if height is None:
                cells = prefix + cell_len(shown_message(line.event.message))
                height = max(1, math.ceil(cells / width))
                self._heights[line.seq] = height
            first[line.seq] = len(rows)
            rows.extend((line, part) for part in range(height))
        self._rows = rows
        self._first_row = first
        if len(rows) != self.virtual_size.height:  # the width changed under us (a scrollbar came)
            self.call_later(self._relayout)
        return rows

    def _relayout(self) -> None:
        self._resize()
        if self.tail:
            self._scroll_tail()
        else:
            self._follow_cursor()
        self.refresh()

    def _cursor_rows(self) -> tuple[int, int]:
        """The first row of the selected line and how many rows it takes."""
        if self.cursor < 0:
            return 0, 1
        if not self.wrap:
            return self.cursor, 1
        self._wrap_rows()
        line = self._view[self.cursor]
        return self._first_row.get(line.seq, 0), self._heights.get(line.seq, 1)

    def _follow_cursor(self, *, center: bool = False) -> None:
        if self.cursor < 0:
            return
        top, height = self._cursor_rows()
        view_height = max(1, self.scrollable_content_region.height)
        y = self.scroll_y
        if center and not (y <= top < y + view_height):
            self.scroll_to(y=max(0, top - view_height // 2), animate=False, immediate=True)
        elif top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + height > y + view_height:
            self.scroll_to(y=top + height - view_height, animate=False, immediate=True)

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self._rows = None
        self._strips.clear()
        self._max_width = 0
        self._grow_width(self._view)
        self._resize()
        self.styles.overflow_x = "hidden" if wrap else "auto"
        self.scroll_to(x=0, animate=False, immediate=True)
        if self.tail:
            self._scroll_tail()
        else:
            self._follow_cursor(center=True)
        self.refresh()

    def _scroll_tail(self) -> None:
        """To the last row now, and again after the layout (a scrollbar may come or go with the size)."""
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        if not self._tail_pending:
            self._tail_pending = True
            self.call_after_refresh(self._tail_after_layout)

    def _tail_soon(self) -> None:
        """Draw what arrived (tailing: scrolled in) now if the last such repaint is a frame old, else later."""
        wait = self._tail_painted + ARRIVAL_FRAME - time.monotonic()
        if wait <= 0:
            self._tail_now()
        elif self._tail_timer is None:
            self._tail_timer = self.set_timer(wait, self._tail_now)

    def _tail_now(self) -> None:
        self._tail_timer = None
        self._tail_painted = time.monotonic()
        if self.tail:
            self._scroll_tail()
            self.refresh()

    def _tail_after_layout(self) -> None:
        self._tail_pending = False
        if self.tail and self.scroll_y != self.max_scroll_y:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self) -> None:
        if self.wrap:
            self._rows = None
            self._resize()
        if self.tail:
            self._scroll_tail()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    # --- moving ------------------------------------------------------------------------------
    def move_cursor(self, delta: int) -> None:
        count = len(self._view)
        if not count:
            return
        start = self.cursor if self.cursor >= 0 else count - 1
        before_rows = self._cursor_rows() if self.cursor >= 0 else None
        scrolled = self.scroll_y
        self.cursor = min(max(0, start + delta), count - 1)
        self.tail = self.cursor == count - 1 and delta > 0
        self._follow_cursor()
        if before_rows is not None and self.scroll_y == scrolled:
            # Only the rows of the old and the new selection change: a key press repaints two
            # rows, not the screen, so it stays quick while lines keep arriving.
            after_rows = self._cursor_rows()
            self.refresh_lines(*before_rows)
            self.refresh_lines(*after_rows)
        else:
            self.refresh()
        self.post_message(self.Selected())

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self.move_cursor(-len(self._view))

    def action_tail(self) -> None:
        """Back to the newest line, and stay there as lines arrive."""
        self.tail = True
        self.cursor = len(self._view) - 1
        self._scroll_tail()
        self.refresh()
        self.post_message(self.Selected())

    def on_mouse_scroll_up(self, _event: events.MouseScrollUp) -> None:
        self.tail = False

    def on_click(self, event: events.Click) -> None:
        if not self._view:
            return
        row = int(self.scroll_y) + event.y
        if self.wrap:
            rows = self._wrap_rows()
            if 0 <= row < len(rows):
                self.cursor = index_of_seq(self._view, rows[row][0].seq)
        elif 0 <= row < len(self._view):
            self.cursor = row
        self.tail = self.cursor == len(self._view) - 1
        self.refresh()
        self.post_message(self.Selected())

    # --- rendering ---------------------------------------------------------------------------
    def line_text(self, line: LogLine) -> Text:
        """The row of one line: time, stream (its own colour), message (its level's colour), literally."""
        return row_text(line, self._maker.label_width, dated=self.dated, view_filter=self._filter)

    def _row_styles(self) -> RowStyles:
        """Each part's style on top of the view's own, worked out once until the styles change.

        Reading ``rich_style`` walks the DOM; per row, while a follow scrolls a new screenful
        in several times a second, that was a quarter of the time a repaint took.
        """
        styles = self._styles
        if styles is None:
            base = self.rich_style
            cursor = self.get_component_rich_style("log-view--cursor", partial=True)
            styles = self._styles = RowStyles.on(base, cursor)
        return styles

    def _row(self, line: LogLine) -> Strip:
        """The strip of one line; segments are built directly unless matches need highlighting."""
        if self._filter.include:
            text = self.line_text(line)
            text.stylize_before(self.rich_style)
            return Strip(text.render(self.app.console), text.cell_len)
        return row_strip(line, self._maker.label_width, dated=self.dated, styles=self._row_styles())

    def _strip(self, line: LogLine) -> Strip:
        strip = self._strips.get(line.seq)
        if strip is None:
            strip = self._row(line)
            self._strips[line.seq] = strip
            if not self.wrap and strip.cell_length > self._max_width + self._prefix_width():
                self._max_width = strip.cell_length - self._prefix_width()
                self.call_later(self._resize)
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        # The width is the same for every row of one repaint: look it up once, not per row.
        self._frame_width = self.scrollable_content_region.width or self.size.width
        try:
            return super().render_lines(crop)
        finally:
            self._frame_width = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self._frame_width or self.scrollable_content_region.width or self.size.width
        row = scroll_y + y
        style = self._row_styles().base
        self.render_count += 1
        if self.wrap:
            rows = self._wrap_rows()
            if not 0 <= row < len(rows):
                return Strip.blank(width, style)
            line, part = rows[row]
            strip = self._strip(line).crop_extend(part * width, (part + 1) * width, style)
        else:
            if not 0 <= row < len(self._view):
                return Strip.blank(width, style)
            line = self._view[row]
            strip = self._strip(line).crop_extend(scroll_x, scroll_x + width, style)
        if self.cursor >= 0 and line is self._view[self.cursor]:
            cursor = self._row_styles().cursor
            strip = Strip(Segment.apply_style(list(strip), post_style=cursor), strip.cell_length)
            if line.seq != self.painted_seq:  # the first paint of a new selection, not later repaints
                self.painted_seq, self.painted_at = line.seq, time.perf_counter()
        self.last_render = time.perf_counter()
        return strip


__all__ = ["LogView"]
