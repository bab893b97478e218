"""The deploy keys of a service: ``i`` Deploy image…, ``b`` Deploy revision…, ``x`` Abort deployment.

Each asks what it needs in a picker of its own, then hands the facade's prepared operation to
:meth:`screens.app.OpsConsoleApp.run_operation` (plan modal, apply, verify), as every operation
key does (screens/operations.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.api.operations import CANCELLED
from console.model import Service

if TYPE_CHECKING:
    from screens.app import OpsConsoleApp


async def deploy_image_flow(app: OpsConsoleApp, service: Service) -> None:
    from screens.modals.images import ImagePickerScreen
    from screens.operations import pacing_for

    ops = app.operations
    try:
        ops.check_writable("deploy")
        service = await ops.current(service)
        repo = await ops.deploy_images(service)
    except Exception as exc:
        from console.errors import describe_aws_error

        app.say(describe_aws_error(exc), severity="error")
        return
    picked = await app.push_screen_wait(ImagePickerScreen(service, repo))
    if picked is None:
        app.say(CANCELLED)
        return
    await app.run_operation(
        lambda: ops.prepare_deploy(service, picked, container=repo.container, pacing=pacing_for(app))
    )
