"""Change a service's environment: a new revision with only that changed, then one deployment.

``env sync`` (a ``.env`` file), ``env set``/``env unset`` and the TUI's env
editor all end here: a change set per container (:class:`ContainerEdit`,
computed by :mod:`console.env.envdiff`), a Plan that shows it masked and records
only key names, and an apply that registers one new revision built from the
old one (:mod:`console.env.taskdef`), checks it field by field, and moves the
service to it in one UpdateService (stop-then-start for a single-writer
service).  No change means no new revision; the old revision is never
deregistered.

Values never reach the plan's audit fields: ``before``/``after`` hold counts
and key names (``+NEW ~CHANGED -GONE``); the masked values are in the plan's
details, which are shown and never written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.aws.ecs import EcsGateway
from console.config import ServiceRules, Settings
from console.env.dotenv import NAME_RE
from console.env.envdiff import EnvDiff, apply_env, diff_env, env_mapping, one_line, plan_sync
from console.env.taskdef import (
    ContainerEnv,
    container_names,
    environment_files_of,
    environment_of,
    registration_request,
    secrets_of,
    with_environment,
)
from console.errors import BadInput, Refused
from console.model import Service, TaskDefinition
from console.ops.guards import PROTECTED, SINGLE_WRITER, Guards, merge, profile_guards, service_guards
from console.ops.new_revision import fresh_service, register_checked, roll_out, service_plan, stop_first_parts
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback
from console.ops.redeploy import (
    FollowsRollout,
    remembered_count,
)
from console.ops.rollout import Pacing

NEW_REVISION = "(new revision)"


@dataclass(frozen=True)
class ContainerEdit:
    """What changes in one container: its diff, and secrets (valueFrom) that become plain variables."""

    container: str
    diff: EnvDiff
    secret_overrides: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.diff.is_empty and not self.secret_overrides


@dataclass(frozen=True)
class ContainerView:
    """A container's environment as the editor and ``env show`` list it."""

    name: str
    environment: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, str], ...]  # name, valueFrom
    environment_files: tuple[tuple[str, str], ...]  # type, value (an S3 ARN)

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.environment)

    @property
    def secret_names(self) -> frozenset[str]:
        return frozenset(n for n, _ in self.secrets)


def container_views(td: TaskDefinition) -> list[ContainerView]:
    return [container_view(td, name) for name in container_names(td.raw)]


def container_view(td: TaskDefinition, name: str) -> ContainerView:
    return ContainerView(
        name=name,
        environment=tuple((e["name"], e["value"]) for e in environment_of(td.raw, name)),
        secrets=tuple((s["name"], s["valueFrom"]) for s in secrets_of(td.raw, name)),
        environment_files=tuple(
            (f.get("type", "s3"), f.get("value", "")) for f in environment_files_of(td.raw, name)
        ),
    )


def choose_container(td: TaskDefinition, requested: str | None, rules: ServiceRules | Guards) -> str:
    """``--container``, else the profile's ``container``, else the only one; BadInput when in doubt."""
    names = container_names(td.raw)
    wanted = requested or rules.container
    if wanted:
        if wanted not in names:
            raise BadInput(
                f"no container '{wanted}' in {td.family_revision} (containers: {', '.join(names)})"
            )
        return wanted
    if len(names) == 1:
        return names[0]
    raise BadInput(
        f"{td.family_revision} has {len(names)} containers ({', '.join(names)}): choose one with --container"
    )


# --- change sets ---------------------------------------------------------------------------------


def sync_edit(
    view: ContainerView, file_vars: Mapping[str, str], *, prune: bool, allow_secret_override: bool
) -> ContainerEdit:
    sync = plan_sync(
        view.variables,
        view.secret_names,
        file_vars,
        prune=prune,
        allow_secret_override=allow_secret_override,
    )
    return ContainerEdit(view.name, sync.diff, sync.secret_overrides, sync.skipped, sync.warnings)


def set_edit(
    view: ContainerView, assignments: Mapping[str, str], *, allow_secret_override: bool
) -> ContainerEdit:
    return sync_edit(view, assignments, prune=False, allow_secret_override=allow_secret_override)


