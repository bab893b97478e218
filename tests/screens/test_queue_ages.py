"""The queues pane's OLDEST column: a failed age read is "?" for a queue holding messages, and the
next poll asks CloudWatch again (one failure must not leave the column at "-" for the session)."""

from __future__ import annotations

from tui_helpers import command, make_app, rows, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec
from screens.queues import QueuesScreen

DLQ = "document-verification-dlq"
OLDEST = 5  # the OLDEST column


def oldest(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r[0]: r[OLDEST] for r in rows(app, "queues")}


async def test_a_failed_age_read_is_unknown_then_read_again(
    settings: Settings, tui_world: DemoRuntime
) -> None:
    tui_world.server.middleware.set_faults(
        FaultSpec(server_error=1.0, only=frozenset({"monitoring"}), ops=frozenset({"GetMetricData"}))
    )
    app = make_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen_stack) >= 2)
        await command(pilot, "queues")
        await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.polls > 0)
        pane = app.screen
        assert isinstance(pane, QueuesScreen)
        assert oldest(app)[DLQ] == "?"  # 25 messages wait and their age is not known: not "-"
        assert oldest(app)["document-verification-queue"] == "-"  # nothing waits there
        assert not pane.status.error  # the age is a column, not the pane's error

        tui_world.server.middleware.set_faults(None)
        polls = pane.polls
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: pane.polls > polls)
        await wait_for(pilot, lambda: oldest(app)[DLQ].endswith("h"), timeout=20)  # seeded 3 days back
