"""Deploy an image: a new revision with only one container's image changed, then one rollout.

``opsconsole deploy CLUSTER SERVICE --image TAG`` (or ``@sha256:DIGEST``) is what every seed's
``deploy.sh`` does after its push, with a plan first. The tag (or digest) is looked up in the
container's own ECR repository before anything is registered: one that is not there would only
stop every new task with ``CannotPullContainerError``, so it is refused in one line. The plan
shows digests beside tags, so a tag moved to another build is visible. The revision is
registered from the running one and checked field by field (console/ops/new_revision.py, as
``env sync`` does); a single writer (or ``--stop-first``) deploys stop-then-start.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from console.aws.context import Gateways
from console.aws.ecr import EcrImage, ImageRef, find_digest, find_tag, parse_image, repository_images
from console.config import Settings
from console.env.taskdef import registration_request
from console.errors import BadInput, Refused, aws_error_code
from console.model import Service, TaskDefinition
from console.ops.envsync import NEW_REVISION, choose_container
from console.ops.guards import Guards, service_guards
from console.ops.new_revision import fresh_service, register_checked, roll_out, service_plan, stop_first_parts
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback
from console.ops.redeploy import FollowsRollout, remembered_count
from console.ops.rollout import Pacing

TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
NEWEST_SHOWN = 5


def account_of(arn: str) -> str:
    """The account id of an ARN (``arn:aws:ecs:REGION:ACCOUNT:…``); "" when it is not one."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""


def size_text(size: int | None) -> str:
    if size is None:
        return "size ?"
    return f"{size / 1_000_000:.1f} MB"


def image_line(image: EcrImage | None, uri: str) -> str:
    """``TAG(S)  sha256:abcdef123456  pushed 2026-12-01 10:00 UTC  45.1 MB`` (or what is unknown)."""
    if image is None:
        return f"{uri}  (not in the repository now)"
    tags = ", ".join(image.tags) or "(untagged)"
    pushed = image.pushed_at.strftime("%Y-%m-%d %H:%M:%S UTC") if image.pushed_at else "push time ?"
    return f"{tags}  {image.digest[:19]}…  pushed {pushed}  {size_text(image.size_bytes)}"


@dataclass(frozen=True)
class ImageSpec:
    """What ``--image`` asked for: a tag, or a digest."""

    tag: str = ""
    digest: str = ""

    @property
    def text(self) -> str:
        return f"@{self.digest}" if self.digest else self.tag


def parse_spec(text: str) -> ImageSpec:
    raw = text.strip()
    digest = raw[1:] if raw.startswith("@") else raw
    if digest.startswith("sha256:"):
        if not DIGEST_RE.fullmatch(digest):
            raise BadInput(f"--image {raw[:80]}: a digest is sha256: and 64 hex digits")
        return ImageSpec(digest=digest)
    if not TAG_RE.fullmatch(raw):
        raise BadInput(f"--image '{raw[:80]}': a tag (letters, digits, _ . -; at most 128) or @sha256:DIGEST")
    return ImageSpec(tag=raw)


@dataclass(frozen=True)
class ContainerImages:
    """A container's repository as the deploy sees it: where it is, its images newest first, which runs."""

    container: str
    current_uri: str
    ref: ImageRef
    images: tuple[EcrImage, ...]

    @property
    def account(self) -> str:
        return self.ref.account

    @property
    def region(self) -> str:
        return self.ref.region

    @property
    def running(self) -> EcrImage | None:
        """The image the running revision names (by its digest, else by its tag as the registry has it now)."""
        if self.ref.digest:
            return find_digest(list(self.images), self.ref.digest)
        return find_tag(list(self.images), self.ref.tag or "latest")

    def where(self) -> str:
        return f"ECR repository {self.ref.repository} (account {self.account}, {self.region})"

    def resolve(self, spec: ImageSpec) -> tuple[str, EcrImage]:
        """The URI to register and the image it names; Refused when the repository lacks it."""
        images = list(self.images)
        if spec.digest:
            found = find_digest(images, spec.digest)
            uri = self.ref.with_digest(spec.digest)
        else:
            found = find_tag(images, spec.tag)
            uri = self.ref.with_tag(spec.tag)
        if found is None:
            newest = ", ".join(t for i in images[:NEWEST_SHOWN] for t in i.tags[:1]) or "none"
            raise Refused(
                f"{spec.text} is not in {self.where()} (newest tags: {newest}): nothing was registered"
            )
        return uri, found


def deploy_container(td: TaskDefinition, requested: str | None, rules: Guards) -> str:
    """``--container``, else the profile's, else the only container whose image is in ECR, else the only one."""
    if requested or rules.container:
        return choose_container(td, requested, rules)
    in_ecr = [c.name for c in td.containers if parse_image(c.image) is not None]
    return in_ecr[0] if len(in_ecr) == 1 else choose_container(td, None, rules)


