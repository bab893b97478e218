"""The rules about tasks that stop: images, secrets, memory, crashes, a second writer.

They read ECS's stopped reasons and stop codes in AWS's wording (``CannotPullContainerError``,
``ResourceInitializationError … secret``, ``OutOfMemoryError: Container killed due to memory
usage``, ``Essential container in task exited``), the containers' exit codes and the last lines
the stopped tasks wrote.
"""

from __future__ import annotations

from console.model import Task, short_name
from console.triage.evidence import (
    ESSENTIAL,
    IMAGE_IN_REASON,
    LOCK,
    MAX_EVIDENCE,
    OOM,
    PULL,
    SECRET_ARN,
    SECRET_INIT,
    _by_revision,
    _first_at,
    _recent_failed,
    _stop_evidence,
    _tail_evidence,
    _task_ref,
    _texts,
)
from console.triage.hints import logs_command, quote, rollback_next
from console.triage.model import (
    CRITICAL,
    Evidence,
    Finding,
    Next,
    iso,
    utc,
)
from console.triage.signals import Signals


def image_pull_failed(s: Signals) -> list[Finding]:
    out = []
    for revision, tasks in _by_revision(_recent_failed(s, lambda t: bool(PULL.search(_texts(t))))).items():
        task = tasks[-1]
        found = IMAGE_IN_REASON.search(_texts(task))
        image = found.group(1) if found else ""
        if not image:
            image = next((c.image for c in task.containers if c.image), "")
        if not image:
            td = s.task_definition(revision)
            image = td.containers[0].image if td and td.containers else "?"
        evidence = [
            *_stop_evidence(s, task),
            Evidence(
                "revision",
                f"{revision} uses image {image}",
                None,
                s.ref(
                    "revision",
                    revision=revision,
                ),
            ),
        ]
        out.append(
            Finding(
                "image-pull-failed",
                CRITICAL,
                f"image {image} cannot be pulled: {len(tasks)} task(s) of {revision} stopped with CannotPullContainerError",
                tuple(evidence[:MAX_EVIDENCE]),
                rollback_next(s, revision, f" (or push {image.rsplit('/', 1)[-1]})"),
                weight=100,
                at=_first_at(tasks),
            )
        )
    return out


def secret_missing(s: Signals) -> list[Finding]:
    out = []
    for revision, tasks in _by_revision(
        _recent_failed(s, lambda t: bool(SECRET_INIT.search(_texts(t))))
    ).items():
        task = tasks[-1]
        m = SECRET_ARN.search(_texts(task))
        secret = m.group(0) if m else ""
        td = s.task_definition(revision)
        names = [
            (c.name, ref.name, ref.value_from) for c in (td.containers if td else ()) for ref in c.secrets
        ]
        named = next(
            (n for n in names if secret and (secret.startswith(n[2]) or n[2].startswith(secret))), None
        )
        label = secret.rsplit(":secret:", 1)[-1] if secret else (names[0][2] if names else "?")
        if named:
            label = f"{label} (env {named[1]} of {named[0]})"
        evidence = _stop_evidence(s, task)
        out.append(
            Finding(
                "secret-missing",
                CRITICAL,
                f"secret {label} cannot be read: {len(tasks)} task(s) of {revision} stopped with ResourceInitializationError",
                tuple(evidence[:MAX_EVIDENCE]),
                Next(
                    f"restore or recreate the secret {label}, or roll back",
                    quote(
                        "aws",
                        "secretsmanager",
                        "describe-secret",
                        "--region",
                        s.region,
                        "--secret-id",
                        secret or label,
                    ),
                ),
                weight=100,
                at=_first_at(tasks),
            )
        )
    return out


def _oom(task: Task) -> bool:
    return bool(OOM.search(_texts(task)))


def oom_killed(s: Signals) -> list[Finding]:
    tasks = _recent_failed(s, _oom)
    if not tasks:
        return []
    task = tasks[-1]
    container = next((c for c in task.containers if OOM.search(c.reason) or c.exit_code == 137), None)
    name = container.name if container else "?"
    td = s.task_definition(task.task_definition)
    cdef = td.container(name) if td else None
    limit = (
        f"{cdef.memory} MiB"
        if cdef and cdef.memory
        else (f"task {td.memory} MiB" if td and td.memory else "its limit")
    )
    evidence = _stop_evidence(s, task)
    for detail in s.alarms:
        if detail.alarm.metric == "MemoryUtilization":
            evidence.append(
                Evidence(
                    "alarm",
                    f"{detail.alarm.name} is {detail.alarm.state}: {detail.alarm.reason}",
                    detail.updated_at,
                    s.ref(
                        "alarm",
                        alarm=detail.alarm.name,
                    ),
                )
            )
    code = container.exit_code if container else 137
    return [
        Finding(
            "oom-killed",
            CRITICAL,
            f"container {name} was killed for memory (exit code {code}, limit {limit}): {len(tasks)} task(s) stopped",
            tuple(evidence[:MAX_EVIDENCE]),
            Next(
                f"raise {name}'s memory above {limit} in a new revision, or find the leak in its logs",
                logs_command(s, container=name, since="1h"),
            ),
            weight=95,
            at=_first_at(tasks),
        )
    ]