def unset_edit(view: ContainerView, names: Iterable[str]) -> ContainerEdit:
    current = view.variables
    warnings: list[str] = []
    skipped: list[str] = []
    gone = set()
    for name in dict.fromkeys(names):
        if name in current:
            gone.add(name)
        elif name in view.secret_names:
            skipped.append(name)
            warnings.append(f"{name} is a secret (valueFrom), not a plain variable: not removed")
        else:
            skipped.append(name)
            warnings.append(f"{name} is not set in {view.name}: nothing to remove")
    desired = {k: v for k, v in current.items() if k not in gone}
    return ContainerEdit(
        view.name, diff_env(current, desired, prune=True), (), tuple(skipped), tuple(warnings)
    )


def editor_edit(
    view: ContainerView, desired: Mapping[str, str], renames: Mapping[str, str] | None = None
) -> ContainerEdit:
    """The editor's pending table against the container: everything it lacks is removed."""
    clash = sorted(set(desired) & view.secret_names - set(view.variables))
    if clash:
        raise BadInput(
            f"{', '.join(clash)} in {view.name} is a secret (valueFrom): "
            "the editor does not turn a secret into a plain variable"
        )
    return ContainerEdit(view.name, diff_env(view.variables, desired, prune=True, renames=renames))


# --- the plan ------------------------------------------------------------------------------------


def env_plan(
    action: str,
    service: Service,
    base: TaskDefinition,
    edits: Sequence[ContainerEdit],
    rules: Guards,
    *,
    stop_first: bool = False,
    source: str = "",
    remembered: int | None = None,
) -> Plan:
    """The plan of an environment change: counts and key names in changes, masked values in details."""
    changes: list[Change] = []
    details: list[str] = []
    warnings: list[str] = []
    if source:
        details.append(f"from {source}")
    for edit in edits:
        view = container_view(base, edit.container)
        before = len(view.environment)
        after = before + len(edit.diff.added) - len(edit.diff.removed)
        if not edit.diff.is_empty:
            changes.append(
                Change(
                    f"environment[{edit.container}]",
                    f"{before} variables",
                    f"{after} variables: {edit.diff.audit_text()}",
                )
            )
        if edit.secret_overrides:
            kept = [n for n, _ in view.secrets if n not in edit.secret_overrides]
            changes.append(Change(f"secrets[{edit.container}]", [n for n, _ in view.secrets], kept))
        details.append(f"{edit.container}: {edit.diff.summary()}")
        details += [f"  {line}" for line in edit.diff.render_lines()]
        warnings += edit.warnings
        if view.environment_files and not edit.is_empty:
            files = ", ".join(v for _t, v in view.environment_files)
            warnings.append(
                f"{edit.container} also loads environmentFiles ({files}): a plain variable of the same "
                "name wins over the file's"
            )
    empty = all(e.is_empty for e in edits)
    if changes:
        changes.insert(0, Change("taskDefinition", base.family_revision, f"{base.family}:{NEW_REVISION}"))
        details.append(
            f"registers a new revision of {base.family} from {base.family_revision} with only this changed, "
            "then deploys it once; the old revision stays registered"
        )
    if base.status == "INACTIVE":
        warnings.append(
            f"the running {base.family_revision} is INACTIVE (deregistered); the new one is ACTIVE"
        )
    if not empty and (len(service.deployments) > 1 or service.rollout_state == "IN_PROGRESS"):
        warnings.append("a deployment is in progress: this one replaces it")
    if not empty:
        action, changes, warnings, details = stop_first_parts(
            action,
            service,
            rules,
            f"{base.family}:{NEW_REVISION}",
            (changes, warnings, details),
            stop_first=stop_first,
            remembered=remembered,
        )
    request = {"family": base.family, "containers": [e.container for e in edits if not e.is_empty]}
    noop = "the environment already matches: no new revision" if empty else ""
    return service_plan(action, service, rules, (changes, warnings, details), request, noop)


