"""The demo AWS as one object: server + ECS fixes + scheduler + world + live activity.

``start_demo()`` is what tests, benchmarks, ``opsconsole demo`` and ``opsconsole demo serve``
call. It seeds with the middleware's latency, faults and throttling off (so seeding is fast and
deterministic), then switches them on; ``reset()`` puts the world back as it was at start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import IO, Any

from console.demo import activity as live
from console.demo import (
    alarms_eval,
    autoscaling_runtime,
    consumer,
    ecs_fixes,
    health,
    incidents,
    limits,
    metrics,
    organisation,
    scaling_activities,
    service_deployments,
)
from console.demo.clock import CLOCK, DEFAULT_SCALE, set_scale
from console.demo.history import History
from console.demo.scheduler import LOCK, Scheduler, backend
from console.demo.server import DemoServer, FaultSpec
from console.demo.world import LABEL, REGIONS, SCALE_CLUSTER, World, WorldInfo

log = logging.getLogger("opsconsole.demo")

TIME_SCALE_ENV = "OPSCONSOLE_DEMO_TIME_SCALE"
FIRST_SCREEN_WAIT_S = 4.0
START_FILL_WAIT_S = 120.0  # an incident needs the whole world
KEEP_TASKS_RUNNING = {"progression": "manual", "times": 1_000_000_000}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def _fake_credentials() -> None:
    """Credentials only the demo's own clients see (never overwriting real ones)."""
    if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
        for name, value in FAKE_CREDENTIALS.items():
            os.environ.setdefault(name, value)
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")


def _keep_tasks_running() -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="ecs::task", transition=dict(KEEP_TASKS_RUNNING))


# EC2: the networks (see below); IAM and STS: the ops roles' assumed keys, which consoles hold.
KEPT_ON_RESET = frozenset({"ec2", "iam", "sts"})


def _reset_keeping_network() -> bool:
    """What POST /moto-api/reset does, minus EC2 (and about 5x faster).

    moto's reset re-creates every region backend it drops, and EC2's constructor builds default
    VPCs: most of a reset's second. The world's VPCs, subnets and security groups are plumbing
    that never changes, so they are kept and reused; everything else starts empty. Returns False
    (the caller then uses the HTTP reset) if moto's internals are not what this was written for.
    """
    try:
        from moto.core.base_backend import BackendDict, backend_lock
        from moto.core.model_instances import reset_model_data
    except ImportError:
        return False
    with backend_lock:
        instances = BackendDict._instances  # type: ignore[misc]  # moto's registry of every service's backends
        for backends in list(instances):
            if backends.service_name in KEPT_ON_RESET:
                continue
            backends.clear()
            instances.remove(backends)
    reset_model_data()
    return True


@dataclass
class _Config:
    latency_ms: float
    faults: FaultSpec | None
    throttle: bool
    denied: frozenset[str] = frozenset()  # accounts whose ops role refuses AssumeRole


