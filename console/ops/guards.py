"""Guardrails that travel with the service: ECS service tags, which a profile may only tighten.

A team's rules are facts about a service ("wwhd never runs two tasks"), so they live on
the service itself, where every teammate, profile, the TUI and the CLI read the same
thing: ``opsconsole:single-writer=true``, ``opsconsole:min-count=N``,
``opsconsole:max-count=N`` and ``opsconsole:protected=true`` (every mutation asks for
the service's name to be typed).  A profile's ``[services]`` table may add a rule or
tighten one (a lower max, a higher min); a looser one is ignored, with a note in the plan.

Every ``prepare_*`` of a service reads them here (one ListTagsForResource), so no front
end can leave them out; each plan names the rules that applied and where each came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from console.aws.ecs import EcsGateway
from console.config import Profile, ServiceRules, Settings
from console.model import Service
from console.ops.plan import Plan

SINGLE_WRITER_TAG = "opsconsole:single-writer"
MIN_TAG = "opsconsole:min-count"
MAX_TAG = "opsconsole:max-count"
PROTECTED_TAG = "opsconsole:protected"
GUARD_TAGS = (SINGLE_WRITER_TAG, MIN_TAG, MAX_TAG, PROTECTED_TAG)

SINGLE_WRITER, MIN, MAX, PROTECTED = "single_writer", "min", "max", "protected"
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0", "")


@dataclass(frozen=True)
class Guards:
    """The rules one service is held to, and where each came from (for the plan and refusals).

    It answers the same attribute names as the profile's :class:`ServiceRules`
    (``single_writer``, ``min_count``, ``max_count``, ``env_file``, ``container``), so the
    plan code reads one object whatever the rule's source.
    """

    single_writer: bool = False
    min_count: int | None = None
    max_count: int | None = None
    protected: bool = False
    env_file: str | None = None
    container: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    tags_read: bool = True  # False: only the profile was consulted (see EnvOp.apply)

    def source(self, kind: str) -> str:
        return self.sources.get(kind, "")

    def describe(self, kind: str) -> str:
        """``single writer (service tag opsconsole:single-writer)``, ``max 4 (profile prod, services.x)``."""
        text = {
            SINGLE_WRITER: "single writer",
            MIN: f"min {self.min_count}",
            MAX: f"max {self.max_count}",
            PROTECTED: "protected: the service's name must be typed to confirm",
        }[kind]
        return f"{text} ({self.source(kind)})"

    def applied(self) -> tuple[str, ...]:
        """Every rule that applies, described with its source; () where none does."""
        present = {
            SINGLE_WRITER: self.single_writer,
            MIN: self.min_count is not None,
            MAX: self.max_count is not None,
            PROTECTED: self.protected,
        }
        return tuple(self.describe(kind) for kind, on in present.items() if on)

    def plan_lines(self) -> tuple[str, ...]:
        return tuple(f"rule: {r}" for r in self.applied()) + tuple(f"note: {n}" for n in self.notes)

    def stamp(self, plan: Plan, name: str) -> Plan:
        """The plan with the rules that applied, and the name to type if the service is protected."""
        return replace(
            plan,
            rules=self.plan_lines(),
            type_to_confirm=name if self.protected else "",
            type_reason=self.describe(PROTECTED) if self.protected else "",
        )


def _flag(tags: Mapping[str, str], key: str, notes: list[str]) -> bool | None:
    raw = tags.get(key)
    if raw is None:
        return None
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    notes.append(f"service tag {key}={raw!r} is not true or false: ignored")
    return None


def _count(tags: Mapping[str, str], key: str, notes: list[str]) -> int | None:
    raw = tags.get(key)
    if raw is None:
        return None
    if raw.strip().isdigit():
        return int(raw.strip())
    notes.append(f"service tag {key}={raw!r} is not a whole number: ignored")
    return None


def merge(
    tags: Mapping[str, str],
    rules: ServiceRules,
    profile_source: str = "profile",
    *,
    tags_read: bool = True,
) -> Guards:
    """The service's tags, tightened by the profile's rules (a looser profile rule is noted and ignored)."""
    notes: list[str] = []
    sources: dict[str, str] = {}

    def flag(kind: str, key: str, label: str, profile_value: bool | None) -> bool:
        tag_value = _flag(tags, key, notes)
        if tag_value:
            if profile_value is False:
                notes.append(f"{profile_source} says no {label}, looser than the service tag {key}: ignored")
            sources[kind] = f"service tag {key}"
            return True
        if profile_value:
            sources[kind] = profile_source
            return True
        return False

    def bound(
        kind: str, key: str, profile_value: int | None, tighter: Callable[[int, int], bool]
    ) -> int | None:
        tag_value = _count(tags, key, notes)
        if tag_value is not None and (profile_value is None or not tighter(profile_value, tag_value)):
            if profile_value is not None and profile_value != tag_value:
                notes.append(
                    f"{profile_source} says {kind} {profile_value}, looser than the service tag "
                    f"{key}={tag_value}: ignored"
                )
            sources[kind] = f"service tag {key}"
            return tag_value
        if profile_value is not None:
            sources[kind] = profile_source
        return profile_value

    return Guards(
        single_writer=flag(SINGLE_WRITER, SINGLE_WRITER_TAG, "single writer", rules.single_writer),
        min_count=bound(MIN, MIN_TAG, rules.min_count, lambda p, t: p > t),
        max_count=bound(MAX, MAX_TAG, rules.max_count, lambda p, t: p < t),
        protected=flag(PROTECTED, PROTECTED_TAG, "protection", rules.protected),
        env_file=rules.env_file,
        container=rules.container,
        sources=sources,
        notes=tuple(notes),
        tags_read=tags_read,
    )


def profile_source(profile: Profile, cluster: str, service: str) -> str:
    key = profile.rules_key(cluster, service)
    return f"profile {profile.name}, services.{key}" if key else f"profile {profile.name}"


def profile_guards(settings: Settings, cluster: str, service: str) -> Guards:
    """The profile's rules alone: for a plan made without reading the service (see EnvOp.apply)."""
    rules = settings.rules_for(cluster, service)
    return merge({}, rules, profile_source(settings.profile, cluster, service), tags_read=False)


def guards_from_tags(settings: Settings, service: Service, tags: Mapping[str, str]) -> Guards:
    rules = settings.rules_for(service.cluster_name, service.name)
    return merge(tags, rules, profile_source(settings.profile, service.cluster_name, service.name))


async def service_guards(ecs: EcsGateway, settings: Settings, service: Service) -> Guards:
    """The rules ``service`` is held to: its tags (read now) and the profile's rules."""
    return guards_from_tags(settings, service, await ecs.service_tags(service.region, service.arn))
