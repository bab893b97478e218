"""What a resource is called (its ARN, or its id) and where AWS's console shows it.

``c`` copies a row's identity and ``U`` opens (and always shows) the console URL of the selected
resource; ``opsconsole url CLUSTER [SERVICE]`` prints it. A console URL names the region; the
account is the one the browser is signed in to, which no URL can choose, so a link carries its
account beside the URL and the line says which account to be in (several accounts are in view at
once). Against an endpoint that is not AWS (the demo, LocalStack) the URL is still AWS's, and the
line says the resource lives at that endpoint instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from dataclasses import dataclass
from urllib.parse import quote

from console.model import Alarm, Cluster, Queue, Service, Task, TaskDefinition, short_name

CONSOLE = "https://{region}.console.aws.amazon.com"
# Browsers that take over the terminal the console runs in: never started from it.
TERMINAL_BROWSERS = frozenset({"lynx", "links", "elinks", "w3m", "www-browser", "browsh"})


@dataclass(frozen=True)
class ConsoleLink:
    what: str  # "service frameratr-dev-cluster/frameratr-dev-backend-service"
    url: str
    region: str
    account: str = ""  # "" when the resource's ARN did not say

    def line(self, endpoint: str | None = None) -> str:
        where = f"account {self.account or '?'}, {self.region}"
        note = f" (the resource is at {endpoint}, not in AWS's console)" if endpoint else ""
        return f"{self.what} ({where}): {self.url}{note}"


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""


def identity(resource: object) -> tuple[str, str] | None:
    """(what it is, the text to copy): the ARN where there is one, else the id or the name."""
    inner = getattr(resource, "alarm", None)
    if isinstance(inner, Alarm):
        resource = inner
    if isinstance(resource, str):
        return ("id", resource) if resource else None
    arn = str(getattr(resource, "arn", "") or "")
    if arn:
        return "ARN", arn
    if isinstance(resource, Queue) and resource.url:
        return "queue URL", resource.url
    for field in ("id", "event_id", "name"):
        value = str(getattr(resource, field, "") or "")
        if value:
            return field.replace("_", " "), value
    return None


def _cw_fragment(name: str) -> str:
    """CloudWatch's console encodes a name in its fragment twice, with ``$`` for ``%``."""
    return quote(quote(name, safe=""), safe="").replace("%", "$")


def console_link(resource: object) -> ConsoleLink | None:
    """The console URL of a cluster, service, task, task definition, queue, alarm or log group.

    A log group is a :func:`log_group` value (its name alone does not say where it is).
    """
    inner = getattr(resource, "alarm", None)
    if isinstance(inner, Alarm):
        resource = inner
    if isinstance(resource, Service):
        name = f"{resource.cluster_name}/{resource.name}"
        return _ecs(
            resource.arn,
            f"service {name}",
            f"clusters/{quote(resource.cluster_name)}/services/{quote(resource.name)}/health",
        )
    if isinstance(resource, Task):
        cluster, task_id = short_name(resource.cluster_arn), short_name(resource.arn)
        page = f"clusters/{quote(cluster)}/tasks/{quote(task_id)}/configuration"
        return _ecs(resource.arn, f"task {cluster}/{task_id}", page)
    if isinstance(resource, Cluster):
        return _ecs(resource.arn, f"cluster {resource.name}", f"clusters/{quote(resource.name)}/services")
    if isinstance(resource, TaskDefinition):
        family, revision = resource.family, resource.revision
        page = f"task-definitions/{quote(family)}/{revision}/containers"
        return _ecs(resource.arn, f"task definition {family}:{revision}", page)
    if isinstance(resource, Queue):
        page = f"sqs/v3/home?region={resource.region}#/queues/{quote(resource.url, safe='')}"
        return _link(resource.region, page, f"queue {resource.name}", account_of(resource.arn))
    if isinstance(resource, Alarm):
        page = f"cloudwatch/home?region={resource.region}#alarmsV2:alarm/{quote(resource.name, safe='')}"
        return _link(resource.region, page, f"alarm {resource.name}", account_of(resource.arn))
    if isinstance(resource, LogGroup):
        fragment = f"logsV2:log-groups/log-group/{_cw_fragment(resource.name)}"
        page = f"cloudwatch/home?region={resource.region}#{fragment}"
        return _link(resource.region, page, f"log group {resource.name}", resource.account)
    return None


@dataclass(frozen=True)
class LogGroup:
    name: str
    region: str
    account: str = ""


def log_group(name: str, region: str, account: str = "") -> LogGroup:
    return LogGroup(name, region, account)


def _link(region: str, page: str, what: str, account: str) -> ConsoleLink:
    return ConsoleLink(what, f"{CONSOLE.format(region=region)}/{page}", region, account)


def _ecs(arn: str, what: str, path: str) -> ConsoleLink:
    """An ECS console page; the region is the ARN's (every ECS ARN names it)."""
    parts = arn.split(":")
    region = parts[3] if len(parts) > 5 else ""
    return _link(region, f"ecs/v2/{path}?region={region}", what, account_of(arn))


def can_open_browser() -> bool:
    """Whether a browser can be started without taking over this terminal (a desktop one)."""
    if sys.platform not in ("darwin", "win32") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    name = os.path.basename(str(getattr(browser, "name", "") or ""))
    return name not in TERMINAL_BROWSERS


def open_in_browser(url: str) -> bool:
    """Open ``url`` in a desktop browser when there is one; False when not (the caller shows it)."""
    if not can_open_browser():
        return False
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False
