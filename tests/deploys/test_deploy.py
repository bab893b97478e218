"""``opsconsole deploy``: a pushed tag or a digest becomes a revision with only the image changed."""

from __future__ import annotations

import pytest
from ops.support import AliveWatcher, Recorder
from ops.test_cli_ops import cli, describe

from console.demo.runtime import DemoRuntime
from console.env.taskdef import unexpected_changes

from .helpers import FRAMERATR, FRAMERATR_REGION, FRAMERATR_REPO, WWHD, push, revisions, running_td


def only_image_differs(old: dict, new: dict, container: str) -> None:
    assert unexpected_changes(old, new, edited={container: {"image"}}) == []
    assert [c["image"] for c in old["containerDefinitions"]] != [
        c["image"] for c in new["containerDefinitions"]
    ]


def test_deploy_of_a_pushed_tag_changes_only_the_image_in_one_deployment(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    digest = push(ops_world, FRAMERATR_REGION, FRAMERATR_REPO, "7e1a9f0")
    old = running_td(ops_world)
    rc, out, err = cli(
        capsys, ops_world, "deploy", *FRAMERATR, "--image", "7e1a9f0", "--yes", "--wait", "--timeout", "60"
    )
    assert rc == 0, out + err
    assert "deploy service frameratr-dev-cluster/frameratr-dev-backend-service (us-east-2)" in out
    assert "rule: max 4 (service tag opsconsole:max-count)" in out
    assert "image[frameratr-backend]: " in out and ":9c04d3e -> " in out and ":7e1a9f0" in out
    assert digest[:19] in out  # the digest beside the tag
    assert "account 123456789012, us-east-2" in out
    assert "done: " in out
    after = describe(ops_world, FRAMERATR_REGION, *FRAMERATR)
    new = running_td(ops_world)
    assert new["revision"] == old["revision"] + 1
    assert new["containerDefinitions"][0]["image"].endswith("/frameratr-dev-backend:7e1a9f0")
    only_image_differs(old, new, "frameratr-backend")
    assert len(recorder.of("ecs.RegisterTaskDefinition")) == 1
    updates = recorder.of("ecs.UpdateService")
    assert len(updates) == 1 and set(updates[0]) - {"account", "region", "cluster", "service"} == {
        "taskDefinition"
    }
    assert len(after["deployments"]) == 1 and after["deployments"][0]["rolloutState"] == "COMPLETED"


def test_a_tag_not_in_ecr_is_refused_with_nothing_registered(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    known = revisions(ops_world, FRAMERATR_REGION, "frameratr-dev-backend")
    rc, _out, err = cli(capsys, ops_world, "deploy", *FRAMERATR, "--image", "b4d1e55", "--yes")
    assert rc == 2
    line = err.strip().splitlines()
    assert len(line) == 1, err
    assert (
        "b4d1e55 is not in ECR repository frameratr-dev-backend (account 123456789012, us-east-2)" in line[0]
    )
    assert "nothing was registered" in line[0] and "9c04d3e" in line[0]  # the newest tags offered
    assert recorder.mutations() == []
    assert revisions(ops_world, FRAMERATR_REGION, "frameratr-dev-backend") == known


def test_a_digest_deploy_names_the_image_by_digest(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    digest = push(ops_world, FRAMERATR_REGION, FRAMERATR_REPO, "c0ffee1")
    old = running_td(ops_world)
    rc, out, err = cli(
        capsys, ops_world, "deploy", *FRAMERATR, "--image", f"@{digest}", "--yes", "--wait", "--timeout", "60"
    )
    assert rc == 0, out + err
    assert "c0ffee1" in out  # the digest's tag shown beside it
    new = running_td(ops_world)
    assert new["containerDefinitions"][0]["image"].endswith(f"/frameratr-dev-backend@{digest}")
    only_image_differs(old, new, "frameratr-backend")
    assert len(recorder.of("ecs.UpdateService")) == 1


def test_a_single_writer_deploys_stop_then_start_and_picks_the_ecr_container(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    push(ops_world, "us-east-1", "wwhd-dev-backend", "d3e4f5a")
    with AliveWatcher("us-east-1", *WWHD) as watcher:
        rc, out, err = cli(
            capsys, ops_world, "deploy", *WWHD, "--image", "d3e4f5a", "--yes", "--wait", "--timeout", "90"
        )
    assert rc == 0, out + err
    assert "deploy-stop-first service wwhd-cluster/wwhd-backend (us-east-1)" in out
    assert "rule: single writer (service tag opsconsole:single-writer)" in out
    assert max(watcher.samples) <= 1  # never two tasks alive at once
    images = {c["name"]: c["image"] for c in describe_td(ops_world)["containerDefinitions"]}
    assert any(i.endswith("/wwhd-dev-backend:d3e4f5a") for i in images.values())
    assert any("qdrant" in i and "wwhd-dev-backend" not in i for i in images.values())  # untouched
    assert len(recorder.of("ecs.RegisterTaskDefinition")) == 1


def describe_td(runtime: DemoRuntime) -> dict:
    from .helpers import task_definition

    return task_definition(runtime, "us-east-1", describe(runtime, "us-east-1", *WWHD)["taskDefinition"])
