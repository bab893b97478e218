"""The tables of the detail panes: keyed, as tall as their rows, columns named in one line."""

from __future__ import annotations

from screens.widgets.keyed_table import KeyedTable


def detail_table(table_id: str, columns: str) -> KeyedTable:
    """A detail pane's table; ``columns``: ``"key=LABEL, key=LABEL"`` in their order."""
    table = KeyedTable(id=table_id, classes="auto")
    pairs = [column.split("=", 1) for column in columns.split(", ")]
    table.set_columns([(key, label) for key, label in pairs])
    return table
