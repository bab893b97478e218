"""While the demo world is still being made, the status line says so; once it is whole, it goes."""

from __future__ import annotations

from tui_helpers import make_app, wait_for

from console.api.world import WorldNotice
from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.clusters import ClustersScreen
from screens.widgets.bars import StatusLine


def status_lines(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    return [str(line.render()) for line in screen.query(StatusLine)]


async def test_the_status_line_says_the_world_is_still_filling_until_it_is_whole(
    settings: Settings, tui_world: DemoRuntime
) -> None:
    tui_world.filled.clear()  # the state a demo is in while it seeds behind its first screen
    try:
        app = make_app(settings)
        async with app.run_test(size=(160, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))
            await wait_for(pilot, lambda: any("demo world still filling" in s for s in status_lines(app)))
            assert app.world_notice == "demo world still filling: services, tasks, logs, metrics…"
            tui_world.mark_filled()
            await wait_for(pilot, lambda: not any("still filling" in s for s in status_lines(app)))
            assert app.world_notice == ""
            assert app.api.world.done  # whole once, whole for good: the asking stopped
    finally:
        tui_world.mark_filled()


async def test_an_endpoint_that_is_no_demo_has_nothing_to_say() -> None:
    assert await WorldNotice(None).notice() == ""
    assert await WorldNotice("http://127.0.0.1:9").notice() == ""