# --- apply and verify ----------------------------------------------------------------------------


@dataclass
class EnvOp(FollowsRollout):
    """An environment change ready to run through :func:`console.ops.runner.run_operation`."""

    base: TaskDefinition
    edits: tuple[ContainerEdit, ...]
    rules: Guards
    registered: TaskDefinition | None = None

    @property
    def stop_first(self) -> bool:
        return self.plan.action.endswith("-stop-first")

    def container_envs(self) -> list[ContainerEnv]:
        out = []
        for edit in self.edits:
            if edit.is_empty:
                continue
            entries = apply_env(environment_of(self.base.raw, edit.container), edit.diff)
            out.append(
                ContainerEnv(
                    edit.container,
                    tuple((e["name"], e.get("value", "")) for e in entries),
                    edit.secret_overrides,
                )
            )
        return out

    async def register(self, progress: ProgressCallback) -> TaskDefinition:
        """Register the new revision and prove that only the environment changed."""
        envs = self.container_envs()
        edited = {e.container: {"environment", *(("secrets",) if e.drop_secrets else ())} for e in envs}

        def check(new: TaskDefinition) -> list[str]:
            problems = []
            for env in envs:
                got = [(e["name"], e["value"]) for e in environment_of(new.raw, env.container)]
                if got != list(env.environment):
                    problems.append(f"containerDefinitions[{env.container}].environment: not what was sent")
                names = {s["name"] for s in secrets_of(new.raw, env.container)}
                expected = {s["name"] for s in secrets_of(self.base.raw, env.container)} - set(
                    env.drop_secrets
                )
                if names != expected:
                    problems.append(f"containerDefinitions[{env.container}].secrets: not what was sent")
            return problems

        new = await register_checked(
            self.ecs,
            self.service.region,
            self.base,
            with_environment(registration_request(self.base.raw), envs),
            edited=edited,
            check=check,
            what="the environment",
            progress=progress,
        )
        self.registered = new
        return new

    async def refuse_unseen_guards(self, svc: Service) -> None:
        """A plan made from the profile alone: refuse if the service's tags hold a rule it missed."""
        tagged = merge(await self.ecs.service_tags(svc.region, svc.arn), ServiceRules())
        missed = [PROTECTED] if tagged.protected else []
        if tagged.single_writer and not self.stop_first:
            missed.append(SINGLE_WRITER)
        if missed:
            raise Refused(
                f"{svc.cluster_name}/{svc.name}: rule {tagged.describe(missed[0])} was not in the plan; "
                "nothing was sent: make the plan again"
            )

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        fresh = await fresh_service(self.ecs, self.service, self.base)
        if not self.rules.tags_read:
            await self.refuse_unseen_guards(fresh)
        new = await self.register(progress)
        result, self.sequence = await roll_out(
            self.ecs,
            fresh,
            self.rules,
            new,
            stop_first=self.stop_first,
            pacing=self.pacing,
            progress=progress,
        )
        return result


# --- preparing -----------------------------------------------------------------------------------


async def current_task_definition(ecs: EcsGateway, service: Service) -> TaskDefinition:
    return await ecs.task_definition(service.region, service.task_definition)


def make_op(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    base: TaskDefinition,
    edits: Sequence[ContainerEdit],
    *,
    action: str,
    stop_first: bool = False,
    source: str = "",
    pacing: Pacing | None = None,
    remembered: int | None = None,
    rules: Guards | None = None,
) -> EnvOp:
    """An EnvOp for edits already computed against ``base``.

    ``rules``: the service's guards (:func:`prepare_env_edit` reads them); without them only the
    profile's are known, and apply refuses if the service's tags would have changed the plan.
    ``remembered``: the count an interrupted stop-then-start left on the service (only with
    an explicit ``stop_first`` on a service that is not a single writer: see remembered_count).
    """
    rules = rules or profile_guards(settings, service.cluster_name, service.name)
    plan = env_plan(
        action, service, base, edits, rules, stop_first=stop_first, source=source, remembered=remembered
    )
    op = EnvOp(
        ecs=ecs,
        service=service,
        plan=plan,
        pacing=pacing or Pacing(),
        base=base,
        edits=tuple(edits),
        rules=rules,
    )
    if not plan.is_noop:  # the revision is built once here so ECS's limits refuse it before the plan
        with_environment(registration_request(base.raw), op.container_envs())
    return op


