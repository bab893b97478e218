"""The wizard's fleet: several AWS profiles of ~/.aws/config picked at once, each an account."""

from __future__ import annotations

from console.config import load_profile_file
from console.setup.aws_profiles import list_aws_profiles
from tests.setup.support import DEMO_REGIONS, DOWN, ENTER, SPACE, Home, drive


async def test_several_profiles_make_a_fleet_with_sso_ones_marked(home: Home, demo) -> None:
    home.add_config(
        f"[profile static]\nregion = ap-south-1\nendpoint_url = {demo.endpoint}\n"
        "[profile corp]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Ops\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "[profile ops-role]\nrole_arn = arn:aws:iam::444455556666:role/ops\nsource_profile = static\n"
    )
    home.add_credentials("[static]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\naws_secret_access_key = secret\n")
    labels = {p.name: p.label for p in list_aws_profiles()}  # what the chooser lists
    assert labels["corp"] == "corp  (sso, us-east-1, account 111122223333)"
    assert labels["ops-role"] == "ops-role  (role, account 444455556666)"
    keys = [
        DOWN,
        DOWN,
        DOWN,
        ENTER,  # connect: several AWS profiles (after static, corp and ops-role)
        SPACE,  # static
        DOWN,
        SPACE,  # corp (SSO)
        ENTER,
        ENTER,  # regions: what discovery found with static
        *[ENTER] * 4,  # clusters, services, queues, log groups: all
        "n",  # no .env files
        ENTER,  # read-only: no
        ENTER,  # name
    ]
    result, out = await drive(keys, probe_regions=DEMO_REGIONS)
    assert result is not None, out
    accounts = result.profile.accounts
    assert [(a.name, a.id, a.aws_profile) for a in accounts] == [
        ("static", "", "static"),
        ("corp", "111122223333", "corp"),
    ]
    assert result.profile.aws_profile == "static"  # the one discovery used
    assert load_profile_file(result.path) == result.profile
    assert 'aws_profile = "corp"' in result.path.read_text()