@dataclass
class DemoRuntime:
    """A running demo AWS. ``world.label`` names it for the UI."""

    server: DemoServer
    scheduler: Scheduler
    builder: World
    activity: live.Activity | None
    config: _Config
    scale: int
    seed_world: bool
    regions: tuple[str, ...] = REGIONS
    world: WorldInfo = field(default_factory=WorldInfo)
    last_reset_s: float = 0.0
    _activity_enabled: bool = True
    # Set once the whole world is seeded (at once, or behind the first screen with background=True).
    filled: threading.Event = field(default_factory=threading.Event)
    history: History = field(default_factory=History)
    async_history: bool = True  # without live activity, the past is written behind the seed

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def label(self) -> str:
        return LABEL

    @property
    def organisation(self) -> organisation.Organisation:
        """The accounts of this world (one base account unless organised)."""
        return organisation.current()

    def deny(self, *account_ids: str) -> None:
        """From now on the ops role of these accounts refuses AssumeRole (none: allow all again)."""
        self.config.denied = frozenset(account_ids)
        self.server.middleware.denied_accounts = set(account_ids)

    def reorganise(self, organised: bool, *, accounts: int = 0) -> None:
        """Re-seed the world as an organisation (or as the one base account): a reset."""
        organisation.use(organisation.Organisation.make(organised, fleet_accounts=accounts, scale=self.scale))
        self.reset()

    def _announce(self) -> None:
        self.server.middleware.info = {
            "demo": True,
            "regions": list(self.regions),
            "label": LABEL,
            "accounts": self.organisation.as_info(),
        }
        self.server.middleware.live_info = self.live_info

    def live_info(self) -> dict[str, Any]:
        """For ``/_opsconsole/info``: whether the world is still filling, and the line that says so."""
        return {"filling": bool(self.status), "status": self.status}

    def mark_filled(self) -> None:
        self.filled.set()

    @property
    def status(self) -> str:
        """For the status line: what the world is doing while the console already runs on it."""
        if not self.filled.is_set():
            return "demo world still filling: services, tasks, logs, metrics…"
        if not self.history.done.is_set():
            return "demo world still filling: the last 24 h of metrics, logs and alarms…"
        return ""

    # ---- lifecycle --------------------------------------------------------------------
    def _quiet_middleware(self) -> None:
        mw = self.server.middleware
        mw.latency_ms = 0
        mw.set_faults(None)
        mw.throttle = False

    def _apply_config(self) -> None:
        mw = self.server.middleware
        mw.latency_ms = self.config.latency_ms
        mw.set_faults(self.config.faults)
        mw.throttle = self.config.throttle
        mw.denied_accounts = set(self.config.denied)
        with mw._lock:
            mw._buckets.clear()

    def _seed(self) -> None:
        self._quiet_middleware()
        if self.seed_world:
            self.world = self.builder.seed(scale=self.scale)
            with organisation.acting_as(self.organisation.account_of(consumer.CLUSTER)):
                live.seed_logs_and_queues(self.regions, skip_clusters=(SCALE_CLUSTER,))
            self.world.dlq_seeded = 25
            if self._activity_enabled or not self.async_history:
                # live lines must come after the past's in every stream: write the past first
                self.history.write_now(self.regions, (SCALE_CLUSTER,), self.world)
            else:
                self.history.start(self.regions, (SCALE_CLUSTER,), self.world)
        else:
            self.world = WorldInfo()
        self._announce()
        self.server.reset_counts()
        self._apply_config()

    def _seed_first_screen(self) -> None:
        """Only what the console's first screen lists (the clusters); the rest follows in _fill."""
        self._quiet_middleware()
        self.builder.info = WorldInfo()
        self.builder.clusters_first()
        self._announce()

    def _fill(self, first_read: threading.Event | None = None) -> None:
        if first_read is not None:
            # Let the console read its first screen before the seeding competes with it for the
            # interpreter (a few seconds at most, if no console ever asks).
            first_read.wait(FIRST_SCREEN_WAIT_S)
            time.sleep(0.2)
        try:
            self._seed()
        except Exception:
            log.exception("the demo world could not be seeded")
            return
        self.scheduler.start()
        if self.activity is not None and self._activity_enabled:
            self.activity.start()
        self.mark_filled()

    def reset(self) -> None:
        """Back to the world as it was at start: moto reset, the task transition, a fresh seed."""
        started = time.monotonic()
        self.pause_activity()
        self.scheduler.pause()
        self.history.cancel()
        try:
            self._quiet_middleware()
            if not _reset_keeping_network():
                req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
            _keep_tasks_running()
            self.server.middleware.forget_keys()
            self.scheduler.forget()
            incidents.forget()
            metrics.forget()
            alarms_eval.forget()
            autoscaling_runtime.forget()
            scaling_activities.forget()
            self._seed()
        finally:
            self.scheduler.resume()
            if self._activity_enabled:
                self.resume_activity()
        self.last_reset_s = time.monotonic() - started

    def deny_route(self, method: str, body: bytes) -> dict[str, Any]:
        """POST {"accounts": [ID, …]}: those accounts refuse AssumeRole ([] allows all); GET: which do."""
        if method == "POST":
            import json

            wanted = json.loads(body or b"{}").get("accounts", [])
            if not isinstance(wanted, list) or not all(isinstance(a, str) for a in wanted):
                return {"ok": False, "error": "accounts: a list of account ids is needed"}
            self.deny(*wanted)
        return {"ok": True, "denied": sorted(self.config.denied)}

    def pause_activity(self) -> None:
        if self.activity is not None:
            self.activity.pause()

    def resume_activity(self) -> None:
        if self.activity is not None:
            self.activity.resume()

    def stop(self) -> None:
        self.history.cancel()
        if self.activity is not None:
            self.activity.stop()
        self.scheduler.stop()
        self.server.stop()

    def __enter__(self) -> DemoRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- conveniences for tests and the CLI ----------------------------------------------
    def counts(self) -> dict[str, int]:
        return self.server.counts()

    def wait_steady(self, timeout: float = 10.0) -> bool:
        """True once every service runs its desired count with one COMPLETED deployment."""

        def steady() -> bool:
            for account, region in self.organisation.places():
                for svc in backend(region, account).services.values():
                    if svc.status != "ACTIVE":
                        continue
                    deps = getattr(svc, "deployments", [])
                    if svc.running_count != svc.desired_count or svc.pending_count or len(deps) != 1:
                        return False
            return True

        return self.scheduler.wait_for(steady, timeout)


