"""The cached User-Agent header is the one botocore builds for every request, features included."""

from __future__ import annotations

from typing import Any

from console.aws.session import AwsContext
from console.demo.runtime import DemoRuntime


def normal(ua: str | bytes) -> tuple[str, ...]:
    """The header's components, the feature ids (``m/``, a set joined in any order) sorted."""
    text = ua.decode() if isinstance(ua, bytes) else ua
    return tuple(
        "m/" + ",".join(sorted(part[2:].split(","))) if part.startswith("m/") else part
        for part in text.split()
    )


async def test_each_header_sent_is_the_one_botocore_builds_for_that_request(world: DemoRuntime) -> None:
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        client = await aws.client("sqs", "us-east-1")
        creator = client._user_agent_creator

        def keep(request: Any, **_: Any) -> None:
            # botocore's own method, bypassing the cache, in the same request context
            pairs.append((normal(request.headers["User-Agent"]), normal(type(creator).to_string(creator))))

        client.meta.events.register("before-send", keep)
        for _ in range(2):
            await client.list_queues()
            async for _page in client.get_paginator("list_queues").paginate():
                pass
            await client.list_queues()
    assert len(pairs) == 6
    assert all(sent == fresh for sent, fresh in pairs), pairs
    features = {next(p for p in sent if p.startswith("m/")) for sent, _ in pairs}
    assert len(features) == 2, "a paginated call carries a feature id a plain call does not"
