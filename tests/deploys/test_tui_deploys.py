"""The deploy keys in the console (Pilot): the image picker and the revision picker."""

from __future__ import annotations

import asyncio

import pytest
from ops.support import Recorder, wait_for
from ops.test_cli_ops import cli
from ops.test_tui_ops import SIZE, finished, make_app, plan_shown, services_pane, status_notice
from textual.widgets import OptionList, Static

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.images import ImagePickerScreen
from screens.modals.revisions import RevisionPickerScreen

from .helpers import ASHARVI, FRAMERATR, FRAMERATR_REGION, FRAMERATR_REPO, push, running_td


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


async def test_revision_picker_marks_a_failed_revision_diffs_any_two_and_asks_twice(
    capsys: pytest.CaptureFixture[str], settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = await asyncio.to_thread(
        cli, capsys, ops_world, "rollback", *ASHARVI, "--to", "5", "--yes", "--wait", "--timeout", "90"
    )
    assert rc == 1, out + err  # the breaker rolled :5 back to :4
    recorder.calls.clear()
    app = make_app(settings, ASHARVI[0])
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, ASHARVI[1])
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionPickerScreen), timeout=15)
        picker = app.screen
        assert isinstance(picker, RevisionPickerScreen)
        options = picker.query_one("#revision-list", OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        five = next(i for i, r in enumerate(rows) if "asharvi-backend-prod:5 " in r)
        assert rows[five].startswith("✗ ") and "rolled back by the breaker" in rows[five]
        four = next(r for r in rows if "asharvi-backend-prod:4 " in r)
        assert "steady" in four and "(running)" in four
        one = next(i for i, r in enumerate(rows) if "asharvi-backend-prod:1 " in r)
        two = next(i for i, r in enumerate(rows) if "asharvi-backend-prod:2 " in r)
        options.highlighted = one
        await pilot.press("m")
        options.highlighted = two
        await pilot.pause()
        diff = str(picker.query_one("#revision-diff-text", Static).render())
        assert (
            "asharvi-backend-prod:1 -> asharvi-backend-prod:2" in diff
        )  # any two, not only neighbours of the running one
        options.highlighted = five
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConfirmPlanScreen) and app.screen.confirm_label == "Deploy anyway",
        )
        assert "was rolled back by the breaker when last deployed" in plan_shown(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmPlanScreen))
    assert recorder.mutations() == []


async def test_x_aborts_a_deployment_in_progress_and_the_previous_revision_is_steady(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    from ops.support import aws as boto

    from .test_abort_fail_fast import register_bad_image

    before = running_td(ops_world)["revision"]
    bad = register_bad_image(ops_world)
    ecs = boto(ops_world, "ecs", FRAMERATR_REGION)
    # A deploy of a build that was never pushed, started as a script would (boto3).
    ecs.update_service(cluster=FRAMERATR[0], service=FRAMERATR[1], taskDefinition=f"{FRAMERATR_REPO}:{bad}")
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, FRAMERATR[1])
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        plan = plan_shown(app)
        assert "abort service frameratr-dev-cluster/frameratr-dev-backend-service (us-east-2)" in plan
        assert f"rolled back to frameratr-dev-backend:{before}" in plan
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok, progress.query_one("#progress-state").render()
    stops = recorder.of("ecs.StopServiceDeployment")
    assert len(stops) == 1 and stops[0]["stopType"] == "ROLLBACK"
    svc = ecs.describe_services(cluster=FRAMERATR[0], services=[FRAMERATR[1]])["services"][0]
    assert svc["taskDefinition"].endswith(f":{before}") and len(svc["deployments"]) == 1