def start_demo(
    port: int = 0,
    *,
    latency_ms: float = 0,
    faults: FaultSpec | None = None,
    throttle: bool = False,
    activity: bool = True,
    scale: int = 0,
    tick_s: float = 0.5,
    seed_world: bool = True,
    time_scale: float | None = None,
    background: bool = False,
    organised: bool | None = None,
    accounts: int = 0,
    deny_accounts: tuple[str, ...] = (),
) -> DemoRuntime:
    """Start the demo AWS on 127.0.0.1:``port`` (0 = any free port) and seed the world.

    ``time_scale``: how much faster than on AWS a rollout's steps pass (see clock); None reads
    ``OPSCONSOLE_DEMO_TIME_SCALE``, else ``DEFAULT_SCALE``. ``background``: return once the
    clusters exist (what the console's first screen lists) and seed the rest in a thread;
    ``runtime.filled`` is set when it is done (``opsconsole demo`` starts this way).
    ``organised``: each system in its own account (None: ``organisation.organised_by_default()``);
    ``accounts``: K synthetic fleet accounts (each with ``scale`` services per region; implies
    organised); ``deny_accounts``: accounts whose ops role refuses AssumeRole once seeded.
    """
    _fake_credentials()
    if organised is None:
        organised = organisation.organised_by_default()
    organisation.use(organisation.Organisation.make(organised, fleet_accounts=accounts, scale=scale))
    set_scale(time_scale if time_scale is not None else scale_from_env())
    health.install()
    server = DemoServer(port)
    server.start()
    scheduler = Scheduler(regions=REGIONS, tick_s=tick_s, hook=live.LogBook())
    ecs_fixes.install_patches(scheduler)
    ecs_fixes.register_overrides(server)
    limits.install(server)  # ECS's task-definition limits, which moto does not enforce
    service_deployments.install(server)  # List/Describe/StopServiceDeployment, which moto lacks
    with contextlib.suppress(ImportError):
        from console.demo import sqs_moves

        sqs_moves.install(server)
    _keep_tasks_running()
    runtime = DemoRuntime(
        server=server,
        scheduler=scheduler,
        builder=World(server.endpoint, scheduler),
        activity=live.Activity(REGIONS, skip_clusters=(SCALE_CLUSTER,)) if activity else None,
        config=_Config(latency_ms, faults, throttle, frozenset(deny_accounts)),
        scale=scale,
        seed_world=seed_world,
        _activity_enabled=activity,
    )
    server.middleware.denied_accounts = set(runtime.config.denied)  # from the first request on
    incidents.bind(server.endpoint)
    alarms_eval.install()
    scaling_activities.install()  # DescribeScalingActivities, which moto lacks

    def world_step() -> None:
        if not runtime.history.done.is_set():
            return  # alarms are evaluated on a whole past, never half of one
        for account, regions in organisation.current().regions_by_account(REGIONS):
            with LOCK:
                metrics.step(regions, skip_clusters=(SCALE_CLUSTER,), account=account)
            alarms_eval.step(regions, account=account)

    lambda_consumer = consumer.Consumer()

    def consume() -> None:
        lambda_consumer.tick(organisation.current().account_of(consumer.CLUSTER))

    scheduler.extras += [consume, incidents.tick, world_step, autoscaling_runtime.tick]
    server.middleware.admin_routes["/_opsconsole/incident"] = incident_route
    server.middleware.admin_routes["/_opsconsole/deny"] = runtime.deny_route
    server.middleware.gate = runtime.history.gate
    if background and seed_world:
        try:
            runtime._seed_first_screen()
        except Exception:
            server.stop()
            raise
        first_read = threading.Event()
        described: set[tuple[str, str]] = set()
        wanted = len(organisation.current().places())

        def on_request(name: str, request: dict[str, Any], status: int) -> None:
            if name == "ecs.DescribeClusters" and status == 200:
                described.add((str(request.get("account")), str(request.get("region"))))
                if len(described) >= wanted:
                    first_read.set()

        server.add_observer(on_request)
        threading.Thread(target=runtime._fill, args=(first_read,), name="demo-seed", daemon=True).start()
        return runtime
    try:
        runtime._seed()
    except Exception:
        server.stop()
        raise
    scheduler.start()
    if runtime.activity is not None:
        runtime.activity.start()
    runtime.mark_filled()
    return runtime


