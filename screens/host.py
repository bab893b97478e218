"""What a pane gets from the console it runs in: the facade, a notifier, navigation, a presenter.

A screen never imports the App (``screens.app`` imports every screen: the other way round is a
cycle) and never reaches into it. It asks its host for these narrow things; the App is the
host in the console, a test may host a screen in an App of its own that offers the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, cast

from console.api import ConsoleApi
from console.api.operations import Operation, Operations, Outcome
from console.api.views import FirstView
from console.config import Settings
from console.model import Cluster, Service, Task
from screens.format import Presenter

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

    from console.ops.plan import Plan
    from screens.modals.messages import MoveProgressScreen
    from screens.pane import PaneScreen
    from screens.widgets.bars import TopBar


class LogsTarget(TypedDict, total=False):
    """What the logs pane opens on (``open_logs``): a log group, a service's or a task's logs."""

    group: str | None
    service: Service | None
    task: Task | None
    container: str | None  # of the task: that container's stream only


class RunOptions(TypedDict, total=False):
    """How ``run_operation`` asks before it applies, and where it shows what it did."""

    second_confirm: Callable[[Plan], Awaitable[bool]] | None  # asks again after the plan (a purge)
    on_cancel: Callable[[MoveProgressScreen], None] | None  # a Cancel button in the progress modal
    confirmed_by: Callable[[str], None] | None  # a press confirmed it: no modal, its lines go there


class Navigation(Protocol):
    """Where a pane can send the user (each opens a pane above the current one)."""

    def open_services(self, clusters: Sequence[Cluster], first_view: FirstView | None = None) -> None: ...

    def open_tasks(self, cluster: Cluster, service: Service | None = None) -> None: ...

    def open_service_detail(self, service: Service) -> None: ...

    def open_task_detail(self, task: Task) -> None: ...

    def open_logs(self, **target: Unpack[LogsTarget]) -> None: ...

    def open_queues(self) -> None: ...

    def push_pane(self, pane: PaneScreen) -> None: ...


class Notifier(Protocol):
    """Where a pane reports what the user should know and what a benchmark may time."""

    def note_error(self, exc: BaseException, *, quiet: bool = False) -> None: ...

    def milestone(self, name: str) -> None: ...


class Host(Protocol):
    """The console a pane runs in, as far as a pane may know it."""

    @property
    def api(self) -> ConsoleApi: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def regions(self) -> tuple[str, ...]: ...

    @property
    def read_only(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    @property
    def presenter(self) -> Presenter: ...

    @property
    def navigation(self) -> Navigation: ...

    @property
    def notifier(self) -> Notifier: ...

    def poll_interval_for(self, default: float) -> float:
        """The poll interval of a pane whose own is ``default`` (the console's setting may override)."""
        ...

    def show_top_bar(self, bar: TopBar) -> None: ...

    def refusal(self, node: DOMNode, action: str) -> str:
        """Why ``action`` of ``node`` is refused now ("" when it is not): read-only, or the node's own."""
        ...

    def remember_clusters(self, clusters: Sequence[Cluster]) -> None: ...

    # --- operations: the facade's, run through the app's one path ---------------------------
    @property
    def operations(self) -> Operations: ...

    @property
    def poll_interval(self) -> float | None: ...

    def say(self, message: str, *, severity: SeverityLevel = "information", timeout: float = 6) -> None:
        """What just happened: the status line under the modals, and a toast."""
        ...

    async def run_operation(
        self, prepare: Callable[[], Awaitable[Operation]], **options: Unpack[RunOptions]
    ) -> Outcome | None:
        """prepare → plan modal → apply + audit → progress modal (screens.app)."""
        ...


def host_of(app: App[Any]) -> Host:
    """The host a screen's ``app`` is (the App, or a test's App offering the same)."""
    return cast(Host, app)
