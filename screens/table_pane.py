"""A pane that is one keyed table: clusters, queues, tasks, alarms, a timeline.

Each names its table (id, columns, which to drop first when narrow) and renders its rows;
the table, the filter's re-render and the row under the cursor are the same for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from textual.app import ComposeResult

from screens import fleet
from screens.pane import PaneScreen
from screens.widgets.keyed_table import KeyedTable

R = TypeVar("R")


@dataclass(frozen=True)
class TableSpec:
    """A pane's table: its id, (key, label) columns, what a narrow terminal drops first, and the
    column that takes the width left over (see KeyedTable.set_columns)."""

    id: str
    columns: Sequence[tuple[str, str]]
    drop_order: Sequence[str] = ()
    flex: str | None = None


class TablePane(PaneScreen):
    spec: ClassVar[TableSpec]
    account_column: ClassVar[bool] = False  # a fleet's ACCOUNT column (screens.fleet) after the name

    def compose_body(self) -> ComposeResult:
        spec = self.spec
        table = KeyedTable(id=spec.id)
        columns, drop_order = spec.columns, spec.drop_order
        if self.account_column:
            columns, drop_order = fleet.with_account(columns, drop_order, self.host.settings.regions)
        table.set_columns(columns, drop_order=drop_order, flex=spec.flex)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one(f"#{self.spec.id}", KeyedTable)

    def render_rows(self) -> None:
        """Show the rows read last, through the current filter."""

    def apply_filter(self) -> None:
        self.render_rows()

    def under_cursor(self, rows: Mapping[str, R]) -> R | None:
        """The row of ``rows`` (by table key) the cursor is on."""
        key = self.table.cursor_key
        return rows.get(key) if key else None
