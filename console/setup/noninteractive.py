"""``opsconsole setup --non-interactive``: the wizard's profile from flags, for scripts.

An unusable answer is an error naming the flag, never a question; the checks are the
wizard's own (console/setup/prompts.py), so both write the same profile.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from console.aws.session import AwsContext
from console.config import DEMO, DEMO_REGIONS, Profile, ServiceRules, demo_profile, save_profile
from console.errors import BadInput, OpsError
from console.literal import literal_text as inert
from console.setup import discovery
from console.setup.answers import (
    DEMO_CHOICE,
    ENDPOINT_CHOICE,
    ENV_CHOICE,
    Connection,
    SetupResult,
    _rule_key,
    how_to_open,
    identity_region,
    user_profiles,
)
from console.setup.prompts import endpoint_problem, env_file_problem, name_problem, region_problem


@dataclass
class SetupFlags:
    """``opsconsole setup --non-interactive``: the wizard's answers as command-line flags."""

    name: str | None = None
    aws_profile: str | None = None
    demo: bool = False
    endpoint_url: str | None = None
    regions: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    log_groups: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()  # "cluster/service=path"
    read_only: bool | None = None
    check: bool = True
    timeout: float = discovery.PROBE_TIMEOUT


async def build_noninteractive(flags: SetupFlags, out: IO[str] | None = None) -> SetupResult:
    """The same profile the wizard writes, from flags; an unusable answer is an error, never a question.

    Unnamed lists stay empty (= watch all), as when every found item stays chosen in the wizard;
    an existing profile of the same name is the base, so a script can change one thing.
    """
    from console.config import load_profile_file

    out = out or sys.stdout
    if sum(bool(x) for x in (flags.aws_profile, flags.demo, flags.endpoint_url)) > 1:
        raise BadInput("choose one of --aws-profile, --demo and --endpoint-url")
    conn = (
        Connection(DEMO_CHOICE, aws_profile=DEMO)
        if flags.demo
        else Connection(ENDPOINT_CHOICE, endpoint_url=flags.endpoint_url)
        if flags.endpoint_url
        else Connection(f"aws:{flags.aws_profile}", aws_profile=flags.aws_profile)
        if flags.aws_profile
        else Connection(ENV_CHOICE)
    )
    name = flags.name or conn.suggested_name
    problem = name_problem(name)
    if problem:
        raise BadInput(f"--name {name}: {problem}")
    existing = user_profiles()
    base: Profile | None = load_profile_file(existing[name]) if name in existing else None
    if base is None and conn.is_demo:
        base = replace(demo_profile(), path=None)
    start = base or Profile(name=name)
    if flags.aws_profile is None and not flags.demo and not flags.endpoint_url and base is not None:
        conn = Connection("base", aws_profile=base.aws_profile, endpoint_url=base.endpoint_url)
    regions = flags.regions or start.regions
    problem = region_problem(",".join(regions)) if regions else None
    if problem:
        raise BadInput(f"--region: {problem}")
    if flags.endpoint_url:
        problem = endpoint_problem(flags.endpoint_url)
        if problem:
            raise BadInput(f"--endpoint-url: {problem}")
    if not conn.is_demo and (flags.check or not regions):
        region = regions[0] if regions else identity_region(conn)
        async with AwsContext(
            profile=conn.aws_profile,
            endpoint_url=conn.endpoint_url,
            settings=discovery.quick_client_settings(flags.timeout),
        ) as aws:
            if flags.check:
                who = await discovery.check_identity(aws, region, conn.aws_profile, flags.timeout)
                if not who.ok:
                    raise OpsError(who.problem)
                print(f"account {inert(who.account)} as {inert(who.arn)}", file=out)
            if not regions:
                probe = discovery.probe_regions_for(conn.endpoint_url)
                scan = await discovery.scan_regions(aws, probe, flags.timeout)
                regions = tuple(scan.with_clusters)
    if conn.is_demo:
        regions = regions or DEMO_REGIONS
    if not regions:
        raise BadInput("no region given and no ECS clusters found: use --region")
    problem = region_problem(",".join(regions))
    if problem:
        raise BadInput(f"--region: {problem}")
    rules = dict(start.rules)
    for item in flags.env_files:
        service, sep, file = item.partition("=")
        if not sep or not service or not file:
            raise BadInput(f"--env-file {item}: expected CLUSTER/SERVICE=PATH")
        problem = env_file_problem(file)
        if problem:
            raise BadInput(f"--env-file {service}: {problem}")
        key = _rule_key(start, service)
        rules[key] = replace(rules.get(key, ServiceRules()), env_file=str(Path(file).expanduser().resolve()))
    profile = replace(
        start,
        name=name,
        aws_profile=conn.aws_profile,
        endpoint_url=None if conn.is_demo else conn.endpoint_url,
        regions=regions,
        clusters=flags.clusters or start.clusters,
        services=flags.services or start.services,
        queues=flags.queues or start.queues,
        log_groups=flags.log_groups or start.log_groups,
        read_only=start.read_only if flags.read_only is None else flags.read_only,
        rules=rules,
        path=None,
    )
    path = save_profile(profile)
    print(f"wrote {path}", file=out)
    print(profile.to_toml(), file=out, end="")
    print(how_to_open(name), file=out)
    return SetupResult(profile=replace(profile, path=path), path=path, open_console=False)
