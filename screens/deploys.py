"""The deploy keys of a service: ``i`` Deploy image…, ``b`` Deploy revision…, ``x`` Abort deployment.

Each asks what it needs in a picker of its own, then hands the facade's prepared operation to
the host's ``run_operation`` (plan modal, apply, verify), as every operation
key does (screens/operations.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from textual.app import App

from console.api.deploys import RevisionOutcome
from console.api.operations import CANCELLED
from console.model import Service
from console.ops.plan import Plan
from screens.host import host_of


async def deploy_image_flow(app: App[Any], service: Service) -> None:
    from screens.modals.images import ImagePickerScreen
    from screens.operations import pacing_for

    host = host_of(app)
    ops = host.operations
    try:
        ops.check_writable("deploy")
        service = await ops.current(service)
        repo = await ops.deploy_images(service)
    except Exception as exc:
        from console.errors import describe_aws_error

        host.say(describe_aws_error(exc), severity="error")
        return
    picked = await app.push_screen_wait(ImagePickerScreen(service, repo))
    if picked is None:
        host.say(CANCELLED)
        return
    await host.run_operation(
        lambda: ops.prepare_deploy(service, picked, container=repo.container, pacing=pacing_for(host))
    )


async def revision_outcomes(app: App[Any], service: Service) -> dict[str, RevisionOutcome]:
    """Each revision's outcome for the picker; {} (and a line saying so) when they cannot be read."""
    host = host_of(app)
    try:
        return (await host.operations.revision_history(service)).by_arn()
    except Exception as exc:
        from console.errors import describe_aws_error

        host.say(f"revision outcomes unknown: {describe_aws_error(exc)}", severity="warning")
        return {}


def again_if_failed(
    app: App[Any], outcome: RevisionOutcome | None
) -> Callable[[Plan], Awaitable[bool]] | None:
    """A failed revision's second confirmation: the plan again, with what became of it last time."""
    if outcome is None or not outcome.marked:
        return None

    async def again(plan: Plan) -> bool:
        from screens.modals.confirm import ConfirmPlanScreen

        said = (
            f"{outcome.family_revision} was {outcome.outcome} when last deployed"
            if outcome.outcome != "failed"
            else f"{outcome.family_revision} failed when last deployed"
        )
        if outcome.reason:
            said += f" ({outcome.reason})"
        second = replace(plan, warnings=(f"{said}: deploy it again?", *plan.warnings))
        answer = await app.push_screen_wait(ConfirmPlanScreen(second, confirm_label="Deploy anyway"))
        return bool(answer)

    return again


async def abort_flow(app: App[Any], service: Service) -> None:
    from screens.operations import pacing_for

    host = host_of(app)
    await host.run_operation(lambda: host.operations.prepare_abort(service, pacing=pacing_for(host)))
