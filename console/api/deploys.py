"""The facade's deploys: an image's repository for the picker, deploy, revisions with outcomes, abort.

A mixin of :class:`console.api.operations.Operations` (it shares its settings and gateways), so the
screens reach these as ``app.operations.…`` like every other operation.
"""

from __future__ import annotations

from console.aws.context import Gateways
from console.aws.ecr import EcrImage
from console.config import Settings
from console.model import Service
from console.ops.abort import prepare_abort
from console.ops.deploy import ContainerImages, container_images, deploy_container, prepare_deploy, size_text
from console.ops.guards import service_guards
from console.ops.revision_outcomes import RevisionHistory, RevisionOutcome, revision_history
from console.ops.rollout import Pacing
from console.ops.runner import Operation


class DeployOperations:
    settings: Settings
    gateways: Gateways

    async def current(self, service: Service) -> Service:
        """The service as it is now (Operations')."""
        raise NotImplementedError

    async def deploy_images(self, service: Service, container: str | None = None) -> ContainerImages:
        """The ECR images of the container a deploy changes (``container``, the profile's, or the only
        ECR one), newest push first, for the image picker."""
        fresh = await self.current(service)
        td = await self.gateways.ecs.task_definition(fresh.region, fresh.task_definition)
        rules = await service_guards(self.gateways.ecs, self.settings, fresh)
        return await container_images(self.gateways, td, deploy_container(td, container, rules))

    async def prepare_abort(self, service: Service, *, pacing: Pacing | None = None) -> Operation:
        """StopServiceDeployment (ROLLBACK) of the deployment in progress; verify: the previous one steady."""
        return await prepare_abort(self.gateways, self.settings, service, pacing=pacing)

    async def revision_history(self, service: Service) -> RevisionHistory:
        """Each revision's outcome (service deployments, else DescribeServices) and who deployed it."""
        return await revision_history(self.gateways, service)

    async def prepare_deploy(
        self,
        service: Service,
        image: str,
        *,
        container: str | None = None,
        stop_first: bool = False,
        pacing: Pacing | None = None,
    ) -> Operation:
        """Deploy ``image`` (a tag or ``@sha256:…``): a new revision with only that image changed."""
        fresh = await self.current(service)
        return await prepare_deploy(
            self.gateways,
            self.settings,
            fresh,
            image,
            container=container,
            stop_first=stop_first,
            pacing=pacing,
        )


# Values a front end may name (the picker's rows).
__all__ = [
    "ContainerImages",
    "DeployOperations",
    "EcrImage",
    "RevisionHistory",
    "RevisionOutcome",
    "size_text",
]
