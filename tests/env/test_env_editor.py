"""The env editor through Pilot: edit, diff, save, confirm, cancel, load a file, read-only."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Static

from console.api import ClientSettings, ConsoleApi
from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime
from console.ops import audit
from screens.app import OpsConsoleApp
from screens.env_editor import EnvEditorScreen, EnvValueScreen, LoadEnvScreen
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.progress import ProgressScreen
from screens.services import ServicesScreen
from screens.widgets.bars import StatusLine

from .conftest import current_td, env_of, mutations

SIZE = (140, 44)
DV_CLUSTER, DV_SERVICE = "document-verification-cluster", "document-verification-service"
DV_CONTAINER = "document-verification-backend"


@pytest.fixture
def tui_settings(env_world: DemoRuntime) -> Settings:
    return Settings(
        profile=demo_profile(env_world.endpoint),
        regions=tuple(env_world.regions),
        endpoint_url=env_world.endpoint,
        read_only=False,
    )


def make_app(settings: Settings, cluster: str = DV_CLUSTER) -> OpsConsoleApp:
    api = ConsoleApi(settings, client_settings=ClientSettings(max_attempts=3))
    return OpsConsoleApp(settings, api=api, poll_interval=0.3, cluster=cluster)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"condition not met within {timeout}s")


async def open_editor(pilot: Pilot[Any], app: OpsConsoleApp, service: str = DV_SERVICE) -> EnvEditorScreen:
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ServicesScreen)
            and any(s.name == service for s in app.screen.services.values())
        ),
    )
    pane = app.screen
    assert isinstance(pane, ServicesScreen)
    pane.table.select_key(next(k for k, s in pane.services.items() if s.name == service))
    await pilot.pause()
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EnvEditorScreen) and app.screen.loaded)
    editor = app.screen
    assert isinstance(editor, EnvEditorScreen)
    return editor


async def select(pilot: Pilot[Any], editor: EnvEditorScreen, key: str) -> None:
    table = editor.query_one("#env-table", DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def answer(
    pilot: Pilot[Any], app: OpsConsoleApp, *, name: str | None = None, value: str | None = None
) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, EnvValueScreen))
    if name is not None:
        app.screen.query_one("#env-name", Input).value = name
    if value is not None:
        app.screen.query_one("#env-value", Input).value = value
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, EnvEditorScreen))


def diff_shown(editor: EnvEditorScreen) -> str:
    rendered = editor.query_one("#env-diff", Static).render()
    return str(getattr(rendered, "plain", rendered))


def table_text(editor: EnvEditorScreen) -> str:
    table = editor.query_one("#env-table", DataTable)
    return "\n".join(
        " ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(i)) for i in range(table.row_count)
    )


async def test_edit_diff_save_confirm(tui_settings: Settings, env_world: DemoRuntime) -> None:
    before = current_td(env_world, "ap-south-1", DV_CLUSTER, DV_SERVICE)
    app = make_app(tui_settings)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        shown = table_text(editor)
        assert "sk-proj-demo7Hq2Xv9LmN4pR8sT1uW6yZ3aB5cD0eF" not in shown  # masked until revealed
        assert "OPENAI_API_KEY" in shown and "offscreen" in shown
        # change
        await select(pilot, editor, "env:USE_SQS")
        await pilot.press("c")
        await answer(pilot, app, value="false")
        # add
        await pilot.press("a")
        await answer(pilot, app, name="FEATURE_FLAGS", value="beta,gamma")
        # delete
        await select(pilot, editor, "env:QT_QPA_PLATFORM")
        await pilot.press("d")
        # rename
        await select(pilot, editor, "env:MAX_UPLOAD_MB")
        await pilot.press("n")
        await answer(pilot, app, name="UPLOAD_LIMIT_MB")
        await pilot.pause()
        diff = diff_shown(editor)
        assert f"{DV_CONTAINER}: 1 added, 1 changed, 1 removed, 1 renamed, 12 unchanged" in diff
        assert "~ USE_SQS = true → false" in diff
        assert "> MAX_UPLOAD_MB → UPLOAD_LIMIT_MB = 25" in diff
        assert mutations(env_world) == {}  # nothing sent while editing
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        plan = app.screen.plan  # type: ignore[attr-defined]
        assert plan.action == "env-edit"
        assert "+FEATURE_FLAGS" in plan.render() and "MAX_UPLOAD_MB>UPLOAD_LIMIT_MB" in plan.render()
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished)
        progress = app.screen
        assert isinstance(progress, ProgressScreen) and progress.ok
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.base is not None
        assert editor.base.revision == before["taskDefinition"]["revision"] + 1
        assert "pending: no edits" in diff_shown(editor)
    after = current_td(env_world, "ap-south-1", DV_CLUSTER, DV_SERVICE)
    env = env_of(after, DV_CONTAINER)
    names = [n for n, _ in env]
    assert dict(env)["USE_SQS"] == "false"
    assert dict(env)["FEATURE_FLAGS"] == "beta,gamma"
    assert "QT_QPA_PLATFORM" not in names and "MAX_UPLOAD_MB" not in names
    assert dict(env)["UPLOAD_LIMIT_MB"] == "25"
    old_names = [n for n, _ in env_of(before, DV_CONTAINER)]
    assert names.index("UPLOAD_LIMIT_MB") == old_names.index("MAX_UPLOAD_MB") - 1  # kept its place
    assert mutations(env_world) == {"ecs.RegisterTaskDefinition": 1, "ecs.UpdateService": 1}
    entry, outcome = list(audit.entries())  # the change sent, then how it ended (tied by the id)
    assert entry["action"] == "env-edit" and outcome["outcome_of"] == entry["id"]
    registered = after["taskDefinition"]
    # the revision registered, not "(new revision)"
    assert entry["after"]["taskDefinition"] == f"{registered['family']}:{registered['revision']}"
    assert "beta,gamma" not in str(entry)


async def test_cancel_keeps_the_edits_and_sends_nothing(
    tui_settings: Settings, env_world: DemoRuntime
) -> None:
    app = make_app(tui_settings)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await select(pilot, editor, "env:SECRET_KEY")
        await pilot.press("c")
        await answer(pilot, app, value="rotated-secret-value")
        assert "~ SECRET_KEY = •••••••• → ••••••••" in diff_shown(editor)
        assert "rotated-secret-value" not in diff_shown(editor)
        await pilot.press("v")
        assert "rotated-secret-value" in diff_shown(editor)
        await pilot.press("v")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is editor)
        assert "1 changed" in diff_shown(editor)  # still pending
        # Esc with pending edits warns first, the second Esc discards
        await pilot.press("escape")
        assert app.screen is editor
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
    assert mutations(env_world) == {}
    assert not audit.audit_path().exists()


async def test_load_a_env_file_and_secrets_are_not_editable(
    tui_settings: Settings, env_world: DemoRuntime, tmp_path: Path
) -> None:
    dotenv = tmp_path / "prod.env"
    dotenv.write_text("LOG_LEVEL=warn\nJWT_SECRET=nope\nNEW_ONE=1\n", encoding="utf-8")
    app = make_app(tui_settings, "asharvi-backend-cluster")
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app, "asharvi-backend-prod")
        assert "secret (valueFrom)" in table_text(editor)
        await select(pilot, editor, "secret:JWT_SECRET")
        await pilot.press("d")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvValueScreen))
        app.screen.query_one("#env-name", Input).value = "JWT_SECRET"
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#env-value-error", Static).render()
        assert "is a secret (valueFrom)" in str(error)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, LoadEnvScreen))
        app.screen.query_one("#env-load-path", Input).value = str(dotenv)
        app.screen.query_one("#env-load-prune", Checkbox).value = False
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is editor)
        diff = diff_shown(editor)
        assert "1 added, 1 changed, 0 removed" in diff
        assert "JWT_SECRET" not in diff
    assert mutations(env_world) == {}


async def test_read_only_opens_the_editor_as_a_viewer_that_says_no(
    tui_settings: Settings, env_world: DemoRuntime
) -> None:
    """Read-only: a viewer (no edits to lose), every edit key disabled and saying why when pressed."""
    app = make_app(replace(tui_settings, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        assert "Env viewer (read-only)" in str(editor.query_one("#env-title", Static).render())
        await select(pilot, editor, "env:USE_SQS")
        status = editor.query_one(StatusLine)
        for key, said in (
            ("c", "read-only: change is disabled (the env editor is a viewer)"),
            ("a", "read-only: add is disabled (the env editor is a viewer)"),
            ("ctrl+s", "read-only: save is disabled"),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda said=said: status.notice == said)
            assert app.screen is editor  # no value modal opened
        for action in ("add", "change", "rename", "delete", "load_file", "save_env"):
            assert editor.check_action(action, ()) is None, action  # shown, disabled
        assert all(e.is_empty for e in editor.edits())  # nothing pending
        await pilot.press("v")  # reading is allowed: reveal still works
        await pilot.pause()
        assert editor.reveal
    assert mutations(env_world) == {}
