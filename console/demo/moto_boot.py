"""Import moto's models with one botocore session, not four: most of the demo's start-up.

moto's EC2 models list every partition's regions at import, each time through a new
``boto3.Session()`` (three of them, and a fourth for the backends' regions), and every new session
parses botocore's endpoint data again. Importing them while ``boto3.Session`` hands out sessions
over one shared botocore session parses it once (measured: about a third of the import). Called
first by the processes that serve the demo (``demo serve``, ``opsconsole demo``'s child); anything
importing moto some other way only misses the saving.

The same import reads EC2's instance-type offerings of every region (about 90 compressed files);
the demo launches no EC2 instance, so only its own regions' are read (the others are empty).
"""

from __future__ import annotations

import sys
from typing import Any

OFFERINGS = "/instance_type_offerings/"


def import_moto() -> None:
    if "moto.ecs.models" in sys.modules:
        return
    import boto3
    import botocore.session

    shared = botocore.session.Session()
    original = boto3.Session

    class SharedSession(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not args and "botocore_session" not in kwargs:
                kwargs["botocore_session"] = shared
            super().__init__(*args, **kwargs)

    import moto.utilities.utils as moto_utils

    from console.demo.organisation import REGIONS

    load = moto_utils.load_resource

    def load_demo_offerings(filename: str, *args: Any, **kwargs: Any) -> Any:
        if OFFERINGS in filename and filename.rsplit("/", 1)[-1].split(".")[0] not in REGIONS:
            return []
        return load(filename, *args, **kwargs)

    boto3.Session = SharedSession  # type: ignore[misc]
    moto_utils.load_resource = load_demo_offerings  # type: ignore[assignment]  # passes moto's extra args on
    try:
        import moto.ecs.models  # noqa: F401  (EC2's, ECS's and the backends' machinery)
    finally:
        boto3.Session = original  # type: ignore[misc]
        moto_utils.load_resource = load
