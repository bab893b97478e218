"""The systems' ECR repositories, and what a task meets when it pulls its image.

Each system's repository holds the tags its revisions name, pushed at the times of its deploy
history (the push time is the registry's, so a revision registered at 10:02 names an image pushed
at 10:00). An image reference that names a repository or tag (or digest) the registry lacks fails
the pull as ECS words it. Images from public registries (``qdrant/qdrant:v1.12.4``) always pull.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from console.demo import moto_access
from console.demo.apps import AppModel, annotations_of, app_for_repository, with_annotations

_ECR_REF = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^:@]+)"
    r"(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]+))?$"
)
MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


@dataclass(frozen=True)
class Pulled:
    """The outcome of pulling one container's image: the app in it, or ECS's error."""

    app: AppModel | None
    error: str | None = None
    digest: str | None = None


def manifest(repository: str, tag: str, annotations: dict[str, str] | None = None) -> str:
    """A Docker v2 manifest whose layers depend on (repository, tag): one digest per build."""
    seed = hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    body: dict[str, object] = {
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023 + int(seed[:3], 16),
            "digest": f"sha256:{seed}",
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 30_000_000 + int(seed[3:9], 16) % 90_000_000,
                "digest": f"sha256:{hashlib.sha256((seed + str(i)).encode()).hexdigest()}",
            }
            for i in range(3)
        ],
    }
    if annotations:
        body["annotations"] = annotations
    return json.dumps(body, sort_keys=True)


def push(
    region: str,
    repository: str,
    tag: str,
    pushed_at: datetime | None = None,
    annotations: dict[str, str] | None = None,
    account: str | None = None,
) -> str:
    """Push ``repository:tag`` (making the repository if needed) in-process; returns the digest."""
    backend = moto_access.ecr(region, account)
    if repository not in backend.repositories:
        backend.create_repository(
            repository_name=repository,
            registry_id=None,
            encryption_config={"encryptionType": "AES256"},
            image_scan_config={"scanOnPush": True},
            image_tag_mutability="MUTABLE",
            tags=[],
        )
    body = manifest(repository, tag, annotations)
    for existing in backend.repositories[repository].images:
        if tag in existing.image_tags and existing.image_manifest == body:
            return existing.image_digest  # pushed already (a tag named by two revisions)
    image = backend.put_image(repository, body, tag)
    if pushed_at is not None:
        image.image_pushed_at = int(pushed_at.timestamp())
    return image.image_digest


def pull_error(ref: str, why: str = "not found") -> str:
    return f"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {ref}: {ref}: {why}"


def pull(image: str) -> Pulled:
    """What pulling ``image`` yields, from the demo registry's state at this moment."""
    match = _ECR_REF.match(image)
    if match is None:
        name = image.split("@", 1)[0].rsplit(":", 1)[0] if "/" in image or ":" in image else image
        return Pulled(app_for_repository(name))
    account, region, repo = match["account"], match["region"], match["repo"]
    tag, digest = match["tag"], match["digest"]
    try:
        backend = moto_access.ecr(region, account)
    except KeyError:
        return Pulled(None, pull_error(image))
    repository = backend.repositories.get(repo)
    if repository is None:
        return Pulled(None, pull_error(image))
    for candidate in repository.images:
        if digest is not None and candidate.image_digest != digest:
            continue
        if digest is None and (tag or "latest") not in candidate.image_tags:
            continue
        app = with_annotations(app_for_repository(repo), annotations_of(candidate.image_manifest))
        return Pulled(app, digest=candidate.image_digest)
    return Pulled(None, pull_error(image))
