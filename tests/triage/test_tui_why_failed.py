"""A deployment whose verify ends failed in the console shows why's findings in its progress modal."""

from __future__ import annotations

from tui_helpers import make_app, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.progress import ProgressScreen
from screens.modals.revisions import RevisionPickerScreen
from screens.services import ServicesScreen
from tests.triage.test_tui_triage import ASHARVI_PROD, on_service


async def test_a_failed_rollback_shows_why_it_failed(settings: Settings, triage_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 50)) as pilot:
        await on_service(pilot, app, "asharvi-backend-cluster", ASHARVI_PROD)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionPickerScreen))
        await pilot.press("up", "up")  # :5, the image built without dist/config/env.js
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished, timeout=90
        )
        progress = app.screen
        assert isinstance(progress, ProgressScreen) and progress.ok is False

        def why_text() -> str:
            found = progress.query("#progress-why")
            return str(found.first().render()) if found else ""

        await wait_for(
            pilot, lambda: "why it failed:" in why_text() and "reading" not in why_text(), timeout=40
        )
        text = why_text()
        assert "essential-container-exited" in text or "circuit-breaker-rolled-back" in text, text
        assert isinstance(app.screen_stack[-2], ServicesScreen)
