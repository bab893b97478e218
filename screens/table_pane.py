"""A pane that is one keyed table: clusters, queues, tasks, alarms, a timeline.

Each names its table (id, columns, which to drop first when narrow) and renders its rows;
the table, the filter's re-render and the row under the cursor are the same for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, TypeVar

from textual.app import ComposeResult

from screens.pane import PaneScreen
from screens.widgets.keyed_table import KeyedTable

R = TypeVar("R")


class TablePane(PaneScreen):
    table_id: ClassVar[str] = ""
    columns: ClassVar[Sequence[tuple[str, str]]] = ()
    drop_order: ClassVar[Sequence[str]] = ()
    flex: ClassVar[str | None] = None  # the column that takes the width left over

    def compose_body(self) -> ComposeResult:
        table = KeyedTable(id=self.table_id)
        table.set_columns(self.columns, drop_order=self.drop_order, flex=self.flex)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one(f"#{self.table_id}", KeyedTable)

    def render_rows(self) -> None:
        """Show the rows read last, through the current filter."""

    def apply_filter(self) -> None:
        self.render_rows()

    def under_cursor(self, rows: Mapping[str, R]) -> R | None:
        """The row of ``rows`` (by table key) the cursor is on."""
        key = self.table.cursor_key
        return rows.get(key) if key else None