async def prepare_env_edit(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    base: TaskDefinition,
    edits: Sequence[ContainerEdit],
    *,
    stop_first: bool = False,
    rules: Guards | None = None,
    **options: Any,
) -> EnvOp:
    """:func:`make_op` (``action``, ``source``, ``pacing``) with the service's guards and the count
    an interrupted stop-then-start left read first: the TUI editor's Save calls this."""
    rules = rules or await service_guards(ecs, settings, service)
    remembered = await remembered_count(ecs, service, rules, stop_first=stop_first)
    return make_op(
        ecs,
        settings,
        service,
        base,
        edits,
        stop_first=stop_first,
        remembered=remembered,
        rules=rules,
        **options,
    )


EditOf = Callable[[ContainerView], ContainerEdit]


def syncing(file_vars: Mapping[str, str], *, prune: bool, allow_secret_override: bool) -> EditOf:
    return lambda view: sync_edit(view, file_vars, prune=prune, allow_secret_override=allow_secret_override)


def setting(assignments: Mapping[str, str], *, allow_secret_override: bool) -> EditOf:
    return lambda view: set_edit(view, assignments, allow_secret_override=allow_secret_override)


def unsetting(names: Sequence[str]) -> EditOf:
    return lambda view: unset_edit(view, names)


async def prepare_env_change(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    edit_of: EditOf,
    *,
    action: str,
    container: str | None = None,
    stop_first: bool = False,
    pacing: Pacing | None = None,
    source: str = "",
) -> EnvOp:
    """``env sync``, ``set`` and ``unset``: one container's edit (``syncing``, ``setting``,
    ``unsetting``) against the revision the service runs now, with the service's guards."""
    base = await current_task_definition(ecs, service)
    rules = await service_guards(ecs, settings, service)
    view = container_view(base, choose_container(base, container, rules))
    return await prepare_env_edit(
        ecs,
        settings,
        service,
        base,
        [edit_of(view)],
        action=action,
        stop_first=stop_first,
        source=source,
        pacing=pacing,
        rules=rules,
    )


async def prepare_env_sync(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    file_vars: Mapping[str, str],
    *,
    container: str | None = None,
    prune: bool = False,
    allow_secret_override: bool = False,
    source: str = "",
    stop_first: bool = False,
    pacing: Pacing | None = None,
) -> EnvOp:
    """A ``.env`` file's variables into the container; ``source`` names the file in the plan."""
    return await prepare_env_change(
        ecs,
        settings,
        service,
        syncing(file_vars, prune=prune, allow_secret_override=allow_secret_override),
        action="env-sync",
        container=container,
        stop_first=stop_first,
        pacing=pacing,
        source=f"{source} ({len(file_vars)} variables{', pruning' if prune else ''})" if source else "",
    )


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments (the value may hold ``=``); BadInput naming the bad one."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"'{short(item)}' is not KEY=VALUE")
        if NAME_RE.fullmatch(name) is None:
            raise BadInput(
                f"invalid variable name '{short(name)}' (letters, digits and _, not starting with a digit)"
            )
        if name in out:
            raise BadInput(f"{name} is given twice")
        if "\x00" in value:
            raise BadInput(f"the value of {name} holds a NUL character")
        out[name] = value
    return out


def short(text: str, limit: int = 40) -> str:
    return one_line(text, max_len=limit)


def check_names(names: Sequence[str]) -> None:
    for name in names:
        if NAME_RE.fullmatch(name) is None:
            raise BadInput(f"invalid variable name '{short(name)}'")


def export_items(td: TaskDefinition, container: str) -> dict[str, str]:
    """The container's plain variables, as ``env export`` writes them (secrets are not values here)."""
    return env_mapping(environment_of(td.raw, container))
