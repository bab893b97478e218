"""Guards in the console (Pilot): a protected service's plan asks for its name typed; the scale
modal offers the bounds of the service's own tags (not only the profile's), each with its source."""

from __future__ import annotations

from textual.widgets import Button, Input

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.ops import audit
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.progress import ProgressScreen
from screens.modals.scale import ScaleScreen

from .support import Recorder, aws, wait_for
from .test_tui_ops import SIZE, finished, make_app, services_pane, settings

__all__ = ["settings"]  # the fixture, used by name

DOCU = ("docu-cr-backend-cluster", "docu-cr-backend-service")  # us-east-1, no guard tags, no profile rule


def tag(runtime: DemoRuntime, **tags: str) -> None:
    """Set guard tags on DOCU with plain boto3, as a teammate would (the world resets per test)."""
    client = aws(runtime, "ecs", "us-east-1")
    arn = client.describe_services(cluster=DOCU[0], services=[DOCU[1]])["services"][0]["serviceArn"]
    client.tag_resource(resourceArn=arn, tags=[{"key": k, "value": v} for k, v in tags.items()])


def sent(recorder: Recorder) -> list[str]:
    """The mutations sent, less the tagging this test did itself."""
    return [m for m in recorder.mutations() if m != "ecs.TagResource"]


def hint(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#confirm-hint").render())


async def test_a_protected_service_is_applied_from_the_console_by_typing_its_name(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    tag(ops_world, **{"opsconsole:protected": "true"})
    app = make_app(settings, DOCU[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, DOCU[1])
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        modal = app.screen
        assert isinstance(modal, ConfirmPlanScreen)
        assert "service tag opsconsole:protected" in str(modal.query_one("#confirm-type-reason").render())
        assert str(modal.query_one("#confirm-button", Button).label).startswith("Enter")
        assert isinstance(app.focused, Input)  # the field, so what is typed shows
        assert f"type {DOCU[1]} and press Enter" in hint(app)
        # y and n are letters here: typed into the field, neither applies nor cancels.
        await pilot.press("d", "o", "c", "u", "y", "n")
        assert app.screen is modal and modal.query_one("#confirm-name", Input).value == "docuyn"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is modal
        assert f"typed 'docuyn', not '{DOCU[1]}': nothing was sent" in hint(app)
        assert sent(recorder) == []
        field = modal.query_one("#confirm-name", Input)
        field.value = ""
        await pilot.press(*DOCU[1], "enter")
        progress = await finished(pilot, app)
        assert progress.ok, progress.query_one("#progress-state").render()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
    assert "ecs.UpdateService" in sent(recorder)
    entry = next(e for e in audit.entries() if e.get("action") == "redeploy")
    assert DOCU[1] in entry["target"]


async def test_esc_on_a_protected_plan_cancels_with_nothing_sent(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    tag(ops_world, **{"opsconsole:protected": "true"})
    app = make_app(settings, DOCU[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, DOCU[1])
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press(*DOCU[1], "escape")
        await wait_for(pilot, lambda: app.screen is pane)
        assert not isinstance(app.screen, ProgressScreen)
    assert sent(recorder) == []
    assert not audit.audit_path().exists()


async def test_the_scale_modal_offers_the_bounds_of_the_service_tags_with_their_source(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    tag(ops_world, **{"opsconsole:min-count": "1", "opsconsole:max-count": "2"})
    app = make_app(settings, DOCU[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, DOCU[1])
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        shown = str(app.screen.query_one("#scale-bounds").render())
        assert "allowed: 1–2" in shown
        assert "rule: max 2 (service tag opsconsole:max-count)" in shown
        assert "rule: min 1 (service tag opsconsole:min-count)" in shown
        field = app.screen.query_one("#scale-input", Input)
        field.value = "3"
        await pilot.pause()
        assert "above the rule max 2 (service tag opsconsole:max-count)" in str(
            app.screen.query_one("#scale-error").render()
        )
        assert app.screen.query_one("#scale-ok", Button).disabled
        field.value = "0"
        await pilot.pause()
        assert "below the rule min 1" in str(app.screen.query_one("#scale-error").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
    assert sent(recorder) == []
