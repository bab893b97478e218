"""``:incident NAME`` in the demo console: the world changes through the demo's own route."""

from __future__ import annotations

from tui_helpers import make_app, wait_for

from console.config import Settings
from console.demo import incidents
from console.demo.runtime import DemoRuntime


def said(app: object, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)  # type: ignore[attr-defined]


async def test_incident_starts_and_resolves_from_the_command_line(
    settings: Settings, tui_world: DemoRuntime
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 45)) as pilot:
        app.run_command_line("incident bad-image")
        await wait_for(pilot, lambda: said(app, "incident started: bad-image"))
        assert "bad-image" in incidents.active()
        app.run_command_line("incident resolve bad-image")
        await wait_for(pilot, lambda: said(app, "incident resolved: bad-image"))
        assert "bad-image" not in incidents.active()
        app.run_command_line("incident no-such-thing")
        await wait_for(pilot, lambda: said(app, "incident no-such-thing:"))
        assert incidents.active() == []
