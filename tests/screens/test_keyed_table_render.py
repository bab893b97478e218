"""KeyedTable renders every cell exactly as DataTable does, through its content cache and
its batched cell updates (the two shortcuts that keep a 2,000-row table quick)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from screens.widgets.keyed_table import KeyedTable

COLUMNS = [("name", "NAME"), ("state", "STATE"), ("count", "COUNT"), ("note", "NOTE")]

CELLS = [
    (Text("api", style="bold"), Text("ACTIVE", style="green"), Text("3"), Text("")),
    (Text("worker-with-a-long-name"), Text("DRAINING", style="yellow"), Text("0"), Text("日本語のテキスト")),
    (Text("[bold]x[/]"), Text("ACTIVE", style="green"), Text("12", justify="right"), Text("a" * 80)),
    (Text.assemble(("mix", "red"), " ", ("ed", "blue")), Text("-", style="dim"), Text("3"), Text("\x1b[31m")),
]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        table = KeyedTable(id="t")
        table.set_columns(COLUMNS)
        yield table


def all_cells(table: KeyedTable, reference: bool) -> list[object]:
    out = []
    base = Style(bgcolor="black")
    for row in range(len(table.keys)):
        for column in range(len(COLUMNS)):
            width = table.ordered_columns[column].get_render_width(table)
            for cursor, hover in ((False, False), (True, False), (False, True)):
                table._cell_render_cache.clear()
                if reference:
                    lines = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                else:
                    lines = table._render_cell(row, column, base, width, cursor, hover)
                out.append([[(s.text, s.style) for s in line] for line in lines])
    return out


async def test_cells_render_as_datatable_renders_them() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(KeyedTable)
        table.sync([(f"k{i}", cells) for i, cells in enumerate(CELLS)])
        await pilot.pause()
        ours = all_cells(table, reference=False)
        again = all_cells(table, reference=False)  # from the content cache this time
        theirs = all_cells(table, reference=True)
        assert ours == theirs
        assert again == theirs
        # The row/column meta (what a mouse click reads) is per position, not shared by the cache.
        metas = {
            style.meta.get("row")
            for cell in ours
            for line in cell
            for _text, style in line
            if style and style.meta
        }
        assert metas == set(range(len(CELLS)))


async def test_a_batched_update_shows_the_new_values() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(KeyedTable)
        table.sync([(f"k{i}", cells) for i, cells in enumerate(CELLS)])
        await pilot.pause()
        changed = [(f"k{i}", (c[0], Text("STOPPED", style="red"), c[2], c[3])) for i, c in enumerate(CELLS)]
        stats = table.sync(changed)
        await pilot.pause()
        assert stats.updated_cells == len(CELLS)  # every STATE cell changed, nothing else
        assert [table.get_cell(f"k{i}", "state").plain for i in range(len(CELLS))] == ["STOPPED"] * len(CELLS)
        rendered = "".join(seg.text for seg in table.render_line(1))
        assert "STOPPED" in rendered and "ACTIVE" not in rendered


async def test_a_row_changed_off_screen_shows_its_new_value_when_scrolled_to() -> None:
    """Off-screen changes do not repaint the viewport, yet are never shown stale."""
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(KeyedTable)

        def rows(state: str, last: str) -> list[tuple[str, tuple[Text, ...]]]:
            out = [(f"k{i:03d}", (Text(f"svc-{i:03d}"), Text(state), Text("1"), Text(""))) for i in range(60)]
            out[-1] = ("k059", (Text("svc-059"), Text(last), Text("1"), Text("")))
            return out

        table.sync(rows("ACTIVE", "ACTIVE"))
        await pilot.pause()
        table.move_cursor(row=59)  # the last row is rendered once: its lines are cached
        await pilot.pause()
        table.move_cursor(row=0)
        await pilot.pause()
        before = table._update_count
        table.sync(rows("ACTIVE", "DRAINING"))  # only the last row changes, far off screen
        await pilot.pause()
        assert table._update_count == before  # nothing on screen changed: no repaint
        table.move_cursor(row=59)
        await pilot.pause()
        shown = [("".join(s.text for s in table.render_line(y))) for y in range(table.size.height)]
        assert any("svc-059" in line and "DRAINING" in line for line in shown)
        assert not any("svc-059" in line and "ACTIVE" in line for line in shown)
