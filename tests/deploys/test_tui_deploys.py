"""The deploy keys in the console (Pilot): the image picker and the revision picker."""

from __future__ import annotations

from ops.support import Recorder, wait_for
from ops.test_tui_ops import SIZE, finished, make_app, plan_shown, services_pane, status_notice
from textual.widgets import OptionList

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.images import ImagePickerScreen

from .helpers import FRAMERATR, FRAMERATR_REGION, FRAMERATR_REPO, push, running_td


def option_texts(screen: ImagePickerScreen) -> list[str]:
    options = screen.query_one("#image-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_image_picker_lists_tags_newest_first_marks_the_running_one_and_deploys(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    digest = push(ops_world, FRAMERATR_REGION, FRAMERATR_REPO, "5a5e7f1")
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, FRAMERATR[1])
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImagePickerScreen), timeout=15)
        screen = app.screen
        assert isinstance(screen, ImagePickerScreen)
        rows = option_texts(screen)
        assert rows[0].startswith("5a5e7f1") and digest[:19] in rows[0]  # the new push first
        assert [r.split()[0].rstrip(",") for r in rows[1:]] == ["9c04d3e", "2f61b0a", "latest"]
        running = [r for r in rows if "(running)" in r]
        assert len(running) == 1 and running[0].startswith("9c04d3e")
        assert " MB" in rows[0] and "UTC" in rows[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        plan = plan_shown(app)
        assert "deploy service frameratr-dev-cluster/frameratr-dev-backend-service (us-east-2)" in plan
        assert ":9c04d3e -> " in plan and ":5a5e7f1" in plan
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok
    assert running_td(ops_world)["containerDefinitions"][0]["image"].endswith(":5a5e7f1")
    assert len(recorder.of("ecs.RegisterTaskDefinition")) == 1


async def test_image_picker_cancel_sends_nothing(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, FRAMERATR[1])
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ImagePickerScreen), timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: status_notice(pane) == "cancelled: nothing was sent")
    assert recorder.mutations() == []
