"""ECS's documented limits on a task definition, checked before RegisterTaskDefinition is sent.

Real ECS refuses a registration that breaks them with a ClientException; a local endpoint
may accept it (moto registers a definition of any size) and the rollout then fails far from
its cause.  So every new revision is checked here first, and a refusal is one line naming
the variable or field and its size, with nothing sent.

The limits (Amazon ECS service quotas and the RegisterTaskDefinition reference):

* task definition size: 64 KiB (65,536 bytes), not adjustable; measured here as the compact
  JSON of the registration request, which is what the API receives;
* containers per task definition: 10, not adjustable;
* tags per resource: 50; a tag key at most 128 characters, a value at most 256
  (the limits every AWS resource tag has, which ECS documents for its resources).

The demo enforces the same limits (console/demo/limits.py), so what the demo accepts ECS
accepts too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from console.errors import BadInput

TASK_DEFINITION_MAX_BYTES = 64 * 1024
MAX_CONTAINERS = 10
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


def size_of(value: Any) -> int:
    """Bytes of ``value`` as compact JSON in UTF-8: how the request goes on the wire."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode())


def _parts(request: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """(what, bytes) for every piece one would shrink: each variable, secret, label and field."""
    for index, container in enumerate(request.get("containerDefinitions", []) or []):
        name = container.get("name") or f"#{index}"
        for entry in container.get("environment", []) or []:
            yield f"environment variable {entry.get('name', '')} of container {name}", size_of(entry)
        for entry in container.get("secrets", []) or []:
            yield f"secret {entry.get('name', '')} of container {name}", size_of(entry)
        for key, value in (container.get("dockerLabels") or {}).items():
            yield f"docker label {key} of container {name}", size_of({key: value})
        for field, value in container.items():
            if field not in ("environment", "secrets", "dockerLabels"):
                yield f"field {field} of container {name}", size_of(value)
    for field, value in request.items():
        if field != "containerDefinitions":
            yield f"field {field}", size_of(value)


def _kib(n: int) -> str:
    return f"{n:,} bytes ({n / 1024:.1f} KiB)"


def limit_problem(request: Mapping[str, Any]) -> str | None:
    """The first limit ``request`` (a RegisterTaskDefinition request) breaks, in one line, or None."""
    family = request.get("family", "")
    containers = request.get("containerDefinitions", []) or []
    if len(containers) > MAX_CONTAINERS:
        return (
            f"task definition {family} would have {len(containers)} containers: "
            f"ECS allows at most {MAX_CONTAINERS} per task definition"
        )
    tags = request.get("tags", []) or []
    if len(tags) > MAX_TAGS:
        return f"task definition {family} would carry {len(tags)} tags: ECS allows at most {MAX_TAGS}"
    for tag in tags:
        key, value = str(tag.get("key", "")), str(tag.get("value", ""))
        if len(key) > MAX_TAG_KEY:
            return f"tag key {key[:40]}… is {len(key)} characters: ECS allows at most {MAX_TAG_KEY}"
        if len(value) > MAX_TAG_VALUE:
            return f"tag {key} has a value of {len(value)} characters: ECS allows at most {MAX_TAG_VALUE}"
    total = size_of(request)
    if total > TASK_DEFINITION_MAX_BYTES:
        what, biggest = max(_parts(request), key=lambda part: part[1], default=("", 0))
        return (
            f"task definition {family} would be {_kib(total)}, over ECS's limit of "
            f"{_kib(TASK_DEFINITION_MAX_BYTES)}: the largest part is {what}, {_kib(biggest)}"
        )
    return None


def check_limits(request: Mapping[str, Any]) -> None:
    """BadInput (nothing sent) when the new revision breaks one of ECS's limits."""
    problem = limit_problem(request)
    if problem is not None:
        raise BadInput(f"{problem}; nothing sent")
