"""A new task-definition revision built from an old one, changing only what was asked.

ECS has no "edit": a change of environment is a new revision registered from
the old one's description.  Rebuilding it from a template or from our own model
would silently drop whatever the template does not know (an EFS volume, a
health check's startPeriod, a ``dependsOn``, the tags), so the request here is
the ``describe_task_definition(include=['TAGS'])`` response itself, minus only
the fields AWS sets and refuses back, with the one container's environment
(and, when explicitly allowed, its secrets) replaced.

After registering, the new revision is compared with the old one field by
field: anything that differs outside the edited containers' environment is a
:class:`RevisionMismatch` and the service is not moved to it.  The old revision
is never deregistered: it is what a rollback returns to.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.env.limits import check_limits
from console.errors import BadInput, OpsError

# Set by AWS on registration; RegisterTaskDefinition does not take them back.
READ_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
    }
)
# Container fields an environment edit may change.
ENV_FIELDS = frozenset({"environment", "secrets"})


class RevisionMismatch(OpsError):
    """The registered revision differs from the old one outside the requested change."""


@dataclass(frozen=True)
class ContainerEnv:
    """The new environment of one container; ``drop_secrets`` are secrets turned into plain variables."""

    container: str
    environment: tuple[tuple[str, str], ...]
    drop_secrets: tuple[str, ...] = ()

    def entries(self) -> list[dict[str, str]]:
        return [{"name": n, "value": v} for n, v in self.environment]


def described(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The ``taskDefinition`` part of a TaskDefinition.raw (or a bare description)."""
    inner = raw.get("taskDefinition", raw)
    if not isinstance(inner, Mapping) or "containerDefinitions" not in inner:
        raise BadInput("not a task definition description: no containerDefinitions")
    return dict(inner)


