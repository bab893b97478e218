"""ECR: the images of a container's repository, for a deploy that names a tag or a digest.

A deploy is refused before anything is registered when the tag is not in the repository (the
tasks would only stop with ``CannotPullContainerError`` later), so the repository is read first:
DescribeImages, 1,000 a page, newest push first. Every image carries the registry's account id
and region (a fleet spans accounts) and its digest, so a tag moved to another build is visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.aws.paging import Budget, pages
from console.aws.session import AwsContext

_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repo>[^:@]+)"
    r"(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
PAGE = 1000  # DescribeImages' maxResults


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image URI taken apart: ``ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@DIGEST]``."""

    account: str
    region: str
    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def registry(self) -> str:
        return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com"

    def with_tag(self, tag: str) -> str:
        return f"{self.registry}/{self.repository}:{tag}"

    def with_digest(self, digest: str) -> str:
        return f"{self.registry}/{self.repository}@{digest}"


def parse_image(uri: str) -> ImageRef | None:
    """The parts of an ECR image URI; None for another registry's (Docker Hub, ghcr.io)."""
    match = _ECR_URI.match(uri.strip())
    if match is None:
        return None
    return ImageRef(
        account=match["account"],
        region=match["region"],
        repository=match["repo"],
        tag=match["tag"] or "",
        digest=match["digest"] or "",
    )


@dataclass(frozen=True, slots=True)
class EcrImage:
    """One image of a repository: its tags, digest, push time and size."""

    account: str
    region: str
    repository: str
    digest: str
    tags: tuple[str, ...] = ()
    pushed_at: datetime | None = None
    size_bytes: int | None = None

    @property
    def key(self) -> str:
        return f"{self.account}/{self.region}/{self.repository}@{self.digest}"

    @property
    def short_digest(self) -> str:
        return self.digest.split(":", 1)[-1][:12]


def to_image(raw: dict[str, Any], account: str, region: str, repository: str) -> EcrImage:
    pushed = raw.get("imagePushedAt")
    size = raw.get("imageSizeInBytes")
    return EcrImage(
        account=raw.get("registryId", "") or account,
        region=region,
        repository=raw.get("repositoryName", "") or repository,
        digest=raw.get("imageDigest", ""),
        tags=tuple(raw.get("imageTags") or ()),
        pushed_at=pushed if isinstance(pushed, datetime) else None,
        size_bytes=int(size) if isinstance(size, (int, float)) else None,
    )


async def repository_images(aws: AwsContext, budget: Budget, ref: ImageRef) -> list[EcrImage]:
    """Every image of ``ref``'s repository, newest push first (DescribeImages, 1,000 a page).

    Raises the ClientError of a repository that does not exist (RepositoryNotFoundException).
    """
    client = await aws.client("ecr", ref.region)
    out: list[EcrImage] = []
    async for page in pages(
        budget,
        ref.region,
        "ecr_read",
        client.describe_images,
        registryId=ref.account,
        repositoryName=ref.repository,
        maxResults=PAGE,
    ):
        out += [
            to_image(raw, ref.account, ref.region, ref.repository) for raw in page.get("imageDetails", [])
        ]
    return sorted(out, key=lambda i: i.pushed_at.timestamp() if i.pushed_at else 0.0, reverse=True)


def find_tag(images: list[EcrImage], tag: str) -> EcrImage | None:
    return next((i for i in images if tag in i.tags), None)


def find_digest(images: list[EcrImage], digest: str) -> EcrImage | None:
    return next((i for i in images if i.digest == digest), None)
