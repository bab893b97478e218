"""The operations in the console (Pilot): keys, input modals, the plan in the confirm modal, progress.

Confirm and cancel paths for each operation, bounds in the scale modal, the revision picker's
diffs, the stop reason, and read-only mode showing the keys disabled.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Button, Input

from console.api import ClientSettings, ConsoleApi
from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime
from console.ops import audit
from screens.app import OpsConsoleApp
from screens.detail.task import TaskDetailScreen
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.progress import ProgressScreen
from screens.modals.reason import StopReasonScreen
from screens.modals.revisions import RevisionPickerScreen
from screens.modals.scale import ScaleScreen
from screens.services import ServicesScreen
from screens.tasks import TasksScreen

from .support import AliveWatcher, Recorder, aws, wait_for

SIZE = (140, 40)


@pytest.fixture
def settings(ops_world: DemoRuntime) -> Settings:
    return Settings(
        profile=demo_profile(ops_world.endpoint),
        regions=tuple(ops_world.regions),
        endpoint_url=ops_world.endpoint,
        read_only=False,
    )


def make_app(settings: Settings, cluster: str) -> OpsConsoleApp:
    api = ConsoleApi(settings, client_settings=ClientSettings(max_attempts=3))
    return OpsConsoleApp(settings, api=api, poll_interval=0.3, cluster=cluster)


async def services_pane(pilot, app: OpsConsoleApp, service: str) -> ServicesScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ServicesScreen)
            and any(s.name == service for s in app.screen.services.values())
        ),
    )
    pane = app.screen
    assert isinstance(pane, ServicesScreen)
    key = next(k for k, s in pane.services.items() if s.name == service)
    pane.table.select_key(key)
    await pilot.pause()
    return pane


def plan_shown(app: OpsConsoleApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmPlanScreen)
    return screen.plan.render()


async def finished(pilot, app: OpsConsoleApp) -> ProgressScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished, timeout=30)
    screen = app.screen
    assert isinstance(screen, ProgressScreen)
    return screen


def desired(runtime: DemoRuntime, region: str, cluster: str, service: str) -> dict:
    return aws(runtime, "ecs", region).describe_services(cluster=cluster, services=[service])["services"][0]


# --- scale ------------------------------------------------------------------------------------------


async def test_scale_confirm_path(settings: Settings, ops_world: DemoRuntime, recorder: Recorder) -> None:
    app = make_app(settings, "frameratr-dev-cluster")
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, "frameratr-dev-backend-service")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        assert "allowed: 1–4" in str(app.screen.query_one("#scale-bounds").render())
        await pilot.press("3", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "desiredCount: 1 -> 3" in plan_shown(app)
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok, progress.query_one("#progress-state").render()
        assert progress.events  # the service events of the rollout were shown
    svc = desired(ops_world, "us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service")
    assert (svc["desiredCount"], svc["runningCount"]) == (3, 3)
    assert [
        {k: v for k, v in u.items() if k not in ("account", "region", "cluster", "service")}
        for u in recorder.of("ecs.UpdateService")
    ] == [{"desiredCount": 3}]
    entry, outcome = list(audit.entries())
    assert entry["action"] == "scale" and entry["after"] == {"desiredCount": 3}
    assert (outcome["outcome_of"], outcome["result"]) == (entry["id"], "completed")


async def test_scale_cancel_path_and_bounds(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, "frameratr-dev-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "frameratr-dev-backend-service")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        await pilot.press("9")
        await pilot.pause()
        assert "above the rule max 4" in str(app.screen.query_one("#scale-error").render())
        assert app.screen.query_one("#scale-ok", Button).disabled
        await pilot.press("enter")
        assert isinstance(app.screen, ScaleScreen)  # not accepted
        await pilot.press("backspace", "2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "desiredCount: 1 -> 2" in plan_shown(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is pane)
        # and Esc in the scale modal cancels too
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
    assert recorder.mutations() == []
    assert not audit.audit_path().exists()
    assert (
        desired(ops_world, "us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service")[
            "desiredCount"
        ]
        == 1
    )


# --- redeploy (stop-then-start) -------------------------------------------------------------------------


async def test_redeploy_of_a_single_writer_is_stop_first(settings: Settings, ops_world: DemoRuntime) -> None:
    app = make_app(settings, "wwhd-cluster")
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, "wwhd-backend")
        with AliveWatcher("us-east-1", "wwhd-cluster", "wwhd-backend") as watcher:
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
            text = plan_shown(app)
            assert text.startswith("redeploy-stop-first") and "single-writer" in text
            await pilot.press("y")
            progress = await finished(pilot, app)
        assert progress.ok
    assert watcher.samples and max(watcher.samples) <= 1


# --- rollback ---------------------------------------------------------------------------------------


async def test_rollback_picker_shows_diffs_and_deploys_the_choice(
    settings: Settings, ops_world: DemoRuntime
) -> None:
    app = make_app(settings, "asharvi-backend-cluster")
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, "asharvi-backend-prod")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionPickerScreen))
        picker = app.screen
        assert isinstance(picker, RevisionPickerScreen)
        assert [c.revision for c in picker.choices] == [5, 4, 3, 2, 1]
        diff = str(picker.query_one("#revision-diff-text").render())
        assert "asharvi-backend-prod:4 -> asharvi-backend-prod:3" in diff and "v1.6.1" in diff
        await pilot.press("up", "up")  # to :5, the broken one: its diff shows
        await pilot.pause()
        assert "v1.8.0" in str(picker.query_one("#revision-diff-text").render())
        await pilot.press("down", "down", "enter")  # back to the default, :3
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "taskDefinition: asharvi-backend-prod:4 -> asharvi-backend-prod:3" in plan_shown(app)
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok
    svc = desired(ops_world, "ap-south-1", "asharvi-backend-cluster", "asharvi-backend-prod")
    assert svc["taskDefinition"].endswith(":3")


async def test_rollback_picker_cancel(settings: Settings, ops_world: DemoRuntime, recorder: Recorder) -> None:
    app = make_app(settings, "asharvi-backend-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "asharvi-backend-prod")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionPickerScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
    assert recorder.mutations() == []


# --- stop task ----------------------------------------------------------------------------------------


async def test_stop_task_asks_for_a_reason(settings: Settings, ops_world: DemoRuntime) -> None:
    app = make_app(settings, "docu-cr-backend-cluster")
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, "docu-cr-backend-service")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.tasks)
        task = app.screen.selected_task()
        assert task is not None
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, StopReasonScreen))
        await pilot.press("enter")
        assert "a reason is required" in str(app.screen.query_one("#reason-error").render())
        app.screen.query_one("#reason-input", Input).value = "stuck worker [INC-7]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "reason: stuck worker [INC-7]" in plan_shown(app)
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok
    stopped = aws(ops_world, "ecs", "us-east-1").describe_tasks(
        cluster="docu-cr-backend-cluster", tasks=[task.arn]
    )
    assert stopped["tasks"][0]["stoppedReason"] == "stuck worker [INC-7]"
    assert [e for e in audit.entries() if "id" in e][-1]["after"]["reason"] == "stuck worker [INC-7]"


# --- read-only ----------------------------------------------------------------------------------------


async def test_read_only_shows_the_operation_keys_disabled(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(replace(settings, read_only=True), "wwhd-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "wwhd-backend")
        shown = {
            key: b
            for key, b in pane.active_bindings.items()
            if b.binding.action in ("scale", "redeploy", "rollback")
        }
        assert set(shown) == {"s", "r", "b"}
        assert not any(b.enabled for b in shown.values())  # present, disabled
        for key in ("s", "r", "R", "b"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is pane
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.tasks)
        stop = app.screen.active_bindings["k"]
        assert stop.binding.action == "stop_task" and not stop.enabled
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        assert not app.screen.active_bindings["k"].enabled
    assert recorder.mutations() == []


# --- confirmations that never mislead (issue 15) -------------------------------------------------------


def status_notice(pane: object) -> str:
    from screens.widgets.bars import StatusLine

    return str(pane.query_one(StatusLine).notice)  # type: ignore[attr-defined]


def button_label(app: OpsConsoleApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Button).label)


async def test_plan_buttons_show_their_keys_and_say_what_enter_does(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, "frameratr-dev-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "frameratr-dev-backend-service")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        assert button_label(app, "#scale-ok") == "Enter Plan"
        assert button_label(app, "#scale-cancel") == "Esc Cancel"
        await pilot.press("2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        modal = app.screen
        assert button_label(app, "#confirm-button") == "y Apply"  # the key as typed, not eaten as markup
        assert button_label(app, "#cancel-button") == "n Cancel"
        assert modal.focused is modal.query_one("#confirm-button")
        assert "Enter applies" in str(modal.query_one("#confirm-hint").render())
        await pilot.press("right")  # to Cancel: the line follows the focus
        assert modal.focused is modal.query_one("#cancel-button")
        assert "Enter cancels" in str(modal.query_one("#confirm-hint").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is pane)
        assert status_notice(pane) == "cancelled: nothing was sent"
        # Esc in the plan cancels too, and says so again
        pane.query_one("#status").set_notice("")  # type: ignore[attr-defined]
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        await pilot.press("backspace", "3", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
        assert status_notice(pane) == "cancelled: nothing was sent"
        pane.query_one("#status").set_notice("")  # type: ignore[attr-defined]
        await pilot.press("s")  # and a cancel of the count modal before any plan
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: status_notice(pane) == "cancelled: nothing was sent")
    assert recorder.mutations() == []


async def test_enter_on_a_plan_with_warnings_says_so_and_focus_stays_on_the_buttons(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, "wwhd-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "wwhd-backend")
        await pilot.press("R")  # stop-then-start: a plan with warnings
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        modal = app.screen
        assert isinstance(modal, ConfirmPlanScreen) and modal.plan.warnings
        assert modal.focused is modal.query_one("#confirm-button")  # the same button as every plan
        assert "Enter does not apply" in str(modal.query_one("#confirm-hint").render())
        for key in ("left", "left", "left", "right", "tab", "shift+tab", "left"):
            await pilot.press(key)
            focused = modal.focused
            assert isinstance(focused, Button) and focused.display and focused.region.area, key
        modal.query_one("#confirm-button").focus()
        await pilot.pause()
        await pilot.press("enter")  # neither applies nor cancels silently: it says so
        await pilot.pause()
        assert app.screen is modal
        assert "Enter does nothing on a plan with warnings" in str(modal.query_one("#confirm-hint").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane)
        assert status_notice(pane) == "cancelled: nothing was sent"
    assert recorder.mutations() == []


async def test_read_only_keys_say_they_are_disabled(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(replace(settings, read_only=True), "wwhd-cluster")
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, "wwhd-backend")
        for key, said in (
            ("s", "read-only: scale is disabled"),
            ("r", "read-only: redeploy is disabled"),
            ("R", "read-only: stop-then-start is disabled"),
            ("b", "read-only: deploy revision… is disabled"),
            ("i", "read-only: deploy image… is disabled"),
            ("x", "read-only: abort deployment is disabled"),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda said=said: status_notice(pane) == said)
            assert app.screen is pane
    assert recorder.mutations() == []


async def test_stop_task_title_has_its_own_line_break(settings: Settings, ops_world: DemoRuntime) -> None:
    app = make_app(settings, "docu-cr-backend-cluster")
    async with app.run_test(size=SIZE) as pilot:
        await services_pane(pilot, app, "docu-cr-backend-service")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.tasks)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, StopReasonScreen))
        head = app.screen.query_one("#reason-head").render()
        text = getattr(head, "plain", str(head))
        assert "␊" not in text and len(text.splitlines()) == 2
        assert button_label(app, "#reason-ok") == "Enter Plan"
