from notification_service.db import SCHEMA, TableModel
from notification_service.models import *  # noqa: F403  (registers every table on the metadata)
from tb_platform.migrations import run_env

run_env(metadata=TableModel.metadata, schema=SCHEMA)
