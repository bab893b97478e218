"""``opsconsole setup``: a working profile in under a minute, without reading docs.

The wizard asks only what it cannot find out: it lists the AWS profiles the
person already has, checks the chosen one with STS at once (so an expired
SSO session is caught here, with the command that fixes it, rather than as
an error in the console), and discovers regions, clusters, services, queues
and log groups so that every question has a default worth accepting.

Every question (console/setup/prompts.py) raises ``KeyboardInterrupt`` on
Ctrl-C; the profile is written only after the last answer, so an interrupt
at any point leaves nothing behind.  ``setup --non-interactive`` writes the
same profile from flags (console/setup/noninteractive.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, TypeVar

from console.aws.session import AwsContext
from console.config import (
    DEMO,
    DEMO_REGIONS,
    Profile,
    ServiceRules,
    demo_profile,
    save_profile,
    split_regions,
)
from console.errors import BadInput
from console.literal import literal_text as inert
from console.setup import discovery
from console.setup.answers import (
    DEFAULT_ENDPOINT,
    DEMO_CHOICE,
    ENDPOINT_CHOICE,
    ENV_CHOICE,
    FLEET_CHOICE,
    LOCAL_TIMEOUT,
    NEW_PROFILE,
    Connection,
    DemoStarter,
    Found,
    SetupResult,
    _env_check,
    _is_local,
    _name_of,
    _rule_key,
    _service_matches,
    _split,
    default_demo_starter,
    demo_available,
    environment_credentials,
    how_to_open,
    identity_region,
    user_profiles,
    with_fleet,
)
from console.setup.aws_profiles import AwsProfile, list_aws_profiles
from console.setup.prompts import Prompter, endpoint_problem, name_problem, region_problem

T = TypeVar("T")


# --- the flow ------------------------------------------------------------------------
class SetupWizard:
    def __init__(
        self,
        prompter: Prompter | None = None,
        *,
        out: IO[str] | None = None,
        edit: str | None = None,
        offer_open: bool = True,
        demo_starter: DemoStarter | None = None,
        probe_regions: Sequence[str] | None = None,
        timeout: float = discovery.PROBE_TIMEOUT,
    ) -> None:
        self.timeout = timeout  # per AWS call of discovery: a slow region is skipped, not waited for
        self.local_timeout = max(timeout, LOCAL_TIMEOUT)
        self.ask = prompter or Prompter()
        self.out = out or sys.stdout
        self.edit = edit
        self.editing: str | None = None  # the name of the user profile being edited
        self.offer_open = offer_open
        self.demo_starter = demo_starter
        self.probe_regions = tuple(probe_regions) if probe_regions else None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def run(self) -> SetupResult | None:
        """The whole conversation; None when the person pressed Ctrl-C (nothing written).

        No traceback reaches the screen: an error the checks did not foresee ends the
        wizard with its one line (the profile is written only at the very end).
        """
        try:
            return await self._flow()
        except KeyboardInterrupt:
            self.say("\nsetup cancelled: nothing was written")
            return None
        except Exception as exc:
            from console.errors import describe_aws_error

            self.say(f"\nsetup stopped: {inert(describe_aws_error(exc))}; nothing was written")
            return None

    async def _flow(self) -> SetupResult:
        base = await self._choose_base()
        self.editing = base.name if base is not None else None
        if base is not None:
            self.say(f"Editing profile {base.name} ({base.path}); every default is its current value.")
        while True:
            conn = await self._choose_connection(base)
            if conn.is_demo:
                if base is None or not base.is_demo:
                    base = replace(demo_profile(), path=None)
                return await self._demo_flow(conn, base)
            outcome = await self._account_flow(conn, base)
            if outcome is not None:
                return outcome

    # --- which profile ---------------------------------------------------------------
    async def _choose_base(self) -> Profile | None:
        from console.config import load_profile_file

        existing = user_profiles()
        if self.edit:
            if self.edit in existing:
                return load_profile_file(existing[self.edit])
            self.say(f"No profile named {self.edit} yet: setting up a new one.")
            return None
        if not existing:
            return None
        choices = [(f"edit {name}  ({path})", name) for name, path in existing.items()]
        choices.append(("a new profile", NEW_PROFILE))
        picked = await self.ask.select("Set up which profile?", choices, default=next(iter(existing)))
        return None if picked == NEW_PROFILE else load_profile_file(existing[picked])

    # --- where to connect --------------------------------------------------------------
    def _connection_choices(self, aws: list[AwsProfile]) -> list[tuple[str, str]]:
        choices = [(f"AWS profile {p.label}", f"aws:{p.name}") for p in aws]
        if len(aws) > 1:
            choices.append(("several AWS profiles: one console over their accounts (a fleet)", FLEET_CHOICE))
        found = environment_credentials()
        if found:
            choices.append((f"the default credential chain ({found} in the environment)", ENV_CHOICE))
        choices.append(("demo: the embedded AWS, no account needed", DEMO_CHOICE))
        choices.append(("an endpoint URL (LocalStack, moto, `opsconsole demo serve`)", ENDPOINT_CHOICE))
        return choices

    def _default_connection(self, base: Profile | None, aws: list[AwsProfile], values: set[str]) -> str:
        if base is not None:
            if base.is_demo:
                return DEMO_CHOICE
            if base.accounts and FLEET_CHOICE in values:
                return FLEET_CHOICE
            if base.aws_profile and f"aws:{base.aws_profile}" in values:
                return f"aws:{base.aws_profile}"
            if base.endpoint_url:
                return ENDPOINT_CHOICE
        env = os.environ.get("AWS_PROFILE")
        if env and f"aws:{env}" in values:
            return f"aws:{env}"
        if ENV_CHOICE in values:  # what the AWS CLI itself would use here
            return ENV_CHOICE
        if aws:
            return f"aws:{aws[0].name}"
        return DEMO_CHOICE

    async def _choose_connection(self, base: Profile | None) -> Connection:
        aws = list_aws_profiles()
        if not aws:
            self.say("No AWS profiles in ~/.aws/config or ~/.aws/credentials.")
        choices = self._connection_choices(aws)
        values = {v for _, v in choices}
        default = self._default_connection(base, aws, values)
        picked = await self.ask.select("Connect to", choices, default=default)
        if picked == DEMO_CHOICE:
            return Connection(DEMO_CHOICE, aws_profile=DEMO)
        if picked == ENV_CHOICE:
            return Connection(ENV_CHOICE)
        if picked == FLEET_CHOICE:
            return await self._choose_fleet(base, aws)
        if picked == ENDPOINT_CHOICE:
            url = await self.ask.text(
                "Endpoint URL",
                default=(base.endpoint_url if base and base.endpoint_url else DEFAULT_ENDPOINT),
                validate=endpoint_problem,
            )
            return Connection(ENDPOINT_CHOICE, endpoint_url=url)
        return Connection(picked, aws_profile=picked.split(":", 1)[1])

    async def _choose_fleet(self, base: Profile | None, aws: list[AwsProfile]) -> Connection:
        """Several AWS profiles, each an account of the fleet (SSO ones and their accounts marked);
        the first is the one the wizard discovers with."""
        before = {a.aws_profile for a in base.accounts} if base is not None else set()
        choices = [
            (f"{p.label}{'  [SSO: aws sso login]' if p.is_sso else ''}", p.name, p.name in before)
            for p in aws
        ]
        names = await self.ask.checkbox("Which profiles (each an account; space toggles)?", choices)
        picked = tuple(p for p in aws if p.name in names)
        return Connection(FLEET_CHOICE, aws_profile=picked[0].name, fleet=picked)

    # --- the demo ------------------------------------------------------------------------
    async def _demo_flow(self, conn: Connection, base: Profile) -> SetupResult:
        starter = self.demo_starter or (default_demo_starter if demo_available() else None)
        if starter is None:
            self.say("The demo starts with the console; its regions and resources are all watched.")
            regions = base.regions or DEMO_REGIONS
            profile = replace(base, aws_profile=DEMO, endpoint_url=None, regions=regions)
            return await self._finish(conn, base, profile, Found(), known=False)
        self.say("Starting the embedded AWS to look around…")
        demo = await starter()
        result: SetupResult | None = None
        try:
            aws = AwsContext(
                endpoint_url=demo.endpoint, settings=discovery.quick_client_settings(self.local_timeout)
            )
            self.timeout = self.local_timeout
            async with aws:
                probe = self.probe_regions or base.regions or DEMO_REGIONS
                result = await self._discover_and_finish(
                    conn, base, aws, probe, fallback_region=DEMO_REGIONS[0]
                )
        finally:
            if result is None or not result.open_console:
                demo.stop()
        result.demo = demo if result.open_console else None
        return result

    # --- an account or endpoint -----------------------------------------------------------
    async def _account_flow(self, conn: Connection, base: Profile | None) -> SetupResult | None:
        """None: the person wants to choose another connection."""
        region = identity_region(conn, base)
        if conn.endpoint_url and _is_local(conn.endpoint_url):
            self.timeout = self.local_timeout
        while True:
            aws = AwsContext(
                profile=conn.aws_profile,
                endpoint_url=conn.endpoint_url,
                settings=discovery.quick_client_settings(self.timeout),
            )
            async with aws:
                self.say("Checking the credentials (STS GetCallerIdentity)…")
                who = await discovery.check_identity(aws, region, conn.aws_profile, self.timeout)
                if who.ok:
                    self.say(f"  account {inert(who.account)}  as {inert(who.arn)}")
                    probe = self.probe_regions or self._probe_regions(conn)
                    return await self._discover_and_finish(conn, base, aws, probe, fallback_region=region)
                self.say(f"  ✗ {inert(who.problem)}")
                choice = await self.ask.select(
                    "What now?",
                    [
                        ("try again (after fixing it in another terminal)", "retry"),
                        ("choose another connection", "back"),
                        ("continue without checking (nothing can be discovered)", "skip"),
                    ],
                    default="retry" if who.kind == "sso-expired" else "back",
                )
                if choice == "back":
                    return None
                if choice == "skip":
                    return await self._finish_undiscovered(conn, base, region)

    def _probe_regions(self, conn: Connection) -> tuple[str, ...]:
        if conn.endpoint_url:
            from console.endpoints import demo_regions

            announced = demo_regions(conn.endpoint_url)
            if announced:
                return announced
        return discovery.probe_regions_for(conn.endpoint_url)

    async def _finish_undiscovered(self, conn: Connection, base: Profile | None, region: str) -> SetupResult:
        start = base or Profile(name=conn.suggested_name)
        default = ", ".join(start.regions or (region,))
        regions = split_regions(
            [await self.ask.text("Regions to watch (comma-separated)", default, region_problem)]
        )
        profile = replace(
            start, aws_profile=conn.aws_profile, endpoint_url=conn.endpoint_url, regions=regions
        )
        profile = with_fleet(profile, conn)
        return await self._finish(conn, base, profile, Found(), known=False)

    # --- discovery -------------------------------------------------------------------------
    async def _discover_and_finish(
        self,
        conn: Connection,
        base: Profile | None,
        aws: AwsContext,
        probe: Sequence[str],
        *,
        fallback_region: str,
    ) -> SetupResult:
        self.say(f"Looking for ECS clusters in {len(probe)} regions…")
        scan = await discovery.scan_regions(aws, probe, self.timeout)
        if scan.with_clusters:
            found_line = ", ".join(f"{r} ({len(scan.clusters[r])})" for r in scan.with_clusters)
            self.say(f"  clusters in: {found_line}")
        else:
            self.say("  no ECS clusters found")
        if scan.errors:
            self.say(
                f"  {len(scan.errors)} regions did not answer (not enabled for the account, or no access)"
            )
        start = base or Profile(name=conn.suggested_name)
        default_regions = start.regions or tuple(scan.with_clusters) or (fallback_region,)
        answer = await self.ask.text(
            "Regions to watch (comma-separated)", ", ".join(default_regions), region_problem
        )
        regions = split_regions([answer])
        missing = [r for r in regions if r not in scan.clusters]
        if missing:
            extra = await discovery.scan_regions(aws, missing, self.timeout)
            scan.clusters.update(extra.clusters)
        found = Found(clusters=[(r, c) for r in regions for c in scan.clusters.get(r, [])])
        self.say("Looking for services, queues and log groups…")
        services = await discovery.list_services(aws, found.clusters, self.timeout)
        found.services = sorted({f"{c}/{s}" for (_, c), names in services.items() for s in names})
        queues = await discovery.list_queues(aws, regions, self.timeout)
        found.queues = sorted({q for names in queues.values() for q in names})
        groups = await discovery.list_log_groups(aws, regions, self.timeout)
        found.log_groups = sorted({g for names in groups.values() for g in names})
        profile = replace(
            start, aws_profile=conn.aws_profile, endpoint_url=conn.endpoint_url, regions=regions
        )
        if conn.is_demo:
            profile = replace(profile, endpoint_url=None)
        profile = with_fleet(profile, conn)
        return await self._finish(conn, base, profile, found, known=True)

    async def _pick(
        self,
        what: str,
        found: Sequence[tuple[str, T]],
        current: tuple[str, ...],
        matches: Callable[[T, str], bool],
    ) -> tuple[str, ...] | None:
        """Checked by default: the profile's current list, or all.  () when all stay chosen (= watch all)."""
        if not found:
            return None
        chosen_before = [v for _, v in found if any(matches(v, c) for c in current)] if current else []
        choices = [(title, value, (not chosen_before) or value in chosen_before) for title, value in found]
        picked = await self.ask.checkbox(
            f"{what} to watch (all chosen = all, including ones created later)", choices
        )
        if len(picked) == len(found):
            return ()
        return tuple(dict.fromkeys(_name_of(v) for v in picked))

    async def _finish(
        self, conn: Connection, base: Profile | None, profile: Profile, found: Found, *, known: bool
    ) -> SetupResult:
        if known:
            clusters = await self._pick(
                "Clusters",
                [(f"{c}  ({r})", (r, c)) for r, c in found.clusters],
                profile.clusters,
                lambda v, name: v[1] == name,
            )
            if clusters is None:
                self.say("No clusters in these regions yet: the console shows any that appear.")
                clusters = ()
            if clusters:
                found.services = [s for s in found.services if _split(s)[0] in clusters]
            services = await self._pick(
                "Services", [(s, s) for s in found.services], profile.services, _service_matches
            )
            queues = await self._pick("Queues", [(q, q) for q in found.queues], profile.queues, str.__eq__)
            groups = await self._pick(
                "Log groups", [(g, g) for g in found.log_groups], profile.log_groups, str.__eq__
            )
            profile = replace(
                profile,
                clusters=clusters,
                services=services if services is not None else (),
                queues=queues if queues is not None else (),
                log_groups=groups if groups is not None else (),
            )
            env_services = list(profile.services) or found.services
            profile = replace(profile, rules=await self._env_files(profile, env_services))
        read_only = await self.ask.confirm(
            "Read-only? (refuse every change: scale, redeploy, env edits, redrive)", default=profile.read_only
        )
        name = await self._name(self.editing or self.edit or (profile.name if base else conn.suggested_name))
        profile = replace(profile, name=name, read_only=read_only, path=None)
        path = save_profile(profile)
        self.say(f"\nWrote {path}:\n")
        self.say(profile.to_toml())
        self.say(how_to_open(name))
        opened = False
        if self.offer_open:
            opened = await self.ask.confirm("Open the console now?", default=True)
        return SetupResult(profile=replace(profile, path=path), path=path, open_console=opened)

    async def _env_files(self, profile: Profile, services: Sequence[str]) -> dict[str, ServiceRules]:
        rules = dict(profile.rules)
        if not services:
            return rules
        has_env = [s for s in services if profile.rules_for(*_split(s)).env_file]
        wants = await self.ask.confirm(
            "Give the .env file of any service? (the env editor compares and syncs it)", default=bool(has_env)
        )
        if not wants:
            return rules
        picked = await self.ask.checkbox(
            "Which services have a .env file?", [(s, s, s in has_env) for s in services], at_least_one=False
        )
        for service in services:
            key = _rule_key(profile, service)
            current = rules.get(key, ServiceRules())
            if service not in picked:
                if current.env_file and service in has_env:
                    rules[key] = replace(current, env_file=None)
                continue
            keep = profile.rules_for(*_split(service)).env_file
            value = await self.ask.text(
                f".env file of {service} (empty: none)", default=keep or "", validate=_env_check(keep)
            )
            if value and value != keep:
                value = str(Path(value).expanduser().resolve())
            rules[key] = replace(current, env_file=value or None)
        return {k: r for k, r in rules.items() if r != ServiceRules()}

    async def _name(self, default: str) -> str:
        existing = user_profiles()
        while True:
            name = await self.ask.text("Profile name", default=default, validate=name_problem)
            if name in existing and name != self.editing:
                if not await self.ask.confirm(f"A profile named {name} exists: replace it?", default=False):
                    continue
            return name


def run_setup(**options: Any) -> SetupResult | None:
    """Synchronous entry for the CLI: the wizard on the real terminal."""
    import asyncio

    if not sys.stdin.isatty():
        raise BadInput("setup asks questions: run it in a terminal, or use `setup --non-interactive`")
    try:
        return asyncio.run(SetupWizard(**options).run())
    except KeyboardInterrupt:  # Ctrl-C while discovery runs (outside a prompt): still nothing written
        print("\nsetup cancelled: nothing was written", flush=True)
        return None
