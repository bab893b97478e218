"""Profiles (TOML) and the settings one run of the console or CLI works with.

A profile says where to connect (an AWS profile, or ``demo`` for the embedded
AWS, or an endpoint URL), which regions to look at, what to watch, and the
per-service rules operators rely on (``single_writer``, scale bounds, the
``.env`` file of a service).  Profiles live in the user config dir and in the
project's ``profiles/`` folder; the command line overrides any of it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from console.accounts import Account, account_of, accounts_toml, narrow, parse_accounts, places
from console.errors import BadInput, NotFound

APP = "opsconsole"
DEMO = "demo"
DEMO_REGIONS = ("us-east-1", "ap-south-1", "us-east-2")
BUILTIN_PROFILES = Path(__file__).resolve().parent.parent / "profiles"
DEFAULT_LOG_MAX_LINES = 10_000
DEFAULT_LOG_MAX_BYTES = 64 * 2**20  # message bytes kept by the logs pane (and any event buffer)


def config_dir() -> Path:
    """The user's config dir; ``OPSCONSOLE_CONFIG_DIR`` swaps it (tests, scripts)."""
    override = os.environ.get("OPSCONSOLE_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """Where the audit log lives; ``OPSCONSOLE_DATA_DIR`` swaps it."""
    override = os.environ.get("OPSCONSOLE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def profile_dirs() -> list[Path]:
    return [config_dir() / "profiles", BUILTIN_PROFILES]


@dataclass(frozen=True)
class ServiceRules:
    """What a profile says about one service (key: ``cluster/service`` or ``service``)."""

    env_file: str | None = None
    container: str | None = None
    # None: the profile says nothing (a service tag may); False: it says no, which never loosens a tag.
    single_writer: bool | None = None
    min_count: int | None = None
    max_count: int | None = None
    protected: bool | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    aws_profile: str | None = None  # None: the default credential chain; "demo": the embedded AWS
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    clusters: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    log_groups: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    read_only: bool = False
    log_max_lines: int = DEFAULT_LOG_MAX_LINES
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    fail_fast_stops: int = 3  # verify ends after this many same-reason task stops in a row (0: never)
    rules: dict[str, ServiceRules] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    theme: str = ""
    path: Path | None = None
    accounts: tuple[Account, ...] = ()  # none: one account, the profile's own credentials

    @property
    def is_demo(self) -> bool:
        return self.aws_profile == DEMO

    def rules_key(self, cluster: str, service: str) -> str | None:
        """The ``[services]`` key that holds ``cluster/service``'s rules (by cluster/service, then service)."""
        cluster = cluster.rsplit("/", 1)[-1]
        service = service.rsplit("/", 1)[-1]
        for key in (f"{cluster}/{service}", service):
            if key in self.rules:
                return key
        return None

    def rules_for(self, cluster: str, service: str) -> ServiceRules:
        key = self.rules_key(cluster, service)
        return self.rules[key] if key is not None else ServiceRules()

    def to_toml(self) -> str:
        """The profile as TOML that :func:`parse_profile` reads back unchanged."""
        lines = [f"name = {_toml_str(self.name)}"]
        if self.aws_profile:
            lines.append(f"aws_profile = {_toml_str(self.aws_profile)}")
        lines.append(f"regions = {_toml_list(self.regions)}")
        if self.endpoint_url:
            lines.append(f"endpoint_url = {_toml_str(self.endpoint_url)}")
        lines.append(f"read_only = {'true' if self.read_only else 'false'}")
        if self.log_max_lines != DEFAULT_LOG_MAX_LINES:
            lines.append(f"log_max_lines = {self.log_max_lines}")
        if self.log_max_bytes != DEFAULT_LOG_MAX_BYTES:
            lines.append(f"log_max_bytes = {self.log_max_bytes}")
        if self.theme:
            lines.append(f"theme = {_toml_str(self.theme)}")
        lines += [
            "",
            "[watch]",
            f"clusters = {_toml_list(self.clusters)}",
            f"services = {_toml_list(self.services)}",
            f"queues = {_toml_list(self.queues)}",
            f"log_groups = {_toml_list(self.log_groups)}",
        ]
        for key, rule in sorted(self.rules.items()):
            lines += ["", f"[services.{_toml_str(key)}]"]
            if rule.env_file:
                lines.append(f"env_file = {_toml_str(rule.env_file)}")
            if rule.container:
                lines.append(f"container = {_toml_str(rule.container)}")
            for toml_key, flag in (("single_writer", rule.single_writer), ("protected", rule.protected)):
                if flag is not None:
                    lines.append(f"{toml_key} = {'true' if flag else 'false'}")
            if rule.min_count is not None:
                lines.append(f"min = {rule.min_count}")
            if rule.max_count is not None:
                lines.append(f"max = {rule.max_count}")
        lines += accounts_toml(self.accounts)
        if self.keys:
            lines += ["", "[keys]"] + [
                f"{_toml_str(k)} = {_toml_str(v)}" for k, v in sorted(self.keys.items())
            ]
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _strs(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def parse_profile(text: str, *, name: str, path: Path | None = None) -> Profile:
    where = str(path) if path else f"profile {name}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where}: invalid TOML: {exc}") from None
    watch = data.get("watch", {})
    if not isinstance(watch, dict):
        raise BadInput(f"{where}: [watch] must be a table")
    rules: dict[str, ServiceRules] = {}
    for key, raw in (data.get("services") or {}).items():
        if not isinstance(raw, dict):
            raise BadInput(f"{where}: [services.{key}] must be a table")
        flags = {name: raw.get(name) for name in ("single_writer", "protected")}
        for name, flag in flags.items():
            if flag is not None and not isinstance(flag, bool):
                raise BadInput(f"{where}: [services.{key}] {name} must be true or false")
        rule = ServiceRules(
            env_file=raw.get("env_file"),
            container=raw.get("container"),
            single_writer=flags["single_writer"],
            min_count=raw.get("min"),
            max_count=raw.get("max"),
            protected=flags["protected"],
        )
        for bound in (rule.min_count, rule.max_count):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or bound < 0):
                raise BadInput(f"{where}: [services.{key}] min/max must be whole numbers >= 0")
        rules[key] = rule
    max_lines = data.get("log_max_lines", DEFAULT_LOG_MAX_LINES)
    if not isinstance(max_lines, int) or max_lines < 100:
        raise BadInput(f"{where}: log_max_lines must be a whole number >= 100")
    max_bytes = data.get("log_max_bytes", DEFAULT_LOG_MAX_BYTES)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 2**20:
        raise BadInput(f"{where}: log_max_bytes must be a whole number of bytes >= 1048576 (1 MiB)")
    fail_fast = data.get("fail_fast_stops", 3)
    if not isinstance(fail_fast, int) or isinstance(fail_fast, bool) or fail_fast < 0:
        raise BadInput(f"{where}: fail_fast_stops must be a whole number >= 0 (0: wait for the breaker)")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise BadInput(f"{where}: [keys] must be a table of action id = key")
    return Profile(
        name=str(data.get("name", name)),
        aws_profile=data.get("aws_profile") or None,
        regions=_strs(data, "regions", where),
        endpoint_url=data.get("endpoint_url") or None,
        clusters=_strs(watch, "clusters", where),
        services=_strs(watch, "services", where),
        queues=_strs(watch, "queues", where),
        log_groups=_strs(watch, "log_groups", where),
        read_only=bool(data.get("read_only", False)),
        log_max_lines=max_lines,
        log_max_bytes=max_bytes,
        fail_fast_stops=fail_fast,
        rules=rules,
        keys={str(k): str(v) for k, v in keys.items()},
        theme=str(data.get("theme", "")),
        path=path,
        accounts=parse_accounts(data.get("accounts"), where),
    )


