"""The queue detail on the embedded AWS: attributes and links, live counts, peek, redrive, delete, purge."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec
from screens.detail.queue import QueueDetailScreen
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.messages import MoveProgressScreen, TypeNameScreen
from screens.modals.progress import ProgressScreen

from .conftest import Pair, make_settings
from .helpers import make_app, open_detail, peek, rows, screen_text, wait_for

SEEDED_DLQ = "document-verification-dlq"
SEEDED_SOURCE = "document-verification-queue"


async def test_detail_from_the_queues_pane_shows_attributes_and_links(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, SEEDED_DLQ)
        text = screen_text(app)
        assert "dead-letter queue" in text
        assert "visible 25" in text
        assert "retention 14d" in text and "visibility timeout 30s" in text and "encryption SSE-SQS" in text
        links = rows(app, "links")
        assert [r[1] for r in links] == [SEEDED_SOURCE]
        assert links[0][0].startswith("source")
        assert "no move task running" in text
        # Its CloudWatch alarm, seeded firing: CloudWatch's reason and the team's description.
        assert "ALARM document-verification-dlq-not-empty" in text
        assert "documents that failed 3 times wait in the DLQ: peek, fix, redrive" in text
        assert detail.alarms is not None and [a.name for a in detail.alarms] == [
            "document-verification-dlq-not-empty"
        ]
        assert app.breadcrumb()[-1] == f"{SEEDED_DLQ} detail"
        assert detail.queue.is_dlq

        await pilot.press("escape")
        source = await open_detail(pilot, SEEDED_SOURCE)
        text = screen_text(app)
        assert "visibility timeout 15m" in text and "max receive count 3" in text
        links = rows(app, "links")
        assert links[0][1] == SEEDED_DLQ and links[0][0] == "DLQ of this queue after 3 receives"
        assert links[0][2] == "25"  # the DLQ's live count
        assert not source.query_one("#moves").display  # no move tasks on a source queue
        assert "no alarm firing" in text


async def test_counts_refresh_live(settings: Settings, pair: Pair) -> None:
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        assert detail.queue.visible == 0
        pair.fill_dlq(["one", "two", "three"])
        await wait_for(pilot, lambda: detail.queue.visible == 3)
        # The model updates first, the screen on the next repaint: wait for what a person sees.
        await wait_for(pilot, lambda: "visible 3" in screen_text(app))
        assert "visible 3" in screen_text(app)


async def test_peek_shows_bodies_literally_and_consumes_nothing(settings: Settings, pair: Pair) -> None:
    hostile = "[bold red]alarm[/bold red] \x1b[2J\x1b]52;c;cHduZWQ=\x07 [link=http://x]y[/link]"
    pair.fill_dlq([hostile, json.dumps({"document": "passport", "errors": ["blurry", "[b]x[/b]"]})])
    app = make_app(settings)
    async with app.run_test(size=(140, 60)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        assert "never deletes" in screen_text(app)  # the note on peeking
        await peek(pilot, detail, at_least=2)
        assert pair.counts(pair.dlq_url) == (2, 0)  # released at once: nothing consumed or hidden
        table = rows(app, "messages")
        assert len(table) == 2 and all(r[2] == "1" for r in table)  # receive count rose to 1

        bodies: dict[str, Text] = {}
        for key in detail.query_one("#messages").keys:  # type: ignore[attr-defined]
            detail.query_one("#messages").select_key(key)  # type: ignore[attr-defined]
            await pilot.pause()
            assert detail.shown_body is not None
            bodies[detail.messages[key].body] = detail.shown_body
        shown = bodies[hostile]
        assert "[bold red]alarm[/bold red]" in shown.plain and "[link=http://x]" in shown.plain
        assert "\x1b" not in shown.plain and "\x07" not in shown.plain and "␛" in shown.plain
        assert not any("red" in str(span.style) or "link" in str(span.style) for span in shown.spans)
        pretty = bodies[next(b for b in bodies if b.startswith("{"))].plain
        assert '\n  "document": "passport",' in pretty and '"[b]x[/b]"' in pretty

        await peek(pilot, detail, at_least=2)  # peeking again still leaves everything there
        assert pair.counts(pair.dlq_url) == (2, 0)
        assert all(r[2] == "2" for r in rows(app, "messages"))


async def test_peek_of_the_seeded_dlq_leaves_its_count(settings: Settings, sqs: Any) -> None:
    app = make_app(settings)
    async with app.run_test(size=(140, 60)) as pilot:
        detail = await open_detail(pilot, SEEDED_DLQ)
        await peek(pilot, detail, at_least=20)
        url = detail.queue.url
        attrs = sqs("ap-south-1").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "25"


async def test_redrive_all_through_confirm_moves_the_counts(settings: Settings, pair: Pair) -> None:
    bodies = [f"doc-{i}" for i in range(30)]
    pair.fill_dlq(bodies)
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await wait_for(pilot, lambda: detail.queue.visible == 30)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "messages in" in screen_text(app) and pair.source_name in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveProgressScreen))
        progress = app.screen
        assert isinstance(progress, MoveProgressScreen)
        await wait_for(pilot, lambda: progress.finished)
        assert progress.ok, screen_text(app)
        assert "30/30 moved" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: detail.queue.visible == 0 and detail.tasks)
        assert pair.counts(pair.dlq_url) == (0, 0)
        assert pair.bodies(pair.source_url) == sorted(bodies)
        history = rows(app, "moves")
        assert history[0][0] == "COMPLETED" and history[0][1] == "30/30"
        assert rows(app, "links")[0][2] == "30"  # the source's count, refreshed


async def test_redrive_declined_moves_nothing(settings: Settings, pair: Pair) -> None:
    pair.fill_dlq(["a", "b"])
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is detail)
        assert pair.counts(pair.dlq_url) == (2, 0) and pair.counts(pair.source_url) == (0, 0)
        assert await app.api.gateways.sqs.move_tasks(detail.queue.arn) == []


async def test_running_move_task_is_said_and_can_be_cancelled(settings: Settings, pair: Pair) -> None:
    pair.fill_dlq([f"m{i}" for i in range(40)])
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        arn = detail.queue.arn
        pair.sqs.start_message_move_task(SourceArn=arn, MaxNumberOfMessagesPerSecond=1)
        await wait_for(pilot, lambda: detail.running_task() is not None)
        assert "a move task is RUNNING" in screen_text(app)

        await pilot.press("R")  # a second one: the plan says why not, Apply is disabled
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        text = screen_text(app)
        assert "nothing to do: a move task is already RUNNING" in text
        assert not app.screen.query("#confirm-button")  # nothing to apply: only Close
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is detail)

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen))
        progress = app.screen
        await wait_for(pilot, lambda: progress.finished)  # type: ignore[attr-defined]
        tasks = await app.api.gateways.sqs.move_tasks(arn)
        assert tasks[0].status == "CANCELLED"
        left, _ = pair.counts(pair.dlq_url)
        moved, _ = pair.counts(pair.source_url)
        assert left + moved == 40 and left > 0


async def test_read_only_shows_actions_disabled_and_refuses(world: Any, pair: Pair) -> None:
    pair.fill_dlq(["keep me"])
    app = make_app(make_settings(world, read_only=True))
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        for action in ("redrive_all", "redrive_selected", "delete_selected", "purge", "cancel_move"):
            assert detail.check_action(action, ()) is None  # shown, disabled
        footer = {a.binding.action: a.enabled for a in detail.active_bindings.values() if a.binding.show}
        assert footer["redrive_all"] is False and footer["purge"] is False  # in the footer, disabled
        await peek(pilot, detail)  # reading is allowed
        await pilot.press("space", "R", "M", "D", "P")
        await pilot.pause(0.3)
        assert app.screen is detail
        outcome = await app.run_operation(lambda: _never())
        assert outcome is None
        await pilot.pause()
        assert any("read-only" in n.message for n in app._notifications)
        assert pair.counts(pair.dlq_url) == (1, 0)


async def _never() -> Any:
    raise AssertionError("read-only mode must refuse before planning")


async def _select(pilot: Any, detail: QueueDetailScreen, bodies: set[str]) -> None:
    table = detail.query_one("#messages")
    for key, message in list(detail.messages.items()):
        if message.body in bodies:
            table.select_key(key)  # type: ignore[attr-defined]
            await pilot.press("space")
    assert {m.body for m in detail.chosen()} == bodies


async def test_delete_selected_removes_only_those(settings: Settings, pair: Pair) -> None:
    pair.fill_dlq(["a", "b", "c", "d", "e"])
    app = make_app(settings)
    async with app.run_test(size=(140, 60)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await peek(pilot, detail, at_least=5)
        await _select(pilot, detail, {"b", "d"})
        assert [r[0] for r in rows(app, "messages")].count("●") == 2
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert "cannot be recovered" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished)
        assert app.screen.ok, screen_text(app)  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert pair.bodies(pair.dlq_url) == ["a", "c", "e"]
        assert {m.body for m in detail.messages.values()} == {"a", "c", "e"}


async def test_redrive_selected_moves_only_those(settings: Settings, pair: Pair) -> None:
    pair.fill_dlq(["a", "b", "c", "d"])
    app = make_app(settings)
    async with app.run_test(size=(140, 60)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await peek(pilot, detail, at_least=4)
        await _select(pilot, detail, {"a", "c"})
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert pair.source_name in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished)
        assert app.screen.ok, screen_text(app)  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert pair.bodies(pair.dlq_url) == ["b", "d"]
        assert pair.bodies(pair.source_url) == ["a", "c"]


async def test_purge_needs_the_double_confirmation(settings: Settings, pair: Pair) -> None:
    pair.fill_dlq(["x", "y", "z"])
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")  # the first confirmation alone purges nothing
        await wait_for(pilot, lambda: isinstance(app.screen, TypeNameScreen))
        await pilot.press(*"wrong-name", "enter")
        await wait_for(pilot, lambda: app.screen is detail)
        assert pair.counts(pair.dlq_url) == (3, 0)
        assert any("not confirmed" in n.message for n in app._notifications)

        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, TypeNameScreen))
        await pilot.press(*pair.dlq_name, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.finished)
        assert app.screen.ok, screen_text(app)  # type: ignore[attr-defined]
        assert pair.counts(pair.dlq_url) == (0, 0)


async def test_a_failing_alarm_read_is_a_question_mark_not_an_error(
    settings: Settings, world: DemoRuntime
) -> None:
    world.server.middleware.set_faults(
        FaultSpec(server_error=1.0, only=frozenset({"monitoring"}), ops=frozenset({"DescribeAlarms"}))
    )
    try:
        app = make_app(settings)
        async with app.run_test(size=(140, 50)) as pilot:
            detail = await open_detail(pilot, SEEDED_DLQ)
            await wait_for(pilot, lambda: detail.alarms is None)
            await wait_for(pilot, lambda: "alarms ?" in screen_text(app))
            assert "visible 25" in screen_text(app)  # the queue itself is shown
            assert not detail.status.error
    finally:
        world.server.middleware.set_faults(None)