def incident_route(method: str, body: bytes) -> dict[str, Any]:
    """POST {"action": "start"|"resolve", "name": N} or GET: the incidents of this server's world."""
    if method != "POST":
        return {
            "ok": True,
            "incidents": {name: incidents.describe(name).summary for name in incidents.names()},
            "active": incidents.active(),
        }
    import json

    request = json.loads(body or b"{}")
    name = str(request.get("name", ""))
    action = request.get("action", "start")
    try:
        if action == "resolve":
            incident = incidents.resolve(name)
        else:
            incident = incidents.start(name, pace=float(request.get("pace", 1.0)))
    except incidents.IncidentError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "name": incident.name, "summary": incident.summary, "active": incidents.active()}


def scale_from_env() -> float:
    try:
        value = float(os.environ.get(TIME_SCALE_ENV, "") or DEFAULT_SCALE)
    except ValueError:
        return DEFAULT_SCALE
    return value if value > 0 else DEFAULT_SCALE


def format_counts(counts: dict[str, int]) -> str:
    if not counts:
        return "requests served: none"
    width = max(len(name) for name in counts)
    lines = [f"requests served: {sum(counts.values())}"]
    lines += [f"  {name.ljust(width)}  {counts[name]}" for name in sorted(counts)]
    return "\n".join(lines)


def serve_forever(
    port: int = 0,
    *,
    latency_ms: float = 0,
    faults: FaultSpec | None = None,
    throttle: bool = False,
    activity: bool = True,
    scale: int = 0,
    tick_s: float = 0.5,
    out: IO[str] | None = None,
    ready: threading.Event | None = None,
    time_scale: float | None = None,
    incident: str | None = None,
    organised: bool | None = None,
    accounts: int = 0,
    deny_accounts: tuple[str, ...] = (),
    stop: threading.Event | None = None,
    background: bool = False,
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop``); print the endpoint line first and the request counts last.

    ``background``: print the endpoint once the clusters exist and seed the rest behind
    (``/_opsconsole/info`` says ``filling`` until it is done), as ``opsconsole demo`` wants.
    """
    out = out or sys.stdout
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runtime = start_demo(
            port,
            latency_ms=latency_ms,
            faults=faults,
            throttle=throttle,
            activity=activity,
            scale=scale,
            tick_s=tick_s,
            time_scale=time_scale,
            organised=organised,
            accounts=accounts,
            deny_accounts=deny_accounts,
            background=background,
        )
        try:
            if incident:
                runtime.filled.wait(START_FILL_WAIT_S)
                from console.demo import incidents

                incidents.start(incident)
            print(f"endpoint: {runtime.endpoint}", file=out, flush=True)
            print(f"ECS time scale: {CLOCK.scale:g}x", file=sys.stderr, flush=True)
            org = runtime.organisation
            if org.organised:
                denied = f", {len(deny_accounts)} denying AssumeRole" if deny_accounts else ""
                print(f"accounts: {len(org.accounts)}{denied}", file=sys.stderr, flush=True)
            if ready is not None:
                ready.set()
            while not stop.wait(0.5):
                pass
            counts = runtime.counts()
        finally:
            runtime.stop()
        print(format_counts(counts), file=out, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
