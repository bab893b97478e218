"""`:cluster`, `:svc`, `:queues`, `:logs` complete names with Tab and suggest close matches;
`:cluster X` and `:region R` replace the stack; the breadcrumb keeps the current place."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from tui_helpers import command, make_app, rows, wait_for

from console.config import Settings
from console.names import close_matches
from screens.commands import complete
from screens.detail.queue import QueueDetailScreen
from screens.detail.service import ServiceDetailScreen
from screens.logs import LogsScreen
from screens.modals.command_line import CommandLineScreen
from screens.services import ServicesScreen
from screens.widgets.bars import TopBar, breadcrumb_text


def test_close_matches_take_prefixes_and_fragments_first() -> None:
    known = ["docu-cr-backend-cluster", "document-verification-cluster", "wwhd-cluster"]
    assert close_matches("doc", known) == ["docu-cr-backend-cluster", "document-verification-cluster"]
    assert close_matches("verif", known) == ["document-verification-cluster"]
    assert close_matches("whwd-cluster", known)[0] == "wwhd-cluster"
    assert close_matches("zzz", known) == []


def test_complete_verbs_and_names() -> None:
    names = {"cluster": ["wwhd-cluster", "docu-cr-backend-cluster"], "logs": ["/ecs/a", "/ecs/b"]}
    assert complete("clu", names.get).first == "cluster"
    assert complete("cluster docu", names.get).first == "cluster docu-cr-backend-cluster"
    assert complete("cl wwhd", names.get).first == "cl wwhd-cluster"
    assert complete("logs /ecs/a /ecs/", lambda k: names.get(k, [])).lines == (
        "logs /ecs/a /ecs/a",
        "logs /ecs/a /ecs/b",
    )
    assert complete("tasks x", names.get).lines == ()


def test_breadcrumb_cut_from_the_left_keeps_the_current_place() -> None:
    crumbs = ["clusters", "wwhd-cluster", "wwhd-backend", "wwhd-backend tasks"]
    assert breadcrumb_text(crumbs, 200).plain == " › ".join(crumbs)
    cut = breadcrumb_text(crumbs, 40).plain
    assert cut.startswith("… › ") and cut.endswith("wwhd-backend › wwhd-backend tasks")
    assert len(cut) <= 40
    tiny = breadcrumb_text(crumbs, 10).plain
    assert tiny.endswith("nd tasks") and tiny.startswith("…") and len(tiny) <= 10


async def _open_command_line(pilot: Any, text: str) -> CommandLineScreen:
    app = pilot.app
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandLineScreen) and app.screen.focused)
    await pilot.press(*text)
    screen = app.screen
    assert isinstance(screen, CommandLineScreen)
    return screen


def _hint(screen: CommandLineScreen) -> str:
    rendered = screen.query_one("#command-hint").render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


async def test_tab_completes_a_cluster_and_enter_opens_it(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        line = await _open_command_line(pilot, "cluster doc")
        await wait_for(pilot, lambda: "docu-cr-backend-cluster" in _hint(line))
        assert "document-verification-cluster" in _hint(line)  # both candidates are listed
        await pilot.press("tab")
        await wait_for(pilot, lambda: line.input.value == "cluster docu-cr-backend-cluster")
        await pilot.press("tab")  # Tab again: the next candidate
        await wait_for(pilot, lambda: line.input.value == "cluster document-verification-cluster")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        assert app.breadcrumb() == ["clusters", "document-verification-cluster"]


async def test_unknown_cluster_suggests_close_names(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await command(pilot, "cluster doc")
        await wait_for(pilot, lambda: any("unknown cluster" in str(n.message) for n in app._notifications))
        message = next(str(n.message) for n in app._notifications if "unknown cluster" in str(n.message))
        assert "did you mean docu-cr-backend-cluster" in message


async def test_cluster_and_region_replace_the_stack(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await command(pilot, "cluster wwhd-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await command(pilot, "tasks")
        await wait_for(pilot, lambda: app.breadcrumb()[-1].endswith("tasks"))
        await command(pilot, "cluster frameratr-dev-cluster")
        await wait_for(pilot, lambda: app.breadcrumb() == ["clusters", "frameratr-dev-cluster"])
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await command(pilot, "cluster wwhd-cluster")
        await wait_for(pilot, lambda: app.breadcrumb() == ["clusters", "wwhd-cluster"])
        await command(pilot, "region us-east-2")
        await wait_for(pilot, lambda: app.breadcrumb() == ["clusters"])
        await wait_for(pilot, lambda: [r[0] for r in rows(app, "clusters")] == ["frameratr-dev-cluster"])
        await command(pilot, "cluster frameratr-dev-cluster")
        await wait_for(pilot, lambda: app.breadcrumb() == ["clusters", "frameratr-dev-cluster"])


async def test_breadcrumb_on_screen_keeps_the_current_place_at_80_columns(settings: Settings) -> None:
    app = make_app(settings, demo_label="DEMO")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await command(pilot, "cluster document-verification-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await command(pilot, "tasks")
        await wait_for(pilot, lambda: app.breadcrumb()[-1].endswith("tasks"))
        current = app.breadcrumb()[-1]

        def top() -> str:
            rendered = app.screen.query_one("#topbar", TopBar).render()
            return rendered.plain if isinstance(rendered, Text) else str(rendered)

        await wait_for(pilot, lambda: current in top())
        assert "… › " in top()  # the older crumbs were cut, and that is marked
        assert top().index(current) + len(current) <= 78  # within the bar's 78 cells


async def test_svc_and_queues_open_by_name_and_suggest(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await command(pilot, "cluster wwhd-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        line = await _open_command_line(pilot, "svc back")
        await pilot.press("tab")
        await wait_for(pilot, lambda: line.input.value == "svc wwhd-backend")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen))
        assert app.screen.service.name == "wwhd-backend"

        await command(pilot, "svc wwhd-backnd")
        await wait_for(
            pilot, lambda: any("did you mean wwhd-backend" in str(n.message) for n in app._notifications)
        )

        line = await _open_command_line(pilot, "queues verification-d")
        await wait_for(pilot, lambda: "document-verification-dlq" in _hint(line))
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueDetailScreen))
        assert app.screen.queue.name == "document-verification-dlq"


async def test_logs_alone_offers_the_groups_of_the_place(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        await command(pilot, "logs")  # on the clusters pane: no service in view
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLineScreen))
        line = app.screen
        assert isinstance(line, CommandLineScreen)
        await wait_for(pilot, lambda: "/ecs/docu-cr-backend" in _hint(line))
        assert line.input.value == "logs "
        await pilot.press(*"docu", "tab")
        await wait_for(pilot, lambda: line.input.value == "logs /ecs/docu-cr-backend")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        assert app.screen.group == "/ecs/docu-cr-backend"
