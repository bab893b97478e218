"""How the logs pane is reached: ``:logs GROUP`` and ``l`` on a task (the right stream per container)."""

from __future__ import annotations

import boto3
import pytest

from console.demo.runtime import DemoRuntime
from screens.logs import LogsScreen
from screens.tasks import TasksScreen

from .conftest import LogsApp, Writer, make_settings, open_logs, shown_messages, wait_for

pytestmark = pytest.mark.timeout(120)


async def test_command_line_opens_a_group(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("cmd")
    writer.put(group, "app/web/task1", ["hello from the command line"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.run_command_line(f"logs {group}")  # what `:` + Enter runs
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 1)
        assert screen.sources is not None and [s.group for s in screen.sources] == [group]
        assert shown_messages(view) == ["hello from the command line"]


async def test_missing_group_says_so_with_close_matches(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("typo")
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group[:-1])
        screen, _view = await open_logs(pilot)
        await wait_for(pilot, lambda: bool(screen.status.error))
        assert "not found" in screen.status.error
        assert f"did you mean {group}" in screen.status.error, "the same close matches as the CLI"


async def test_a_group_asked_for_twice_is_followed_once(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("twice")
    writer.put(group, "app/web/task1", ["only once"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=f"{group} us-east-1:{group}")
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 1)
        assert screen.sources is not None and [(s.group, s.region) for s in screen.sources] == [
            (group, "us-east-1")
        ]
        assert shown_messages(view) == ["only once"]


async def test_the_log_groups_of_a_place(world: DemoRuntime) -> None:
    """What ``:logs`` with no group offers: the groups of the service, the cluster, or all."""
    from console.api import ConsoleApi

    api = ConsoleApi(make_settings(world))
    try:
        regions = list(world.regions)
        cluster = await api.gateways.ecs.find_cluster(regions, "wwhd-cluster")
        service = await api.gateways.ecs.service(cluster.region, cluster.arn, "wwhd-backend")
        assert [g.name for g in await api.logs.groups_of(regions, service=service)] == ["/ecs/wwhd-backend"]
        assert [g.name for g in await api.logs.groups_of(regions, cluster=cluster)] == ["/ecs/wwhd-backend"]
        everything = {(g.name, g.region) for g in await api.logs.groups_of(regions)}
        assert ("/ecs/wwhd-backend", "us-east-1") in everything
        assert ("/aws/lambda/document-processor", "ap-south-1") in everything
    finally:
        await api.close()


async def test_l_on_a_task_follows_each_containers_own_stream(world: DemoRuntime, writer: Writer) -> None:
    region = "us-east-1"
    ecs = boto3.client(
        "ecs",
        region_name=region,
        endpoint_url=world.endpoint,
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )
    arns = ecs.list_tasks(cluster="wwhd-cluster", desiredStatus="RUNNING")["taskArns"]
    assert arns, "the wwhd seed runs one task"
    task_id = arns[0].rsplit("/", 1)[-1]
    group = "/ecs/wwhd-backend"
    own = {"fastapi": f"fastapi/fastapi/{task_id}", "qdrant": f"qdrant/qdrant/{task_id}"}
    decoy = "fastapi/fastapi/0123456789abcdef0123456789abcdef"
    for stream in (*own.values(), decoy):
        try:
            writer.stream(group, stream)
        except writer.client.exceptions.ResourceAlreadyExistsException:
            pass
    writer.put(group, own["fastapi"], ["INFO:     Uvicorn running on http://0.0.0.0:8000"])
    writer.put(group, own["qdrant"], ["qdrant: Qdrant HTTP listening on 6333"])
    writer.put(group, decoy, ["another task's line"])

    app = LogsApp(make_settings(world), no_poll=True)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        cluster = await app.api.reads.find_cluster(app.regions, "wwhd-cluster")
        app.open_tasks(cluster)

        def listed() -> bool:
            top = app.screen
            return (
                isinstance(top, TasksScreen) and bool(top.query("#tasks")) and top.selected_task() is not None
            )

        await wait_for(pilot, listed)
        await pilot.press("l")
        screen, view = await open_logs(pilot)
        assert isinstance(screen, LogsScreen)
        await wait_for(pilot, lambda: view.shown >= 2)
        assert screen.sources is not None
        streams = {stream for source in screen.sources for stream in source.streams}
        assert streams == set(own.values())
        shown = {line.event.stream for line in view.lines()}
        assert shown == set(own.values()), "each container's own stream, no other task's"
        assert "another task's line" not in shown_messages(view)
        labels = {line.event.stream: line.label for line in view.lines()}
        assert labels[own["fastapi"]].startswith("fastapi/") and labels[own["qdrant"]].startswith("qdrant/")
        colours = {line.slot for line in view.lines()}
        assert len(colours) == 2, "each stream in a colour of its own"
