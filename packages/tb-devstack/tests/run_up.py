"""``python -m tb_devstack up`` with stand-in services, as a real process for the signal tests.

``python run_up.py SERVICES_JSON [up options]``: SERVICES_JSON is a list of Service fields.
"""

import json
import sys

from tb_devstack.cli import main
from tb_devstack.services import Service

if __name__ == "__main__":
    fields = json.loads(sys.argv[1])
    services = [
        Service(**{k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}) for f in fields
    ]
    sys.exit(main(["up", *sys.argv[2:]], services=services))