def _crashed(task: Task) -> bool:
    exited = task.stop_code == "EssentialContainerExited" or ESSENTIAL in task.stopped_reason
    return exited and not _oom(task) and any((c.exit_code or 0) != 0 for c in task.containers)


def _overlaps(s: Signals, task: Task) -> Task | None:
    """Another task of the service that was alive while ``task`` ran."""
    start = task.started_at or task.created_at
    end = task.stopped_at or s.now
    if start is None:
        return None
    for other in s.tasks:
        if other.arn == task.arn:
            continue
        o_start = other.started_at or other.created_at
        o_end = other.stopped_at or (s.now if other.last_status != "STOPPED" else None)
        if o_start and o_end and utc(o_start) <= utc(end) and utc(o_end) >= utc(start):
            return other
    return None


def single_writer_conflict(s: Signals) -> list[Finding]:
    alive = [t for t in s.tasks if t.last_status != "STOPPED" and t.desired_status == "RUNNING"]
    crashed = [t for t in _recent_failed(s, _crashed) if _overlaps(s, t) is not None]
    locked = [
        t for t in crashed if any(LOCK.search(e.message) for tail in s.tail_of(t.arn) for e in tail.lines)
    ]
    if not s.single_writer and not locked:
        return []
    if len(alive) < 2 and not crashed:
        return []
    evidence: list[Evidence] = []
    second = (locked or crashed or alive[1:])[-1]
    holder = _overlaps(s, second) or (alive[0] if alive else None)
    if holder is not None:
        evidence.append(
            Evidence(
                "task",
                f"task {holder.id} ({short_name(holder.task_definition)}) {holder.last_status} since {iso(holder.started_at) or '?'}",
                holder.started_at,
                _task_ref(s, holder),
            )
        )
    evidence.append(
        Evidence(
            "task",
            f"second task {second.id} ({short_name(second.task_definition)}) {second.last_status}",
            second.started_at or second.created_at,
            _task_ref(s, second),
        )
    )
    if second.last_status == "STOPPED":
        evidence += _stop_evidence(s, second)
    evidence += _tail_evidence(s, second, LOCK)
    what = "single-writer service" if s.single_writer else "service"
    stop = quote(
        "opsconsole",
        "stop-task",
        s.cluster,
        second.id,
        "--reason",
        "second writer of a single-writer service",
    )
    return [
        Finding(
            "single-writer-conflict",
            CRITICAL,
            f"second task {second.id[:8]} of {what} {s.name} ran beside {holder.id[:8] if holder else 'another task'}"
            + (f" and crash-loops ({len(crashed)} exits)" if crashed else f" ({len(alive)} tasks alive)"),
            tuple(evidence[:MAX_EVIDENCE]),
            Next("stop the second task and keep desired at 1 (deploy with stop-then-start)", stop),
            weight=97,
            at=second.started_at or second.created_at,
        )
    ]


def essential_container_exited(s: Signals) -> list[Finding]:
    out = []
    conflict = {
        f.evidence[-1].ref.task for f in single_writer_conflict(s) if f.evidence and f.evidence[-1].ref
    }
    for revision, tasks in _by_revision(_recent_failed(s, _crashed)).items():
        tasks = [t for t in tasks if t.arn not in conflict] or []
        if not tasks:
            continue
        task = tasks[-1]
        exits = ", ".join(f"{c.name} {c.exit_code}" for c in task.containers if (c.exit_code or 0) != 0)
        tail = _tail_evidence(s, task)
        last = f"; last error: {tail[-1].text.split(': ', 1)[-1][:120]}" if tail else ""
        out.append(
            Finding(
                "essential-container-exited",
                CRITICAL,
                f"essential container exited ({exits}): {len(tasks)} task(s) of {revision} stopped{last}",
                tuple([*_stop_evidence(s, task), *tail][:MAX_EVIDENCE]),
                rollback_next(s, revision)
                if revision != short_name(s.service.task_definition)
                or len(s.service.deployments) > 1
                or _deployed_recently(s, revision)
                else Next(
                    "read the container's last lines",
                    logs_command(s, container=task.containers[0].name if task.containers else "", since="1h"),
                ),
                weight=80,
                at=_first_at(tasks),
            )
        )
    return out


def _deployed_recently(s: Signals, revision: str) -> bool:
    return any(
        d.revision == revision and d.created_at and utc(d.created_at) >= s.start
        for d in s.service.deployments
    )
