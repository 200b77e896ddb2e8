from dashboard_service.db import SCHEMA, TableModel
from dashboard_service.db.events import EVENTS  # noqa: F401  (the inbox and dead letters)
from dashboard_service.models import *  # noqa: F403  (registers every table on the metadata)
from tb_platform.migrations import run_env

run_env(metadata=TableModel.metadata, schema=SCHEMA)
