"""``c`` copies the selected row's ARN through the terminal's clipboard; ``U`` shows its console URL;
``opsconsole url`` prints it (Pilot and the CLI, against the embedded AWS)."""

from __future__ import annotations

import pytest

from console.cli import main
from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.tasks import TasksScreen

from .support import wait_for
from .test_tui_ops import SIZE, make_app, services_pane, settings, status_notice

__all__ = ["settings"]  # the fixture, shared with the other console tests

FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")
ACCOUNT = "123456789012"


async def test_c_copies_the_arn_and_U_shows_the_console_url(
    settings: Settings, ops_world: DemoRuntime
) -> None:
    app = make_app(settings, FRAMERATR[0])
    async with app.run_test(size=SIZE) as pilot:
        pane = await services_pane(pilot, app, FRAMERATR[1])
        arn = f"arn:aws:ecs:us-east-2:{ACCOUNT}:service/{FRAMERATR[0]}/{FRAMERATR[1]}"
        await pilot.press("c")
        await wait_for(pilot, lambda: app.clipboard == arn)
        assert status_notice(pane) == f"copied ARN: {arn}"
        await pilot.press("U")
        url = (
            "https://us-east-2.console.aws.amazon.com/ecs/v2/clusters/frameratr-dev-cluster/services/"
            "frameratr-dev-backend-service/health?region=us-east-2"
        )
        await wait_for(pilot, lambda: url in status_notice(pane))
        assert f"(account {ACCOUNT}, us-east-2)" in status_notice(pane)
        assert "not in AWS's console" in status_notice(pane)  # the demo's endpoint, said so
        assert not status_notice(pane).startswith("opened")  # never a browser for the demo
        # the tasks pane: the task's ARN
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and bool(app.screen.tasks))
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        await pilot.press("c")
        selected = tasks.selected_task()
        assert selected is not None
        await wait_for(pilot, lambda: app.clipboard == selected.arn)
        assert selected.arn.startswith(f"arn:aws:ecs:us-east-2:{ACCOUNT}:task/")


def url(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["url", *args, "--profile", "demo", "--endpoint-url", runtime.endpoint])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_opsconsole_url_prints_the_link(capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime) -> None:
    rc, out, err = url(capsys, ops_world, *FRAMERATR)
    assert rc == 0, err
    assert out.startswith(f"service {FRAMERATR[0]}/{FRAMERATR[1]} (account {ACCOUNT}, us-east-2): https://")
    rc, out, err = url(capsys, ops_world, FRAMERATR[0], "--plain")
    assert rc == 0, err
    assert (
        out
        == "https://us-east-2.console.aws.amazon.com/ecs/v2/clusters/frameratr-dev-cluster/services?region=us-east-2\n"
    )
    rc, out, err = url(capsys, ops_world, "frameratr-dev-clustr")
    assert rc == 2 and "frameratr-dev-cluster" in err  # close matches, one line
