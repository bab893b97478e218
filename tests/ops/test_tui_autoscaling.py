"""Auto scaling in the console (Pilot): the service detail's section, and ``A`` through the plan."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.ops import audit
from screens.detail.service import ServiceDetailScreen
from screens.modals.autoscaling import AutoScalingScreen, check_bounds
from screens.modals.confirm import ConfirmPlanScreen

from .scaling_support import FRAMERATR, target
from .support import Recorder, wait_for
from .test_tui_ops import SIZE, finished, make_app, plan_shown, services_pane, settings, status_notice

__all__ = ["settings"]  # the fixture, shared with the other console tests


def section(screen: object) -> str:
    widget = screen.query_one("#autoscaling", Static)  # type: ignore[attr-defined]
    return str(getattr(widget.render(), "plain", widget.render()))


async def detail(pilot, app, service: str) -> ServiceDetailScreen:  # type: ignore[no-untyped-def]
    await services_pane(pilot, app, service)
    await pilot.press("d")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and "min" in section(app.screen)
    )
    return app.screen  # type: ignore[no-any-return]


def test_the_bounds_are_checked_as_typed() -> None:
    assert check_bounds("2", "3") == ((2, 3), "")
    assert check_bounds("4", "3") == (None, "min 4 is above max 3")
    assert check_bounds("", "3") == (None, "min: a whole number of tasks, please")


async def test_the_detail_shows_the_target_and_A_changes_it(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await detail(pilot, app, FRAMERATR[1])
        shown = section(pane)
        assert "min 1, max 4, scale-in suspended" in shown  # the operations tests hold it
        assert "policy frameratr-cpu-target: target tracking: ECSServiceAverageCPUUtilization at 60" in shown
        assert "A changes min/max or suspends scale-in" in shown
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AutoScalingScreen))
        await pilot.press("2", "tab", "3", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        plan = plan_shown(app)
        assert "MinCapacity: 1 -> 2" in plan and "MaxCapacity: 4 -> 3" in plan
        await pilot.press("y")
        progress = await finished(pilot, app)
        assert progress.ok
        await pilot.press("escape")  # the detail polls again once no modal is open
        await wait_for(pilot, lambda: app.screen is pane and "min 2, max 3" in section(pane))
    found = target(ops_world)
    assert (found["MinCapacity"], found["MaxCapacity"]) == (2, 3)
    assert len(recorder.of("application-autoscaling.RegisterScalableTarget")) == 1
    assert [e["action"] for e in audit.entries()] == ["autoscaling", "autoscaling"]  # sent, outcome


async def test_A_is_refused_in_read_only_mode_and_esc_cancels(
    settings: Settings, ops_world: DemoRuntime, recorder: Recorder
) -> None:
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await detail(pilot, app, FRAMERATR[1])
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AutoScalingScreen))
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: app.screen is pane and status_notice(pane) == "cancelled: nothing was sent"
        )
    app = make_app(replace(settings, read_only=True), FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await detail(pilot, app, FRAMERATR[1])
        await pilot.press("A")
        await wait_for(pilot, lambda: status_notice(pane) == "read-only: auto scaling is disabled")
        assert app.screen is pane
    assert not recorder.of("application-autoscaling.RegisterScalableTarget")
