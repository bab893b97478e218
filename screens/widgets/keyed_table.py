"""A DataTable that is updated in place by row key, so a refresh never moves the user.

A refresh hands :meth:`KeyedTable.sync` the rows it should show, in order.
Rows whose cells are unchanged cost nothing; changed cells are updated one by
one (``update_cell``); new keys are added, gone keys removed, and the rows put
in the given order, all in one pass.  The cursor stays on the same row key and
the scroll position where the user left it (``clear()`` would lose both).

Reordering and bulk removal set the row-location map directly, as
``DataTable.sort`` itself does: removing rows one by one is O(n) each, which
would make a filter over 2,000 services quadratic.

A narrow terminal hides the least important columns (the pane's ``drop_order``)
instead of scrolling sideways.  A hidden column keeps its key and its cells and
is only drawn zero cells wide, so ``sync`` and ``update_cell`` work unchanged
and a wider terminal shows it again.  A pane's free-text column (a stop reason) may be
``flex``: it takes the room the other columns leave, cut with an ellipsis, instead of
crowding out short columns that would fit beside it cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region
from textual.renderables.styled import Styled
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import CellKey, Column, RowKey
from textual.widgets.data_table import ColumnKey

from screens.format import aws

Cells = tuple[object, ...]
FLEX_MIN = 12  # a flex column narrower than this is hidden: a few cut words mislead more than none


@dataclass
class SyncStats:
    added: int = 0
    removed: int = 0
    updated_cells: int = 0
    reordered: bool = False


@dataclass
class _Column(Column):
    """A column that can be hidden without removing it (its cells stay keyed)."""

    hidden: bool = False
    cap: int | None = None  # a flex column: at most this wide (content cells), cut with an ellipsis

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        if self.hidden:
            return 0
        width = Column.get_render_width(self, data_table)
        if self.cap is not None:
            width = min(width, self.cap + 2 * data_table.cell_padding)
        return width


class KeyedTable(DataTable[object], inherit_bindings=False):
    """DataTable keyed by resource (ARN, URL): ``sync(rows)`` reconciles in place.

    Enter is left to the pane (its ``open`` binding has an id a profile can remap);
    a mouse click still selects (``RowSelected``), which the pane treats as Enter.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "cursor_right", "Cursor right", show=False),
        Binding("left", "cursor_left", "Cursor left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home,g", "scroll_top", "Top", show=False),
        Binding("ctrl+end,G", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._cells: dict[str, Cells] = {}
        self._order: list[str] = []
        self._column_keys: list[str] = []
        self._drop_order: list[str] = []
        self._flex: str | None = None
        self._content_cache: LRUCache[tuple[object, ...], Any] = LRUCache(4096)
        self._placed_cache: LRUCache[tuple[object, ...], Any] = LRUCache(4096)
        self._stale: set[str] = set()  # rows changed while off screen, not yet invalidated

    # --- columns -----------------------------------------------------------------
    def set_columns(
        self, columns: Sequence[tuple[str, str]], *, drop_order: Sequence[str] = (), flex: str | None = None
    ) -> None:
        """(key, label) pairs; called once before the first sync.

        ``drop_order``: the columns a narrow terminal may hide, least important first.
        The first column (the row's name) is never hidden. ``flex``: a column that gets the
        room left by the others (cut to it), hidden only when less than FLEX_MIN is left.
        """
        self._column_keys = [key for key, _ in columns]
        self._flex = flex if flex in self._column_keys[1:] else None
        self._drop_order = [key for key in drop_order if key in self._column_keys[1:] and key != self._flex]
        for key, label in columns:
            # A fixed width that sync() grows: auto-width columns are re-measured cell by cell
            # (every cell of the column when one gets narrower), seconds at 2,000 rows.
            self.add_column(label, key=key, width=len(label))
            column = self.columns[ColumnKey(key)]
            self.columns[ColumnKey(key)] = _Column(column.key, column.label, column.width)
        self._fit_columns()

    @property
    def column_keys(self) -> list[str]:
        return list(self._column_keys)

    @property
    def shown_columns(self) -> list[str]:
        """Keys of the columns drawn at the current width, in order."""
        return [key for key in self._column_keys if not self._column(key).hidden]

    def _column(self, key: str) -> _Column:
        return self.columns[ColumnKey(key)]  # type: ignore[return-value]

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Show the droppable columns, most important first, while they fit; hide the rest.

        A wide column that does not fit leaves room for a narrower, less important one.
        """
        room = self.size.width - self.styles.scrollbar_size_vertical
        if room <= 0 or not (self._drop_order or self._flex):
            return  # not laid out yet, or nothing may be hidden
        pad = 2 * self.cell_padding
        fixed = [k for k in self._column_keys if k not in self._drop_order and k != self._flex]
        used = sum(self._column(k).width + pad for k in fixed)
        hide: set[str] = set()
        for key in reversed(self._drop_order):
            width = self._column(key).width + pad
            if used + width <= room:
                used += width
            else:
                hide.add(key)
        changed = False
        if self._flex is not None:
            flex = self._column(self._flex)
            left = room - used - pad
            cap = None if left >= flex.width else left
            if left < FLEX_MIN:
                hide.add(self._flex)
                cap = None
            if flex.cap != cap:
                flex.cap = cap
                changed = True
        for key in self._column_keys:
            column = self._column(key)
            if column.hidden != (key in hide):
                column.hidden = key in hide
                changed = True
        if changed:
            self._update_count += 1  # the row and cell render caches are keyed by it
            self._require_update_dimensions = True
            self.refresh(layout=True)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Any,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        if width <= 0:  # a hidden column: no segments, one empty line per line of the row
            if row_index < 0:
                return [[] for _ in range(self.header_height)]
            row = self.rows.get(self._row_locations.get_key(row_index))  # type: ignore[arg-type]
            return [[] for _ in range(row.height if row else 1)]
        if row_index < self.fixed_rows or column_index < self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines = self._cell_render_cache.get(key)  # type: ignore[arg-type]
        if lines is not None:
            return lines
        row = self.rows.get(row_key)  # type: ignore[arg-type]
        data = self._data.get(row_key)  # type: ignore[arg-type]
        cell = data.get(column_key) if data is not None else None  # type: ignore[arg-type]
        if row is None or row.height != 1 or not isinstance(cell, Text):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        content = (
            cell.plain,
            tuple(cell.spans),
            cell.style,
            cell.justify,
            cell.overflow,
            width,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.cursor_foreground_priority,
            self.cursor_background_priority,
            self.show_cursor,
        )
        # The same cell at the same place as before a refresh: nothing to do, not even the meta.
        placed_key = (row_index, column_index, content)
        lines = self._placed_cache.get(placed_key)
        if lines is None:
            meta = Style.from_meta({"row": row_index, "column": column_index})
            lines = [
                list(Segment.apply_style(line, post_style=meta))
                for line in self._render_cell_content(cell, content, base_style, width, cursor, hover)
            ]
            self._placed_cache[placed_key] = lines
        self._cell_render_cache[key] = lines  # type: ignore[arg-type]
        return lines

    def _render_cell_content(
        self, cell: Text, key: tuple[object, ...], base_style: Style, width: int, cursor: bool, hover: bool
    ) -> Any:
        """A cell's lines by what it shows, not where: most cells of a big table repeat
        ("0", "FARGATE", "COMPLETED"), and every update of a DataTable invalidates its
        per-position cache, so a repaint after a refresh renders few cells instead of all.

        Rendered exactly as DataTable renders a cell, minus the row/column meta (mouse
        clicks), which :meth:`_render_cell` adds per position.
        """
        lines = self._content_cache.get(key)
        if lines is None:
            component_style, post_style = self._get_styles_to_render_cell(
                False,
                False,
                False,
                hover,
                cursor,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
            lines = self.app.console.render_lines(
                Styled(
                    Padding(cell, (0, self.cell_padding)),
                    pre_style=base_style + component_style,
                    post_style=post_style,
                ),
                options,
            )
            self._content_cache[key] = lines
        return lines

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._content_cache.clear()  # a theme change: the same text renders in other colours
        self._placed_cache.clear()

    # --- where the user is -------------------------------------------------------
    @property
    def cursor_key(self) -> str | None:
        if not self._order or not (0 <= self.cursor_row < len(self._order)):
            return None
        return self._order[self.cursor_row]

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def visible_keys(self, margin: int = 0) -> list[str]:
        """Keys of the rows in the viewport (plus ``margin`` rows around it)."""
        height = max(1, self.scrollable_content_region.height or self.size.height or 24)
        start = max(0, int(self.scroll_y) - margin)
        end = min(len(self._order), int(self.scroll_y) + height + margin)
        return self._order[start:end]

    def select_key(self, key: str) -> bool:
        if key in self._cells:
            self.move_cursor(row=self._order.index(key))
            return True
        return False

    # --- the one update path -----------------------------------------------------
    def sync(self, rows: Sequence[tuple[str, Cells]]) -> SyncStats:
        stats = SyncStats()
        changed_keys: list[str] = []
        cursor_key = self.cursor_key
        cursor_row = self.cursor_row
        wanted = {key for key, _ in rows}
        gone = [key for key in self._order if key not in wanted]
        if gone:
            self._remove_rows(gone)
            stats.removed = len(gone)
        widths = [0] * len(self._column_keys)
        for key, cells in rows:
            old = self._cells.get(key)
            if old is not None and old is cells:
                continue  # the pane's cached row: unchanged by construction
            if any(isinstance(c, str) for c in cells):
                cells = tuple(_cell(c) for c in cells)
            if old is None:
                self.add_row(*cells, key=key)
                self._cells[key] = cells
                self._order.append(key)
                stats.added += 1
                _grow(widths, cells)
                continue
            if old == cells:
                continue
            data = self._data[RowKey(key)]
            changed_keys.append(key)
            for column, before, after in zip(self._column_keys, old, cells, strict=False):
                if before != after:
                    # What update_cell does, without a refresh and a cache flush per cell:
                    # one for the whole sync below (columns are fixed-width, see _widen).
                    data[ColumnKey(column)] = after
                    stats.updated_cells += 1
            self._cells[key] = cells
            _grow(widths, cells)
        if stats.updated_cells:
            # Every DataTable cache is keyed by the update count, so a bump repaints the whole
            # viewport. Rows changed off screen (the background fill) wait until one of them
            # scrolls into view (render_lines): a key press then is not queued behind a
            # repaint of rows that did not change.
            shown = set(self.visible_keys(margin=2))
            if any(key in shown for key in changed_keys):
                self._invalidate()
            else:
                self._stale.update(changed_keys)
        self._widen(widths)
        order = [key for key, _ in rows]
        if order != self._order or gone:
            self._set_order(order)
            stats.reordered = True
        if cursor_key is not None and cursor_key in self._cells:
            row = self._order.index(cursor_key)
            if row != self.cursor_row:
                self.move_cursor(row=row, scroll=False)
        elif self._order and cursor_row >= len(self._order):
            self.move_cursor(row=len(self._order) - 1, scroll=False)
        return stats

    def _invalidate(self) -> None:
        self._stale.clear()
        self._update_count += 1
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._stale and not self._stale.isdisjoint(self.visible_keys(margin=2)):
            self._stale.clear()
            self._update_count += 1  # before rendering: no cached line of a changed row is used
        return super().render_lines(crop)

    def _widen(self, widths: list[int]) -> None:
        changed = False
        for key, width in zip(self._column_keys, widths, strict=False):
            column = self.columns[ColumnKey(key)]
            if width > column.width:
                column.width = width
                changed = True
        if changed:
            self._require_update_dimensions = True
            self.refresh(layout=True)
            self._fit_columns()

    def _remove_rows(self, keys: Sequence[str]) -> None:
        for key in keys:
            row_key = RowKey(key)
            for column in self._column_keys:
                self._updated_cells.discard(CellKey(row_key, ColumnKey(column)))
            self._new_rows.discard(row_key)
            self.rows.pop(row_key, None)
            self._data.pop(row_key, None)
            self._cells.pop(key, None)
        removed = set(keys)
        self._order = [k for k in self._order if k not in removed]
        self._require_update_dimensions = True

    def _set_order(self, order: list[str]) -> None:
        from textual._two_way_dict import TwoWayDict

        self._order = list(order)
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(order)})
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh(layout=True)

    def reset(self) -> None:
        """Forget every row (a new context, not a refresh)."""
        self.clear()
        self._cells.clear()
        self._order.clear()
        self._stale.clear()

    def plain_row(self, key: str) -> list[str]:
        return [c.plain if isinstance(c, Text) else str(c) for c in self._cells.get(key, ())]


def _cell(value: object) -> object:
    if isinstance(value, str):  # a DataTable would parse a str as markup
        return aws(value)
    return value


def _grow(widths: list[int], cells: Cells) -> None:
    for i, cell in enumerate(cells[: len(widths)]):
        width = cell.cell_len if isinstance(cell, Text) else len(str(cell))
        if width > widths[i]:
            widths[i] = width