def tags_of(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    tags = raw.get("tags") if "taskDefinition" in raw else None
    return [dict(t) for t in tags or []]


def registration_request(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A RegisterTaskDefinition request that re-registers ``raw`` exactly, tags included."""
    request = {k: copy.deepcopy(v) for k, v in described(raw).items() if k not in READ_ONLY_FIELDS}
    tags = tags_of(raw)
    if tags:
        request["tags"] = tags
    return request


def container_names(raw: Mapping[str, Any]) -> list[str]:
    return [str(c.get("name", "")) for c in described(raw).get("containerDefinitions", [])]


def with_environment(request: Mapping[str, Any], edits: Iterable[ContainerEnv]) -> dict[str, Any]:
    """``request`` with each edited container's ``environment`` replaced (and secrets dropped)."""
    out = copy.deepcopy(dict(request))
    containers = out.get("containerDefinitions", [])
    for edit in edits:
        hit = next((c for c in containers if c.get("name") == edit.container), None)
        if hit is None:
            known = ", ".join(str(c.get("name")) for c in containers)
            raise BadInput(f"no container '{edit.container}' in the task definition (containers: {known})")
        hit["environment"] = edit.entries()
        if edit.drop_secrets:
            drop = set(edit.drop_secrets)
            kept = [s for s in hit.get("secrets", []) if s.get("name") not in drop]
            if kept:
                hit["secrets"] = kept
            else:
                hit.pop("secrets", None)
    check_limits(out)  # ECS's limits before any RegisterTaskDefinition (console/env/limits.py)
    return out


def _container_key(container: Mapping[str, Any], index: int) -> str:
    return str(container.get("name") or f"#{index}")


def _walk(old: Any, new: Any, path: str, out: list[str]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in dict.fromkeys([*old, *new]):
            if key not in new:
                out.append(f"{path}.{key}: dropped")
            elif key not in old:
                out.append(f"{path}.{key}: added")
            else:
                _walk(old[key], new[key], f"{path}.{key}", out)
        return
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} entries -> {len(new)}")
            return
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(a, b, f"{path}[{i}]", out)
        return
    if old != new:
        out.append(f"{path}: {_short(old)} -> {_short(new)}")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= 60 else text[:60] + "…"


def unexpected_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    edited: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """Every field that differs between two revisions, except read-only ones and the edited ones.

    ``old``/``new`` are TaskDefinition.raw values (tags compared too) or bare
    descriptions.  ``edited`` maps a container name to the fields it was meant
    to change (``environment``, ``secrets``).  The paths name containers by
    name, so a reordering is reported as such.  Values of environment and
    secrets are never part of a message: a path and "differs" only.
    """
    edited = {k: set(v) for k, v in (edited or {}).items()}
    problems: list[str] = []
    a = {k: v for k, v in described(old).items() if k not in READ_ONLY_FIELDS}
    b = {k: v for k, v in described(new).items() if k not in READ_ONLY_FIELDS}
    old_containers = a.pop("containerDefinitions", [])
    new_containers = b.pop("containerDefinitions", [])
    _walk(a, b, "taskDefinition", problems)
    old_names = [_container_key(c, i) for i, c in enumerate(old_containers)]
    new_names = [_container_key(c, i) for i, c in enumerate(new_containers)]
    if old_names != new_names:
        problems.append(f"containerDefinitions: {old_names} -> {new_names}")
    else:
        for name, oc, nc in zip(old_names, old_containers, new_containers, strict=True):
            allowed = edited.get(name, set())
            for key in dict.fromkeys([*oc, *nc]):
                where = f"containerDefinitions[{name}].{key}"
                if key in allowed:
                    continue
                if key in ENV_FIELDS:
                    if _env_list(oc.get(key)) != _env_list(nc.get(key)):
                        problems.append(f"{where}: differs")
                    continue
                if key not in nc:
                    problems.append(f"{where}: dropped")
                elif key not in oc:
                    problems.append(f"{where}: added")
                else:
                    _walk(oc[key], nc[key], where, problems)
    if "taskDefinition" in old and "taskDefinition" in new and _tag_set(old) != _tag_set(new):
        problems.append("tags: differ")
    return problems


def _env_list(value: Any) -> list[tuple[str, str]]:
    """environment/secrets as comparable pairs; an absent list equals an empty one (AWS returns either)."""
    return [(str(e.get("name")), str(e.get("value", e.get("valueFrom", "")))) for e in value or []]


def _tag_set(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    return sorted((str(t.get("key")), str(t.get("value"))) for t in raw.get("tags") or [])


def environment_of(raw: Mapping[str, Any], container: str) -> list[dict[str, str]]:
    """The ``environment`` list of ``container`` as described (name/value dicts, in order)."""
    for c in described(raw).get("containerDefinitions", []):
        if c.get("name") == container:
            return [{"name": e["name"], "value": e.get("value", "")} for e in c.get("environment") or []]
    raise BadInput(f"no container '{container}' in the task definition")


def secrets_of(raw: Mapping[str, Any], container: str) -> list[dict[str, str]]:
    for c in described(raw).get("containerDefinitions", []):
        if c.get("name") == container:
            return [{"name": s["name"], "valueFrom": s.get("valueFrom", "")} for s in c.get("secrets") or []]
    raise BadInput(f"no container '{container}' in the task definition")


def environment_files_of(raw: Mapping[str, Any], container: str) -> list[dict[str, str]]:
    for c in described(raw).get("containerDefinitions", []):
        if c.get("name") == container:
            return [dict(f) for f in c.get("environmentFiles") or []]
    raise BadInput(f"no container '{container}' in the task definition")


def is_unchanged(raw: Mapping[str, Any], edits: Sequence[ContainerEnv]) -> bool:
    """Whether ``edits`` leave every container as it is (then no revision is registered)."""
    return all(
        not edit.drop_secrets
        and [(e["name"], e["value"]) for e in environment_of(raw, edit.container)] == list(edit.environment)
        for edit in edits
    )


@functools.cache
def accepted_fields() -> frozenset[str]:
    """The parameters RegisterTaskDefinition takes, from botocore's model of the ECS API."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def check_accepted(request: Mapping[str, Any]) -> None:
    """BadInput naming any field the description carries but registration would not take.

    Dropping it silently would lose it from the new revision; that is the one
    thing this module must never do.
    """
    accepted = accepted_fields()
    unknown = sorted(k for k in request if accepted and k not in accepted)
    if unknown:
        raise BadInput(
            f"the task definition has field(s) {', '.join(unknown)} that RegisterTaskDefinition does not "
            "accept in this botocore version; not registering a copy that would lose them"
        )
