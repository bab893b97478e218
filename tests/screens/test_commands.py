"""The `/` filter, the `:` command line and its aliases, `?` help, the palette, read-only marks."""

from __future__ import annotations

from typing import ClassVar

from tui_helpers import command, make_app, rows, wait_for

from console.config import Settings
from screens.bindings import mutating
from screens.clusters import ClustersScreen
from screens.commands import UnknownCommand, parse
from screens.logs import LogsScreen
from screens.modals.help import HelpScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen


def test_parse_aliases() -> None:
    assert parse(":svc") == ("services", "")
    assert parse("tasks") == ("tasks", "")
    assert parse(":cluster wwhd-cluster") == ("cluster", "wwhd-cluster")
    assert parse(":region us-east-2") == ("region", "us-east-2")
    assert parse(":profile demo") == ("profile", "demo")
    assert parse(":logs /ecs/wwhd") == ("logs", "/ecs/wwhd")
    assert parse(":dlq") == ("queues", "")
    try:
        parse(":servces")
    except UnknownCommand as exc:
        assert "did you mean" in str(exc)
    else:
        raise AssertionError("unknown command accepted")


async def test_filter_includes_and_excludes(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await pilot.press("slash", *"wwhd")
        await wait_for(pilot, lambda: [r[0] for r in rows(app, "clusters")] == ["wwhd-cluster"])
        await pilot.press("enter")  # keeps the filter, back to the table
        assert app.screen.filter_text == "wwhd"
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"!ap-south")
        await wait_for(pilot, lambda: len(rows(app, "clusters")) == 3)
        assert all(r[1] != "ap-south-1" for r in rows(app, "clusters"))
        await pilot.press("escape")  # clears the filter, stays on the pane
        await wait_for(pilot, lambda: len(rows(app, "clusters")) == 5)
        assert isinstance(app.screen, ClustersScreen)


async def test_command_line_navigates(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)

        await command(pilot, "cluster frameratr-dev-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        assert [r[0] for r in rows(app, "services")] == ["frameratr-dev-backend-service"]

        await command(pilot, "tasks")
        await wait_for(pilot, lambda: app.breadcrumb()[-1] == "frameratr-dev-backend-service tasks")

        await command(pilot, "logs")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))

        await command(pilot, "queues")
        await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.queues)
        queue_rows = {r[0]: r for r in rows(app, "queues")}
        dlq = queue_rows["document-verification-dlq"]
        assert "DLQ of document-verification" in dlq[6]
        assert dlq[7] == "document-verification-dlq-not-empty"  # its CloudWatch alarm, seeded firing
        assert queue_rows["document-verification-queue"][7] == "-"
        assert "1 queue alarm(s) firing" in app.screen.status.info
        assert int(dlq[2]) > 0  # the seeded failed messages

        await command(pilot, "clusters")
        assert isinstance(app.screen, ClustersScreen)

        await command(pilot, "region us-east-2")
        await wait_for(pilot, lambda: [r[0] for r in rows(app, "clusters")] == ["frameratr-dev-cluster"])

        await command(pilot, "region all")
        await wait_for(pilot, lambda: len(rows(app, "clusters")) == 5)

        await command(pilot, "svc")  # no cluster opened: every cluster's services
        await wait_for(
            pilot, lambda: isinstance(app.screen, ServicesScreen) and len(app.screen.services) >= 6
        )
        assert app.screen.columns[1][0] == "cluster"

        await command(pilot, "nonsense")
        await pilot.pause(0.1)
        assert any("unknown command" in str(n.message) for n in app._notifications)


class _WithOperation(ClustersScreen):
    """A pane with a mutating binding, as the operations helpers add them."""

    BINDINGS: ClassVar = [
        *ClustersScreen.BINDINGS,
        mutating("x", "explode", "Explode", id="clusters.explode"),
    ]

    def action_explode(self) -> None:
        self.exploded = True


async def test_help_lists_every_binding_with_ids_and_read_only_disables(settings: Settings) -> None:
    from dataclasses import replace

    app = make_app(replace(settings, read_only=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        pane = _WithOperation()
        app.push_pane(pane)
        await wait_for(pilot, lambda: app.screen is pane and pane.query("#clusters") and pane.table.keys)
        await pilot.press("x")
        assert not getattr(pane, "exploded", False)  # read-only: the action does not run
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        by_id = {r[3]: r for r in app.screen.rows}
        for binding_id in (
            "pane.back",
            "pane.filter",
            "clusters.open",
            "app.command",
            "app.help",
            "app.quit",
        ):
            assert binding_id in by_id, binding_id
        assert by_id["clusters.explode"][4] is False  # shown, disabled
        assert by_id["clusters.open"][4] is True
        await pilot.press("escape")
        assert app.screen is pane
        assert "READ-ONLY" in str(pane.query_one("#topbar").render())


async def test_keymap_from_profile_remaps_by_id(settings: Settings) -> None:
    from dataclasses import replace

    profile = replace(settings.profile, keys={"clusters.tasks": "y"})
    app = make_app(replace(settings, profile=profile))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.breadcrumb()[-1].endswith("tasks"))


async def test_palette_lists_pane_actions(settings: Settings) -> None:
    from screens.commands import PaneCommands

    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        provider = PaneCommands(app.screen)
        titles = [title for title, _cb, _help in provider._commands()]
        assert "Go to queues" in titles
        assert any("Filter" in t for t in titles)
        hits = [hit async for hit in provider.search("queues")]
        assert hits
