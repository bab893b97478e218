"""The console: panes on a screen stack, a ``:`` command line, ``?`` help, the palette, operations.

Navigation is Textual's screen stack: Enter pushes the next pane (clusters →
services → tasks → task → container), Esc pops it, and the breadcrumb is the
stack's crumbs.  Each pane polls for itself only while it is on top (see
``screens.pane``).  All AWS I/O is ``console/`` code awaited in workers.

Extension points for operations (issue 5):

* :func:`screens.bindings.mutating` marks a Binding whose action read-only
  mode disables (shown disabled, not hidden; pressed, it says so);
* :meth:`OpsConsoleApp.run_operation` (inside a worker) takes an operation
  prepared by ``console.api.Operations`` through
  plan → :class:`~screens.modals.confirm.ConfirmPlanScreen` → apply (audited by
  the runner) → verify with :class:`~screens.modals.progress.ProgressScreen`;
* panes expose what is selected: ``ServicesScreen.selected_service()``,
  ``ServiceDetailScreen.selected_service()``, ``TasksScreen.selected_task()``,
  ``QueuesScreen.selected_queue()``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

from textual import events, on, work
from textual.actions import ActionParseResult
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from console.api import ConsoleApi
from console.api.operations import CANCELLED, Operation, Operations
from console.api.views import FirstView
from console.config import Settings
from console.errors import NotFound, OpsError, describe_aws_error
from console.model import Cluster, Service, Task, short_name
from console.names import did_you_mean
from screens import fleet
from screens.bindings import action_name, mutating_bindings
from screens.clusters import ClustersScreen
from screens.command_names import command_names, pane_in_stack
from screens.commands import PaneCommands, UnknownCommand, parse
from screens.detail.service import ServiceDetailScreen
from screens.detail.task import TaskDetailScreen
from screens.format import Presenter
from screens.heap import freeze_startup_heap
from screens.host import LogsTarget, RunOptions
from screens.modals.command_line import CommandLineScreen
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.help import HelpScreen, binding_rows
from screens.modals.messages import MoveProgressScreen
from screens.modals.progress import ProgressScreen
from screens.pane import PaneScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen
from screens.tasks import TasksScreen
from screens.widgets.bars import StatusLine, TopBar
from screens.world_notice import watch_world

if TYPE_CHECKING:
    from console.ops.plan import Plan
    from console.ops.runner import Outcome

STARTED = time.monotonic()
DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
STARTUP_GC_GRACE_S = 15.0  # cyclic GC is held off at start-up at most this long (screens.heap)


class OpsConsoleApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "opsconsole"
    COMMANDS = App.COMMANDS | {PaneCommands}
    BINDINGS = [
        Binding("colon", "command_line", "Command", id="app.command", key_display=":"),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        demo_label: str | None = None,
        api: ConsoleApi | None = None,
        poll_interval: float | None = None,
        presenter: Presenter | None = None,
        cluster: str | None = None,
        first_view: asyncio.Future[FirstView] | None = None,
    ) -> None:
        """``api``: the facade to read and act through (made from ``settings`` when not given);
        ``poll_interval``: every pane's poll interval instead of its own; ``presenter``: how
        times, sparklines and generated ids look; ``cluster`` opens that cluster's services at
        start, from ``first_view`` when the launcher has read it already (console.prefetch)."""
        super().__init__()
        self.settings = settings
        self.demo_label = demo_label
        self.api = api or ConsoleApi(settings)
        self.regions: tuple[str, ...] = tuple(settings.regions)
        self.poll_interval = poll_interval
        self.presenter = presenter or Presenter()
        self.paused = False
        self.start_cluster = cluster
        self.first_view = first_view
        self.milestones: dict[str, float] = {}
        self.known_clusters: dict[str, Cluster] = {}
        self.errors: list[str] = []
        self.world_notice = ""  # what api.world says while the world fills (screens.world_notice)
        theme = (settings.profile.theme or "").lower()
        self.theme = {"light": LIGHT_THEME, "dark": DARK_THEME, "": DARK_THEME}.get(
            theme, theme or DARK_THEME
        )

    # --- state -----------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def navigation(self) -> OpsConsoleApp:
        return self

    @property
    def notifier(self) -> OpsConsoleApp:
        return self

    def poll_interval_for(self, default: float) -> float:
        return default if self.poll_interval is None else self.poll_interval

    def on_mount(self) -> None:
        # The collector comes back with the first data shown; at the latest after this grace.
        self.set_timer(STARTUP_GC_GRACE_S, freeze_startup_heap)
        if self.settings.profile.keys:
            self.set_keymap(dict(self.settings.profile.keys))
        home = ClustersScreen()
        if self.start_cluster:
            home.hold()  # covered at once: it polls when the user comes back to it
        self.push_pane(home)
        if self.start_cluster:
            self.run_command_line(f"cluster {self.start_cluster}")
        self.run_worker(watch_world(self), group="world-notice", exit_on_error=False)
        self.milestone("mounted")

    async def on_unmount(self) -> None:
        await self.api.close()

    def push_pane(self, pane: PaneScreen) -> None:
        if self.poll_interval is not None:
            pane.poll_interval = self.poll_interval
        self.push_screen(pane)

    def milestone(self, name: str) -> None:
        """A point of the start a benchmark times (``mounted``, ``services_first_screenful``…):
        recorded once in ``milestones``, seconds since the UI was imported. bench/tui.py
        overrides this in a subclass to take its own clock."""
        self.milestones.setdefault(name, time.monotonic() - STARTED)

    def remember_clusters(self, clusters: Sequence[Cluster]) -> None:
        for cluster in clusters:
            self.known_clusters[cluster.arn] = cluster

    def note_error(self, exc: BaseException, *, quiet: bool = False) -> None:
        message = describe_aws_error(exc)
        self.errors = [*self.errors[-49:], message]
        self.log.error(message)
        if not quiet and ("credentials" in message or "unreachable" in message):
            self.notify(message, severity="error", timeout=8)

    def breadcrumb(self) -> list[str]:
        return [s.crumb for s in self.screen_stack if isinstance(s, PaneScreen) and s.crumb]

    def show_top_bar(self, bar: TopBar) -> None:
        where, profile = fleet.where_label(self.regions), self.settings.profile.name
        bar.show(
            self.breadcrumb(), profile=profile, regions=where, demo=self.demo_label, read_only=self.read_only
        )

    # --- navigation --------------------------------------------------------------------
    def open_services(self, clusters: Sequence[Cluster], first_view: FirstView | None = None) -> None:
        if clusters:
            self.push_pane(ServicesScreen(clusters, first_view=first_view))

    def open_tasks(self, cluster: Cluster, service: Service | None = None) -> None:
        self.push_pane(TasksScreen(cluster, service))

    def open_service_detail(self, service: Service) -> None:
        self.push_pane(ServiceDetailScreen(service))

    def open_task_detail(self, task: Task) -> None:
        self.push_pane(TaskDetailScreen(task))

    def open_logs(self, **target: Unpack[LogsTarget]) -> None:
        """The logs pane (issue 4 replaces ``screens.logs.LogsScreen``; this signature stays).

        Imported here, not at the top: the logs pane (its follow engine, CloudWatch Logs
        gateway and log view) is a sixth of the UI's imports and no first screen needs it."""
        from screens.logs import LogsScreen

        self.push_pane(LogsScreen(**target))

    def open_queues(self) -> None:
        self.push_pane(QueuesScreen())

    def open_alarms(self) -> None:
        from screens.alarms import AlarmsScreen

        self.push_pane(AlarmsScreen())

    def on_click(self, event: events.Click) -> None:
        """A click on a status line that counts alarms opens the alarms pane (issue 17)."""
        if isinstance(event.widget, StatusLine) and "alarm" in event.widget.info:
            self.open_alarms()

    def go_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def _nav_context(self) -> tuple[list[Cluster], Service | None]:
        """The clusters and service the user is looking at, from the top of the stack down."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ServiceDetailScreen):
                s = screen.service
                return [Cluster(arn=s.cluster_arn, name=s.cluster_name, region=s.region)], s
            if isinstance(screen, TasksScreen):
                return [screen.cluster], screen.service
            if isinstance(screen, ServicesScreen):
                selected = screen.selected_service()
                return screen.clusters, selected if len(screen.clusters) == 1 else None
        return [], None

    # --- the command line ------------------------------------------------------------
    def action_command_line(self, value: str = "", hint: str = "") -> None:
        names = command_names(self)
        self.push_screen(CommandLineScreen(names, value=value, hint=hint), self._command_entered)

    def _command_entered(self, text: str | None) -> None:
        if text:
            self.run_command_line(text)

    def run_command_line(self, text: str) -> None:
        try:
            verb, arg = parse(text)
        except UnknownCommand as exc:
            self.notify(str(exc), severity="warning", timeout=4)
            return
        clusters, service = self._nav_context()
        if verb == "clusters":
            self.go_home()
        elif verb == "cluster":
            self._open_cluster(arg)
        elif verb == "services" and arg:
            self._open_service(arg, clusters)
        elif verb == "services":
            if clusters:
                self.open_services(clusters)
            elif self.known_clusters:
                self.open_services(list(self.known_clusters.values()))
            else:
                self._open_all_services()
        elif verb == "tasks":
            if clusters and len(clusters) == 1:
                self.open_tasks(clusters[0], service)
            else:
                self.notify(
                    "open a cluster or a service first (:cluster NAME)", severity="warning", timeout=4
                )
        elif verb == "queues" and arg:
            self._open_queue(arg)
        elif verb == "queues":
            self.open_queues()
        elif verb == "logs" and not arg and service is None:
            where = f"of {clusters[0].name}" if len(clusters) == 1 else "of " + ", ".join(self.regions)
            self.action_command_line("logs ", f"log groups {where}: Tab to choose, Enter to follow")
        elif verb == "alarms":
            self.open_alarms()
        elif verb == "logs":
            self.open_logs(group=arg or None, service=service)
        elif verb in ("region", "account"):
            self._narrow(verb, arg)
        elif verb == "profile":
            self._switch_profile(arg)
        elif verb == "incident":
            self._run_incident(arg)
        elif verb == "help":
            self.action_help()
        elif verb == "quit":
            self.exit(0)

    @work(group="incident", exclusive=True, exit_on_error=False)
    async def _run_incident(self, words: str) -> None:
        """``:incident [resolve] NAME`` on a demo: the world changes, the panes show it on their next poll."""
        ok, line = await self.api.incidents.run(words)
        self.notify(line, severity="information" if ok else "warning", timeout=8)

    def _open_cluster(self, name: str) -> None:
        """A cluster's services right above the clusters pane: the stack is replaced, not grown."""
        for cluster in self.known_clusters.values():
            if name in (cluster.name, cluster.arn):
                self.go_home()
                self.open_services([cluster])
                return
        self._find_and_open_cluster(name)

    @work(group="navigate", exclusive=True, exit_on_error=False)
    async def _open_service(self, name: str, clusters: Sequence[Cluster]) -> None:
        """``:svc NAME``: that service's detail, looked for in the clusters in view."""
        pane = pane_in_stack(self, ServicesScreen)
        shown = list(pane.services.values()) if isinstance(pane, ServicesScreen) else []
        hit = next((s for s in shown if name in (s.name, s.arn)), None)
        try:
            if hit is None:
                if len(clusters) != 1:
                    known = [s.name for s in shown]
                    raise NotFound(f"unknown service '{name}' here{did_you_mean(name, known)}")
                hit = await self.api.reads.service_named(clusters[0], name)
        except Exception as exc:
            return self._failed(exc)
        self.open_service_detail(hit)

    @work(group="navigate", exclusive=True, exit_on_error=False)
    async def _open_queue(self, name: str) -> None:
        from screens.detail.queue import QueueDetailScreen

        try:
            queue = await self.api.reads.queue_named(name, self.regions)
        except Exception as exc:
            return self._failed(exc)
        self.push_pane(QueueDetailScreen(queue))

    @work(group="navigate", exclusive=True, exit_on_error=False)
    async def _find_and_open_cluster(self, name: str) -> None:
        first_view, self.first_view = self.first_view, None  # read once, for the start only
        try:
            if first_view is not None and name == self.start_cluster:
                view = await first_view  # read while the UI was loading (console.prefetch)
                self.remember_clusters([view.cluster])
                self.milestone("cluster_found")
                self.go_home()
                self.open_services([view.cluster], first_view=view)
                return
            cluster = await self.api.reads.find_cluster(self.regions, name)
        except Exception as exc:
            self.notify(describe_aws_error(exc), severity="error", timeout=6)
            if isinstance(self.screen, PaneScreen):
                self.screen.release()  # the user stays here: show what there is
            return
        self.remember_clusters([cluster])
        self.milestone("cluster_found")
        self.go_home()
        self.open_services([cluster])

    @work(group="navigate", exclusive=True, exit_on_error=False)
    async def _open_all_services(self) -> None:
        try:
            found = await self.api.reads.clusters(self.regions, self.settings.profile.clusters)
        except Exception as exc:
            return self._failed(exc)
        self.remember_clusters(found)
        self.open_services(found)

    def _failed(self, exc: BaseException) -> None:
        """A navigation that could not be made: one line, the place unchanged."""
        self.notify(describe_aws_error(exc), severity="error", timeout=6)

    def _narrow(self, verb: str, text: str) -> None:
        """``:account NAME|ID`` or ``:region NAME``: every pane again on those places; alone, all."""
        everywhere = tuple(self.settings.regions)
        try:
            if verb == "account":
                self.regions = fleet.narrow_account(everywhere, text)
            else:
                self.regions = (
                    fleet.narrow_regions(everywhere, text) if text not in ("", "all") else everywhere
                )
        except OpsError as exc:
            return self._failed(exc)
        self._show_regions()
        shown = (
            fleet.account_names(self.regions) if verb == "account" else dict.fromkeys(map(str, self.regions))
        )
        self.notify(f"{verb}s: {', '.join(shown) or 'all'}", timeout=3)

    def _show_regions(self) -> None:
        """Every pane again from the clusters, on the places now in view."""
        self.known_clusters.clear()
        self.go_home()
        home = self.screen_stack[1] if len(self.screen_stack) > 1 else None
        if isinstance(home, ClustersScreen):
            home.clusters.clear()
            home.refresh_top_bar()
            home.action_refresh()

    def _switch_profile(self, name: str) -> None:
        if not name:
            self.notify(f"profile: {self.settings.profile.name} (:profile NAME switches)", timeout=4)
            return
        from console.config import resolve_settings

        try:
            settings = resolve_settings(profile_name=name, read_only=self.settings.read_only)
        except OpsError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self._replace_api(settings)

    @work(group="navigate", exclusive=True, exit_on_error=False)
    async def _replace_api(self, settings: Settings) -> None:
        old = self.api
        self.settings = settings
        self.regions = tuple(settings.regions)
        self.api = ConsoleApi(settings)
        self._show_regions()
        await old.close()
        self.notify(f"profile {settings.profile.name}", timeout=3)

    # --- help, palette -----------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        crumb = getattr(self.screen, "crumb", "") or "console"
        self.push_screen(HelpScreen(binding_rows(self.screen), crumb))

    async def run_binding_action(self, screen: Screen[Any], action: str) -> None:
        await self.run_action(action, screen)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    # --- operations ------------------------------------------------------------------
    @property
    def operations(self) -> Operations:
        """The facade's operations (console.api); a profile switch replaces the api and them."""
        return self.api.operations

    def say(self, message: str, *, severity: SeverityLevel = "information", timeout: float = 6) -> None:
        """What just happened, in the status line of the screen under the modals, and as a toast.

        The status line keeps it until the next thing said: a toast alone is gone before a
        person who looked away reads it.
        """
        self.notify(message, severity=severity, timeout=timeout, markup=False)
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ModalScreen):
                continue
            for line in screen.query(StatusLine):
                line.set_notice(message, severity=severity)
            break

    def refusal(self, node: DOMNode, action: str) -> str:
        """Why ``action`` of ``node`` is refused now ("" when it is not).

        A screen may refuse an action for a reason of its own (``refusal_of``: a peek that
        would move messages); read-only mode refuses every action the node's bindings mark
        as mutating (screens.bindings). A refused action is shown disabled, and its key says why.
        """
        own = getattr(node, "refusal_of", None)
        if callable(own) and (why := own(action_name(action))):
            return str(why)
        if self.read_only or (account := fleet.read_only_account(node)):
            binding = mutating_bindings(node).get(action_name(action))
            if binding is not None:
                where = "read-only" if self.read_only else f"read-only account {account}"
                return f"{where}: {binding.description.lower()} is disabled"
        return ""

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """A disabled key that is pressed says why instead of doing nothing."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        if isinstance(action, str) and "." not in action and default_namespace is not None:
            why = self.refusal(default_namespace, action)
            if why:
                self.say(why, severity="warning")
                return True
        return False

    async def run_operation(
        self, prepare: Callable[[], Awaitable[Operation]], **options: Unpack[RunOptions]
    ) -> Outcome | None:
        """The TUI's side of ``Operations.run``: prepare → plan modal → apply + audit → progress modal.

        Call inside a worker. ``second_confirm`` asks again after the plan (a purge: the name
        typed); ``on_cancel`` puts a Cancel button in the progress modal (a move task);
        ``confirmed_by``: a button press already confirmed it (that Cancel button), so no modal
        opens and its lines go there. Errors end in the status line, never as a crash; a
        declined plan says that nothing was sent. Returns None when no plan could be made.
        """
        second_confirm, on_cancel = options.get("second_confirm"), options.get("on_cancel")
        confirmed_by = options.get("confirmed_by")
        try:
            self.operations.check_writable()
            op = await prepare()
        except Exception as exc:
            self._report(describe_aws_error(exc), confirmed_by, severity="error")
            return None
        plan = op.plan
        progress: ProgressScreen | None = None
        if confirmed_by is None:
            progress = MoveProgressScreen(plan, on_cancel) if on_cancel else ProgressScreen(plan)
            if plan.is_noop:  # said in the plan's own modal: "a move task is already running"
                await self.push_screen_wait(ConfirmPlanScreen(plan))

        async def confirm(p: Plan) -> bool | str:
            if confirmed_by is not None:
                return True
            # A protected service's modal answers with the name as typed (the runner checks it).
            confirmed: bool | str = await self.push_screen_wait(ConfirmPlanScreen(p))
            if confirmed and second_confirm is not None and not await second_confirm(p):
                confirmed = False
            if confirmed and progress is not None:
                await self.push_screen(progress)
            return confirmed

        try:
            # Confirmed by a press (a move's Cancel): the modal that has the button follows the end.
            wait = confirmed_by is None
            outcome = await self.operations.run(op, confirm, progress.update if progress else None, wait=wait)
        except Exception as exc:
            message = describe_aws_error(exc)
            if progress is not None:
                progress.finish(False, message)
            self._report(message, confirmed_by, severity="error")
            return None
        if not outcome.confirmed:
            said = f"nothing to do: {plan.noop_reason}" if plan.is_noop else CANCELLED
            self._report(said, confirmed_by)
            return outcome
        if outcome.verified is not None:
            message = outcome.verified.message
        elif outcome.applied is not None:
            message = outcome.applied.message
        else:
            message = "done"
        if progress is not None:
            progress.finish(outcome.ok, message)
            if not outcome.ok and outcome.verified is not None:  # a deployment that ended failed: why
                from screens.modals.why_failed import explain_failure

                self.run_worker(
                    explain_failure(self.api, progress, plan), group="why-failed", exit_on_error=False
                )
        self._report(message, confirmed_by, severity="information" if outcome.ok else "error")
        below = [s for s in self.screen_stack if not isinstance(s, ModalScreen)]
        if below and isinstance(below[-1], PaneScreen):
            below[-1].action_refresh()
        return outcome

    def _report(
        self, message: str, to: Callable[[str], None] | None, *, severity: SeverityLevel = "information"
    ) -> None:
        if to is not None:
            to(message)
        else:
            self.say(message, severity=severity)

    # --- every worker's failure in one place (harlequin) ----------------------------------
    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            message = describe_aws_error(event.worker.error)
            self.errors = [*self.errors[-49:], message]
            self.notify(message, severity="error", timeout=8)


def run_console(settings: Settings, **options: Any) -> int:
    """Open the console; the CLI's ``opsconsole`` and ``opsconsole demo`` call this."""
    app = OpsConsoleApp(settings, **options)
    app.run()
    return int(app.return_code or 0)


async def run_console_async(settings: Settings, **options: Any) -> int:
    """:func:`run_console` on a running loop: the launcher's, whose first reads are under way."""
    app = OpsConsoleApp(settings, **options)
    await app.run_async()
    return int(app.return_code or 0)


__all__ = ["OpsConsoleApp", "run_console", "run_console_async", "short_name"]