async def container_images(gateways: Gateways, td: TaskDefinition, container: str) -> ContainerImages:
    """The ECR repository the container's image is in, read now (DescribeImages)."""
    definition = td.container(container)
    assert definition is not None  # choose_container checked the name
    ref = parse_image(definition.image)
    if ref is None:
        raise Refused(
            f"container {container} of {td.family_revision} runs {definition.image}, not an ECR image: "
            "deploy picks tags of an ECR repository"
        )
    try:
        images = await repository_images(gateways.aws, gateways.budget, ref)
    except ClientError as exc:
        if aws_error_code(exc) in ("RepositoryNotFoundException", "RegistryNotFoundException"):
            raise Refused(
                f"ECR repository {ref.repository} (account {ref.account}, {ref.region}) does not exist: "
                "nothing was registered"
            ) from None
        raise
    return ContainerImages(container, definition.image, ref, tuple(images))


def with_image(request: Mapping[str, Any], container: str, image: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(request))
    for definition in out.get("containerDefinitions", []):
        if definition.get("name") == container:
            definition["image"] = image
    return out


def image_of(raw: Mapping[str, Any], container: str) -> str:
    described = raw.get("taskDefinition", raw)
    for definition in described.get("containerDefinitions", []):
        if definition.get("name") == container:
            return str(definition.get("image", ""))
    return ""


def deploy_plan(
    service: Service,
    base: TaskDefinition,
    repo: ContainerImages,
    new_uri: str,
    new_image: EcrImage,
    rules: Guards,
    *,
    stop_first: bool = False,
    remembered: int | None = None,
) -> Plan:
    container = repo.container
    changes = [
        Change("taskDefinition", base.family_revision, f"{base.family}:{NEW_REVISION}"),
        Change(f"image[{container}]", repo.current_uri, new_uri),
    ]
    details = [
        f"container {container}: {repo.where()}",
        f"  now: {image_line(repo.running, repo.current_uri)}",
        f"  new: {image_line(new_image, new_uri)}",
        f"registers a new revision of {base.family} from {base.family_revision} with only the image of "
        f"{container} changed, then deploys it once; the old revision stays registered",
    ]
    warnings: list[str] = []
    running = repo.running
    if running is not None and running.digest == new_image.digest and new_uri != repo.current_uri:
        warnings.append(
            f"{new_uri.rsplit('/', 1)[-1]} is the same build ({new_image.digest[:19]}…) as the running image"
        )
    if len(service.deployments) > 1 or service.rollout_state == "IN_PROGRESS":
        warnings.append("a deployment is in progress: this one replaces it")
    if base.status == "INACTIVE":
        warnings.append(
            f"the running {base.family_revision} is INACTIVE (deregistered); the new one is ACTIVE"
        )
    action, changes, warnings, details = stop_first_parts(
        "deploy",
        service,
        rules,
        f"{base.family}:{NEW_REVISION}",
        (changes, warnings, details),
        stop_first=stop_first,
        remembered=remembered,
    )
    noop = ""
    if new_uri == repo.current_uri:
        noop = f"{container} already runs {new_uri} (redeploy pulls a moved tag again)"
    request = {
        "family": base.family,
        "container": container,
        "image": new_uri,
        "digest": new_image.digest,
        "account": repo.account,
    }
    return service_plan(action, service, rules, (changes, warnings, details), request, noop)


@dataclass
class DeployOp(FollowsRollout):
    """An image deploy ready for :func:`console.ops.runner.run_operation`."""

    base: TaskDefinition
    container: str
    image: str
    rules: Guards
    registered: TaskDefinition | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        fresh = await fresh_service(self.ecs, self.service, self.base)

        def check(new: TaskDefinition) -> list[str]:
            got = image_of(new.raw, self.container)
            return (
                []
                if got == self.image
                else [f"containerDefinitions[{self.container}].image: not what was sent"]
            )

        self.registered = await register_checked(
            self.ecs,
            fresh.region,
            self.base,
            with_image(registration_request(self.base.raw), self.container, self.image),
            edited={self.container: {"image"}},
            check=check,
            what=f"the image of {self.container}",
            progress=progress,
        )
        result, self.sequence = await roll_out(
            self.ecs,
            fresh,
            self.rules,
            self.registered,
            stop_first=plan.action.endswith("-stop-first"),
            pacing=self.pacing,
            progress=progress,
        )
        return result


async def prepare_deploy(
    gateways: Gateways,
    settings: Settings,
    service: Service,
    image: str,
    *,
    container: str | None = None,
    stop_first: bool = False,
    pacing: Pacing | None = None,
) -> DeployOp:
    """The plan of deploying ``image`` (a tag or ``@sha256:…``) to ``container`` of ``service``."""
    spec = parse_spec(image)
    ecs = gateways.ecs
    base = await ecs.task_definition(service.region, service.task_definition)
    rules = await service_guards(ecs, settings, service)
    name = deploy_container(base, container, rules)
    repo = await container_images(gateways, base, name)
    new_uri, new_image = repo.resolve(spec)
    remembered = await remembered_count(ecs, service, rules, stop_first=stop_first)
    plan = deploy_plan(
        service, base, repo, new_uri, new_image, rules, stop_first=stop_first, remembered=remembered
    )
    return DeployOp(
        ecs=ecs,
        service=service,
        plan=plan,
        pacing=pacing or Pacing(),
        base=base,
        container=name,
        image=new_uri,
        rules=rules,
    )