def load_profile_file(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read profile ({exc.strerror or exc})") from None
    return parse_profile(text, name=path.stem, path=path)


def list_profiles() -> dict[str, Path]:
    """Profile name -> file; the user's config dir wins over the built-in ones."""
    found: dict[str, Path] = {}
    for folder in reversed(profile_dirs()):
        if folder.is_dir():
            for file in sorted(folder.glob("*.toml")):
                found[file.stem] = file
    return found


def find_profile(name: str) -> Profile:
    profiles = list_profiles()
    if name not in profiles:
        import difflib

        close = difflib.get_close_matches(name, profiles, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else f" (known: {', '.join(sorted(profiles))})"
        raise NotFound(f"unknown profile '{name}'{hint}")
    return load_profile_file(profiles[name])


def default_marker() -> Path:
    """The file naming the profile plain ``opsconsole`` opens (setup writes it)."""
    return config_dir() / "default-profile"


def default_profile_name() -> str | None:
    try:
        name = default_marker().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name or None


def set_default_profile(name: str) -> Path:
    path = default_marker()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(name + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def save_profile(profile: Profile) -> Path:
    folder = config_dir() / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile.name}.toml"
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(profile.to_toml(), encoding="utf-8")
    tmp.replace(path)
    return path


@dataclass(frozen=True)
class Settings:
    """One run's view of the world: a profile with the command line applied."""

    profile: Profile
    regions: tuple[str, ...]
    endpoint_url: str | None
    read_only: bool

    @property
    def aws_profile(self) -> str | None:
        """The botocore profile to use (None: default chain; never "demo")."""
        if self.profile.aws_profile in (None, DEMO):
            return None
        return self.profile.aws_profile

    def rules_for(self, cluster: str, service: str) -> ServiceRules:
        return self.profile.rules_for(cluster, service)

    def read_only_at(self, region: str) -> bool:
        """Read-only for a place: the run's, or its account's (an account may only tighten)."""
        account = account_of(region)
        return self.read_only or (account is not None and account.read_only)


def known_regions() -> set[str]:
    import botocore.session

    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        regions.update(session.get_available_regions("ecs", partition_name=partition))
    return regions


def validate_regions(regions: tuple[str, ...]) -> None:
    known = known_regions()
    for region in regions:
        if region not in known:
            import difflib

            close = difflib.get_close_matches(region, sorted(known), n=2)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BadInput(f"unknown region '{region}'{hint}")


def split_regions(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or []:
        out += [part.strip() for part in value.split(",") if part.strip()]
    return tuple(dict.fromkeys(out))


def demo_profile(endpoint_url: str | None = None) -> Profile:
    try:
        base = load_profile_file(BUILTIN_PROFILES / "demo.toml")
    except BadInput:
        base = Profile(name=DEMO, aws_profile=DEMO, regions=DEMO_REGIONS)
    return replace(base, endpoint_url=endpoint_url or base.endpoint_url)


def resolve_settings(
    *,
    profile_name: str | None = None,
    config_file: str | None = None,
    regions: tuple[str, ...] = (),
    endpoint_url: str | None = None,
    read_only: bool = False,
    discovered_regions: tuple[str, ...] = (),
    account: str | None = None,
    discovered_accounts: tuple[Account, ...] | None = None,
) -> Settings:
    """Profile + command line -> Settings.

    With no profile named: the default one setup wrote (not when an endpoint or AWS_PROFILE
    says where to connect), else the AWS default chain (``AWS_PROFILE`` or ``default``).
    ``discovered_regions`` are the regions a demo endpoint announced: used when
    neither the command line nor the profile names any. A profile's accounts make each region a
    :class:`~console.accounts.Place` per account (``account``: only that one's, by name or id).
    """
    default = None if endpoint_url or os.environ.get("AWS_PROFILE") else default_profile_name()
    if config_file:
        profile = load_profile_file(Path(config_file).expanduser())
    elif profile_name:
        profile = find_profile(profile_name)
    elif default:  # what setup wrote last: plain `opsconsole` opens it
        try:
            profile = find_profile(default)
        except NotFound as exc:
            raise NotFound(f"the default profile (set by setup in {default_marker()}): {exc}") from None
    else:
        env_profile = os.environ.get("AWS_PROFILE")
        profile = Profile(name=env_profile or "default", aws_profile=env_profile)
    if profile.is_demo:  # the demo's accounts are the world's: as organised, or one account
        profile = replace(profile, accounts=discovered_accounts or ())
    endpoint = endpoint_url or profile.endpoint_url
    chosen = regions or discovered_regions or profile.regions
    if not chosen and profile.accounts and all(a.regions for a in profile.accounts):
        chosen = tuple(dict.fromkeys(r for a in profile.accounts for r in a.regions))
    if not chosen:
        env_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not env_region and profile.aws_profile and profile.aws_profile != DEMO:
            env_region = _aws_config_region(profile.aws_profile)
        if not env_region and not profile.aws_profile:
            env_region = _aws_config_region("default")
        if env_region:
            chosen = (env_region,)
    if not chosen:
        raise BadInput("no region given: use --region, set regions in the profile, or AWS_REGION")
    # LocalStack, moto and `demo serve` use real region names too: a typo fails here, not as an
    # empty inventory (or a botocore error about a malformed host) later.
    validate_regions(chosen)
    if profile.accounts:
        validate_regions(tuple(r for a in profile.accounts for r in a.regions))
        # --region narrows every account to the regions it names; else each reads its own.
        chosen = places(profile.accounts, chosen, only=regions)
    if account:
        chosen = narrow(chosen, account)
    return Settings(
        profile=profile, regions=chosen, endpoint_url=endpoint, read_only=read_only or profile.read_only
    )


def with_accounts(settings: Settings, accounts: tuple[Account, ...]) -> Settings:
    """``settings`` over ``accounts`` (a demo world's, known once it runs): each region a place."""
    plain = tuple(dict.fromkeys(str(r) for r in settings.regions))
    profile = replace(settings.profile, accounts=accounts)
    return replace(settings, profile=profile, regions=places(accounts, plain))


def _aws_config_region(aws_profile: str) -> str | None:
    import botocore.session

    try:
        session = botocore.session.Session(profile=aws_profile)
        return session.get_config_variable("region")
    except Exception:
        return None
