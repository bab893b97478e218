"""Incidents of a demo endpoint, asked for over its ``/_opsconsole/incident`` route.

The route is the demo server's own HTTP API: the CLI's ``opsconsole demo incident`` and the console's
``:incident NAME`` both post to it, so an incident runs in the server's process whichever front end
asked, and nothing outside ``console/demo/`` imports the demo.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request

from console.errors import BadInput

ROUTE = "/_opsconsole/incident"


def post_incident(endpoint: str, payload: dict[str, object] | None) -> dict[str, object]:
    """POST an action (or GET the list with ``payload=None``); one BadInput line when no demo answers."""
    url = f"{endpoint.rstrip('/')}{ROUTE}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read() or b"{}")
    except (OSError, ValueError) as exc:
        raise BadInput(f"--endpoint-url {endpoint}: no demo answers there ({exc})") from None
    if not isinstance(answer, dict) or ("error" in answer and "unknown admin path" in str(answer["error"])):
        raise BadInput(f"--endpoint-url {endpoint}: not an opsconsole demo with incidents")
    return answer


class Incidents:
    """``:incident [resolve] NAME`` for the console: one line to show, whatever happened."""

    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url

    async def names(self) -> list[str]:
        if not self.endpoint_url:
            return []
        answer = await asyncio.to_thread(post_incident, self.endpoint_url, None)
        listed = answer.get("incidents", {})
        return sorted(str(name) for name in listed) if isinstance(listed, dict) else []

    async def run(self, words: str) -> tuple[bool, str]:
        """Start (or ``resolve NAME``) an incident; (ok, the line to show)."""
        if not self.endpoint_url:
            return False, "incidents: this console is not on an opsconsole demo endpoint"
        parts = words.split()
        action = "start"
        if parts and parts[0] == "resolve":
            action, parts = "resolve", parts[1:]
        if len(parts) != 1:
            known = ", ".join(await self.names())
            return False, f"usage: :incident [resolve] NAME (one of: {known})"
        try:
            answer = await asyncio.to_thread(
                post_incident, self.endpoint_url, {"action": action, "name": parts[0]}
            )
        except BadInput as exc:
            return False, str(exc)
        if not answer.get("ok"):
            return False, f"incident {parts[0]}: {answer.get('error')}"
        verb = "resolved" if action == "resolve" else "started"
        return True, f"incident {verb}: {answer.get('name')}: {answer.get('summary')}"
